#!/bin/bash
# Template rendering benchmark (issue 4, target >= 20x Jinja2): renders
# each reference tool-prompt template 10,000 times with the tools of the
# reference definitions, first with kylecode's engine (kc-template-bench),
# then with Python Jinja2 (a compiled template, same data, same count), and
# prints renders/s, bytes/s and the speed ratio per template and overall.
# Both sides measure CPU time, best of 3 rounds (the machine may be shared).
#
# usage: scripts/bench_templates.sh [BUILD_DIR] [N]
set -eu
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$SRC/build}
N=${2:-10000}
BENCH="$BUILD/bin/kc-template-bench"
PY=/usr/bin/python3
SHARED=${KC_SHARED:-$SRC/../shared}
REF="$SHARED/reference/kylecode/implementations"

[ -x "$BENCH" ] || { echo "build kc-template-bench first (cmake --build $BUILD --target kc-template-bench)" >&2; exit 2; }
"$PY" -c 'import jinja2, yaml' 2>/dev/null || { echo "needs python3-jinja2 and python3-yaml" >&2; exit 2; }
[ -d "$REF/tools" ] || { echo "reference dir not found: $REF" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$PY" "$SRC/tests/integration/template_tools.py" "$REF/tools/defs" "$REF/tools/defs_oc" >"$work/tools.json"
templates=$(ls "$SRC"/templates/tool_prompt_synthesis/*/*.j2.md)

"$BENCH" -n "$N" "$work/tools.json" $templates >"$work/kc.txt"
"$PY" - "$N" "$work/tools.json" $templates >"$work/py.txt" <<'PYEOF'
import json, os, sys, time
import jinja2
n = int(sys.argv[1])
data = json.load(open(sys.argv[2]))
for path in sys.argv[3:]:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(os.path.dirname(path)), trim_blocks=True,
                             lstrip_blocks=True, undefined=jinja2.StrictUndefined, autoescape=False,
                             keep_trailing_newline=False)
    tpl = env.get_template(os.path.basename(path))
    out = ""
    best = None
    for _ in range(3):  # best of 3 rounds, as kc-template-bench does
        t0 = time.process_time()
        for _ in range(n):
            out = tpl.render(**data)
        t1 = time.process_time()
        best = t1 - t0 if best is None else min(best, t1 - t0)
    print("jinja2 %s renders %d seconds %.6f bytes %d" % (path, n, best, len(out.encode("utf-8"))))
PYEOF

python3 - "$work/kc.txt" "$work/py.txt" "$N" <<'PYEOF'
import sys
def load(p):
    r = {}
    for line in open(p):
        f = line.split()
        r[f[1]] = (float(f[5]), int(f[7]))
    return r
kc, py, n = load(sys.argv[1]), load(sys.argv[2]), int(sys.argv[3])
print("%-45s %12s %12s %12s %8s" % ("template (%d renders each)" % n, "kc r/s", "jinja2 r/s", "kc MB/s", "ratio"))
tk = tp = 0.0
for path in kc:
    (sk, b), (sp, bp) = kc[path], py[path]
    if b != bp:
        print("WARNING: output sizes differ for %s (%d vs %d bytes)" % (path, b, bp))
    tk += sk; tp += sp
    name = "/".join(path.split("/")[-2:])
    print("%-45s %12.0f %12.0f %12.1f %7.1fx" % (name, n / sk, n / sp, n * b / sk / 1e6, sp / sk))
print("%-45s %12.0f %12.0f %12s %7.1fx  (target >= 20x)" % ("all templates", n * len(kc) / tk, n * len(kc) / tp, "", tp / tk))
PYEOF
