/*
 * mock_server.c — the HTTP side of kylecode-mockllm (libmicrohttpd, one
 * thread per connection so a stalled or slow turn never blocks another
 * request). Each model request consumes the next script turn; every
 * request is recorded (credentials replaced by "<present>").
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "lib/core/log.h"
#include "lib/core/strbuf.h"
#include "lib/core/xmalloc.h"
#include "mockllm/mock.h"

enum mock_dialect { MOCK_OPENAI, MOCK_ANTHROPIC };

struct mock_server {
	const struct mock_opts *opts;
	struct mock_script *script;
	pthread_mutex_t mtx;
	size_t next_turn;
	unsigned long nreq;
	cJSON *requests; /* array of recorded requests, under mtx */
};

struct mock_conn {
	struct strbuf body;
	int too_big;
};

/* What the content reader sends: body[0..stop_at), then closes cleanly
 * (stop_at == len) or aborts the connection (a "drop" fault). */
struct mock_out {
	char *body;
	size_t len, off, stop_at;
	size_t chunk; /* 0: one SSE event per write */
	int chunk_delay_ms;
};

static atomic_int mock_stopping;

static int
mock_sleep_ms(int ms)
{
	struct timespec ts = {0, 20 * 1000 * 1000};

	while (ms > 0 && !atomic_load(&mock_stopping)) {
		if (ms < 20)
			ts.tv_nsec = (long)ms * 1000 * 1000;
		nanosleep(&ts, NULL);
		ms -= 20;
	}
	return atomic_load(&mock_stopping) ? -1 : 0;
}

static ssize_t
mock_out_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct mock_out *o = cls;
	size_t n;
	const char *ev;

	(void)pos;
	if (o->off >= o->stop_at)
		return o->stop_at == o->len ? MHD_CONTENT_READER_END_OF_STREAM
		                            : MHD_CONTENT_READER_END_WITH_ERROR;
	if (o->off > 0 && o->chunk_delay_ms > 0 && mock_sleep_ms(o->chunk_delay_ms) < 0)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	n = o->stop_at - o->off;
	if (o->chunk > 0 && n > o->chunk) {
		n = o->chunk;
	} else if (o->chunk == 0) {
		ev = memmem(o->body + o->off, n, "\n\n", 2);
		if (ev != NULL)
			n = (size_t)(ev - (o->body + o->off)) + 2;
	}
	if (n > max)
		n = max;
	memcpy(buf, o->body + o->off, n);
	o->off += n;
	return (ssize_t)n;
}

static void
mock_out_free(void *cls)
{
	struct mock_out *o = cls;

	free(o->body);
	free(o);
}

