/* worker.c — the worker's side: a REP socket served by N threads, each on
 * its own NNG context, and a PUSH socket for progress events.
 *
 * Whatever arrives on the REP socket gets exactly one reply: a request
 * that cannot be decoded, is not a request, or has no handler is answered
 * with IPC_T_ERROR (REQ/REP would otherwise leave the supervisor waiting
 * until its deadline). The worker exits when the supervisor is gone: the
 * kernel kills it (PR_SET_PDEATHSIG) if the supervisor dies, and the last
 * connection closing makes ipc_worker_serve() return. */
#include "ipc/ipc.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include <nng/nng.h>
#include <nng/protocol/pipeline0/push.h>
#include <nng/protocol/reqrep0/rep.h>

#include "lib/core/clock.h"
#include "lib/core/log.h"
#include "lib/failpoint/failpoint.h"

/* The supervisor is trusted more than a worker, but a message several
 * times the cap is still dropped by the transport rather than buffered. */
#define WK_RECVMAX ((size_t)4 * (IPC_HDR_LEN + IPC_MAX_BODY))
#define WK_EV_SEND_MS 2000
#define WK_REPLY_SEND_MS 30000 /* a reply the supervisor does not take in 30 s is dropped */
#define WK_MAX_THREADS 64

enum { WK_RUN, WK_SHUTDOWN, WK_PEER_GONE };

struct ipc_worker {
	nng_socket rep, ev;
	const struct ipc_handler *tab;
	size_t ntab;
	void *arg;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int npipes, had_peer;
	int state;
	int stopping; /* service threads: take no new request */
	uint64_t start_ms;
	int nthreads;
	nng_aio *aios[WK_MAX_THREADS];
	int naios;
};

struct ipc_req {
	struct ipc_worker *w;
	struct ipc_hdr h;
	uint64_t recv_ms;
	uint32_t nev;
	int has_err;
	char code[32];
	char msg[1024];
};

static uint64_t
wk_now_ms(void)
{
	return (uint64_t)kc_mono_ms();
}

