#!/bin/bash
# kill -9 at EVERY durable boundary of a 4-turn run (KYLECODE_CRASH_AT_STEP
# = 1, 2, 3 ... until the run gets through), each followed by `kylecode
# resume`: every crash leaves a run that resumes to completion, with an
# intact trace and no command run twice.
D=$(cd "$(dirname "$0")/../integration" && pwd)
. "$D/mockllm_lib.sh"
. "$D/run_lib.sh"

cat >"$T/s.jsonl" <<'JSONL'
{"text": "<TOOL_CALL>\nrun_shell(command=\"echo one >> log.txt\")\n</TOOL_CALL>\n"}
{"text": "```diff\n--- /dev/null\n+++ b/f.txt\n@@ -0,0 +1 @@\n+patched\n```\n<TOOL_CALL>\nrun_shell(command=\"echo two >> log.txt\")\n</TOOL_CALL>\n"}
{"text": "<TOOL_CALL>\nrun_shell(command=\"echo three >> log.txt\")\n</TOOL_CALL>\n"}
{"text": "Done. TASK COMPLETE"}
JSONL

crashes=0
for step in $(seq 1 400); do
	mock_stop
	mock_start "$T/s.jsonl"
	run_config
	rm -rf "$T/logs" "$T/ws"
	(cd "$KC_SRC" && KYLECODE_CRASH_AT_STEP=$step exec "$KC" run --config "$T/cfg.yaml" \
		--workspace "$T/ws" --log-dir "$T/logs" --driver "$DRIVER" --task-text sweep -m 8) \
		>"$T/out" 2>"$T/err" </dev/null
	RC=$?
	[ "$RC" = 0 ] && break
	[ "$RC" = 137 ] || { show; fail "step $step: exit $RC"; }
	crashes=$((crashes + 1))
	RUN=$(ls -d "$T"/logs/*/ 2>/dev/null | tail -1); RUN=${RUN%/}
	[ -n "$RUN" ] || continue
	if [ ! -f "$RUN/meta/run_meta.json" ]; then
		# Killed before the run's first file: nothing happened yet, and
		# resume says so.
		(cd "$KC_SRC" && "$KC" resume "$RUN") >/dev/null 2>"$T/err" </dev/null
		[ $? = 1 ] && grep -q "stopped before it started" "$T/err" || fail "step $step: $(cat "$T/err")"
		[ ! -f "$T/ws/log.txt" ] || fail "step $step: a command ran before run_meta.json"
		continue
	fi
	n=$(ls "$RUN/raw/responses" 2>/dev/null | wc -l)
	mock_stop
	tail -n +$((n + 1)) "$T/s.jsonl" >"$T/rest.jsonl"
	# Every answer recorded: a model call now would be a duplicate (400).
	[ -s "$T/rest.jsonl" ] ||
		echo '{"text": "unexpected", "expect": {"contains": "a string never sent kc9q"}}' >"$T/rest.jsonl"
	mock_start "$T/rest.jsonl"
	run_config
	(cd "$KC_SRC" && "$KC" resume "$RUN") >"$T/out" 2>"$T/err" </dev/null
	RC=$?
	[ "$RC" = 0 ] || { show; fail "step $step: resume exit $RC"; }
	[ "$(meta .status)" = completed ] || fail "step $step: status $(meta .status)"
	[ "$(jq -s '[.[].seq] == [range(1; length+1)]' "$RUN/raw/events/trace.jsonl")" = true ] ||
		fail "step $step: trace seq broken"
	for w in one two three; do
		[ "$(grep -c "^$w$" "$T/ws/log.txt" 2>/dev/null)" -le 1 ] || fail "step $step: '$w' ran twice"
	done
	find "$RUN" -name '*.json' | while read -r f; do
		jq . "$f" >/dev/null 2>&1 || fail "step $step: $f is not whole"
	done
done
[ "$RC" = 0 ] || fail "the run never got through"
[ "$crashes" -ge 40 ] || fail "only $crashes boundaries crashed at"
echo "run_crash_sweep: ok ($crashes crash points, each resumed)"
