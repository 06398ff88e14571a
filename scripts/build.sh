#!/bin/bash
# scripts/build.sh — install missing dependencies, configure and build
# kylecode into build/ (or $KC_BUILD).
#   scripts/build.sh [--asan] [--no-deps] [extra cmake -D options...]
#   --asan: AddressSanitizer + UndefinedBehaviorSanitizer build (build-asan/)
set -euo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${KC_BUILD:-$SRC/build}
deps=1
extra=()
while [ $# -gt 0 ]; do
	case "$1" in
	--asan) BUILD=${KC_BUILD:-$SRC/build-asan}; extra+=(-DKC_SANITIZE=ON); shift ;;
	--no-deps) deps=0; shift ;;
	-D*) extra+=("$1"); shift ;;
	-h | --help) sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "usage: scripts/build.sh [--asan] [--no-deps] [-DOPTION=VALUE...]" >&2; exit 2 ;;
	esac
done

[ $deps = 1 ] && "$SRC/scripts/deps.sh"
jobs=${KC_JOBS:-$(nproc)}
cmake -S "$SRC" -B "$BUILD" -DCMAKE_BUILD_TYPE=${KC_BUILD_TYPE:-RelWithDebInfo} "${extra[@]}"
cmake --build "$BUILD" -j"$jobs"
echo "build: binaries in $BUILD/bin"
