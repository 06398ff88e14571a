/* client.c — the supervisor's side of one worker connection.
 *
 * One REQ socket, one NNG context per call (so that any number of threads
 * may call at once), and one PULL socket whose events a reader thread
 * routes by request id to the call waiting for them. The caller's thread
 * runs the event callback: it sleeps on a condition variable that both the
 * reply's aio and the event reader signal.
 *
 * A worker that goes away must never get a request a second time (DESIGN
 * §2: a non-idempotent request is reported as interrupted, never re-run).
 * NNG's REQ protocol would re-send a pending request on a new connection,
 * so: the resend timer is disabled, and when the connection that was up is
 * lost the client becomes "gone": every waiting call is cancelled and no
 * new one is sent. The supervisor opens a new client for the new worker. */
#include "ipc/ipc.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nng/nng.h>
#include <nng/protocol/pipeline0/pull.h>
#include <nng/protocol/reqrep0/req.h>

#include "lib/core/clock.h"
#include "lib/core/log.h"
#include "lib/failpoint/failpoint.h"

#define IPC_DEFAULT_TIMEOUT_MS 60000
#define IPC_EVQ_MAX 65536    /* events queued per call before dropping */
#define IPC_EV_GRACE_MS 1000 /* wait for late events after the reply */

struct ipc_evq {
	cJSON *ev;
	struct ipc_evq *next;
};

struct ipc_pending {
	uint64_t req_id;
	pthread_cond_t cv;
	struct ipc_evq *head, *tail;
	size_t nq;
	uint32_t nev; /* events received for this call */
	int aio_done;
	struct ipc_pending *next;
};

enum { CLIENT_CONNECTING, CLIENT_UP, CLIENT_GONE };

struct ipc_client {
	nng_socket req, ev;
	pthread_mutex_t mu;
	struct ipc_pending *pending;
	uint64_t next_id;
	int state;
	int npipes;
	pthread_t ev_thread;
	int ev_thread_started;
};

static void cl_seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
cl_seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static void
cl_pipe_cb(nng_pipe p, nng_pipe_ev ev, void *arg)
{
	struct ipc_client *c = arg;
	struct ipc_pending *pp;

	(void)p;
	pthread_mutex_lock(&c->mu);
	if (ev == NNG_PIPE_EV_ADD_POST) {
		c->npipes++;
		if (c->state == CLIENT_CONNECTING)
			c->state = CLIENT_UP;
	} else if (ev == NNG_PIPE_EV_REM_POST) {
		c->npipes--;
		if (c->npipes <= 0 && c->state == CLIENT_UP) {
			c->state = CLIENT_GONE;
			for (pp = c->pending; pp != NULL; pp = pp->next)
				pthread_cond_broadcast(&pp->cv);
		}
	}
	pthread_mutex_unlock(&c->mu);
}

int
ipc_client_gone(struct ipc_client *c)
{
	int g;

	pthread_mutex_lock(&c->mu);
	g = c->state == CLIENT_GONE;
	pthread_mutex_unlock(&c->mu);
	return g;
}

/* Queue one decoded event for the call it belongs to; unknown ids (a call
 * that already returned) are dropped. */
static void
cl_event_route(struct ipc_client *c, uint64_t req_id, cJSON *ev)
{
	struct ipc_pending *p;
	struct ipc_evq *q;

	pthread_mutex_lock(&c->mu);
	for (p = c->pending; p != NULL && p->req_id != req_id; p = p->next)
		;
	if (p == NULL || p->nq >= IPC_EVQ_MAX) {
		pthread_mutex_unlock(&c->mu);
		cJSON_Delete(ev);
		return;
	}
	q = malloc(sizeof(*q));
	if (q == NULL) {
		pthread_mutex_unlock(&c->mu);
		cJSON_Delete(ev);
		return;
	}
	q->ev = ev;
	q->next = NULL;
	if (p->tail != NULL)
		p->tail->next = q;
	else
		p->head = q;
	p->tail = q;
	p->nq++;
	p->nev++;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&c->mu);
}

