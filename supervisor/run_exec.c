/*
 * run_exec.c — executing one turn's validated calls in the order the
 * validator planned (batches one after another, the calls of a batch in
 * parallel threads: sup_call is thread-safe). Shell calls go to the
 * sandbox worker, everything else to the tools worker.
 *
 * Intent before effect (DESIGN §8): the dispatch record of a call is
 * durable in trace.jsonl before the request leaves, its result record
 * after. On resume a call with a result is not run again (its recorded
 * result is relayed) and a call with a dispatch but no result is reported
 * to the model as interrupted, never re-run.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/config/config.h"
#include "lib/core/clock.h"
#include "lib/core/strbuf.h"
#include "lib/core/xmalloc.h"
#include "supervisor/conductor.h"
#include "supervisor/proc.h"
#include "supervisor/runlog.h"

#define RUN_SHELL_DEFAULT_MS 120000
#define RUN_SHELL_MAX_MS 600000
#define RUN_TOOL_TIMEOUT_MS 60000

struct run_job {
	struct cond *c;
	const cJSON *call;
	struct cond_result *r;
};


static void
run_result_set(struct cond_result *r, int ok, const char *output)
{
	free(r->output);
	r->ok = ok;
	r->output = xstrdup(output ? output : "");
}

static void
run_shell_event(const cJSON *ev, void *arg)
{
	struct cond *c = arg;

	if (strcmp(kc_cfg_str(ev, "kind", ""), "output") == 0 && !c->ui.json)
		run_ui_text(&c->ui, kc_cfg_str(ev, "data", ""));
}

/* timeout: seconds as run_shell documents it; values above an hour can
 * only be milliseconds (opencode's bash). */
static int
run_shell_timeout(const struct cond *c, const cJSON *args)
{
	double t = kc_cfg_num(args, "timeout", 0);
	double max = c->shell_timeout_ms > 0 ? c->shell_timeout_ms : RUN_SHELL_MAX_MS;
	double ms = t <= 0 ? RUN_SHELL_DEFAULT_MS : t <= 3600 ? t * 1000 : t;

	/* workspace.sandbox.resources.timeout_s is both the default and the
	 * most a call may ask for. */
	if (t <= 0 && c->shell_timeout_ms > 0)
		ms = c->shell_timeout_ms;
	return ms > max ? (int)max : (int)ms;
}

static void
run_exec_shell(struct run_job *j, const cJSON *args, char *err, size_t errlen)
{
	const char *cmd = kc_cfg_str(args, "command", NULL);
	cJSON *b, *argv, *rep = NULL;
	struct strbuf sb = STRBUF_INIT;
	int rc, timeout_ms = run_shell_timeout(j->c, args);

	if (cmd == NULL) {
		run_result_set(j->r, 0, "error: the shell call has no 'command' argument");
		return;
	}
	b = j->c->sbx_base != NULL ? cJSON_Duplicate(j->c->sbx_base, 1) : cJSON_CreateObject();
	argv = cJSON_AddArrayToObject(b, "argv");
	cJSON_AddItemToArray(argv, cJSON_CreateString("sh"));
	cJSON_AddItemToArray(argv, cJSON_CreateString("-c"));
	cJSON_AddItemToArray(argv, cJSON_CreateString(cmd));
	cJSON_AddNumberToObject(b, "timeout_ms", timeout_ms);
	cJSON_AddBoolToObject(b, "stream", 1);
	rc = sup_call(j->c->sup, SUP_SANDBOX, IPC_T_SBX_EXEC, b, timeout_ms + 15000, 0, &rep,
	              run_shell_event, j->c, err, errlen);
	cJSON_Delete(b);
	if (rc != IPC_OK) {
		strbuf_addf(&sb, "error: %s",
		            rc == IPC_E_REMOTE ? kc_cfg_str(rep, "error", "?") : err);
		j->r->interrupted = rc == IPC_E_CLOSED;
		run_result_set(j->r, 0, strbuf_str(&sb));
	} else {
		strbuf_addf(&sb, "$ %s\n%s%s", cmd, kc_cfg_str(rep, "stdout", ""),
		            kc_cfg_str(rep, "stderr", ""));
		if (sb.len > 0 && sb.buf[sb.len - 1] != '\n')
			strbuf_addc(&sb, '\n');
		if (kc_cfg_bool(rep, "timed_out", 0))
			strbuf_addf(&sb, "[timed out after %d ms]\n", timeout_ms);
		else if (*kc_cfg_str(rep, "killed_reason", "") != '\0')
			strbuf_addf(&sb, "[killed: %s limit reached]\n",
			            kc_cfg_str(rep, "killed_reason", ""));
		if (kc_cfg_num(rep, "stdout_dropped", 0) + kc_cfg_num(rep, "stderr_dropped", 0) > 0)
			strbuf_addf(&sb, "[output truncated: %.0f byte(s) over the cap dropped]\n",
			            kc_cfg_num(rep, "stdout_dropped", 0) +
			                kc_cfg_num(rep, "stderr_dropped", 0));
		if (kc_cfg_bool(rep, "setup_failed", 0))
			strbuf_addf(&sb, "[sandbox setup failed: %s]\n",
			            kc_cfg_str(rep, "error", "?"));
		strbuf_addf(&sb, "[exit code %d]\n", (int)kc_cfg_num(rep, "exit_code", -1));
		run_result_set(j->r,
		               kc_cfg_num(rep, "exit_code", -1) == 0 &&
		                   !kc_cfg_bool(rep, "timed_out", 0),
		               strbuf_str(&sb));
	}
	strbuf_free(&sb);
	cJSON_Delete(rep);
}

