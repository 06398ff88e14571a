/*
 * run_turn.c — one turn of the loop: the prompt of the turn, the model
 * call (streamed live), the parse and validation of its tool calls, their
 * execution, and the relay of results and errors into the next turn.
 *
 * loop.turn_strategy as implemented:
 *   flow: assistant_continuation  every assistant message stays in the
 *         history and the next request continues after it (the only flow).
 *   relay: tool_role | user       provider-native calls are always answered
 *         by tool-role messages (one per call id: the providers refuse a
 *         request with an unanswered call); results of text-dialect calls
 *         have no call id to answer, so both settings relay them in the
 *         next user message, with parse errors and rule violations.
 *   tool_result_injection         "full", or (default) long outputs keep
 *         their head and tail.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/config/config.h"
#include "lib/core/clock.h"
#include "lib/core/fsutil.h"
#include "lib/core/log.h"
#include "lib/core/strbuf.h"
#include "lib/core/xmalloc.h"
#include "lib/tpsl/tpsl.h"
#include "supervisor/conductor.h"
#include "supervisor/proc.h"
#include "supervisor/runlog.h"

#define RUN_LLM_TIMEOUT_MS 300000
#define RUN_PARSE_TIMEOUT_MS 30000
#define RUN_NUDGE                                                                                  \
	"No tool call was found in your last message. Continue with the task using the "           \
	"tools; when the task is complete, say so as instructed."


static void
run_msg_add(cJSON *messages, const char *role, const char *content)
{
	cJSON *m = cJSON_CreateObject();

	cJSON_AddStringToObject(m, "role", role);
	cJSON_AddStringToObject(m, "content", content ? content : "");
	cJSON_AddItemToArray(messages, m);
}

static void
run_llm_event(const cJSON *ev, void *arg)
{
	struct cond *c = arg;
	const char *kind = kc_cfg_str(ev, "kind", "");

	if (c->stopping)
		return;
	if (strcmp(kind, "token") == 0) {
		run_ui_text(&c->ui, kc_cfg_str(ev, "text", ""));
	} else if (strcmp(kind, "retry") == 0) {
		run_ui_retry(&c->ui, ev);
		runlog_event(c->rl, "api_retry", cJSON_Duplicate(ev, 1));
	}
}

/* A response recorded for this turn: in the replayed run (replay), or in
 * this run itself (resume after a crash between the call and the end of
 * the turn: the answer is reused, not asked for twice). */
static cJSON *
run_recorded_response(struct cond *c)
{
	const char *dir = c->replay_src ? c->replay_src : runlog_dir(c->rl);
	char *p = xasprintf("%s/raw/responses/turn_%d.response.json", dir, c->turn), err[512];
	cJSON *j = kc_json_file_load(p, err, sizeof(err)); /* none: the caller says so */

	free(p);
	return j;
}

static cJSON *
run_llm_body(struct cond *c, const char *mode, cJSON *messages, int with_tools)
{
	cJSON *b = cJSON_CreateObject();
	struct cond_mode *m;
	char err[256];

	cJSON_AddItemToObject(b, "model", cJSON_Duplicate(c->model_entry, 1));
	cJSON_AddItemToObject(b, "fallback_models", cJSON_Duplicate(c->fallbacks, 1));
	cJSON_AddItemToObject(b, "messages", cJSON_Duplicate(messages, 1));
	m = with_tools && c->native ? run_mode_get(c, mode, err, sizeof(err)) : NULL;
	if (m != NULL && cJSON_GetArraySize(m->prompts->native_tools) > 0) {
		cJSON_AddItemToObject(b, "tools", cJSON_Duplicate(m->prompts->native_tools, 1));
		cJSON_AddStringToObject(b, "tool_choice", "auto");
	}
	cJSON_AddBoolToObject(b, "stream", 1);
	cJSON_AddNumberToObject(b, "timeout_ms", RUN_LLM_TIMEOUT_MS);
	return b;
}

