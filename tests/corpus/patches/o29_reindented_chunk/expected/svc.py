class Service:
    def start(self):
        if self.ready:
            self.run()
            self.count += 1
            self.log("started")
        return self
