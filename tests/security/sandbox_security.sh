#!/usr/bin/env bash
# tests/security/sandbox_security.sh DRIVER [RUNTIME]
#
# The sandbox security suite (issue 7): hostile commands, each asserting
# containment inside the sandbox AND the host's state afterwards, plus
# positive controls. Runs through `kylecode exec` (supervisor + worker, the
# real path; a secret is planted in the supervisor's environment), or
# through the sbx_run test driver when KC_SEC_RUNNER=sbx_run.
#
#   DRIVER   jail | runsc | docker | process
#   RUNTIME  docker only: runc | runsc
# Env: KC_BIN (binaries), KC_SRC; KC_SEC_ONLY=regex to run some cases;
#      KC_SEC_BASELINE=1: the process baseline (expects escapes; exits 0
#      only if at least 15 hostile cases were NOT contained, proving the
#      suite detects escapes).
# Exit: 0 all contained (known gaps of this driver, listed in
# docs/SANDBOX.md, are reported but allowed); 1 a case failed; 77 skip.
set -uo pipefail

DRIVER=${1:?usage: sandbox_security.sh DRIVER [RUNTIME]}
RUNTIME=${2:-}
KC_BIN=${KC_BIN:?KC_BIN not set}
KC_SRC=${KC_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
LABEL=$DRIVER${RUNTIME:++$RUNTIME}

skip() { echo "SKIP ($LABEL): $*"; exit 77; }

# ---------- prerequisites ----------
case $DRIVER in
runsc) command -v runsc >/dev/null || skip "runsc not installed (apt-get install runsc)" ;;
docker)
	"$KC_SRC/scripts/dockerd.sh" >/dev/null 2>&1 || skip "no Docker engine could be started: $("$KC_SRC/scripts/dockerd.sh" 2>&1 | tail -1)"
	;;
jail | process) ;;
*) echo "unknown driver $DRIVER" >&2; exit 2 ;;
esac
[[ $(id -u) == 0 ]] || skip "the suite runs as root (as kylecode does on this host kind)"

# Known gaps (documented in docs/SANDBOX.md, section "Known gaps").
declare -A GAP=() NA=()
case $LABEL in
runsc | docker+runsc) NA[host_uid_nonroot]="gVisor reports its own Sentry's id map; host ids are not the command's" ;;
esac

T=$(mktemp -d /tmp/kc-sec-XXXXXX)
WS=$T/ws
OUT=$T/outside
mkdir -p "$WS/.git/hooks" "$OUT" "$WS/sub"
printf '[core]\n\trepositoryformatversion = 0\n' >"$WS/.git/config"
ln -s "$OUT" "$WS/hostlink"
PW="kc_pwned_$$_$RANDOM" # unique: a leftover of an earlier run cannot confuse this one
SECRET="kc-secret-$RANDOM$RANDOM$RANDOM"
MARK="kc-host-marker-$RANDOM$RANDOM"
touch "/tmp/$MARK" "/$MARK"
exec -a "$MARK" sleep 600 &
MARKER_PID=$!
# A loopback service on the host: it records every connection it accepts.
PORT=$((20000 + RANDOM % 20000))
python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(8)
open(sys.argv[2] + ".ready", "w").close()
while True:
    c, _ = s.accept(); open(sys.argv[2], "a").write("x"); c.close()
' "$PORT" "$T/accepted" &
LISTENER_PID=$!
HOST_HOSTNAME=$(hostname)

cleanup() {
	# Only processes this suite started (the marker name is unique to it).
	local p
	for p in $(pgrep -f "$MARK"); do kill -9 "$p" 2>/dev/null; done
	kill "$MARKER_PID" "$LISTENER_PID" 2>/dev/null
	wait "$MARKER_PID" "$LISTENER_PID" 2>/dev/null
	rm -f "/tmp/$MARK" "/$MARK" /tmp/"$PW".* # scratch files of cases run on the host (process)
	rm -rf "$T"
}
trap cleanup EXIT
for _ in $(seq 100); do [[ -e $T/accepted.ready ]] && break; sleep 0.05; done

# ---------- the runner ----------
RUNNER=${KC_SEC_RUNNER:-kylecode}
if [[ $RUNNER == kylecode && ! -x $KC_BIN/kylecode ]]; then
	echo "note: $KC_BIN/kylecode not built; using the sbx_run test driver"
	RUNNER=sbx_run
