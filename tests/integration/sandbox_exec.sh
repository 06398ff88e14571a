#!/usr/bin/env bash
# `kylecode exec` end to end (supervisor -> kylecode-sandbox -> jail):
# DESIGN §7 exit codes, live streaming, the output cap report, usage errors,
# and properties of the jail a user relies on (files land in the workspace
# owned by its owner, nothing of the caller's environment inside).
set -uo pipefail
KC=${KC_BIN:?}/kylecode
[[ -x $KC ]] || { echo "SKIP: $KC not built"; exit 77; }
[[ $(id -u) == 0 ]] || { echo "SKIP: needs root (the jail maps host ids)"; exit 77; }
T=$(mktemp -d /tmp/kc-exec-it-XXXXXX)
trap 'rm -rf "$T"' EXIT
WS=$T/ws
mkdir -p "$WS"
fail=0
check() { # name condition...
	local name=$1
	shift
	if "$@"; then echo "ok   $name"; else echo "FAIL $name"; fail=1; fi
}
ex() { "$KC" exec --workspace "$WS" "$@" >"$T/o" 2>"$T/e"; echo $? >"$T/rc"; }
rc() { cat "$T/rc"; }

ex -- sh -c 'echo out; echo err >&2; exit 7'
check status_passed_through [ "$(rc)" = 7 ]
check stdout_streamed grep -qx out "$T/o"
check stderr_streamed grep -qx err "$T/e"

ex --timeout 1 -- sh -c 'sleep 30'
check timeout_is_124 [ "$(rc)" = 124 ]
check timeout_says_so grep -q "timed out" "$T/e"

ex -- kc-no-such-program
check not_found_is_127 [ "$(rc)" = 127 ]
printf 'echo x\n' >"$WS/noexec.sh"
ex -- /workspace/noexec.sh
check not_executable_is_126 [ "$(rc)" = 126 ]

"$KC" exec --workspace "$T/missing" -- true >"$T/o" 2>"$T/e"
check bad_workspace_is_125 [ $? = 125 ]
check bad_workspace_named grep -q "$T/missing" "$T/e"
"$KC" exec --bogus -- true >"$T/o" 2>"$T/e"
check unknown_option_is_2 [ $? = 2 ]
check usage_line_printed grep -q "usage: kylecode exec" "$T/e"
"$KC" exec --driver nope -- true 2>/dev/null
check unknown_driver_is_2 [ $? = 2 ]
"$KC" exec --workspace "$WS" 2>/dev/null
check missing_command_is_2 [ $? = 2 ]
"$KC" exec --help >"$T/o"
check help_exits_0 [ $? = 0 ]
check help_documents_exit_codes grep -q 124 "$T/o"

ex -- sh -c 'head -c 2000000 /dev/zero | tr "\0" y'
check flood_ok [ "$(rc)" = 0 ]
check flood_capped [ "$(stat -c %s "$T/o")" -le 1048576 ]
check flood_reported grep -q "dropped" "$T/e"

ex -- sh -c 'echo made > made.txt; mkdir -p d/e; echo x > d/e/f'
check file_in_workspace [ "$(cat "$WS/made.txt")" = made ]
check owned_by_workspace_owner [ "$(stat -c %u "$WS/d/e/f")" = "$(stat -c %u "$WS")" ]

KC_IT_SECRET=kc-it-secret-42 ex -- sh -c 'cat /proc/1/environ /proc/1/cmdline 2>/dev/null | tr "\0" "\n"; env'
check no_caller_env_inside bash -c "! grep -q kc-it-secret-42 '$T/o'"

# several at once: each its own jail, none sees the others
for i in 1 2 3; do "$KC" exec --workspace "$WS" -- sh -c "echo $i > par_$i; ls /proc | grep -c '^[0-9]'" >"$T/p$i" & done
wait
check parallel_runs [ -e "$WS/par_1" ] && [ -e "$WS/par_2" ] && [ -e "$WS/par_3" ]
check parallel_isolated [ "$(cat "$T/p1")" -le 4 ]
exit $fail
