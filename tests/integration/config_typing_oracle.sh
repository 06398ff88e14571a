#!/bin/bash
# Scalar typing against live PyYAML: a few thousand generated plain
# scalars (numbers in every YAML 1.1 spelling, booleans, nulls, near
# misses), as keys and as values; `config show --json` must print exactly
# what json.dumps prints for yaml.safe_load of the same file.
. "$(dirname "$0")/config_lib.sh"
need_python
python3 - "$TMP/t.yaml" <<'PY'
import random, sys
random.seed(20261130)
words = ["yes", "Yes", "YES", "yEs", "no", "NO", "on", "On", "oN", "off", "OFF", "true",
         "True", "tRUE", "false", "False", "null", "Null", "NULL", "nULL", "~", "y", "n",
         ".inf", "-.inf", "+.inf", ".Inf", ".NaN", ".nan", ".NAN", "=x", "<<x", "0o17",
         "2001-12-14x", "a:b", "'2001-12-14'", "'1e3'", "'0x1F'", "'yes'", "'~'", "1:2:3", "0x", "0b", "0b2", "1e3", "1.0e3", "1.0e+3", ".e1"]
alphabet = "0123456789_.:+-eExXbBoO"
def gen():
    r = random.random()
    if r < 0.3:
        return random.choice(words)
    s = "".join(random.choice(alphabet) for _ in range(random.randint(1, 9)))
    return s
seen = set()
with open(sys.argv[1], "w") as f:
    i = 0
    while i < 3000:
        v = gen()
        # skip what is not a plain scalar at all in this position (the
        # quoted words of the list are meant as they are)
        if v in seen or (v not in words and (v[0] in "-:?,[]{}#&*!|>'\"%@`" or
                                              v.endswith(":") or ": " in v)):
            continue
        seen.add(v)
        f.write("k%05d: %s\n" % (i, v))
        i += 1
PY
# drop lines PyYAML itself cannot load (so the file is valid for both)
python3 - "$TMP/t.yaml" <<'PY'
import sys, yaml
lines = open(sys.argv[1]).read().splitlines(True)
ok = []
for ln in lines:
    try:
        v = yaml.safe_load(ln)
        if isinstance(v, dict) and all(isinstance(x, (str, int, float, bool, type(None))) for x in v.values()):
            ok.append(ln)
    except Exception:
        pass
open(sys.argv[1], "w").writelines(ok)
print(len(ok), "scalars")
PY
"$KC" config show --json "$TMP/t.yaml" >"$TMP/c.json" 2>"$TMP/err" || fail "show exit $?: $(head -3 "$TMP/err")"
python3 "$HERE/config_oracle.py" "$TMP/t.yaml" >"$TMP/p.json"
cmp -s "$TMP/c.json" "$TMP/p.json" || { fail "typing differs from PyYAML"; diff "$TMP/c.json" "$TMP/p.json" | head -20; }
# and the YAML kylecode prints reads back under PyYAML as the same values
"$KC" config show "$TMP/t.yaml" >"$TMP/c.yaml" || fail "show exit $?"
python3 "$HERE/config_oracle.py" --yaml-roundtrip "$TMP/c.yaml" "$TMP/c.json" ||
	fail "printed YAML does not read back under PyYAML"
finish
