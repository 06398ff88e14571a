#!/usr/bin/python3
"""Test-time oracle: render a template with Debian's python3-jinja2 using
the prototype's settings, so kylecode's engine can be compared byte for
byte.

usage: template_oracle.py TEMPLATE [DATA_JSON]
       template_oracle.py --batch LIST OUTDIR
Writes the rendered bytes to stdout and exits 0, or prints
"ERROR <line|?>: <message>" to stderr and exits 1 (the line is the
template line Jinja2 reports, from the syntax error or the traceback).
--batch renders every "TEMPLATE<TAB>DATA<TAB>KEY" line of LIST in one
process (tests are faster without a Python start per template), writing
OUTDIR/KEY.out with the bytes, or OUTDIR/KEY.err with the ERROR line.
"""
import json
import os
import sys
import traceback

import jinja2


def error_line(exc, name):
    line = getattr(exc, "lineno", None)
    if line:
        return line
    for frame, lineno in traceback.walk_tb(exc.__traceback__):
        if frame.f_code.co_filename == name:
            line = lineno
    return line or "?"


def render(path, datapath):
    """Returns (0, bytes) or (1, "ERROR line: message")."""
    data = {}
    if datapath:
        with open(datapath, "rb") as f:
            data = json.loads(f.read().decode("utf-8"))
    path = os.path.abspath(path)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(os.path.dirname(path)),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
    )
    try:
        out = env.get_template(os.path.basename(path)).render(**data)
    except Exception as exc:  # every failure counts as "error" outcome
        return 1, "ERROR %s: %s: %s\n" % (error_line(exc, path), type(exc).__name__, exc)
    return 0, out.encode("utf-8")


def batch(listfile, outdir):
    with open(listfile, encoding="utf-8") as f:
        for line in f:
            tpl, datapath, key = line.rstrip("\n").split("\t")
            rc, res = render(tpl, datapath)
            if rc == 0:
                with open(os.path.join(outdir, key + ".out"), "wb") as o:
                    o.write(res)
            else:
                with open(os.path.join(outdir, key + ".err"), "w", encoding="utf-8") as o:
                    o.write(res)
    return 0


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--batch":
        return batch(sys.argv[2], sys.argv[3])
    if len(sys.argv) not in (2, 3):
        sys.stderr.write(__doc__)
        return 2
    rc, res = render(sys.argv[1], sys.argv[2] if len(sys.argv) == 3 else None)
    if rc == 0:
        sys.stdout.buffer.write(res)
    else:
        sys.stderr.write(res)
    return rc


if __name__ == "__main__":
    sys.exit(main())
