class Outer:
    class Inner:
        def method(self):
            value = self.compute()
            value = value * 2
            return value
