/* llm_complete end to end over real HTTP on 127.0.0.1, against a small
 * scripted server in this test (libmicrohttpd), so the retry, fallback and
 * probe logic is pinned without IPC or kylecode-mockllm. The integration
 * tests repeat the important cases with the real binaries. */
#include <criterion/criterion.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "lib/core/strbuf.h"
#include "lib/core/xmalloc.h"
#include "worker-llm/keys.h"
#include "worker-llm/llm.h"

struct turn {
	int status;
	const char *ctype;
	const char *body;
	const char *retry_after;
	size_t drop_after; /* >0: send this many bytes, then break the connection */
};

static struct {
	struct MHD_Daemon *d;
	int port;
	const struct turn *turns;
	int nturns, next;
	struct strbuf log; /* one line per request: "AUTH|URL|BODY" */
	pthread_mutex_t lock;
} srv = {.lock = PTHREAD_MUTEX_INITIALIZER};

struct conn {
	struct strbuf body;
};

struct dropper {
	const char *data;
	size_t len;
};

static ssize_t
drop_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct dropper *d = cls;
	size_t n;

	if (pos >= d->len)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	n = d->len - pos < max ? d->len - pos : max;
	memcpy(buf, d->data + pos, n);
	return (ssize_t)n;
}

static struct MHD_Response *
make_response(const struct turn *t)
{
	struct MHD_Response *r;
	struct dropper *d;

	if (t->drop_after > 0) {
		d = xmalloc(sizeof(*d));
		d->data = t->body;
		d->len = t->drop_after;
		r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, drop_reader, d, free);
	} else {
		r = MHD_create_response_from_buffer(strlen(t->body), (void *)t->body,
		                                    MHD_RESPMEM_PERSISTENT);
	}
	MHD_add_response_header(r, "Content-Type", t->ctype ? t->ctype : "application/json");
	if (t->retry_after)
		MHD_add_response_header(r, "Retry-After", t->retry_after);
	return r;
}

static enum MHD_Result
handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
        const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	struct conn *cn = *con_cls;
	const struct turn *t;
	const char *auth;
	struct MHD_Response *r;
	enum MHD_Result ret;

	if (cn == NULL) {
		cn = xcalloc(1, sizeof(*cn));
		*con_cls = cn;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		strbuf_add(&cn->body, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
	if (auth == NULL)
		auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "x-api-key");
	pthread_mutex_lock(&srv.lock);
	strbuf_addf(&srv.log, "%s|%s|%s\n", auth ? auth : "-", url, strbuf_str(&cn->body));
	t = srv.next < srv.nturns ? &srv.turns[srv.next++] : NULL;
	pthread_mutex_unlock(&srv.lock);
	if (t == NULL) {
		static const struct turn gone = {
		    500, NULL, "{\"error\":{\"message\":\"script exhausted\"}}", NULL, 0};
		t = &gone;
	}
	r = make_response(t);
	ret = MHD_queue_response(c, (unsigned)t->status, r);
	MHD_destroy_response(r);
	return ret;
}

static void
conn_done(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode tc)
{
	struct conn *cn = *con_cls;

	if (cn != NULL) {
		strbuf_free(&cn->body);
		free(cn);
	}
	*con_cls = NULL;
}

static void
srv_start(const struct turn *turns, int n)
{
	const union MHD_DaemonInfo *info;

	strbuf_init(&srv.log);
	srv.turns = turns;
	srv.nturns = n;
	srv.next = 0;
	srv.d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL,
	                         handler, NULL, MHD_OPTION_NOTIFY_COMPLETED, conn_done, NULL,
	                         MHD_OPTION_SOCK_ADDR, NULL, MHD_OPTION_END);
	cr_assert_not_null(srv.d);
	info = MHD_get_daemon_info(srv.d, MHD_DAEMON_INFO_BIND_PORT);
	srv.port = info->port;
	llm_memo_reset();
}

static void
srv_stop(void)
{
	MHD_stop_daemon(srv.d);
	strbuf_free(&srv.log);
}

