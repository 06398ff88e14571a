#!/bin/bash
# The jail's cgroup CPU quota (issue 7: cgroup cpu limits where the host
# allows): two threads spinning for 1 s of wall time under --cpus 0.2 get
# about 0.2 s of CPU; without the quota they get far more.
set -u
KC=${KC_BIN:?}/kylecode
[ -d /sys/fs/cgroup/cpu ] || [ -f /sys/fs/cgroup/cgroup.controllers ] ||
	{ echo "skip: this host offers no cgroup cpu controller"; exit 77; }
command -v python3 >/dev/null || { echo "skip: no python3"; exit 77; }
T=$(mktemp -d /tmp/kc-cpu.XXXXXX)
trap 'rm -rf "$T"' EXIT
cat >"$T/spin.py" <<'PY'
import os, time, threading
def spin():
    t = time.time()
    while time.time() - t < 1.0:
        pass
th = [threading.Thread(target=spin) for _ in range(2)]
[x.start() for x in th]
[x.join() for x in th]
print("%.3f" % (os.times().user + os.times().system))
PY
limited=$("$KC" exec --workspace "$T" --cpus 0.2 --timeout 30 -- python3 /workspace/spin.py) ||
	{ echo "FAIL: exec --cpus 0.2 failed"; exit 1; }
free=$("$KC" exec --workspace "$T" --timeout 30 -- python3 /workspace/spin.py) ||
	{ echo "FAIL: exec failed"; exit 1; }
echo "cpu seconds in 1 s of wall time: --cpus 0.2: $limited; no quota: $free"
if ! python3 -c "import sys; sys.exit(0 if float('$limited') <= 0.45 else 1)"; then
	echo "FAIL: the quota did not hold ($limited s > 0.45 s)"
	exit 1
fi
if ! python3 -c "import sys; sys.exit(0 if float('$free') > float('$limited') else 1)"; then
	echo "FAIL: without a quota the command got no more CPU ($free s): the test proves nothing"
	exit 1
fi
echo "sandbox_cpu: passed"
