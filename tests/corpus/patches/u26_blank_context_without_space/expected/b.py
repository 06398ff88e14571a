import os
import sys


def run():
    return os.getcwd()
