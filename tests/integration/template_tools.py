#!/usr/bin/python3
"""Builds the template data {"tools": [...]} from the prototype's YAML tool
definitions, normalized the way the prototype handed tools to its
tool-prompt templates (and the way kylecode's prompt compiler does):

  {name, display_name, description, blocking, max_per_turn,
   parameters: [{name, type, default, required, description}]}

Absent keys become null (None): the reference templates read
t.display_name under StrictUndefined, so the key must exist.

usage: template_tools.py DIR... > tools.json   (files *.yaml, sorted by name)
"""
import glob
import json
import os
import sys

import yaml


def norm_param(p):
    return {
        "name": p.get("name"),
        "type": p.get("type"),
        "default": p.get("default"),
        "required": bool(p.get("required", False)),
        "description": p.get("description"),
    }


def norm_tool(doc):
    execution = doc.get("execution") or {}
    return {
        "name": doc.get("name"),
        "display_name": doc.get("display_name"),
        "description": doc.get("description"),
        "parameters": [norm_param(p) for p in (doc.get("parameters") or [])],
        "blocking": bool(execution.get("blocking", False)),
        "max_per_turn": execution.get("max_per_turn"),
    }


def main():
    tools = []
    for d in sys.argv[1:]:
        for path in sorted(glob.glob(os.path.join(d, "*.yaml"))):
            with open(path, "rb") as f:
                doc = yaml.safe_load(f)
            if isinstance(doc, dict) and doc.get("name"):
                tools.append(norm_tool(doc))
    # insertion order: the shape above, as the prompt compiler builds it
    json.dump({"tools": tools}, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
