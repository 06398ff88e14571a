#!/bin/bash
# tests/integration/sandbox_cpu_driver.sh DRIVER [RUNTIME]
# The CPU quota (exec --cpus) under the runsc and docker drivers: a fixed
# single-threaded workload, timed inside the sandbox by the wall clock,
# must take several times longer under --cpus 0.2 than without a quota.
# (Wall time of fixed work, not CPU time: gVisor reports its own view of
# a task's CPU time, not the host's throttled one.) The jail's quota has
# its own test, sandbox_cpu.sh, which also checks the CPU time.
set -u
DRIVER=${1:?usage: sandbox_cpu_driver.sh DRIVER [RUNTIME]}
RUNTIME=${2:-}
KC=${KC_BIN:?}/kylecode
SRC=${KC_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
LABEL=$DRIVER${RUNTIME:++$RUNTIME}
skip() { echo "SKIP ($LABEL): $*"; exit 77; }

[[ $(id -u) == 0 ]] || skip "needs root (runsc and docker make cgroups)"
[ -d /sys/fs/cgroup/cpu ] || [ -f /sys/fs/cgroup/cgroup.controllers ] || skip "this host offers no cgroup cpu controller"
case $DRIVER in
runsc) command -v runsc >/dev/null || skip "runsc not installed (apt-get install runsc)" ;;
docker)
	"$SRC/scripts/dockerd.sh" >/dev/null 2>&1 ||
		skip "no Docker engine could be started: $("$SRC/scripts/dockerd.sh" 2>&1 | tail -1)"
	;;
*) echo "unknown driver $DRIVER" >&2; exit 2 ;;
esac
extra=()
[[ -n $RUNTIME ]] && extra=(--runtime "$RUNTIME")

T=$(mktemp -d /tmp/kc-cpu.XXXXXX)
trap 'rm -rf "$T"' EXIT
cat >"$T/work.py" <<'PY'
import time
t = time.time()
n = 0
for i in range(3000000):
    n += i
print("%.3f" % (time.time() - t))
PY
run() { "$KC" exec --driver "$DRIVER" "${extra[@]}" --workspace "$T" --timeout 60 "$@" -- python3 /workspace/work.py; }
limited=$(run --cpus 0.2) || { echo "FAIL ($LABEL): exec --cpus 0.2 failed"; exit 1; }
free=$(run) || { echo "FAIL ($LABEL): exec failed"; exit 1; }
echo "$LABEL: fixed work took ${limited}s under --cpus 0.2, ${free}s without a quota"
# 0.2 of a core makes it about 5x slower; 2.5x leaves room for a loaded host
if ! python3 -c "import sys; sys.exit(0 if float('$limited') >= 2.5 * float('$free') else 1)"; then
	echo "FAIL ($LABEL): the quota did not slow the work down (${limited}s vs ${free}s)"
	exit 1
fi
echo "sandbox_cpu_driver ($LABEL): passed"
