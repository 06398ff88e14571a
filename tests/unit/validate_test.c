/* The turn validator (rules, one violation per refused call) and the
 * concurrency planner (blocking mixes, groups, barriers). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "worker-tools/validate.h"

/* base_v2.yaml's concurrency section with the defs/ tools plus glob/grep. */
static const char CONFIG[] =
    "{\"tools\":["
    "{\"name\":\"read_file\",\"blocking\":false,\"parameters\":[{\"name\":\"path\",\"required\":"
    "true}]},"
    "{\"name\":\"list_dir\",\"blocking\":false,\"parameters\":[{\"name\":\"path\",\"required\":"
    "true}]},"
    "{\"name\":\"glob\",\"blocking\":false,\"parameters\":[{\"name\":\"pattern\",\"required\":true}"
    "]},"
    "{\"name\":\"grep\",\"parameters\":[{\"name\":\"pattern\",\"required\":true}]},"
    "{\"name\":\"apply_unified_patch\",\"blocking\":true,\"parameters\":[{\"name\":\"patch\","
    "\"required\":true}]},"
    "{\"name\":\"apply_search_replace\",\"execution\":{\"blocking\":true},\"parameters\":[]},"
    "{\"name\":\"run_shell\",\"blocking\":true,\"max_per_turn\":1,\"parameters\":[{\"name\":"
    "\"command\",\"required\":true}]},"
    "{\"name\":\"bash\",\"blocking\":true,\"parameters\":[{\"name\":\"command\",\"required\":true}]"
    "},"
    "{\"name\":\"mark_task_complete\",\"blocking\":true,\"execution\":{\"max_per_turn\":1},"
    "\"parameters\":[]},"
    "{\"name\":\"webfetch\",\"blocking\":false,\"parameters\":[{\"name\":\"url\",\"required\":true}"
    "]},"
    "{\"name\":\"task\",\"blocking\":false,\"parameters\":[]}"
    "],\"concurrency\":{"
    "\"at_most_one_of\":[\"run_shell\",\"bash\"],"
    "\"groups\":[{\"name\":\"fs_reads\",\"match_tools\":[\"read_file\",\"glob\",\"grep\",\"list_"
    "dir\"],\"max_parallel\":2},"
    "{\"name\":\"edits_and_bash\",\"match_tools\":[\"apply_*\",\"run_shell\"],\"max_parallel\":1,"
    "\"barrier_after\":\"apply_unified_patch\"},"
    "{\"name\":\"web\",\"match_tools\":[\"webfetch\"],\"barrier_after\":[\"webfetch\"]}],"
    "\"nonblocking_tools\":[\"read_file\",\"glob\",\"grep\",\"list_dir\"]}}";

struct turn {
	cJSON *config, *calls, *viol, *plan;
};

/* calls: "name:argkey=val name2 ..." (args optional). */
static void
turn_run(struct turn *t, const char *names, const char *enabled_json)
{
	char buf[512], *save = NULL, *tok;
	cJSON *enabled = enabled_json ? cJSON_Parse(enabled_json) : NULL;
	struct tool_turn tt;

	t->config = cJSON_Parse(CONFIG);
	cr_assert_not_null(t->config);
	t->calls = cJSON_CreateArray();
	snprintf(buf, sizeof(buf), "%s", names);
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		cJSON *c = cJSON_CreateObject(), *a = cJSON_CreateObject();
		char *colon = strchr(tok, ':');

		if (colon != NULL) {
			*colon = '\0';
			cJSON_AddStringToObject(a, colon + 1, "v");
		}
		cJSON_AddStringToObject(c, "name", tok);
		cJSON_AddItemToObject(c, "args", a);
		cJSON_AddItemToArray(t->calls, c);
	}
	tt = (struct tool_turn){t->config, enabled, NULL, "plan"};
	t->viol = tool_turn_validate(&tt, t->calls);
	t->plan = tool_turn_plan(t->config, t->calls, t->viol);
	cJSON_Delete(enabled);
}

static void
turn_free(struct turn *t)
{
	cJSON_Delete(t->config);
	cJSON_Delete(t->calls);
	cJSON_Delete(t->viol);
	cJSON_Delete(t->plan);
}

static void
assert_plan(const struct turn *t, const char *want)
{
	char *got = cJSON_PrintUnformatted(t->plan);

	cr_assert_str_eq(got, want);
	free(got);
}

static const char *
viol_rule(const struct turn *t, int i)
{
	return cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(t->viol, i), "rule"));
}

static const char *
viol_msg(const struct turn *t, int i)
{
	return cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(t->viol, i), "message"));
}