static void
run_llm_record(struct cond *c, const cJSON *body, cJSON *reply, long long ms)
{
	char rel[96];
	const cJSON *raw = cJSON_GetObjectItemCaseSensitive(reply, "raw_request");
	cJSON *f = cJSON_CreateObject();

	snprintf(rel, sizeof(rel), "raw/requests/turn_%d.request.json", c->turn);
	runlog_write_raw(c->rl, rel, raw ? raw : body);
	cJSON_DeleteItemFromObjectCaseSensitive(reply, "raw_request");
	snprintf(rel, sizeof(rel), "raw/responses/turn_%d.response.json", c->turn);
	runlog_write_raw(c->rl, rel, reply);
	c->prompt_tokens += (long)kc_cfg_num(reply, "usage.prompt_tokens", 0);
	c->completion_tokens += (long)kc_cfg_num(reply, "usage.completion_tokens", 0);
	c->cost_usd += kc_cfg_num(reply, "cost_usd", 0);
	cJSON_AddNumberToObject(f, "turn", c->turn);
	cJSON_AddNumberToObject(f, "latency_ms", (double)ms);
	cJSON_AddStringToObject(f, "model", kc_cfg_str(reply, "model_used", c->model_id));
	cJSON_AddStringToObject(f, "finish_reason", kc_cfg_str(reply, "finish_reason", "?"));
	cJSON_AddNumberToObject(f, "prompt_tokens", kc_cfg_num(reply, "usage.prompt_tokens", 0));
	cJSON_AddNumberToObject(f, "completion_tokens",
	                        kc_cfg_num(reply, "usage.completion_tokens", 0));
	cJSON_AddNumberToObject(f, "attempts", kc_cfg_num(reply, "attempts", 1));
	runlog_event(c->rl, "api_call_end", f);
}

/* A model call runs in its own thread so that SIGINT stops the run at
 * once, not when the stream ends: the call is abandoned (its worker is
 * stopped at teardown, which ends it) and the turn is not recorded. */
struct run_llm_job {
	struct cond *c;
	cJSON *body;
	cJSON *reply;
	int rc;
	int done;
	char err[1024];
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t th;
};

#define RUN_LLM_ABANDONED (-100)

static void *
run_llm_thread(void *arg)
{
	struct run_llm_job *j = arg;

	j->rc =
	    sup_call(j->c->sup, SUP_LLM, IPC_T_LLM_COMPLETE, j->body, RUN_LLM_TIMEOUT_MS + 10000, 1,
	             &j->reply, run_llm_event, j->c, j->err, sizeof(j->err));
	pthread_mutex_lock(&j->mu);
	j->done = 1;
	pthread_cond_signal(&j->cv);
	pthread_mutex_unlock(&j->mu);
	return NULL;
}

static void
run_llm_job_free(struct run_llm_job *j)
{
	pthread_join(j->th, NULL);
	pthread_mutex_destroy(&j->mu);
	pthread_cond_destroy(&j->cv);
	cJSON_Delete(j->reply);
	cJSON_Delete(j->body);
	free(j);
}

void
run_llm_abandoned_reap(struct cond *c)
{
	if (c->llm_abandoned != NULL)
		run_llm_job_free(c->llm_abandoned);
	c->llm_abandoned = NULL;
}

static int
run_llm_wait(struct cond *c, const cJSON *body, cJSON **reply, char *err, size_t errlen)
{
	struct run_llm_job *j = xcalloc(1, sizeof(*j));
	struct timespec ts;
	int rc;

	j->c = c;
	pthread_mutex_lock(&c->ui.mtx);
	c->ui.streamed = 0; /* what a `retry` of this request voids */
	pthread_mutex_unlock(&c->ui.mtx);
	j->body = cJSON_Duplicate(body, 1); /* the thread may outlive the caller's */
	pthread_mutex_init(&j->mu, NULL);
	pthread_cond_init(&j->cv, NULL);
	if (pthread_create(&j->th, NULL, run_llm_thread, j) != 0) {
		cJSON_Delete(j->body);
		free(j);
		return sup_call(c->sup, SUP_LLM, IPC_T_LLM_COMPLETE, body,
		                RUN_LLM_TIMEOUT_MS + 10000, 1, reply, run_llm_event, c, err,
		                errlen);
	}
	pthread_mutex_lock(&j->mu);
	while (!j->done && !sup_interrupted()) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 50 * 1000 * 1000;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&j->cv, &j->mu, &ts);
	}
	if (!j->done) {
		pthread_mutex_unlock(&j->mu);
		c->stopping = 1;
		c->llm_abandoned = j;
		snprintf(err, errlen, "interrupted while waiting for the model");
		return RUN_LLM_ABANDONED;
	}
	pthread_mutex_unlock(&j->mu);
	rc = j->rc;
	*reply = j->reply;
	j->reply = NULL;
	snprintf(err, errlen, "%s", j->err);
	run_llm_job_free(j);
	return rc;
}