static void *
cl_event_thread(void *arg)
{
	struct ipc_client *c = arg;
	char err[256];

	for (;;) {
		nng_msg *m;
		struct ipc_hdr h;
		cJSON *ev;
		int rv = nng_recvmsg(c->ev, &m, 0);

		if (rv == NNG_ECLOSED)
			break;
		if (rv != 0)
			continue;
		ev = ipc_msg_decode(nng_msg_body(m), nng_msg_len(m), &h, err, sizeof(err));
		nng_msg_free(m);
		if (ev == NULL || h.type != IPC_T_EVENT) {
			log_warnx("ipc: dropped a malformed event: %s",
			          ev == NULL ? err : "not an EVENT");
			cJSON_Delete(ev);
			continue;
		}
		cl_event_route(c, h.req_id, ev);
	}
	return NULL;
}

static int
cl_sockets_open(struct ipc_client *c, const char *req_url, const char *ev_url, char *err,
                size_t errlen)
{
	int rv;

	if ((rv = nng_req0_open(&c->req)) != 0 || (rv = nng_pull0_open(&c->ev)) != 0) {
		cl_seterr(err, errlen, "ipc: open sockets: %s", nng_strerror(rv));
		return -1;
	}
	/* Never re-send by timer: see the comment at the top. */
	nng_socket_set_ms(c->req, NNG_OPT_REQ_RESENDTIME, NNG_DURATION_INFINITE);
	/* A worker is less trusted than the supervisor: cap what it may send.
	 * A bigger message makes NNG drop the connection (-> client gone). */
	nng_socket_set_size(c->req, NNG_OPT_RECVMAXSZ, IPC_HDR_LEN + IPC_MAX_BODY);
	nng_socket_set_size(c->ev, NNG_OPT_RECVMAXSZ, IPC_HDR_LEN + IPC_MAX_BODY);
	nng_socket_set_ms(c->req, NNG_OPT_RECONNMINT, 5);
	nng_socket_set_ms(c->req, NNG_OPT_RECONNMAXT, 100);
	nng_socket_set_ms(c->ev, NNG_OPT_RECONNMINT, 5);
	nng_socket_set_ms(c->ev, NNG_OPT_RECONNMAXT, 100);
	nng_pipe_notify(c->req, NNG_PIPE_EV_ADD_POST, cl_pipe_cb, c);
	nng_pipe_notify(c->req, NNG_PIPE_EV_REM_POST, cl_pipe_cb, c);
	if ((rv = nng_dial(c->req, req_url, NULL, NNG_FLAG_NONBLOCK)) != 0 ||
	    (rv = nng_dial(c->ev, ev_url, NULL, NNG_FLAG_NONBLOCK)) != 0) {
		cl_seterr(err, errlen, "ipc: dial %s: %s", req_url, nng_strerror(rv));
		return -1;
	}
	return 0;
}

struct ipc_client *
ipc_client_open(const char *req_url, const char *ev_url, char *err, size_t errlen)
{
	struct ipc_client *c = calloc(1, sizeof(*c));
	struct timespec ts;

	if (c == NULL) {
		cl_seterr(err, errlen, "ipc: out of memory");
		return NULL;
	}
	pthread_mutex_init(&c->mu, NULL);
	/* Request ids only need to be unique per client; starting from the
	 * clock makes ids of successive clients distinguishable in logs. */
	clock_gettime(CLOCK_REALTIME, &ts);
	c->next_id = ((uint64_t)ts.tv_sec << 20) + 1;
	if (cl_sockets_open(c, req_url, ev_url, err, errlen) < 0) {
		ipc_client_close(c);
		return NULL;
	}
	if (pthread_create(&c->ev_thread, NULL, cl_event_thread, c) != 0) {
		cl_seterr(err, errlen, "ipc: cannot start the event thread");
		ipc_client_close(c);
		return NULL;
	}
	c->ev_thread_started = 1;
	return c;
}

