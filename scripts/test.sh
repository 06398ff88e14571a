#!/bin/bash
# scripts/test.sh — build kylecode twice (build/ and an ASan+UBSan build in
# build-asan/) and run the tests of both with ctest; then build every
# libFuzzer target (clang, build-fuzz/) and run each on 20,000 inputs.
#   scripts/test.sh [--quick] [--no-asan] [--no-fuzz] [-- ctest args...]
#   --quick: only the fast tests (ctest -L quick), no fuzz smoke
# Exit status: 0 when every test of both builds passed and no fuzzer failed.
set -euo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
quick=0
asan=1
fuzz=1
ctest_args=()
while [ $# -gt 0 ]; do
	case "$1" in
	--quick) quick=1; shift ;;
	--no-asan) asan=0; shift ;;
	--no-fuzz) fuzz=0; shift ;;
	--) shift; ctest_args+=("$@"); break ;;
	-h | --help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "usage: scripts/test.sh [--quick] [--no-asan] [--no-fuzz] [-- ctest args...]" >&2; exit 2 ;;
	esac
done
[ $quick = 1 ] && ctest_args=(-L quick "${ctest_args[@]}")
jobs=${KC_JOBS:-$(nproc)}

"$SRC/scripts/deps.sh"
rc=0
KC_BUILD=$SRC/build "$SRC/scripts/build.sh" --no-deps
echo "== tests: build/"
ctest --test-dir "$SRC/build" --output-on-failure -j"$jobs" "${ctest_args[@]}" || rc=1
if [ $asan = 1 ]; then
	KC_BUILD=$SRC/build-asan "$SRC/scripts/build.sh" --no-deps --asan
	echo "== tests: build-asan/ (ASan + UBSan)"
	# detect_leaks stays on; halt on the first UBSan report too
	ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1} \
	UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1} \
		ctest --test-dir "$SRC/build-asan" --output-on-failure -j"$jobs" "${ctest_args[@]}" || rc=1
fi
# The fuzz targets link pieces of the tree on their own: a smoke run keeps
# them building and catches the shallow crashes (scripts/fuzz.sh SECONDS
# runs them longer, with fresh seeds). Reproducible: a fixed seed and a
# fixed number of inputs, so CI fails only where a developer's run fails.
if [ $fuzz = 1 ] && [ $quick = 0 ]; then
	echo "== fuzz smoke: build-fuzz/ (clang, libFuzzer), every target 20,000 inputs, seed 1"
	KC_FUZZ_JOBS=$jobs KC_FUZZ_SEED=${KC_FUZZ_SEED:-1} KC_FUZZ_RUNS=${KC_FUZZ_RUNS:-20000} \
		"$SRC/scripts/fuzz.sh" 30 || rc=1
fi
[ $rc = 0 ] && echo "test: all passed" || echo "test: FAILURES (see above)"
exit $rc
