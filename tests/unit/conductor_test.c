/* Conductor decisions, tested on configs written to a temp dir. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/config/config.h"
#include "supervisor/conductor.h"
#include "supervisor/runlog.h"
#include "tests/unit/runlog_testutil.h"

struct ct {
	char *dir;
	struct cond_opts o;
	struct cond c;
};

/* A cond over the shipped default config with YAML merged over it, plus
 * a run log. */
static void
ct_init(struct ct *t, const char *yaml)
{
	char path[512], err[512] = "";
	struct kc_diag_list d = {0};
	struct runlog_opts ro = {0};
	FILE *f;

	memset(t, 0, sizeof(*t));
	t->dir = rt_tmpdir();
	snprintf(path, sizeof(path), "%s/cfg.yaml", t->dir);
	f = fopen(path, "w");
	fprintf(f, "extends: %s/configs/default.yaml\n%s\n", KC_SRC_DIR, yaml);
	fclose(f);
	/* configs/... paths of the shipped config resolve from the source tree. */
	cr_assert_eq(chdir(KC_SRC_DIR), 0);
	t->o.config_path = path;
	t->o.task_text = "task";
	t->c.o = &t->o;
	run_ui_init(&t->c.ui, 1, 0);
	cr_assert_eq(run_setup_config(&t->c, err, sizeof(err)), 0, "%s", err);
	kc_diag_list_free(&d);
	ro.root_dir = t->dir;
	ro.include_events = 1;
	t->c.rl = runlog_create(&ro, err, sizeof(err));
	cr_assert_not_null(t->c.rl, "%s", err);
	t->c.messages = cJSON_CreateArray();
}

static void
ct_fini(struct ct *t)
{
	run_teardown(&t->c);
	rt_rmrf(t->dir);
	free(t->dir);
}

static struct cond_result
ct_result(const char *name, int ok, int complete)
{
	struct cond_result r = {0};

	r.name = (char *)name;
	r.ok = ok;
	r.complete = complete;
	return r;
}

#define CT_COMPLETION                                                                              \
	"completion:\n  tool_finish: mark_task_complete\n  text_sentinels: [TASK COMPLETE]\n"      \
	"  provider_signals: true\n"

Test(conductor_completion, tool_finish_and_sentinel_end_the_run_with_their_reason)
{
	struct ct t;
	struct cond_result r = ct_result("mark_task_complete", 1, 1);

	ct_init(&t, CT_COMPLETION "  natural_finish: {idle_turn_limit: 2}\n");
	cr_assert_eq(run_completion_check(&t.c, "", 1, &r, 1, "tool_calls"), 1);
	cr_assert_str_eq(t.c.reason, "tool_finish");
	t.c.completed = 0;
	cr_assert_eq(run_completion_check(&t.c, "well. TASK COMPLETE", 0, NULL, 0, "stop"), 1);
	cr_assert_str_eq(t.c.reason, "text_sentinel");
	ct_fini(&t);
}

Test(conductor_completion, a_failed_finish_call_does_not_complete)
{
	struct ct t;
	struct cond_result r = ct_result("mark_task_complete", 0, 1);

	ct_init(&t, CT_COMPLETION);
	cr_assert_eq(run_completion_check(&t.c, "", 1, &r, 1, "tool_calls"), 0);
	ct_fini(&t);
}

Test(conductor_completion, provider_stop_counts_only_without_natural_finish_limits)
{
	struct ct t;

	ct_init(&t, CT_COMPLETION
	        "  natural_finish: {idle_turn_limit: 0, no_tool_turns_threshold: 3}\n");
	cr_assert_eq(run_completion_check(&t.c, "thinking", 0, NULL, 0, "stop"), 0);
	cr_assert_eq(run_completion_check(&t.c, "thinking", 0, NULL, 0, "stop"), 0);
	cr_assert_eq(run_completion_check(&t.c, "thinking", 0, NULL, 0, "stop"), 1);
	cr_assert_str_eq(t.c.reason, "natural_finish_no_tools");
	ct_fini(&t);
	ct_init(&t, CT_COMPLETION
	        "  natural_finish: {idle_turn_limit: 0, no_tool_turns_threshold: 0}\n");
	cr_assert_eq(run_completion_check(&t.c, "done", 0, NULL, 0, "length"), 0);
	cr_assert_eq(run_completion_check(&t.c, "done", 0, NULL, 0, "stop"), 1);
	cr_assert_str_eq(t.c.reason, "provider_signal");
	ct_fini(&t);
}

Test(conductor_completion, idle_turns_must_be_consecutive)
{
	struct ct t;
	struct cond_result r = ct_result("run_shell", 1, 0);

	ct_init(
	    &t,
	    "completion:\n  natural_finish: {idle_turn_limit: 2, no_tool_turns_threshold: 9}\n");
	cr_assert_eq(run_completion_check(&t.c, "  \n", 0, NULL, 0, "stop"), 0);
	cr_assert_eq(run_completion_check(&t.c, "", 1, &r, 1, "tool_calls"), 0); /* resets */
	cr_assert_eq(run_completion_check(&t.c, "", 0, NULL, 0, "stop"), 0);
	cr_assert_eq(run_completion_check(&t.c, "", 0, NULL, 0, "stop"), 1);
	cr_assert_str_eq(t.c.reason, "natural_finish_idle");
	ct_fini(&t);
}

Test(conductor_completion, primary_names_the_only_signal_that_counts)
{
	struct ct t;

	ct_init(&t, CT_COMPLETION "  primary: tool_finish\n");
	cr_assert_eq(run_completion_check(&t.c, "TASK COMPLETE", 0, NULL, 0, "stop"), 0);
	ct_fini(&t);
}

