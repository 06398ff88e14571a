#!/bin/bash
# The offline demo (examples/c_task): patch, failing build relayed, fix,
# test passes in the jail, task marked complete; the Logging V2 layout.
. "$(dirname "$0")/mockllm_lib.sh"
. "$(dirname "$0")/run_lib.sh"

mock_start "$KC_SRC/examples/c_task/mock_script.yaml"
run_config
DRIVER=${KC_TEST_DRIVER:-jail}
if [ "$DRIVER" = jail ] && ! "$KC" exec --driver jail -- true >/dev/null 2>&1; then
	echo "note: no jail on this host, running the demo with the process driver"
	DRIVER=process
fi
kc_run --task "$KC_SRC/examples/c_task/task.md" -m 8
expect_rc 0
grep -q "all tests passed" "$T/out" || fail "the test did not pass"
! grep -q $'\033' "$T/out" || fail "colour codes on a non-TTY"
[ -x "$T/ws/test_mathx" ] && [ -f "$T/ws/libmathx.a" ] || fail "nothing was built"
[ "$(meta .completion_reason)" = tool_finish ] || fail "reason $(meta .completion_reason)"
[ "$(meta .status)" = completed ] && [ "$(meta .turns)" = 4 ] || fail "meta: $(cat "$RUN/meta/run_meta.json")"
# The mock saw the compiler error in turn 3 (its expect: would have failed).
requests | jq -e 'length == 4' >/dev/null || fail "requests: $(requests | jq length)"
# Logging V2 layout.
for f in conversation/conversation.md conversation/index.json prompts/compiled_system.md \
	prompts/per_turn/turn_1.md prompts/catalogs/build/catalog_manifest.json \
	raw/requests/turn_1.request.json raw/responses/turn_4.response.json \
	raw/events/trace.jsonl meta/run_meta.json meta/redaction.log \
	artifacts/tool_results/turn_2/001_run_shell.txt artifacts/diffs/turn_1/001_apply_unified_patch.patch \
	artifacts/diffs/turn_3/001_apply_unified_patch.patch; do
	[ -f "$RUN/$f" ] || fail "missing $f"
done
grep -q "implicit declaration" "$RUN/artifacts/tool_results/turn_2/001_run_shell.txt" || fail "turn 2 result"
for h in "## System" "## User" "## Tools Available Prompt" "## Assistant" "## Tool Results (Text-Based Execution)"; do
	grep -qx "$h" "$RUN/conversation/conversation.md" || fail "transcript lacks '$h'"
done
grep -q '(../prompts/compiled_system.md)' "$RUN/conversation/conversation.md" || fail "no artifact link"
jq -e 'length > 10' "$RUN/conversation/index.json" >/dev/null || fail "index.json"
for k in run_start prompt_compile api_call_start api_call_end tool_dispatch tool_result completion run_end; do
	trace_has $k || fail "trace has no $k event"
done
trace_has api_call_end '.latency_ms >= 0 and .prompt_tokens > 0' || fail "api_call_end fields"
trace_has tool_result '.duration_ms >= 0 and .ok == false' || fail "tool_result fields"
# Every trace record is intact and seq runs 1..n.
n=$(wc -l <"$RUN/raw/events/trace.jsonl")
[ "$(jq -s '[.[].seq] == [range(1; length+1)]' "$RUN/raw/events/trace.jsonl")" = true ] || fail "seq gaps"
[ "$n" -gt 20 ] || fail "only $n trace records"
# scripts/demo.sh itself, called by absolute path from / (it must not
# depend on the caller's working directory).
(cd / && KC_BIN="$KC_BIN" "$KC_SRC/scripts/demo.sh" --driver "$DRIVER") >"$T/demo.out" 2>&1 ||
	{ tail -20 "$T/demo.out"; fail "scripts/demo.sh from / failed"; }
grep -q "^== exit code 0" "$T/demo.out" || fail "demo.sh: $(tail -5 "$T/demo.out")"
demo_tmp=$(sed -n 's|^== exit code 0; run log under \(/tmp/kylecode-demo\.[A-Za-z0-9]*\)/logs:$|\1|p' "$T/demo.out")
[ -n "$demo_tmp" ] && rm -rf "$demo_tmp"
echo "run_demo: ok"
