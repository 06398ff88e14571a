/* worker-llm request dispatch: routing, retries, fallback, accounting. */
#include "worker-llm/llm.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "lib/core/clock.h"
#include "lib/core/log.h"
#include "lib/core/strbuf.h"
#include "lib/core/xmalloc.h"
#include "worker-llm/adapter.h"
#include "worker-llm/attempt.h"
#include "worker-llm/http.h"
#include "worker-llm/memo.h"
#include "worker-llm/retry.h"
#include "worker-llm/route.h"

#define LLM_DEFAULT_TIMEOUT_MS 120000L
#define LLM_DEFAULT_IDLE_MS 90000L

/* One LLM_COMPLETE being served. */
struct llm_call_ctx {
	const cJSON *req;
	const struct llm_sink *sink;
	long long start_ms;
	long long deadline_ms; /* monotonic */
	int attempts;          /* over all models */
	cJSON *failures;       /* [{model, attempt, error}] for the reply */
	struct llm_stream_cb cb;
	struct strbuf pending; /* token text of the current network read */
	int want_stream;
	int want_tools;
};

static char *llm_force_base; /* KYLECODE_LLM_BASE_URL, for tests */

static struct {
	pthread_mutex_t lock;
	long calls, prompt, completion;
	double cost;
} llm_session = {PTHREAD_MUTEX_INITIALIZER, 0, 0, 0, 0.0};

void
llm_init(void)
{
	const char *b = getenv("KYLECODE_LLM_BASE_URL");

	llm_http_set_cafile(getenv("SSL_CERT_FILE"));
	free(llm_force_base);
	llm_force_base = b != NULL && *b ? xstrdup(b) : NULL;
	if (llm_force_base != NULL)
		log_info("llm: KYLECODE_LLM_BASE_URL forces every model to %s", llm_force_base);
}


static void
llm_emit(struct llm_call_ctx *cx, cJSON *ev)
{
	if (cx->sink != NULL && cx->sink->event != NULL)
		cx->sink->event(ev, cx->sink->arg);
	else
		cJSON_Delete(ev);
}

/* Tokens that arrived in one network read go out as one event: they
 * arrived at the same instant, so batching adds no latency, and it saves
 * an IPC message per tiny delta (16-byte deltas are common). */
static void
llm_on_token(const char *text, size_t len, void *arg)
{
	struct llm_call_ctx *cx = arg;

	strbuf_add(&cx->pending, text, len);
}

static void
llm_on_flush(void *arg)
{
	struct llm_call_ctx *cx = arg;
	cJSON *ev;

	if (cx->pending.len == 0)
		return;
	ev = cJSON_CreateObject();
	cJSON_AddStringToObject(ev, "kind", "token");
	cJSON_AddStringToObject(ev, "text", strbuf_str(&cx->pending));
	strbuf_reset(&cx->pending);
	llm_emit(cx, ev);
}

static void
llm_on_tool_delta(size_t index, const char *name, const char *args, void *arg)
{
	struct llm_call_ctx *cx = arg;
	cJSON *ev;

	llm_on_flush(cx); /* text before the call's fragment stays before it */
	ev = cJSON_CreateObject();
	cJSON_AddStringToObject(ev, "kind", "tool_call_delta");
	cJSON_AddNumberToObject(ev, "index", (double)index);
	if (name != NULL)
		cJSON_AddStringToObject(ev, "name", name);
	cJSON_AddStringToObject(ev, "arguments", args ? args : "");
	llm_emit(cx, ev);
}

static void
llm_emit_retry(struct llm_call_ctx *cx, const char *model, long delay_ms, const char *reason)
{
	cJSON *ev;

	llm_on_flush(cx);
	ev = cJSON_CreateObject();
	cJSON_AddStringToObject(ev, "kind", "retry");
	cJSON_AddNumberToObject(ev, "attempt", cx->attempts + 1);
	cJSON_AddNumberToObject(ev, "delay_ms", (double)delay_ms);
	cJSON_AddStringToObject(ev, "reason", reason);
	cJSON_AddStringToObject(ev, "model", model);
	llm_emit(cx, ev);
}

