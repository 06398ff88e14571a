/* One attempt of one model call; see attempt.h. */
#include "worker-llm/attempt.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "lib/core/log.h"
#include "lib/core/xmalloc.h"
#include "worker-llm/adapter.h"
#include "worker-llm/http.h"
#include "worker-llm/keys.h"
#include "worker-llm/retry.h"
#include "worker-llm/sse.h"

#define ANTHROPIC_VERSION "2023-06-01"

struct attempt_stream {
	struct llm_attempt *a;
	struct llm_sse *sse;
	int ev_rc; /* the first non-OK adapter result */
};

/* Rationale: the key goes into exactly one header and nowhere else; the
 * header strings are wiped before curl frees them. */
static struct curl_slist *
attempt_headers(const struct llm_attempt *a, const char *key)
{
	struct curl_slist *hl = NULL;
	char *line;

	hl = curl_slist_append(hl, "Content-Type: application/json");
	hl = curl_slist_append(hl, "Expect:"); /* no 100-continue round trip */
	hl = curl_slist_append(hl, a->stream ? "Accept: text/event-stream"
	                                     : "Accept: application/json");
	if (a->ep->adapter == LLM_ADAPTER_ANTHROPIC)
		hl = curl_slist_append(hl, "anthropic-version: " ANTHROPIC_VERSION);
	if (key != NULL) {
		line = a->ep->adapter == LLM_ADAPTER_ANTHROPIC
		           ? xasprintf("x-api-key: %s", key)
		           : xasprintf("Authorization: Bearer %s", key);
		hl = curl_slist_append(hl, line);
		freezero_str(line);
	}
	return hl;
}

static void
attempt_headers_free(struct curl_slist *hl)
{
	struct curl_slist *p;

	for (p = hl; p != NULL; p = p->next)
		explicit_bzero(p->data, strlen(p->data));
	curl_slist_free_all(hl);
}

static int
attempt_on_event(const char *event, const char *data, size_t len, void *arg)
{
	struct attempt_stream *s = arg;
	struct llm_attempt *a = s->a;
	int rc;

	(void)event;
	rc = a->ep->adapter == LLM_ADAPTER_ANTHROPIC
	         ? llm_anthropic_event(&a->res, data, len, a->cb)
	         : llm_openai_event(&a->res, data, len, a->cb);
	if (rc != LLM_EV_OK && s->ev_rc == LLM_EV_OK)
		s->ev_rc = rc;
	return rc != LLM_EV_OK;
}

static int
attempt_on_stream(const char *buf, size_t n, void *arg)
{
	struct attempt_stream *s = arg;
	const struct llm_stream_cb *cb = s->a->cb;
	int rc = llm_sse_feed(s->sse, buf, n);

	if (rc == -1 && s->ev_rc == LLM_EV_OK) { /* the parser's own limit */
		llm_result_seterror(&s->a->res, "a stream line or event is over 16 MiB");
		s->ev_rc = LLM_EV_MALFORMED;
	}
	if (cb != NULL && cb->flush != NULL)
		cb->flush(cb->arg);
	return rc != 0;
}

/* A printable excerpt of an error body that is not JSON. */
static void
attempt_excerpt(char *dst, size_t dstlen, const struct strbuf *body)
{
	size_t i, n = body->len < 300 ? body->len : 300;

	if (dstlen == 0)
		return;
	for (i = 0; i < n && i + 1 < dstlen; i++)
		dst[i] = isprint((unsigned char)body->buf[i]) ? body->buf[i] : ' ';
	dst[i] = '\0';
}

static int
attempt_mentions(const char *msg, const char *word)
{
	return msg != NULL && strcasestr(msg, word) != NULL;
}

/* An HTTP error status: retryable or not, and what it suggests about the
 * endpoint's abilities (the "probe" of the routing options). */
