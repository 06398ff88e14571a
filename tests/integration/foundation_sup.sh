#!/bin/bash
# foundation_sup.sh — the supervisor's process management against the real
# worker binaries (driven by sup_harness): start and PING every worker,
# kill -9 each and see it restarted, a non-idempotent request reported as
# interrupted, a hung worker detected, the crash-loop stop, and SIGTERM /
# SIGKILL of the supervisor leaving no process and no runtime directory.
set -u
H="$KC_BIN/sup_harness"
fails=0
tmp=$(mktemp -d /tmp/kc-found.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/ws"
export KC_WORKSPACE="$tmp/ws" # tools and sandbox need one

check() { # name expected-rc grep-pattern -- command...
	local name=$1 want=$2 pat=$3; shift 4
	local rc
	"$@" >"$tmp/$name.out" 2>&1
	rc=$?
	if [ "$rc" != "$want" ] || ! grep -q -- "$pat" "$tmp/$name.out"; then
		echo "FAIL $name: rc=$rc (want $want), pattern '$pat'"
		sed 's/^/    /' "$tmp/$name.out" | tail -20
		fails=$((fails + 1))
	else
		echo "ok   $name"
	fi
}

check ping_all 0 "pong sandbox" -- "$H" ping-all
for r in llm tools sandbox; do
	check "kill_and_ping_$r" 0 "starts 2" -- "$H" kill-and-ping $r
done
check interrupted 0 "interrupted: TOOLS_EXEC was in flight when kylecode-tools died" -- \
	env KYLECODE_FAILPOINTS="tools:ipc.worker.handle=delay(5000)" "$H" interrupted tools
check hang 0 "event hung sandbox" -- \
	env KYLECODE_HEARTBEAT_MS=200 KYLECODE_HANG_MS=800 \
	KYLECODE_FAILPOINTS="sandbox:ipc.worker.recv=1*off->hang" "$H" hang sandbox
check sigsys_is_policy_violation 0 "seccomp policy forbids" -- "$H" sigsys tools
check crash_loop 0 "kylecode-llm crashed 5 times in 60 s" -- "$H" crash-loop llm
check crash_at_start 1 "kylecode-tools crashed 5 times in 60 s" -- \
	env KYLECODE_FAILPOINTS="tools:ipc.worker.start=crash" "$H" ping-all

# wait_ready FILE: until the harness printed its "ready" line (or 10 s).
wait_ready() {
	local i
	for i in $(seq 200); do
		grep -q '^ready ' "$1" && return 0
		sleep 0.05
	done
	return 1
}

# SIGTERM: orderly stop; afterwards no worker, no zombie, no runtime dir.
"$H" wait >"$tmp/term.out" 2>&1 &
hp=$!
if wait_ready "$tmp/term.out"; then
	read -r _ rundir p1 p2 p3 < <(grep '^ready ' "$tmp/term.out")
	[ -d "$rundir" ] || { echo "FAIL sigterm: runtime dir $rundir missing while running"; fails=$((fails + 1)); }
	[ "$(stat -c %a "$rundir")" = 700 ] || { echo "FAIL sigterm: $rundir is not mode 0700"; fails=$((fails + 1)); }
	kill -TERM $hp
	wait $hp
	rc=$?
	left=""
	for p in $p1 $p2 $p3; do [ -e /proc/$p ] && left="$left $p($(awk '{print $3}' /proc/$p/stat))"; done
	if [ $rc != 0 ] || [ -n "$left" ] || [ -e "$rundir" ]; then
		echo "FAIL sigterm: rc=$rc left:$left rundir exists: $([ -e "$rundir" ] && echo yes || echo no)"
		cat "$tmp/term.out"
		fails=$((fails + 1))
	else
		echo "ok   sigterm"
	fi
else
	echo "FAIL sigterm: harness never became ready"; cat "$tmp/term.out"; fails=$((fails + 1))
	kill -9 $hp 2>/dev/null
fi

# The environment each worker is started with: wrappers in a private
# libexec dump it, then exec the real worker. Only worker-llm gets the API
# key the config names; nobody gets anything else of ours.
mkdir -p "$tmp/libexec"
: >"$tmp/leak-marker"
for r in llm tools sandbox; do
	printf '#!/bin/sh\nenv >"%s/%s.env"\nls -l /proc/$$/fd/ >"%s/%s.fds"\nexec "%s/kylecode-%s" "$@"\n' \
		"$tmp" "$r" "$tmp" "$r" "$KC_BIN" "$r" >"$tmp/libexec/kylecode-$r"
	chmod +x "$tmp/libexec/kylecode-$r"
done
check worker_start_via_wrappers 0 "pong sandbox" -- env KYLECODE_LIBEXEC="$tmp/libexec" \
	MY_API_KEY=sk-test-123 OTHER_SECRET=hunter2 KC_LLM_ENV=MY_API_KEY \
	KC_LEAK_FILE="$tmp/leak-marker" "$H" ping-all
bad=""
grep -qx 'MY_API_KEY=sk-test-123' "$tmp/llm.env" 2>/dev/null || bad="$bad llm-lacks-key"
for r in llm tools sandbox; do # no inherited descriptor of the supervisor
	grep -q leak-marker "$tmp/$r.fds" 2>/dev/null && bad="$bad $r-inherited-fd"
done
for r in llm tools sandbox; do
	[ -f "$tmp/$r.env" ] || { bad="$bad $r-not-started"; continue; }
	[ $r != llm ] && grep -q MY_API_KEY "$tmp/$r.env" && bad="$bad $r-has-key"
	grep -q -e OTHER_SECRET -e KC_LLM_ENV -e KC_WORKSPACE "$tmp/$r.env" && bad="$bad $r-has-ours"
	grep -qx 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' "$tmp/$r.env" ||
		bad="$bad $r-path"
done
[ -z "$bad" ] && echo "ok   worker_environments" ||
	{ echo "FAIL worker_environments:$bad"; fails=$((fails + 1)); }

# SIGKILL of the supervisor: the workers die with it (PR_SET_PDEATHSIG).
"$H" wait >"$tmp/kill.out" 2>&1 &
hp=$!
if wait_ready "$tmp/kill.out"; then
	read -r _ rundir p1 p2 p3 < <(grep '^ready ' "$tmp/kill.out")
	kill -KILL $hp
	wait $hp 2>/dev/null
	gone=0
	for i in $(seq 100); do
		left=""
		for p in $p1 $p2 $p3; do [ -e /proc/$p ] && left="$left $p"; done
		[ -z "$left" ] && { gone=1; break; }
		sleep 0.05
	done
	rm -rf "$rundir"
	if [ $gone = 1 ]; then echo "ok   sigkill"; else echo "FAIL sigkill: workers left:$left"; fails=$((fails + 1)); fi
else
	echo "FAIL sigkill: harness never became ready"; fails=$((fails + 1))
	kill -9 $hp 2>/dev/null
fi

# SIGTERM while the sandbox runs a command: the command (a descendant of a
# worker, inside its jail) is gone too.
marker="98765.$$"
find_marker() {
	local p c
	for p in /proc/[0-9]*; do
		c=$(tr '\0' ' ' 2>/dev/null <"$p/cmdline") || continue
		case "$c" in "sleep $marker"*) echo "${p#/proc/}"; return 0 ;; esac
	done
	return 1
}
"$H" wait-exec "$marker" >"$tmp/exec.out" 2>&1 &
hp=$!
if wait_ready "$tmp/exec.out"; then
	cmdpid=""
	for i in $(seq 200); do cmdpid=$(find_marker) && break; sleep 0.05; done
	if [ -z "$cmdpid" ]; then
		echo "skip sigterm_with_command: the sandbox could not run 'sleep' here"
		kill -TERM $hp; wait $hp
	else
		kill -TERM $hp
		wait $hp
		if [ -e /proc/$cmdpid ] || find_marker >/dev/null; then
			echo "FAIL sigterm_with_command: 'sleep $marker' (pid $cmdpid) survived"
			fails=$((fails + 1))
		else
			echo "ok   sigterm_with_command"
		fi
	fi
else
	echo "FAIL sigterm_with_command: harness never became ready"; fails=$((fails + 1))
	kill -9 $hp 2>/dev/null
fi

echo "$fails failure(s)"
[ $fails = 0 ]