struct events {
	int tokens, retries, deltas;
	struct strbuf text;
};

static void
on_event(cJSON *ev, void *arg)
{
	struct events *e = arg;
	const char *kind = cJSON_GetObjectItem(ev, "kind")->valuestring;

	if (strcmp(kind, "token") == 0) {
		e->tokens++;
		strbuf_adds(&e->text, cJSON_GetObjectItem(ev, "text")->valuestring);
	} else if (strcmp(kind, "retry") == 0) {
		e->retries++;
	} else if (strcmp(kind, "tool_call_delta") == 0) {
		e->deltas++;
	}
	cJSON_Delete(ev);
}

/* Run one request against the server; model_extra is spliced into the
 * model entry. */
static int
run(const char *routing, const char *model_extra, const char *req_extra, cJSON **reply,
    const char **code, char *err, size_t errlen, struct events *ev)
{
	char *js =
	    xasprintf("{\"model\":{\"id\":\"mock/dev\",\"adapter\":\"openai\","
	              "\"base_url\":\"http://127.0.0.1:%d/v1\",\"routing\":{\"backoff_base_ms\":10,"
	              "\"backoff_max_ms\":50%s}%s},"
	              "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]%s}",
	              srv.port, routing ? routing : "", model_extra ? model_extra : "",
	              req_extra ? req_extra : "");
	cJSON *req = cJSON_Parse(js);
	struct llm_sink sink = {on_event, ev};
	int rc;

	cr_assert_not_null(req, "%s", js);
	strbuf_init(&ev->text);
	ev->tokens = ev->retries = ev->deltas = 0;
	rc = llm_complete(req, -1, &sink, reply, code, err, errlen);
	cJSON_Delete(req);
	free(js);
	return rc;
}

#define OK_JSON                                                                                    \
	"{\"choices\":[{\"message\":{\"content\":\"fine\"},\"finish_reason\":\"stop\"}],"          \
	"\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4}}"
#define SSE_OK                                                                                     \
	"data: {\"choices\":[{\"delta\":{\"content\":\"str\"}}]}\n\ndata: "                        \
	"{\"choices\":[{\"delta\":{\"content\":\"eamed\"},\"finish_reason\":\"stop\"}]}\n\ndata: " \
	"{\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2}}\n\ndata: "       \
	"[DONE]\n\n"

static const char *
str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItem(o, k);

	return cJSON_IsString(v) ? v->valuestring : "(missing)";
}

static double
num(const cJSON *o, const char *k)
{
	return cJSON_GetNumberValue(cJSON_GetObjectItem(o, k));
}

Test(llm_complete, non_streamed_success_with_cost)
{
	static const struct turn t[] = {{200, NULL, OK_JSON, NULL, 0}};
	struct events ev;
	cJSON *reply;
	const char *code;
	char err[512] = "";

	srv_start(t, 1);
	cr_assert_eq(
	    run(NULL, ",\"pricing\":{\"prompt_per_mtok\":1000000,\"completion_per_mtok\":2000000}",
	        ",\"stream\":false", &reply, &code, err, sizeof(err), &ev),
	    0, "%s", err);
	cr_assert_str_eq(str(reply, "content"), "fine");
	cr_assert_str_eq(str(reply, "finish_reason"), "stop");
	cr_assert_eq(num(cJSON_GetObjectItem(reply, "usage"), "total_tokens"), 7);
	cr_assert_float_eq(num(reply, "cost_usd"), 3.0 + 8.0, 1e-9);
	cr_assert_eq(num(reply, "attempts"), 1);
	cr_assert(strstr(strbuf_str(&srv.log), "\"model\":\"mock/dev\"") != NULL);
	cJSON_Delete(reply);
	strbuf_free(&ev.text);
	srv_stop();
}

