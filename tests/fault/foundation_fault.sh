#!/bin/bash
# foundation_fault.sh — failpoints in the IPC and worker loops, through the
# real binaries: a lost request or reply ends in a deadline, not a hang; a
# worker crashing while serving is reported (non-idempotent) or retried a
# bounded number of times (idempotent); a failed send is an error; and
# every worker lists the failpoints compiled into it.
set -u
H="$KC_BIN/sup_harness"
fails=0
tmp=$(mktemp -d /tmp/kc-fault.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/ws"
export KC_WORKSPACE="$tmp/ws"
export KYLECODE_HEARTBEAT_MS=60000 # no heartbeat PING consumes a failpoint hit

if ! "$KC_BIN/kylecode-tools" --list-failpoints | grep -q '^ipc.worker.recv$'; then
	echo "SKIP: failpoints are not compiled in (configure with -DKC_FAILPOINTS=ON)"
	exit 77
fi

check() { # name pattern... -- command...
	local name=$1; shift
	local pats=()
	while [ "$1" != -- ]; do pats+=("$1"); shift; done
	shift
	"$@" >"$tmp/$name.out" 2>&1
	for p in "${pats[@]}"; do
		if ! grep -qE -- "$p" "$tmp/$name.out"; then
			echo "FAIL $name: no '$p' in:"
			sed 's/^/    /' "$tmp/$name.out" | tail -15
			fails=$((fails + 1))
			return
		fi
	done
	echo "ok   $name"
}

for r in llm tools sandbox; do
	check "list_$r" '^ipc.worker.recv$' '^ipc.worker.reply$' '^ipc.worker.handle$' -- \
		"$KC_BIN/kylecode-$r" --list-failpoints
done

# The 2nd request's reply is dropped (1st is the start-up PING): timeout.
check reply_lost '^rc -2 after (1[0-9]{3}|[0-9]{4}) ms err .*deadline' '^alive ' -- \
	env KYLECODE_FAILPOINTS="tools:ipc.worker.reply=1*off->1*error->off" \
	"$H" call tools TOOLS_PARSE 1 1000
check request_lost '^rc -2 .*deadline' '^alive ' -- \
	env KYLECODE_FAILPOINTS="sandbox:ipc.worker.recv=1*off->1*error->off" \
	"$H" call sandbox SBX_DOCTOR 1 1000
check crash_non_idempotent '^rc -4 .*interrupted: SBX_EXEC was in flight when kylecode-sandbox died' \
	'^alive ' -- env KYLECODE_FAILPOINTS="sandbox:ipc.worker.handle=crash" \
	"$H" call sandbox SBX_EXEC 0 10000
check crash_idempotent_bounded '^rc -4 .*kylecode-tools died 3 times while serving TOOLS_PARSE' \
	'^alive ' -- env KYLECODE_FAILPOINTS="tools:ipc.worker.handle=crash" \
	"$H" call tools TOOLS_PARSE 1 20000
check call_error '^rc -1 .*LLM_COMPLETE: Input/output error \(failpoint\)' -- \
	env KYLECODE_FAILPOINTS="sup_harness:proc.call=error" "$H" call llm LLM_COMPLETE 1 2000
check spawn_failure_is_a_crash 'kylecode-llm crashed 5 times' -- \
	env KYLECODE_FAILPOINTS="sup_harness:proc.spawn=error(EAGAIN)" "$H" ping-all

echo "$fails failure(s)"
[ $fails = 0 ]
