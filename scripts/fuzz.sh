#!/bin/bash
# scripts/fuzz.sh — build the libFuzzer targets (clang, ASan+UBSan) in
# build-fuzz/ and run each one for SECONDS with its seed corpus.
#   scripts/fuzz.sh [--no-build] [--list] [SECONDS] [TARGET...]
#   SECONDS  per target, default 60
#   TARGET   e.g. template, config_yaml, fuzz_sbx (default: every target)
#   --no-build  use what is in build-fuzz/ as it is
#   --list      print the targets and their corpus directories, then exit
# The seed corpus fuzz/corpus/<name>/ is copied to a scratch directory, so
# runs never grow the repository's corpus. A crash, leak, timeout or OOM
# is kept in build-fuzz/fuzz-artifacts/<target>/ and the command to
# reproduce it is printed.
# Environment: KC_FUZZ_BUILD (default build-fuzz), KC_FUZZ_JOBS (build -j),
# KC_FUZZ_MAX_LEN (override -max_len), KC_FUZZ_KEEP_CORPUS=1 (keep scratch),
# KC_FUZZ_SEED and KC_FUZZ_RUNS (libFuzzer -seed, -runs: a reproducible run).
# Exit status: 0 when every target ran clean, 1 when one crashed, 2 usage.
set -uo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${KC_FUZZ_BUILD:-$SRC/build-fuzz}
secs=60
build=1
list=0
targets=()
usage() { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help) usage; exit 0 ;;
	--no-build) build=0 ;;
	--list) list=1 ;;
	-*) echo "fuzz.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
	*)
		if [[ "$1" =~ ^[0-9]+$ ]] && [ ${#targets[@]} -eq 0 ]; then
			secs=$1
		else
			targets+=("${1#fuzz_}")
		fi
		;;
	esac
	shift
done
[ "$secs" -gt 0 ] || { echo "fuzz.sh: SECONDS must be > 0" >&2; exit 2; }

# Target name (fuzz_<name> in the fuzz/*.cmake fragments) -> corpus dir.
corpus_of() {
	case "$1" in
	sse_fuzz) echo sse ;;
	llm_response_fuzz) echo llm ;;
	config_check) echo config_yaml ;;
	*) echo "$1" ;;
	esac
}
dict_of() {
	case "$1" in
	config_yaml | config_check) echo "$SRC/fuzz/config_yaml.dict" ;;
	template) echo "$SRC/fuzz/template.dict" ;;
	esac
}

if [ $build = 1 ]; then
	command -v clang >/dev/null || { echo "fuzz.sh: clang is needed" >&2; exit 2; }
	echo "== configure + build $BUILD"
	mkdir -p "$BUILD"
	CC=clang cmake -S "$SRC" -B "$BUILD" -DKC_FUZZ=ON -DKC_TESTS=OFF -DKC_BENCH=OFF \
		>"$BUILD/fuzz-configure.log" 2>&1 || { cat "$BUILD/fuzz-configure.log"; exit 2; }
	# Only the fuzz_* targets (and what they link), not the whole tree.
	mapfile -t fz < <(cmake --build "$BUILD" --target help | grep -oE '\bfuzz_[a-z0-9_]+' | sort -u)
	cmake --build "$BUILD" -j"${KC_FUZZ_JOBS:-$(nproc)}" --target "${fz[@]}" >"$BUILD/fuzz-build.log" 2>&1 ||
		{ tail -40 "$BUILD/fuzz-build.log"; echo "fuzz.sh: build failed" >&2; exit 2; }
fi

all=()
for b in "$BUILD"/bin/fuzz_*; do
	[ -x "$b" ] && all+=("$(basename "$b" | sed 's/^fuzz_//')")
done
[ ${#all[@]} -gt 0 ] || { echo "fuzz.sh: no fuzz_* in $BUILD/bin" >&2; exit 2; }
if [ $list = 1 ]; then
	for t in "${all[@]}"; do echo "$t fuzz/corpus/$(corpus_of "$t")"; done
	exit 0
fi
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")
for t in "${targets[@]}"; do
	[ -x "$BUILD/bin/fuzz_$t" ] || { echo "fuzz.sh: no target fuzz_$t (see --list)" >&2; exit 2; }
done

ART=$BUILD/fuzz-artifacts
scratch=$(mktemp -d "${TMPDIR:-/tmp}/kc-fuzz.XXXXXX")
[ "${KC_FUZZ_KEEP_CORPUS:-0}" = 1 ] || trap 'rm -rf "$scratch"' EXIT
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

summary=()
failed=0
for t in "${targets[@]}"; do
	c=$(corpus_of "$t")
	work=$scratch/$t
	mkdir -p "$work/corpus" "$ART/$t"
	[ -d "$SRC/fuzz/corpus/$c" ] && cp -r "$SRC/fuzz/corpus/$c/." "$work/corpus/"
	# -max_len: twice the largest seed, at least 4 KiB.
	big=$(find "$work/corpus" -type f -printf '%s\n' | sort -n | tail -1)
	maxlen=$((2 * ${big:-0}))
	[ $maxlen -lt 4096 ] && maxlen=4096
	maxlen=${KC_FUZZ_MAX_LEN:-$maxlen}
	args=(-max_total_time="$secs" -max_len="$maxlen" -timeout=30 -rss_limit_mb=2048
		-print_final_stats=1 -artifact_prefix="$ART/$t/")
	# Reproducible runs (CI): a fixed seed and a fixed number of inputs,
	# SECONDS then only caps a slow machine.
	[ -n "${KC_FUZZ_SEED:-}" ] && args+=(-seed="$KC_FUZZ_SEED")
	[ -n "${KC_FUZZ_RUNS:-}" ] && args+=(-runs="$KC_FUZZ_RUNS")
	d=$(dict_of "$t")
	[ -n "$d" ] && args+=(-dict="$d")
	echo "== fuzz_$t: ${secs}s, corpus fuzz/corpus/$c ($(ls "$work/corpus" | wc -l) seeds), max_len $maxlen"
	log=$work/log
	"$BUILD/bin/fuzz_$t" "${args[@]}" "$work/corpus" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	[ -n "$runs" ] || runs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
	cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1)
	corp=$(grep -oE 'corp: [0-9]+/[0-9]+[a-zA-Z]*' "$log" | tail -1)
	if [ $rc = 0 ]; then
		result=clean
	else
		failed=1
		a=$(grep -oE "Test unit written to [^ ]+" "$log" | tail -1 | sed 's/Test unit written to //')
		[ -n "$a" ] || a=$(ls -t "$ART/$t"/* 2>/dev/null | head -1)
		kind=$(grep -oE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer|UndefinedBehaviorSanitizer)[^(]*' "$log" |
			head -1 | sed 's/ on address.*//')
		[ -n "$kind" ] || kind=$(grep -m1 -oE 'runtime error: .*' "$log")
		result="CRASH (exit $rc: ${kind:-see log})"
		cp "$log" "$ART/$t/last.log"
		grep -E 'ERROR|runtime error|^ *#[0-9]+ 0x' "$log" | head -12
		echo "   artifact: ${a:-none}"
		echo "   log:      $ART/$t/last.log"
		echo "   reproduce: $BUILD/bin/fuzz_$t ${a:-<artifact>}"
	fi
	line=$(printf '%-20s runs %-10s %-22s %-16s %s' "$t" "${runs:-?}" "${cov:-cov: ?}" "${corp:-}" "$result")
	echo "   $line"
	summary+=("$line")
done

echo "== fuzz summary (${secs}s each)"
printf '%s\n' "${summary[@]}"
exit $failed