/* Queue body (taken) as the reply. */
static enum MHD_Result
mock_send(struct MHD_Connection *conn, int status, const char *ctype, char *body, size_t len,
          const struct mock_turn *t, size_t chunk, int drop, int retry_after)
{
	struct mock_out *o = xcalloc(1, sizeof(*o));
	struct MHD_Response *r;
	enum MHD_Result rc;
	int sse = strcmp(ctype, "text/event-stream") == 0;
	char ra[32];

	o->body = body;
	o->len = len;
	o->stop_at = drop ? len / 2 : len;
	o->chunk = t && t->chunk_bytes > 0 ? (size_t)t->chunk_bytes : chunk;
	o->chunk_delay_ms = t ? t->chunk_delay_ms : 0;
	r = MHD_create_response_from_callback(sse ? MHD_SIZE_UNKNOWN : (uint64_t)len, 16384,
	                                      mock_out_read, o, mock_out_free);
	if (r == NULL) {
		mock_out_free(o);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", ctype);
	if (sse)
		MHD_add_response_header(r, "Cache-Control", "no-cache");
	if (retry_after >= 0) {
		snprintf(ra, sizeof(ra), "%d", retry_after);
		MHD_add_response_header(r, "Retry-After", ra);
	}
	rc = MHD_queue_response(conn, (unsigned int)status, r);
	MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result
mock_send_error(struct MHD_Connection *conn, enum mock_dialect d, int status, const char *type,
                const char *msg, int retry_after)
{
	char *body =
	    d == MOCK_ANTHROPIC ? mock_anthropic_error(type, msg) : mock_openai_error(type, msg);

	return mock_send(conn, status, "application/json", body, strlen(body), NULL, 0, 0,
	                 retry_after);
}

static enum MHD_Result
mock_header_add(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	cJSON *h = cls;
	char *lk = xstrdup(key);
	char *p;

	(void)kind;
	for (p = lk; *p != '\0'; p++)
		*p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
	/* Credentials never reach the record: tests only need to know one was
	 * sent, and a recorded key would leak into test logs and artifacts. */
	if (strcmp(lk, "authorization") == 0 || strcmp(lk, "x-api-key") == 0 ||
	    strcmp(lk, "api-key") == 0 || strcmp(lk, "proxy-authorization") == 0)
		value = "<present>";
	cJSON_DeleteItemFromObjectCaseSensitive(h, lk);
	cJSON_AddStringToObject(h, lk, value ? value : "");
	free(lk);
	return MHD_YES;
}

static void
mock_record_write(const struct mock_server *s, unsigned long n, const cJSON *rec)
{
	char *path, *tmp, *text;
	FILE *f;

	path = xasprintf("%s/request_%lu.json", s->opts->record_dir, n);
	tmp = xasprintf("%s.tmp", path);
	text = cJSON_Print(rec);
	f = fopen(tmp, "w");
	if (f == NULL || fputs(text, f) == EOF || fputc('\n', f) == EOF || fclose(f) != 0) {
		log_warn("record: %s", tmp);
	} else if (rename(tmp, path) != 0) {
		log_warn("record: rename %s", path);
	}
	free(text);
	free(tmp);
	free(path);
}

/* Record the request; returns its 1-based number. */
static unsigned long
mock_record(struct mock_server *s, struct MHD_Connection *conn, const char *method, const char *url,
            const struct strbuf *body, const cJSON *parsed)
{
	cJSON *rec = cJSON_CreateObject(), *h;
	unsigned long n;

	cJSON_AddStringToObject(rec, "method", method);
	cJSON_AddStringToObject(rec, "path", url);
	h = cJSON_AddObjectToObject(rec, "headers");
	MHD_get_connection_values(conn, MHD_HEADER_KIND, mock_header_add, h);
	if (parsed != NULL)
		cJSON_AddItemToObject(rec, "body", cJSON_Duplicate(parsed, 1));
	else
		cJSON_AddStringToObject(rec, "body", strbuf_str(body));
	pthread_mutex_lock(&s->mtx);
	n = ++s->nreq;
	cJSON_AddNumberToObject(rec, "n", (double)n);
	if (s->opts->record_dir != NULL)
		mock_record_write(s, n, rec);
	cJSON_AddItemToArray(s->requests, rec);
	pthread_mutex_unlock(&s->mtx);
	return n;
}

static int
mock_json_contains(const cJSON *j, const char *needle)
{
	const cJSON *it;

	if (cJSON_IsString(j) && strstr(j->valuestring, needle) != NULL)
		return 1;
	cJSON_ArrayForEach(it, j)
	{
		if (mock_json_contains(it, needle))
			return 1;
	}
	return 0;
}

/* First expected substring missing from the request (raw body or any
 * decoded string in it), or NULL. */
static const char *
mock_expect_missing(const struct mock_turn *t, const struct strbuf *raw, const cJSON *req)
{
	size_t i;

	for (i = 0; i < t->nexpect; i++)
		if (strstr(strbuf_str(raw), t->expect[i]) == NULL &&
		    !mock_json_contains(req, t->expect[i]))
			return t->expect[i];
	return NULL;
}

static enum MHD_Result
mock_serve_turn(struct mock_server *s, struct MHD_Connection *conn, enum mock_dialect d,
                const struct mock_turn *t, struct mock_render_ctx *rc)
{
	struct mock_reply rep = {0};
	char msg[256];

	if (t->delay_ms > 0 && mock_sleep_ms(t->delay_ms) < 0)
		return MHD_NO;
	switch (t->fault) {
	case MOCK_FAULT_STATUS:
		snprintf(msg, sizeof(msg), "kylecode-mockllm: scripted fault %d (turn at %s:%d)",
		         t->status, s->script->path, t->line);
		return mock_send_error(conn, d, t->status,
		                       t->status == 429 ? "rate_limit_error" : "server_error", msg,
		                       t->status == 429 ? t->retry_after : -1);
	case MOCK_FAULT_STALL:
		/* Say nothing, then hang up: the client must time out. */
		mock_sleep_ms(t->stall_ms);
		return MHD_NO;
	case MOCK_FAULT_MALFORMED:
		rc->malformed = 1;
		break;
	default:
		break;
	}
	if (d == MOCK_ANTHROPIC)
		mock_anthropic_render(rc, &rep);
	else
		mock_openai_render(rc, &rep);
	return mock_send(conn, rep.status, rep.content_type, rep.body, rep.len, t,
	                 (size_t)s->opts->chunk_bytes, t->fault == MOCK_FAULT_DROP, -1);
}

static const struct mock_turn *
mock_turn_take(struct mock_server *s, size_t *idx)
{
	const struct mock_turn *t = NULL;

	pthread_mutex_lock(&s->mtx);
	if (s->next_turn < s->script->nturns) {
		*idx = s->next_turn;
		t = &s->script->turns[s->next_turn++];
	}
	pthread_mutex_unlock(&s->mtx);
	return t;
}

static int
mock_json_true(const cJSON *o, const char *key)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static enum MHD_Result
mock_model_request(struct mock_server *s, struct MHD_Connection *conn, enum mock_dialect d,
                   const char *url, struct mock_conn *mc)
{
	cJSON *req = cJSON_ParseWithLength(strbuf_str(&mc->body), mc->body.len);
	struct mock_render_ctx rc = {0};
	const struct mock_turn *t;
	const char *missing;
	char msg[512];
	size_t idx = 0;
	enum MHD_Result r;

	rc.req_no = mock_record(s, conn, "POST", url, &mc->body, req);
	if (!cJSON_IsObject(req)) {
		cJSON_Delete(req);
		return mock_send_error(conn, d, 400, "invalid_request_error",
		                       "kylecode-mockllm: the request body is not a JSON object",
		                       -1);
	}
	t = mock_turn_take(s, &idx);
	if (t == NULL) {
		snprintf(msg, sizeof(msg),
		         "kylecode-mockllm: script exhausted: all %zu turns of %s were used "
		         "(request #%lu has no turn)",
		         s->script->nturns, s->script->path, rc.req_no);
		log_warnx("%s", msg + strlen("kylecode-mockllm: "));
		cJSON_Delete(req);
		return mock_send_error(conn, d, 500, "mock_script_exhausted", msg, -1);
	}
	missing = mock_expect_missing(t, &mc->body, req);
	if (missing != NULL) {
		snprintf(msg, sizeof(msg),
		         "kylecode-mockllm: expectation failed: turn %zu (%s:%d) expects the "
		         "request to contain \"%.200s\"",
		         idx + 1, s->script->path, t->line, missing);
		log_warnx("%s", msg + strlen("kylecode-mockllm: "));
		cJSON_Delete(req);
		return mock_send_error(conn, d, 400, "mock_expectation_failed", msg, -1);
	}
	rc.turn = t;
	rc.request = req;
	rc.request_len = mc->body.len;
	rc.stream = mock_json_true(req, "stream");
	rc.include_usage = d == MOCK_OPENAI &&
	                   mock_json_true(cJSON_GetObjectItemCaseSensitive(req, "stream_options"),
	                                  "include_usage");
	r = mock_serve_turn(s, conn, d, t, &rc);
	cJSON_Delete(req);
	return r;
}

static int
mock_path_ends(const char *url, const char *suffix)
{
	size_t a = strlen(url), b = strlen(suffix);

	return a >= b && strcmp(url + a - b, suffix) == 0;
}

static enum MHD_Result
mock_control(struct mock_server *s, struct MHD_Connection *conn, const char *url)
{
	char *body;
	cJSON *o;

	pthread_mutex_lock(&s->mtx);
	if (strcmp(url, "/_mock/requests") == 0) {
		body = cJSON_PrintUnformatted(s->requests);
	} else {
		o = cJSON_CreateObject();
		cJSON_AddBoolToObject(o, "ok", 1);
		cJSON_AddNumberToObject(o, "requests", (double)s->nreq);
		cJSON_AddNumberToObject(o, "turns_total", (double)s->script->nturns);
		cJSON_AddNumberToObject(o, "turns_used", (double)s->next_turn);
		body = cJSON_PrintUnformatted(o);
		cJSON_Delete(o);
	}
	pthread_mutex_unlock(&s->mtx);
	return mock_send(conn, 200, "application/json", body, strlen(body), NULL, 0, 0, -1);
}

static enum MHD_Result
mock_access(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
            const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	struct mock_server *s = cls;
	struct mock_conn *mc = *con_cls;

	(void)version;
	if (mc == NULL) {
		*con_cls = mc = xcalloc(1, sizeof(*mc));
		strbuf_init(&mc->body);
		return MHD_YES;
	}
	if (*upload_size > 0) {
		if (mc->body.len + *upload_size > MOCK_MAX_BODY)
			mc->too_big = 1;
		else
			strbuf_add(&mc->body, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	if (strcmp(method, "GET") == 0 &&
	    (strcmp(url, "/_mock/requests") == 0 || strcmp(url, "/_mock/health") == 0))
		return mock_control(s, conn, url);
	if (strcmp(method, "POST") != 0 ||
	    !(mock_path_ends(url, "/chat/completions") || mock_path_ends(url, "/messages")))
		return mock_send_error(conn, MOCK_OPENAI, 404, "not_found",
		                       "kylecode-mockllm: serves POST .../chat/completions, POST "
		                       ".../messages, GET /_mock/requests, GET /_mock/health",
		                       -1);
	if (mc->too_big)
		return mock_send_error(conn, MOCK_OPENAI, 413, "invalid_request_error",
		                       "kylecode-mockllm: request body larger than 32 MiB", -1);
	return mock_model_request(
	    s, conn, mock_path_ends(url, "/messages") ? MOCK_ANTHROPIC : MOCK_OPENAI, url, mc);
}

static void
mock_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
               enum MHD_RequestTerminationCode toe)
{
	struct mock_conn *mc = *con_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (mc == NULL)
		return;
	strbuf_free(&mc->body);
	free(mc);
	*con_cls = NULL;
}

static int
mock_addr_is_loopback(const struct sockaddr *sa)
{
	const struct sockaddr_in *in4 = (const struct sockaddr_in *)(const void *)sa;
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;

	if (sa->sa_family == AF_INET)
		return (ntohl(in4->sin_addr.s_addr) >> 24) == 127;
	if (sa->sa_family == AF_INET6)
		return IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
	return 0;
}

/* Split "HOST:PORT" / "[V6]:PORT" into host and port. */
static int
mock_listen_split(const char *spec, char *host, size_t hlen, char *port, size_t plen)
{
	const char *colon;

	if (spec[0] == '[') {
		colon = strstr(spec, "]:");
		if (colon == NULL || (size_t)(colon - spec - 1) >= hlen)
			return -1;
		snprintf(host, hlen, "%.*s", (int)(colon - spec - 1), spec + 1);
		colon++;
	} else {
		colon = strrchr(spec, ':');
		if (colon == NULL || (size_t)(colon - spec) >= hlen)
			return -1;
		snprintf(host, hlen, "%.*s", (int)(colon - spec), spec);
	}
	if (colon[1] == '\0' || strspn(colon + 1, "0123456789") != strlen(colon + 1))
		return -1;
	snprintf(port, plen, "%s", colon + 1);
	return 0;
}

/*
 * Security: the mock answers anyone with scripted "model" output that the
 * harness will act on, and its request record holds whole prompts. It
 * therefore listens on loopback only; another address needs the explicit
 * --allow-remote, so a typo cannot expose it on a network.
 */
static int
mock_listen_open(const struct mock_opts *o, char *shown, size_t shownlen, int *port)
{
	struct addrinfo hints = {0}, *ai = NULL;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[256], sport[16], num[INET6_ADDRSTRLEN];
	int fd = -1, one = 1, rc;

	if (mock_listen_split(o->listen, host, sizeof(host), sport, sizeof(sport)) < 0) {
		log_warnx("--listen %s: expected HOST:PORT or [V6]:PORT", o->listen);
		return -1;
	}
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
	rc = getaddrinfo(host, sport, &hints, &ai);
	if (rc != 0) {
		log_warnx("--listen %s: %s", o->listen, gai_strerror(rc));
		return -1;
	}
	if (!o->allow_remote && !mock_addr_is_loopback(ai->ai_addr)) {
		log_warnx("--listen %s: not a loopback address; refusing (use 127.0.0.1, or "
		          "--allow-remote if you really mean it)",
		          o->listen);
		freeaddrinfo(ai);
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 64) < 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &sl) < 0) {
		log_warn("--listen %s", o->listen);
		if (fd >= 0)
			close(fd);
		freeaddrinfo(ai);
		return -1;
	}
	freeaddrinfo(ai);
	if (ss.ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, num, sizeof(num));
		*port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
		snprintf(shown, shownlen, "[%s]", num);
	} else {
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, num, sizeof(num));
		*port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
		snprintf(shown, shownlen, "%s", num);
	}
	return fd;
}