static void
run_exec_tool(struct run_job *j, const cJSON *args, char *err, size_t errlen)
{
	cJSON *b = cJSON_CreateObject(), *call, *rep = NULL;
	const char *kind = kc_cfg_str(j->call, "kind", "other");
	int idem = !kc_cfg_bool(j->call, "blocking", 1) && strcmp(kind, "edit") != 0;
	char *text;
	int rc;

	call = cJSON_AddObjectToObject(b, "call");
	cJSON_AddStringToObject(call, "id", j->r->id);
	cJSON_AddStringToObject(call, "name", j->r->name);
	cJSON_AddItemToObject(call, "args", args ? cJSON_Duplicate(args, 1) : cJSON_CreateObject());
	rc = sup_call(j->c->sup, SUP_TOOLS, IPC_T_TOOLS_EXEC, b, RUN_TOOL_TIMEOUT_MS, idem, &rep,
	              NULL, NULL, err, errlen);
	cJSON_Delete(b);
	if (rc != IPC_OK) {
		text = xasprintf("error: %s",
		                 rc == IPC_E_REMOTE ? kc_cfg_str(rep, "error", "?") : err);
		j->r->interrupted = rc == IPC_E_CLOSED;
		run_result_set(j->r, 0, text);
		free(text);
	} else if (!kc_cfg_bool(rep, "ok", 0)) {
		text = xasprintf("error: %s%s%s", kc_cfg_str(rep, "error", "failed"),
		                 kc_cfg_str(rep, "output", "")[0] ? "\n" : "",
		                 kc_cfg_str(rep, "output", ""));
		run_result_set(j->r, 0, text);
		free(text);
	} else {
		run_result_set(j->r, 1, kc_cfg_str(rep, "output", "ok"));
	}
	if (kc_cfg_str(rep, "diff", NULL) != NULL)
		j->r->diff = xstrdup(kc_cfg_str(rep, "diff", ""));
	j->r->complete = kc_cfg_bool(rep, "complete", 0) || strcmp(kind, "complete") == 0;
	cJSON_Delete(rep);
}

static void
run_event_call(struct cond *c, const char *kind, const struct cond_result *r, const cJSON *call,
               int with_result)
{
	cJSON *f = cJSON_CreateObject();

	cJSON_AddNumberToObject(f, "turn", c->turn);
	cJSON_AddStringToObject(f, "call_id", r->id);
	cJSON_AddStringToObject(f, "name", r->name);
	if (!with_result) {
		cJSON_AddStringToObject(f, "tool_kind", kc_cfg_str(call, "kind", "other"));
		cJSON_AddItemToObject(f, "args", cJSON_Duplicate(kc_cfg_get(call, "args"), 1));
	} else {
		cJSON_AddBoolToObject(f, "ok", r->ok);
		cJSON_AddBoolToObject(f, "complete", r->complete);
		cJSON_AddBoolToObject(f, "interrupted", r->interrupted);
		cJSON_AddNumberToObject(f, "duration_ms", (double)r->duration_ms);
		cJSON_AddStringToObject(f, "output", r->output);
		if (r->diff != NULL)
			cJSON_AddStringToObject(f, "diff", r->diff);
	}
	runlog_event(c->rl, kind, f);
}

