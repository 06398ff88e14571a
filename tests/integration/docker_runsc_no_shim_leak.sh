#!/bin/bash
# docker with the gVisor runtime: a command that cannot start (not found,
# not executable) must give 127/126 like a shell and leave nothing behind.
# Docker 20.10 + Debian's runsc leave the container's containerd shim
# running for good when the start fails, so the driver checks the program
# first (sbx_prog_precheck); this test looks for any shim whose task still
# mounts this test's workspace.
set -u
KC=${KC_BIN:?}/kylecode
SRC=${KC_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
skip() { echo "SKIP: $*"; exit 77; }
[[ $(id -u) == 0 ]] || skip "needs root"
command -v runsc >/dev/null || skip "runsc not installed (apt-get install runsc)"
"$SRC/scripts/dockerd.sh" >/dev/null 2>&1 || skip "no Docker engine could be started"

T=$(mktemp -d /tmp/kc-shim.XXXXXX)
trap 'rm -rf "$T"' EXIT
printf 'echo hi\n' >"$T/notexec.sh"
chmod 644 "$T/notexec.sh"
fail() { echo "FAIL: $*"; exit 1; }
run() { "$KC" exec --driver docker --runtime runsc --workspace "$T" --timeout 60 -- "$@" 2>"$T/err"; }

run /workspace/notexec.sh; rc=$?
[[ $rc == 126 ]] || fail "not executable: exit $rc, want 126 ($(cat "$T/err"))"
grep -q "Permission denied" "$T/err" || fail "no shell-like message: $(cat "$T/err")"
run kc-no-such-command-$$; rc=$?
[[ $rc == 127 ]] || fail "not found: exit $rc, want 127 ($(cat "$T/err"))"
grep -q "command not found" "$T/err" || fail "no shell-like message: $(cat "$T/err")"
out=$(run sh -c 'echo started') || fail "a normal command failed"
[[ $out == started ]] || fail "normal command output: $out"

sleep 1
for pid in $(pgrep -f containerd-shim-runc-v2); do
	dir=$(readlink "/proc/$pid/cwd" 2>/dev/null) || continue
	if grep -qs "$T" "$dir/config.json"; then
		fail "containerd shim $pid still runs for a container of this test ($dir)"
	fi
done
echo "docker_runsc_no_shim_leak: ok"
