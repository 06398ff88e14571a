/* Secrets never reach the run directory; redaction.log says what, not the value. */
#include <criterion/criterion.h>

#include "supervisor/runlog.h"
#include "tests/unit/runlog_testutil.h"

#define KEY "kc-test-key-value-0123456789"

static struct runlog *
rt_create(const char *root)
{
	static const char *const envs[] = {"KC_TEST_SECRET_KEY"};
	struct runlog_opts o = {.root_dir = root,
	                        .redact = 1,
	                        .include_raw = 1,
	                        .include_events = 1,
	                        .secret_env = envs,
	                        .nsecret_env = 1};
	char err[256] = "";
	struct runlog *rl;

	setenv("KC_TEST_SECRET_KEY", KEY, 1);
	rl = runlog_create(&o, err, sizeof(err));
	cr_assert_not_null(rl, "%s", err);
	return rl;
}

Test(runlog_redact, env_key_values_are_removed_from_files_events_and_transcript)
{
	char *root = rt_tmpdir(), cmd[1024];
	struct runlog *rl = rt_create(root);
	cJSON *ev = cJSON_CreateObject();
	const char *text = "the key is " KEY " and again " KEY "\n";

	cr_assert_eq(runlog_write_file(rl, "raw/requests/turn_1.request.json", text, strlen(text)),
	             0);
	cJSON_AddStringToObject(ev, "msg", "leak " KEY);
	cr_assert_eq(runlog_event(rl, "api_call", ev), 0);
	runlog_section_add(rl, RUNLOG_SEC_ASSISTANT, 1, "said " KEY, NULL);
	runlog_close(rl);
	snprintf(cmd, sizeof(cmd), "grep -r -F -q '%s' '%s'", KEY, root);
	cr_assert_neq(system(cmd), 0, "the key value is in the run directory");
	snprintf(cmd, sizeof(cmd), "grep -r -q 'REDACTED' '%s'/*/raw/requests", root);
	cr_assert_eq(system(cmd), 0);
	snprintf(cmd, sizeof(cmd),
	         "grep -q "
	         "'\"kind\":\"env:KC_TEST_SECRET_KEY\",\"where\":\"raw/requests/"
	         "turn_1.request.json\",\"count\":2' '%s'/*/meta/redaction.log",
	         root);
	cr_assert_eq(system(cmd), 0, "redaction.log does not say what was removed");
	rt_rmrf(root);
	free(root);
}

Test(runlog_redact, bearer_tokens_and_sk_keys_are_masked)
{
	char *root = rt_tmpdir();
	struct runlog *rl = rt_create(root);
	char *out;

	out = runlog_redact(rl, "Authorization: Bearer abcdefghijklmnop.qrs", "t");
	cr_assert_str_eq(out, "Authorization: Bearer [REDACTED]");
	free(out);
	out = runlog_redact(rl, "key=sk-proj-ABCDEFGHIJKLMNOPQRSTUV end", "t");
	cr_assert_str_eq(out, "key=[REDACTED] end");
	free(out);
	out = runlog_redact(rl, "{\"k\":\"sk-ant-api03-aaaaaaaaaaaaaaaaaaaa\"}", "t");
	cr_assert_str_eq(out, "{\"k\":\"[REDACTED]\"}");
	free(out);
	/* Ordinary words are left alone. */
	out = runlog_redact(rl, "task-sk-1 risk-sk-short bearer of news, sk-abc", "t");
	cr_assert_str_eq(out, "task-sk-1 risk-sk-short bearer of news, sk-abc");
	free(out);
	runlog_close(rl);
	rt_rmrf(root);
	free(root);
}

Test(runlog_redact, short_env_values_are_not_treated_as_secrets)
{
	static const char *const envs[] = {"KC_TEST_SHORT"};
	struct runlog_opts o = {
	    .root_dir = NULL, .redact = 1, .secret_env = envs, .nsecret_env = 1};
	char *root = rt_tmpdir(), err[256] = "", *out;
	struct runlog *rl;

	o.root_dir = root;
	setenv("KC_TEST_SHORT", "a", 1); /* would otherwise mask every 'a' */
	rl = runlog_create(&o, err, sizeof(err));
	out = runlog_redact(rl, "banana", "t");
	cr_assert_str_eq(out, "banana");
	free(out);
	runlog_close(rl);
	rt_rmrf(root);
	free(root);
}

Test(runlog_redact, redact_off_writes_text_unchanged)
{
	struct runlog_opts o = {.redact = 0};
	char *root = rt_tmpdir(), err[256] = "", *out;
	struct runlog *rl;

	o.root_dir = root;
	rl = runlog_create(&o, err, sizeof(err));
	out = runlog_redact(rl, "Bearer abcdefghijklmnop", "t");
	cr_assert_str_eq(out, "Bearer abcdefghijklmnop");
	free(out);
	runlog_close(rl);
	rt_rmrf(root);
	free(root);
}