/* replay --check: the result must be what the recorded run got. */
static void
run_check_result(struct cond *c, const struct cond_result *r)
{
	int dispatched = 0;
	const cJSON *rec = run_recorded_result(c, c->turn, r->id, &dispatched);

	if (rec != NULL && kc_cfg_bool(rec, "ok", 0) == r->ok &&
	    strcmp(kc_cfg_str(rec, "output", ""), r->output) == 0)
		return;
	__atomic_fetch_add(&c->check_diffs, 1, __ATOMIC_SEQ_CST);
	run_ui_line(&c->ui, "1;31", "   replay --check: turn %d %s (%s): %s", c->turn, r->id,
	            r->name,
	            rec == NULL ? "not in the recorded run" : "result differs from the record");
	if (rec != NULL)
		fprintf(stderr, "--- recorded (turn %d %s)\n%s\n+++ replayed\n%s\n", c->turn, r->id,
		        kc_cfg_str(rec, "output", ""), r->output);
}

/* A result recorded before a crash (resume) is reused; a dispatch
 * without a result is an interrupted call. Returns 1 if handled. */
static int
run_exec_recorded(struct run_job *j)
{
	int dispatched = 0;
	const cJSON *rec;

	if (j->c->replay_src != NULL)
		return 0;
	rec = run_recorded_result(j->c, j->c->turn, j->r->id, &dispatched);
	if (rec != NULL) {
		run_result_set(j->r, kc_cfg_bool(rec, "ok", 0), kc_cfg_str(rec, "output", ""));
		j->r->complete = kc_cfg_bool(rec, "complete", 0);
		return 1;
	}
	if (!dispatched)
		return 0;
	j->r->interrupted = 1;
	run_result_set(j->r, 0,
	               "interrupted: this call was in flight when kylecode stopped; it "
	               "was not run again. Check the workspace before repeating it.");
	run_event_call(j->c, "tool_result", j->r, j->call, 1);
	return 1;
}

/* The last non-empty line (where a command's status or error sits). */
static const char *
run_last_line(const char *s, char *buf, size_t len)
{
	size_t n = strlen(s), e;

	while (n > 0 && s[n - 1] == '\n')
		n--;
	e = n;
	while (n > 0 && s[n - 1] != '\n')
		n--;
	snprintf(buf, len, "%.*s", (int)(e - n), s + n);
	return buf;
}

static void *
run_exec_one(void *arg)
{
	struct run_job *j = arg;
	struct cond *c = j->c;
	const cJSON *args = kc_cfg_get(j->call, "args");
	const char *kind = kc_cfg_str(j->call, "kind", "other");
	long long t0 = kc_mono_ms();
	char err[512] = "";

	if (run_exec_recorded(j))
		return NULL;
	run_event_call(c, "tool_dispatch", j->r, j->call, 0);
	if (runlog_last_error(c->rl) != NULL) {
		run_result_set(j->r, 0, "error: not run: the run log cannot be written");
		return NULL; /* no durable intent, no effect */
	}
	run_ui_line(&c->ui, "36", "→ %s %s", j->r->name, kind);
	if (strcmp(kind, "complete") == 0) {
		j->r->complete = 1;
		run_result_set(j->r, 1, "The task is marked complete.");
	} else if (strcmp(kind, "shell") == 0) {
		run_exec_shell(j, args, err, sizeof(err));
	} else {
		run_exec_tool(j, args, err, sizeof(err));
	}
	j->r->duration_ms = (long)(kc_mono_ms() - t0);
	run_event_call(c, "tool_result", j->r, j->call, 1);
	__atomic_fetch_add(&c->tool_calls_total, 1, __ATOMIC_SEQ_CST);
	if (!j->r->ok)
		__atomic_fetch_add(&c->tool_failures, 1, __ATOMIC_SEQ_CST);
	run_ui_line(&c->ui, j->r->ok ? "32" : "31", "  %s %s (%ld ms)%s%s", j->r->ok ? "✓" : "✗",
	            j->r->name, j->r->duration_ms, j->r->ok ? "" : ": ",
	            j->r->ok ? "" : run_last_line(j->r->output, err, sizeof(err)));
	if (c->replay_src != NULL && c->o->check)
		run_check_result(c, j->r);
	return NULL;
}

