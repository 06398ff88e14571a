/* cmd_doctor.c — `kylecode doctor`: which isolation this host offers and
 * which sandbox driver kylecode will use.
 *
 * The host checks here only look (files under /proc and /sys, one forked
 * child that tries a user namespace); whether a driver really works is
 * asked of kylecode-sandbox (SBX_DOCTOR), which runs /bin/true in each:
 * the supervisor itself never starts programs. --probe runs the sandbox
 * worker's escape probes (SBX_PROBE) per driver. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/landlock.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/core/log.h"
#include "lib/failpoint/failpoint.h"
#include "supervisor/cmd.h"
#include "supervisor/proc.h"

#define DOC_DEFAULT_DRIVER "jail"

static const char *const doc_drivers[] = {"jail", "runsc", "docker", "process", NULL};

static void
doc_usage(FILE *f)
{
	fprintf(f, "usage: kylecode doctor [--probe] [--driver D] [--failpoints] [--help]\n");
	if (f != stdout)
		return;
	fprintf(f,
	        "\nShows which isolation features this host offers (user namespaces,\n"
	        "seccomp, cgroups, Landlock, runsc, docker), asks kylecode-sandbox which\n"
	        "sandbox drivers work, and says which one kylecode will use.\n\n"
	        "  --probe        also run the sandbox escape probes for each driver\n"
	        "  --driver D     check (and probe) only driver D: jail, runsc, docker, process\n"
	        "  --failpoints   list the failpoints compiled into each program (test builds)\n\n"
	        "Exit status: 0 when the driver (default: jail) works and, with --probe,\n"
	        "every probe passed; 1 otherwise; 2 usage.\n");
}

/* ---------------- host features ---------------- */

/* A user namespace is tried in a forked child: making one changes the
 * process for good, and a multi-threaded process cannot. */
static int
doc_userns(char *why, size_t whylen)
{
	int st;
	pid_t pid = fork();

	if (pid < 0) {
		snprintf(why, whylen, "fork: %s", strerror(errno));
		return 0;
	}
	if (pid == 0)
		_exit(unshare(CLONE_NEWUSER) == 0 ? 0 : (errno & 0x7f));
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st)) {
		snprintf(why, whylen, "test child failed");
		return 0;
	}
	if (WEXITSTATUS(st) == 0)
		return 1;
	snprintf(why, whylen, "unshare(CLONE_NEWUSER): %s%s", strerror(WEXITSTATUS(st)),
	         access("/proc/sys/kernel/unprivileged_userns_clone", F_OK) == 0
	             ? " (see /proc/sys/kernel/unprivileged_userns_clone)"
	             : "");
	return 0;
}

/* Reads a small file into buf without the trailing newline. */
static int
doc_read(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	size_t n;

	if (f == NULL)
		return -1;
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

static void
doc_seccomp(void)
{
	char acts[256];

	if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0 && errno == EINVAL) {
		printf("  %-17s no (kernel built without seccomp)\n", "seccomp");
		return;
	}
	if (doc_read("/proc/sys/kernel/seccomp/actions_avail", acts, sizeof(acts)) == 0)
		printf("  %-17s yes (filter actions: %s)\n", "seccomp", acts);
	else
		printf("  %-17s yes\n", "seccomp");
}

/* cgroup v2: the controllers of the root; v1: the enabled hierarchies
 * from /proc/cgroups. */
static void
doc_cgroup(void)
{
	char buf[512], line[256], name[64];
	int hier, num, enabled;
	size_t len = 0;
	FILE *f;

	if (doc_read("/sys/fs/cgroup/cgroup.controllers", buf, sizeof(buf)) == 0) {
		printf("  %-17s v2 (controllers: %s)\n", "cgroup", buf[0] ? buf : "none");
		return;
	}
	if ((f = fopen("/proc/cgroups", "re")) == NULL) {
		printf("  %-17s none found\n", "cgroup");
		return;
	}
	buf[0] = '\0';
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "%63s %d %d %d", name, &hier, &num, &enabled) == 4 && enabled &&
		    len + strlen(name) + 2 < sizeof(buf))
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s",
			                        len ? " " : "", name);
	fclose(f);
	printf("  %-17s v1 (controllers: %s)\n", "cgroup", buf[0] ? buf : "none");
}

static void
doc_landlock(void)
{
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);

	if (abi > 0)
		printf("  %-17s ABI %ld\n", "landlock", abi);
	else
		printf("  %-17s not available (%s)\n", "landlock", strerror(errno));
}

