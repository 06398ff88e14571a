/* sup_harness.c — drives supervisor/proc.c against the real worker
 * binaries for the foundation integration tests (foundation_sup.sh).
 *
 *   sup_harness ping-all
 *   sup_harness kill-and-ping ROLE          kill -9 the worker, PING again
 *   sup_harness interrupted ROLE            a non-idempotent request in
 *                                           flight when the worker dies
 *   sup_harness hang ROLE                   expects a failpoint hang to be
 *                                           detected and the worker restarted
 *   sup_harness sigsys ROLE                 the worker dies of SIGSYS: reported
 *                                           as a policy violation, restarted
 *   sup_harness crash-loop ROLE             kill -9 five times: the run stops
 *   sup_harness start ROLE                  start only; prints the error
 *   sup_harness wait                        print "ready RUNDIR PID..." and
 *                                           wait for SIGINT/SIGTERM
 *   sup_harness wait-exec MARKER            as wait, with `sleep MARKER` running
 *                                           in the sandbox (SBX_EXEC) meanwhile
 *   sup_harness call ROLE TYPE IDEMP MS     one request with an empty body;
 *                                           prints "rc N err ...", then
 *                                           "alive PID" if the worker
 *                                           answers a PING afterwards
 * Exit 0 when the expectation held; 1 with a message otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/core/clock.h"
#include "lib/core/log.h"
#include "supervisor/proc.h"

static int nhung, ndied, ngaveup, nviolation;

static void
on_event(const char *what, enum sup_role r, int status, void *arg)
{
	(void)arg;
	printf("event %s %s %d\n", what, sup_role_name(r), status);
	fflush(stdout);
	if (strcmp(what, "hung") == 0)
		__atomic_add_fetch(&nhung, 1, __ATOMIC_SEQ_CST);
	if (strcmp(what, "died") == 0)
		__atomic_add_fetch(&ndied, 1, __ATOMIC_SEQ_CST);
	if (strcmp(what, "policy_violation") == 0)
		__atomic_add_fetch(&nviolation, 1, __ATOMIC_SEQ_CST);
	if (strcmp(what, "gave_up") == 0)
		__atomic_add_fetch(&ngaveup, 1, __ATOMIC_SEQ_CST);
}

static int
role_parse(const char *s)
{
	int r;

	for (r = 0; r < SUP_NROLES; r++)
		if (s != NULL && strcmp(s, sup_role_name((enum sup_role)r)) == 0)
			return r;
	fprintf(stderr, "sup_harness: unknown role '%s' (llm, tools, sandbox)\n", s ? s : "");
	exit(2);
}


/* PING through sup_call; returns the worker's pid or -1. */
static int
ping(struct sup *s, int r, int idempotent, int timeout_ms)
{
	char err[256];
	cJSON *reply = NULL, *pid;
	int rc, p = -1;

	rc = sup_call(s, (enum sup_role)r, IPC_T_PING, NULL, timeout_ms, idempotent, &reply, NULL,
	              NULL, err, sizeof(err));
	if (rc != IPC_OK) {
		printf("ping %s: rc %d: %s\n", sup_role_name((enum sup_role)r), rc, err);
		return -1;
	}
	pid = cJSON_GetObjectItem(reply, "pid");
	if (cJSON_IsNumber(pid) && strcmp(cJSON_GetObjectItem(reply, "role")->valuestring,
	                                  sup_role_name((enum sup_role)r)) == 0)
		p = pid->valueint;
	cJSON_Delete(reply);
	return p;
}

/* Polls a condition the supervisor updates from its own threads. */
static int
wait_for(int (*cond)(struct sup *, int), struct sup *s, int r, int timeout_ms)
{
	long until = (long)kc_mono_ms() + timeout_ms;

	while (!cond(s, r)) {
		if ((long)kc_mono_ms() > until)
			return 0;
		poll(NULL, 0, 20);
	}
	return 1;
}

static int
restarted(struct sup *s, int r)
{
	return sup_worker_starts(s, (enum sup_role)r) >= 2 &&
	       sup_worker_pid(s, (enum sup_role)r) > 0;
}

static int
hung_seen(struct sup *s, int r)
{
	(void)r;
	return __atomic_load_n(&nhung, __ATOMIC_SEQ_CST) > 0 && restarted(s, r);
}

static int killed_pid;

/* The supervisor noticed the death: the role no longer shows that pid. */
static int
death_seen(struct sup *s, int r)
{
	return sup_worker_pid(s, (enum sup_role)r) != killed_pid;
}

static int
t_ping_all(struct sup *s)
{
	int r, pid;

	for (r = 0; r < SUP_NROLES; r++) {
		if ((pid = ping(s, r, 1, 5000)) <= 0 || pid != sup_worker_pid(s, (enum sup_role)r))
			return 1;
		printf("pong %s %d\n", sup_role_name((enum sup_role)r), pid);
	}
	return 0;
}

