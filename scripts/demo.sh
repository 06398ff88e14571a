#!/bin/bash
# The offline demo: kylecode does a small C task (examples/c_task) against
# kylecode-mockllm, the scripted model server. No API key, no network.
#   scripts/demo.sh [--driver jail|process] [--keep]
# Builds kylecode if needed (build dir: $KC_BUILD or <source>/build; on a
# fresh machine scripts/deps.sh installs the missing Debian packages
# first), starts the mock on a free loopback port, runs `kylecode run` in a
# fresh temporary workspace, prints where the run log is, and stops the
# mock. Works from any working directory.
set -euo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${KC_BUILD:-$SRC/build}
BIN=${KC_BIN:-$BUILD/bin}
# Absolute: the run below happens from the source tree.
case "$BUILD" in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
case "$BIN" in /*) ;; *) BIN=$PWD/$BIN ;; esac
DRIVER=jail
KEEP=0
while [ $# -gt 0 ]; do
	case "$1" in
	--driver) DRIVER=$2; shift 2 ;;
	--keep) KEEP=1; shift ;;
	-h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "usage: scripts/demo.sh [--driver jail|process] [--keep]" >&2; exit 2 ;;
	esac
done

if [ ! -x "$BIN/kylecode" ] || [ ! -x "$BIN/kylecode-mockllm" ]; then
	# A fresh machine has no compiler, cmake or libraries yet: deps.sh
	# installs only what is missing (and does nothing when all is there).
	"$SRC/scripts/deps.sh"
	echo "== building kylecode in $BUILD"
	cmake -S "$SRC" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build "$BUILD" -j"$(nproc)" --target kylecode kylecode-llm kylecode-tools \
		kylecode-sandbox kylecode-mockllm
fi

# The jail needs user namespaces; where the host has none, say so and use
# the process driver (no isolation) rather than fail the demo.
if [ "$DRIVER" = jail ] && ! "$BIN/kylecode" exec --driver jail -- true >/dev/null 2>&1; then
	echo "demo: the jail driver is not available here (see: kylecode doctor);" \
		"using --driver process (no isolation)" >&2
	DRIVER=process
fi

TMP=$(mktemp -d /tmp/kylecode-demo.XXXXXX)
MOCK_PID=
cleanup() {
	[ -n "$MOCK_PID" ] && kill "$MOCK_PID" 2>/dev/null && wait "$MOCK_PID" 2>/dev/null
	if [ "$KEEP" = 0 ]; then rm -rf "$TMP/workspace" "$TMP/demo.yaml" "$TMP/port"; fi
	return 0
}
trap cleanup EXIT

"$BIN/kylecode-mockllm" --script "$SRC/examples/c_task/mock_script.yaml" \
	--port-file "$TMP/port" --quiet >/dev/null </dev/null &
MOCK_PID=$!
for _ in $(seq 1 100); do
	[ -s "$TMP/port" ] && break
	kill -0 "$MOCK_PID" 2>/dev/null || { echo "demo: the mock model server did not start" >&2; exit 1; }
	sleep 0.05
done
PORT=$(cat "$TMP/port")

# The demo config with the mock's port: lists replace on merge, so the
# model entry is given whole.
cat >"$TMP/demo.yaml" <<EOC
extends: $SRC/configs/demo.yaml
providers:
  default_model: mock/dev
  models:
    - id: mock/dev
      adapter: openai
      base_url: http://127.0.0.1:$PORT/v1
EOC

echo "== kylecode-mockllm on 127.0.0.1:$PORT; workspace $TMP/workspace"
# Tool definitions and prompts are found beside the shipped configs: run
# from the source tree so configs/... resolves whatever the caller's cwd.
cd "$SRC"
set +e
"$BIN/kylecode" run --config "$TMP/demo.yaml" --task "$SRC/examples/c_task/task.md" \
	--workspace "$TMP/workspace" --log-dir "$TMP/logs" --driver "$DRIVER" -m 8
rc=$?
set -e
echo
echo "== exit code $rc; run log under $TMP/logs:"
ls -d "$TMP"/logs/*/ 2>/dev/null | tail -1
echo "   (conversation/conversation.md is the readable transcript)"
exit $rc