fi
# run TIMEOUT_S CMD... -> $T/o, $T/e, $RC. The secret sits in the caller's
# environment (the supervisor's), where no command may see it.
run() {
	local t=$1
	shift
	local -a ropt=()
	[[ -n $RUNTIME ]] && ropt=(--runtime "$RUNTIME")
	if [[ $RUNNER == kylecode && ${DIRECT:-0} == 0 ]]; then
		KC_TEST_SECRET=$SECRET OPENAI_API_KEY=$SECRET \
			"$KC_BIN/kylecode" exec --driver "$DRIVER" "${ropt[@]}" --workspace "$WS" \
			--timeout "$t" -- "$@" >"$T/o" 2>"$T/e" 7<"$0"
	else
		KC_TEST_SECRET=$SECRET OPENAI_API_KEY=$SECRET \
			"$KC_BIN/sbx_run" --driver "$DRIVER" "${ropt[@]}" --workspace "$WS" \
			--timeout "$((t * 1000))" -- "$@" >"$T/o" 2>"$T/e" 7<"$0"
	fi
	RC=$?
}

PASS=0 FAIL=0 GAPS=0 ESCAPED=0
declare -a FAILED=()
result() { # name kind ok detail
	local name=$1 kind=$2 ok=$3 detail=$4
	if [[ $ok == 1 ]]; then
		PASS=$((PASS + 1))
		printf '  ok    %-8s %-28s\n' "$kind" "$name"
	elif [[ -n ${GAP[$name]:-} ]]; then
		GAPS=$((GAPS + 1))
		printf '  GAP   %-8s %-28s %s\n' "$kind" "$name" "${GAP[$name]}"
	else
		FAIL=$((FAIL + 1))
		[[ $kind == hostile ]] && ESCAPED=$((ESCAPED + 1))
		FAILED+=("$name")
		printf '  FAIL  %-8s %-28s %s\n' "$kind" "$name" "$detail"
	fi
}
# Cases that would harm the host if not contained never run under the
# process driver (it has no isolation: a fork bomb there is a real one).
DESTRUCTIVE='^(setuid_gain|fork_bomb|memory_bomb|disk_fill_tmp|disk_fill_workspace|kill_host_process|reboot|swapon|settimeofday|sysrq_trigger|proc_sys_write|hostname_change|mount_tmpfs|mount_bind|write_etc|write_usr_bin|write_root_dir|mknod_device|init_module|kexec_load)$'
want() {
	[[ -z ${KC_SEC_ONLY:-} || $1 =~ $KC_SEC_ONLY ]] || return 1
	if [[ $DRIVER == process && $1 =~ $DESTRUCTIVE ]]; then
		printf '  n/a   %-8s %-28s %s\n' "" "$1" "not run without isolation (would harm the host)"
		return 1
	fi
	if [[ -n ${NA[$1]:-} ]]; then
		printf '  n/a   %-8s %-28s %s\n' "" "$1" "${NA[$1]}"
		return 1
	fi
}

# hostile NAME TIMEOUT INNER [HOSTCHECK]: INNER exits 0 when contained
# (run by /bin/sh inside); HOSTCHECK (bash, on the host) must hold after.
hostile() {
	local name=$1 t=$2 inner=$3 host=${4:-true}
	want "$name" || return 0
	run "$t" /bin/sh -c "$inner"
	local ok=1 why=""
	if [[ $RC != 0 ]]; then ok=0; why="inside: exit $RC: $(head -c 300 "$T/e" | tr '\n' ' ')"; fi
	if ! eval "$host"; then ok=0; why="$why host state: ($host) does not hold"; fi
	result "$name" hostile $ok "$why"
}
# hostile_rc NAME TIMEOUT EXPECTED_RC_REGEX INNER HOSTCHECK
hostile_rc() {
	local name=$1 t=$2 want_rc=$3 inner=$4 host=${5:-true}
	want "$name" || return 0
	local t0=$SECONDS
	run "$t" /bin/sh -c "$inner"
	local ok=1 why=""
	if ! [[ $RC =~ ^($want_rc)$ ]]; then ok=0; why="exit $RC, wanted $want_rc: $(head -c 200 "$T/e" | tr '\n' ' ')"; fi
	if ! eval "$host"; then ok=0; why="$why host state: ($host) does not hold"; fi
	if ((SECONDS - t0 > t + 20)); then ok=0; why="$why took $((SECONDS - t0)) s"; fi
	result "$name" hostile $ok "$why"
}
# control NAME TIMEOUT INNER [HOSTCHECK]: must succeed.
control() {
	local name=$1 t=$2 inner=$3 host=${4:-true}
	want "$name" || return 0
	run "$t" /bin/sh -c "$inner"
	local ok=1 why=""
	if [[ $RC != 0 ]]; then ok=0; why="exit $RC: $(head -c 300 "$T/e" | tr '\n' ' ')"; fi
	if ! eval "$host"; then ok=0; why="$why host state: ($host) does not hold"; fi
	result "$name" control $ok "$why"
}
# A syscall must fail with EPERM or ENOSYS: sys NAME NR ARGS...
SYSPY='import ctypes,sys
l=ctypes.CDLL(None,use_errno=True)
a=[int(x) for x in sys.argv[2:]]
r=l.syscall(int(sys.argv[1]),*a)
e=ctypes.get_errno()
sys.exit(0 if r==-1 and e in (1,38) else 1)'
sys_denied() {
	local name=$1
	shift
	hostile "$name" 20 "python3 -c '$SYSPY' $*"
}