/* The model's answer for this turn: recorded (replay/resume) or asked. */
cJSON *
run_llm_call(struct cond *c, const char *mode, cJSON *messages, int with_tools, char *err,
             size_t errlen)
{
	cJSON *body, *reply = run_recorded_response(c), *f;
	long long t0 = kc_mono_ms();
	int rc;

	body = run_llm_body(c, mode, messages, with_tools);
	if (reply != NULL || c->replay_src != NULL) {
		if (reply == NULL) {
			snprintf(err, errlen, "%s: no recorded response for turn %d", c->replay_src,
			         c->turn);
		} else {
			run_ui_text(&c->ui, kc_cfg_str(reply, "content", ""));
			run_llm_record(c, body, reply, 0);
		}
		cJSON_Delete(body);
		return reply;
	}
	f = cJSON_CreateObject();
	cJSON_AddNumberToObject(f, "turn", c->turn);
	cJSON_AddStringToObject(f, "mode", mode);
	cJSON_AddNumberToObject(f, "messages", cJSON_GetArraySize(messages));
	runlog_event(c->rl, "api_call_start", f);
	rc = run_llm_wait(c, body, &reply, err, errlen);
	if (rc == RUN_LLM_ABANDONED) {
		cJSON_Delete(body); /* the job runs on its own copy */
		f = cJSON_CreateObject();
		cJSON_AddNumberToObject(f, "turn", c->turn);
		runlog_event(c->rl, "api_call_abandoned", f);
		return NULL;
	}
	if (rc != IPC_OK) {
		if (rc == IPC_E_REMOTE)
			snprintf(err, errlen, "model call failed: %s",
			         kc_cfg_str(reply, "error", "unknown error"));
		cJSON_Delete(reply);
		cJSON_Delete(body);
		f = cJSON_CreateObject();
		cJSON_AddNumberToObject(f, "turn", c->turn);
		cJSON_AddStringToObject(f, "error", err);
		runlog_event(c->rl, "api_call_error", f);
		return NULL;
	}
	run_llm_record(c, body, reply, kc_mono_ms() - t0);
	cJSON_Delete(body);
	return reply;
}

/* The system message of the mode, and the turn's user message: pending
 * text (task, results, errors) plus the per-turn tool prompt. */
static int
run_turn_prompt(struct cond *c, struct cond_mode *m)
{
	const struct kc_prompts *p = m->prompts;
	cJSON *sys = cJSON_GetArrayItem(c->messages, 0);
	char rel[160];
	struct strbuf u = STRBUF_INIT;

	if (sys == NULL || strcmp(kc_cfg_str(sys, "content", ""), p->system) != 0) {
		if (sys == NULL)
			cJSON_AddItemToArray(c->messages, cJSON_CreateObject());
		cJSON_ReplaceItemInArray(c->messages, 0, cJSON_CreateObject());
		sys = cJSON_GetArrayItem(c->messages, 0);
		cJSON_AddStringToObject(sys, "role", "system");
		cJSON_AddStringToObject(sys, "content", p->system);
		runlog_write_file(c->rl, "prompts/compiled_system.md", p->system,
		                  strlen(p->system));
		snprintf(rel, sizeof(rel), "prompts/catalogs/%s/catalog_manifest.json", m->name);
		runlog_write_json(c->rl, rel, p->catalog_manifest);
		runlog_section_add(c->rl, RUNLOG_SEC_SYSTEM, c->turn, p->system,
		                   "prompts/compiled_system.md");
	}
	snprintf(rel, sizeof(rel), "prompts/per_turn/turn_%d.md", c->turn);
	runlog_write_file(c->rl, rel, p->per_turn, strlen(p->per_turn));
	/* After native calls the tool messages carry the results: a user
	 * message then only holds the per-turn prompt, if any. */
	if (c->pending == NULL && c->relayed_native && p->per_turn[0] == '\0')
		return 0;
	if (c->pending != NULL || !c->relayed_native) {
		strbuf_adds(&u, c->pending ? c->pending : RUN_NUDGE);
		runlog_section_add(c->rl, RUNLOG_SEC_USER, c->turn,
		                   c->pending ? c->pending : RUN_NUDGE,
		                   c->turn == 1 ? "prompts/task.md" : NULL);
	}
	if (p->per_turn[0] != '\0') {
		if (u.len > 0)
			strbuf_adds(&u, "\n\n");
		strbuf_adds(&u, p->per_turn);
		runlog_section_add(c->rl, RUNLOG_SEC_TOOLS_PROMPT, c->turn, p->per_turn, rel);
	}
	run_msg_add(c->messages, "user", strbuf_str(&u));
	strbuf_free(&u);
	free(c->pending);
	c->pending = NULL;
	return 0;
}

