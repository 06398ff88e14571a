#!/usr/bin/env bash
# bench/run_bench.sh [BUILD_DIR] [TURNS] [DRIVER]: harness overhead of
# `kylecode run`, measured on 50-turn scripted runs against kylecode-mockllm
# (zero model latency), side by side:
#   A  TURNS turns, each with one shell call (`true`)
#   B  TURNS turns without tool calls (model round trips only)
#   C  baseline: `sh -c true` run TURNS times directly (fork+exec)
# Reports, from the runs' own trace.jsonl timestamps: wall time per turn,
# the model-call share (worker-llm + HTTP + mock), the harness rest, the
# cost of one tool call (A-B per turn) against C, and the peak RSS of all
# kylecode processes of run A together (sampled every 10 ms).
# Targets (issue 8): < 5 ms harness overhead per turn, < 30 MiB total RSS.
set -euo pipefail
B=$(cd "${1:-build}" && pwd)
N=${2:-50}
DRIVER=${3:-process}
SRC=$(cd "$(dirname "$0")/.." && pwd)
BIN=$B/bin
T=$(mktemp -d /tmp/kc-bench-run.XXXXXX)
MP=
# run() is called in $(...): its mock pid is kept in a file for the trap.
trap 'kill $(cat "$T"/mock.pid 2>/dev/null) 2>/dev/null || true; rm -rf "$T"' EXIT

script() { # FILE WITH_TOOL
	: >"$1"
	for _ in $(seq 1 "$N"); do
		if [ "$2" = 1 ]; then
			echo '{"text": "<TOOL_CALL>\nrun_shell(command=\"true\")\n</TOOL_CALL>\n"}' >>"$1"
		else
			echo '{"text": "thinking"}' >>"$1"
		fi
	done
}

# run NAME SCRIPT: one kylecode run; prints its run dir.
run() {
	rm -f "$T/port"
	"$BIN/kylecode-mockllm" --script "$2" --port-file "$T/port" --quiet >/dev/null 2>&1 </dev/null &
	MP=$!
	echo $MP >>"$T/mock.pid"
	while [ ! -s "$T/port" ]; do sleep 0.02; done
	cat >"$T/cfg.yaml" <<EOC
extends: $SRC/configs/demo.yaml
providers:
  default_model: mock/dev
  models:
    - {id: mock/dev, adapter: openai, base_url: "http://127.0.0.1:$(cat "$T/port")/v1"}
completion:
  provider_signals: false
  text_sentinels: []
  natural_finish: {idle_turn_limit: 0, no_tool_turns_threshold: 0}
logging: {retention: {max_runs: 0}}
EOC
	(cd "$SRC" && "$BIN/kylecode" run --config "$T/cfg.yaml" --task-text bench -m "$N" --quiet \
		--workspace "$T/ws-$1" --log-dir "$T/logs-$1" --driver "$DRIVER") >/dev/null 2>&1 </dev/null &
	local kp=$! peak=0 sum v
	while kill -0 $kp 2>/dev/null; do
		sum=0
		for p in $kp $(pgrep -P $kp 2>/dev/null); do
			case "$(cat /proc/$p/comm 2>/dev/null)" in
			kylecode*)
				v=$(awk '/^VmRSS/ {print $2}' /proc/$p/status 2>/dev/null)
				sum=$((sum + ${v:-0})) ;;
			esac
		done
		[ $sum -gt $peak ] && peak=$sum
		sleep 0.01
	done
	wait $kp || true
	kill $MP; wait $MP 2>/dev/null || true; MP=
	echo "$peak" >"$T/peak-$1"
	ls -d "$T/logs-$1"/*/
}

# stats RUN_DIR: total_ms llm_ms tools_ms turns tool_calls
stats() {
	jq -s -r '
	  (map(select(.kind == "run_start"))[0].ts_ms) as $t0 |
	  (map(select(.kind == "run_end"))[0].ts_ms) as $t1 |
	  [ $t1 - $t0,
	    (map(select(.kind == "api_call_end") | .latency_ms) | add // 0),
	    (map(select(.kind == "tool_result") | .duration_ms) | add // 0),
	    (map(select(.kind == "turn_start")) | length),
	    (map(select(.kind == "tool_result")) | length) ] | @tsv' "$1/raw/events/trace.jsonl"
}

script "$T/a.jsonl" 1
script "$T/b.jsonl" 0
RA=$(run a "$T/a.jsonl")
RB=$(run b "$T/b.jsonl")
t0=$(date +%s%N)
for _ in $(seq 1 "$N"); do sh -c true; done
C_MS=$(( ($(date +%s%N) - t0) / 1000000 ))
read -r A_T A_L A_X A_N A_C < <(stats "$RA")
read -r B_T B_L B_X B_N B_C < <(stats "$RB")

awk -v n="$N" -v at="$A_T" -v al="$A_L" -v ax="$A_X" -v an="$A_N" -v ac="$A_C" \
    -v bt="$B_T" -v bl="$B_L" -v bn="$B_N" -v cm="$C_MS" -v pa="$(cat "$T/peak-a")" \
    -v drv="$DRIVER" -v build="$B" 'BEGIN {
	printf "kylecode run harness overhead (%d turns, driver %s, build %s)\n\n", n, drv, build
	printf "%-34s %12s %12s\n", "", "A: 1 call/turn", "B: no calls"
	printf "%-34s %12.2f %12.2f\n", "wall ms per turn", at / an, bt / bn
	printf "%-34s %12.2f %12.2f\n", "  model call ms per turn", al / an, bl / bn
	printf "%-34s %12.2f %12s\n", "  tool call ms per turn", ax / an, "-"
	printf "%-34s %12.2f %12.2f\n", "  harness rest ms per turn", (at - al - ax) / an, (bt - bl) / bn
	printf "\nper tool call: %.2f ms via kylecode (dispatch..result) vs %.2f ms for sh -c true directly (x%.1f)\n", \
	    ax / ac, cm / n, (cm > 0 ? (ax / ac) / (cm / n) : 0)
	printf "per turn excluding commands: %.2f ms (target < 5 ms)\n", (at - ax) / an
	printf "peak RSS of all kylecode processes together (run A): %.1f MiB (target < 30 MiB)\n", pa / 1024
}'