static long
llm_routing_long(const cJSON *model, const char *key, long def)
{
	return llm_json_count(cJSON_GetObjectItemCaseSensitive(model, "routing"), key, def);
}

static int
llm_routing_flag(const cJSON *model, const char *key)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(model, "routing"), key));
}

static uint32_t
llm_random(void)
{
	uint32_t r = 0;

	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != sizeof(r))
		r = (uint32_t)kc_mono_ms() * 2654435761u;
	return r;
}

static void
llm_sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static void
llm_add_failure(struct llm_call_ctx *cx, const char *model, const char *err)
{
	cJSON *f = cJSON_CreateObject();

	cJSON_AddStringToObject(f, "model", model);
	cJSON_AddNumberToObject(f, "attempt", cx->attempts);
	cJSON_AddStringToObject(f, "error", err);
	cJSON_AddItemToArray(cx->failures, f);
}

/* A probe failure (routing.disable_*_on_probe_failure): drop the feature,
 * remember it for this endpoint for the process lifetime, and say so. */
static int
llm_probe(struct llm_call_ctx *cx, const cJSON *model, const char *memo_key, struct llm_attempt *a)
{
	const char *what = NULL;

	if (a->probe_stream && a->stream &&
	    llm_routing_flag(model, "disable_stream_on_probe_failure")) {
		a->stream = 0;
		llm_memo_set(memo_key, LLM_MEMO_NO_STREAM);
		what = "streaming disabled for this endpoint";
	} else if (a->probe_tools && a->native_tools &&
	           llm_routing_flag(model, "disable_native_tools_on_probe_failure")) {
		a->native_tools = 0;
		llm_memo_set(memo_key, LLM_MEMO_NO_TOOLS);
		what = "native tools disabled for this endpoint";
	}
	if (what == NULL)
		return 0;
	log_warnx("llm: %s: %s after: %s", a->ep->id, what, a->err);
	llm_emit_retry(cx, a->ep->id, 0, what);
	return 1;
}

/* Wait before the next attempt, or say why not (deadline). */
static int
llm_backoff(struct llm_call_ctx *cx, const struct llm_retry_policy *pol, int n,
            struct llm_attempt *a)
{
	long delay = llm_retry_delay_ms(pol, n + 1, a->retry_after_ms, llm_random());

	if (kc_mono_ms() + delay >= cx->deadline_ms) {
		llm_add_failure(cx, a->ep->id, "next retry would be past the deadline");
		return -1;
	}
	llm_emit_retry(cx, a->ep->id, delay, a->err);
	llm_sleep_ms(delay);
	return 0;
}

/* One model with its retries. 1: success, a holds the result; 0: this model
 * failed, try the next; -1: the deadline passed. */
static int
llm_try_model(struct llm_call_ctx *cx, const cJSON *model, const struct llm_endpoint *ep,
              struct llm_attempt *a)
{
	struct llm_retry_policy pol = {
	    (int)llm_routing_long(model, "max_attempts", LLM_RETRY_DEFAULT_ATTEMPTS),
	    llm_routing_long(model, "backoff_base_ms", LLM_RETRY_DEFAULT_BASE_MS),
	    llm_routing_long(model, "backoff_max_ms", LLM_RETRY_DEFAULT_MAX_MS)};
	char *key = xasprintf("%s %s", ep->base_url, ep->wire_model);
	int memo = llm_memo_get(key), stream = cx->want_stream && !(memo & LLM_MEMO_NO_STREAM);
	int tools = cx->want_tools && !(memo & LLM_MEMO_NO_TOOLS), n, rc = 0;
	long left, per = llm_routing_long(model, "request_timeout_ms", 0);

