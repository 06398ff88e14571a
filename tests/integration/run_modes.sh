#!/bin/bash
# Modes: with features.plan the first plan_turn_limit turns run in plan
# mode (its own prompt, only its tools: a shell call is refused), then build.
. "$(dirname "$0")/mockllm_lib.sh"
. "$(dirname "$0")/run_lib.sh"

echo "PLAN MODE PROMPT: read, do not change anything." >"$T/plan.md"
cat >"$T/s.yaml" <<'YAML'
turns:
  - expect: {contains: "PLAN MODE PROMPT"}
    text: "Planning.\n<TOOL_CALL>\nrun_shell(command=\"echo planned > p.txt\")\n</TOOL_CALL>\n"
  - expect: {contains: "PLAN MODE PROMPT"}
    text: "<TOOL_CALL>\nlist_dir(path=\".\")\n</TOOL_CALL>\n"
  - text: "<TOOL_CALL>\nrun_shell(command=\"echo built > b.txt\")\n</TOOL_CALL>\n"
  - text: "TASK COMPLETE"
YAML
mock_start "$T/s.yaml"
run_config "" "prompts:
  packs:
    base:
      plan: $T/plan.md
modes:
  - {name: plan, prompt: '@pack(base).plan', tools_enabled: [read_file, list_dir], tools_disabled: [run_shell]}
  - {name: build, prompt: '@pack(base).builder', tools_enabled: ['*']}
loop:
  plan_turn_limit: 2
  sequence:
    - {if: features.plan, then: {mode: plan}}
    - {mode: build}
features: {plan: true}"
kc_run --task-text "plan then build" -m 6
expect_rc 0
for t in 1:plan 2:plan 3:build 4:build; do
	trace_has turn_start ".turn == ${t%%:*} and .mode == \"${t#*:}\"" || fail "turn ${t%%:*} not in ${t#*:} mode"
done
[ ! -f "$T/ws/p.txt" ] || fail "plan mode ran a shell command"
[ "$(cat "$T/ws/b.txt")" = built ] || fail "build mode did not run its command"
requests | jq -r '.[1].body.messages[-1].content' | grep -Eq "disabled|not enabled|unknown" ||
	fail "the refusal was not relayed: $(requests | jq -r '.[1].body.messages[-1].content' | head -5)"
requests | jq -e '.[2].body.messages[0].content | contains("PLAN MODE PROMPT") | not' >/dev/null ||
	fail "build mode still has the plan prompt"
trace_has prompt_compile '.mode == "plan"' && trace_has prompt_compile '.mode == "build"' ||
	fail "per-mode prompt compiles not recorded"
echo "run_modes: ok"
