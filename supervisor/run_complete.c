/*
 * run_complete.c — when is the task done (`completion:`). Signals:
 *   tool_finish      the finish tool (mark_task_complete) was called
 *   text_sentinels   the assistant text contains one of the sentinels
 *   provider_signals the provider ended a turn without tool calls
 *                    (finish_reason "stop"); when natural_finish has a
 *                    positive limit it decides instead, so that one
 *                    quiet turn does not end the run
 *   natural_finish   idle_turn_limit turns with neither text nor calls in
 *                    a row, or no_tool_turns_threshold turns without calls
 * primary: hybrid (any signal) or the name of the one signal that counts.
 * The reason is recorded in meta/run_meta.json and the trace.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "lib/config/config.h"
#include "supervisor/conductor.h"
#include "supervisor/runlog.h"

static int
run_signal_on(const struct cond *c, const char *signal)
{
	const char *p = kc_cfg_str(c->root, "completion.primary", "hybrid");

	return strcmp(p, "hybrid") == 0 || strcmp(p, signal) == 0;
}

static int
run_blank(const char *s)
{
	while (*s != '\0' && isspace((unsigned char)*s))
		s++;
	return *s == '\0';
}

static const char *
run_sentinel_hit(const struct cond *c, const char *content)
{
	const cJSON *s;

	cJSON_ArrayForEach(s, kc_cfg_get(c->root, "completion.text_sentinels"))
	{
		if (cJSON_IsString(s) && s->valuestring[0] != '\0' &&
		    strstr(content, s->valuestring) != NULL)
			return "text_sentinel";
	}
	return NULL;
}

static const char *
run_natural(struct cond *c, const char *content, size_t ncalls, const char *finish)
{
	const cJSON *nf = kc_cfg_get(c->root, "completion.natural_finish");
	int idle_lim = (int)kc_cfg_num(nf, "idle_turn_limit", 0);
	int notool_lim = (int)kc_cfg_num(nf, "no_tool_turns_threshold", 0);

	if (ncalls > 0) {
		c->idle_turns = c->no_tool_turns = 0;
		return NULL;
	}
	c->no_tool_turns++;
	c->idle_turns = run_blank(content) ? c->idle_turns + 1 : 0;
	if (idle_lim <= 0 && notool_lim <= 0) {
		if (kc_cfg_bool(c->root, "completion.provider_signals", 0) &&
		    strcmp(finish, "stop") == 0 && run_signal_on(c, "provider_signals"))
			return "provider_signal";
		return NULL;
	}
	if (!run_signal_on(c, "natural_finish"))
		return NULL;
	if (idle_lim > 0 && c->idle_turns >= idle_lim)
		return "natural_finish_idle";
	if (notool_lim > 0 && c->no_tool_turns >= notool_lim)
		return "natural_finish_no_tools";
	return NULL;
}

int
run_completion_check(struct cond *c, const char *content, size_t ncalls,
                     const struct cond_result *res, size_t nres, const char *finish)
{
	const char *reason = NULL, *tf = kc_cfg_str(c->root, "completion.tool_finish", NULL);
	size_t i;
	cJSON *f;

	for (i = 0; i < nres && reason == NULL; i++)
		if (res[i].complete && res[i].ok && run_signal_on(c, "tool_finish") &&
		    (tf == NULL || strcmp(res[i].name, tf) == 0 ||
		     strstr(res[i].name, "complete") != NULL))
			reason = "tool_finish";
	if (reason == NULL && run_signal_on(c, "text_sentinels"))
		reason = run_sentinel_hit(c, content);
	if (reason == NULL)
		reason = run_natural(c, content, ncalls, finish);
	else
		c->idle_turns = c->no_tool_turns = 0;
	if (reason == NULL)
		return 0;
	c->completed = 1;
	snprintf(c->reason, sizeof(c->reason), "%s", reason);
	f = cJSON_CreateObject();
	cJSON_AddNumberToObject(f, "turn", c->turn);
	cJSON_AddStringToObject(f, "reason", reason);
	runlog_event(c->rl, "completion", f);
	return 1;
}