#define CT_MODES                                                                                   \
	"modes:\n  - {name: plan, tools_enabled: [read_file]}\n  - {name: build, "                 \
	"tools_enabled: ['*']}\n  - {name: compact, tools_enabled: [], triggers: "                 \
	"{tokens_remaining_pct_lt: 50}}\nloop:\n  plan_turn_limit: 2\n  sequence:\n"               \
	"    - {if: features.plan, then: {mode: plan}}\n    - {mode: build}\n"                     \
	"    - {do: {mode: compact}, while: needs_compact}\n"

Test(conductor_loop, plan_phase_runs_plan_turn_limit_turns_then_build)
{
	struct ct t;

	ct_init(&t, CT_MODES "features: {plan: true}\n");
	cr_assert_str_eq(run_loop_next_mode(&t.c), "plan");
	cr_assert_str_eq(run_loop_next_mode(&t.c), "plan");
	cr_assert_str_eq(run_loop_next_mode(&t.c), "build");
	cr_assert_str_eq(run_loop_next_mode(&t.c), "build");
	ct_fini(&t);
	ct_init(&t, CT_MODES "features: {plan: false}\n");
	cr_assert_str_eq(run_loop_next_mode(&t.c), "build");
	ct_fini(&t);
}

static void
ct_fill(cJSON *messages, int n, size_t bytes)
{
	char *big = malloc(bytes + 1);
	int i;

	memset(big, 'x', bytes);
	big[bytes] = '\0';
	for (i = 0; i < n; i++) {
		cJSON *m = cJSON_CreateObject();

		cJSON_AddStringToObject(m, "role",
		                        i == 0  ? "system"
		                        : i % 2 ? "user"
		                                : "assistant");
		cJSON_AddStringToObject(m, "content", big);
		cJSON_AddItemToArray(messages, m);
	}
	free(big);
}

Test(conductor_loop, compaction_triggers_below_the_threshold_and_never_twice_in_a_row)
{
	struct ct t;

	ct_init(&t, CT_MODES);
	t.c.context_window = 10000;
	ct_fill(t.c.messages, 7, 100);
	cr_assert_eq(run_needs_compact(&t.c), 0, "small conversation");
	cJSON_Delete(t.c.messages);
	t.c.messages = cJSON_CreateArray();
	ct_fill(t.c.messages, 7, 4000); /* ~7000 tokens of 10000: 30% left < 50% */
	cr_assert_eq(run_needs_compact(&t.c), 1);
	cr_assert_str_eq(run_loop_next_mode(&t.c), "compact");
	snprintf(t.c.mode, sizeof(t.c.mode), "compact");
	cr_assert_str_eq(run_loop_next_mode(&t.c), "build");
	ct_fini(&t);
}

Test(conductor_loop, token_estimate_counts_content_and_tool_calls)
{
	cJSON *m = cJSON_Parse("[{\"role\":\"user\",\"content\":\"12345678\"}]");
	long a = run_tokens_estimate(m);
	cJSON *b = cJSON_Parse("[{\"role\":\"user\",\"content\":\"12345678\"},{\"role\":"
	                       "\"assistant\",\"content\":\"\",\"tool_calls\":[{\"id\":\"x\","
	                       "\"name\":\"run_shell\",\"arguments\":\"{}\"}]}]");

	cr_assert_gt(a, 1);
	cr_assert_gt(run_tokens_estimate(b), a + 4);
	cJSON_Delete(m);
	cJSON_Delete(b);
}

Test(conductor_setup, dialects_and_native_tools_follow_the_model_globs)
{
	struct ct t;
	const char *y =
	    "providers:\n  default_model: openrouter/openai/x\n  models: [{id: "
	    "openrouter/openai/x, adapter: openai}]\n"
	    "tools:\n  dialects:\n    preference:\n      default: [bash_block]\n      by_model:\n"
	    "        'openrouter/openai/*': {native: true, order: [provider_native, "
	    "yaml_command]}\n"
	    "    selection:\n      by_model:\n        'openrouter/*': [opencode_patch]\n"
	    "provider_tools: {use_native: true}\n";
	char *list;

	ct_init(&t, y);
	cr_assert_eq(t.c.native, 1);
	list = cJSON_PrintUnformatted(t.c.dialects);
	/* The model's selection first, then the by-tool-kind lists; never the
	 * preference order (yaml_command) nor provider_native. */
	cr_assert_str_eq(list, "[\"opencode_patch\",\"unified_diff\",\"bash_block\"]");
	free(list);
	ct_fini(&t);
}

Test(conductor_setup, use_native_false_turns_native_tools_off)
{
	struct ct t;

	ct_init(&t, "providers:\n  default_model: m/x\n  models: [{id: m/x, adapter: openai}]\n"
	            "tools:\n  dialects:\n    preference:\n      by_model:\n"
	            "        'm/*': {native: true, order: [bash_block]}\n"
	            "provider_tools: {use_native: false}\n");
	cr_assert_eq(t.c.native, 0);
	cr_assert_str_eq(cJSON_GetArrayItem(t.c.dialects, 0)->valuestring, "bash_block");
	ct_fini(&t);
	ct_init(&t, "providers:\n  default_model: m/x\n  models: [{id: m/x, adapter: openai}]\n"
	            "tools:\n  dialects:\n    preference:\n      by_model:\n"
	            "        'm/*': {native: true, order: [bash_block]}\n"
	            "provider_tools: {use_native: true}\n");
	cr_assert_eq(t.c.native, 1);
	ct_fini(&t);
}
