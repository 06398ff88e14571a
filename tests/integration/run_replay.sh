#!/bin/bash
# replay --check: a recorded run re-run from its recorded model answers in
# a fresh workspace gives the same tool results (exit 0, no model called);
# a record that no longer matches fails (exit 1).
. "$(dirname "$0")/mockllm_lib.sh"
. "$(dirname "$0")/run_lib.sh"

mock_start "$KC_SRC/examples/c_task/mock_script.yaml"
run_config
kc_run --task "$KC_SRC/examples/c_task/task.md" -m 8
expect_rc 0
SRC_RUN=$RUN
jq -e '.files == 0' "$SRC_RUN/meta/workspace_start.json" >/dev/null || fail "workspace_start.json"
mock_stop # replay must not need a model

replay() { # DIR WS
	(cd "$KC_SRC" && "$KC" replay "$1" --check --log-dir "$T/replays" --workspace "$2" \
		--driver "$DRIVER") >"$T/out" 2>"$T/err" </dev/null
	RC=$?
	RUN=$(ls -d "$T"/replays/*/ | tail -1); RUN=${RUN%/}
}
replay "$SRC_RUN" "$T/rws1"
expect_rc 0
grep -q "replay --check: 0 difference(s)" "$T/out" || { show; fail "no check summary"; }
! grep -q "started from a workspace of" "$T/out" || fail "a warning about a non-empty start"
[ -x "$T/rws1/test_mathx" ] || fail "the replay did not rebuild the library"
[ "$(meta .replay_of)" = "$SRC_RUN" ] && [ "$(meta .turns)" = 4 ] || fail "replay meta"
trace_has run_end '.check_differences == 0' || fail "run_end lacks the check result"

# Change what the recorded model asked for in turn 2 (and drop the snapshot,
# as in a run recorded before snapshots): the replayed results
# now differ from the recorded ones.
cp -r "$SRC_RUN" "$T/tampered"
jq '.content |= sub("make test"; "make test; echo tampered")' \
	"$SRC_RUN/raw/responses/turn_2.response.json" >"$T/tampered/raw/responses/turn_2.response.json"
jq '.files = 3 | del(.snapshot)' "$SRC_RUN/meta/workspace_start.json" >"$T/tampered/meta/workspace_start.json"
replay "$T/tampered" "$T/rws2"
expect_rc 1
grep -q "started from a workspace of 3 file(s)" "$T/out" || fail "no warning about the start state"
grep -q "result differs from the record" "$T/out" || { show; fail "the difference was not reported"; }

# Not a run directory: a clear error, exit 1; usage errors exit 2.
(cd "$KC_SRC" && "$KC" replay "$T/rws1") >/dev/null 2>"$T/err"; [ $? = 1 ] || fail "bad dir exit"
grep -q "run directory" "$T/err" || fail "bad dir message: $(cat "$T/err")"
(cd "$KC_SRC" && "$KC" replay) >/dev/null 2>&1; [ $? = 2 ] || fail "usage exit"
(cd "$KC_SRC" && "$KC" resume "$SRC_RUN" --check) >/dev/null 2>&1; [ $? = 2 ] || fail "resume --check must be a usage error"
echo "run_replay: ok"
