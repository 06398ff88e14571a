#!/usr/bin/env bash
# bench/sandbox.sh [BUILD_DIR] [ROUNDS]: builds and runs the sandbox latency
# benchmark (root needed, as for kylecode itself on this host kind).
set -euo pipefail
B=${1:-build}
cmake --build "$B" --target sandbox_bench -j2 >/dev/null
exec "$B/bin/sandbox_bench" -n "${2:-40}"
