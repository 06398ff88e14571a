#!/bin/bash
# Every completion signal, the recorded reason, and -m exhaustion (exit 1).
. "$(dirname "$0")/mockllm_lib.sh"
. "$(dirname "$0")/run_lib.sh"

check() { # NAME WANT_RC WANT_REASON WANT_TURNS
	[ "$RC" = "$2" ] || { show; fail "$1: exit $RC, want $2"; }
	[ "$(meta .completion_reason)" = "$3" ] || fail "$1: reason $(meta .completion_reason), want $3"
	[ "$(meta .turns)" = "$4" ] || fail "$1: $(meta .turns) turns, want $4"
	trace_has completion ".reason == \"$3\"" || [ "$3" = max_steps ] || fail "$1: no completion event"
}
ECHO='  - text: "<TOOL_CALL>\nrun_shell(command=\"echo working\")\n</TOOL_CALL>\n"'

one_run sentinel "turns:
$ECHO
  - text: 'All done. TASK COMPLETE'" "" --task-text t -m 5
check sentinel 0 text_sentinel 2

one_run provider "turns:
$ECHO
  - {text: 'I have finished.', finish_reason: stop}" "completion:
  natural_finish: {idle_turn_limit: 0, no_tool_turns_threshold: 0}" --task-text t -m 5
check provider 0 provider_signal 2

one_run idle "turns:
$ECHO
  - text: ''
  - text: ''" "completion:
  provider_signals: false
  natural_finish: {idle_turn_limit: 2, no_tool_turns_threshold: 9}" --task-text t -m 6
check idle 0 natural_finish_idle 3

one_run notools "turns:
  - text: 'thinking'
  - text: 'still thinking'" "completion:
  provider_signals: false
  natural_finish: {idle_turn_limit: 0, no_tool_turns_threshold: 2}" --task-text t -m 6
check notools 0 natural_finish_no_tools 2

one_run toolonly "turns:
  - text: 'TASK COMPLETE (but the sentinel does not count here)'
  - text: \"<TOOL_CALL>\nmark_task_complete()\n</TOOL_CALL>\n\"" "completion:
  primary: tool_finish" --task-text t -m 5
check toolonly 0 tool_finish 2

one_run maxsteps "turns:
$ECHO
$ECHO
$ECHO" "" --task-text t -m 2
check maxsteps 1 max_steps 2
[ "$(meta .status)" = incomplete ] || fail "maxsteps: status $(meta .status)"
[ "$(requests | jq length)" = 2 ] || fail "maxsteps: the model was asked $(requests | jq length) times"

# logging.enabled: false leaves no run directory behind.
one_run nolog "turns:
  - text: 'TASK COMPLETE'" "logging: {enabled: false}" --task-text t -m 2
expect_rc 0
[ -z "$RUN" ] || fail "nolog: a run directory was written: $RUN"
! grep -q "run log:" "$T/out" || fail "nolog: a run log was announced"
ls -d /tmp/kylecode-nolog.* 2>/dev/null | while read -r d; do
	grep -rq "$T/ws" "$d" 2>/dev/null && fail "nolog: $d was not removed"
done

# The command line: --help, usage errors (2), config errors (3).
"$KC" run --help | grep -q -- "--task-text" || fail "run --help"
"$KC" run --bogus 2>/dev/null; [ $? = 2 ] || fail "unknown option must exit 2"
"$KC" run --config "$T/cfg.yaml" 2>/dev/null; [ $? = 2 ] || fail "no task must exit 2"
"$KC" run --task-text x -m 0 2>/dev/null; [ $? = 2 ] || fail "-m 0 must exit 2"
printf 'version: 2\nmodes: 12\n' >"$T/bad.yaml"
(cd "$KC_SRC" && "$KC" run --config "$T/bad.yaml" --task-text x --log-dir "$T/badlogs") 2>"$T/err" >/dev/null
[ $? = 3 ] || fail "a config error must exit 3"
grep -q "bad.yaml:2:" "$T/err" || fail "config error without file:line: $(cat "$T/err")"
echo "run_completion: ok"
