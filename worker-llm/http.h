/* One HTTP POST with libcurl: an easy handle per request, the response
 * either streamed (2xx text/event-stream -> on_stream) or collected. */
#ifndef KC_WORKER_LLM_HTTP_H
#define KC_WORKER_LLM_HTTP_H

#include <stddef.h>

#include <curl/curl.h>

#include "lib/core/strbuf.h"

/* A non-streamed or error body larger than this is refused. */
#define LLM_HTTP_MAX_BODY (32u * 1024u * 1024u)

struct llm_http_opts {
	const char *url;
	struct curl_slist *headers;
	const char *body;
	size_t body_len;
	long timeout_ms; /* the whole attempt */
	long connect_timeout_ms;
	long idle_timeout_ms; /* no byte received for this long = stall */
	/* Bytes of a 2xx event stream; return 0 to go on, non-zero to abort. */
	int (*on_stream)(const char *buf, size_t n, void *arg);
	void *arg;
};

struct llm_http_resp {
	long status;
	CURLcode curl_rc;
	int streamed;     /* the body went to on_stream */
	int aborted;      /* on_stream asked to stop */
	int idle_timeout; /* stalled longer than idle_timeout_ms */
	int too_large;
	char *retry_after;  /* the header's value, or NULL */
	char *content_type; /* or NULL */
	struct strbuf body; /* non-streamed body */
	char error[CURL_ERROR_SIZE];
};

/* Process-wide connection, DNS and TLS-session cache shared by every
 * request (after curl_global_init); without it each call would pay a TCP
 * and TLS handshake. Safe to skip: requests then use fresh connections. */
void llm_http_init(void);
/* Trust this CA bundle instead of the system's (SSL_CERT_FILE, read once
 * at start): for private endpoints with their own CA. NULL: the system's. */
void llm_http_set_cafile(const char *path);
void llm_http_cleanup(void);

/* Perform the POST. Returns 0 when an HTTP response (any status) was read
 * completely, -1 otherwise (connect error, timeout, stall, abort, broken
 * transfer): resp->error then says what happened. */
int llm_http_post(const struct llm_http_opts *o, struct llm_http_resp *resp);
void llm_http_resp_free(struct llm_http_resp *resp);

#endif
