#!/bin/bash
# SIGINT while the model is streaming: kylecode stops at once (it does not
# wait for the stream), exits 1, leaves a complete run log and no process.
. "$(dirname "$0")/mockllm_lib.sh"
. "$(dirname "$0")/run_lib.sh"

cat >"$T/s.yaml" <<'YAML'
turns:
  - text: "<TOOL_CALL>\nrun_shell(command=\"echo first\")\n</TOOL_CALL>\n"
  - text: "This answer streams very slowly, eight bytes every 200 ms, so that it is still streaming when the user presses Ctrl-C. It would take a minute to finish."
    chunk_bytes: 8
    chunk_delay_ms: 200
  - text: "TASK COMPLETE"
YAML
mock_start "$T/s.yaml"
run_config
rm -rf "$T/logs" "$T/ws"
(cd "$KC_SRC" && exec "$KC" run --config "$T/cfg.yaml" --workspace "$T/ws" --log-dir "$T/logs" \
	--driver "$DRIVER" --task-text "slow" -m 5) >"$T/out" 2>"$T/err" </dev/null &
KPID=$!
# Wait until the second model request is being answered (streaming).
for _ in $(seq 1 200); do
	[ "$(curl -s "$URL/_mock/health" | jq .requests)" = 2 ] && break
	sleep 0.05
done
[ "$(curl -s "$URL/_mock/health" | jq .requests)" = 2 ] || { kill -9 $KPID; fail "never reached turn 2"; }
grep -q "This answer" "$T/out" || sleep 0.5
t0=$(date +%s%N)
kill -INT $KPID
wait $KPID
RC=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
RUN=$(ls -d "$T"/logs/*/ | tail -1); RUN=${RUN%/}
[ "$RC" = 1 ] || { show; fail "exit $RC after SIGINT, want 1"; }
[ "$ms" -lt 5000 ] || fail "took $ms ms to stop (the stream was not abandoned)"
[ "$(meta .status)" = interrupted ] || fail "status $(meta .status)"
trace_has run_end '.status == "interrupted"' || fail "no run_end record"
trace_has api_call_abandoned '.turn == 2' || fail "the abandoned call is not recorded"
[ "$(jq -s '[.[].seq] == [range(1; length+1)]' "$RUN/raw/events/trace.jsonl")" = true ] || fail "trace damaged"
[ -f "$RUN/conversation/conversation.md" ] && jq . "$RUN/meta/checkpoint.json" >/dev/null || fail "log incomplete"
[ "$(jq .turn "$RUN/meta/checkpoint.json")" = 1 ] || fail "checkpoint is not turn 1"
# No worker is left behind.
sleep 0.2
! pgrep -f -- "--workspace $T/ws" >/dev/null || fail "workers still running: $(pgrep -af -- "--workspace $T/ws")"
MS1=$ms

# SIGINT while a command runs: the same, and the command does not survive.
mock_stop
cat >"$T/s2.yaml" <<'YAML'
turns:
  - text: "<TOOL_CALL>\nrun_shell(command=\"echo started > st.txt; sleep 41; echo no > st2.txt\")\n</TOOL_CALL>\n"
  - text: "TASK COMPLETE"
YAML
mock_start "$T/s2.yaml"
run_config
rm -rf "$T/logs" "$T/ws"
(cd "$KC_SRC" && exec "$KC" run --config "$T/cfg.yaml" --workspace "$T/ws" --log-dir "$T/logs" \
	--driver "$DRIVER" --task-text "slow command" -m 5) >"$T/out" 2>"$T/err" </dev/null &
KPID=$!
for _ in $(seq 1 200); do [ -f "$T/ws/st.txt" ] && break; sleep 0.05; done
[ -f "$T/ws/st.txt" ] || { kill -9 $KPID; fail "the command never started"; }
t0=$(date +%s%N)
kill -INT $KPID
wait $KPID
RC=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
RUN=$(ls -d "$T"/logs/*/ | tail -1); RUN=${RUN%/}
[ "$RC" = 1 ] || { show; fail "command: exit $RC after SIGINT, want 1"; }
[ "$ms" -lt 5000 ] || fail "command: took $ms ms to stop"
[ "$(meta .status)" = interrupted ] || fail "command: status $(meta .status)"
trace_has tool_dispatch '.turn == 1' || fail "command: no dispatch record"
trace_has run_end '.status == "interrupted"' || fail "command: no run_end record"
sleep 0.3
! pgrep -f "sleep 41" >/dev/null || fail "the command outlived the run: $(pgrep -af 'sleep 41')"
[ ! -f "$T/ws/st2.txt" ] || fail "the command finished"
echo "run_sigint: ok ($MS1 ms to stop a stream, $ms ms to stop a command)"
