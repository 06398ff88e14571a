#!/bin/bash
# Provider-native tool calls: schemas sent, calls executed, one tool
# message per call id relayed, the provider_native/ artifacts and sections.
. "$(dirname "$0")/mockllm_lib.sh"
. "$(dirname "$0")/run_lib.sh"

cat >"$T/s.yaml" <<'YAML'
turns:
  - text: "Writing two files."
    tool_calls:
      - {id: call_a, name: run_shell, arguments: {command: "echo native > n.txt"}}
      - {id: call_b, name: create_file_from_block, arguments: {file_name: "m.txt", content: "made\n"}}
  - expect: {contains: ["call_a", "call_b"]}
    tool_calls:
      - {id: call_c, name: mark_task_complete, arguments: {}}
YAML
mock_start "$T/s.yaml"
run_config "" 'tools:
  dialects:
    preference:
      by_model:
        "mock/*": {native: true, order: [provider_native, bash_block]}
provider_tools: {use_native: true}'
kc_run --task-text "write n.txt and m.txt" -m 4 --json
expect_rc 0
# --json: every stdout line is one JSON event.
while read -r l; do
	echo "$l" | jq -e '.event | type == "string"' >/dev/null || fail "--json line: $l"
done <"$T/out"
for e in run_start turn_start tool_result turn_end run_end; do
	jq -s -e --arg e "$e" 'map(select(.event == $e)) | length > 0' "$T/out" >/dev/null || fail "--json: no $e"
done
[ "$(meta .native_tools)" = true ] || fail "native tools not selected"
[ "$(meta .completion_reason)" = tool_finish ] || fail "reason $(meta .completion_reason)"
[ "$(cat "$T/ws/n.txt")" = native ] && [ "$(cat "$T/ws/m.txt")" = made ] || { show; fail "files"; }
requests >"$T/reqs"
jq -e '.[0].body.tools | length > 3' "$T/reqs" >/dev/null || fail "no tool schemas sent"
jq -e '[.[1].body.messages[] | select(.role == "tool") | .tool_call_id] | sort == ["call_a", "call_b"]' \
	"$T/reqs" >/dev/null || fail "tool messages: $(jq -c '.[1].body.messages' "$T/reqs" | head -c 800)"
# After the tool messages comes at most the per-turn prompt, never a
# "no tool call was found" nudge.
! jq -r '.[1].body.messages[-1].content' "$T/reqs" | grep -q "No tool call was found" ||
	fail "a nudge after native results"
jq -e '[.[1].body.messages[] | select(.role == "assistant") | .tool_calls // [] | length] | add == 2' \
	"$T/reqs" >/dev/null || fail "assistant tool_calls not relayed"
for f in provider_native/tools_provided/turn_1.json provider_native/tool_calls/turn_1.json \
	provider_native/tool_results/turn_1.json; do
	[ -f "$RUN/$f" ] || fail "missing $f"
done
jq -e 'length == 2 and all(.ok)' "$RUN/provider_native/tool_results/turn_1.json" >/dev/null || fail "results"
for h in "## Tools Provided via Provider API Tool Schema" "## Model Called Provider Schema-Native Tools" \
	"## Provider Schema-Native Tool Call Results"; do
	grep -qx "$h" "$RUN/conversation/conversation.md" || fail "transcript lacks '$h'"
done

# The same through the Anthropic Messages API (tool_use / tool_result).
mock_stop
mock_start "$T/s.yaml"
run_config "" 'tools:
  dialects:
    preference:
      by_model:
        "mock/*": {native: true, order: [provider_native, bash_block]}
provider_tools: {use_native: true}'
sed -i 's/adapter: openai/adapter: anthropic/' "$T/cfg.yaml"
kc_run --task-text "write n.txt and m.txt" -m 4
expect_rc 0
[ "$(cat "$T/ws/n.txt")" = native ] && [ "$(cat "$T/ws/m.txt")" = made ] || { show; fail "anthropic: files"; }
requests >"$T/reqs"
jq -e '.[0].path | endswith("/messages")' "$T/reqs" >/dev/null || fail "anthropic: not the Messages API"
jq -e '[.[1].body.messages[] | .content | arrays | .[] | select(.type == "tool_result") | .tool_use_id] | sort == ["call_a", "call_b"]' \
	"$T/reqs" >/dev/null || fail "anthropic: tool results: $(jq -c '.[1].body.messages' "$T/reqs" | head -c 600)"
echo "run_native: ok"