echo "sandbox security suite: driver $LABEL, runner $RUNNER, workspace $WS"

# ---------- filesystem ----------
hostile write_etc 20 "! touch /etc/$PW 2>/dev/null" '[[ ! -e /etc/$PW ]]'
hostile write_usr_bin 20 "! cp /bin/sh /usr/bin/$PW 2>/dev/null" '[[ ! -e /usr/bin/$PW ]]'
hostile write_root_dir 20 "! touch /$PW 2>/dev/null" '[[ ! -e /$PW ]]'
hostile write_outside_ws 20 "touch /workspace/../$PW 2>/dev/null; touch ../$PW 2>/dev/null; true" \
	'[[ ! -e $T/$PW && ! -e /$PW ]]'
hostile symlink_out_of_ws 20 'echo x > hostlink/pwned 2>/dev/null; mkdir -p hostlink 2>/dev/null; true' \
	'[[ -z $(ls -A "$OUT") ]]'
hostile read_shadow 20 '! grep -q "^root:" /etc/shadow 2>/dev/null'
hostile host_root_via_proc 20 "! ls -d /proc/[0-9]*/root/$MARK /proc/[0-9]*/root/tmp/$MARK /$MARK /tmp/$MARK 2>/dev/null | grep -q ."
hostile proc_kcore 20 '[ "$(head -c 16 /proc/kcore 2>/dev/null | wc -c)" -eq 0 ]'
hostile proc_sys_write 20 "! sh -c 'echo 3 > /proc/sys/vm/drop_caches' 2>/dev/null && ! sh -c 'echo kc > /proc/sys/kernel/hostname' 2>/dev/null"
hostile sysrq_trigger 20 "! sh -c 'echo h > /proc/sysrq-trigger' 2>/dev/null"
# A device node must not be creatable, or (gVisor) not reach the host's device.
hostile mknod_device 20 "{ ! mknod /tmp/$PW.mem c 1 1 2>/dev/null || ! head -c 1 /tmp/$PW.mem >/dev/null 2>&1; } && ! mknod kc_mem c 1 1 2>/dev/null" '[[ ! -e $WS/kc_mem ]]'
hostile git_hook_plant 20 "! sh -c 'printf \"#!/bin/sh\\necho pwned\\n\" > .git/hooks/pre-commit' 2>/dev/null" \
	'[[ ! -e $WS/.git/hooks/pre-commit ]]'
hostile git_config_rewrite 20 "! sh -c 'printf \"[core]\\n\\tfsmonitor = /tmp/evil\\n\" >> .git/config' 2>/dev/null" \
	'! grep -q fsmonitor "$WS/.git/config"'