/* Searches PATH like a shell would, without running anything. */
static int
doc_which(const char *prog, char *out, size_t outlen)
{
	const char *path = getenv("PATH"), *p, *c;

	if (path == NULL)
		path = "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";
	for (p = path; *p != '\0'; p = *c ? c + 1 : c) {
		c = strchr(p, ':');
		if (c == NULL)
			c = p + strlen(p);
		snprintf(out, outlen, "%.*s/%s", (int)(c - p), p, prog);
		if (c > p && access(out, X_OK) == 0)
			return 1;
	}
	return 0;
}

static void
doc_host(void)
{
	char why[256], path[512];

	printf("Host features\n");
	if (doc_userns(why, sizeof(why)))
		printf("  %-17s yes\n", "user namespaces");
	else
		printf("  %-17s no: %s\n", "user namespaces", why);
	doc_seccomp();
	doc_cgroup();
	doc_landlock();
	if (doc_which("runsc", path, sizeof(path)))
		printf("  %-17s installed: %s\n", "runsc", path);
	else
		printf("  %-17s not installed\n", "runsc");
	if (doc_which("docker", path, sizeof(path)))
		printf("  %-17s installed: %s (daemon socket %s)\n", "docker", path,
		       access("/var/run/docker.sock", F_OK) == 0 ? "present" : "absent");
	else
		printf("  %-17s not installed\n", "docker");
}

/* ---------------- the sandbox worker's view ---------------- */

static const char *
doc_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : "";
}

/* Prints the driver table; returns 1 if `want` works. */
static int
doc_drivers_check(struct sup *s, const char *want)
{
	char err[512];
	cJSON *reply = NULL, *drv, *d;
	int rc, ok = 0;

	printf("\nSandbox drivers (checked by kylecode-sandbox: /bin/true in each)\n");
	rc = sup_call(s, SUP_SANDBOX, IPC_T_SBX_DOCTOR, NULL, 120000, 1, &reply, NULL, NULL, err,
	              sizeof(err));
	if (rc != IPC_OK) {
		printf("  sandbox worker: %s\n", err);
		cJSON_Delete(reply);
		return 0;
	}
	drv = cJSON_GetObjectItemCaseSensitive(reply, "drivers");
	cJSON_ArrayForEach(d, drv)
	{
		int dok = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d, "ok"));
		const cJSON *iso = cJSON_GetObjectItemCaseSensitive(d, "isolation");

		const char *why = doc_str(d, "why");
		int wlen = (int)strcspn(why, "\n");

		printf("  %-8s %-4s %.*s%s\n", d->string, dok ? "ok" : "no", wlen, why,
		       cJSON_IsFalse(iso) && strstr(why, "isolation") == NULL
		           ? " (no isolation: development only)"
		           : "");
		if (strcmp(d->string, want) == 0)
			ok = dok;
	}
	cJSON_Delete(reply);
	return ok;
}

/* One driver's escape probes as a table; returns 1 if all passed. */
static int
doc_probe_driver(struct sup *s, const char *driver)
{
	char err[512];
	cJSON *body = cJSON_CreateObject(), *reply = NULL, *r;
	int rc, all = 1, n = 0;

	cJSON_AddStringToObject(body, "driver", driver);
	rc = sup_call(s, SUP_SANDBOX, IPC_T_SBX_PROBE, body, 300000, 1, &reply, NULL, NULL, err,
	              sizeof(err));
	cJSON_Delete(body);
	printf("\nProbes, driver %s\n", driver);
	if (rc != IPC_OK) {
		printf("  %s\n", err);
		cJSON_Delete(reply);
		return rc == IPC_E_REMOTE && strncmp(err, "unsupported", 11) == 0 ? -1 : 0;
	}
	printf("  %-28s %-8s %-6s %s\n", "probe", "kind", "result", "detail");
	cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(reply, "results"))
	{
		int passed = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "passed"));

		printf("  %-28s %-8s %-6s %s\n", doc_str(r, "name"), doc_str(r, "kind"),
		       passed ? "pass" : "FAIL", doc_str(r, "detail"));
		all &= passed;
		n++;
	}
	cJSON_Delete(reply);
	return n > 0 && all;
}

static int
doc_probe(struct sup *s, const char *only)
{
	int i, r, all = 1;

	for (i = 0; doc_drivers[i] != NULL; i++) {
		if (only != NULL && strcmp(only, doc_drivers[i]) != 0)
			continue;
		r = doc_probe_driver(s, doc_drivers[i]);
		/* a driver this host cannot run is reported, not a failure,
		 * unless it is the one asked for */
		if (r == 0 || (r < 0 && only != NULL))
			all = 0;
	}
	return all;
}

/* ---------------- --failpoints ---------------- */

static void
doc_fp_print(const char *name, void *arg)
{
	printf("  %-10s %s\n", (const char *)arg, name);
}

