#!/bin/bash
# `kylecode run` when things break: a rate limit is retried; a model that
# keeps failing ends the run cleanly (exit 1, complete log); a worker killed
# mid-run is restarted and the run goes on (a command in flight is reported
# to the model as interrupted, never re-run).
D=$(cd "$(dirname "$0")/../integration" && pwd)
. "$D/mockllm_lib.sh"
. "$D/run_lib.sh"

# (a) 429 with Retry-After, then an answer: the same turn succeeds.
one_run retry "turns:
  - {fault: 429, retry_after: 1}
  - text: 'TASK COMPLETE'" "" --task-text t -m 3
expect_rc 0
[ "$(requests | jq length)" = 2 ] || fail "retry: $(requests | jq length) requests"
[ "$(meta .turns)" = 1 ] || fail "retry: the retry became a turn"
trace_has api_retry '.attempt >= 1' || fail "retry: no api_retry record"
grep -q "^(retrying: HTTP 429.*) attempt 2 in" "$T/out" || fail "retry: not shown on the terminal"

# (b) the model fails for good: exit 1, status failed, log complete.
one_run broken "turns:
  - {fault: 500}
  - {fault: 500}
  - {fault: 500}
  - {fault: 500}
  - {fault: 500}
  - {fault: 500}
  - {fault: 500}
  - {fault: 500}" "" --task-text t -m 3
expect_rc 1
[ "$(meta .status)" = failed ] || fail "broken: status $(meta .status)"
trace_has api_call_error || fail "broken: no api_call_error"
trace_has run_end '.status == "failed"' || fail "broken: no run_end"
grep -q "model call failed" "$T/err" || fail "broken: no error message: $(tail -3 "$T/err")"

# (c) the sandbox worker is killed while a command runs; (d) the tools
# worker is killed between turns. Both come back; the run completes.
mock_stop
cat >"$T/w.yaml" <<'YAML'
turns:
  - text: "<TOOL_CALL>\nrun_shell(command=\"echo start > s.txt; sleep 5; echo end >> s.txt\")\n</TOOL_CALL>\n"
  - expect: {contains: "interrupted"}
    text: "<TOOL_CALL>\nrun_shell(command=\"echo after >> s.txt\")\n</TOOL_CALL>\n"
  - text: "TASK COMPLETE"
    delay_ms: 1500
YAML
mock_start "$T/w.yaml"
run_config
rm -rf "$T/logs" "$T/ws"
(cd "$KC_SRC" && exec "$KC" run --config "$T/cfg.yaml" --workspace "$T/ws" --log-dir "$T/logs" \
	--driver "$DRIVER" --task-text "faults" -m 5) >"$T/out" 2>"$T/err" </dev/null &
KPID=$!
wpid() { pgrep -f -- "$1 .*--workspace $T/ws" | head -1; }
for _ in $(seq 1 200); do [ -f "$T/ws/s.txt" ] && break; sleep 0.05; done
[ -f "$T/ws/s.txt" ] || { kill -9 $KPID; fail "the command never started"; }
kill -9 "$(wpid kylecode-sandbox)"
# Turn 3 waits 1.5 s in the mock: kill the tools worker meanwhile.
for _ in $(seq 1 200); do [ "$(curl -s "$URL/_mock/health" | jq .requests)" = 3 ] && break; sleep 0.05; done
kill -9 "$(wpid kylecode-tools)"
wait $KPID
RC=$?
RUN=$(ls -d "$T"/logs/*/ | tail -1); RUN=${RUN%/}
expect_rc 0
! grep -q "^end$" "$T/ws/s.txt" || fail "the killed command finished anyway"
grep -q "^after$" "$T/ws/s.txt" || fail "turn 2 did not run"
trace_has tool_result '.turn == 1 and .ok == false' || fail "the interrupted call is not recorded"
trace_has worker '.worker == "sandbox"' || fail "no sandbox worker event"
trace_has worker '.worker == "tools"' || fail "no tools worker event"

# (e) the run log cannot be made durable (fsync fails with EIO on the 6th
# whole file): the run stops at once with the error and exit 1, and no tool
# call is sent after the failure.
mock_stop
printf 'turns:\n  - text: "<TOOL_CALL>\\nrun_shell(command=\\"echo x >> n.txt\\")\\n</TOOL_CALL>\\n"\n' >"$T/e.yaml"
for _ in 1 2 3 4 5; do sed -n 2p "$T/e.yaml" >>"$T/e.yaml"; done
mock_start "$T/e.yaml"
run_config
rm -rf "$T/logs" "$T/ws"
(cd "$KC_SRC" && KYLECODE_FAILPOINTS="runlog.fsync=5*off->error(EIO)" "$KC" run --config "$T/cfg.yaml" \
	--workspace "$T/ws" --log-dir "$T/logs" --driver "$DRIVER" --task-text eio -m 6) \
	>"$T/out" 2>"$T/err" </dev/null
RC=$?
expect_rc 1
grep -q "Input/output error" "$T/err" || { show; fail "eio: the error is not reported"; }
[ "$(grep -c "Input/output error" "$T/err")" = 1 ] || fail "eio: the error is reported more than once"
[ "$(cat "$T/ws/n.txt" 2>/dev/null | wc -l)" -le 1 ] || fail "eio: tool calls went on after the failure"
echo "run_faults: ok"