void
ipc_client_close(struct ipc_client *c)
{
	if (c == NULL)
		return;
	nng_close(c->req);
	nng_close(c->ev);
	if (c->ev_thread_started)
		pthread_join(c->ev_thread, NULL);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

/* ---------------- one call ---------------- */

struct cl_call {
	struct ipc_client *c;
	struct ipc_pending p;
	nng_ctx ctx;
	nng_aio *aio;
	ipc_event_fn cb;
	void *cbarg;
	uint64_t deadline; /* monotonic ms, 0 = none */
};

static uint64_t
cl_now_ms(void)
{
	return (uint64_t)kc_mono_ms();
}

static void
cl_aio_cb(void *arg)
{
	struct cl_call *k = arg;

	pthread_mutex_lock(&k->c->mu);
	k->p.aio_done = 1;
	pthread_cond_broadcast(&k->p.cv);
	pthread_mutex_unlock(&k->c->mu);
}

/* Hands queued events to the callback, without the lock. Called with the
 * lock held; returns with it held. */
static void
cl_events_drain(struct cl_call *k)
{
	struct ipc_evq *q;

	while ((q = k->p.head) != NULL) {
		k->p.head = q->next;
		if (k->p.head == NULL)
			k->p.tail = NULL;
		k->p.nq--;
		pthread_mutex_unlock(&k->c->mu);
		if (k->cb != NULL)
			k->cb(q->ev, k->cbarg);
		cJSON_Delete(q->ev);
		free(q);
		pthread_mutex_lock(&k->c->mu);
	}
}

/* Waits for a signal or until the absolute monotonic time until_ms (the
 * condition variable is made with CLOCK_MONOTONIC in cl_call_begin). */
static void
cl_cond_wait(struct cl_call *k, uint64_t until_ms)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(until_ms / 1000u);
	ts.tv_nsec = (long)(until_ms % 1000u) * 1000000L;
	pthread_cond_timedwait(&k->p.cv, &k->c->mu, &ts);
}

/* Waits for the current aio to finish, running event callbacks meanwhile;
 * cancels it when the worker connection is lost. Returns the NNG result,
 * NNG_ECONNRESET for a lost connection. */
static int
cl_aio_wait(struct cl_call *k)
{
	int cancelled = 0, rv;

	pthread_mutex_lock(&k->c->mu);
	for (;;) {
		cl_events_drain(k);
		if (k->p.aio_done)
			break;
		if (k->c->state == CLIENT_GONE && !cancelled) {
			pthread_mutex_unlock(&k->c->mu);
			nng_aio_cancel(k->aio);
			pthread_mutex_lock(&k->c->mu);
			cancelled = 1;
			continue;
		}
		cl_cond_wait(k, cl_now_ms() + 1000);
	}
	k->p.aio_done = 0;
	pthread_mutex_unlock(&k->c->mu);
	rv = nng_aio_result(k->aio);
	if (cancelled && rv != 0)
		rv = NNG_ECONNRESET;
	return rv;
}

/* After the reply: the worker said how many events it pushed for this
 * request; wait (briefly) until they have all been handed to the callback. */
static void
cl_events_finish(struct cl_call *k, uint32_t expected)
{
	uint64_t until = cl_now_ms() + IPC_EV_GRACE_MS;

	if (k->deadline != 0 && k->deadline < until)
		until = k->deadline;
	pthread_mutex_lock(&k->c->mu);
	for (;;) {
		cl_events_drain(k);
		if (k->p.nev >= expected || cl_now_ms() >= until || k->c->state == CLIENT_GONE)
			break;
		cl_cond_wait(k, until);
	}
	pthread_mutex_unlock(&k->c->mu);
	if (k->p.nev < expected)
		log_debug("ipc: request %llu: %u of %u events arrived",
		          (unsigned long long)k->p.req_id, k->p.nev, expected);
}

