#!/bin/bash
# Every reference config resolves and validates; `config show --json` is
# byte-identical to the prototype's loader (PyYAML + its deep merge, in
# config_oracle.py); `config show` (YAML) reads back, under PyYAML, as the
# same document; --effective resolves every path.
. "$(dirname "$0")/config_lib.sh"
need_ref
need_python
cd "$TMP" # not the reference tree: the path lookup must find it anyway
for f in "$REF"/agent_configs/*.yaml; do
	n=$(basename "$f")
	"$KC" config check "$f" >"$TMP/check.out" 2>"$TMP/check.err" ||
		fail "$n: config check exit $?: $(cat "$TMP/check.err")"
	grep -q '^error' "$TMP/check.err" && fail "$n: errors reported"
	"$KC" config show --json "$f" >"$TMP/c.json" || fail "$n: show --json exit $?"
	python3 "$HERE/config_oracle.py" "$f" >"$TMP/p.json"
	cmp -s "$TMP/c.json" "$TMP/p.json" || { fail "$n: show --json differs from the oracle"; diff "$TMP/c.json" "$TMP/p.json" | head -20; }
	"$KC" config show "$f" >"$TMP/c.yaml" || fail "$n: show exit $?"
	python3 "$HERE/config_oracle.py" --yaml-roundtrip "$TMP/c.yaml" "$TMP/c.json" ||
		fail "$n: YAML output does not read back as the document"
	"$KC" config show --effective --json "$f" >"$TMP/e.json" 2>"$TMP/e.err" ||
		fail "$n: show --effective exit $?: $(cat "$TMP/e.err")"
	python3 - "$TMP/e.json" <<'PY' || fail "$n: effective paths not resolved"
import json, os, sys
d = json.load(open(sys.argv[1]))
paths = list(d["tools"]["registry"]["paths"])
for pack in d["prompts"]["packs"].values():
    paths += [v for v in pack.values() if isinstance(v, str)]
for fam in ((d["prompts"].get("tool_prompt_synthesis") or {}).get("dialects") or {}).values():
    paths += list(fam.values())
bad = [p for p in paths if not (os.path.isabs(p) and os.path.exists(p))]
sys.exit(1 if bad else 0)
PY
done
# all at once: one exit code for the lot
"$KC" config check "$REF"/agent_configs/*.yaml >/dev/null 2>&1 || fail "check of all four: exit $?"
finish
