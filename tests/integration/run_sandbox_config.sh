#!/bin/bash
# The config's workspace.sandbox settings reach every command of a run:
# a memory limit kills a memory-hungry command (the model is told why), a
# timeout, an output cap, env_allow, allow_git_writes; workspace.mirror copies the project
# in at the start and changed files back on success; the process driver
# is warned about on the terminal, in the trace and in run_meta.json, and
# so is a network the sandbox never grants.
. "$(dirname "$0")/mockllm_lib.sh"
. "$(dirname "$0")/run_lib.sh"

jail_ok() { "$KC" doctor 2>/dev/null | grep -qE '^  jail +ok'; }

# 1. memory (jail: the cgroup limit; a tmpfs write is charged to it)
if jail_ok; then
	one_run mem "$(cat <<'YAML'
turns:
  - text: "<TOOL_CALL>\nrun_shell(command=\"exec head -c 400000000 /dev/zero > /tmp/big\")\n</TOOL_CALL>\n"
  - expect: {contains: "memory limit"}
    text: "TASK COMPLETE"
YAML
)" "workspace: {sandbox: {resources: {memory_mb: 48}}}" --driver jail --task-text t -m 3
	expect_rc 0
	grep -q "killed: memory limit reached" "$RUN"/artifacts/tool_results/turn_1/*run_shell*.txt ||
		{ show; cat "$RUN"/artifacts/tool_results/turn_1/*; fail "the model was not told about the memory limit"; }
	# allow_git_writes: .git is read-only inside the jail unless the config says so
	for allow in false true; do
		# turn 1 makes .git; turn 2, a new jail, finds it there and tries to write
		one_run git "$(cat <<'YAML'
turns:
  - text: "<TOOL_CALL>\nrun_shell(command=\"mkdir -p .git\")\n</TOOL_CALL>\n"
  - text: "<TOOL_CALL>\nrun_shell(command=\"echo x > .git/probe && echo wrote-git\")\n</TOOL_CALL>\n"
  - text: "TASK COMPLETE"
YAML
)" "workspace: {sandbox: {allow_git_writes: $allow}}" --driver jail --task-text t -m 4
		expect_rc 0
		if grep -q "^wrote-git" "$RUN"/artifacts/tool_results/turn_2/*run_shell*.txt; then got=true; else got=false; fi
		[ $got = $allow ] || fail "allow_git_writes: $allow, but .git written: $got"
	done
else
	echo "note: jail unavailable here; memory limit and allow_git_writes cases skipped"
fi

# 2. timeout_s, output_bytes, env_allow (process driver: fast, and its warning)
export KC_SBX_VISIBLE=visible-value KC_SBX_HIDDEN=hidden-value
one_run lim "$(cat <<'YAML'
turns:
  - text: "<TOOL_CALL>\nrun_shell(command=\"echo v=$KC_SBX_VISIBLE h=$KC_SBX_HIDDEN; head -c 5000 /dev/zero | tr '\\\\0' x; echo; sleep 30\")\n</TOOL_CALL>\n"
  - expect: {contains: "timed out"}
    text: "TASK COMPLETE"
YAML
)" "workspace: {sandbox: {env_allow: [KC_SBX_VISIBLE], resources: {timeout_s: 1, output_bytes: 1000}}}" --driver process --task-text t -m 3
expect_rc 0
out=$(cat "$RUN"/artifacts/tool_results/turn_1/*run_shell*.txt)
grep -q "v=visible-value h=$" <<<"$out" || fail "env_allow: $out"
grep -q "timed out after 1000 ms" <<<"$out" || fail "timeout_s: $out"
grep -q "output truncated" <<<"$out" || fail "output_bytes: $out"
# the process driver warning, three places
grep -q "WARNING: driver process: no isolation" "$T/err" || { show; fail "no terminal warning"; }
trace_has warning '.message | startswith("driver process: no isolation")' || fail "no warning event"
meta '.warnings[0]' | grep -q "^driver process: no isolation" || fail "no warning in run_meta.json"

# 2b. a network the sandbox cannot give is warned about, never granted
one_run net "$(cat <<'YAML'
turns:
  - text: "TASK COMPLETE"
YAML
)" "workspace: {sandbox: {network: host}}" --task-text t -m 2
expect_rc 0
grep -q "WARNING: workspace.sandbox.network: host is not supported" "$T/err" || { show; fail "no network warning"; }
meta '.warnings | map(select(startswith("workspace.sandbox.network"))) | length' | grep -qx 1 ||
	fail "no network warning in run_meta.json"

# 3. mirror: in at the start, changed files out on success
mkdir -p "$T/proj" && echo "original" >"$T/proj/a.txt"
one_run mir "$(cat <<'YAML'
turns:
  - text: "<TOOL_CALL>\nrun_shell(command=\"cat a.txt; echo changed > a.txt; echo new > b.txt\")\n</TOOL_CALL>\n"
  - expect: {contains: "original"}
    text: "TASK COMPLETE"
YAML
)" "workspace: {mirror: {enabled: true, path: $T/proj}}" --task-text t -m 3
expect_rc 0
[ "$(cat "$T/proj/a.txt")" = changed ] || fail "a.txt not mirrored out: $(cat "$T/proj/a.txt")"
[ "$(cat "$T/proj/b.txt" 2>/dev/null)" = new ] || fail "b.txt not mirrored out"
trace_has mirror '.op == "in" and .copied == 1' || fail "no mirror in event"
trace_has mirror '.op == "out"' || fail "no mirror out event"
echo "run_sandbox_config: ok"
