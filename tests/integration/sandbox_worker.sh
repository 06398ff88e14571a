#!/usr/bin/env bash
# kylecode-sandbox over IPC: SBX_DOCTOR, SBX_PROBE (every escape contained,
# every control working, in the jail), SBX_MIRROR, SBX_EXEC options, and
# malformed bodies answered with errors (the worker survives them).
set -uo pipefail
C=${KC_BIN:?}/sandbox_ipc
[[ -x $C && -x $KC_BIN/kylecode-sandbox ]] || { echo "SKIP: sandbox_ipc or kylecode-sandbox not built"; exit 77; }
[[ $(id -u) == 0 ]] || { echo "SKIP: needs root"; exit 77; }
T=$(mktemp -d /tmp/kc-sbx-it-XXXXXX)
trap 'rm -rf "$T"' EXIT
WS=$T/ws
HOST=$T/host
mkdir -p "$WS/.git" "$HOST/src"
echo 'int x;' >"$HOST/src/x.c"
fail=0
check() {
	local name=$1
	shift
	if "$@"; then echo "ok   $name"; else echo "FAIL $name"; fail=1; fi
}
call() { "$C" --workspace "$WS" "$@" >"$T/r" 2>"$T/e"; echo $? >"$T/rc"; }
jq_() { python3 -c "import json,sys; d=json.load(open('$T/r')); print($1)"; }

call doctor '{}'
check doctor_replies [ "$(cat "$T/rc")" = 0 ]
check doctor_jail_ok [ "$(jq_ 'd["drivers"]["jail"]["ok"]')" = True ]
check doctor_process_warns bash -c "grep -q 'NO isolation' '$T/r'"
check doctor_landlock [ "$(jq_ 'd["features"]["landlock_abi"] >= 1')" = True ]

if [[ -d /sys/fs/cgroup/pids ]] || grep -qs pids /sys/fs/cgroup/cgroup.controllers; then
	check doctor_cgroup_limits [ "$(jq_ 'd["features"]["cgroup_limits"]')" = True ]
	# The command's pids limit is a real cgroup limit while it runs.
	"$C" --workspace "$WS" exec '{"argv":["sleep","2"],"limits":{"pids":37}}' >/dev/null 2>&1 &
	found=0
	for _ in $(seq 40); do
		if grep -qsx 37 /sys/fs/cgroup/pids/kylecode/kc-*/pids.max /sys/fs/cgroup/kylecode/kc-*/pids.max \
			/sys/fs/cgroup/*/kylecode/kc-*/pids.max; then
			found=1
			break
		fi
		sleep 0.1
	done
	wait
	check pids_cgroup_in_force [ $found = 1 ]
fi

call probe '{"driver":"jail"}'
check probe_replies [ "$(cat "$T/rc")" = 0 ]
check probe_has_table [ "$(jq_ 'len(d["results"]) >= 20')" = True ]
check probe_all_pass [ "$(jq_ 'all(r["passed"] for r in d["results"])')" = True ]
[[ $fail == 0 ]] || jq_ '[r for r in d["results"] if not r["passed"]]'

call exec '{"argv":["sh","-c","echo hi > .git/x"],"driver_opts":{"git_writable":true}}'
check git_writable_on_request [ -e "$WS/.git/x" ]
call exec '{"argv":["sh","-c","echo hi > .git/y"]}'
check git_readonly_by_default [ ! -e "$WS/.git/y" ]
call exec '{"argv":["sh","-c","pwd; echo $LANG"],"cwd":"sub","env":{"LANG":"C"}}'
check exec_bad_cwd_fails_setup [ "$(jq_ 'd["exit_code"]')" = 125 ]
mkdir -p "$WS/sub"
call exec '{"argv":["sh","-c","pwd; echo $LANG; echo $OPENAI_API_KEY"],"cwd":"sub","env":{"LANG":"C","OPENAI_API_KEY":"k"}}'
check exec_cwd_and_env [ "$(jq_ 'd["stdout"]')" = "$(printf '/workspace/sub\nC\n')" ]
check exec_streams_events grep -q '"kind":"output"' "$T/e"
call exec '{"argv":["sh","-c","printf \"a\\000b\\377\""]}'
check exec_binary_output_is_text [ "$(jq_ 'd["stdout"] == "a\ufffdb\ufffd"')" = True ]

# Several commands at once in one worker (parallel nonblocking tools): each
# its own jail; every reply arrives and none sees another's processes.
"$C" --workspace "$WS" --parallel 6 exec '{"argv":["sh","-c","echo $$ > /tmp/me; sleep 0.3; ls /proc | grep -c \"^[0-9]\""]}' >"$T/par" 2>"$T/e"
check parallel_all_answered [ "$(grep -c '"exit_code":0' "$T/par")" = 6 ]
check parallel_isolated [ "$(python3 -c "import json; print(max(int(json.loads(l)['stdout']) for l in open('$T/par')))")" -le 4 ]

call exec '{"argv":[]}'
check empty_argv_bad_request [ "$(cat "$T/rc")" = 3 ] && grep -q bad_request "$T/r"
call exec '{"argv":"sh"}'
check argv_not_array_bad_request [ "$(cat "$T/rc")" = 3 ]
call exec '{"argv":["true"],"env":{"A":1}}'
check env_not_strings_bad_request [ "$(cat "$T/rc")" = 3 ]
call probe '{"driver":"process"}'
check probe_process_refused [ "$(cat "$T/rc")" = 3 ] && grep -q unsupported "$T/r"
call probe '{"driver":"chroot"}'
check probe_unknown_driver_bad_request [ "$(cat "$T/rc")" = 3 ]
call mirror '{"op":"sideways","host_path":"/tmp"}'
check mirror_bad_op [ "$(cat "$T/rc")" = 3 ]

call mirror "{\"op\":\"in\",\"host_path\":\"$HOST\"}"
check mirror_in [ -e "$WS/src/x.c" ]
echo 'int y;' >"$WS/src/x.c"
call mirror "{\"op\":\"out\",\"host_path\":\"$HOST\",\"paths\":[\"ws/src/x.c\"]}"
check mirror_out_normalized [ "$(cat "$HOST/src/x.c")" = 'int y;' ]
check mirror_no_duplicate_segment [ ! -e "$HOST/ws" ]
exit $fail
