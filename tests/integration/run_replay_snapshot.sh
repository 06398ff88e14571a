#!/bin/bash
# The start-state snapshot: a run whose workspace starts with files (a
# subdirectory, an executable, a symlink pointing outside the workspace,
# a FIFO) records them under workspace_start/ (the symlink as a symlink,
# never followed; the FIFO skipped and listed); `replay --check` restores
# them into its fresh workspace (modes and modification times too, which
# make compares), gets the same results and ends with the same tree. Over logging.snapshot_max_bytes there is no snapshot and
# replay warns as before; logging.snapshot: false turns it off.
. "$(dirname "$0")/mockllm_lib.sh"
. "$(dirname "$0")/run_lib.sh"

cat >"$T/s.yaml" <<'YAML'
turns:
  - text: |
      Looking at what is there.
      <TOOL_CALL>
      run_shell(command="./tool.sh a b; cat src/data.txt; readlink out_link; ls -l tool.sh | cut -c1-10; ls emptydir | wc -l")
      </TOOL_CALL>
  - expect: {contains: "tool ran a b"}
    text: |
      <TOOL_CALL>
      run_shell(command="echo more >> src/data.txt; cat rel_link; find . ! -type p | sort | tr '\n' ' '")
      </TOOL_CALL>
  - expect: {contains: "more"}
    text: "Done. TASK COMPLETE"
YAML

SECRET="TOPSECRET-$$-outside-the-workspace"
echo "$SECRET" >"$T/secret.txt"
# make_ws DIR: the start state.
make_ws() {
	rm -rf "$1"
	mkdir -p "$1/src/deep" "$1/emptydir"
	echo hello >"$1/src/data.txt"
	printf 'x' >"$1/src/deep/one_byte"
	: >"$1/src/empty"
	printf '#!/bin/sh\necho tool ran "$@"\n' >"$1/tool.sh"
	chmod 755 "$1/tool.sh"
	chmod 640 "$1/src/data.txt"
	ln -s "$T/secret.txt" "$1/out_link"
	ln -s src/data.txt "$1/rel_link"
	mkfifo "$1/fifo"
	# old, distinct mtimes (make compares them): restored to the nanosecond
	touch -d '2020-01-02 03:04:05.123456789' "$1/tool.sh"
	touch -d '2020-01-02 03:04:06.5' "$1/src/deep/one_byte"
	touch -d '2020-01-02 03:04:07' "$1/src/empty"
	touch -h -d '2020-01-02 03:04:08.25' "$1/rel_link"
	touch -d '2020-01-02 03:04:09' "$1/emptydir" "$1/src/deep"
}
# mtimes DIR: the times of the entries the scripted run never changes.
mtimes() {
	(cd "$1" && stat -c '%n %y' tool.sh src/deep/one_byte src/empty rel_link emptydir src/deep)
}
# run_in WS ARGS...: `kylecode run` in WS as it is (kc_run would empty it).
run_in() {
	local ws=$1
	shift
	local logs=${LOGS:-$T/logs}
	rm -rf "$logs"
	(cd "$KC_SRC" && "$KC" run --config "$T/cfg.yaml" --workspace "$ws" --log-dir "$logs" \
		--driver "$DRIVER" --task-text "look around" -m 5 "$@") >"$T/out" 2>"$T/err" </dev/null
	RC=$?
	RUN=$(ls -d "$logs"/*/ 2>/dev/null | tail -1)
	RUN=${RUN%/}
}
replay() { # DIR WS
	rm -rf "$T/replays"
	(cd "$KC_SRC" && "$KC" replay "$1" --check --log-dir "$T/replays" --workspace "$2" \
		--driver "$DRIVER") >"$T/out" 2>"$T/err" </dev/null
	RC=$?
	RUN=$(ls -d "$T"/replays/*/ 2>/dev/null | tail -1)
	RUN=${RUN%/}
}
# tree DIR: every entry but FIFOs (never restored) with its type,
# permission bits, link target and content hash.
tree() {
	(cd "$1" && find . -mindepth 1 ! -type p -printf '%P %y %m %l\n' | sort &&
		find . -type f -exec sha256sum {} + | sort -k2)
}
snap() { jq -r "$1" "$SRC_RUN/meta/workspace_start.json"; }

mock_start "$T/s.yaml"
run_config
make_ws "$T/ws0"
run_in "$T/ws0"
expect_rc 0
SRC_RUN=$RUN
mock_stop

# What was recorded: files with their mode, symlinks as symlinks.
[ "$(snap .snapshot.status)" = complete ] || fail "snapshot status: $(snap .snapshot)"
cmp -s "$SRC_RUN/workspace_start/src/data.txt" <(echo hello) || fail "data.txt not copied"
[ -x "$SRC_RUN/workspace_start/tool.sh" ] || fail "tool.sh lost its x bit in the log"
[ -e "$SRC_RUN/workspace_start/out_link" ] && fail "the symlink was copied as a file"
! grep -rqF "$SECRET" "$SRC_RUN" || fail "the target of a symlink was followed into the log"
[ "$(snap '.snapshot.entries[] | select(.path=="out_link") | .type + " " + .target')" = \
	"symlink $T/secret.txt" ] || fail "out_link entry: $(snap .snapshot.entries)"
[ "$(snap '.snapshot.entries[] | select(.path=="tool.sh") | .mode')" = 493 ] || fail "tool.sh mode"
[ "$(snap '.snapshot.entries[] | select(.path=="emptydir") | .type')" = dir ] || fail "emptydir"
[ "$(snap '.snapshot.skipped[] | select(.path=="fifo") | .why')" = "a FIFO" ] ||
	fail "the FIFO is not listed as skipped: $(snap .snapshot.skipped)"