static int
cl_call_begin(struct cl_call *k, int timeout_ms, char *err, size_t errlen)
{
	pthread_condattr_t ca;
	int rv;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&k->p.cv, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_lock(&k->c->mu);
	if (k->c->state == CLIENT_GONE) {
		pthread_mutex_unlock(&k->c->mu);
		cl_seterr(err, errlen, "ipc: worker connection lost");
		return IPC_E_CLOSED;
	}
	k->p.req_id = k->c->next_id++;
	k->p.next = k->c->pending;
	k->c->pending = &k->p;
	pthread_mutex_unlock(&k->c->mu);
	if ((rv = nng_ctx_open(&k->ctx, k->c->req)) != 0 ||
	    (rv = nng_aio_alloc(&k->aio, cl_aio_cb, k)) != 0) {
		cl_seterr(err, errlen, "ipc: %s", nng_strerror(rv));
		return IPC_E_SYS;
	}
	if (timeout_ms > 0)
		k->deadline = cl_now_ms() + (uint64_t)timeout_ms;
	nng_aio_set_timeout(k->aio, timeout_ms > 0 ? timeout_ms : NNG_DURATION_INFINITE);
	return IPC_OK;
}

static void
cl_call_end(struct cl_call *k)
{
	struct ipc_pending **pp;
	struct ipc_evq *q;

	pthread_mutex_lock(&k->c->mu);
	for (pp = &k->c->pending; *pp != NULL; pp = &(*pp)->next)
		if (*pp == &k->p) {
			*pp = k->p.next;
			break;
		}
	pthread_mutex_unlock(&k->c->mu);
	while ((q = k->p.head) != NULL) {
		k->p.head = q->next;
		cJSON_Delete(q->ev);
		free(q);
	}
	if (k->aio != NULL)
		nng_aio_free(k->aio);
	if (nng_ctx_id(k->ctx) > 0)
		nng_ctx_close(k->ctx);
	pthread_cond_destroy(&k->p.cv);
}

static int
cl_rv_map(int rv, const char *what, struct cl_call *k, char *err, size_t errlen)
{
	if (rv == NNG_ETIMEDOUT) {
		cl_seterr(err, errlen, "ipc: request %llu: %s: deadline passed",
		          (unsigned long long)k->p.req_id, what);
		return IPC_E_TIMEOUT;
	}
	cl_seterr(err, errlen, "ipc: request %llu: %s: %s", (unsigned long long)k->p.req_id, what,
	          rv == NNG_ECONNRESET ? "worker connection lost" : nng_strerror(rv));
	if (rv == NNG_ECONNRESET || rv == NNG_ECLOSED || rv == NNG_ECANCELED) {
		/* NNG may fail the call (connection reset) before our pipe
		 * callback has run: the client is gone either way. */
		pthread_mutex_lock(&k->c->mu);
		k->c->state = CLIENT_GONE;
		pthread_mutex_unlock(&k->c->mu);
		return IPC_E_CLOSED;
	}
	return IPC_E_SYS;
}

/* Sends the encoded request and waits for the reply message. */
static int
cl_call_xfer(struct cl_call *k, void *buf, size_t len, nng_msg **out, char *err, size_t errlen)
{
	nng_msg *m;
	int rv;

	if ((rv = nng_msg_alloc(&m, 0)) != 0 || (rv = nng_msg_append(m, buf, len)) != 0) {
		if (rv != NNG_ENOMEM)
			nng_msg_free(m);
		cl_seterr(err, errlen, "ipc: %s", nng_strerror(rv));
		return IPC_E_SYS;
	}
	if ((rv = FAILPOINT("ipc.client.send")) != 0) {
		nng_msg_free(m);
		cl_seterr(err, errlen, "ipc: request %llu: send: %s (failpoint)",
		          (unsigned long long)k->p.req_id, strerror(rv));
		return IPC_E_SYS;
	}
	nng_aio_set_msg(k->aio, m);
	nng_ctx_send(k->ctx, k->aio);
	if ((rv = cl_aio_wait(k)) != 0) {
		nng_msg_free(nng_aio_get_msg(k->aio));
		return cl_rv_map(rv, "send", k, err, errlen);
	}
	if (k->deadline != 0)
		nng_aio_set_timeout(k->aio, k->deadline > cl_now_ms()
		                                ? (nng_duration)(k->deadline - cl_now_ms())
		                                : 1);
	nng_ctx_recv(k->ctx, k->aio);
	if ((rv = cl_aio_wait(k)) != 0)
		return cl_rv_map(rv, "waiting for the reply", k, err, errlen);
	*out = nng_aio_get_msg(k->aio);
	return IPC_OK;
}

