/* llm_driver: a minimal supervisor for integration tests of kylecode-llm.
 * Spawns the real worker binary (fork+exec, as the supervisor does), sends
 * each --request file as LLM_COMPLETE over IPC, and prints one JSON line
 * per request on stdout:
 *   {"ok":true,"reply":{...},"events":[...]}  or
 *   {"ok":false,"rc":N,"error":{...},"events":[...]}
 * then SHUTDOWN and reports how the worker ended (a SIGSYS death is a
 * policy violation and fails the run).
 *
 * usage: llm_driver --worker BIN --request FILE [--request FILE]...
 *                   [--timeout-ms N] [--environ-lacks TEXT] [--parallel]
 * --parallel: send every request at once, each from its own thread (the
 * worker serves several calls concurrently); lines still come in request
 * order.
 * --environ-lacks: fail (exit 5) if the worker's /proc/PID/environ
 * contains TEXT (keys must be wiped from it). Exit: 0 all requests
 * answered (ok or provider error), 2 usage, 3 IPC failure, 4 worker died
 * badly, 5 environ check failed. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ipc/ipc.h"
#include "lib/core/strbuf.h"
#include "lib/core/xmalloc.h"

#define DRV_MAX_REQ 16

static char *
drv_slurp(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[65536];
	size_t n;
	FILE *f = fopen(path, "r");

	if (f == NULL) {
		fprintf(stderr, "llm_driver: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		strbuf_add(&sb, buf, n);
	fclose(f);
	return strbuf_detach(&sb, NULL);
}

static void
drv_on_event(const cJSON *ev, void *arg)
{
	cJSON_AddItemToArray(arg, cJSON_Duplicate(ev, 1));
}

static pid_t
drv_spawn(const char *bin, const char *dir, char **req_url, char **ev_url)
{
	pid_t pid;

	*req_url = xasprintf("ipc://%s/llm.req", dir);
	*ev_url = xasprintf("ipc://%s/llm.ev", dir);
	if ((pid = fork()) == -1) {
		perror("llm_driver: fork");
		exit(3);
	}
	if (pid == 0) {
		execl(bin, bin, "--ipc", *req_url, "--events", *ev_url, "-v", (char *)NULL);
		perror("llm_driver: exec");
		_exit(127);
	}
	return pid;
}

/* The worker listens; retry PING until it answers (bounded by 10 s). */
static long
drv_ping(struct ipc_client *c)
{
	cJSON *body = cJSON_CreateObject(), *reply = NULL;
	char err[256];
	long pid = -1;
	int i;

	for (i = 0; i < 100 && pid < 0; i++) {
		if (ipc_call(c, IPC_T_PING, 0, body, 100, &reply, NULL, NULL, err, sizeof(err)) ==
		    IPC_OK)
			pid = (long)cJSON_GetNumberValue(cJSON_GetObjectItem(reply, "pid"));
		cJSON_Delete(reply);
		reply = NULL;
	}
	cJSON_Delete(body);
	return pid;
}

static int
drv_environ_lacks(long pid, const char *text)
{
	char path[64], *env;
	size_t i, n;
	struct strbuf sb = STRBUF_INIT;
	char buf[4096];
	ssize_t r;
	int fd;

	snprintf(path, sizeof(path), "/proc/%ld/environ", pid);
	if ((fd = open(path, O_RDONLY)) == -1) {
		fprintf(stderr, "llm_driver: %s: %s\n", path, strerror(errno));
		return 0;
	}
	while ((r = read(fd, buf, sizeof(buf))) > 0)
		strbuf_add(&sb, buf, (size_t)r);
	close(fd);
	env = strbuf_detach(&sb, &n);
	for (i = 0; i < n; i++)
		if (env[i] == '\0')
			env[i] = '\n';
	r = strstr(env, text) == NULL;
	free(env);
	return (int)r;
}

/* One request; returns its output line (caller frees). */
static char *
drv_one(struct ipc_client *c, const char *path, int timeout_ms)
{
	char *text = drv_slurp(path), err[512];
	cJSON *req = cJSON_Parse(text), *reply = NULL, *out = cJSON_CreateObject();
	cJSON *events = cJSON_CreateArray();
	char *line;
	int rc;

	if (req == NULL) {
		fprintf(stderr, "llm_driver: %s: not JSON\n", path);
		exit(2);
	}
	rc = ipc_call(c, IPC_T_LLM_COMPLETE, IPC_F_IDEMPOTENT, req, timeout_ms, &reply,
	              drv_on_event, events, err, sizeof(err));
	cJSON_AddBoolToObject(out, "ok", rc == IPC_OK);
	cJSON_AddNumberToObject(out, "rc", rc);
	if (rc == IPC_OK || rc == IPC_E_REMOTE)
		cJSON_AddItemToObject(out, rc == IPC_OK ? "reply" : "error", reply);
	else
		cJSON_AddStringToObject(out, "ipc_error", err);
	cJSON_AddItemToObject(out, "events", events);
	line = cJSON_PrintUnformatted(out);
	cJSON_Delete(out);
	cJSON_Delete(req);
	free(text);
	if (rc != IPC_OK && rc != IPC_E_REMOTE) {
		printf("%s\n", line);
		exit(3);
	}
	return line;
}

