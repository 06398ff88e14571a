# Shared helpers for the mockllm tests (sourced).
set -u
MOCK="$KC_BIN/kylecode-mockllm"
T=$(mktemp -d /tmp/kc-mock-test.XXXXXX)
MOCK_PID=
cleanup() {
	if [ -n "$MOCK_PID" ]; then kill "$MOCK_PID" 2>/dev/null; wait "$MOCK_PID" 2>/dev/null; fi
	if [ -n "${KEEP_T:-}" ]; then echo "kept $T" >&2; else rm -rf "$T"; fi
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
need() { command -v "$1" >/dev/null || { echo "skip: $1 not installed"; exit 77; }; }
need curl
need jq

# mock_start SCRIPT [ARGS...]: start the mock, set PORT and URL.
mock_start() {
	rm -f "$T/port"
	"$MOCK" --script "$@" --port-file "$T/port" >"$T/mock.out" 2>"$T/mock.err" &
	MOCK_PID=$!
	for _ in $(seq 1 200); do
		[ -s "$T/port" ] && break
		kill -0 "$MOCK_PID" 2>/dev/null || fail "mock exited: $(cat "$T/mock.err")"
		sleep 0.05
	done
	[ -s "$T/port" ] || fail "mock did not write its port file"
	PORT=$(cat "$T/port")
	URL="http://127.0.0.1:$PORT"
	grep -q "^listening on http://127.0.0.1:$PORT\$" "$T/mock.out" ||
		fail "no 'listening on' line: $(cat "$T/mock.out")"
}
