#!/usr/bin/env python3
"""Test-time oracle for `kylecode config show --json`: loads a config the
way the prototype's v2_loader did (PyYAML safe_load, `extends` relative to
the extending file, several bases merged in order before the child, maps
merged key by key, everything else of the child replacing), except that
the bases' own `extends` are resolved too (DESIGN section 3), and prints
json.dumps(indent=2, ensure_ascii=False).

Usage: config_oracle.py CONFIG  (prints the merged document)
       config_oracle.py --yaml-roundtrip YAML_FILE JSON_FILE
           (exit 0 when PyYAML reads YAML_FILE as the document in JSON_FILE)
"""
import json
import os
import sys

import yaml


def deep_merge(base, override):
    out = dict(base)
    for k, v in (override or {}).items():
        if k in out and isinstance(out[k], dict) and isinstance(v, dict):
            out[k] = deep_merge(out[k], v)
        else:
            out[k] = v
    return out


def load(path):
    with open(path, "r", encoding="utf-8") as f:
        doc = yaml.safe_load(f) or {}
    ext = doc.pop("extends", None)
    if not ext:
        return doc
    refs = ext if isinstance(ext, list) else [ext]
    merged = {}
    for rel in refs:
        base = os.path.join(os.path.dirname(os.path.abspath(path)), str(rel))
        merged = deep_merge(merged, load(base))
    return deep_merge(merged, doc)


def same(a, b):
    """Equality that tells bools from ints and ints from floats."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b or (a != a and b != b)


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--yaml-roundtrip":
        with open(sys.argv[2], encoding="utf-8") as f:
            from_yaml = yaml.safe_load(f)
        with open(sys.argv[3], encoding="utf-8") as f:
            from_json = json.load(f)
        if not same(from_yaml, from_json):
            print("YAML output does not read back as the JSON document", file=sys.stderr)
            return 1
        return 0
    print(json.dumps(load(sys.argv[1]), indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
