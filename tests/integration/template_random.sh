#!/bin/bash
# Differential test of the template engine against Python Jinja2: random
# templates (template_random_gen.py: nested blocks, every whitespace
# modifier, filters, tests, operators) rendered by `kylecode render` and
# by Jinja2 must give the same bytes, or both fail.
# TEMPLATE_RANDOM_SEED / TEMPLATE_RANDOM_COUNT choose the run (default: a
# fixed seed, 300 templates); a failing template is kept and printed.
set -u
KC="$(cd "${KC_BIN:?}" 2>/dev/null && pwd)/kylecode"
SRC="${KC_SRC:?}"
PY=/usr/bin/python3
SEED=${TEMPLATE_RANDOM_SEED:-20261130}
COUNT=${TEMPLATE_RANDOM_COUNT:-300}

[ -x "$KC" ] || { echo "SKIP: $KC is not built"; exit 77; }
"$PY" -c 'import jinja2' 2>/dev/null || { echo "SKIP: needs python3-jinja2"; exit 77; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/o"
"$PY" "$SRC/tests/integration/template_random_gen.py" "$SEED" "$COUNT" "$work"
"$PY" "$SRC/tests/integration/template_oracle.py" --batch "$work/list" "$work/o" || { echo "FAIL: oracle crashed"; exit 1; }

fail=0
same=0
errors=0
for ((i = 0; i < COUNT; i++)); do
	t="$work/r$i.j2"
	"$KC" render "$t" --data "$work/data.json" >"$work/got" 2>"$work/got.err"
	krc=$?
	if [ -e "$work/o/r$i.err" ]; then
		if [ $krc -eq 1 ]; then errors=$((errors + 1)); continue; fi
		echo "FAIL r$i (seed $SEED): Jinja2 fails ($(cat "$work/o/r$i.err")), kylecode exit $krc"
	elif [ $krc -ne 0 ]; then
		echo "FAIL r$i (seed $SEED): kylecode failed: $(cat "$work/got.err")"
	elif cmp -s "$work/o/r$i.out" "$work/got"; then
		same=$((same + 1))
		continue
	else
		echo "FAIL r$i (seed $SEED): output differs"
		diff <(cat -A "$work/o/r$i.out") <(cat -A "$work/got") | head -6
	fi
	echo "--- template r$i:"
	cat -A "$t" | head -20
	fail=$((fail + 1))
done
echo "random templates (seed $SEED): $same identical, $errors failed in both, $fail differ"
[ $fail -eq 0 ]
