class Service:
    def start(self):
        if self.ready:
            self.prepare()
            self.run()
            self.log("started")
        return self
