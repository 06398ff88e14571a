#!/usr/bin/python3
"""Generates random Jinja2 templates for the differential test
(template_random.sh): nested if/for/set/macro/raw/comment blocks with
every whitespace modifier, random text with spaces, tabs and newlines
around the tags, and expressions mixing filters, tests, operators and
literals. Deterministic for a seed.

usage: template_random_gen.py SEED COUNT OUTDIR
Writes OUTDIR/rN.j2, OUTDIR/data.json and OUTDIR/list (for the oracle's
--batch mode).
"""
import json
import os
import random
import sys

TEXTS = ["", " ", "  ", "\t", "\n", "\n\n", " \n ", "a", "b c", "x\n  ", "\n  y", "\r\n", " z \n", "é"]
ATOMS = ["n", "s", "items", "d", "f", "words", "nothing", "flag", "'lit'", "\"q'\"", "3", "-2", "1.5",
         "0.1", "none", "true", "[1, 'a', none]", "{'k': 1, 'j': [2]}", "(1, 2)", "d.a", "items[0]",
         "items[-1]", "s[1:]", "users[0].name", "missing|default('m')", "missing is defined",
         "'it\\'s'", "'a\\nb\\t'", "'\u00fc\u65e5'", "1e16", "1e-5", "123456789.125", "[0.1, 'x\"y', -0.0]",
         "(0.1 + 0.2)", "2 ** 62", "7 // -2", "-7 % 3", "'%.3f|%5s|%-4d|%x' % (f, s, n, 255)", "{'b': none, 'a': [1]}",
         "words|sort(case_sensitive=true)", "users|map(attribute='age')|sum", "'abc'[::-1]", "range(2, 9, 3)|list",
         "[]", "{}", "''", "()", "e_list", "e_dict", "dict(a=1)", "namespace(x=1).x"]
NUMS = ["n", "f", "3", "-2", "1.5", "0.1", "items[0]", "d.b", "true", "items|length", "7"]
FILTERS = ["upper", "lower", "title", "capitalize", "trim", "length", "first", "last", "list", "string",
           "sort", "reverse|list", "unique|list", "join(',')", "join", "default('dflt')", "d('x', true)",
           "tojson", "int", "float", "abs", "round", "sum", "max", "min", "dictsort", "items|list",
           "map('string')|list", "select('odd')|list", "reject('none')|list", "batch(2)|list",
           "replace('a', 'b')", "indent(2)", "center(9)", "e", "wordcount", "count",
           "selectattr('age', 'gt', 1)|list", "map(attribute='name')|join(' ')", "format(1)"]
TESTS = ["defined", "undefined", "none", "string", "number", "mapping", "sequence", "iterable", "odd",
         "even", "divisibleby 2", "eq 3", "lower", "upper", "in [1, 2, 3]", "true", "false", "integer",
         "float", "boolean"]
BINOPS = ["+", "-", "*", "/", "//", "%", "~", "==", "!=", "<", ">", "<=", ">=", "in", "not in",
          "and", "or"]


def rtext():
    return "".join(random.choice(TEXTS) for _ in range(random.randint(0, 3)))


def sign():
    return random.choice(["", "", "", "-", "+"])


def expr(depth=0):
    r = random.random()
    if depth > 2 or r < 0.35:
        return random.choice(ATOMS)
    if r < 0.55:
        return expr(depth + 1) + "|" + random.choice(FILTERS)
    if r < 0.65:
        return "(%s is %s%s)" % (expr(depth + 1), random.choice(["", "not "]), random.choice(TESTS))
    if r < 0.7:
        return "(%s %s %s)" % (random.choice(NUMS), random.choice(BINOPS), random.choice(NUMS))
    if r < 0.75:
        # Jinja2 folds "-2" to a constant that Python then reads as -(2 ** x)
        return "(%s ** %s)" % (random.choice(["-2", "n", "-n", "2", "-(3)"]), random.choice(["2", "d.b", "n", "3"]))
    if r < 0.85:
        return "(%s %s %s)" % (expr(depth + 1), random.choice(BINOPS), expr(depth + 1))
    if r < 0.92:
        return "(%s if %s else %s)" % (expr(depth + 1), expr(depth + 1), expr(depth + 1))
    return "not " + expr(depth + 1)


def var():
    return rtext() + "{{" + random.choice(["", "-"]) + " " + expr() + " " + random.choice(["", "-"]) + "}}" + rtext()


def tag(body):
    return "{%" + sign() + " " + body + " " + sign() + "%}"


def block(depth):
    r = random.random()
    if depth > 2 or r < 0.3:
        return var()
    if r < 0.4:
        return rtext() + "{#" + sign() + " c\n " + sign() + "#}" + rtext()
    if r < 0.46:
        return rtext() + tag("raw") + rtext() + "{{ x }}" + rtext() + tag("endraw") + rtext()
    if r < 0.52:
        return rtext() + tag("set v = " + expr()) + rtext() + "{{ v }}"
    if r < 0.72:
        s = tag("if " + expr()) + body(depth)
        if random.random() < 0.3:
            s += tag("elif " + expr()) + body(depth)
        if random.random() < 0.5:
            s += tag("else") + body(depth)
        return rtext() + s + tag("endif") + rtext()
    if r < 0.9:
        target, seq = random.choice([("i", "items"), ("w", "words"), ("k, v", "d|dictsort"),
                                     ("u", "users"), ("c", "s"), ("i", "range(3)")])
        cond = (" if " + expr()) if random.random() < 0.2 else ""
        s = tag("for %s in %s%s" % (target, seq, cond)) + body(depth) + "{{ loop.index }}{{ loop.last }}"
        if random.random() < 0.3:
            s += tag("else") + rtext()
        return rtext() + s + tag("endfor") + rtext()
    name = "m%d" % random.randint(0, 99)
    s = tag("macro %s(a, b='B')" % name) + body(depth) + "{{ a }}{{ b }}" + tag("endmacro")
    return rtext() + s + rtext() + "{{ %s(%s) }}" % (name, expr()) + rtext()


def body(depth):
    return "".join(block(depth + 1) for _ in range(random.randint(0, 3)))


DATA = {"n": 3, "s": "Hi yo", "items": [1, 2, 3], "d": {"a": 1, "b": 2}, "f": 2.5, "words": ["b", "A", "c"],
        "nothing": None, "flag": True, "e_list": [], "e_dict": {},
        "users": [{"name": "bo", "age": 3}, {"name": "al", "age": 1}]}


def main():
    seed, count, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    random.seed(seed)
    data_path = os.path.join(out, "data.json")
    with open(data_path, "w") as f:
        json.dump(DATA, f)
    with open(os.path.join(out, "list"), "w") as lst:
        for i in range(count):
            src = "".join(block(0) for _ in range(random.randint(1, 4)))
            path = os.path.join(out, "r%d.j2" % i)
            with open(path, "w", newline="", encoding="utf-8") as f:
                f.write(src)
            lst.write("%s\t%s\tr%d\n" % (path, data_path, i))
    return 0


if __name__ == "__main__":
    sys.exit(main())
