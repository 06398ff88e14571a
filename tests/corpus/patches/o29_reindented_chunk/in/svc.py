class Service:
    def start(self):
        if self.ready:
            self.run()
            self.log("started")
        return self