static void
run_ui_call(struct cond *c, const struct cond_result *r)
{
	cJSON *f = cJSON_CreateObject();

	cJSON_AddNumberToObject(f, "turn", c->turn);
	cJSON_AddStringToObject(f, "call_id", r->id);
	cJSON_AddStringToObject(f, "name", r->name);
	cJSON_AddBoolToObject(f, "ok", r->ok);
	cJSON_AddNumberToObject(f, "duration_ms", (double)r->duration_ms);
	cJSON_AddStringToObject(f, "output", r->output ? r->output : "");
	run_ui_event(&c->ui, "tool_result", f);
}

/* Calls the validator refused are answered, not run. */
static void
run_mark_refused(const cJSON *parse, struct cond_result *res, size_t n)
{
	const cJSON *v;
	const char *lists[] = {"violations", "errors"};
	size_t k;
	int i;
	char *msg;

	for (k = 0; k < 2; k++)
		cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(parse, lists[k]))
		{
			i = cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(v, "call"))
			        ? (int)kc_cfg_num(v, "call", -1)
			        : -1;
			if (i < 0 || (size_t)i >= n || res[i].output != NULL)
				continue;
			msg = xasprintf("not executed: %s%s%s", kc_cfg_str(v, "rule", ""),
			                kc_cfg_str(v, "rule", "")[0] ? ": " : "",
			                kc_cfg_str(v, "message", "refused by the validator"));
			run_result_set(&res[i], 0, msg);
			free(msg);
		}
}

/* One batch's threads. Heap-allocated with its own copy of the calls:
 * on SIGINT the batch is abandoned (its threads end when the workers are
 * stopped at teardown, and are reaped then), so nothing here may live on
 * the stack of the turn. */
struct run_batch {
	struct cond *c;
	cJSON *calls;
	struct cond_result *res; /* owned by the batch once abandoned */
	size_t n;
	struct run_job jobs[64];
	pthread_t th[64];
	int started[64];
	size_t nj;
	int remaining;
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

struct run_batch_arg {
	struct run_batch *b;
	size_t k;
};

static void *
run_batch_thread(void *arg)
{
	struct run_batch *b = ((struct run_batch_arg *)arg)->b;
	size_t k = ((struct run_batch_arg *)arg)->k;

	free(arg);
	run_exec_one(&b->jobs[k]);
	pthread_mutex_lock(&b->mu);
	b->remaining--;
	pthread_cond_signal(&b->cv);
	pthread_mutex_unlock(&b->mu);
	return NULL;
}

static void
run_batch_free(struct run_batch *b)
{
	size_t k;

	for (k = 0; k < b->nj; k++)
		if (b->started[k])
			pthread_join(b->th[k], NULL);
	pthread_mutex_destroy(&b->mu);
	pthread_cond_destroy(&b->cv);
	cJSON_Delete(b->calls);
	free(b);
}

void
run_exec_abandoned_reap(struct cond *c)
{
	struct run_batch *b = c->exec_abandoned;
	struct cond_result *res;
	size_t n;

	if (b == NULL)
		return;
	res = b->res;
	n = b->n;
	c->exec_abandoned = NULL;
	run_batch_free(b); /* joins the threads, which write res */
	run_results_free(res, n);
}

static void
run_batch_start(struct run_batch *b)
{
	struct run_batch_arg *a;
	size_t k;

	for (k = 0; k < b->nj; k++) {
		if (sup_interrupted()) {
			run_result_set(b->jobs[k].r, 0, "not executed: the run was interrupted");
			continue;
		}
		a = xmalloc(sizeof(*a));
		a->b = b;
		a->k = k;
		pthread_mutex_lock(&b->mu);
		b->remaining++;
		pthread_mutex_unlock(&b->mu);
		if (pthread_create(&b->th[k], NULL, run_batch_thread, a) == 0) {
			b->started[k] = 1;
			continue;
		}
		free(a);
		pthread_mutex_lock(&b->mu);
		b->remaining--;
		pthread_mutex_unlock(&b->mu);
		run_exec_one(&b->jobs[k]);
	}
}

/* Waits for the batch; 0, or -2 when SIGINT came first (abandoned). */
static int
run_batch_wait(struct run_batch *b)
{
	struct timespec ts;

	pthread_mutex_lock(&b->mu);
	while (b->remaining > 0 && !sup_interrupted()) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 50 * 1000 * 1000;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&b->cv, &b->mu, &ts);
	}
	if (b->remaining > 0) {
		pthread_mutex_unlock(&b->mu);
		return -2;
	}
	pthread_mutex_unlock(&b->mu);
	return 0;
}