static void
attempt_http_error(struct llm_attempt *a, const struct llm_http_resp *r)
{
	char *msg = llm_wire_error_message(r->body.buf ? r->body.buf : "", r->body.len);
	char excerpt[320];
	int probe_status = a->status == 400 || a->status == 404 || a->status == 405 ||
	                   a->status == 415 || a->status == 422 || a->status == 501;

	if (msg == NULL)
		attempt_excerpt(excerpt, sizeof(excerpt), &r->body);
	snprintf(a->err, sizeof(a->err), "HTTP %ld: %s%s", a->status,
	         msg ? msg : (excerpt[0] ? excerpt : "(empty body)"),
	         a->status >= 300 && a->status < 400
	             ? " (redirects are not followed, they would carry the key: check base_url)"
	             : "");
	a->retry_after_ms = llm_retry_after_ms(r->retry_after, time(NULL));
	if (llm_retry_status_retryable(a->status)) {
		a->outcome = LLM_OUT_RETRY;
	} else {
		a->outcome = LLM_OUT_FATAL;
		a->probe_stream = probe_status && a->stream && attempt_mentions(msg, "stream");
		a->probe_tools =
		    probe_status && cJSON_HasObjectItem(a->wire, "tools") &&
		    (attempt_mentions(msg, "tool") || attempt_mentions(msg, "function"));
	}
	free(msg);
}

static int
attempt_curl_fatal(CURLcode rc)
{
	return rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE ||
	       rc == CURLE_SSL_CERTPROBLEM || rc == CURLE_SSL_ISSUER_ERROR ||
	       rc == CURLE_SSL_PINNEDPUBKEYNOTMATCH || rc == CURLE_UNSUPPORTED_PROTOCOL ||
	       rc == CURLE_URL_MALFORMAT;
}

/* The transfer did not complete. */
static void
attempt_transport_error(struct llm_attempt *a, const struct attempt_stream *s,
                        const struct llm_http_resp *r)
{
	if (s->ev_rc == LLM_EV_PROVIDER) {
		/* The provider accepted the request (2xx) and then failed:
		 * overloaded or upstream errors; the whole call is retried. */
		snprintf(a->err, sizeof(a->err), "provider error in stream: %s", a->res.error);
		a->outcome = LLM_OUT_RETRY;
	} else if (s->ev_rc == LLM_EV_MALFORMED) {
		snprintf(a->err, sizeof(a->err), "malformed stream event from %s: %s",
		         a->ep->base_url, a->res.error);
		a->outcome = LLM_OUT_MALFORMED;
		a->probe_stream = 1;
	} else if (r->too_large) {
		snprintf(a->err, sizeof(a->err), "%s", r->error);
		a->outcome = LLM_OUT_FATAL;
	} else if (attempt_curl_fatal(r->curl_rc)) {
		/* An untrusted certificate or a bad URL fails the same way on
		 * every retry; say how to fix it instead. */
		snprintf(a->err, sizeof(a->err), "%s: %s%s", a->ep->base_url, r->error,
		         r->curl_rc == CURLE_PEER_FAILED_VERIFICATION
		             ? " (TLS verification is always on; for a private CA set "
		               "SSL_CERT_FILE to its bundle)"
		             : "");
		a->outcome = LLM_OUT_FATAL;
	} else {
		snprintf(a->err, sizeof(a->err), "%s%s", r->streamed ? "stream broke: " : "",
		         r->error);
		a->outcome = LLM_OUT_RETRY;
	}
}

/* A complete 2xx response. */
static void
attempt_success(struct llm_attempt *a, const struct llm_http_resp *r)
{
	int rc;

	if (r->streamed) {
		/* A clean close before [DONE]/message_stop is a broken stream
		 * (proxies close idle connections cleanly). */
		if (!a->res.done && a->res.finish[0] == '\0') {
			snprintf(a->err, sizeof(a->err), "stream ended before its end marker");
			a->outcome = LLM_OUT_RETRY;
		} else {
			a->outcome = LLM_OUT_OK;
		}
		return;
	}
	/* Not streamed (asked so, or the server ignored stream:true). */
	rc = a->ep->adapter == LLM_ADAPTER_ANTHROPIC
	         ? llm_anthropic_parse(r->body.buf ? r->body.buf : "", r->body.len, &a->res)
	         : llm_openai_parse(r->body.buf ? r->body.buf : "", r->body.len, &a->res);
	if (rc == LLM_EV_OK) {
		a->outcome = LLM_OUT_OK;
	} else if (rc == LLM_EV_PROVIDER) {
		snprintf(a->err, sizeof(a->err), "provider error: %s", a->res.error);
		a->outcome = LLM_OUT_RETRY;
	} else {
		snprintf(a->err, sizeof(a->err), "malformed response from %s: %s", a->ep->base_url,
		         a->res.error);
		a->outcome = LLM_OUT_MALFORMED;
		a->probe_stream = a->stream;
	}
}

