#!/bin/bash
# API keys from the .env beside the config: the key exists only in that
# file; the supervisor passes its path to worker-llm, which reads it. The
# key reaches the provider (the mock records "<present>") and appears
# nowhere under the run directory, on the terminal, or in the environment
# of the supervisor, the tools and sandbox workers or the command. A .env
# that others may write is refused with a clear message.
. "$(dirname "$0")/mockllm_lib.sh"
. "$(dirname "$0")/run_lib.sh"

KEY="kc-dotenv-secret-4b7e19d2c8a5"
unset KC_DOTENV_TEST_KEY
cat >"$T/s.yaml" <<'YAML'
turns:
  - text: "<TOOL_CALL>\nrun_shell(command=\"sleep 2; echo slept\")\n</TOOL_CALL>\n"
  - expect: {contains: "slept"}
    text: "TASK COMPLETE"
YAML
mock_start "$T/s.yaml"
run_config "api_key_env: KC_DOTENV_TEST_KEY"
cat >"$T/.env" <<EOF2
# keys for kylecode
OTHER_THING = "a value with # no comment"
export KC_DOTENV_TEST_KEY='$KEY'   # the test key
EOF2
chmod 600 "$T/.env"

rm -rf "$T/logs" "$T/ws"
(cd "$KC_SRC" && exec "$KC" run --config "$T/cfg.yaml" --workspace "$T/ws" --log-dir "$T/logs" \
	--driver "$DRIVER" --task-text "sleep" -m 3) >"$T/out" 2>"$T/err" </dev/null &
SUP=$!
# While the command sleeps: every process of the run, by its environment.
seen=0
for _ in $(seq 1 100); do
	if pgrep -P "$SUP" >/dev/null && pgrep -f 'sleep 2; echo slept' >/dev/null; then seen=1; break; fi
	sleep 0.05
done
[ $seen = 1 ] || { wait $SUP; show; fail "the command never ran"; }
procs="$SUP $(pgrep -P "$SUP") $(pgrep -f 'sleep 2; echo slept')"
checked=0
for p in $procs; do
	exe=$(readlink "/proc/$p/exe" 2>/dev/null) || continue
	if tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qF -- "$KEY"; then
		fail "the key is in the environment of $p ($exe)"
	fi
	case "$exe" in *kylecode-llm) ;; *) checked=$((checked + 1)) ;; esac
	case "$exe" in *kylecode-llm)
		tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -q "^KYLECODE_DOTENV=$T/.env\$" &&
			fail "worker-llm still shows KYLECODE_DOTENV after start" ;;
	esac
done
[ $checked -ge 4 ] || fail "saw only $checked processes ($procs)"
wait $SUP
RC=$?
RUN=$(ls -d "$T"/logs/*/ | tail -1)
RUN=${RUN%/}
expect_rc 0
requests | jq -e 'length == 2 and all(.[]; .headers.authorization == "<present>")' >/dev/null ||
	fail "the key from .env was not sent: $(requests | jq -c '[.[].headers]')"
if grep -rlF -- "$KEY" "$RUN" "$T/out" "$T/err" >"$T/hits"; then
	fail "the key found in: $(cat "$T/hits")"
fi

# A variable of the environment wins over the .env (the mock sees a key
# either way; the env value must not be refused or mixed up).
mock_stop
mock_start "$T/s.yaml"
run_config "api_key_env: KC_DOTENV_TEST_KEY"
KC_DOTENV_TEST_KEY=from-env-value kc_run --task-text "sleep" -m 3
expect_rc 0

# Others may write it: refused, the run fails and says why.
chmod 606 "$T/.env"
mock_stop
mock_start "$T/s.yaml"
run_config "api_key_env: KC_DOTENV_TEST_KEY"
kc_run --task-text "sleep" -m 3
[ "$RC" != 0 ] || fail "a world-writable .env was accepted"
grep -q "\.env: writable by others" "$T/err" || { show; fail "no clear message about the .env"; }
[ "$(requests | jq length)" = 0 ] || fail "a model was called with a refused .env"
echo "llm_dotenv: ok"
