#!/bin/bash
# Redaction: the value of the configured API-key variable, bearer tokens
# and sk- keys never appear anywhere under the run directory, whatever
# carries them (model text, tool output, requests); redaction.log says
# what was removed and where, without the value.
. "$(dirname "$0")/mockllm_lib.sh"
. "$(dirname "$0")/run_lib.sh"

export KC_TEST_API_KEY="kc-secret-value-7f3a9c2e41d8"
BEARER="eyJhbGciOiJIUzI1NiJ9.payload.sig"
SK="sk-proj-AbCdEfGhIjKlMnOpQrStUv"
cat >"$T/s.yaml" <<YAML
turns:
  - text: "My key is $KC_TEST_API_KEY and the header was Authorization: Bearer $BEARER.\n<TOOL_CALL>\nrun_shell(command=\"echo leaked $KC_TEST_API_KEY $SK\")\n</TOOL_CALL>\n"
  - expect: {contains: "leaked"}
    text: "Still $SK. TASK COMPLETE"
YAML
mock_start "$T/s.yaml"
run_config "api_key_env: KC_TEST_API_KEY"
kc_run --task-text "the task mentions $KC_TEST_API_KEY too" -m 4
expect_rc 0
# The key reached the mock as a credential, recorded as "<present>".
requests | jq -e '.[0].headers.authorization == "<present>"' >/dev/null ||
	fail "the key was not sent to the provider"
for secret in "$KC_TEST_API_KEY" "$BEARER" "$SK"; do
	if grep -rlF -- "$secret" "$RUN" >"$T/hits"; then
		fail "'$secret' found in: $(cat "$T/hits")"
	fi
done
grep -q '"kind":"env:KC_TEST_API_KEY"' "$RUN/meta/redaction.log" || fail "redaction.log: $(cat "$RUN/meta/redaction.log")"
grep -q '"kind":"bearer"' "$RUN/meta/redaction.log" || fail "bearer not logged"
grep -q '"kind":"sk-key"' "$RUN/meta/redaction.log" || fail "sk key not logged"
grep -q 'REDACTED' "$RUN/conversation/conversation.md" || fail "transcript not redacted"
echo "run_redaction: ok"