static void
run_native_record(struct cond *c, struct cond_mode *m, const cJSON *calls)
{
	char rel[96];

	if (c->native && cJSON_GetArraySize(m->prompts->native_tools) > 0) {
		snprintf(rel, sizeof(rel), "provider_native/tools_provided/turn_%d.json", c->turn);
		runlog_write_json(c->rl, rel, m->prompts->native_tools);
		runlog_section_add(c->rl, RUNLOG_SEC_NATIVE_PROVIDED, c->turn, NULL, rel);
	}
	if (cJSON_GetArraySize(calls) > 0) {
		char *text = cJSON_Print(calls);

		snprintf(rel, sizeof(rel), "provider_native/tool_calls/turn_%d.json", c->turn);
		runlog_write_json(c->rl, rel, calls);
		runlog_section_add(c->rl, RUNLOG_SEC_NATIVE_CALLS, c->turn, text, rel);
		free(text);
	}
}

/* The assistant message as the model sent it (native calls included). */
static void
run_assistant_add(struct cond *c, const cJSON *reply)
{
	cJSON *m = cJSON_CreateObject();
	const cJSON *calls = cJSON_GetObjectItemCaseSensitive(reply, "tool_calls");
	char rel[96];

	cJSON_AddStringToObject(m, "role", "assistant");
	cJSON_AddStringToObject(m, "content", kc_cfg_str(reply, "content", ""));
	if (cJSON_GetArraySize(calls) > 0)
		cJSON_AddItemToObject(m, "tool_calls", cJSON_Duplicate(calls, 1));
	cJSON_AddItemToArray(c->messages, m);
	snprintf(rel, sizeof(rel), "raw/responses/turn_%d.response.json", c->turn);
	runlog_section_add(c->rl, RUNLOG_SEC_ASSISTANT, c->turn, kc_cfg_str(reply, "content", ""),
	                   rel);
	snprintf(c->last_finish, sizeof(c->last_finish), "%s",
	         kc_cfg_str(reply, "finish_reason", ""));
}

static cJSON *
run_parse(struct cond *c, struct cond_mode *m, const cJSON *reply, char *err, size_t errlen)
{
	cJSON *b = cJSON_CreateObject(), *out = NULL;
	const cJSON *calls = cJSON_GetObjectItemCaseSensitive(reply, "tool_calls");
	int rc;

	cJSON_AddStringToObject(b, "text", kc_cfg_str(reply, "content", ""));
	cJSON_AddItemToObject(b, "native_calls",
	                      calls ? cJSON_Duplicate(calls, 1) : cJSON_CreateArray());
	cJSON_AddItemToObject(b, "dialects", cJSON_Duplicate(c->dialects, 1));
	cJSON_AddItemToObject(b, "enabled_tools", cJSON_Duplicate(m->enabled, 1));
	cJSON_AddStringToObject(b, "mode", m->name);
	rc = sup_call(c->sup, SUP_TOOLS, IPC_T_TOOLS_PARSE, b, RUN_PARSE_TIMEOUT_MS, 1, &out, NULL,
	              NULL, err, errlen);
	cJSON_Delete(b);
	if (rc != IPC_OK) {
		if (rc == IPC_E_REMOTE)
			snprintf(err, errlen, "tool-call parsing failed: %s",
			         kc_cfg_str(out, "error", "?"));
		cJSON_Delete(out);
		return NULL;
	}
	return out;
}

/* Parse errors and rule violations, as text for the model. Empty: none. */
static void
run_parse_problems(const cJSON *parse, struct strbuf *sb)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(parse, "errors"))
	{
		if (sb->len == 0)
			strbuf_adds(sb, "Problems with the tool calls in your last message:\n");
		if (kc_cfg_num(e, "line", 0) > 0)
			strbuf_addf(sb, "- line %d: %s\n", (int)kc_cfg_num(e, "line", 0),
			            kc_cfg_str(e, "message", "?"));
		else
			strbuf_addf(sb, "- %s\n", kc_cfg_str(e, "message", "?"));
	}
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(parse, "violations"))
	{
		if (sb->len == 0)
			strbuf_adds(sb, "Problems with the tool calls in your last message:\n");
		strbuf_addf(sb, "- call %d: %s: %s\n", (int)kc_cfg_num(e, "call", 0) + 1,
		            kc_cfg_str(e, "rule", "?"), kc_cfg_str(e, "message", "?"));
	}
	if (sb->len > 0)
		strbuf_adds(sb, "Correct these and send the calls again.\n");
}

