class Outer:
    class Inner:
        def method(self):
            value = self.compute()
            return value
