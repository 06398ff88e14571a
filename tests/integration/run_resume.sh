#!/bin/bash
# kill -9 of the supervisor (during a command, and at chosen durable
# boundaries via KYLECODE_CRASH_AT_STEP), then `kylecode resume`: the run
# continues in the same directory from its last complete turn; a recorded
# model answer is reused, a recorded result is not re-run, a call that was
# in flight is reported as interrupted, and the task completes.
. "$(dirname "$0")/mockllm_lib.sh"
. "$(dirname "$0")/run_lib.sh"

# One turn per line (JSONL), so a resumed mock can start at any turn.
cat >"$T/s.jsonl" <<'JSONL'
{"text": "<TOOL_CALL>\nrun_shell(command=\"echo one >> log.txt\")\n</TOOL_CALL>\n"}
{"text": "<TOOL_CALL>\nrun_shell(command=\"echo two >> log.txt; sleep 4\")\n</TOOL_CALL>\n"}
{"text": "<TOOL_CALL>\nrun_shell(command=\"echo three >> log.txt\")\n</TOOL_CALL>\n"}
{"text": "Done. TASK COMPLETE"}
JSONL

# The mock restarted at the turn after the last recorded answer.
mock_from_record() {
	local n
	n=$(ls "$RUN/raw/responses" 2>/dev/null | wc -l)
	mock_stop
	tail -n +$((n + 1)) "$T/s.jsonl" >"$T/rest.jsonl"
	mock_start "$T/rest.jsonl"
	run_config
}
resume() {
	(cd "$KC_SRC" && "$KC" resume "$RUN") >"$T/out" 2>"$T/err" </dev/null
	RC=$?
}
check_resumed() { # NAME
	expect_rc 0
	[ "$(meta .status)" = completed ] || fail "$1: status $(meta .status)"
	trace_has run_resume || fail "$1: no run_resume record"
	[ "$(jq -s '[.[].seq] == [range(1; length+1)]' "$RUN/raw/events/trace.jsonl")" = true ] ||
		fail "$1: trace seq broken"
	# No call ran twice.
	jq -s -e '[.[] | select(.kind == "tool_result") | "\(.turn)/\(.call_id)"] | (length == (unique | length))' \
		"$RUN/raw/events/trace.jsonl" >/dev/null || fail "$1: a call has two results"
	# Each command ran at most once (a call in flight at the crash may not
	# have run at all: it is reported as interrupted, never re-run).
	for w in one two three; do
		[ "$(grep -c "^$w$" "$T/ws/log.txt")" -le 1 ] || fail "$1: '$w' ran twice"
	done
}

# (a) kill -9 while turn 2's command runs.
mock_start "$T/s.jsonl"
run_config
rm -rf "$T/logs" "$T/ws"
(cd "$KC_SRC" && exec "$KC" run --config "$T/cfg.yaml" --workspace "$T/ws" --log-dir "$T/logs" \
	--driver "$DRIVER" --task-text "resume me" -m 8) >"$T/out" 2>"$T/err" </dev/null &
KPID=$!
for _ in $(seq 1 200); do
	RUN=$(ls -d "$T"/logs/*/ 2>/dev/null | tail -1); RUN=${RUN%/}
	[ -n "$RUN" ] && grep -q '"kind":"tool_dispatch","turn":2' "$RUN/raw/events/trace.jsonl" 2>/dev/null && break
	sleep 0.05
done
kill -9 $KPID; wait $KPID 2>/dev/null
mock_from_record
resume
check_resumed kill9
# Turn 2's answer was reused (the new mock only served turns 3 and 4) and
# its command, in flight at the kill, was not run again.
[ "$(requests | jq length)" = 2 ] || fail "kill9: the model was asked $(requests | jq length) times"
[ "$(grep -c '^two$' "$T/ws/log.txt")" = 1 ] || fail "kill9: turn 2's command ran twice"
grep -q "^three$" "$T/ws/log.txt" || fail "kill9: turn 3 never ran"
requests | jq -r '.[0].body.messages[-1].content' | grep -q "interrupted" ||
	fail "kill9: the model was not told the call was interrupted"

# (b) a crash at several durable boundaries of the writer.
for step in 4 11 19 27 40; do
	mock_stop
	mock_start "$T/s.jsonl"
	run_config
	rm -rf "$T/logs" "$T/ws"
	(cd "$KC_SRC" && KYLECODE_CRASH_AT_STEP=$step exec "$KC" run --config "$T/cfg.yaml" \
		--workspace "$T/ws" --log-dir "$T/logs" --driver "$DRIVER" --task-text "resume me" \
		-m 8) >"$T/out" 2>"$T/err" </dev/null
	RC=$?
	RUN=$(ls -d "$T"/logs/*/ | tail -1); RUN=${RUN%/}
	[ "$RC" = 137 ] || { show; fail "step $step: exit $RC, want a SIGKILL (137)"; }
	mock_from_record
	resume
	check_resumed "step $step"
done
echo "run_resume: ok"
