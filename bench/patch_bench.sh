#!/bin/bash
# Runs bench/patch: kylecode vs git apply, 1,000 hunks over 50,000 lines.
# usage: bench/patch_bench.sh [BUILD_DIR] [kc-patch-bench options...]
set -eu
case "${1:-}" in -h|--help) echo "usage: $0 [BUILD_DIR] [--lines N] [--hunks N] [--runs N]"; exit 0 ;; esac
BUILD=${1:-$(dirname "$0")/../build}
[ $# -gt 0 ] && shift
BIN=$BUILD/bin/kc-patch-bench
[ -x "$BIN" ] || { echo "$BIN not built (cmake --build $BUILD --target kc-patch-bench)" >&2; exit 1; }
command -v git >/dev/null || { echo "git is needed for the baseline" >&2; exit 1; }
exec "$BIN" "$@"