Test(llm_complete, streamed_tokens_are_forwarded_as_events)
{
	static const struct turn t[] = {{200, "text/event-stream", SSE_OK, NULL, 0}};
	struct events ev;
	cJSON *reply;
	const char *code;
	char err[512] = "";

	srv_start(t, 1);
	cr_assert_eq(run(NULL, NULL, NULL, &reply, &code, err, sizeof(err), &ev), 0, "%s", err);
	cr_assert_str_eq(str(reply, "content"), "streamed");
	/* Both deltas arrive in one read: batched into one event. */
	cr_assert_eq(ev.tokens, 1);
	cr_assert_str_eq(strbuf_str(&ev.text), "streamed");
	cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(reply, "streamed")));
	cr_assert(strstr(strbuf_str(&srv.log), "\"stream_options\":{\"include_usage\":true}") !=
	          NULL);
	cJSON_Delete(reply);
	strbuf_free(&ev.text);
	srv_stop();
}

Test(llm_complete, rate_limit_with_retry_after_then_success)
{
	static const struct turn t[] = {
	    {429, NULL, "{\"error\":{\"message\":\"slow down\"}}", "1", 0},
	    {200, NULL, OK_JSON, NULL, 0}};
	struct events ev;
	cJSON *reply;
	const char *code;
	char err[512] = "";
	struct timespec a, b;

	srv_start(t, 2);
	clock_gettime(CLOCK_MONOTONIC, &a);
	cr_assert_eq(run(NULL, NULL, ",\"stream\":false", &reply, &code, err, sizeof(err), &ev), 0,
	             "%s", err);
	clock_gettime(CLOCK_MONOTONIC, &b);
	cr_assert_geq((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000, 990,
	              "Retry-After: 1 was honoured");
	cr_assert_eq(num(reply, "attempts"), 2);
	cr_assert_eq(ev.retries, 1);
	cJSON_Delete(reply);
	strbuf_free(&ev.text);
	srv_stop();
}

Test(llm_complete, server_error_then_success)
{
	static const struct turn t[] = {
	    {500, NULL, "oops", NULL, 0}, {503, NULL, "", NULL, 0}, {200, NULL, OK_JSON, NULL, 0}};
	struct events ev;
	cJSON *reply;
	const char *code;
	char err[512] = "";

	srv_start(t, 3);
	cr_assert_eq(run(NULL, NULL, ",\"stream\":false", &reply, &code, err, sizeof(err), &ev), 0,
	             "%s", err);
	cr_assert_eq(num(reply, "attempts"), 3);
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(reply, "failures")), 2);
	cJSON_Delete(reply);
	strbuf_free(&ev.text);
	srv_stop();
}

Test(llm_complete, unauthorized_is_not_retried_and_reports_provider_message)
{
	static const struct turn t[] = {
	    {401, NULL, "{\"error\":{\"message\":\"Incorrect API key provided\"}}", NULL, 0},
	    {200, NULL, OK_JSON, NULL, 0}};
	struct events ev;
	cJSON *reply;
	const char *code;
	char err[512] = "";

	srv_start(t, 2);
	cr_assert_eq(run(NULL, NULL, ",\"stream\":false", &reply, &code, err, sizeof(err), &ev),
	             -1);
	cr_assert_str_eq(code, "provider");
	cr_assert(strstr(err, "HTTP 401: Incorrect API key provided") != NULL, "%s", err);
	cr_assert_eq(srv.next, 1, "not retried");
	strbuf_free(&ev.text);
	srv_stop();
}

Test(llm_complete, broken_stream_is_retried_as_a_whole)
{
	static const struct turn t[] = {{200, "text/event-stream", SSE_OK, NULL, 60},
	                                {200, "text/event-stream", SSE_OK, NULL, 0}};
	struct events ev;
	cJSON *reply;
	const char *code;
	char err[512] = "";

	srv_start(t, 2);
	cr_assert_eq(run(NULL, NULL, NULL, &reply, &code, err, sizeof(err), &ev), 0, "%s", err);
	cr_assert_str_eq(str(reply, "content"), "streamed", "no text of the broken attempt kept");
	cr_assert_eq(num(reply, "attempts"), 2);
	cr_assert_eq(ev.retries, 1);
	cJSON_Delete(reply);
	strbuf_free(&ev.text);
	srv_stop();
}