struct drv_job {
	struct ipc_client *c;
	const char *path;
	int timeout_ms;
	char *line;
	pthread_t th;
};

static void *
drv_job_run(void *arg)
{
	struct drv_job *j = arg;

	j->line = drv_one(j->c, j->path, j->timeout_ms);
	return NULL;
}

static void
drv_all(struct ipc_client *c, const char **reqs, int nreq, int timeout_ms, int parallel)
{
	struct drv_job jobs[DRV_MAX_REQ];
	int i;

	for (i = 0; i < nreq; i++) {
		jobs[i] = (struct drv_job){c, reqs[i], timeout_ms, NULL, 0};
		if (!parallel)
			drv_job_run(&jobs[i]);
		else if (pthread_create(&jobs[i].th, NULL, drv_job_run, &jobs[i]) != 0)
			exit(3);
	}
	for (i = 0; i < nreq; i++) {
		if (parallel)
			pthread_join(jobs[i].th, NULL);
		printf("%s\n", jobs[i].line);
		free(jobs[i].line);
	}
	fflush(stdout);
}

static int
drv_status(int st)
{
	if (WIFSIGNALED(st)) {
		fprintf(stderr, "llm_driver: worker killed by signal %d%s\n", WTERMSIG(st),
		        WTERMSIG(st) == SIGSYS ? " (seccomp policy violation)" : "");
		return 4;
	}
	if (WEXITSTATUS(st) != 0) {
		fprintf(stderr, "llm_driver: worker exited with status %d\n", WEXITSTATUS(st));
		return 4;
	}
	return 0;
}

static int
drv_finish(struct ipc_client *c, pid_t pid)
{
	cJSON *body = cJSON_CreateObject(), *reply = NULL;
	char err[256];
	int st = 0, i, rc;

	rc = ipc_call(c, IPC_T_SHUTDOWN, 0, body, 5000, &reply, NULL, NULL, err, sizeof(err));
	if (rc != IPC_OK)
		fprintf(stderr, "llm_driver: SHUTDOWN failed (%d): %s\n", rc, err);
	cJSON_Delete(reply);
	cJSON_Delete(body);
	/* Let the worker finish its orderly exit before hanging up: a hang-up
	 * racing the worker's SHUTDOWN bookkeeping makes it report "supervisor
	 * gone" (exit 1) although SHUTDOWN_OK was sent. */
	for (i = 0; i < 300 && waitpid(pid, &st, WNOHANG) == 0; i++)
		usleep(10000);
	ipc_client_close(c);
	if (i < 300)
		return drv_status(st);
	for (i = 0; i < 500 && waitpid(pid, &st, WNOHANG) == 0; i++)
		usleep(10000);
	if (i == 500) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		fprintf(stderr, "llm_driver: worker did not exit after SHUTDOWN\n");
		return 4;
	}
	return drv_status(st);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {{"worker", required_argument, NULL, 'w'},
	                                     {"request", required_argument, NULL, 'r'},
	                                     {"timeout-ms", required_argument, NULL, 't'},
	                                     {"environ-lacks", required_argument, NULL, 'e'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {"parallel", no_argument, NULL, 'p'},
	                                     {NULL, 0, NULL, 0}};
	const char *bin = NULL, *reqs[DRV_MAX_REQ], *lacks = NULL;
	char dir[] = "/tmp/kc_llm_drv.XXXXXX", *req_url, *ev_url, err[256];
	int nreq = 0, timeout_ms = 60000, ch, rc, parallel = 0;
	struct ipc_client *c;
	pid_t pid;
	long wpid;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'w':
			bin = optarg;
			break;
		case 'r':
			if (nreq < DRV_MAX_REQ)
				reqs[nreq++] = optarg;
			break;
		case 't':
			timeout_ms = atoi(optarg);
			break;
		case 'e':
			lacks = optarg;
			break;
		case 'p':
			parallel = 1;
			break;
		case 'h':
			printf("usage: llm_driver --worker BIN --request FILE... [--timeout-ms N] "
			       "[--environ-lacks TEXT] [--parallel]\n");
			return 0;
		default:
			fprintf(stderr, "usage: llm_driver --worker BIN --request FILE...\n");
			return 2;
		}
	}
	if (bin == NULL || nreq == 0 || mkdtemp(dir) == NULL) {
		fprintf(stderr, "usage: llm_driver --worker BIN --request FILE...\n");
		return 2;
	}
	pid = drv_spawn(bin, dir, &req_url, &ev_url);
	if ((c = ipc_client_open(req_url, ev_url, err, sizeof(err))) == NULL) {
		fprintf(stderr, "llm_driver: %s\n", err);
		return 3;
	}
	if ((wpid = drv_ping(c)) < 0) {
		fprintf(stderr, "llm_driver: worker never answered PING\n");
		kill(pid, SIGKILL);
		return 3;
	}
	if (lacks != NULL && !drv_environ_lacks(wpid, lacks)) {
		fprintf(stderr, "llm_driver: worker environ still holds the secret\n");
		kill(pid, SIGKILL);
		return 5;
	}
	drv_all(c, reqs, nreq, timeout_ms, parallel);
	rc = drv_finish(c, pid);
	rmdir(dir); /* the worker's sockets are gone with it */
	free(req_url);
	free(ev_url);
	return rc;
}