grep -q -- "-rwxr-xr-x" "$SRC_RUN/artifacts/tool_results/turn_1/001_run_shell.txt" ||
	fail "the run did not see its start state"

# Replay from the snapshot into a new directory: same results, same tree.
replay "$SRC_RUN" "$T/rws"
expect_rc 0
grep -q "replay --check: 0 difference(s)" "$T/out" || { show; fail "no clean check"; }
grep -q "recorded start state (.*) restored" "$T/out" || { show; fail "no restore line"; }
! grep -q "started from a workspace of" "$T/out" || fail "warned although restored"
diff <(tree "$T/ws0") <(tree "$T/rws") || fail "the replayed workspace differs from the original's"
diff <(mtimes "$T/ws0") <(mtimes "$T/rws") || fail "modification times were not restored"
mtimes "$T/rws" | grep -q "^tool.sh 2020-01-02 03:04:05.123456789" || fail "tool.sh mtime: $(mtimes "$T/rws")"
[ "$(readlink "$T/rws/out_link")" = "$T/secret.txt" ] || fail "restored symlink"
[ "$(jq -r .snapshot.status "$RUN/meta/workspace_start.json")" = complete ] ||
	fail "the replay did not snapshot its own start"

# A hostile manifest (the log may have been edited): a path with "..",
# and a file beneath a symlink to a directory outside the workspace. The
# replay stops (exit 1, naming the entry) and writes nothing outside.
hostile() { # JQ_EDIT
	rm -rf "$T/evil" "$T/outside" && mkdir "$T/outside" && cp -r "$SRC_RUN" "$T/evil"
	jq "$1" "$SRC_RUN/meta/workspace_start.json" >"$T/evil/meta/workspace_start.json"
	replay "$T/evil" "$T/rws_evil_$2"
	expect_rc 1
	grep -q "restoring the recorded start state: .*$3" "$T/err" || { show; fail "hostile $2"; }
	[ -z "$(ls -A "$T/outside")" ] && [ ! -e "$T/escaped" ] || fail "hostile $2 wrote outside"
}
hostile '.snapshot.entries += [{"path":"../escaped","type":"file","mode":420}]' dotdot \
	'entry "../escaped": not a plain relative path'
hostile ".snapshot.entries += [{\"path\":\"d\",\"type\":\"symlink\",\"target\":\"$T/outside\"},
	{\"path\":\"d/src\",\"type\":\"dir\",\"mode\":493}]" link 'd/src (dir): Not a directory'

# A replay into a workspace that is not empty uses it as it is.
mkdir -p "$T/busy" && echo mine >"$T/busy/mine.txt"
replay "$SRC_RUN" "$T/busy"
grep -q "not restored: the replay workspace is not empty" "$T/out" || { show; fail "no busy note"; }
[ ! -e "$T/busy/tool.sh" ] || fail "restored into a non-empty workspace"

# Over the cap: no snapshot, and replay warns as for an old run.
mock_start "$T/s.yaml"
run_config "" "logging: {snapshot_max_bytes: 10}"
make_ws "$T/ws1"
run_in "$T/ws1"
expect_rc 0
SRC_RUN=$RUN
mock_stop
[ "$(snap .snapshot.status)" = over_cap ] || fail "over the cap: $(snap .snapshot)"
[ ! -e "$SRC_RUN/workspace_start" ] || fail "files copied although over the cap"
replay "$SRC_RUN" "$T/rws1"
expect_rc 1 # ./tool.sh is not there: the results differ
grep -q "started from a workspace of [0-9]* file(s) (not restored: the recorded workspace was over the snapshot cap" \
	"$T/out" || { show; fail "no over-cap warning"; }

mock_stop

# The entry cap: logging.snapshot_max_files.
mock_start "$T/s.yaml"
run_config "" "logging: {snapshot_max_files: 3}"
make_ws "$T/ws1"
run_in "$T/ws1"
expect_rc 0
SRC_RUN=$RUN
[ "$(snap .snapshot.status)" = over_cap ] || fail "over the file cap: $(snap .snapshot)"
[ ! -e "$SRC_RUN/workspace_start" ] || fail "files copied although over the file cap"
mock_stop

# logging.snapshot: false.
mock_start "$T/s.yaml"
run_config "" "logging: {snapshot: false}"
make_ws "$T/ws2"
run_in "$T/ws2"
expect_rc 0
SRC_RUN=$RUN
[ "$(snap .snapshot.status) $(snap .snapshot.why)" = "disabled logging.snapshot is false" ] ||
	fail "opt-out: $(snap .snapshot)"
[ ! -e "$SRC_RUN/workspace_start" ] || fail "files copied although logging.snapshot is false"
mock_stop

# The log root inside the workspace: the run's own directory is skipped,
# not copied into itself while it grows.
mock_start "$T/s.yaml"
run_config
make_ws "$T/ws3"
LOGS="$T/ws3/logs" run_in "$T/ws3"
expect_rc 0
SRC_RUN=$RUN
[ "$(snap .snapshot.status)" = complete ] || fail "log inside: $(snap .snapshot)"
[ "$(snap ".snapshot.skipped[] | select(.path == \"logs/$(basename "$RUN")\") | .why")" = \
	"this run's own log directory" ] || fail "the run directory was not skipped: $(snap .snapshot.skipped)"
[ ! -e "$SRC_RUN/workspace_start/logs/$(basename "$RUN")" ] || fail "the run copied itself"
echo "run_replay_snapshot: ok"