/* Checks that the reply answers this request and sets *reply. */
static int
cl_reply_take(struct cl_call *k, nng_msg *m, uint16_t want, cJSON **reply, uint32_t *nev, char *err,
              size_t errlen)
{
	struct ipc_hdr h;
	char derr[256];
	cJSON *body, *code, *msg;

	body = ipc_msg_decode(nng_msg_body(m), nng_msg_len(m), &h, derr, sizeof(derr));
	nng_msg_free(m);
	if (body == NULL || h.req_id != k->p.req_id || (h.type != want && h.type != IPC_T_ERROR)) {
		cl_seterr(err, errlen, "ipc: request %llu: bad reply: %s",
		          (unsigned long long)k->p.req_id,
		          body == NULL ? derr : "wrong type or request id");
		cJSON_Delete(body);
		return IPC_E_PROTO;
	}
	*nev = h.flags >> IPC_F_EVCOUNT_SHIFT;
	if (h.type == IPC_T_ERROR) {
		code = cJSON_GetObjectItemCaseSensitive(body, "code");
		msg = cJSON_GetObjectItemCaseSensitive(body, "error");
		cl_seterr(err, errlen, "%s: %s", cJSON_IsString(code) ? code->valuestring : "error",
		          cJSON_IsString(msg) ? msg->valuestring : "(no message)");
	}
	if (reply != NULL)
		*reply = body;
	else
		cJSON_Delete(body);
	return h.type == IPC_T_ERROR ? IPC_E_REMOTE : IPC_OK;
}

int
ipc_call(struct ipc_client *c, uint16_t type, uint32_t flags, const cJSON *body, int timeout_ms,
         cJSON **reply, ipc_event_fn cb, void *arg, char *err, size_t errlen)
{
	struct cl_call k;
	struct ipc_hdr h;
	uint16_t want;
	uint32_t nev = 0;
	nng_msg *m = NULL;
	void *buf = NULL;
	size_t len;
	int rc;

	if (reply != NULL)
		*reply = NULL;
	if (!ipc_type_is_request(type, &want)) {
		cl_seterr(err, errlen, "ipc: %u is not a request type", (unsigned)type);
		return IPC_E_PROTO;
	}
	if (timeout_ms == 0)
		timeout_ms = IPC_DEFAULT_TIMEOUT_MS;
	memset(&k, 0, sizeof(k));
	k.c = c;
	k.cb = cb;
	k.cbarg = arg;
	if ((rc = cl_call_begin(&k, timeout_ms, err, errlen)) != IPC_OK)
		goto out;
	memset(&h, 0, sizeof(h));
	h.type = type;
	h.flags = flags & IPC_F_MASK;
	h.req_id = k.p.req_id;
	h.deadline_ms = timeout_ms > 0 ? (uint32_t)timeout_ms : 0;
	if ((buf = ipc_msg_encode(&h, body, &len)) == NULL) {
		cl_seterr(err, errlen, "ipc: %s: body cannot be encoded (over %u bytes?)",
		          ipc_type_name(type), (unsigned)IPC_MAX_BODY);
		rc = IPC_E_PROTO;
		goto out;
	}
	if ((rc = cl_call_xfer(&k, buf, len, &m, err, errlen)) != IPC_OK)
		goto out;
	rc = cl_reply_take(&k, m, want, reply, &nev, err, errlen);
	if (rc == IPC_OK || rc == IPC_E_REMOTE)
		cl_events_finish(&k, nev);
out:
	free(buf);
	cl_call_end(&k);
	return rc;
}