static int
viol_call(const struct turn *t, int i)
{
	return (int)cJSON_GetNumberValue(
	    cJSON_GetObjectItem(cJSON_GetArrayItem(t->viol, i), "call"));
}

Test(validate_plan, all_nonblocking_reads_share_batches_within_max_parallel)
{
	struct turn t;

	turn_run(&t, "read_file:path list_dir:path glob:pattern grep:pattern read_file:path", NULL);
	cr_assert_eq(cJSON_GetArraySize(t.viol), 0);
	assert_plan(&t, "[[0,1],[2,3],[4]]");
	turn_free(&t);
}

Test(validate_plan, any_blocking_call_makes_the_turn_sequential)
{
	struct turn t;

	turn_run(&t, "read_file:path read_file:path apply_unified_patch:patch list_dir:path", NULL);
	assert_plan(&t, "[[0],[1],[2],[3]]");
	cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetArrayItem(t.calls, 2), "blocking")));
	cr_assert(cJSON_IsFalse(cJSON_GetObjectItem(cJSON_GetArrayItem(t.calls, 0), "blocking")));
	turn_free(&t);
}

Test(validate_plan, barrier_after_closes_the_batch)
{
	struct turn t;

	turn_run(&t, "task webfetch:url task task", NULL);
	assert_plan(&t, "[[0,1],[2,3]]");
	turn_free(&t);
}

Test(validate_plan, ungrouped_nonblocking_calls_are_unbounded)
{
	struct turn t;

	turn_run(&t, "task task task task task", NULL);
	assert_plan(&t, "[[0,1,2,3,4]]");
	turn_free(&t);
}

Test(validate_plan, nonblocking_list_overrides_a_silent_def)
{
	struct turn t;

	/* grep says nothing about blocking: nonblocking_tools decides. */
	turn_run(&t, "grep:pattern grep:pattern", NULL);
	assert_plan(&t, "[[0,1]]");
	cr_assert_eq(tool_call_blocking(t.config, "apply_search_replace"), 1,
	             "execution.blocking read");
	cr_assert_eq(tool_call_blocking(t.config, "nosuchtool"), 1, "unknown: blocking by default");
	turn_free(&t);
}

Test(validate_rules, max_per_turn_keeps_the_first_and_refuses_the_rest)
{
	struct turn t;

	turn_run(&t, "run_shell:command read_file:path run_shell:command", NULL);
	cr_assert_eq(cJSON_GetArraySize(t.viol), 1);
	cr_assert_eq(viol_call(&t, 0), 2);
	cr_assert_str_eq(viol_rule(&t, 0), "max_per_turn");
	cr_assert_str_eq(viol_msg(&t, 0),
	                 "run_shell may be called at most 1 time per turn; this call "
	                 "was not run: send it in your next turn");
	assert_plan(&t, "[[0],[1]]");
	turn_free(&t);
}

Test(validate_rules, max_per_turn_under_execution_is_honoured)
{
	struct turn t;

	turn_run(&t, "mark_task_complete mark_task_complete", NULL);
	cr_assert_eq(cJSON_GetArraySize(t.viol), 1);
	cr_assert_eq(viol_call(&t, 0), 1);
	turn_free(&t);
}

Test(validate_rules, at_most_one_of_refuses_the_second_of_the_set)
{
	struct turn t;

	turn_run(&t, "bash:command run_shell:command", NULL);
	cr_assert_eq(cJSON_GetArraySize(t.viol), 1);
	cr_assert_eq(viol_call(&t, 0), 1);
	cr_assert_str_eq(viol_rule(&t, 0), "at_most_one_of");
	cr_assert_str_eq(viol_msg(&t, 0),
	                 "only one call of [\"run_shell\",\"bash\"] per turn; this "
	                 "run_shell call was not run: send it in your next turn");
	assert_plan(&t, "[[0]]");
	turn_free(&t);
}

Test(validate_rules, unknown_tool_lists_what_can_be_called)
{
	struct turn t;

	turn_run(&t, "frobnicate read_file:path", "[\"read_*\",\"list_dir\"]");
	cr_assert_str_eq(viol_rule(&t, 0), "unknown");
	cr_assert_str_eq(viol_msg(&t, 0), "unknown tool 'frobnicate'; the tools you can call are: "
	                                  "read_file, list_dir");
	assert_plan(&t, "[[1]]");
	turn_free(&t);
}

