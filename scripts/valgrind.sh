#!/bin/bash
# scripts/valgrind.sh — run every Criterion unit test binary (ctest -L unit)
# under valgrind memcheck and report per binary.
#   scripts/valgrind.sh [--build DIR] [--jobs N] [TEST...]
#   --build DIR  a non-sanitizer build (default: $KC_BUILD or build/)
#   --jobs N     Criterion --jobs for each binary (default 2)
#   TEST         only these test binaries (default: every unit test)
# Criterion forks a runner child per test, so valgrind traces children
# (system programs the tests start are skipped). Definite and indirect
# leaks, invalid reads/writes, uninitialised use: all are errors.
# Not run: the confinement tests (llm_policy_test: seccomp/fd closing in a
# forked child cannot work under valgrind; it hangs). KC_VALGRIND_SKIP
# (space-separated) replaces that list. Each binary gets KC_VALGRIND_TIMEOUT
# seconds (default 900), then it is killed and reported as failed.
# Logs: DIR/valgrind/<test>.log. Exit: 0 clean, 1 a binary failed,
# 77 skipped (no valgrind, sanitizer build, or nothing built).
set -uo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${KC_BUILD:-$SRC/build}
jobs=2
tests=()
while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	--build) BUILD=$2; shift ;;
	--jobs) jobs=$2; shift ;;
	-*) echo "valgrind.sh: unknown option $1" >&2; exit 2 ;;
	*) tests+=("$1") ;;
	esac
	shift
done
BUILD=$(cd "$BUILD" 2>/dev/null && pwd) || { echo "skip: no build directory"; exit 77; }
command -v valgrind >/dev/null || { echo "skip: valgrind not installed"; exit 77; }
if grep -qE '^KC_(SANITIZE|FUZZ):BOOL=ON' "$BUILD/CMakeCache.txt" 2>/dev/null; then
	echo "skip: sanitizer build $BUILD (valgrind cannot run ASan binaries)"; exit 77
fi
if [ ${#tests[@]} -eq 0 ]; then
	mapfile -t tests < <(ctest --test-dir "$BUILD" -L unit -N 2>/dev/null |
		sed -n 's/^ *Test *#[0-9]*: *\([^ ]*\).*/\1/p')
fi
[ ${#tests[@]} -gt 0 ] || { echo "skip: no unit tests registered in $BUILD"; exit 77; }

LOGS=$BUILD/valgrind
mkdir -p "$LOGS"
VG=(valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect
	--error-exitcode=99 --trace-children=yes
	--trace-children-skip='/bin/*,/usr/bin/*,/sbin/*,/usr/sbin/*,/usr/lib/*'
	--num-callers=30)
skip=" ${KC_VALGRIND_SKIP-llm_policy_test} "
tmo=${KC_VALGRIND_TIMEOUT:-900}
fails=0
skipped=0
summary=()
t0=$(date +%s)
for t in "${tests[@]}"; do
	bin=$BUILD/bin/$t
	if [ ! -x "$bin" ]; then
		summary+=("$(printf '%-24s %s' "$t" "SKIP (not built)")")
		skipped=$((skipped + 1))
		continue
	fi
	if [[ "$skip" == *" $t "* ]]; then
		summary+=("$(printf '%-24s %s' "$t" "SKIP (KC_VALGRIND_SKIP)")")
		echo "${summary[-1]}"
		skipped=$((skipped + 1))
		continue
	fi
	log=$LOGS/$t.log
	s=$(date +%s)
	# --kill-after: a hung test child is a process group of valgrinds.
	(cd "$BUILD" && timeout --kill-after=10 "$tmo" "${VG[@]}" "$bin" --jobs "$jobs") >"$log" 2>&1
	rc=$?
	dt=$(($(date +%s) - s))
	stats=$(grep -oE 'Synthesis: Tested: [0-9]+ \| Passing: [0-9]+ \| Failing: [0-9]+ \| Crashing: [0-9]+' "$log" |
		tail -1 | sed 's/Synthesis: //')
	nerr=$(grep -E '== ERROR SUMMARY: [1-9]' "$log" | wc -l)
	lost=$(grep -cE '(definitely|indirectly) lost in loss record' "$log")
	inval=$(grep -cE '== (Invalid (read|write|free)|Conditional jump|Use of uninitialised|Syscall param|Mismatched free|Source and destination overlap)' "$log")
	if [ $rc = 0 ] && [ "$nerr" = 0 ]; then
		result=ok
	else
		fails=$((fails + 1))
		[ $rc = 124 ] && echo "   timed out after ${tmo}s" >>"$log"
		result="FAIL (exit $rc$([ $rc = 124 ] && echo ': timeout'); processes with errors $nerr: leaks $lost, invalid/uninit $inval)"
	fi
	line=$(printf '%-24s %4ss  %-52s %s' "$t" "$dt" "${stats:-?}" "$result")
	echo "$line"
	summary+=("$line")
	if [ "$result" != ok ]; then
		grep -E '==[0-9]+== (Invalid|Conditional|Use of|Syscall|Mismatched|[0-9,]+ .*(definitely|indirectly) lost)|==[0-9]+==    (at|by) 0x|\[FAIL\]|CRASH' "$log" | head -30
		echo "   log: $log"
	fi
done
echo "== valgrind: ${#tests[@]} binaries, $fails failed, $skipped skipped, $(($(date +%s) - t0))s"
[ $fails -eq 0 ]
