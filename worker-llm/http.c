/* libcurl transport for the adapters; see http.h. */
#include "worker-llm/http.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "lib/core/clock.h"
#include "lib/core/xmalloc.h"

static CURLSH *http_share;
static char *http_cafile;
static pthread_mutex_t http_locks[CURL_LOCK_DATA_LAST];

struct http_state {
	const struct llm_http_opts *o;
	struct llm_http_resp *r;
	CURL *h;
	int decided; /* stream vs collect chosen for this response */
	curl_off_t last_bytes;
	long long last_ms;
};


static char *
http_header_value(const char *line, size_t n, const char *name)
{
	size_t k = strlen(name);

	if (n <= k || strncasecmp(line, name, k) != 0 || line[k] != ':')
		return NULL;
	line += k + 1;
	n -= k + 1;
	while (n > 0 && (*line == ' ' || *line == '\t'))
		line++, n--;
	while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == '\n' || line[n - 1] == ' '))
		n--;
	return xstrndup(line, n);
}

static size_t
http_on_header(char *buf, size_t size, size_t nitems, void *arg)
{
	struct http_state *st = arg;
	size_t n = size * nitems;
	char *v;

	if (n >= 5 && memcmp(buf, "HTTP/", 5) == 0) { /* a new response (after 100) */
		free(st->r->retry_after);
		free(st->r->content_type);
		st->r->retry_after = st->r->content_type = NULL;
	} else if ((v = http_header_value(buf, n, "retry-after")) != NULL) {
		free(st->r->retry_after);
		st->r->retry_after = v;
	} else if ((v = http_header_value(buf, n, "content-type")) != NULL) {
		free(st->r->content_type);
		st->r->content_type = v;
	}
	return n;
}

/* Stream only a successful event-stream response; error bodies and plain
 * JSON (a server that ignored stream:true) are collected whole. */
static void
http_decide(struct http_state *st)
{
	long status = 0;

	curl_easy_getinfo(st->h, CURLINFO_RESPONSE_CODE, &status);
	st->r->status = status;
	st->r->streamed = st->o->on_stream != NULL && status >= 200 && status < 300 &&
	                  st->r->content_type != NULL &&
	                  strncasecmp(st->r->content_type, "text/event-stream", 17) == 0;
	st->decided = 1;
}

static size_t
http_on_body(char *buf, size_t size, size_t nmemb, void *arg)
{
	struct http_state *st = arg;
	size_t n = size * nmemb;

	if (!st->decided)
		http_decide(st);
	if (st->r->streamed) {
		if (st->o->on_stream(buf, n, st->o->arg) != 0) {
			st->r->aborted = 1;
			return 0; /* curl stops with CURLE_WRITE_ERROR */
		}
		return n;
	}
	if (st->r->body.len + n > LLM_HTTP_MAX_BODY) {
		st->r->too_large = 1;
		return 0;
	}
	strbuf_add(&st->r->body, buf, n);
	return n;
}

/* Stall detection with millisecond budget (CURLOPT_LOW_SPEED_TIME counts
 * whole seconds). curl calls this at least about once a second. */
static int
http_on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                 curl_off_t ulnow)
{
	struct http_state *st = arg;
	long long now = kc_mono_ms();

	if (dlnow != st->last_bytes || st->last_ms == 0) {
		st->last_bytes = dlnow;
		st->last_ms = now;
		return 0;
	}
	if (st->o->idle_timeout_ms > 0 && now - st->last_ms > st->o->idle_timeout_ms) {
		st->r->idle_timeout = 1;
		return 1;
	}
	return 0;
}

static void
http_lock(CURL *h, curl_lock_data d, curl_lock_access a, void *arg)
{
	pthread_mutex_lock(&http_locks[d]);
}

static void
http_unlock(CURL *h, curl_lock_data d, void *arg)
{
	pthread_mutex_unlock(&http_locks[d]);
}

void
llm_http_init(void)
{
	int i;

	if (http_share != NULL || (http_share = curl_share_init()) == NULL)
		return;
	for (i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_init(&http_locks[i], NULL);
	curl_share_setopt(http_share, CURLSHOPT_LOCKFUNC, http_lock);
	curl_share_setopt(http_share, CURLSHOPT_UNLOCKFUNC, http_unlock);
	curl_share_setopt(http_share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
	curl_share_setopt(http_share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	curl_share_setopt(http_share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
}

void
llm_http_set_cafile(const char *path)
{
	free(http_cafile);
	http_cafile = path != NULL && *path ? xstrdup(path) : NULL;
}

void
llm_http_cleanup(void)
{
	int i;

	if (http_share == NULL)
		return;
	curl_share_cleanup(http_share);
	http_share = NULL;
	for (i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_destroy(&http_locks[i]);
}

/* Rationale for each transport setting, all of them security-relevant:
 * - TLS peer and host verification are set explicitly on and no config
 *   key turns them off: the request carries the API key.
 * - Only http and https, and redirects are not followed: a redirect would
 *   carry the Authorization header to wherever the server points.
 * - CURLOPT_PROXY "" ignores http_proxy/https_proxy/ALL_PROXY from the
 *   environment, so a variable inherited by accident cannot route the key
 *   through a third party.
 * - NOSIGNAL: several requests run on threads; no SIGALRM for DNS. */
static void
http_setopts(CURL *h, const struct llm_http_opts *o, struct http_state *st)
{
	curl_easy_setopt(h, CURLOPT_URL, o->url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(h, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	curl_easy_setopt(h, CURLOPT_PROXY, "");
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_POST, 1L);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, o->body);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)o->body_len);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, o->headers);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "kylecode/" KC_VERSION);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, o->timeout_ms > 0 ? o->timeout_ms : 0L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
	                 o->connect_timeout_ms > 0 ? o->connect_timeout_ms : 10000L);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, http_on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, st);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, http_on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, st);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, http_on_progress);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, st);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, st->r->error);
	if (http_share != NULL)
		curl_easy_setopt(h, CURLOPT_SHARE, http_share);
	if (http_cafile != NULL) /* replaces the trust store; never disables it */
		curl_easy_setopt(h, CURLOPT_CAINFO, http_cafile);
}

int
llm_http_post(const struct llm_http_opts *o, struct llm_http_resp *r)
{
	struct http_state st;
	CURL *h;

	memset(r, 0, sizeof(*r));
	strbuf_init(&r->body);
	if ((h = curl_easy_init()) == NULL) {
		snprintf(r->error, sizeof(r->error), "curl_easy_init failed");
		r->curl_rc = CURLE_FAILED_INIT;
		return -1;
	}
	memset(&st, 0, sizeof(st));
	st.o = o;
	st.r = r;
	st.h = h;
	http_setopts(h, o, &st);
	r->curl_rc = curl_easy_perform(h);
	if (!st.decided)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_cleanup(h);
	if (r->curl_rc == CURLE_OK)
		return 0;
	if (r->idle_timeout)
		snprintf(r->error, sizeof(r->error), "no data for %ld ms (stalled)",
		         o->idle_timeout_ms);
	else if (r->too_large)
		snprintf(r->error, sizeof(r->error), "response body over %u bytes",
		         LLM_HTTP_MAX_BODY);
	else if (r->error[0] == '\0')
		snprintf(r->error, sizeof(r->error), "%s", curl_easy_strerror(r->curl_rc));
	return -1;
}

void
llm_http_resp_free(struct llm_http_resp *r)
{
	free(r->retry_after);
	free(r->content_type);
	strbuf_free(&r->body);
	memset(r, 0, sizeof(*r));
}