/* tool_result_injection: "full" relays outputs whole; otherwise long
 * outputs keep their head and tail (errors are usually at the end). */
static char *
run_inject(const struct cond *c, const char *out)
{
	const char *how =
	    kc_cfg_str(c->root, "loop.turn_strategy.tool_result_injection", "summarize");
	size_t len = strlen(out), cap = 16384;

	if (strcmp(how, "full") == 0 || len <= cap)
		return xstrdup(out);
	return xasprintf("%.*s\n[... %zu bytes omitted ...]\n%s", (int)(cap / 2), out, len - cap,
	                 out + len - cap / 2);
}

static void
run_result_artifacts(struct cond *c, size_t i, const struct cond_result *r)
{
	char rel[256];

	snprintf(rel, sizeof(rel), "artifacts/tool_results/turn_%d/%03zu_%s.txt", c->turn, i + 1,
	         r->name);
	runlog_write_file(c->rl, rel, r->output, strlen(r->output));
	if (r->diff != NULL && r->diff[0] != '\0') {
		snprintf(rel, sizeof(rel), "artifacts/diffs/turn_%d/%03zu_%s.patch", c->turn, i + 1,
		         r->name);
		runlog_write_file(c->rl, rel, r->diff, strlen(r->diff));
	}
}

static void
run_tool_msg(cJSON *messages, const char *id, const char *content)
{
	cJSON *m = cJSON_CreateObject();

	cJSON_AddStringToObject(m, "role", "tool");
	cJSON_AddStringToObject(m, "tool_call_id", id);
	cJSON_AddStringToObject(m, "content", content);
	cJSON_AddItemToArray(messages, m);
}

/* Every native call of the reply gets exactly one tool message: a
 * request with an unanswered tool call is refused by the providers. */
static void
run_relay_native(struct cond *c, const cJSON *reply, const struct cond_result *res, size_t n)
{
	const cJSON *call;
	cJSON *arr = cJSON_CreateArray(), *o;
	char rel[96], *text, *inj;
	size_t i;

	cJSON_ArrayForEach(call, cJSON_GetObjectItemCaseSensitive(reply, "tool_calls"))
	{
		const char *id = kc_cfg_str(call, "id", "");

		for (i = 0; i < n; i++)
			if (res[i].native && strcmp(res[i].id, id) == 0)
				break;
		inj = i < n ? run_inject(c, res[i].output)
		            : xstrdup("error: this call was not executed (see the problems "
		                      "listed in the next message)");
		run_tool_msg(c->messages, id, inj);
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "tool_call_id", id);
		cJSON_AddStringToObject(o, "name", kc_cfg_str(call, "name", "?"));
		cJSON_AddBoolToObject(o, "ok", i < n && res[i].ok);
		cJSON_AddStringToObject(o, "content", inj);
		cJSON_AddItemToArray(arr, o);
		free(inj);
	}
	c->relayed_native = cJSON_GetArraySize(arr) > 0;
	if (c->relayed_native) {
		snprintf(rel, sizeof(rel), "provider_native/tool_results/turn_%d.json", c->turn);
		runlog_write_json(c->rl, rel, arr);
		text = cJSON_Print(arr);
		runlog_section_add(c->rl, RUNLOG_SEC_NATIVE_RESULTS, c->turn, text, rel);
		free(text);
	}
	cJSON_Delete(arr);
}

static void
run_relay(struct cond *c, const cJSON *reply, const struct cond_result *res, size_t n,
          struct strbuf *problems)
{
	struct strbuf t = STRBUF_INIT;
	char rel[96], *inj;
	size_t i;

	for (i = 0; i < n; i++) {
		run_result_artifacts(c, i, &res[i]);
		if (res[i].native)
			continue;
		inj = run_inject(c, res[i].output);
		if (t.len == 0)
			strbuf_adds(&t, "Tool results:\n");
		strbuf_addf(&t, "[%s %s] %s\n%s%s", res[i].name, res[i].id,
		            res[i].ok ? "ok" : "FAILED", inj,
		            inj[0] && inj[strlen(inj) - 1] != '\n' ? "\n" : "");
		free(inj);
	}
	run_relay_native(c, reply, res, n);
	if (t.len > 0) {
		snprintf(rel, sizeof(rel), "artifacts/tool_results/turn_%d", c->turn);
		runlog_section_add(c->rl, RUNLOG_SEC_TOOL_RESULTS, c->turn,
		                   strbuf_str(&t) + strlen("Tool results:\n"), rel);
	}
	if (problems->len > 0)
		strbuf_add(&t, problems->buf, problems->len);
	free(c->pending);
	c->pending = t.len > 0 ? strbuf_detach(&t, NULL) : NULL;
	strbuf_free(&t);
}