static void
wk_state_set(struct ipc_worker *w, int state)
{
	pthread_mutex_lock(&w->mu);
	if (w->state == WK_RUN)
		w->state = state;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

static void
wk_pipe_cb(nng_pipe p, nng_pipe_ev ev, void *arg)
{
	struct ipc_worker *w = arg;

	(void)p;
	pthread_mutex_lock(&w->mu);
	if (ev == NNG_PIPE_EV_ADD_POST) {
		w->npipes++;
		w->had_peer = 1;
	} else if (ev == NNG_PIPE_EV_REM_POST) {
		w->npipes--;
		if (w->npipes <= 0 && w->had_peer && w->state == WK_RUN)
			w->state = WK_PEER_GONE;
	}
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

/* ---------------- the request API for handlers ---------------- */

void
ipc_req_seterr(struct ipc_req *r, const char *code, const char *fmt, ...)
{
	va_list ap;

	r->has_err = 1;
	snprintf(r->code, sizeof(r->code), "%s", code != NULL ? code : "internal");
	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof(r->msg), fmt, ap);
	va_end(ap);
}

uint64_t
ipc_req_id(const struct ipc_req *r)
{
	return r->h.req_id;
}

int64_t
ipc_req_remaining_ms(const struct ipc_req *r)
{
	uint64_t spent;

	if (r->h.deadline_ms == 0)
		return -1;
	spent = wk_now_ms() - r->recv_ms;
	return spent >= r->h.deadline_ms ? 0 : (int64_t)(r->h.deadline_ms - spent);
}

int
ipc_req_event(struct ipc_req *r, cJSON *ev)
{
	struct ipc_hdr h;
	nng_msg *m = NULL;
	void *buf;
	size_t len;
	int rv;

	if (ev == NULL)
		return -1;
	cJSON_DeleteItemFromObjectCaseSensitive(ev, "req_id");
	cJSON_AddNumberToObject(ev, "req_id", (double)r->h.req_id);
	memset(&h, 0, sizeof(h));
	h.type = IPC_T_EVENT;
	h.req_id = r->h.req_id;
	buf = ipc_msg_encode(&h, ev, &len);
	cJSON_Delete(ev);
	if (buf == NULL)
		return -1;
	rv = nng_msg_alloc(&m, 0);
	if (rv == 0 && (rv = nng_msg_append(m, buf, len)) == 0)
		rv = nng_sendmsg(r->w->ev, m, 0);
	free(buf);
	if (rv != 0) {
		if (m != NULL)
			nng_msg_free(m);
		log_debug("ipc: event for request %llu dropped: %s",
		          (unsigned long long)r->h.req_id, nng_strerror(rv));
		return -1;
	}
	__atomic_add_fetch(&r->nev, 1, __ATOMIC_RELAXED);
	return 0;
}

/* ---------------- serving one request ---------------- */

static cJSON *
wk_error_body(const char *code, const char *msg)
{
	cJSON *b = cJSON_CreateObject();

	cJSON_AddStringToObject(b, "code", code);
	cJSON_AddStringToObject(b, "error", msg);
	return b;
}

static cJSON *
wk_pong(struct ipc_worker *w)
{
	const char *role = program_invocation_short_name;
	cJSON *b = cJSON_CreateObject();

	if (strncmp(role, "kylecode-", 9) == 0)
		role += 9;
	cJSON_AddStringToObject(b, "role", role);
	cJSON_AddNumberToObject(b, "pid", (double)getpid());
	cJSON_AddNumberToObject(b, "uptime_ms", (double)(wk_now_ms() - w->start_ms));
	/* The supervisor skips its heartbeat while this many requests are in
	 * flight: a PING would wait for a free thread, not show a hang. */
	cJSON_AddNumberToObject(b, "threads", w->nthreads);
	return b;
}

/* Runs the handler for a decoded request; returns the reply body and sets
 * *type to the reply type or IPC_T_ERROR. */
static cJSON *
wk_dispatch(struct ipc_req *r, const cJSON *body, uint16_t reply_type, uint16_t *type,
            int *shutdown)
{
	struct ipc_worker *w = r->w;
	cJSON *reply = NULL;
	size_t i;

	*type = reply_type;
	if (r->h.type == IPC_T_PING)
		return wk_pong(w);
	if (r->h.type == IPC_T_SHUTDOWN) {
		*shutdown = 1;
		return cJSON_CreateObject();
	}
	/* Tests delay or fail role requests here, not the built-in PING. */
	if ((i = (size_t)FAILPOINT("ipc.worker.handle")) != 0) {
		*type = IPC_T_ERROR;
		return wk_error_body("internal", strerror((int)i));
	}
	for (i = 0; i < w->ntab; i++)
		if (w->tab[i].type == r->h.type && w->tab[i].fn != NULL)
			break;
	*type = IPC_T_ERROR;
	if (i == w->ntab)
		return wk_error_body("unsupported", "this worker does not serve that request");
	if (w->tab[i].fn(r, body, &reply, w->arg) < 0) {
		cJSON_Delete(reply);
		if (!r->has_err)
			ipc_req_seterr(r, "internal", "handler failed without saying why");
		log_warnx("ipc: request %llu (%s): %s: %s", (unsigned long long)r->h.req_id,
		          ipc_type_name(r->h.type), r->code, r->msg);
		return wk_error_body(r->code, r->msg);
	}
	*type = reply_type;
	return reply != NULL ? reply : cJSON_CreateObject();
}

/* Turns whatever arrived into exactly one encoded reply. */
static void *
wk_handle(struct ipc_worker *w, const void *in, size_t inlen, size_t *outlen, int *shutdown)
{
	struct ipc_req r;
	struct ipc_hdr out;
	char err[256];
	uint16_t reply_type = IPC_T_ERROR;
	cJSON *body, *reply;
	void *buf;

	memset(&r, 0, sizeof(r));
	r.w = w;
	r.recv_ms = wk_now_ms();
	body = ipc_msg_decode(in, inlen, &r.h, err, sizeof(err));
	if (body == NULL) {
		log_warnx("ipc: refused a malformed message of %zu bytes: %s", inlen, err);
		reply = wk_error_body("bad_request", err);
	} else if (!ipc_type_is_request(r.h.type, &reply_type)) {
		log_warnx("ipc: refused %s: not a request", ipc_type_name(r.h.type));
		reply = wk_error_body("bad_request", "message type is not a request");
		reply_type = IPC_T_ERROR;
	} else {
		reply = wk_dispatch(&r, body, reply_type, &reply_type, shutdown);
	}
	cJSON_Delete(body);
	memset(&out, 0, sizeof(out));
	out.type = reply_type;
	out.req_id = r.h.req_id;
	out.flags = (r.nev > IPC_F_EVCOUNT_MAX ? IPC_F_EVCOUNT_MAX : r.nev) << IPC_F_EVCOUNT_SHIFT;
	buf = ipc_msg_encode(&out, reply, outlen);
	cJSON_Delete(reply);
	if (buf == NULL) {
		out.type = IPC_T_ERROR;
		reply = wk_error_body("internal", "reply too large to encode");
		buf = ipc_msg_encode(&out, reply, outlen);
		cJSON_Delete(reply);
	}
	return buf;
}

/* Starts the receive of the next request unless the worker is stopping.
 * Under the lock, so that wk_threads_stop() either sees this receive and
 * cancels it, or this thread sees the stop flag. */
static int
wk_recv_start(struct ipc_worker *w, nng_ctx ctx, nng_aio *aio)
{
	int go;

	pthread_mutex_lock(&w->mu);
	go = !w->stopping;
	if (go)
		nng_ctx_recv(ctx, aio);
	pthread_mutex_unlock(&w->mu);
	return go;
}

static void
wk_reply_send(struct ipc_worker *w, nng_ctx ctx, nng_aio *aio, nng_msg *m)
{
	void *buf;
	size_t len;
	int shutdown = 0;

	/* error: the request is lost on the way in (the caller times out) */
	if (FAILPOINT("ipc.worker.recv") != 0) {
		nng_msg_free(m);
		return;
	}
	buf = wk_handle(w, nng_msg_body(m), nng_msg_len(m), &len, &shutdown);
	nng_msg_clear(m);
	if (buf == NULL || nng_msg_append(m, buf, len) != 0) {
		free(buf);
		nng_msg_free(m);
		return;
	}
	free(buf);
	/* error: the reply is lost on the way out (the caller times out) */
	if (FAILPOINT("ipc.worker.reply") != 0) {
		nng_msg_free(m);
		return;
	}
	/* Mark the shutdown before the reply leaves: a supervisor that hangs up
	 * as soon as it reads SHUTDOWN_OK would otherwise be seen as "gone"
	 * first and the worker would exit 1 instead of 0. wk_wait_end() still
	 * lets the queued reply drain before the socket closes. */
	if (shutdown)
		wk_state_set(w, WK_SHUTDOWN);
	/* Bounded: when the supervisor drops the connection in the middle of
	 * a large reply, NNG (1.5) may never complete the send, and a service
	 * thread stuck here is one the worker never gets back. */
	nng_aio_set_msg(aio, m);
	nng_aio_set_timeout(aio, WK_REPLY_SEND_MS);
	nng_ctx_send(ctx, aio);
	nng_aio_wait(aio);
	if (nng_aio_result(aio) != 0)
		nng_msg_free(m);
}

static void *
wk_thread(void *arg)
{
	struct ipc_worker *w = arg;
	nng_ctx ctx;
	nng_aio *aio = NULL;
	int slot;

	pthread_mutex_lock(&w->mu);
	slot = w->naios++;
	pthread_mutex_unlock(&w->mu);
	if (nng_ctx_open(&ctx, w->rep) != 0 || nng_aio_alloc(&aio, NULL, NULL) != 0) {
		log_warnx("ipc: service thread: cannot open a context");
		wk_state_set(w, WK_PEER_GONE);
		return NULL;
	}
	pthread_mutex_lock(&w->mu);
	w->aios[slot] = aio;
	pthread_mutex_unlock(&w->mu);
	while (wk_recv_start(w, ctx, aio)) {
		nng_aio_wait(aio);
		if (nng_aio_result(aio) == NNG_ECLOSED || nng_aio_result(aio) == NNG_ECANCELED)
			break;
		if (nng_aio_result(aio) == 0)
			wk_reply_send(w, ctx, aio, nng_aio_get_msg(aio));
	}
	pthread_mutex_lock(&w->mu);
	w->aios[slot] = NULL;
	pthread_mutex_unlock(&w->mu);
	nng_aio_free(aio);
	nng_ctx_close(ctx);
	return NULL;
}

/* Stops the service threads: idle ones have their receive cancelled, busy
 * ones finish their request first. The sockets stay open until every
 * thread is out: NNG 1.5 does not survive a context used after its socket
 * was closed. */
static void
wk_threads_stop(struct ipc_worker *w)
{
	int i;

	pthread_mutex_lock(&w->mu);
	w->stopping = 1;
	for (i = 0; i < WK_MAX_THREADS; i++)
		if (w->aios[i] != NULL)
			nng_aio_cancel(w->aios[i]);
	pthread_mutex_unlock(&w->mu);
}

static int
wk_sockets_open(struct ipc_worker *w, const char *req_url, const char *ev_url)
{
	int rv;

	if ((rv = nng_rep0_open(&w->rep)) != 0 || (rv = nng_push0_open(&w->ev)) != 0) {
		log_warnx("ipc: open sockets: %s", nng_strerror(rv));
		return -1;
	}
	nng_socket_set_size(w->rep, NNG_OPT_RECVMAXSZ, WK_RECVMAX);
	nng_socket_set_ms(w->ev, NNG_OPT_SENDTIMEO, WK_EV_SEND_MS);
	nng_pipe_notify(w->rep, NNG_PIPE_EV_ADD_POST, wk_pipe_cb, w);
	nng_pipe_notify(w->rep, NNG_PIPE_EV_REM_POST, wk_pipe_cb, w);
	if ((rv = nng_listen(w->rep, req_url, NULL, 0)) != 0) {
		log_warnx("ipc: listen on %s: %s", req_url, nng_strerror(rv));
		return -1;
	}
	if ((rv = nng_listen(w->ev, ev_url, NULL, 0)) != 0) {
		log_warnx("ipc: listen on %s: %s", ev_url, nng_strerror(rv));
		return -1;
	}
	return 0;
}

/* Waits for SHUTDOWN or the supervisor's disconnect. After SHUTDOWN, gives
 * the supervisor a moment to read SHUTDOWN_OK and hang up: closing the
 * socket at once could discard the reply still in NNG's queue. */
static int
wk_wait_end(struct ipc_worker *w)
{
	struct timespec ts;
	int state;

	pthread_mutex_lock(&w->mu);
	while (w->state == WK_RUN)
		pthread_cond_wait(&w->cv, &w->mu);
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 500 * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	while (w->state == WK_SHUTDOWN && w->npipes > 0)
		if (pthread_cond_timedwait(&w->cv, &w->mu, &ts) == ETIMEDOUT)
			break;
	state = w->state;
	pthread_mutex_unlock(&w->mu);
	return state;
}

static void
wk_free(struct ipc_worker *w)
{
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	free(w);
}

int
ipc_worker_serve(const char *req_url, const char *ev_url, const struct ipc_handler *tab,
                 size_t ntab, void *arg, int nthreads)
{
	struct ipc_worker *w;
	pthread_t th[WK_MAX_THREADS];
	struct timespec ts;
	int i, n = 0, state;

	/* If the supervisor dies, so do we (it cannot restart us any more and
	 * nobody would collect our results). */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	(void)FAILPOINT("ipc.worker.start"); /* crash/hang at start-up */
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return -1;
	w->tab = tab;
	w->ntab = ntab;
	w->arg = arg;
	w->start_ms = wk_now_ms();
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	nthreads = nthreads < 1 ? 1 : nthreads > WK_MAX_THREADS ? WK_MAX_THREADS : nthreads;
	w->nthreads = nthreads;
	if (wk_sockets_open(w, req_url, ev_url) < 0) {
		nng_close(w->rep);
		nng_close(w->ev);
		wk_free(w);
		return -1;
	}
	for (i = 0; i < nthreads; i++)
		if (pthread_create(&th[n], NULL, wk_thread, w) == 0)
			n++;
	if (n == 0)
		wk_state_set(w, WK_PEER_GONE);
	state = wk_wait_end(w);
	log_debug("ipc: %s", state == WK_SHUTDOWN ? "shutdown requested" : "supervisor gone");
	wk_threads_stop(w);
	/* A handler may be busy for minutes (a long command): do not wait for
	 * it, the process is about to exit anyway; the sockets and w are then
	 * left as they are because that thread still uses them. */
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 2;
	for (i = 0; i < n; i++)
		if (pthread_timedjoin_np(th[i], NULL, &ts) != 0)
			return state == WK_SHUTDOWN ? 0 : 1;
	nng_close(w->rep);
	nng_close(w->ev);
	wk_free(w);
	return state == WK_SHUTDOWN ? 0 : 1;
}