	for (n = 1; n <= (pol.max_attempts > 0 ? pol.max_attempts : 1); n++) {
		if ((left = (long)(cx->deadline_ms - kc_mono_ms())) <= 0) {
			rc = -1;
			break;
		}
		memset(a, 0, sizeof(*a));
		a->ep = ep;
		a->req = cx->req;
		a->params = cJSON_GetObjectItemCaseSensitive(model, "params");
		a->stream = stream;
		a->native_tools = tools;
		a->timeout_ms = per > 0 && per < left ? per : left;
		a->idle_timeout_ms =
		    llm_routing_long(model, "idle_timeout_ms", LLM_DEFAULT_IDLE_MS);
		a->cb = &cx->cb;
		cx->attempts++;
		llm_attempt_run(a);
		if (a->outcome == LLM_OUT_OK) {
			free(key);
			return 1;
		}
		log_warnx("llm: %s attempt %d: %s", ep->id, n, a->err);
		llm_add_failure(cx, ep->id, a->err);
		if (llm_probe(cx, model, key, a)) {
			stream = a->stream;
			tools = a->native_tools;
			n--; /* each probe fires at most once, so this ends */
		} else if (a->outcome != LLM_OUT_RETRY || n >= pol.max_attempts ||
		           llm_backoff(cx, &pol, n, a) < 0) {
			llm_attempt_free(a);
			break;
		}
		llm_attempt_free(a);
	}
	free(key);
	return rc;
}

static cJSON *
llm_reply_calls(const struct llm_result *res, int attempt)
{
	cJSON *arr = cJSON_CreateArray(), *c;
	char id[48];
	size_t i;

	for (i = 0; i < res->ncalls; i++) {
		const struct llm_call *k = &res->calls[i];

		c = cJSON_CreateObject();
		/* Some compatible servers omit ids; the supervisor needs one to
		 * pair each result with its call. */
		snprintf(id, sizeof(id), "call_%d_%zu", attempt, i);
		cJSON_AddStringToObject(c, "id", k->id && *k->id ? k->id : id);
		cJSON_AddStringToObject(c, "name", k->name ? k->name : "");
		cJSON_AddStringToObject(c, "arguments", k->args.len ? strbuf_str(&k->args) : "{}");
		cJSON_AddItemToArray(arr, c);
	}
	return arr;
}

/* Usage and cost; also added to the worker's session totals. */
static void
llm_reply_usage(cJSON *r, const cJSON *model, const struct llm_result *res)
{
	const cJSON *pr = cJSON_GetObjectItemCaseSensitive(model, "pricing");
	const cJSON *pp = cJSON_GetObjectItemCaseSensitive(pr, "prompt_per_mtok");
	const cJSON *cp = cJSON_GetObjectItemCaseSensitive(pr, "completion_per_mtok");
	long p = res->prompt_tokens > 0 ? res->prompt_tokens : 0;
	long c = res->completion_tokens > 0 ? res->completion_tokens : 0;
	double cost = (cJSON_IsNumber(pp) ? pp->valuedouble * (double)p / 1e6 : 0.0) +
	              (cJSON_IsNumber(cp) ? cp->valuedouble * (double)c / 1e6 : 0.0);
	cJSON *u = cJSON_AddObjectToObject(r, "usage"), *s;

	cJSON_AddNumberToObject(u, "prompt_tokens", (double)p);
	cJSON_AddNumberToObject(u, "completion_tokens", (double)c);
	cJSON_AddNumberToObject(u, "total_tokens", (double)(p + c));
	cJSON_AddBoolToObject(u, "reported",
	                      res->prompt_tokens >= 0 || res->completion_tokens >= 0);
	cJSON_AddNumberToObject(r, "cost_usd", cost);
	pthread_mutex_lock(&llm_session.lock);
	llm_session.calls++;
	llm_session.prompt += p;
	llm_session.completion += c;
	llm_session.cost += cost;
	s = cJSON_AddObjectToObject(r, "session_usage");
	cJSON_AddNumberToObject(s, "calls", (double)llm_session.calls);
	cJSON_AddNumberToObject(s, "prompt_tokens", (double)llm_session.prompt);
	cJSON_AddNumberToObject(s, "completion_tokens", (double)llm_session.completion);
	cJSON_AddNumberToObject(s, "cost_usd", llm_session.cost);
	pthread_mutex_unlock(&llm_session.lock);
}