static void
run_turn_header(struct cond *c, const char *mode)
{
	cJSON *f = cJSON_CreateObject();

	cJSON_AddNumberToObject(f, "turn", c->turn);
	cJSON_AddStringToObject(f, "mode", mode);
	run_ui_event(&c->ui, "turn_start", cJSON_Duplicate(f, 1));
	runlog_event(c->rl, "turn_start", f);
	run_ui_line(&c->ui, "1;34", "── turn %d/%d · mode %s ──", c->turn, c->max_steps, mode);
}

static void
run_turn_footer(struct cond *c)
{
	cJSON *f = cJSON_CreateObject();

	cJSON_AddNumberToObject(f, "turn", c->turn);
	cJSON_AddNumberToObject(f, "prompt_tokens", (double)c->prompt_tokens);
	cJSON_AddNumberToObject(f, "completion_tokens", (double)c->completion_tokens);
	cJSON_AddNumberToObject(f, "cost_usd", c->cost_usd);
	run_ui_event(&c->ui, "turn_end", f);
	run_ui_line(&c->ui, "2", "   tokens %ld in / %ld out · $%.4f", c->prompt_tokens,
	            c->completion_tokens, c->cost_usd);
}

/* After the model answered: parse, execute, relay, check completion. */
static int
run_turn_act(struct cond *c, struct cond_mode *m, cJSON *reply, char *err, size_t errlen)
{
	struct cond_result *res = NULL;
	size_t nres = 0;
	struct strbuf problems = STRBUF_INIT;
	cJSON *parse;
	const cJSON *native = cJSON_GetObjectItemCaseSensitive(reply, "tool_calls");
	int rc;

	run_assistant_add(c, reply);
	run_native_record(c, m, native);
	parse = run_parse(c, m, reply, err, errlen);
	if (parse == NULL)
		return -1;
	run_parse_problems(parse, &problems);
	if (problems.len > 0)
		run_ui_line(&c->ui, "33", "   %s", strbuf_str(&problems));
	rc = run_exec_calls(c, parse, native, &res, &nres, err, errlen);
	if (rc < 0) {
		cJSON_Delete(parse);
		strbuf_free(&problems);
		return rc;
	}
	run_relay(c, reply, res, nres, &problems);
	rc = run_completion_check(
	    c, kc_cfg_str(reply, "content", ""),
	    (size_t)cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(parse, "calls")) +
	        (problems.len > 0),
	    res, nres, kc_cfg_str(reply, "finish_reason", ""));
	run_results_free(res, nres);
	cJSON_Delete(parse);
	strbuf_free(&problems);
	return rc;
}

int
run_turn(struct cond *c, char *err, size_t errlen)
{
	const char *mode;
	struct cond_mode *m;
	cJSON *reply;
	int rc;

	c->turn++;
	mode = run_loop_next_mode(c);
	if (mode == NULL) {
		snprintf(err, errlen, "the config defines no mode to run");
		return -1;
	}
	snprintf(c->mode, sizeof(c->mode), "%s", mode);
	run_turn_header(c, c->mode);
	if (strcmp(c->mode, "compact") == 0) {
		rc = run_compact(c, err, errlen);
	} else {
		m = run_mode_get(c, c->mode, err, errlen);
		if (m == NULL || run_turn_prompt(c, m) < 0)
			return -1;
		reply = run_llm_call(c, c->mode, c->messages, 1, err, errlen);
		if (reply == NULL)
			return sup_interrupted() ? -2 : -1;
		rc = run_turn_act(c, m, reply, err, errlen);
		cJSON_Delete(reply);
	}
	if (rc < 0)
		return rc;
	run_turn_footer(c);
	if (run_checkpoint_write(c) < 0 || runlog_flush(c->rl) < 0) {
		snprintf(err, errlen, "run log: %s", runlog_last_error(c->rl));
		return -1;
	}
	if (rc == 0 && sup_interrupted())
		return -2;
	return rc;
}
