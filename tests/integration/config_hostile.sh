#!/bin/bash
# Hostile and broken configs: `config check` and `config show` exit 3 with
# "file:line:col: ..." (or "file: ..." when there is no position), and
# never crash (no signal, no sanitizer report).
. "$(dirname "$0")/config_lib.sh"
H=$TMP/h
mkdir -p "$H"

# name | content (printf format) | what the message must contain | L: a load
# error (show fails too), S: a schema error (only check fails)
cases=(
	"laughs.yaml|a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n|laughs.yaml:5:|L"
	"tabs.yaml|version: 2\nworkspace:\n\troot: x\n|tabs.yaml:3:1: |L"
	"dup.yaml|version: 2\nversion: 2\n|dup.yaml:2:1: duplicate key: version|L"
	"multi.yaml|version: 2\n---\nversion: 2\n|multi.yaml:2:1: a second YAML document|L"
	"latin1.yaml|name: caf\xe9\n|latin1.yaml:1:|L"
	"utf16.yaml|\xff\xfev\x00:\x00|utf16.yaml:1:1: the file is UTF-16|L"
	"nul.yaml|a: 1\n\x00b: 2\n|nul.yaml:2:|L"
	"list.yaml|- version\n- 2\n|list.yaml:1:1: the top level of a config must be a mapping|L"
	"scalar.yaml|just text\n|scalar.yaml:1:1: the top level of a config must be a mapping|L"
	"unclosed.yaml|a: [1, 2\n|unclosed.yaml:|L"
	"badtag.yaml|a: !!python/object/apply:os.system [id]\n|badtag.yaml:1:4: unsupported tag|L"
	"cycle.yaml|extends: cycle2.yaml\n|cycle2.yaml:1:10: extends: cycle: |L"
	"cycle2.yaml|extends: cycle.yaml\n|cycle.yaml:1:10: extends: cycle: |L"
	"noext.yaml|extends: [missing.yaml]\n|noext.yaml:1:11: extends: |L"
	"empty.yaml||empty.yaml:1:1: version: missing (required)|S"
	"types.yaml|version: two\nworkspace: []\nproviders: {default_model: 1, models: {}}\nmodes: x\nloop: {sequence: [1]}\n|types.yaml:1:1: version: expected a number, got a string|S"
)
for c in "${cases[@]}"; do # all files first: some extend others
	IFS='|' read -r name content want kind <<<"$c"
	printf -- "$content" >"$H/$name"
done
for c in "${cases[@]}"; do
	IFS='|' read -r name content want kind <<<"$c"
	cmds=("config check")
	[ "$kind" = L ] && cmds+=("config show" "config show --json")
	for cmd in "${cmds[@]}"; do
		$KC $cmd "$H/$name" >"$TMP/out" 2>"$TMP/err"
		rc=$?
		[ $rc -eq 3 ] || fail "$name: '$cmd' exit $rc, want 3 ($(head -3 "$TMP/err"))"
		grep -q "Sanitizer\|runtime error" "$TMP/err" && fail "$name: sanitizer report"
		grep -qF -- "$want" "$TMP/err" || fail "$name: '$cmd' message lacks '$want': $(head -3 "$TMP/err")"
	done
done

# random garbage never crashes: only exit 0 or 3
for i in $(seq 1 40); do
	head -c $((RANDOM % 4096 + 1)) /dev/urandom >"$H/rand$i.yaml"
	$KC config check "$H/rand$i.yaml" >/dev/null 2>"$TMP/err"
	rc=$?
	[ $rc -eq 0 ] || [ $rc -eq 3 ] || fail "rand$i.yaml: exit $rc"
	grep -q "Sanitizer\|runtime error" "$TMP/err" && fail "rand$i.yaml: sanitizer report"
done

# a FIFO must not block the loader
mkfifo "$H/fifo.yaml"
timeout 10 $KC config check "$H/fifo.yaml" >/dev/null 2>"$TMP/err"
rc=$?
[ $rc -eq 3 ] || fail "fifo: exit $rc, want 3"
grep -q "fifo.yaml: not a regular file" "$TMP/err" || fail "fifo: $(cat "$TMP/err")"

# a directory, a missing file
$KC config check "$H" >/dev/null 2>&1; [ $? -eq 3 ] || fail "directory: exit not 3"
$KC config check "$H/none.yaml" 2>"$TMP/err" >/dev/null; [ $? -eq 3 ] || fail "missing: exit not 3"
grep -q "none.yaml: No such file" "$TMP/err" || fail "missing: $(cat "$TMP/err")"

# a template that only fails when rendered (undefined variable), and a
# template family with no system template: found by `check`, not by a run
mkdir -p "$H/tpl"
printf 'line one\n{{ tools | length }} {{ nope }}\n' >"$H/tpl/undef.j2"
printf 'per turn\n' >"$H/tpl/pt.j2"
cat >"$H/tpsl.yaml" <<YAML
version: 2
workspace: {}
providers: {default_model: a, models: [{id: a, adapter: x}]}
modes: [{name: build}, {name: plan}]
loop: {sequence: [{mode: build}]}
tools: {registry: {paths: [$REF/implementations/tools/defs]}}
prompts:
  tool_prompt_synthesis:
    enabled: true
    dialects: {pythonic: {system_full: tpl/undef.j2}}
YAML
sed -e 's|dialects: .*|dialects: {onlypt: {per_turn_short: tpl/pt.j2}}|' "$H/tpsl.yaml" >"$H/tpsl2.yaml"
if [ -d "$REF/implementations/tools/defs" ]; then
	$KC config check "$H/tpsl.yaml" >/dev/null 2>"$TMP/err"
	[ $? -eq 3 ] || fail "tpsl.yaml: exit not 3"
	grep -q "tpl/undef.j2:2: .*nope.* (compiling the prompts of mode build)" "$TMP/err" ||
		fail "tpsl.yaml: undefined variable not reported: $(cat "$TMP/err")"
	$KC config check "$H/tpsl2.yaml" >/dev/null 2>"$TMP/err"
	[ $? -eq 3 ] || fail "tpsl2.yaml: exit not 3"
	grep -q "no system template .*(compiling the prompts of mode plan)" "$TMP/err" ||
		fail "tpsl2.yaml: missing system template not reported: $(cat "$TMP/err")"
fi

# a 10 MB config loads (and is then reported for what it lacks, fast)
python3 -c '
import sys
with open(sys.argv[1], "w") as f:
    f.write("version: 2\nbulk:\n")
    i = 0
    while f.tell() < 10 * 1024 * 1024:
        f.write("  key_%07d: [value, %d, true]\n" % (i, i)); i += 1
' "$H/big.yaml"
start=$(date +%s)
$KC config check "$H/big.yaml" >/dev/null 2>"$TMP/err"
rc=$?
[ $rc -eq 3 ] || fail "big.yaml: exit $rc"
grep -q "big.yaml:1:1: workspace: missing (required)" "$TMP/err" || fail "big.yaml: $(head -2 "$TMP/err")"
[ $(( $(date +%s) - start )) -lt 60 ] || fail "big.yaml took over 60 s"
finish