static cJSON *
llm_reply(struct llm_call_ctx *cx, const cJSON *model, struct llm_attempt *a)
{
	struct llm_result *res = &a->res;
	cJSON *r = cJSON_CreateObject();
	const char *fin = res->finish[0] ? res->finish : (res->ncalls ? "tool_calls" : "stop");

	cJSON_AddStringToObject(r, "content", strbuf_str(&res->content));
	cJSON_AddItemToObject(r, "tool_calls", llm_reply_calls(res, cx->attempts));
	/* "stop" with calls happens (several servers); the calls are what count. */
	cJSON_AddStringToObject(r, "finish_reason",
	                        res->ncalls && !strcmp(fin, "stop") ? "tool_calls" : fin);
	llm_reply_usage(r, model, res);
	cJSON_AddStringToObject(r, "model_used", a->ep->id);
	cJSON_AddStringToObject(r, "wire_model", a->ep->wire_model);
	cJSON_AddNumberToObject(r, "attempts", cx->attempts);
	cJSON_AddNumberToObject(r, "latency_ms", (double)(kc_mono_ms() - cx->start_ms));
	cJSON_AddBoolToObject(r, "streamed", a->stream);
	cJSON_AddBoolToObject(r, "stream_disabled", cx->want_stream && !a->stream);
	cJSON_AddBoolToObject(r, "native_tools_disabled", cx->want_tools && !a->native_tools);
	if (cJSON_GetArraySize(cx->failures) > 0) {
		cJSON_AddItemToObject(r, "failures", cx->failures);
		cx->failures = NULL;
	}
	/* The wire body holds no credentials (they are only in a header). */
	cJSON_AddItemToObject(r, "raw_request", a->wire);
	a->wire = NULL;
	cJSON_AddItemToObject(r, "raw_response", res->raw ? res->raw : cJSON_CreateNull());
	res->raw = NULL;
	if (res->raw_dropped > 0)
		cJSON_AddNumberToObject(r, "raw_response_events_dropped", (double)res->raw_dropped);
	return r;
}

/* The request's own shape; anything wrong here is the supervisor's bug and
 * is answered bad_request before any network traffic. */
static int
llm_validate(const cJSON *req, char *err, size_t errlen)
{
	const cJSON *model = cJSON_GetObjectItemCaseSensitive(req, "model");
	const cJSON *msgs = cJSON_GetObjectItemCaseSensitive(req, "messages"), *m;
	const char *role;
	int i = 0;

	if (!cJSON_IsObject(model) && !cJSON_IsString(model)) {
		snprintf(err, errlen, "LLM_COMPLETE: \"model\" (object) is required");
		return -1;
	}
	if (!cJSON_IsArray(msgs) || cJSON_GetArraySize(msgs) == 0) {
		snprintf(err, errlen, "LLM_COMPLETE: \"messages\" must be a non-empty array");
		return -1;
	}
	cJSON_ArrayForEach(m, msgs)
	{
		role = llm_json_str(m, "role");
		if (role == NULL || (strcmp(role, "system") && strcmp(role, "user") &&
		                     strcmp(role, "assistant") && strcmp(role, "tool"))) {
			snprintf(
			    err, errlen,
			    "LLM_COMPLETE: messages[%d].role must be system|user|assistant|tool",
			    i);
			return -1;
		}
		i++;
	}
	return 0;
}

/* The fallback chain: the request's fallback_models, else the model's own
 * routing.fallback_models (ids, as the config writes them). */
static const cJSON *
llm_fallbacks(const cJSON *req)
{
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(req, "fallback_models");

	if (cJSON_IsArray(f))
		return f;
	return cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(req, "model"),
	                                     "routing"),
	    "fallback_models");
}

