/*
 * run_loop.c — which mode a turn runs in (`loop.sequence`) and context
 * management. The sequence is read as the prototype wrote it:
 *   - {if: features.X, then: {mode: M}}   an opening phase while features.X
 *                                          is true, for loop.plan_turn_limit
 *                                          turns (default 1)
 *   - {mode: M}                            the main mode
 *   - {do: {mode: M}, while: needs_compact} a turn in M whenever the context
 *                                          needs compacting
 * needs_compact: the estimated tokens of the conversation leave less than
 * the compact mode's triggers.tokens_remaining_pct_lt percent of the
 * model's context_window (default 128000).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/config/config.h"
#include "lib/core/strbuf.h"
#include "lib/core/xmalloc.h"
#include "lib/tpsl/tpsl.h"
#include "supervisor/conductor.h"
#include "supervisor/runlog.h"

#define RUN_KEEP_MESSAGES 4 /* the newest messages kept verbatim by compaction */

/* ~4 bytes per token plus a little per message: a cheap estimate that
 * errs high, which is the safe side for a context budget. */
long
run_tokens_estimate(const cJSON *messages)
{
	const cJSON *m, *tc;
	long bytes = 0, n = 0;
	char *s;

	cJSON_ArrayForEach(m, messages)
	{
		n++;
		bytes += (long)strlen(kc_cfg_str(m, "content", ""));
		tc = cJSON_GetObjectItemCaseSensitive(m, "tool_calls");
		if (tc != NULL) {
			s = cJSON_PrintUnformatted(tc);
			bytes += (long)strlen(s);
			free(s);
		}
	}
	return bytes / 4 + n * 4;
}

static const cJSON *
run_mode_cfg(const struct cond *c, const char *name)
{
	const cJSON *m;

	cJSON_ArrayForEach(m, kc_cfg_get(c->root, "modes"))
	{
		if (strcmp(kc_cfg_str(m, "name", ""), name) == 0)
			return m;
	}
	return NULL;
}

static const char *
run_compact_mode(const struct cond *c)
{
	const cJSON *s;

	cJSON_ArrayForEach(s, kc_cfg_get(c->root, "loop.sequence"))
	{
		if (strcmp(kc_cfg_str(s, "while", ""), "needs_compact") == 0)
			return kc_cfg_str(s, "do.mode", NULL);
	}
	return NULL;
}

int
run_needs_compact(const struct cond *c)
{
	const char *cm = run_compact_mode(c);
	double lt =
	    kc_cfg_num(run_mode_cfg(c, cm ? cm : ""), "triggers.tokens_remaining_pct_lt", 0);
	long used = run_tokens_estimate(c->messages);
	double left;

	if (cm == NULL || lt <= 0 || c->context_window <= 0 ||
	    cJSON_GetArraySize(c->messages) < RUN_KEEP_MESSAGES + 2)
		return 0;
	left = 100.0 * (double)(c->context_window - used) / (double)c->context_window;
	return left < lt;
}

static int
run_feature_on(const struct cond *c, const char *cond)
{
	if (strncmp(cond, "features.", 9) != 0)
		return 0;
	return kc_cfg_bool(kc_cfg_get(c->root, "features"), cond + 9, 0);
}

const char *
run_loop_next_mode(struct cond *c)
{
	const cJSON *s;
	const char *main_mode = NULL, *open = NULL;
	int limit = (int)kc_cfg_num(c->root, "loop.plan_turn_limit", 1);

	/* Never two compact turns in a row: if one summary is not enough, the
	 * kept turns are the problem and another summary would not help. */
	if (run_needs_compact(c) && run_compact_mode(c) != NULL &&
	    strcmp(c->mode, run_compact_mode(c)) != 0)
		return run_compact_mode(c);
	cJSON_ArrayForEach(s, kc_cfg_get(c->root, "loop.sequence"))
	{
		if (kc_cfg_str(s, "if", NULL) != NULL && open == NULL &&
		    run_feature_on(c, kc_cfg_str(s, "if", "")))
			open = kc_cfg_str(s, "then.mode", NULL);
		else if (kc_cfg_str(s, "mode", NULL) != NULL && main_mode == NULL)
			main_mode = kc_cfg_str(s, "mode", NULL);
	}
	if (open != NULL && c->plan_turns < limit) {
		c->plan_turns++;
		return open;
	}
	if (main_mode != NULL)
		return main_mode;
	return open ? open : kc_prompts_start_mode(c->cfg);
}