static int
t_kill_and_ping(struct sup *s, int r)
{
	int old = sup_worker_pid(s, (enum sup_role)r), pid;
	char proc[64];

	if (old <= 0 || kill(old, SIGKILL) < 0)
		return 1;
	killed_pid = old; /* a PING sent before the signal lands would still be answered */
	if (!wait_for(death_seen, s, r, 10000))
		return 1;
	pid = ping(s, r, 1, 10000);
	/* reaped, not a zombie: the restart happens after the reap */
	snprintf(proc, sizeof(proc), "/proc/%d", old);
	printf("old %d new %d starts %d old-reaped %d\n", old, pid,
	       sup_worker_starts(s, (enum sup_role)r), access(proc, F_OK) != 0);
	return pid > 0 && pid != old && sup_worker_starts(s, (enum sup_role)r) == 2 &&
	               access(proc, F_OK) != 0
	           ? 0
	           : 1;
}

struct killer {
	int pid, delay_ms;
};

static void *
killer_main(void *a)
{
	struct killer *k = a;

	poll(NULL, 0, k->delay_ms);
	kill(k->pid, SIGKILL);
	return NULL;
}

/* Needs KYLECODE_FAILPOINTS=<role>:ipc.worker.handle=delay(5000). */
static int
t_interrupted(struct sup *s, int r)
{
	static const uint16_t req[SUP_NROLES] = {IPC_T_LLM_COMPLETE, IPC_T_TOOLS_EXEC,
	                                         IPC_T_SBX_EXEC};
	struct killer k = {sup_worker_pid(s, (enum sup_role)r), 300};
	pthread_t th;
	char err[256];
	cJSON *body = cJSON_CreateObject();
	int rc;

	pthread_create(&th, NULL, killer_main, &k);
	rc = sup_call(s, (enum sup_role)r, req[r], body, 20000, 0, NULL, NULL, NULL, err,
	              sizeof(err));
	pthread_join(th, NULL);
	cJSON_Delete(body);
	printf("rc %d err %s\n", rc, err);
	if (rc != IPC_E_CLOSED || strncmp(err, "interrupted: ", 13) != 0)
		return 1;
	/* and the worker comes back */
	return ping(s, r, 1, 10000) > 0 ? 0 : 1;
}

/* What a seccomp kill looks like from outside: death by SIGSYS. */
static int
t_sigsys(struct sup *s, int r)
{
	int old = sup_worker_pid(s, (enum sup_role)r), pid;

	if (old <= 0 || kill(old, SIGSYS) < 0)
		return 1;
	killed_pid = old;
	if (!wait_for(death_seen, s, r, 10000))
		return 1;
	pid = ping(s, r, 1, 10000);
	printf("old %d new %d violations %d\n", old, pid,
	       __atomic_load_n(&nviolation, __ATOMIC_SEQ_CST));
	return pid > 0 && pid != old && __atomic_load_n(&nviolation, __ATOMIC_SEQ_CST) == 1 ? 0 : 1;
}

static int
t_crash_loop(struct sup *s, int r)
{
	char msg[512];
	int i, pid;

	for (i = 0; i < 5; i++) {
		if ((pid = ping(s, r, 1, 10000)) <= 0)
			return 1;
		printf("kill %d\n", pid);
		kill(pid, SIGKILL);
	}
	for (i = 0; i < 250 && !sup_failed(s, msg, sizeof(msg)); i++)
		poll(NULL, 0, 20);
	if (!sup_failed(s, msg, sizeof(msg)) || !sup_interrupted())
		return 1;
	printf("failed: %s\n", msg);
	return ping(s, r, 1, 1000) < 0 ? 0 : 1;
}

static int
t_wait(struct sup *s)
{
	int r;

	printf("ready %s", sup_rundir(s));
	for (r = 0; r < SUP_NROLES; r++)
		printf(" %d", sup_worker_pid(s, (enum sup_role)r));
	printf("\n");
	fflush(stdout);
	while (!sup_interrupted())
		poll(NULL, 0, 50);
	printf("interrupted\n");
	return 0;
}

static uint16_t
type_parse(const char *name)
{
	unsigned t;

	for (t = 1; t < 1000; t++)
		if (ipc_type_name((uint16_t)t) != NULL &&
		    strcmp(ipc_type_name((uint16_t)t), name) == 0)
			return (uint16_t)t;
	fprintf(stderr, "sup_harness: unknown message type '%s'\n", name);
	exit(2);
}

static int
t_call(struct sup *s, char **argv)
{
	int r = role_parse(argv[2]), rc, pid;
	char err[256] = "";
	cJSON *body = cJSON_CreateObject(), *reply = NULL;
	long t0 = (long)kc_mono_ms();

	rc = sup_call(s, (enum sup_role)r, type_parse(argv[3]), body, atoi(argv[5]), atoi(argv[4]),
	              &reply, NULL, NULL, err, sizeof(err));
	printf("rc %d after %ld ms err %s\n", rc, (long)kc_mono_ms() - t0, err);
	cJSON_Delete(reply);
	cJSON_Delete(body);
	if ((pid = ping(s, r, 1, 10000)) > 0)
		printf("alive %d\n", pid);
	return 0;
}

