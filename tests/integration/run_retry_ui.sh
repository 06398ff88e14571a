#!/bin/bash
# A worker-llm `retry` voids the text already streamed for that request:
# the terminal says "(retrying: reason)" and that the text above is void;
# the recorded assistant text is only the successful attempt's.
. "$(dirname "$0")/mockllm_lib.sh"
. "$(dirname "$0")/run_lib.sh"

cat >"$T/s.yaml" <<'YAML'
turns:
  - text: "VOIDPART-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa VOIDTAIL TASK COMPLETE"
    fault: drop
  - text: "The good answer. TASK COMPLETE"
YAML
mock_start "$T/s.yaml"
run_config "routing: {backoff_base_ms: 10, backoff_max_ms: 20}"
kc_run --task-text "answer" -m 2
expect_rc 0
grep -q "VOIDPART" "$T/out" || { show; fail "the first attempt's text was not streamed (test premise)"; }
grep -qE '^\(retrying: .*\) attempt [0-9]+ in [0-9]+ ms; the [0-9]+ byte\(s\) of answer above are void$' "$T/out" ||
	{ show; fail "no '(retrying: reason)' line"; }
trace_has api_retry || fail "no api_retry record"
grep -q "VOIDPART" "$RUN/raw/responses/turn_1.response.json" "$RUN/conversation/conversation.md" &&
	fail "the void attempt's text was recorded"
jq -e '.content == "The good answer. TASK COMPLETE"' "$RUN/raw/responses/turn_1.response.json" >/dev/null ||
	fail "recorded content: $(jq .content "$RUN/raw/responses/turn_1.response.json")"
grep -q "The good answer" "$RUN/conversation/conversation.md" || fail "transcript lacks the answer"
# JSON mode: the retry event says how much text is void
mock_stop
mock_start "$T/s.yaml"
run_config "routing: {backoff_base_ms: 10, backoff_max_ms: 20}"
kc_run --task-text "answer" -m 2 --json
expect_rc 0
grep '"event":"retry"' "$T/out" | jq -e '.void_chars > 0' >/dev/null ||
	{ show; fail "no retry event with void_chars in --json output"; }
echo "run_retry_ui: ok"
