#!/bin/bash
# Context management: when the conversation leaves less than the compact
# mode's tokens_remaining_pct_lt of the context window, a compact turn
# summarizes the older turns and the newest stay verbatim.
. "$(dirname "$0")/mockllm_lib.sh"
. "$(dirname "$0")/run_lib.sh"

BIG='  - text: "<TOOL_CALL>\nrun_shell(command=\"yes xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx | head -c 3000\")\n</TOOL_CALL>\n"'
cat >"$T/s.yaml" <<YAML
turns:
$BIG
$BIG
$BIG
  - expect: {contains: "Summarize the conversation"}
    text: "Summary: the task printed three long lines of x."
  - expect: {contains: "Summary of the earlier conversation (compacted)"}
    text: "Continuing after the summary. TASK COMPLETE"
YAML
mock_start "$T/s.yaml"
run_config "context_window: 4000"
kc_run --task-text "print x three times" -m 8
expect_rc 0
trace_has compaction '.turn == 4 and .tokens_after < .tokens_before' || { show; fail "no compaction at turn 4"; }
trace_has turn_start '.turn == 4 and .mode == "compact"' || fail "turn 4 was not in compact mode"
requests >"$T/reqs"
# The compact request has no tools and only the compact prompt + the text.
jq -e '.[3].body.messages | length == 2' "$T/reqs" >/dev/null || fail "compact request shape"
# After it the conversation is the system, the summary and the newest turns.
jq -e '(.[4].body.messages | length) < (.[2].body.messages | length) + 2' "$T/reqs" >/dev/null ||
	fail "messages not reduced: $(jq '[.[].body.messages | length]' "$T/reqs")"
jq -e '.[4].body.messages[0].role == "system" and (.[4].body.messages[1].content | startswith("Summary of the earlier"))' \
	"$T/reqs" >/dev/null || fail "summary not placed after the system prompt"
# No tool message lost its assistant call.
jq -e '.[4].body.messages[2].role != "tool"' "$T/reqs" >/dev/null || fail "orphan tool message"
echo "run_compaction: ok"