struct exec_arg {
	struct sup *s;
	const char *marker;
	int rc;
	char err[256];
};

/* A long command in the sandbox; returns when the supervisor stops. */
static void *
exec_main(void *a)
{
	struct exec_arg *x = a;
	cJSON *body = cJSON_CreateObject(), *argv = cJSON_AddArrayToObject(body, "argv");
	cJSON *reply = NULL;

	cJSON_AddItemToArray(argv, cJSON_CreateString("sleep"));
	cJSON_AddItemToArray(argv, cJSON_CreateString(x->marker));
	cJSON_AddNumberToObject(body, "timeout_ms", 120000);
	x->rc = sup_call(x->s, SUP_SANDBOX, IPC_T_SBX_EXEC, body, 120000, 0, &reply, NULL, NULL,
	                 x->err, sizeof(x->err));
	cJSON_Delete(reply);
	cJSON_Delete(body);
	return NULL;
}

static int
t_wait_exec(struct sup *s, const char *marker)
{
	struct exec_arg x = {s, marker, 0, ""};
	pthread_t th;
	int r;

	pthread_create(&th, NULL, exec_main, &x);
	printf("ready %s", sup_rundir(s));
	for (r = 0; r < SUP_NROLES; r++)
		printf(" %d", sup_worker_pid(s, (enum sup_role)r));
	printf("\n");
	while (!sup_interrupted())
		poll(NULL, 0, 50);
	printf("interrupted\n");
	sup_stop(s); /* the exec call returns: the sandbox is gone */
	pthread_join(th, NULL);
	printf("exec rc %d %s\n", x.rc, x.err);
	return 0;
}

static int
run(const char *cmd, const char *role, struct sup *s)
{
	if (strcmp(cmd, "ping-all") == 0)
		return t_ping_all(s);
	if (strcmp(cmd, "kill-and-ping") == 0)
		return t_kill_and_ping(s, role_parse(role));
	if (strcmp(cmd, "interrupted") == 0)
		return t_interrupted(s, role_parse(role));
	if (strcmp(cmd, "hang") == 0)
		/* restarted() includes: the new worker answered its first PING */
		return wait_for(hung_seen, s, role_parse(role), 15000) ? 0 : 1;
	if (strcmp(cmd, "sigsys") == 0)
		return t_sigsys(s, role_parse(role));
	if (strcmp(cmd, "crash-loop") == 0)
		return t_crash_loop(s, role_parse(role));
	if (strcmp(cmd, "wait") == 0)
		return t_wait(s);
	return 0; /* start */
}

int
main(int argc, char **argv)
{
	struct sup_opts o = {0};
	char err[512];
	struct sup *s;
	unsigned roles = SUP_ROLES_ALL;
	int rc;

	log_init("sup_harness", getenv("KC_VERBOSE") != NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2 || strcmp(argv[1], "--help") == 0) {
		fprintf(argc < 2 ? stderr : stdout,
		        "usage: sup_harness ping-all | kill-and-ping ROLE | interrupted ROLE | "
		        "hang ROLE | crash-loop ROLE | start ROLE | wait\n");
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "start") == 0)
		roles = SUP_ROLE_BIT(role_parse(argv[2]));
	/* KC_LEAK_FILE: an fd without O_CLOEXEC no worker may inherit */
	if (getenv("KC_LEAK_FILE") != NULL && open(getenv("KC_LEAK_FILE"), O_RDONLY) < 0)
		return 1;
	o.workspace = getenv("KC_WORKSPACE");
	/* KC_LLM_ENV=NAME[,NAME]: the variables only worker-llm may get */
	if (getenv("KC_LLM_ENV") != NULL) {
		char *names = strdup(getenv("KC_LLM_ENV")), *save = NULL, *t;
		static const char *llm_env[8];
		int n = 0;

		for (t = strtok_r(names, ",", &save); t != NULL && n < 7;
		     t = strtok_r(NULL, ",", &save))
			llm_env[n++] = t;
		o.llm_env = llm_env;
	}
	if ((s = sup_start(roles, &o, err, sizeof(err))) == NULL) {
		printf("start failed: %s\n", err);
		return 1;
	}
	sup_set_on_event(s, on_event, NULL);
	if (strcmp(argv[1], "call") == 0 && argc == 6)
		rc = t_call(s, argv);
	else if (strcmp(argv[1], "wait-exec") == 0 && argc == 3) {
		rc = t_wait_exec(s, argv[2]);
		printf("OK\n");
		return rc;
	} else
		rc = run(argv[1], argc > 2 ? argv[2] : NULL, s);
	sup_stop(s);
	printf("%s\n", rc == 0 ? "OK" : "FAILED");
	return rc;
}
