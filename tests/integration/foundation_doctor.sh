#!/bin/bash
# foundation_doctor.sh — `kylecode doctor`: host features, the sandbox
# worker's driver table, the verdict and exit status, usage errors, and
# an unavailable sandbox worker reported as such.
set -u
K="$KC_BIN/kylecode"
fails=0
out=$(mktemp /tmp/kc-doctor.XXXXXX)
trap 'rm -f "$out"' EXIT

expect() { # name want-rc pattern -- command...
	local name=$1 want=$2 pat=$3; shift 4
	"$@" >"$out" 2>&1
	local rc=$?
	if [ $rc != "$want" ] || ! grep -qE -- "$pat" "$out"; then
		echo "FAIL $name: rc=$rc (want $want), no '$pat' in:"; sed 's/^/    /' "$out" | tail -20
		fails=$((fails + 1))
	else
		echo "ok   $name"
	fi
}

expect help 0 '^usage: kylecode doctor' -- "$K" doctor --help
expect bad_option 2 '^usage: kylecode doctor' -- "$K" doctor --bogus
expect bad_driver 2 "unknown driver 'nosuch'" -- "$K" doctor --driver nosuch
expect host_features 0 '^  (user namespaces|seccomp|cgroup|landlock|runsc|docker) ' -- "$K" doctor --driver process
expect process_driver 0 'kylecode will use: process' -- "$K" doctor --driver process
"$K" doctor >"$out" 2>&1
rc=$?
if grep -q '^  jail     ok' "$out"; then
	[ $rc = 0 ] && grep -q 'kylecode will use: jail' "$out" && echo "ok   default_jail" ||
		{ echo "FAIL default_jail: rc=$rc"; cat "$out"; fails=$((fails + 1)); }
else
	[ $rc = 1 ] && echo "ok   default_jail_unavailable_exits_1" ||
		{ echo "FAIL jail not ok but rc=$rc"; cat "$out"; fails=$((fails + 1)); }
fi
expect sandbox_worker_down 1 '^  sandbox worker: kylecode-sandbox crashed 5 times' -- \
	env KYLECODE_FAILPOINTS="sandbox:ipc.worker.start=crash" "$K" doctor
if "$KC_BIN/kylecode-sandbox" --list-failpoints | grep -q .; then
	expect failpoints 0 '^  sandbox +ipc.worker.recv' -- "$K" doctor --failpoints
fi
echo "$fails failure(s)"
[ $fails = 0 ]