static void
llm_ctx_init(struct llm_call_ctx *cx, const cJSON *req, int64_t budget_ms,
             const struct llm_sink *sink)
{
	long long total = llm_json_count(req, "timeout_ms", 0);

	if (total <= 0)
		total = LLM_DEFAULT_TIMEOUT_MS;
	memset(cx, 0, sizeof(*cx));
	if (budget_ms >= 0 && budget_ms < total)
		total = budget_ms;
	cx->req = req;
	cx->sink = sink;
	cx->start_ms = kc_mono_ms();
	cx->deadline_ms = cx->start_ms + total;
	cx->failures = cJSON_CreateArray();
	cx->cb.token = llm_on_token;
	cx->cb.tool_delta = llm_on_tool_delta;
	cx->cb.flush = llm_on_flush;
	cx->cb.arg = cx;
	strbuf_init(&cx->pending);
	cx->want_stream = !cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(req, "stream"));
	cx->want_tools = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(req, "tools")) > 0;
}

/* "all models failed: id: error; id2: error" from the failure list. */
static void
llm_summarise(const struct llm_call_ctx *cx, int timed_out, char *err, size_t errlen)
{
	struct strbuf sb = STRBUF_INIT;
	const cJSON *f;

	strbuf_adds(&sb, timed_out ? "deadline passed" : "model call failed");
	cJSON_ArrayForEach(f, cx->failures) strbuf_addf(
	    &sb, "%s %s (attempt %d): %s", f == cx->failures->child ? ":" : ";",
	    llm_json_str(f, "model"), cJSON_GetObjectItemCaseSensitive(f, "attempt")->valueint,
	    llm_json_str(f, "error"));
	snprintf(err, errlen, "%s", strbuf_str(&sb));
	strbuf_free(&sb);
}

int
llm_complete(const cJSON *req, int64_t budget_ms, const struct llm_sink *sink, cJSON **reply,
             const char **code, char *err, size_t errlen)
{
	struct llm_call_ctx cx;
	struct llm_endpoint ep;
	struct llm_attempt a;
	const cJSON *model, *fb = NULL;
	char rerr[256];
	int rc = 0;

	*reply = NULL;
	if (llm_validate(req, err, errlen) < 0) {
		*code = LLM_CODE_BAD_REQUEST;
		return -1;
	}
	llm_ctx_init(&cx, req, budget_ms, sink);
	for (model = cJSON_GetObjectItemCaseSensitive(req, "model"); model != NULL && rc >= 0;
	     model = fb = fb ? fb->next : cJSON_GetArrayItem(llm_fallbacks(req), 0)) {
		if (llm_route_resolve(model, llm_force_base, &ep, rerr, sizeof(rerr)) < 0) {
			llm_add_failure(&cx,
			                cJSON_IsString(model)       ? model->valuestring
			                : llm_json_str(model, "id") ? llm_json_str(model, "id")
			                                            : "?",
			                rerr);
			continue;
		}
		if (fb != NULL)
			llm_emit_retry(&cx, ep.id, 0, "falling back to this model");
		if ((rc = llm_try_model(&cx, model, &ep, &a)) == 1) {
			*reply = llm_reply(&cx, model, &a);
			llm_attempt_free(&a);
			llm_endpoint_free(&ep);
			cJSON_Delete(cx.failures);
			strbuf_free(&cx.pending);
			return 0;
		}
		llm_endpoint_free(&ep);
	}
	/* Out of time is a timeout, whatever the last attempt said. */
	if (kc_mono_ms() >= cx.deadline_ms)
		rc = -1;
	*code = rc < 0 ? LLM_CODE_TIMEOUT : LLM_CODE_PROVIDER;
	llm_summarise(&cx, rc < 0, err, errlen);
	cJSON_Delete(cx.failures);
	strbuf_free(&cx.pending);
	return -1;
}