Test(llm_complete, stream_closed_before_done_is_retried)
{
	static const struct turn t[] = {
	    {200, "text/event-stream", "data: {\"choices\":[{\"delta\":{\"content\":\"x\"}}]}\n\n",
	     NULL, 0},
	    {200, "text/event-stream", SSE_OK, NULL, 0}};
	struct events ev;
	cJSON *reply;
	const char *code;
	char err[512] = "";

	srv_start(t, 2);
	cr_assert_eq(run(NULL, NULL, NULL, &reply, &code, err, sizeof(err), &ev), 0, "%s", err);
	cr_assert_eq(num(reply, "attempts"), 2);
	cJSON_Delete(reply);
	strbuf_free(&ev.text);
	srv_stop();
}

Test(llm_complete, malformed_json_is_a_clear_error_not_retried)
{
	static const struct turn t[] = {{200, NULL, "{\"choices\": [tru", NULL, 0},
	                                {200, NULL, OK_JSON, NULL, 0}};
	struct events ev;
	cJSON *reply;
	const char *code;
	char err[512] = "";

	srv_start(t, 2);
	cr_assert_eq(run(NULL, NULL, ",\"stream\":false", &reply, &code, err, sizeof(err), &ev),
	             -1);
	cr_assert(strstr(err, "malformed response") != NULL, "%s", err);
	cr_assert_eq(srv.next, 1);
	strbuf_free(&ev.text);
	srv_stop();
}

Test(llm_complete, fallback_model_used_after_repeated_failure)
{
	static const struct turn t[] = {
	    {503, NULL, "", NULL, 0}, {503, NULL, "", NULL, 0}, {200, NULL, OK_JSON, NULL, 0}};
	struct events ev;
	cJSON *reply;
	const char *code;
	char err[512] = "", extra[256];

	srv_start(t, 3);
	snprintf(extra, sizeof(extra),
	         ",\"stream\":false,\"fallback_models\":[{\"id\":\"openai/"
	         "gpt-4o-mini\",\"base_url\":\"http://127.0.0.1:%d/v1\"}]",
	         srv.port);
	cr_assert_eq(run(",\"max_attempts\":2", NULL, extra, &reply, &code, err, sizeof(err), &ev),
	             0, "%s", err);
	cr_assert_str_eq(str(reply, "model_used"), "openai/gpt-4o-mini");
	cr_assert_str_eq(str(reply, "wire_model"), "gpt-4o-mini");
	cr_assert_eq(num(reply, "attempts"), 3);
	cJSON_Delete(reply);
	strbuf_free(&ev.text);
	srv_stop();
}

Test(llm_complete, stream_probe_failure_retries_without_stream_and_remembers)
{
	static const struct turn t[] = {
	    {400, NULL, "{\"error\":{\"message\":\"stream is not supported\"}}", NULL, 0},
	    {200, NULL, OK_JSON, NULL, 0},
	    {200, NULL, OK_JSON, NULL, 0}};
	struct events ev;
	cJSON *reply;
	const char *code;
	char err[512] = "";
	const char *probe = ",\"disable_stream_on_probe_failure\":true";

	srv_start(t, 3);
	cr_assert_eq(run(probe, NULL, NULL, &reply, &code, err, sizeof(err), &ev), 0, "%s", err);
	cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(reply, "stream_disabled")));
	cJSON_Delete(reply);
	strbuf_free(&ev.text);
	cr_assert_eq(run(probe, NULL, NULL, &reply, &code, err, sizeof(err), &ev), 0, "%s", err);
	cr_assert_eq(num(reply, "attempts"), 1, "remembered: first try is non-streamed");
	cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(reply, "stream_disabled")));
	cJSON_Delete(reply);
	strbuf_free(&ev.text);
	srv_stop();
}

