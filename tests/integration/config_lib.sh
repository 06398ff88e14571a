# Shared helpers of the config/prompts integration scripts (sourced).
set -u
KC=$(cd "${KC_BIN:?KC_BIN not set}" && pwd)/kylecode
[ -x "$KC" ] || { echo "SKIP: $KC not built"; exit 77; }
if [ -n "${KC_SHARED:-}" ] && [ -d "$KC_SHARED/reference/kylecode" ]; then
	REF=$KC_SHARED/reference/kylecode
else
	REF=${KC_SRC:?KC_SRC not set}/../shared/reference/kylecode
fi
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TMP=$(mktemp -d /tmp/kc_cfgit.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
need_python() {
	python3 -c 'import yaml, jinja2' 2>/dev/null ||
		{ echo "SKIP: python3 with yaml and jinja2 is needed for the oracle"; exit 77; }
}
need_ref() {
	[ -d "$REF/agent_configs" ] || { echo "SKIP: reference configs not found at $REF"; exit 77; }
}
finish() {
	[ "$fails" -eq 0 ] && { echo "PASS"; exit 0; }
	echo "$fails failure(s)"
	exit 1
}
