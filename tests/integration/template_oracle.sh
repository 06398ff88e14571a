#!/bin/bash
# Oracle test for the template engine: renders every template twice, with
# `kylecode render` and with Debian's python3-jinja2 under the prototype's
# settings (template_oracle.py), and compares the bytes with cmp.
#  1. the reference tool-prompt templates (shared/reference/.../
#     tool_prompt_synthesis) and kylecode's built-in copies in templates/,
#     with {"tools": [...]} built from the reference tool definitions;
#  2. tests/corpus/templates/*.j2, each with its NAME.json data;
#  3. tests/corpus/templates/invalid/*.j2: both must fail, and kylecode's
#     message must be "NAME.j2:LINE: ..." with Jinja2's line;
#  4. the command line: --help, usage errors, bad data files.
# Env: KC_BIN, KC_SRC (from ctest); the shared dir is $KC_SRC/../shared.
set -u
KC="$(cd "${KC_BIN:?}" 2>/dev/null && pwd)/kylecode"
SRC="${KC_SRC:?}"
PY=/usr/bin/python3
ORACLE="$SRC/tests/integration/template_oracle.py"
TOOLS="$SRC/tests/integration/template_tools.py"
SHARED="${KC_SHARED:-$SRC/../shared}"

[ -x "$KC" ] || { echo "SKIP: $KC is not built"; exit 77; }
"$PY" -c 'import jinja2, yaml' 2>/dev/null || { echo "SKIP: needs python3-jinja2 and python3-yaml"; exit 77; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# Cases are queued first ("same" or "error", dir, template, data, label),
# Jinja2 renders them all in one Python process, then each is checked.
: >"$work/cases"
: >"$work/batch"
n=0
queue() {
	n=$((n + 1))
	printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" >>"$work/cases"
	printf '%s\t%s\t%s\n' "$2/$3" "$(cd "$2" && realpath "$4")" "c$n" >>"$work/batch"
}

# same: identical bytes and both succeed.
check_same() {
	local key=$1 dir=$2 tpl=$3 data=$4 label=$5
	(cd "$dir" && "$KC" render "$tpl" --data "$data") >"$work/got" 2>"$work/got.err"
	local krc=$?
	if [ -e "$work/o/$key.err" ]; then
		bad "$label: Jinja2 failed: $(cat "$work/o/$key.err")"
	elif [ $krc -ne 0 ]; then
		bad "$label: kylecode failed (exit $krc): $(cat "$work/got.err")"
	elif ! cmp -s "$work/o/$key.out" "$work/got"; then
		bad "$label: output differs from Jinja2 (- Jinja2, + kylecode):"
		diff -u "$work/o/$key.out" "$work/got" | sed -n '3,15p'
	else
		ok
	fi
}

# error: both fail; kylecode names the template and Jinja2's line.
check_error() {
	local key=$1 dir=$2 tpl=$3 data=$4 label=$5
	(cd "$dir" && "$KC" render "$tpl" --data "$data") >/dev/null 2>"$work/got.err"
	local krc=$?
	local want_line got_line
	got_line=$(sed -n "s/^kylecode render: ${tpl//./\\.}:\([0-9]*\): .*/\1/p" "$work/got.err")
	if [ ! -e "$work/o/$key.err" ]; then
		bad "$label: Jinja2 rendered it (the corpus case is wrong)"
		return
	fi
	want_line=$(sed -n 's/^ERROR \([0-9?]*\):.*/\1/p' "$work/o/$key.err")
	if [ $krc -ne 1 ]; then
		bad "$label: kylecode exit $krc, want 1: $(cat "$work/got.err")"
	elif [ -z "$got_line" ]; then
		bad "$label: message lacks '$tpl:LINE: ': $(cat "$work/got.err")"
	elif [ "$want_line" != "?" ] && [ "$want_line" != "$got_line" ]; then
		bad "$label: line $got_line, Jinja2 says $want_line: $(cat "$work/got.err")"
	else
		ok
	fi
}

# 1. reference templates
REF="$SHARED/reference/kylecode/implementations"
if [ -d "$REF/tool_prompt_synthesis" ]; then
	"$PY" "$TOOLS" "$REF/tools/defs" >"$work/tools_defs.json"
	"$PY" "$TOOLS" "$REF/tools/defs_oc" >"$work/tools_oc.json"
	"$PY" "$TOOLS" "$REF/tools/defs" "$REF/tools/defs_oc" >"$work/tools_all.json"
	for t in "$REF"/tool_prompt_synthesis/*/*.j2.md; do
		rel=${t#"$REF/tool_prompt_synthesis/"}
		for d in defs oc all; do
			queue same "$(dirname "$t")" "$(basename "$t")" "$work/tools_$d.json" "reference $rel ($d)"
		done
		if cmp -s "$t" "$SRC/templates/tool_prompt_synthesis/$rel"; then
			ok
		else
			bad "templates/tool_prompt_synthesis/$rel differs from the reference copy"
		fi
	done
else
	echo "note: $SHARED not found: reference templates not checked"
fi
# an empty catalog exercises the loops' empty paths
echo '{"tools": []}' >"$work/tools_none.json"
for t in "$SRC"/templates/tool_prompt_synthesis/*/*.j2.md; do
	queue same "$(dirname "$t")" "$(basename "$t")" "$work/tools_none.json" "built-in ${t#"$SRC/templates/"} (no tools)"
done

# 2. corpus, 3. invalid templates
CORPUS="$SRC/tests/corpus/templates"
for t in "$CORPUS"/*.j2; do
	b=$(basename "$t" .j2)
	queue same "$CORPUS" "$b.j2" "$b.json" "corpus $b"
done
for t in "$CORPUS"/invalid/*.j2; do
	b=$(basename "$t" .j2)
	queue error "$CORPUS/invalid" "$b.j2" "$b.json" "invalid/$b"
done

mkdir "$work/o"
"$PY" "$ORACLE" --batch "$work/batch" "$work/o" || { echo "FAIL: the Jinja2 oracle crashed"; exit 1; }
i=0
while IFS=$'\t' read -r kind dir tpl data label; do
	i=$((i + 1))
	if [ "$kind" = same ]; then
		check_same "c$i" "$dir" "$tpl" "$data" "$label"
	else
		check_error "c$i" "$dir" "$tpl" "$data" "$label"
	fi
done <"$work/cases"

# 4. command line
expect_exit() {
	local want=$1 label=$2
	shift 2
	"$@" >"$work/out" 2>"$work/err"
	local rc=$?
	if [ $rc -eq "$want" ]; then ok; else bad "$label: exit $rc, want $want: $(head -c 300 "$work/err")"; fi
}
expect_exit 0 "render --help" "$KC" render --help
grep -q "usage: kylecode render" "$work/out" || bad "render --help prints no usage line"
expect_exit 2 "render without TEMPLATE" "$KC" render
expect_exit 2 "render --bogus" "$KC" render --bogus x.j2
expect_exit 2 "render --data without file" "$KC" render x.j2 --data
expect_exit 1 "render of a missing template" "$KC" render "$work/nonexistent.j2"
printf '{"a": 1,\n "b": [1, 2,\n' >"$work/broken.json"
printf '{{ a }}' >"$work/a.j2"
expect_exit 1 "render with broken JSON" "$KC" render "$work/a.j2" --data "$work/broken.json"
grep -q "broken.json:[0-9]*: invalid JSON" "$work/err" || bad "broken JSON data: no file:line in: $(cat "$work/err")"
echo '[1, 2]' >"$work/list.json"
expect_exit 1 "render with non-object data" "$KC" render "$work/a.j2" --data "$work/list.json"
echo '{"a": "from stdin"}' | "$KC" render "$work/a.j2" --data - >"$work/out" 2>&1
[ "$(cat "$work/out")" = "from stdin" ] && ok || bad "render --data - did not read stdin: $(cat "$work/out")"

echo "template oracle: $pass passed, $fail failed"
[ $fail -eq 0 ]