static int
run_batch(struct cond *c, const cJSON *calls, const cJSON *batch, struct cond_result *res, size_t n)
{
	struct run_batch *b = xcalloc(1, sizeof(*b));
	const cJSON *ix;
	size_t k;

	b->c = c;
	b->calls = cJSON_Duplicate(calls, 1);
	pthread_mutex_init(&b->mu, NULL);
	pthread_cond_init(&b->cv, NULL);
	cJSON_ArrayForEach(ix, batch)
	{
		int i = cJSON_IsNumber(ix) ? ix->valueint : -1;

		if (i < 0 || (size_t)i >= n || res[i].output != NULL || b->nj == 64)
			continue;
		b->jobs[b->nj].c = c;
		b->jobs[b->nj].call = cJSON_GetArrayItem(b->calls, i);
		b->jobs[b->nj].r = &res[i];
		b->nj++;
	}
	run_batch_start(b);
	if (run_batch_wait(b) < 0) {
		c->stopping = 1;
		b->res = res;
		b->n = n;
		c->exec_abandoned = b;
		return -2;
	}
	for (k = 0; k < b->nj; k++)
		run_ui_call(c, b->jobs[k].r);
	run_batch_free(b);
	return 0;
}

static int
run_is_native(const cJSON *native_calls, const char *id)
{
	const cJSON *n;

	cJSON_ArrayForEach(n, native_calls)
	{
		if (strcmp(kc_cfg_str(n, "id", ""), id) == 0)
			return 1;
	}
	return 0;
}

int
run_exec_calls(struct cond *c, const cJSON *parse, const cJSON *native_calls,
               struct cond_result **out, size_t *nout, char *err, size_t errlen)
{
	const cJSON *calls = cJSON_GetObjectItemCaseSensitive(parse, "calls"), *call, *batch;
	const cJSON *batches = cJSON_GetObjectItemCaseSensitive(parse, "batches");
	size_t n = (size_t)cJSON_GetArraySize(calls), i = 0;
	struct cond_result *res = xcalloc(n ? n : 1, sizeof(*res));
	cJSON *seq = NULL, *one;

	cJSON_ArrayForEach(call, calls)
	{
		res[i].id = kc_cfg_str(call, "id", NULL) ? xstrdup(kc_cfg_str(call, "id", ""))
		                                         : xasprintf("call_%zu", i + 1);
		res[i].name = xstrdup(kc_cfg_str(call, "name", "?"));
		res[i].native = run_is_native(native_calls, res[i].id);
		i++;
	}
	run_mark_refused(parse, res, n);
	if (!cJSON_IsArray(batches)) { /* no plan: one call at a time */
		seq = cJSON_CreateArray();
		for (i = 0; i < n; i++) {
			one = cJSON_CreateArray();
			cJSON_AddItemToArray(one, cJSON_CreateNumber((double)i));
			cJSON_AddItemToArray(seq, one);
		}
		batches = seq;
	}
	cJSON_ArrayForEach(batch, batches)
	{
		if (run_batch(c, calls, batch, res, n) < 0) {
			/* The abandoned batch owns res now (its threads write it). */
			cJSON_Delete(seq);
			*out = NULL;
			*nout = 0;
			snprintf(err, errlen, "interrupted while tools were running");
			return -2;
		}
	}
	for (i = 0; i < n; i++)
		if (res[i].output == NULL)
			run_result_set(&res[i], 0, "not executed: not scheduled by the validator");
	cJSON_Delete(seq);
	*out = res;
	*nout = n;
	return 0;
}

void
run_results_free(struct cond_result *r, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(r[i].id);
		free(r[i].name);
		free(r[i].output);
		free(r[i].diff);
	}
	free(r);
}
