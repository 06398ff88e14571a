# Shared helpers for the `kylecode run` end-to-end tests (sourced after
# mockllm_lib.sh): a config pointing at the mock, a run, and checks on the
# run directory.
KC="$KC_BIN/kylecode"
DRIVER=${KC_TEST_DRIVER:-process}
RUN=
RC=

# run_config [MODEL_YAML [TOP_YAML]]: $T/cfg.yaml = configs/demo.yaml with
# the mock's port; MODEL_YAML lines go into the model entry (indented 6),
# TOP_YAML is appended at the top level.
run_config() {
	{
		echo "extends: $KC_SRC/configs/demo.yaml"
		echo "providers:"
		echo "  default_model: mock/dev"
		echo "  models:"
		echo "    - id: mock/dev"
		echo "      adapter: openai"
		echo "      base_url: $URL/v1"
		[ -n "${1:-}" ] && printf '%s\n' "$1" | sed 's/^/      /'
		[ -n "${2:-}" ] && printf '%s\n' "$2"
	} >"$T/cfg.yaml"
}

# kc_run ARGS...: `kylecode run` from the source tree (so configs/...
# resolves); sets RC and RUN (the run directory).
kc_run() {
	rm -rf "$T/logs" "$T/ws"
	(cd "$KC_SRC" && "$KC" run --config "$T/cfg.yaml" --workspace "$T/ws" \
		--log-dir "$T/logs" --driver "$DRIVER" "$@") >"$T/out" 2>"$T/err" </dev/null
	RC=$?
	RUN=$(ls -d "$T"/logs/*/ 2>/dev/null | tail -1)
	RUN=${RUN%/}
}

meta() { jq -r "$1" "$RUN/meta/run_meta.json"; }
# trace_has KIND [JQ_FILTER]: a trace record of that kind (matching filter).
trace_has() {
	grep -q "\"kind\":\"$1\"" "$RUN/raw/events/trace.jsonl" || return 1
	[ -z "${2:-}" ] && return 0
	grep "\"kind\":\"$1\"" "$RUN/raw/events/trace.jsonl" | jq -s -e "map(select($2)) | length > 0" >/dev/null
}
requests() { curl -s "$URL/_mock/requests"; }
show() { echo "--- out"; tail -n 40 "$T/out"; echo "--- err"; tail -n 20 "$T/err"; }
expect_rc() { [ "$RC" = "$1" ] || { show; fail "exit $RC, want $1"; }; }
mock_stop() {
	[ -n "$MOCK_PID" ] && { kill "$MOCK_PID" 2>/dev/null; wait "$MOCK_PID" 2>/dev/null; }
	MOCK_PID=
}
# one_run NAME SCRIPT_YAML TOP_YAML ARGS...: a fresh mock + config + run.
one_run() {
	local name=$1 script=$2 top=$3
	shift 3
	mock_stop
	printf '%s\n' "$script" >"$T/$name.yaml"
	mock_start "$T/$name.yaml"
	run_config "" "$top"
	kc_run "$@"
}
