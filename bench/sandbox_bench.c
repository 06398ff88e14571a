/*
 * sandbox_bench — median latency of one /bin/true through:
 *   fork+exec      bare fork + execve + wait (the floor)
 *   jail           the jail driver (sbx_run, per-command jail)
 *   bwrap          bubblewrap with the same isolation (all namespaces, the
 *                  same binds, no capabilities, the jail's seccomp program)
 *   runsc-do       raw `runsc --rootless --network=none do /bin/true`
 *   runsc-driver   the runsc driver (OCI bundle + runsc run)
 *   jail-session   one command through a running kylecode-sandbox over IPC
 *                  (what each command of an agent session costs: request,
 *                  jail, reply)
 * interleaved in one run (round i runs each variant once), so machine
 * noise hits all of them alike. Prints medians, p90 and the ratios the
 * issue sets targets for: jail/bwrap (<= 1.0) and runsc-driver/runsc-do
 * (<= 1.2).
 *   sandbox_bench [-n ROUNDS] [--no-runsc]
 * Must run as root (like kylecode on this host kind).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "supervisor/proc.h"
#include "worker-sandbox/sbx_int.h"

enum { V_FORK, V_JAIL, V_SESSION, V_BWRAP, V_RUNSC_DO, V_RUNSC_DRV, NV };
static const char *const vname[NV] = {"fork+exec", "jail", "jail-session", "bwrap",
				      "runsc-do", "runsc-driver"};

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
spawn_wait(char *const *argv, const char *cwd)
{
	pid_t pid = fork();
	int st, fd;

	if (pid == 0) {
		fd = open("/dev/null", O_RDWR);
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (cwd != NULL && chdir(cwd) != 0)
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int
run_sbx(struct sbx *s)
{
	char *argv[] = {"/bin/true", NULL};
	struct sbx_req req;
	struct sbx_result res;
	int rc;

	memset(&req, 0, sizeof req);
	req.argv = argv;
	req.timeout_ms = 30000;
	sbx_result_init(&res);
	sbx_run(s, &req, &res);
	rc = res.setup_failed ? -1 : res.exit_code;
	if (rc != 0)
		fprintf(stderr, "sandbox_bench: %s\n",
		        res.error[0] ? res.error : strbuf_str(&res.err));
	sbx_result_free(&res);
	return rc;
}

/* The jail's seccomp program in a memfd, for bwrap --seccomp FD. */
static int
bpf_memfd(void)
{
	struct sock_fprog p;
	char err[128];
	int fd = memfd_create("kc-bpf", 0);

	if (fd < 0 || jail_seccomp_build(&p, err, sizeof err) != 0)
		return -1;
	if (write(fd, p.filter, p.len * sizeof(struct sock_filter)) < 0)
		return -1;
	free(p.filter);
	return fd;
}

static int
run_bwrap(const char *ws, int bpf_fd)
{
	char fdarg[16], bind[512];
	char *av[] = {"/usr/bin/bwrap",
	              "--unshare-all",
	              "--die-with-parent",
	              "--new-session",
	              "--cap-drop",
	              "ALL",
	              "--uid",
	              "1000",
	              "--gid",
	              "1000",
	              "--hostname",
	              "kylecode",
	              "--ro-bind",
	              "/usr",
	              "/usr",
	              "--symlink",
	              "usr/bin",
	              "/bin",
	              "--symlink",
	              "usr/sbin",
	              "/sbin",
	              "--symlink",
	              "usr/lib",
	              "/lib",
	              "--symlink",
	              "usr/lib64",
	              "/lib64",
	              "--ro-bind",
	              "/etc/ld.so.cache",
	              "/etc/ld.so.cache",
	              "--proc",
	              "/proc",
	              "--dev",
	              "/dev",
	              "--tmpfs",
	              "/tmp",
	              "--bind",
	              bind,
	              "/workspace",
	              "--chdir",
	              "/workspace",
	              "--clearenv",
	              "--setenv",
	              "PATH",
	              "/usr/bin:/bin",
	              "--seccomp",
	              fdarg,
	              "/bin/true",
	              NULL};

	snprintf(bind, sizeof bind, "%s", ws);
	snprintf(fdarg, sizeof fdarg, "%d", bpf_fd);
	lseek(bpf_fd, 0, SEEK_SET); /* bwrap reads the program from the start */
	return spawn_wait(av, NULL);
}

