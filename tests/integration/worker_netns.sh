#!/bin/bash
# The tools and sandbox workers live in network namespaces of their own
# (issue 3): while a command runs, compare each worker's /proc/PID/ns/net
# with this shell's. The LLM worker is the only one on the host network.
set -u
KC=${KC_BIN:?}/kylecode
T=$(mktemp -d /tmp/kc-netns.XXXXXX)
trap 'kill %1 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
mkdir -p "$T/ws"
host_ns=$(readlink /proc/self/ns/net)

# sup_harness (tests/integration/sup_harness.c) starts all three workers
# through supervisor/proc.c and waits until it is signalled.
KC_WORKSPACE="$T/ws" "${KC_BIN}/sup_harness" wait >"$T/h.out" 2>&1 &
HPID=$!
fail=0
check() { # role want(own|host)
	local pid= i ns
	for i in $(seq 1 100); do
		pid=$(pgrep -n -P "$HPID" -f "kylecode-$1 " || true)
		[ -n "$pid" ] && [ -e /proc/$pid/ns/net ] && break
		sleep 0.05
	done
	if [ -z "$pid" ]; then echo "FAIL: kylecode-$1 not found"; fail=1; return; fi
	# a worker unshares right after it starts: give it a moment to get there
	for i in $(seq 1 100); do
		ns=$(readlink /proc/$pid/ns/net)
		{ [ "$2" = own ] && [ "$ns" != "$host_ns" ]; } && break
		sleep 0.05
	done
	ns=$(readlink /proc/$pid/ns/net)
	if [ "$2" = own ] && [ "$ns" = "$host_ns" ]; then
		echo "FAIL: kylecode-$1 (pid $pid) is in the host's network namespace"
		fail=1
	elif [ "$2" = host ] && [ "$ns" != "$host_ns" ]; then
		echo "FAIL: kylecode-$1 (pid $pid) lost the host network it needs"
		fail=1
	else
		echo "ok: kylecode-$1: $2 network namespace"
	fi
}
check sandbox own
check tools own
check llm host
kill -TERM %1 2>/dev/null
wait
[ $fail = 0 ] && echo "worker_netns: passed"
exit $fail