static char *
run_compact_input(const cJSON *messages, int upto)
{
	struct strbuf sb = STRBUF_INIT;
	const cJSON *m;
	int i;

	strbuf_adds(&sb, "Summarize the conversation below for your own later use: the task, "
	                 "what has been done, the files changed, what remains, and any errors "
	                 "still open. Be concise.\n\n");
	for (i = 1; i < upto; i++) {
		m = cJSON_GetArrayItem(messages, i);
		strbuf_addf(&sb, "### %s\n%s\n\n", kc_cfg_str(m, "role", "?"),
		            kc_cfg_str(m, "content", ""));
	}
	return strbuf_detach(&sb, NULL);
}

/* Index of the first message kept verbatim: never a tool message, whose
 * assistant call would be gone. */
static int
run_compact_keep_from(const cJSON *messages)
{
	int n = cJSON_GetArraySize(messages), s = n - RUN_KEEP_MESSAGES;

	if (s < 1)
		s = 1;
	while (s < n &&
	       strcmp(kc_cfg_str(cJSON_GetArrayItem(messages, s), "role", ""), "tool") == 0)
		s++;
	return s;
}

static void
run_compact_apply(struct cond *c, const char *summary, int keep)
{
	cJSON *nm = cJSON_CreateArray(), *u;
	long before = run_tokens_estimate(c->messages);
	int i, n = cJSON_GetArraySize(c->messages);
	char *text = xasprintf("Summary of the earlier conversation (compacted):\n%s", summary);
	cJSON *f = cJSON_CreateObject();

	cJSON_AddItemToArray(nm, cJSON_Duplicate(cJSON_GetArrayItem(c->messages, 0), 1));
	u = cJSON_CreateObject();
	cJSON_AddStringToObject(u, "role", "user");
	cJSON_AddStringToObject(u, "content", text);
	cJSON_AddItemToArray(nm, u);
	for (i = keep; i < n; i++)
		cJSON_AddItemToArray(nm, cJSON_Duplicate(cJSON_GetArrayItem(c->messages, i), 1));
	cJSON_Delete(c->messages);
	c->messages = nm;
	cJSON_AddNumberToObject(f, "turn", c->turn);
	cJSON_AddNumberToObject(f, "tokens_before", (double)before);
	cJSON_AddNumberToObject(f, "tokens_after", (double)run_tokens_estimate(nm));
	cJSON_AddNumberToObject(f, "kept_messages", n - keep);
	runlog_event(c->rl, "compaction", f);
	run_ui_line(&c->ui, "35", "   compacted the conversation: ~%ld -> ~%ld tokens", before,
	            run_tokens_estimate(nm));
	free(text);
}

/* A compact turn: the model summarizes the older turns with the compact
 * mode's prompt; the summary replaces them, the newest stay verbatim. */
int
run_compact(struct cond *c, char *err, size_t errlen)
{
	struct cond_mode *m = run_mode_get(c, c->mode, err, errlen);
	int keep = run_compact_keep_from(c->messages);
	cJSON *req, *sys, *u, *reply;
	char *in;

	if (m == NULL)
		return -1;
	req = cJSON_CreateArray();
	sys = cJSON_CreateObject();
	cJSON_AddStringToObject(sys, "role", "system");
	cJSON_AddStringToObject(sys, "content", m->prompts->system);
	cJSON_AddItemToArray(req, sys);
	in = run_compact_input(c->messages, keep);
	u = cJSON_CreateObject();
	cJSON_AddStringToObject(u, "role", "user");
	cJSON_AddStringToObject(u, "content", in);
	cJSON_AddItemToArray(req, u);
	free(in);
	reply = run_llm_call(c, c->mode, req, 0, err, errlen);
	cJSON_Delete(req);
	if (reply == NULL)
		return -1;
	runlog_section_add(c->rl, RUNLOG_SEC_ASSISTANT, c->turn, kc_cfg_str(reply, "content", ""),
	                   NULL);
	run_compact_apply(c, kc_cfg_str(reply, "content", ""), keep);
	cJSON_Delete(reply);
	return 0;
}