/* Runs `kylecode-<role> --list-failpoints` (our own worker program, no
 * shell) and prints its lines. */
static void
doc_fp_worker(const char *dir, const char *role)
{
	char path[4200], line[256];
	int pfd[2];
	pid_t pid;
	FILE *f;

	snprintf(path, sizeof(path), "%s/kylecode-%s", dir, role);
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return;
	if ((pid = fork()) == 0) {
		dup2(pfd[1], 1);
		execl(path, path, "--list-failpoints", (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	if (pid > 0 && (f = fdopen(pfd[0], "r")) != NULL) {
		while (fgets(line, sizeof(line), f) != NULL) {
			line[strcspn(line, "\n")] = '\0';
			doc_fp_print(line, (void *)role);
		}
		fclose(f);
	} else {
		close(pfd[0]);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
}

static int
doc_failpoints(void)
{
	static const char *const roles[] = {"llm", "tools", "sandbox", NULL};
	char err[512];
	char *dir;
	int i;

#ifndef KC_FAILPOINTS
	printf("failpoints are not compiled in (configure with -DKC_FAILPOINTS=ON)\n");
	return KC_EXIT_OK;
#endif
	printf("Failpoints (KYLECODE_FAILPOINTS=name=action,...; role:name for one worker)\n");
	fp_foreach(doc_fp_print, "kylecode");
	if ((dir = sup_libexec_dir(NULL, err, sizeof(err))) == NULL) {
		printf("  (workers: %s)\n", err);
		return KC_EXIT_FAIL;
	}
	for (i = 0; roles[i] != NULL; i++)
		doc_fp_worker(dir, roles[i]);
	free(dir);
	return KC_EXIT_OK;
}

/* ---------------- the command ---------------- */

static int
doc_parse(int argc, char **argv, int *probe, const char **driver, int *fps)
{
	static const struct option opts[] = {
	    {"probe", no_argument, NULL, 'p'},
	    {"driver", required_argument, NULL, 'd'},
	    {"failpoints", no_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c, i;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			*probe = 1;
			break;
		case 'd':
			*driver = optarg;
			break;
		case 'f':
			*fps = 1;
			break;
		case 'h':
			doc_usage(stdout);
			exit(KC_EXIT_OK);
		default:
			doc_usage(stderr);
			return -1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "kylecode doctor: unexpected argument '%s'\n", argv[optind]);
		doc_usage(stderr);
		return -1;
	}
	for (i = 0; *driver != NULL && doc_drivers[i] != NULL; i++)
		if (strcmp(*driver, doc_drivers[i]) == 0)
			return 0;
	if (*driver != NULL) {
		fprintf(stderr,
		        "kylecode doctor: unknown driver '%s' (jail, runsc, docker, process)\n",
		        *driver);
		return -1;
	}
	return 0;
}

int
cmd_doctor(int argc, char **argv)
{
	struct sup_opts o;
	struct sup *s;
	const char *driver = NULL;
	char ws[] = "/tmp/kylecode-doctor-XXXXXX", err[512];
	int probe = 0, fps = 0, ok, probes_ok = 1;

	if (doc_parse(argc, argv, &probe, &driver, &fps) < 0)
		return KC_EXIT_USAGE;
	if (fps)
		return doc_failpoints();
	printf("kylecode doctor: isolation on this host\n\n");
	doc_host();
	/* A scratch workspace: the checks never touch a user's files. */
	if (mkdtemp(ws) == NULL) {
		fprintf(stderr, "kylecode doctor: cannot create %s: %s\n", ws, strerror(errno));
		return KC_EXIT_FAIL;
	}
	memset(&o, 0, sizeof(o));
	o.workspace = ws;
	o.driver = driver;
	if ((s = sup_start(SUP_ROLE_BIT(SUP_SANDBOX), &o, err, sizeof(err))) == NULL) {
		printf("\nSandbox drivers\n  sandbox worker: %s\n", err);
		rmdir(ws);
		return KC_EXIT_FAIL;
	}
	ok = doc_drivers_check(s, driver != NULL ? driver : DOC_DEFAULT_DRIVER);
	if (ok)
		printf("\nkylecode will use: %s\n", driver != NULL ? driver : DOC_DEFAULT_DRIVER);
	else
		printf("\n%s does not work here: kylecode run/exec need --driver with one that "
		       "does (see above)\n",
		       driver != NULL ? driver : DOC_DEFAULT_DRIVER);
	if (probe)
		probes_ok = doc_probe(s, driver);
	sup_stop(s);
	rmdir(ws);
	return ok && probes_ok ? KC_EXIT_OK : KC_EXIT_FAIL;
}