Test(llm_complete, tools_probe_failure_retries_without_tools)
{
	static const struct turn t[] = {
	    {400, NULL, "{\"error\":{\"message\":\"this model does not support tools\"}}", NULL, 0},
	    {200, NULL, OK_JSON, NULL, 0}};
	struct events ev;
	cJSON *reply;
	const char *code;
	char err[512] = "";
	const char *log;

	srv_start(t, 2);
	cr_assert_eq(run(",\"disable_native_tools_on_probe_failure\":true", NULL,
	                 ",\"stream\":false,\"tools\":[{\"name\":\"f\"}]", &reply, &code, err,
	                 sizeof(err), &ev),
	             0, "%s", err);
	cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(reply, "native_tools_disabled")));
	log = strchr(strbuf_str(&srv.log), '\n') + 1;
	cr_assert(strstr(log, "\"tools\"") == NULL, "second request has no tools: %s", log);
	cJSON_Delete(reply);
	strbuf_free(&ev.text);
	srv_stop();
}

Test(llm_complete, key_only_in_the_auth_header)
{
	static const struct turn t[] = {{200, NULL, OK_JSON, NULL, 0}};
	char kv[] = "KC_UNIT_API_KEY=sk-unit-secret-42";
	char *envp[] = {kv, NULL};
	struct events ev;
	cJSON *reply;
	const char *code;
	char err[512] = "", *printed;

	llm_keys_load(envp, NULL);
	srv_start(t, 1);
	cr_assert_eq(run(NULL, ",\"api_key_env\":\"KC_UNIT_API_KEY\"", ",\"stream\":false", &reply,
	                 &code, err, sizeof(err), &ev),
	             0, "%s", err);
	cr_assert(strncmp(strbuf_str(&srv.log), "Bearer sk-unit-secret-42|", 25) == 0, "%s",
	          strbuf_str(&srv.log));
	cr_assert_eq(strstr(strbuf_str(&srv.log) + 25, "sk-unit-secret-42"), NULL);
	printed = cJSON_PrintUnformatted(reply);
	cr_assert_eq(strstr(printed, "sk-unit-secret"), NULL);
	free(printed);
	cJSON_Delete(reply);
	strbuf_free(&ev.text);
	srv_stop();
	llm_keys_clear();
}

Test(llm_complete, missing_key_is_a_clear_error)
{
	static const struct turn t[] = {{200, NULL, OK_JSON, NULL, 0}};
	struct events ev;
	cJSON *reply;
	const char *code;
	char err[512] = "";

	srv_start(t, 1);
	cr_assert_eq(run(NULL, ",\"api_key_env\":\"KC_NOPE_API_KEY\"", NULL, &reply, &code, err,
	                 sizeof(err), &ev),
	             -1);
	cr_assert(strstr(err, "KC_NOPE_API_KEY is not set") != NULL, "%s", err);
	cr_assert_eq(srv.next, 0, "nothing sent");
	strbuf_free(&ev.text);
	srv_stop();
}

Test(llm_complete, bad_request_is_refused_before_any_traffic)
{
	cJSON *req = cJSON_Parse("{\"model\":{\"id\":\"m\"},\"messages\":[{\"role\":\"x\"}]}");
	cJSON *reply;
	const char *code;
	char err[256] = "";

	cr_assert_eq(llm_complete(req, -1, NULL, &reply, &code, err, sizeof(err)), -1);
	cr_assert_str_eq(code, "bad_request");
	cJSON_Delete(req);
}

Test(llm_complete, key_is_never_sent_over_plain_http_to_another_host)
{
	char kv[] = "KC_UNIT_API_KEY=sk-never-in-clear";
	char *envp[] = {kv, NULL};
	cJSON *req = cJSON_Parse("{\"model\":{\"id\":\"m\",\"base_url\":\"http://192.0.2.1:9/v1\","
	                         "\"api_key_env\":\"KC_UNIT_API_KEY\"},"
	                         "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
	cJSON *reply;
	const char *code;
	char err[512] = "";

	llm_keys_load(envp, NULL);
	cr_assert_eq(llm_complete(req, -1, NULL, &reply, &code, err, sizeof(err)), -1);
	cr_assert(strstr(err, "refusing to send KC_UNIT_API_KEY over plain http") != NULL, "%s",
	          err);
	cJSON_Delete(req);
	llm_keys_clear();
}
