#!/bin/bash
# Round trip: random edits of the repository's own C files, diffed by git,
# applied by kylecode and by git apply; see patch_roundtrip.py.
# usage: patch_roundtrip.sh [--cases N] [--seed S]
set -u
case "${1:-}" in -h|--help) echo "usage: $0 [--cases N] [--seed S]"; exit 0 ;; esac
SRC=${KC_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${KC_BIN:-$SRC/build/bin}
[ -x "$BIN/kc-tool-run" ] || { echo "SKIP: $BIN/kc-tool-run not built"; exit 77; }
command -v python3 >/dev/null && command -v git >/dev/null || { echo "SKIP: needs python3 and git"; exit 77; }
exec python3 "$SRC/tests/integration/patch_roundtrip.py" "$BIN/kc-tool-run" "$SRC" "$@"