Test(validate_rules, disabled_in_mode_with_globs)
{
	struct turn t;

	turn_run(&t, "apply_unified_patch:patch read_file:path", "[\"read_*\",\"list_dir\"]");
	cr_assert_eq(cJSON_GetArraySize(t.viol), 1);
	cr_assert_str_eq(viol_rule(&t, 0), "disabled");
	cr_assert_str_eq(viol_msg(&t, 0),
	                 "tool 'apply_unified_patch' is not available in 'plan' mode; "
	                 "use one of: read_file, list_dir");
	turn_free(&t);
}

Test(validate_rules, empty_enabled_list_disables_everything)
{
	struct turn t;

	turn_run(&t, "read_file:path", "[]");
	cr_assert_str_eq(viol_rule(&t, 0), "disabled");
	assert_plan(&t, "[]");
	turn_free(&t);
}

Test(validate_rules, missing_required_argument)
{
	struct turn t;

	turn_run(&t, "read_file:offset", NULL);
	cr_assert_str_eq(viol_rule(&t, 0), "bad_args");
	cr_assert_str_eq(viol_msg(&t, 0), "read_file: missing required argument 'path'");
	turn_free(&t);
}

Test(validate_rules, refused_calls_do_not_count_toward_limits)
{
	struct turn t;

	/* The first run_shell lacks its command: refused, so the second is
	 * the one that runs. */
	turn_run(&t, "run_shell run_shell:command", NULL);
	cr_assert_eq(cJSON_GetArraySize(t.viol), 1);
	cr_assert_eq(viol_call(&t, 0), 0);
	assert_plan(&t, "[[1]]");
	turn_free(&t);
}

Test(validate_kind, kinds_route_shell_away_from_the_file_tools)
{
	cJSON *cfg =
	    cJSON_Parse("{\"tools\":[{\"name\":\"sh2\",\"manipulations\":[\"shell.exec\"]},"
	                "{\"name\":\"w2\",\"manipulations\":[\"file.write\"]}]}");

	cr_assert_str_eq(tool_call_kind(cfg, "run_shell"), "shell");
	cr_assert_str_eq(tool_call_kind(cfg, "bash"), "shell");
	cr_assert_str_eq(tool_call_kind(cfg, "sh2"), "shell");
	cr_assert_str_eq(tool_call_kind(cfg, "w2"), "edit");
	cr_assert_str_eq(tool_call_kind(cfg, "apply_unified_patch"), "edit");
	cr_assert_str_eq(tool_call_kind(cfg, "read"), "file");
	cr_assert_str_eq(tool_call_kind(cfg, "mark_task_complete"), "complete");
	cr_assert_str_eq(tool_call_kind(cfg, "webfetch"), "other");
	cJSON_Delete(cfg);
}

Test(validate_rules, a_mode_may_name_a_tool_by_its_alias)
{
	cJSON *cfg =
	    cJSON_Parse("{\"tools\":[{\"name\":\"apply_search_replace\",\"parameters\":[]},"
	                "{\"name\":\"read_file\",\"parameters\":[]}],"
	                "\"aliases\":{\"edit\":\"apply_search_replace\"}}");
	cJSON *calls = cJSON_Parse("[{\"name\":\"apply_search_replace\",\"args\":{}},"
	                           "{\"name\":\"read_file\",\"args\":{}}]");
	cJSON *en = cJSON_Parse("[\"edit\"]"), *viol;
	struct tool_turn t = {cfg, en, NULL, "build"};

	viol = tool_turn_validate(&t, calls);
	cr_assert_eq(cJSON_GetArraySize(viol), 1);
	cr_assert_eq(cJSON_GetNumberValue(cJSON_GetObjectItem(cJSON_GetArrayItem(viol, 0), "call")),
	             1);
	cJSON_Delete(viol);
	cJSON_Delete(cfg);
	cJSON_Delete(calls);
	cJSON_Delete(en);
}

Test(validate_rules, unknown_tool_suggests_the_closest_name)
{
	struct turn t;

	turn_run(&t, "readFile:path list-dirs:path zzz", NULL);
	cr_assert_eq(cJSON_GetArraySize(t.viol), 3);
	cr_assert(strstr(viol_msg(&t, 0), "unknown tool 'readFile' (did you mean 'read_file'?)") !=
	              NULL,
	          "%s", viol_msg(&t, 0));
	cr_assert(strstr(viol_msg(&t, 1), "(did you mean 'list_dir'?)") != NULL, "%s",
	          viol_msg(&t, 1));
	cr_assert(strstr(viol_msg(&t, 2), "did you mean") == NULL, "%s", viol_msg(&t, 2));
	turn_free(&t);
}
