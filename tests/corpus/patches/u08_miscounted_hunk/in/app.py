import os
import sys


def load(path):
    with open(path) as f:
        return f.read()


def save(path, data):
    with open(path, "w") as f:
        f.write(data)


class Store:
    def __init__(self, root):
        self.root = root
        self.items = {}

    def get(self, key):
        return self.items.get(key)

    def put(self, key, value):
        self.items[key] = value
        return True


def main():
    store = Store(sys.argv[1])
    print(store.get("a"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