static int
run_session(struct sup *sup)
{
	cJSON *body = cJSON_Parse("{\"argv\":[\"/bin/true\"],\"stream\":false}"), *reply = NULL;
	char err[256];
	int rc = sup_call(sup, SUP_SANDBOX, IPC_T_SBX_EXEC, body, 30000, 0, &reply, NULL, NULL,
			  err, sizeof err);
	const cJSON *ec = cJSON_GetObjectItemCaseSensitive(reply, "exit_code");

	if (rc != IPC_OK)
		fprintf(stderr, "sandbox_bench: session: %s\n", err);
	rc = rc == IPC_OK && cJSON_IsNumber(ec) ? ec->valueint : -1;
	cJSON_Delete(reply);
	cJSON_Delete(body);
	return rc;
}

static int
cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
pct(double *v, int n, double p)
{
	qsort(v, (size_t)n, sizeof *v, cmp_d);
	return v[(int)((n - 1) * p)];
}

int
main(int argc, char **argv)
{
	char ws[] = "/tmp/kc-bench-XXXXXX", err[256];
	char *true_av[] = {"/bin/true", NULL};
	char *runsc_av[] = {"/usr/bin/runsc", "--rootless", "--network=none", "do",
	                    "/bin/true",      NULL};
	struct sbx_config cfg = {0};
	struct sbx *jail, *runsc = NULL;
	struct sup_opts so = {0};
	struct sup *sup;
	double *t[NV], med[NV];
	int rounds = 30, use_runsc = 1, i, v, bpf_fd, nv;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
			rounds = atoi(argv[++i]);
		else if (strcmp(argv[i], "--no-runsc") == 0)
			use_runsc = 0;
		else {
			fprintf(stderr, "usage: sandbox_bench [-n ROUNDS] [--no-runsc]\n");
			return 2;
		}
	}
	if (rounds < 3 || mkdtemp(ws) == NULL || (bpf_fd = bpf_memfd()) < 0)
		return 2;
	cfg.workspace = ws;
	cfg.driver = SBX_JAIL;
	if ((jail = sbx_factory_create(&cfg, err, sizeof err)) == NULL) {
		fprintf(stderr, "sandbox_bench: jail: %s\n", err);
		return 1;
	}
	so.workspace = ws;
	so.driver = "jail";
	if ((sup = sup_start(SUP_ROLE_BIT(SUP_SANDBOX), &so, err, sizeof err)) == NULL) {
		fprintf(stderr, "sandbox_bench: kylecode-sandbox: %s\n", err);
		return 1;
	}
	cfg.driver = SBX_RUNSC;
	if (use_runsc && access("/usr/bin/runsc", X_OK) == 0)
		runsc = sbx_factory_create(&cfg, err, sizeof err);
	nv = runsc != NULL ? NV : V_RUNSC_DO;
	for (v = 0; v < NV; v++)
		t[v] = calloc((size_t)rounds, sizeof(double));
	for (i = 0; i < rounds; i++) {
		for (v = 0; v < nv; v++) {
			double t0 = now_ms();
			int rc = v == V_FORK      ? spawn_wait(true_av, NULL)
			         : v == V_JAIL    ? run_sbx(jail)
			         : v == V_SESSION ? run_session(sup)
			         : v == V_BWRAP   ? run_bwrap(ws, bpf_fd)
			         : v == V_RUNSC_DO ? spawn_wait(runsc_av, ws)
			                           : run_sbx(runsc);

			t[v][i] = now_ms() - t0;
			if (rc != 0) {
				fprintf(stderr, "sandbox_bench: %s failed (%d)\n", vname[v], rc);
				return 1;
			}
		}
	}
	printf("sandbox_bench: /bin/true, %d interleaved rounds\n", rounds);
	printf("%-14s %10s %10s %10s\n", "variant", "min ms", "median ms", "p90 ms");
	for (v = 0; v < nv; v++) {
		double p90;

		med[v] = pct(t[v], rounds, 0.5);
		p90 = pct(t[v], rounds, 0.9);
		printf("%-14s %10.2f %10.2f %10.2f\n", vname[v], t[v][0], med[v], p90);
	}
	printf("ratio jail / bwrap          = %.2f  (target <= 1.00)\n",
	       med[V_JAIL] / med[V_BWRAP]);
	printf("ratio jail / fork+exec      = %.2f\n", med[V_JAIL] / med[V_FORK]);
	printf("ratio jail-session / bwrap  = %.2f  (per command in a session, IPC included)\n",
	       med[V_SESSION] / med[V_BWRAP]);
	if (runsc != NULL)
		printf("ratio runsc-driver / runsc-do = %.2f  (target <= 1.20)\n",
		       med[V_RUNSC_DRV] / med[V_RUNSC_DO]);
	sup_stop(sup);
	sbx_free(jail);
	sbx_free(runsc);
	rmdir(ws);
	return 0;
}