# ---------- identity and privileges ----------
hostile capabilities_none 20 "grep -Eq '^CapEff:[[:space:]]*0+\$' /proc/self/status && grep -Eq '^CapPrm:[[:space:]]*0+\$' /proc/self/status"
# The command's uid, seen through every user namespace up to the host's, is not 0.
hostile host_uid_nonroot 20 "awk -v u=\$(id -u) '\$1 <= u && u < \$1 + \$3 { h = \$2 + u - \$1; f = 1 } END { exit !(f && h != 0) }' /proc/self/uid_map"
hostile mount_tmpfs 20 '! mount -t tmpfs kc /tmp 2>/dev/null && ! mount -t tmpfs kc /workspace 2>/dev/null'
hostile mount_bind 20 '! mount --bind /workspace /usr 2>/dev/null'
hostile unshare_user 20 '! unshare -U true 2>/dev/null'
hostile unshare_user_root 20 '! unshare -Ur true 2>/dev/null'
hostile unshare_mount 20 '! unshare -m true 2>/dev/null'
hostile unshare_net 20 '! unshare -n true 2>/dev/null'
hostile chroot 20 '! chroot / /bin/true 2>/dev/null'
hostile setuid_gain 20 "cp /usr/bin/id /tmp/$PW.id 2>/dev/null; chmod u+s /tmp/$PW.id 2>/dev/null; [ \"\$(/tmp/$PW.id -u 2>/dev/null || id -u)\" = \"\$(id -u)\" ]"
sys_denied ptrace 101 0 0 0 0
sys_denied process_vm_readv 310 1 0 0 0 0 0
sys_denied bpf 321 0 0 0
sys_denied keyctl 250 0 0 0 0 0
sys_denied add_key 248 0 0 0 0 0
sys_denied io_uring_setup 425 1 0
sys_denied perf_event_open 298 0 0 -1 -1 0
sys_denied userfaultfd 323 0
sys_denied init_module 175 0 0 0
sys_denied kexec_load 246 0 0 0 0
sys_denied open_by_handle_at 304 0 0 0
sys_denied setns 308 0 0
sys_denied settimeofday 164 0 0
sys_denied swapon 167 0 0
sys_denied reboot 169 0 0 0 0
# 32-bit entry points (ia32 int 0x80, x32 numbers) must not reach the kernel:
# the call fails (the program exits 0) or the process is killed (SIGSYS).
ARCH_C='#include <unistd.h>
int main(int c, char **v) { long r, nr = 20;
 if (v[1][0] == 0x78) r = syscall(0x40000000L | 39);
 else __asm__ volatile("int $0x80" : "=a"(r) : "a"(nr) : "memory");
 return r > 0; }'
