#!/bin/bash
# What goes back to the model: a validation failure (corrected next turn),
# a parse error with its line, and a failing command with its exit code.
. "$(dirname "$0")/mockllm_lib.sh"
. "$(dirname "$0")/run_lib.sh"

cat >"$T/s.yaml" <<'YAML'
turns:
  - text: |
      Two commands at once, and a tool that does not exist.
      <TOOL_CALL>
      run_shell(command="echo one")
      run_shell(command="echo two")
      </TOOL_CALL>
  - expect: {contains: "Problems with the tool calls in your last message"}
    text: |
      <TOOL_CALL>
      run_shell(command=
      </TOOL_CALL>
  - expect: {contains: "Problems with the tool calls"}
    text: |
      Corrected.
      <TOOL_CALL>
      run_shell(command="echo corrected > c.txt; echo failing >&2; exit 3")
      </TOOL_CALL>
  - expect: {contains: ["[exit code 3]", "failing"]}
    text: "The command failed as expected. TASK COMPLETE"
YAML
mock_start "$T/s.yaml"
run_config
kc_run --task-text "relay test" -m 6
expect_rc 0
[ "$(cat "$T/ws/c.txt")" = corrected ] || { show; fail "the corrected call did not run"; }
requests >"$T/reqs"
[ "$(jq length "$T/reqs")" = 4 ] || fail "$(jq length "$T/reqs") requests"
# The refused calls never ran: no "one"/"two" output anywhere.
! grep -rq "^two$" "$RUN/artifacts" || fail "the refused call ran"
grep -q "not executed: max_per_turn" "$RUN/artifacts/tool_results/turn_1/002_run_shell.txt" || fail "refusal not recorded"
jq -r '.[1].body.messages[-1].content' "$T/reqs" | grep -Eiq "max_per_turn|at_most_one_of" ||
	fail "violation not named: $(jq -r '.[1].body.messages[-1].content' "$T/reqs" | head -5)"
jq -r '.[2].body.messages[-1].content' "$T/reqs" | grep -q "line" || fail "parse error has no line"
trace_has tool_result '.ok == false and (.output | test("exit code 3"))' || fail "failing command not recorded"
[ "$(meta .tool_failures)" -ge 1 ] || fail "tool_failures"
echo "run_relay: ok"