/* Written whole then renamed, so a test polling for it never reads half. */
static int
mock_port_file_write(const char *path, int port)
{
	char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	FILE *f = fopen(tmp, "w");
	int rc = 0;

	if (f == NULL || fprintf(f, "%d\n", port) < 0 || fclose(f) != 0 || rename(tmp, path) != 0) {
		log_warn("--port-file %s", path);
		unlink(tmp);
		rc = -1;
	}
	free(tmp);
	return rc;
}

static struct MHD_Daemon *
mock_daemon_start(struct mock_server *s, int fd)
{
	return MHD_start_daemon(
	    MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0,
	    NULL, NULL, mock_access, s, MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_NOTIFY_COMPLETED,
	    mock_completed, s, MHD_OPTION_CONNECTION_LIMIT, 256u, MHD_OPTION_END);
}

int
mock_main(const struct mock_opts *o)
{
	struct mock_server s = {0};
	struct MHD_Daemon *d;
	char err[1024], shown[INET6_ADDRSTRLEN + 2];
	sigset_t set;
	int fd, port = 0, sig = 0, rc = 0;

	s.opts = o;
	s.script = mock_script_load(o->script_path, err, sizeof(err));
	if (s.script == NULL) {
		log_warnx("%s", err);
		return 3;
	}
	if (o->record_dir != NULL && mkdir(o->record_dir, 0755) < 0 && errno != EEXIST) {
		log_warn("--record %s", o->record_dir);
		mock_script_free(s.script);
		return 1;
	}
	/* Block the stop signals in every thread; the main thread waits for
	 * them with sigwait, so no handler runs inside libmicrohttpd. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	fd = mock_listen_open(o, shown, sizeof(shown), &port);
	if (fd < 0) {
		mock_script_free(s.script);
		return 1;
	}
	pthread_mutex_init(&s.mtx, NULL);
	s.requests = cJSON_CreateArray();
	d = mock_daemon_start(&s, fd);
	if (d == NULL) {
		log_warnx("cannot start the HTTP server on %s", o->listen);
		close(fd);
		cJSON_Delete(s.requests);
		mock_script_free(s.script);
		return 1;
	}
	if (o->port_file != NULL && mock_port_file_write(o->port_file, port) < 0) {
		rc = 1;
	} else {
		printf("listening on http://%s:%d\n", shown, port);
		fflush(stdout);
		if (!o->quiet)
			log_info("serving %zu turns from %s", s.script->nturns, o->script_path);
		while (sigwait(&set, &sig) != 0)
			;
	}
	atomic_store(&mock_stopping, 1);
	MHD_stop_daemon(d);
	close(fd);
	if (!o->quiet)
		log_info("stopped (signal %d) after %lu requests", sig, s.nreq);
	cJSON_Delete(s.requests);
	pthread_mutex_destroy(&s.mtx);
	mock_script_free(s.script);
	return rc;
}