hostile ia32_syscall 60 "printf '%s\n' '$ARCH_C' > /tmp/$PW.a.c && cc -o /tmp/$PW.a /tmp/$PW.a.c && { /tmp/$PW.a i; r=\$?; [ \$r = 0 ] || [ \$r -ge 128 ]; }"
hostile x32_syscall 60 "printf '%s\n' '$ARCH_C' > /tmp/$PW.a.c && cc -o /tmp/$PW.a /tmp/$PW.a.c && { /tmp/$PW.a x; r=\$?; [ \$r = 0 ] || [ \$r -ge 128 ]; }"
hostile tiocsti_injection 20 "python3 -c '
import os, fcntl, termios, sys
try:
    m, s = os.openpty()
    fcntl.ioctl(s, termios.TIOCSTI, b\"x\")
except OSError:
    sys.exit(0)
sys.exit(1)'"
hostile tioclinux 20 "python3 -c '
import os, fcntl, sys
try:
    m, s = os.openpty()
    fcntl.ioctl(s, 0x541C, bytes([6]))
except OSError:
    sys.exit(0)
sys.exit(1)'"

# ---------- processes, host, network ----------
# (the pattern is written so that this script's own text does not match it)
hostile host_processes_hidden 20 "! grep -qs '${MARK:0:5}[${MARK:5:1}]${MARK:6}' /proc/[0-9]*/cmdline"
hostile kill_host_process 20 "kill -9 $MARKER_PID 2>/dev/null; true" 'kill -0 $MARKER_PID'
hostile hostname_change 20 '! hostname kc-evil 2>/dev/null' '[[ $(hostname) == "$HOST_HOSTNAME" ]]'
hostile host_loopback_service 20 "! python3 -c 'import socket; socket.create_connection((\"127.0.0.1\", $PORT), timeout=3)' 2>/dev/null" \
	'[[ ! -s $T/accepted ]]'
hostile host_interfaces 20 "[ \$(tail -n +3 /proc/net/dev | grep -vc ' lo:') -eq 0 ]"
hostile env_secret 20 "! { env; cat /proc/[0-9]*/environ; } 2>/dev/null | tr '\\0' '\\n' | grep -q '$SECRET'"
hostile proc1_environ 20 "! tr '\\0' '\\n' < /proc/1/environ 2>/dev/null | grep -Eq '$SECRET|^KYLECODE|^NNG|API_KEY'"
# (/usr and /proc pruned: read-only system files, and slow to walk under gVisor)
hostile supervisor_sockets 60 "[ -z \"\$(find / \\( -path /proc -o -path /usr -o -path /sys \\) -prune -o -type s -print 2>/dev/null | head -1)\" ] && ! ls -d /run/user/*/kylecode* /tmp/kylecode* /tmp/kc-run* 2>/dev/null | grep -q ."
hostile inherited_fds 20 '[ "$(ls /proc/self/fd | wc -l)" -le 4 ]'
hostile_rc fake_ipc_frame 20 0 "printf 'KCCP\\001\\000\\002\\000\\000\\000\\000\\000\\020\\000\\000\\000{\"code\":\"x\"}'" \
	'grep -q KCCP "$T/o"'

# ---------- resources ----------
# (the marker in a comment is in every bomb process's command line)
hostile_rc fork_bomb 20 '0|1|2|124|137|139' "b(){ b|b& }; b; sleep 3; exit 0 # ${MARK}b" \
	"sleep 0.5; ! pgrep -f '${MARK}b' >/dev/null"
hostile_rc memory_bomb 60 '1|137|139|134' "python3 -c '
x = []
while True:
    x.append(bytearray(64 << 20))'"
hostile_rc disk_fill_tmp 60 '1' "dd if=/dev/zero of=/tmp/$PW.fill bs=1M count=4096 2>/dev/null"
hostile_rc disk_fill_workspace 120 '1|137|153' 'dd if=/dev/zero of=fill bs=1M count=1100 2>/dev/null' \
	'(( $(stat -c %s "$WS/fill" 2>/dev/null || echo 0) <= 1073741824 )) && rm -f "$WS/fill"'
hostile_rc output_flood 3 '124' 'yes kc-flood' \
	'(( $(stat -c %s "$T/o") <= 1048576 + 4096 ))'
hostile_rc cpu_spin 2 '124' 'while :; do :; done'
# (dash has no exec -a: the marker is the inner shell's $0, in its cmdline)
# These two run through the engine directly (sbx_run): `kylecode exec`'s
# supervisor reaps every descendant when it stops, which would hide a
# sandbox that leaves processes behind in a long session.
DIRECT=1 hostile daemon_left_behind 20 "setsid sh -c 'sleep 300; true' ${MARK}d </dev/null >/dev/null 2>&1 & nohup sh -c 'sleep 300; true' ${MARK}n </dev/null >/dev/null 2>&1 & sleep 0.2; pgrep -f '${MARK}[d]' >/dev/null" \
	"sleep 0.5; ! pgrep -f '${MARK}[dn]' >/dev/null"
DIRECT=1 hostile_rc timeout_kills_tree 2 '124' "sh -c 'sleep 300; true' ${MARK}t & sleep 300" \
	"! pgrep -f '${MARK}t' >/dev/null"

# ---------- positive controls ----------
control ctl_gcc 60 "printf '#include <stdio.h>\\nint main(void){puts(\"built\");return 0;}\\n' > /tmp/$PW.c.c && cc -O0 /tmp/$PW.c.c -o /tmp/$PW.c && /tmp/$PW.c | grep -q built"
control ctl_python3 20 "python3 -c 'import json,sys; print(json.dumps({\"ok\":1}))' | grep -q ok"
control ctl_write_visible 20 'echo kc-content > sub/made_inside.txt' '[[ $(cat "$WS/sub/made_inside.txt") == kc-content ]]'
control ctl_threads 20 "python3 -c 'import threading; t = threading.Thread(target=print); t.start(); t.join()'"
control ctl_tmp_writable 20 "echo x > /tmp/$PW.x && [ \"\$(cat /tmp/$PW.x)\" = x ]"
control ctl_cwd_is_workspace 20 '[ "$(pwd)" = /workspace ]'
control ctl_stdin_devnull 20 '[ -z "$(cat)" ]'
control ctl_loopback_inside 20 "python3 -c 'import socket; s=socket.socket(); s.bind((\"127.0.0.1\",0)); s.listen(1); socket.create_connection(s.getsockname()).close()'"
control ctl_git_readable 20 'cat .git/config >/dev/null'
if want ctl_exit_status; then run 20 /bin/sh -c 'exit 42'; result ctl_exit_status control $([[ $RC == 42 ]] && echo 1 || echo 0) "exit $RC"; fi
if want ctl_not_found_127; then run 20 kc-no-such-command; result ctl_not_found_127 control $([[ $RC == 127 ]] && echo 1 || echo 0) "exit $RC"; fi
if want ctl_not_exec_126; then
	printf 'echo hi\n' >"$WS/notexec.sh" && chmod 644 "$WS/notexec.sh"
	run 20 /workspace/notexec.sh
	result ctl_not_exec_126 control $([[ $RC == 126 ]] && echo 1 || echo 0) "exit $RC"
fi

echo "driver $LABEL: $PASS passed, $FAIL failed ($ESCAPED hostile not contained), $GAPS known gaps"
if [[ ${KC_SEC_BASELINE:-0} == 1 ]]; then
	# The baseline proves the suite can see escapes: an unisolated driver
	# must fail many hostile cases.
	((ESCAPED >= 15)) && exit 0
	echo "baseline: only $ESCAPED hostile cases escaped under $LABEL; the suite is not detecting escapes"
	exit 1
fi
((FAIL == 0)) || { echo "failed: ${FAILED[*]}"; exit 1; }
exit 0
