/* ipc_chan_test.c — ipc_call against ipc_worker_serve: concurrency, event
 * routing, deadlines, errors, malformed input on the wire, shutdown and
 * the loss of either peer. The worker runs in a thread of the test
 * process, or in a forked child where the test kills it. */
#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#else
#define RUNNING_ON_VALGRIND 0
#endif

#include <nng/nng.h>
#include <nng/protocol/reqrep0/rep.h>
#include <nng/protocol/reqrep0/req.h>

#include "ipc/ipc.h"
#include "lib/core/clock.h"
#include "lib/failpoint/failpoint.h"

static char dir[64], req_url[128], ev_url[128];

static void
urls_make(void)
{
	snprintf(dir, sizeof(dir), "/tmp/kc-ipc-test.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(req_url, sizeof(req_url), "ipc://%s/w.req", dir);
	snprintf(ev_url, sizeof(ev_url), "ipc://%s/w.ev", dir);
}


/* TOOLS_EXEC: {"sleep_ms":n,"events":n,"fail":bool} */
static int
h_exec(struct ipc_req *r, const cJSON *body, cJSON **reply, void *arg)
{
	cJSON *s = cJSON_GetObjectItem(body, "sleep_ms");
	cJSON *e = cJSON_GetObjectItem(body, "events");
	int i;

	(void)arg;
	if (cJSON_IsTrue(cJSON_GetObjectItem(body, "fail"))) {
		ipc_req_seterr(r, "denied", "told to fail");
		return -1;
	}
	for (i = 0; cJSON_IsNumber(e) && i < e->valueint; i++) {
		cJSON *ev = cJSON_CreateObject();
		cJSON_AddStringToObject(ev, "kind", "output");
		cJSON_AddNumberToObject(ev, "seq", i);
		ipc_req_event(r, ev);
	}
	if (cJSON_IsNumber(s))
		usleep((useconds_t)s->valueint * 1000u);
	*reply = cJSON_CreateObject();
	cJSON_AddNumberToObject(*reply, "req_id", (double)ipc_req_id(r));
	cJSON_AddNumberToObject(*reply, "remaining", (double)ipc_req_remaining_ms(r));
	return 0;
}

static const struct ipc_handler tab[] = {{IPC_T_TOOLS_EXEC, h_exec}};

struct serve_arg {
	int rc;
	pthread_t th;
};

static void *
serve_thread(void *a)
{
	struct serve_arg *s = a;

	s->rc = ipc_worker_serve(req_url, ev_url, tab, 1, NULL, 4);
	return NULL;
}

static struct serve_arg *
serve_start(void)
{
	struct serve_arg *s = calloc(1, sizeof(*s));

	urls_make();
	s->rc = 99;
	pthread_create(&s->th, NULL, serve_thread, s);
	return s;
}

static int
serve_join(struct serve_arg *s)
{
	int rc;

	pthread_join(s->th, NULL);
	rc = s->rc;
	free(s);
	return rc;
}

static struct ipc_client *
client_open(void)
{
	char err[256] = "";
	struct ipc_client *c = ipc_client_open(req_url, ev_url, err, sizeof(err));

	cr_assert_not_null(c, "%s", err);
	return c;
}

static cJSON *
body_make(int sleep_ms, int events)
{
	cJSON *b = cJSON_CreateObject();

	cJSON_AddNumberToObject(b, "sleep_ms", sleep_ms);
	cJSON_AddNumberToObject(b, "events", events);
	return b;
}

Test(ipc_chan, ping_answers_pong_with_pid)
{
	struct serve_arg *s = serve_start();
	struct ipc_client *c = client_open();
	cJSON *reply;
	char err[256] = "";

	cr_assert_eq(ipc_call(c, IPC_T_PING, 0, NULL, 5000, &reply, NULL, NULL, err, sizeof(err)),
	             IPC_OK, "%s", err);
	cr_assert_eq(cJSON_GetObjectItem(reply, "pid")->valueint, getpid());
	cr_assert(cJSON_IsString(cJSON_GetObjectItem(reply, "role")));
	cr_assert(cJSON_IsNumber(cJSON_GetObjectItem(reply, "uptime_ms")));
	cJSON_Delete(reply);
	cr_assert_eq(ipc_call(c, IPC_T_SHUTDOWN, 0, NULL, 5000, NULL, NULL, NULL, err, sizeof(err)),
	             IPC_OK, "%s", err);
	ipc_client_close(c);
	cr_assert_eq(serve_join(s), 0);
}

static int nev_seen;

static void
ev_count(const cJSON *ev, void *arg)
{
	int *last = arg;
	cJSON *seq = cJSON_GetObjectItem(ev, "seq");

	cr_assert(cJSON_IsNumber(seq));
	cr_assert_eq(seq->valueint, *last + 1, "events out of order");
	*last = seq->valueint;
	nev_seen++;
}

Test(ipc_chan, events_reach_the_caller_before_return)
{
	struct serve_arg *s = serve_start();
	struct ipc_client *c = client_open();
	cJSON *b = body_make(0, 50), *reply;
	char err[256] = "";
	int last = -1;

	cr_assert_eq(
	    ipc_call(c, IPC_T_TOOLS_EXEC, 0, b, 5000, &reply, ev_count, &last, err, sizeof(err)),
	    IPC_OK, "%s", err);
	cr_assert_eq(nev_seen, 50);
	cr_assert_eq(last, 49);
	cJSON_Delete(reply);
	cJSON_Delete(b);
	ipc_client_close(c);
	cr_assert_eq(serve_join(s), 1, "worker must notice the supervisor left");
}

struct par {
	struct ipc_client *c;
	int rc, nev;
	uint64_t id;
};

static void
ev_mine(const cJSON *ev, void *arg)
{
	struct par *p = arg;

	p->nev++;
	(void)ev;
}

static void *
par_call(void *a)
{
	struct par *p = a;
	cJSON *b = body_make(300, 3), *reply = NULL;
	char err[256] = "";

	p->rc = ipc_call(p->c, IPC_T_TOOLS_EXEC, 0, b, 5000, &reply, ev_mine, p, err, sizeof(err));
	cJSON_Delete(reply);
	cJSON_Delete(b);
	return NULL;
}

Test(ipc_chan, four_calls_run_concurrently_and_get_their_own_events)
{
	struct serve_arg *s = serve_start();
	struct ipc_client *c = client_open();
	struct par p[4];
	pthread_t th[4];
	long t0;
	int i;

	memset(p, 0, sizeof(p));
	t0 = (long)kc_mono_ms();
	for (i = 0; i < 4; i++) {
		p[i].c = c;
		pthread_create(&th[i], NULL, par_call, &p[i]);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		cr_assert_eq(p[i].rc, IPC_OK);
		cr_assert_eq(p[i].nev, 3, "call %d got %d events", i, p[i].nev);
	}
	cr_assert_lt((long)kc_mono_ms() - t0, 1100, "4 x 300 ms calls took %ld ms: not parallel",
	             (long)kc_mono_ms() - t0);
	ipc_client_close(c);
	serve_join(s);
}

Test(ipc_chan, deadline_passes_as_timeout_and_is_visible_to_handler)
{
	struct serve_arg *s = serve_start();
	struct ipc_client *c = client_open();
	cJSON *b = body_make(1500, 0), *reply = NULL;
	char err[256] = "";
	long t0 = (long)kc_mono_ms();

	cr_assert_eq(ipc_call(c, IPC_T_TOOLS_EXEC, 0, b, 300, &reply, NULL, NULL, err, sizeof(err)),
	             IPC_E_TIMEOUT, "%s", err);
	cr_assert_lt((long)kc_mono_ms() - t0, 1000);
	cJSON_Delete(b);
	b = body_make(0, 0);
	cr_assert_eq(
	    ipc_call(c, IPC_T_TOOLS_EXEC, 0, b, 4000, &reply, NULL, NULL, err, sizeof(err)), IPC_OK,
	    "%s", err);
	cr_assert_gt(cJSON_GetObjectItem(reply, "remaining")->valueint, 3000);
	cr_assert_leq(cJSON_GetObjectItem(reply, "remaining")->valueint, 4000);
	cJSON_Delete(reply);
	cJSON_Delete(b);
	ipc_client_close(c);
	serve_join(s);
}

Test(ipc_chan, handler_error_and_unknown_request_come_back_as_remote_errors)
{
	struct serve_arg *s = serve_start();
	struct ipc_client *c = client_open();
	cJSON *b = cJSON_Parse("{\"fail\":true}"), *reply = NULL;
	char err[256] = "";

	cr_assert_eq(
	    ipc_call(c, IPC_T_TOOLS_EXEC, 0, b, 2000, &reply, NULL, NULL, err, sizeof(err)),
	    IPC_E_REMOTE);
	cr_assert_str_eq(cJSON_GetObjectItem(reply, "code")->valuestring, "denied");
	cr_assert_str_eq(err, "denied: told to fail");
	cJSON_Delete(reply);
	cr_assert_eq(ipc_call(c, IPC_T_SBX_EXEC, 0, b, 2000, &reply, NULL, NULL, err, sizeof(err)),
	             IPC_E_REMOTE);
	cr_assert_str_eq(cJSON_GetObjectItem(reply, "code")->valuestring, "unsupported");
	cJSON_Delete(reply);
	cr_assert_eq(ipc_call(c, IPC_T_PONG, 0, b, 2000, &reply, NULL, NULL, err, sizeof(err)),
	             IPC_E_PROTO, "a reply type must not be sent as a request");
	cJSON_Delete(b);
	ipc_client_close(c);
	serve_join(s);
}

/* Sends raw bytes through a plain REQ socket and returns the reply's
 * decoded header type. */
static uint16_t
raw_exchange(nng_socket sock, const void *buf, size_t len, cJSON **body)
{
	nng_msg *m;
	struct ipc_hdr h;
	char err[256] = "";

	cr_assert_eq(nng_msg_alloc(&m, 0), 0);
	cr_assert_eq(nng_msg_append(m, buf, len), 0);
	cr_assert_eq(nng_sendmsg(sock, m, 0), 0);
	cr_assert_eq(nng_recvmsg(sock, &m, 0), 0, "no reply to a malformed message");
	*body = ipc_msg_decode(nng_msg_body(m), nng_msg_len(m), &h, err, sizeof(err));
	cr_assert_not_null(*body, "%s", err);
	nng_msg_free(m);
	return h.type;
}

Test(ipc_chan, malformed_messages_get_error_replies_and_worker_survives)
{
	struct serve_arg *s = serve_start();
	nng_socket sock;
	struct ipc_hdr h = {0};
	size_t len, big = 100u * 1024u * 1024u;
	unsigned char *buf, *huge;
	cJSON *body;
	const char *garbage = "definitely not a kylecode message";

	cr_assert_eq(nng_req0_open(&sock), 0);
	/* valgrind needs more than 10 s for the 100 MiB message below. */
	nng_socket_set_ms(sock, NNG_OPT_RECVTIMEO, RUNNING_ON_VALGRIND ? 120000 : 10000);
	cr_assert_eq(nng_dial(sock, req_url, NULL, NNG_FLAG_NONBLOCK), 0);
	cr_assert_eq(raw_exchange(sock, garbage, strlen(garbage), &body), IPC_T_ERROR);
	cr_assert_str_eq(cJSON_GetObjectItem(body, "code")->valuestring, "bad_request");
	cJSON_Delete(body);
	h.type = IPC_T_PING;
	buf = ipc_msg_encode(&h, NULL, &len);
	cr_assert_eq(raw_exchange(sock, buf, 10, &body), IPC_T_ERROR); /* truncated */
	cJSON_Delete(body);
	buf[4] = 7; /* version */
	cr_assert_eq(raw_exchange(sock, buf, len, &body), IPC_T_ERROR);
	cJSON_Delete(body);
	buf[4] = IPC_VERSION;
	buf[6] = IPC_T_PONG; /* not a request */
	cr_assert_eq(raw_exchange(sock, buf, len, &body), IPC_T_ERROR);
	cJSON_Delete(body);
	huge = calloc(1, IPC_HDR_LEN + big);
	memcpy(huge, buf, IPC_HDR_LEN);
	huge[6] = IPC_T_PING;
	huge[12] = 0, huge[13] = 0, huge[14] = 0x40, huge[15] = 0x06; /* 100 MiB */
	memset(huge + IPC_HDR_LEN, ' ', big);
	cr_assert_eq(raw_exchange(sock, huge, IPC_HDR_LEN + big, &body), IPC_T_ERROR);
	cr_assert(strstr(cJSON_GetObjectItem(body, "error")->valuestring, "cap") != NULL);
	cJSON_Delete(body);
	free(huge);
	buf[6] = IPC_T_PING; /* and a good one still works */
	cr_assert_eq(raw_exchange(sock, buf, len, &body), IPC_T_PONG);
	cJSON_Delete(body);
	free(buf);
	nng_close(sock);
	serve_join(s);
}

/* A worker in its own process: this executable re-executed with
 * KC_IPC_TEST_SERVE set (fork alone would inherit NNG's state, which NNG
 * refuses). The constructor runs before Criterion's main. */
__attribute__((constructor)) static void
serve_child_main(void)
{
	const char *dirv = getenv("KC_IPC_TEST_SERVE");

	if (dirv == NULL)
		return;
	snprintf(req_url, sizeof(req_url), "ipc://%s/w.req", dirv);
	snprintf(ev_url, sizeof(ev_url), "ipc://%s/w.ev", dirv);
	_exit(ipc_worker_serve(req_url, ev_url, tab, 1, NULL, 2) == 0 ? 0 : 1);
}

static pid_t killer_pid;

static void *
killer_thread(void *a)
{
	(void)a;
	usleep(200000);
	kill(killer_pid, SIGKILL);
	return NULL;
}

static pid_t
serve_child_start(void)
{
	char self[4096];
	ssize_t n;
	pid_t pid;

	urls_make();
	/* The resolved path, not /proc/self/exe: under valgrind that link is
	 * valgrind itself, which cannot be exec'd that way. */
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	cr_assert_gt(n, 0);
	self[n] = '\0';
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		setenv("KC_IPC_TEST_SERVE", dir, 1);
		execl(self, "ipc_chan_test", (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* The worker process dies while a request is in flight: the call fails at
 * once with IPC_E_CLOSED (not at its deadline) and later calls too. */
Test(ipc_chan, worker_death_fails_call_in_flight_as_closed)
{
	struct ipc_client *c;
	cJSON *b = body_make(10000, 0), *reply = NULL;
	char err[256] = "";
	pthread_t killer;
	pid_t pid;
	long t0;
	int st;

	pid = serve_child_start();
	c = client_open();
	cr_assert_eq(ipc_call(c, IPC_T_PING, 0, NULL, 5000, NULL, NULL, NULL, err, sizeof(err)),
	             IPC_OK, "%s", err);
	killer_pid = pid;
	pthread_create(&killer, NULL, killer_thread, NULL);
	t0 = (long)kc_mono_ms();
	cr_assert_eq(
	    ipc_call(c, IPC_T_TOOLS_EXEC, 0, b, 8000, &reply, NULL, NULL, err, sizeof(err)),
	    IPC_E_CLOSED, "%s", err);
	cr_assert_lt((long)kc_mono_ms() - t0, 3000);
	cr_assert(ipc_client_gone(c), "after: %s", err);
	cr_assert_eq(ipc_call(c, IPC_T_PING, 0, NULL, 5000, NULL, NULL, NULL, err, sizeof(err)),
	             IPC_E_CLOSED);
	pthread_join(killer, NULL);
	waitpid(pid, &st, 0);
	cr_assert(WIFSIGNALED(st));
	cJSON_Delete(b);
	ipc_client_close(c);
}

Test(ipc_chan, send_failpoint_fails_the_call_without_sending)
{
	struct serve_arg *s = serve_start();
	struct ipc_client *c = client_open();
	char err[256] = "";

	cr_assert_eq(fp_configure("ipc.client.send=1*error(EPIPE)->off", err, sizeof(err)), 0);
	cr_assert_eq(ipc_call(c, IPC_T_PING, 0, NULL, 2000, NULL, NULL, NULL, err, sizeof(err)),
	             IPC_E_SYS);
	cr_assert(strstr(err, "failpoint") != NULL, "%s", err);
	cr_assert_eq(ipc_call(c, IPC_T_PING, 0, NULL, 2000, NULL, NULL, NULL, err, sizeof(err)),
	             IPC_OK, "%s", err);
	ipc_client_close(c);
	serve_join(s);
}

/* ---- a hostile worker: a raw REP socket answering with chosen bytes ---- */

struct fake {
	nng_socket rep;
	void *reply;
	size_t len;
	int rewrite_id; /* copy the request's id into the reply header */
	pthread_t th;
};

static void *
fake_main(void *a)
{
	struct fake *f = a;
	nng_msg *m;

	while (nng_recvmsg(f->rep, &m, 0) == 0) {
		if (f->rewrite_id && nng_msg_len(m) >= 24 && f->len >= 24)
			memcpy((char *)f->reply + 16, (char *)nng_msg_body(m) + 16, 8);
		nng_msg_clear(m);
		nng_msg_append(m, f->reply, f->len);
		if (nng_sendmsg(f->rep, m, 0) != 0)
			nng_msg_free(m);
	}
	return NULL;
}

static void
fake_start(struct fake *f, void *reply, size_t len, int rewrite_id)
{
	urls_make();
	f->reply = reply;
	f->len = len;
	f->rewrite_id = rewrite_id;
	cr_assert_eq(nng_rep0_open(&f->rep), 0);
	nng_socket_set_size(f->rep, NNG_OPT_RECVMAXSZ, 0);
	/* a send to a client that dropped us mid-reply may never complete
	 * (NNG 1.5); without a bound fake_stop's join could hang the suite */
	nng_socket_set_ms(f->rep, NNG_OPT_SENDTIMEO, 3000);
	cr_assert_eq(nng_listen(f->rep, req_url, NULL, 0), 0);
	pthread_create(&f->th, NULL, fake_main, f);
}

static void
fake_stop(struct fake *f)
{
	nng_close(f->rep);
	pthread_join(f->th, NULL);
	free(f->reply);
}

static void *
reply_make(uint16_t type, uint64_t req_id, const char *json, size_t *len)
{
	struct ipc_hdr h = {0};
	cJSON *b = cJSON_Parse(json);
	void *buf;

	h.type = type;
	h.req_id = req_id;
	buf = ipc_msg_encode(&h, b, len);
	cJSON_Delete(b);
	return buf;
}

Test(ipc_chan, reply_with_another_request_id_is_a_protocol_error)
{
	struct fake f;
	size_t len;
	struct ipc_client *c;
	char err[256] = "";

	void *r = reply_make(IPC_T_PONG, 12345, "{}", &len);

	fake_start(&f, r, len, 0);
	c = client_open();
	cr_assert_eq(ipc_call(c, IPC_T_PING, 0, NULL, 3000, NULL, NULL, NULL, err, sizeof(err)),
	             IPC_E_PROTO, "%s", err);
	cr_assert(strstr(err, "wrong type or request id") != NULL, "%s", err);
	ipc_client_close(c);
	fake_stop(&f);
}

Test(ipc_chan, reply_of_the_wrong_type_or_garbage_is_a_protocol_error)
{
	struct fake f;
	size_t len;
	struct ipc_client *c;
	char err[256] = "";

	void *r = reply_make(IPC_T_SBX_EXEC_OK, 0, "{}", &len);

	fake_start(&f, r, len, 1);
	c = client_open();
	cr_assert_eq(ipc_call(c, IPC_T_PING, 0, NULL, 3000, NULL, NULL, NULL, err, sizeof(err)),
	             IPC_E_PROTO, "%s", err);
	ipc_client_close(c);
	fake_stop(&f);

	fake_start(&f, strdup("\x4b\x43\x43\x50 but then nonsense follows"), 30, 0);
	c = client_open();
	cr_assert_eq(ipc_call(c, IPC_T_PING, 0, NULL, 3000, NULL, NULL, NULL, err, sizeof(err)),
	             IPC_E_PROTO, "%s", err);
	ipc_client_close(c);
	fake_stop(&f);
}

/* A worker answering with more than the cap: the transport drops the
 * connection, the call fails as closed (not at its deadline) and the
 * client never trusts that worker again. */
Test(ipc_chan, oversized_reply_drops_the_worker_connection)
{
	struct fake f;
	size_t big = IPC_HDR_LEN + IPC_MAX_BODY + 1024;
	unsigned char *buf = calloc(1, big);
	struct ipc_client *c;
	char err[256] = "";
	long t0;

	memcpy(buf, "KCCP\x01\x00\x0c\x00", 8);
	fake_start(&f, buf, big, 1);
	c = client_open();
	t0 = (long)kc_mono_ms();
	cr_assert_eq(ipc_call(c, IPC_T_PING, 0, NULL, 8000, NULL, NULL, NULL, err, sizeof(err)),
	             IPC_E_CLOSED, "%s", err);
	cr_assert_lt((long)kc_mono_ms() - t0, 6000);
	cr_assert(ipc_client_gone(c));
	ipc_client_close(c);
	fake_stop(&f);
}
