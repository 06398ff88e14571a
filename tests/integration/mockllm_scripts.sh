#!/bin/bash
# Script loading: bad scripts give file:line errors and exit 3; options.
. "$(dirname "$0")/mockllm_lib.sh"

"$MOCK" --help | grep -q -- "--script FILE" || fail "--help"
"$MOCK" --bogus 2>/dev/null; [ $? -eq 2 ] || fail "unknown option must exit 2"
"$MOCK" 2>/dev/null; [ $? -eq 2 ] || fail "missing --script must exit 2"
"$MOCK" --script /nonexistent.yaml --check 2>"$T/e"; [ $? -eq 3 ] || fail "missing file exit"
grep -q "/nonexistent.yaml: cannot open" "$T/e" || fail "missing file message: $(cat "$T/e")"

# expect_bad NAME CONTENT PATTERN: --check exits 3 and stderr matches.
expect_bad() {
	printf '%s' "$2" >"$T/$1"
	"$MOCK" --script "$T/$1" --check 2>"$T/e" >/dev/null
	rc=$?
	[ $rc -eq 3 ] || fail "$1: exit $rc, expected 3"
	grep -Eq "$3" "$T/e" || fail "$1: message '$(cat "$T/e")' does not match '$3'"
}
expect_bad syntax.yaml $'turns:\n  - text: ok\n  - text: [unclosed\n' 'syntax.yaml:[45]:[0-9]+: '
expect_bad key.yaml $'turns:\n  - text: ok\n\n  - txet: typo\n' 'key.yaml:4: turn 2: txet: unknown key'
expect_bad fault.yaml $'turns:\n  - fault: explode\n' 'fault.yaml:2: turn 1: fault: unknown fault'
expect_bad call.yaml $'turns:\n  - tool_calls:\n      - arguments: {a: 1}\n' "call.yaml:3: turn 1: tool_calls: a tool call needs a non-empty 'name'"
expect_bad int.yaml $'turns:\n  - delay_ms: soon\n' 'int.yaml:2: turn 1: delay_ms: must be an integer'
expect_bad empty.yaml $'turns: []\n' 'empty.yaml:1: the script has no turns'
expect_bad noturns.yaml $'model: x\n' "noturns.yaml:1: expected 'turns:'"
expect_bad bad.jsonl $'{"text": "a"}\n\n{"text": "b",\n' 'bad.jsonl:3:[0-9]+: invalid JSON'
expect_bad bomb.yaml $'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n' 'too deep or too large'

printf '{"text": "a"}\n# comment\n{"tool_calls": [{"name": "x", "arguments": {"k": 1}}]}\n' >"$T/ok.jsonl"
"$MOCK" --script "$T/ok.jsonl" --check | grep -q "ok, 2 turns" || fail "good jsonl"

# Security: a non-loopback listen address is refused without --allow-remote.
printf 'turns:\n  - text: hi\n' >"$T/s.yaml"
"$MOCK" --script "$T/s.yaml" --listen 0.0.0.0:0 2>"$T/e" >/dev/null
[ $? -eq 1 ] || fail "non-loopback must fail"
grep -q "not a loopback address" "$T/e" || fail "non-loopback message: $(cat "$T/e")"
"$MOCK" --script "$T/s.yaml" --listen nonsense 2>/dev/null >/dev/null
[ $? -eq 1 ] || fail "bad --listen must fail"

# --chunk-bytes N: the stream is written in N-byte pieces and still parses.
printf 'turns:\n  - text: "chunked across many writes"\n' >"$T/c.yaml"
mock_start "$T/c.yaml" --chunk-bytes 3
got=$(curl -sN "$URL/v1/chat/completions" -d '{"stream":true}' | grep '^data: {' | sed 's/^data: //' |
	jq -j '.choices[0].delta.content // empty')
[ "$got" = "chunked across many writes" ] || fail "--chunk-bytes: '$got'"
kill "$MOCK_PID"; wait "$MOCK_PID"; MOCK_PID=
"$MOCK" --script "$T/c.yaml" --chunk-bytes 0 2>/dev/null; [ $? -eq 2 ] || fail "--chunk-bytes 0 must exit 2"

# SIGTERM stops it cleanly (exit 0).
mock_start "$T/s.yaml"
kill -TERM "$MOCK_PID"; wait "$MOCK_PID"; rc=$?; MOCK_PID=
[ $rc -eq 0 ] || fail "SIGTERM exit $rc"
echo "mockllm_scripts: ok"
