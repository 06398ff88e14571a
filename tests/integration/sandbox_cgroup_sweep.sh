#!/bin/bash
# At start the sandbox worker removes the per-command cgroups that dead
# workers left (kc-<pid>-<n>, pid gone), but only ones older than any
# jail's setup: a worker in another pid namespace sees every pid as gone,
# and must not remove a cgroup a live worker has just made (this raced the
# jail security suite against the pid-namespaced process baseline in CI).
set -u
KC=${KC_BIN:?}/kylecode
skip() { echo "SKIP: $*"; exit 77; }
[[ $(id -u) == 0 ]] || skip "needs root (cgroups)"
[ -d /sys/fs/cgroup/pids ] || skip "no cgroup v1 pids hierarchy here (the sweep of v2 is the same code)"
rel=$(awk -F: '$2 == "pids" {print $3}' /proc/self/cgroup)
BASE=/sys/fs/cgroup/pids${rel%/}/kylecode
mkdir -p "$BASE" 2>/dev/null || skip "cannot make $BASE"
dead=$(( $(cat /proc/sys/kernel/pid_max) - 7 ))
kill -0 "$dead" 2>/dev/null && skip "pid $dead is alive"
OLD=$BASE/kc-$dead-1
YOUNG=$BASE/kc-$dead-2
trap 'rmdir "$OLD" "$YOUNG" 2>/dev/null' EXIT
mkdir "$OLD" "$YOUNG" || skip "cannot make cgroups under $BASE"
touch -d '10 minutes ago' "$OLD" || skip "cgroupfs does not take a time here"
T=$(mktemp -d /tmp/kc-sweep.XXXXXX)
"$KC" exec --workspace "$T" -- true || { rm -rf "$T"; echo "FAIL: exec failed"; exit 1; }
rm -rf "$T"
[ -d "$OLD" ] && { echo "FAIL: a dead worker's old cgroup was not swept"; exit 1; }
[ -d "$YOUNG" ] || { echo "FAIL: a cgroup made moments ago was swept (a live worker's, in another pid namespace)"; exit 1; }
echo "sandbox_cgroup_sweep: ok"