/* Rationale: provider error messages sometimes quote the credential they
 * refused; the key is cut out of anything we report. */
static void
attempt_redact(char *s, const char *key)
{
	static const char mask[] = "[REDACTED]";
	size_t klen = key ? strlen(key) : 0;
	char *p;

	if (klen < 4)
		return;
	while ((p = strstr(s, key)) != NULL) {
		size_t m = klen < sizeof(mask) - 1 ? klen : sizeof(mask) - 1;

		memcpy(p, mask, m);
		memmove(p + m, p + klen, strlen(p + klen) + 1);
	}
}

static void
attempt_send(struct llm_attempt *a, const char *key)
{
	struct attempt_stream s = {a, NULL, LLM_EV_OK};
	struct llm_http_opts o;
	struct llm_http_resp r;
	char *body = cJSON_PrintUnformatted(a->wire);

	memset(&o, 0, sizeof(o));
	o.url = llm_route_url(a->ep);
	o.headers = attempt_headers(a, key);
	o.body = body;
	o.body_len = strlen(body);
	o.timeout_ms = a->timeout_ms;
	o.idle_timeout_ms = a->stream ? a->idle_timeout_ms : 0;
	if (a->stream) {
		s.sse = llm_sse_new(attempt_on_event, &s);
		o.on_stream = attempt_on_stream;
		o.arg = &s;
	}
	if (llm_http_post(&o, &r) == 0 && !s.ev_rc) {
		a->status = r.status;
		if (r.status >= 200 && r.status < 300)
			attempt_success(a, &r);
		else
			attempt_http_error(a, &r);
	} else {
		a->status = r.status;
		attempt_transport_error(a, &s, &r);
	}
	llm_http_resp_free(&r);
	llm_sse_free(s.sse);
	attempt_headers_free(o.headers);
	free((char *)o.url);
	free(body);
}

void
llm_attempt_run(struct llm_attempt *a)
{
	struct llm_wire w = {a->ep->wire_model, a->stream, a->native_tools, a->params};
	char *key = NULL;

	llm_result_init(&a->res);
	a->retry_after_ms = -1;
	a->err[0] = '\0';
	a->wire = a->ep->adapter == LLM_ADAPTER_ANTHROPIC
	              ? llm_anthropic_build(&w, a->req, a->err, sizeof(a->err))
	              : llm_openai_build(&w, a->req, a->err, sizeof(a->err));
	if (a->wire == NULL) {
		a->outcome = LLM_OUT_FATAL;
		return;
	}
	if (a->ep->key_env != NULL && !llm_route_key_safe(a->ep)) {
		snprintf(a->err, sizeof(a->err),
		         "refusing to send %s over plain http to %s: use https (or a loopback "
		         "address for a local server)",
		         a->ep->key_env, a->ep->base_url);
		a->outcome = LLM_OUT_FATAL;
		return;
	}
	if (a->ep->key_env != NULL && (key = llm_key_get(a->ep->key_env)) == NULL) {
		snprintf(a->err, sizeof(a->err),
		         "%s is not set: put the API key in the environment or in the .env file "
		         "beside the config",
		         a->ep->key_env);
		a->outcome = LLM_OUT_FATAL;
		return;
	}
	attempt_send(a, key);
	attempt_redact(a->err, key);
	llm_key_free(key);
}

void
llm_attempt_free(struct llm_attempt *a)
{
	llm_result_free(&a->res);
	cJSON_Delete(a->wire);
	a->wire = NULL;
}
