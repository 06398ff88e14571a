/* proc.c — spawn, watch, restart and reap the workers (see proc.h).
 *
 * Threads:
 *  - the monitor thread forks every worker (PR_SET_PDEATHSIG fires when
 *    the *thread* that forked exits, so one long-lived thread does it all),
 *    reaps them on SIGCHLD, relays their stderr and restarts them;
 *  - the heartbeat thread confirms a new worker with PING (then sends its
 *    init message) and PINGs running ones; a worker that does not answer
 *    in time is killed, and restarted like any dead worker;
 *  - callers of sup_call() wait for their role to be READY.
 * Signal handlers only set flags and write one byte to a self-pipe that
 * wakes the monitor (STYLE 13).
 *
 * Worker states: DOWN (dead, restart at restart_at) -> STARTING (forked,
 * not yet answering) -> READY -> DOWN ... ; GAVE_UP ends the run.
 */
#include "supervisor/proc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/core/clock.h"
#include "lib/core/log.h"
#include "lib/core/xmalloc.h"
#include "lib/failpoint/failpoint.h"

#define SUP_CRASH_MAX 5           /* crashes ...            */
#define SUP_CRASH_WINDOW_MS 60000 /* ... within this window stop the run */
#define SUP_BACKOFF_MIN_MS 100
#define SUP_BACKOFF_MAX_MS 5000
#define SUP_START_TIMEOUT_MS 10000 /* forked -> first PONG */
#define SUP_READY_TIMEOUT_MS 15000 /* sup_start waits this long */
#define SUP_STOP_GRACE_MS 2000     /* SHUTDOWN -> SIGKILL */
#define SUP_LINE_MAX 4096

enum sup_wstate { W_DOWN, W_STARTING, W_READY, W_GAVE_UP };

/* A connection to one incarnation of a worker. Reference-counted because
 * callers may still be inside ipc_call() when the worker dies. */
struct sup_conn {
	struct ipc_client *cl;
	int refs;
};

struct sup_worker {
	enum sup_role role;
	enum sup_wstate state;
	pid_t pid;
	int errfd;
	char linebuf[SUP_LINE_MAX];
	size_t linelen;
	struct sup_conn *conn;
	int starts;
	int inflight;
	int threads; /* service threads the worker reported in PONG */
	uint64_t spawned_at, restart_at, next_ping;
	uint64_t crashes[SUP_CRASH_MAX]; /* ring of crash times */
	int ncrash;
	uint16_t init_type;
	cJSON *init_body;
	char req_url[PATH_MAX], ev_url[PATH_MAX];
};

struct sup_event {
	const char *what;
	enum sup_role role;
	int status;
};

struct sup {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	unsigned roles;
	struct sup_worker w[SUP_NROLES];
	char *workspace, *driver, *libexec;
	char **llm_env;
	char *llm_dotenv;
	int verbose;
	char rundir[128]; /* short: sun_path holds 108 bytes */
	pid_t self;
	int stopping;     /* sup_stop() began: no restarts, deaths expected */
	int ncalls;       /* callers inside sup_call() */
	int threads_stop; /* monitor and heartbeat threads: exit */
	int failed;
	char failmsg[512];
	int hb_period_ms, hang_ms;
	pthread_t monitor, heartbeat;
	int threads_started;
	void (*on_event)(const char *what, enum sup_role r, int status, void *arg);
	void *on_event_arg;
	struct sup_event evq[16]; /* fired by the monitor thread, unlocked */
	int nevq;
};

struct sup_role_info {
	const char *name;
	enum sup_role role;
	const char *binary;
};

/* The role table (STYLE 2): one line per worker. */
static const struct sup_role_info sup_roles[SUP_NROLES] = {
    {"llm", SUP_LLM, "kylecode-llm"},
    {"tools", SUP_TOOLS, "kylecode-tools"},
    {"sandbox", SUP_SANDBOX, "kylecode-sandbox"},
};

static volatile sig_atomic_t sup_sig_int, sup_sig_chld, sup_run_failed;
static int sup_wake_fd[2] = {-1, -1};
static struct sup *sup_current;

static void sup_seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void sup_worker_died(struct sup *s, struct sup_worker *w, int status);

static void
sup_seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static uint64_t
sup_now_ms(void)
{
	return (uint64_t)kc_mono_ms();
}

const char *
sup_role_name(enum sup_role r)
{
	return (unsigned)r < SUP_NROLES ? sup_roles[r].name : "?";
}

int
sup_interrupted(void)
{
	return sup_sig_int != 0 || sup_run_failed != 0;
}

/* ---------------- signals ---------------- */

static void
sup_sig_handler(int sig)
{
	int e = errno;
	char c = (char)sig;

	if (sig == SIGCHLD)
		sup_sig_chld = 1;
	else if (sup_sig_int < 100)
		sup_sig_int++;
	if (sup_wake_fd[1] >= 0)
		(void)!write(sup_wake_fd[1], &c, 1);
	errno = e;
}

static int
sup_signals_install(void)
{
	struct sigaction sa;

	if (sup_wake_fd[0] < 0 && pipe2(sup_wake_fd, O_CLOEXEC | O_NONBLOCK) < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = sup_sig_handler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
	if (sigaction(SIGCHLD, &sa, NULL) < 0 || sigaction(SIGINT, &sa, NULL) < 0 ||
	    sigaction(SIGTERM, &sa, NULL) < 0)
		return -1;
	/* A worker's socket closing must not kill us. */
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

static void
sup_signals_restore(void)
{
	signal(SIGCHLD, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
}

static void
sup_wake(void)
{
	char c = 0;

	if (sup_wake_fd[1] >= 0)
		(void)!write(sup_wake_fd[1], &c, 1);
}

/* ---------------- runtime directory ---------------- */

/* The runtime directory holds the ipc:// sockets. Rationale: mode 0700
 * (mkdtemp) so that no other user can connect to a worker and talk to it
 * as if it were the supervisor; per run so that two runs never share a
 * socket; under $XDG_RUNTIME_DIR (a per-user tmpfs) when there is one. */
static int
sup_rundir_make(struct sup *s, char *err, size_t errlen)
{
	const char *base = getenv("XDG_RUNTIME_DIR");
	struct stat st;

	if (base == NULL || base[0] != '/' || stat(base, &st) < 0 || !S_ISDIR(st.st_mode) ||
	    access(base, W_OK) < 0 || strlen(base) > 60)
		base = "/tmp";
	snprintf(s->rundir, sizeof(s->rundir), "%s/kylecode-XXXXXX", base);
	if (mkdtemp(s->rundir) == NULL) {
		sup_seterr(err, errlen, "cannot create the runtime directory %s: %s", s->rundir,
		           strerror(errno));
		s->rundir[0] = '\0';
		return -1;
	}
	return 0;
}

static void
sup_rundir_remove(struct sup *s)
{
	DIR *d;
	struct dirent *de;
	int dfd;

	if (s->rundir[0] == '\0')
		return;
	if ((d = opendir(s->rundir)) != NULL) {
		dfd = dirfd(d);
		while ((de = readdir(d)) != NULL)
			if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
				unlinkat(dfd, de->d_name, 0);
		closedir(d);
	}
	if (rmdir(s->rundir) < 0 && errno != ENOENT)
		log_warn("proc: cannot remove %s", s->rundir);
	s->rundir[0] = '\0';
}

/* ---------------- spawning ---------------- */

static char *
sup_libexec_find(const struct sup_opts *o, char *err, size_t errlen)
{
	char exe[PATH_MAX], *slash, *cand[3];
	ssize_t n;
	int i;

	cand[0] = o->libexec != NULL ? xstrdup(o->libexec) : NULL;
	cand[1] = cand[2] = NULL;
	if (cand[0] == NULL && getenv("KYLECODE_LIBEXEC") != NULL)
		cand[0] = xstrdup(getenv("KYLECODE_LIBEXEC"));
	if (cand[0] == NULL && (n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) > 0) {
		exe[n] = '\0';
		if ((slash = strrchr(exe, '/')) != NULL)
			*slash = '\0';
		cand[0] = xstrdup(exe);
		/* installed layout: bin/kylecode, libexec/kylecode/kylecode-* */
		cand[1] = xasprintf("%s/../libexec/kylecode", exe);
	}
	for (i = 0; i < 2; i++) {
		char *p = cand[i] != NULL ? xasprintf("%s/kylecode-sandbox", cand[i]) : NULL;
		int ok = p != NULL && access(p, X_OK) == 0;

		free(p);
		if (ok) {
			free(cand[1 - i]);
			return cand[i];
		}
	}
	sup_seterr(err, errlen,
	           "the worker programs (kylecode-llm, kylecode-tools, kylecode-sandbox) are "
	           "not in %s: build them, or set KYLECODE_LIBEXEC to their directory",
	           cand[0] != NULL ? cand[0] : "(unknown)");
	free(cand[0]);
	free(cand[1]);
	return NULL;
}

char *
sup_libexec_dir(const char *libexec, char *err, size_t errlen)
{
	struct sup_opts o;

	memset(&o, 0, sizeof(o));
	o.libexec = libexec;
	return sup_libexec_find(&o, err, errlen);
}

static char **
sup_argv_build(struct sup *s, struct sup_worker *w)
{
	char **av = xcalloc(16, sizeof(*av));
	int n = 0, i;

	av[n++] = xasprintf("%s/%s", s->libexec, sup_roles[w->role].binary);
	av[n++] = xstrdup("--ipc");
	av[n++] = xstrdup(w->req_url);
	av[n++] = xstrdup("--events");
	av[n++] = xstrdup(w->ev_url);
	av[n++] = xstrdup("--rundir");
	av[n++] = xstrdup(s->rundir);
	if (s->workspace != NULL && w->role != SUP_LLM) {
		av[n++] = xstrdup("--workspace");
		av[n++] = xstrdup(s->workspace);
	}
	if (s->driver != NULL && w->role == SUP_SANDBOX) {
		av[n++] = xstrdup("--driver");
		av[n++] = xstrdup(s->driver);
	}
	for (i = 0; i < s->verbose && i < 3; i++)
		av[n++] = xstrdup("-v");
	return av;
}

static void
sup_strv_free(char **v)
{
	size_t i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

static void
sup_env_pass(char **env, int *n, int max, const char *name)
{
	const char *v = getenv(name);

	if (v != NULL && *n < max)
		env[(*n)++] = xasprintf("%s=%s", name, v);
}

/* The environment of a worker is built, not inherited. Rationale: the
 * supervisor's environment may hold API keys and tokens of the user; only
 * worker-llm gets the variables the config names for it, the path of the
 * .env file (never its contents), the CA bundle overrides curl may need and
 * the test override of every base URL. Everyone gets a fixed PATH, the locale
 * and time zone, the failpoint settings, and the sanitizer options of a
 * test build. */
static char **
sup_env_build(struct sup *s, enum sup_role r)
{
	static const char *const common[] = {"LANG",
	                                     "LC_ALL",
	                                     "TZ",
	                                     "KYLECODE_FAILPOINTS",
	                                     "KYLECODE_FAULT_SEED",
	                                     "ASAN_OPTIONS",
	                                     "UBSAN_OPTIONS",
	                                     "LSAN_OPTIONS",
	                                     NULL};
	static const char *const llm_extra[] = {"SSL_CERT_FILE", "SSL_CERT_DIR",
	                                        "KYLECODE_LLM_BASE_URL", NULL};
	int max = 64, n = 0, i;
	char **env = xcalloc((size_t)max + 1, sizeof(*env));

	env[n++] = xstrdup("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	if (getenv("LANG") == NULL)
		env[n++] = xstrdup("LANG=C.UTF-8");
	for (i = 0; common[i] != NULL; i++)
		sup_env_pass(env, &n, max, common[i]);
	if (r == SUP_LLM) {
		for (i = 0; llm_extra[i] != NULL; i++)
			sup_env_pass(env, &n, max, llm_extra[i]);
		for (i = 0; s->llm_env != NULL && s->llm_env[i] != NULL; i++)
			sup_env_pass(env, &n, max, s->llm_env[i]);
		if (s->llm_dotenv != NULL && n < max)
			env[n++] = xasprintf("KYLECODE_DOTENV=%s", s->llm_dotenv);
	}
	return env;
}

/* In the child between fork and execve: only async-signal-safe calls. */
static void __attribute__((noreturn))
sup_child_exec(struct sup *s, char **argv, char **envp, int errfd)
{
	static const char msg[] = "kylecode: cannot execute ";
	sigset_t none;
	int nullfd;

	/* Handlers of the supervisor make no sense in the worker. */
	signal(SIGCHLD, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* Own process group: the supervisor kills the worker and whatever it
	 * started in one kill(-pgid), and a Ctrl-C on the terminal reaches
	 * the supervisor only, which then stops the workers in order. */
	setpgid(0, 0);
	/* Die with the supervisor; if it is already gone, do not start. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != s->self)
		_exit(1);
	nullfd = open("/dev/null", O_RDONLY);
	if (nullfd < 0 || dup2(nullfd, 0) < 0 || dup2(errfd, 1) < 0 || dup2(errfd, 2) < 0)
		_exit(126);
	/* No descriptor of the supervisor (run log, sockets of other workers)
	 * reaches a worker. */
	if (close_range(3, ~0u, 0) < 0)
		for (int fd = 3; fd < 1024; fd++)
			close(fd);
	execve(argv[0], argv, envp);
	(void)!write(2, msg, sizeof(msg) - 1);
	(void)!write(2, argv[0], strlen(argv[0]));
	(void)!write(2, errno == ENOENT ? ": not found\n" : ": permission denied or bad format\n",
	             errno == ENOENT ? 12 : 34);
	_exit(127);
}

/* Forks and executes one worker and opens a connection to it. Called on
 * the monitor thread with s->mu held. */
static int
sup_worker_spawn(struct sup *s, struct sup_worker *w)
{
	char **argv = sup_argv_build(s, w), **envp = sup_env_build(s, w->role);
	char err[256];
	int pfd[2];
	pid_t pid;

	unlink(w->req_url + 6);
	unlink(w->ev_url + 6);
	if ((errno = FAILPOINT("proc.spawn")) != 0 || pipe2(pfd, O_CLOEXEC) < 0) {
		log_warn("proc: pipe");
		goto fail;
	}
	pid = fork();
	if (pid == 0)
		sup_child_exec(s, argv, envp, pfd[1]);
	close(pfd[1]);
	if (pid < 0) {
		log_warn("proc: fork %s", sup_roles[w->role].binary);
		close(pfd[0]);
		goto fail;
	}
	setpgid(pid, pid); /* both sides: whoever runs first */
	fcntl(pfd[0], F_SETFL, O_NONBLOCK);
	w->pid = pid;
	w->errfd = pfd[0];
	w->linelen = 0;
	w->state = W_STARTING;
	w->spawned_at = sup_now_ms();
	w->threads = 1;
	w->starts++;
	w->conn = xcalloc(1, sizeof(*w->conn));
	w->conn->refs = 1;
	w->conn->cl = ipc_client_open(w->req_url, w->ev_url, err, sizeof(err));
	if (w->conn->cl == NULL)
		log_warnx("proc: %s: %s", sup_roles[w->role].binary, err);
	log_debug("proc: started %s (pid %d)", sup_roles[w->role].binary, (int)pid);
	sup_strv_free(argv);
	sup_strv_free(envp);
	return 0;
fail:
	sup_strv_free(argv);
	sup_strv_free(envp);
	/* Counted like a crash, so that a host that cannot fork ends in the
	 * crash-loop stop instead of a busy loop. */
	sup_worker_died(s, w, W_EXITCODE(126, 0));
	return -1;
}

/* ---------------- connections ---------------- */

static void
sup_conn_put(struct sup *s, struct sup_conn *c)
{
	int last;

	if (c == NULL)
		return;
	pthread_mutex_lock(&s->mu);
	last = --c->refs == 0;
	pthread_mutex_unlock(&s->mu);
	if (last) {
		ipc_client_close(c->cl);
		free(c);
	}
}

/* Queued with s->mu held; fired by the monitor thread without it, so that
 * the callback may call back into sup_*. */
static void
sup_event_queue(struct sup *s, const char *what, enum sup_role r, int status)
{
	if (s->nevq < (int)(sizeof(s->evq) / sizeof(s->evq[0]))) {
		s->evq[s->nevq].what = what;
		s->evq[s->nevq].role = r;
		s->evq[s->nevq].status = status;
		s->nevq++;
	}
	sup_wake();
}

static void
sup_events_fire(struct sup *s)
{
	struct sup_event q[16];
	int n, i;

	pthread_mutex_lock(&s->mu);
	n = s->nevq;
	memcpy(q, s->evq, sizeof(q[0]) * (size_t)n);
	s->nevq = 0;
	pthread_mutex_unlock(&s->mu);
	for (i = 0; i < n; i++)
		if (s->on_event != NULL)
			s->on_event(q[i].what, q[i].role, q[i].status, s->on_event_arg);
}

/* ---------------- stderr relay ---------------- */

static void
sup_line_emit(struct sup_worker *w, const char *line, size_t len)
{
	fprintf(stderr, "[%s] %.*s\n", sup_roles[w->role].name, (int)len, line);
}

/* Re-prints each line the worker wrote, prefixed with its role. A line
 * longer than the buffer is cut (a worker cannot make us buffer without
 * bound). */
static void
sup_stderr_relay(struct sup_worker *w, int final)
{
	char buf[4096];
	ssize_t n;
	size_t i;

	while (w->errfd >= 0 && (n = read(w->errfd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN && !final)
				return;
			break;
		}
		for (i = 0; i < (size_t)n; i++) {
			if (buf[i] == '\n' || w->linelen == sizeof(w->linebuf)) {
				sup_line_emit(w, w->linebuf, w->linelen);
				w->linelen = 0;
				if (buf[i] == '\n')
					continue;
			}
			w->linebuf[w->linelen++] = buf[i];
		}
	}
	if (w->linelen > 0)
		sup_line_emit(w, w->linebuf, w->linelen);
	w->linelen = 0;
	if (w->errfd >= 0)
		close(w->errfd);
	w->errfd = -1;
}

/* ---------------- deaths ---------------- */

static void
sup_status_str(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exit status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS)
		snprintf(buf, len, "killed by SIGSYS: seccomp policy violation");
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(status),
		         strsignal(WTERMSIG(status)));
	else
		snprintf(buf, len, "status 0x%x", status);
}

/* Counts this crash; returns how many fell within the window. */
static int
sup_crash_count(struct sup_worker *w, uint64_t now)
{
	int i, n = 0;

	w->crashes[w->ncrash % SUP_CRASH_MAX] = now;
	w->ncrash++;
	for (i = 0; i < SUP_CRASH_MAX && i < w->ncrash; i++)
		if (now - w->crashes[i] <= SUP_CRASH_WINDOW_MS)
			n++;
	return n;
}

/* With s->mu held. The connection is left for the caller to release. */
static void
sup_worker_died(struct sup *s, struct sup_worker *w, int status)
{
	const char *bin = sup_roles[w->role].binary;
	uint64_t now = sup_now_ms();
	char why[128];
	int n;

	w->pid = -1;
	w->state = W_DOWN;
	pthread_cond_broadcast(&s->cv);
	if (s->stopping)
		return;
	sup_status_str(status, why, sizeof(why));
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS) {
		log_warnx("proc: %s made a system call its seccomp policy forbids and was "
		          "killed (SIGSYS): this is a policy violation, see docs/SECURITY.md",
		          bin);
		sup_event_queue(s, "policy_violation", w->role, status);
	} else {
		log_warnx("proc: %s died (%s)", bin, why);
		sup_event_queue(s, "died", w->role, status);
	}
	n = sup_crash_count(w, now);
	if (n >= SUP_CRASH_MAX) {
		w->state = W_GAVE_UP;
		s->failed = 1;
		sup_run_failed = 1;
		snprintf(s->failmsg, sizeof(s->failmsg),
		         "%s crashed %d times in %d s (last: %s); stopping the run", bin, n,
		         SUP_CRASH_WINDOW_MS / 1000, why);
		log_warnx("proc: %s", s->failmsg);
		sup_event_queue(s, "gave_up", w->role, status);
		return;
	}
	w->restart_at = now + ((uint64_t)SUP_BACKOFF_MIN_MS << (n - 1));
	if (w->restart_at > now + SUP_BACKOFF_MAX_MS)
		w->restart_at = now + SUP_BACKOFF_MAX_MS;
}

/* Reaps the workers that exited; returns their connections in dead[] for
 * release without the lock. Only worker pids are waited for here: other
 * children of this process (a subcommand's own) are not ours to reap
 * until sup_stop(). */
static int
sup_reap_workers(struct sup *s, struct sup_conn **dead)
{
	int r, st, n = 0;

	for (r = 0; r < SUP_NROLES; r++) {
		struct sup_worker *w = &s->w[r];

		if (w->pid <= 0 || waitpid(w->pid, &st, WNOHANG) != w->pid)
			continue;
		sup_stderr_relay(w, 1);
		dead[n++] = w->conn;
		w->conn = NULL;
		sup_worker_died(s, w, st);
	}
	return n;
}

/* ---------------- teardown helpers ---------------- */

/* Kills every process below this one. Rationale: a worker may have started
 * processes that left its process group (a jail calls setsid) or were
 * orphaned when it died; as a child subreaper we inherit them, and
 * "no process left behind" includes them. Found through /proc by parent
 * pid, repeatedly, since killing a parent can reparent its children to us. */
static int
sup_kill_descendants(pid_t root)
{
	enum { MAXP = 4096 };
	static pid_t pids[MAXP], ppids[MAXP];
	char path[64], buf[512], *p;
	struct dirent *de;
	int n = 0, i, killed = 0, changed = 1;
	unsigned char *mark;
	DIR *d = opendir("/proc");

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL && n < MAXP) {
		FILE *f;
		pid_t pid = (pid_t)atoi(de->d_name);

		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
		if ((f = fopen(path, "re")) == NULL)
			continue;
		if (fgets(buf, sizeof(buf), f) != NULL && (p = strrchr(buf, ')')) != NULL) {
			pids[n] = pid;
			ppids[n] = (pid_t)atoi(p + 4); /* ") S ppid" */
			n++;
		}
		fclose(f);
	}
	closedir(d);
	mark = xcalloc((size_t)n + 1, 1);
	while (changed) { /* mark the transitive children of root */
		changed = 0;
		for (i = 0; i < n; i++) {
			int j, is_child = ppids[i] == root;

			for (j = 0; !is_child && j < n; j++)
				is_child = mark[j] && ppids[i] == pids[j];
			if (is_child && !mark[i]) {
				mark[i] = 1;
				changed = 1;
			}
		}
	}
	for (i = 0; i < n; i++)
		if (mark[i] && pids[i] != root && kill(pids[i], SIGKILL) == 0)
			killed++;
	free(mark);
	return killed;
}

/* Kills and reaps every child until none is left, waiting on SIGCHLD (the
 * self-pipe). Bounded: a process stuck in the kernel (D state) cannot be
 * reaped, and sup_stop() must return. */
static void
sup_reap_all(struct sup *s)
{
	uint64_t until = sup_now_ms() + 5000;
	struct pollfd pfd;
	char c[64];
	pid_t pid;
	int st, r;

	for (r = 0; r < SUP_NROLES; r++)
		if (s->w[r].pid > 0)
			kill(-s->w[r].pid, SIGKILL);
	for (;;) {
		sup_kill_descendants(s->self);
		while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
			;
		if (pid < 0 && errno == ECHILD)
			break;
		if (sup_now_ms() >= until) {
			log_warnx(
			    "proc: children still alive 5 s after SIGKILL (stuck in the kernel?)");
			break;
		}
		pfd.fd = sup_wake_fd[0];
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 100) > 0)
			while (read(sup_wake_fd[0], c, sizeof(c)) > 0)
				;
	}
	for (r = 0; r < SUP_NROLES; r++)
		s->w[r].pid = -1;
}

/* Second SIGINT/SIGTERM, or exit() without sup_stop(): no ordering, just
 * leave nothing behind. */
static void
sup_teardown_now(struct sup *s)
{
	int r;

	for (r = 0; r < SUP_NROLES; r++)
		if (s->w[r].pid > 0)
			kill(-s->w[r].pid, SIGKILL);
	sup_kill_descendants(s->self);
	sup_rundir_remove(s);
}

static void
sup_atexit(void)
{
	if (sup_current != NULL && sup_current->self == getpid())
		sup_teardown_now(sup_current);
}

/* ---------------- the monitor thread ---------------- */

static int
sup_poll_timeout(struct sup *s, uint64_t now)
{
	int r, t = 1000;

	for (r = 0; r < SUP_NROLES; r++)
		if ((s->roles & SUP_ROLE_BIT(r)) && s->w[r].state == W_DOWN) {
			int64_t d = (int64_t)(s->w[r].restart_at - now);

			if (d < t)
				t = d < 0 ? 0 : (int)d;
		}
	return t;
}

/* One round: relay output, reap, restart what is due. */
static void
sup_monitor_round(struct sup *s, struct pollfd *pfd, int npfd)
{
	struct sup_conn *dead[SUP_NROLES];
	uint64_t now = sup_now_ms();
	char c[64];
	int r, i, ndead;

	while (read(sup_wake_fd[0], c, sizeof(c)) > 0)
		;
	for (i = 1; i < npfd; i++)
		if (pfd[i].revents != 0)
			for (r = 0; r < SUP_NROLES; r++)
				if (s->w[r].errfd == pfd[i].fd)
					sup_stderr_relay(&s->w[r], 0);
	pthread_mutex_lock(&s->mu);
	sup_sig_chld = 0;
	ndead = sup_reap_workers(s, dead);
	for (r = 0; r < SUP_NROLES; r++) {
		struct sup_worker *w = &s->w[r];

		if ((s->roles & SUP_ROLE_BIT(r)) && w->state == W_DOWN && !s->stopping &&
		    w->restart_at <= now && sup_worker_spawn(s, w) == 0 && w->starts > 1)
			sup_event_queue(s, "restarted", w->role, 0);
	}
	pthread_mutex_unlock(&s->mu);
	for (i = 0; i < ndead; i++)
		sup_conn_put(s, dead[i]);
	sup_events_fire(s);
}

static void *
sup_monitor_main(void *arg)
{
	struct sup *s = arg;
	struct pollfd pfd[1 + SUP_NROLES];
	int npfd, r, timeout;

	for (;;) {
		pthread_mutex_lock(&s->mu);
		if (s->threads_stop) {
			pthread_mutex_unlock(&s->mu);
			break;
		}
		npfd = 0;
		pfd[npfd].fd = sup_wake_fd[0];
		pfd[npfd++].events = POLLIN;
		for (r = 0; r < SUP_NROLES; r++)
			if (s->w[r].errfd >= 0) {
				pfd[npfd].fd = s->w[r].errfd;
				pfd[npfd++].events = POLLIN;
			}
		for (r = 0; r < npfd; r++)
			pfd[r].revents = 0;
		timeout = sup_poll_timeout(s, sup_now_ms());
		pthread_mutex_unlock(&s->mu);
		if (sup_sig_int >= 2) {
			log_warnx("proc: second interrupt: killing everything now");
			sup_teardown_now(s);
			_exit(130);
		}
		if (poll(pfd, (nfds_t)npfd, timeout) < 0 && errno != EINTR)
			log_warn("proc: poll");
		sup_monitor_round(s, pfd, npfd);
	}
	return NULL;
}

/* ---------------- the heartbeat thread ---------------- */

/* Takes a reference to the worker's current connection. */
static struct sup_conn *
sup_conn_get(struct sup *s, struct sup_worker *w)
{
	struct sup_conn *c = w->conn;

	if (c != NULL)
		c->refs++;
	return c;
}

static void
sup_worker_kill(struct sup *s, struct sup_worker *w, struct sup_conn *c, const char *why)
{
	pthread_mutex_lock(&s->mu);
	if (w->conn == c && w->pid > 0) {
		log_warnx("proc: %s %s: killing it", sup_roles[w->role].binary, why);
		kill(-w->pid, SIGKILL);
		kill(w->pid, SIGKILL);
		sup_event_queue(s, "hung", w->role, 0);
	}
	pthread_mutex_unlock(&s->mu);
}

/* A new worker: the first PONG makes it READY, after its init message. */
static void
sup_hb_starting(struct sup *s, struct sup_worker *w, struct sup_conn *c)
{
	char err[256];
	cJSON *reply = NULL, *init = NULL, *th;
	uint16_t init_type;
	int rc;

	if (sup_now_ms() - w->spawned_at > SUP_START_TIMEOUT_MS) {
		sup_worker_kill(s, w, c, "did not answer PING after start");
		return;
	}
	if (c->cl == NULL || ipc_call(c->cl, IPC_T_PING, 0, NULL, 300, &reply, NULL, NULL, err,
	                              sizeof(err)) != IPC_OK)
		return;
	th = cJSON_GetObjectItemCaseSensitive(reply, "threads");
	pthread_mutex_lock(&s->mu);
	w->threads = cJSON_IsNumber(th) && th->valueint > 0 ? th->valueint : 1;
	init_type = w->init_type;
	if (w->init_body != NULL)
		init = cJSON_Duplicate(w->init_body, 1);
	pthread_mutex_unlock(&s->mu);
	cJSON_Delete(reply);
	if (init != NULL) {
		rc = ipc_call(c->cl, init_type, IPC_F_IDEMPOTENT, init, 30000, NULL, NULL, NULL,
		              err, sizeof(err));
		cJSON_Delete(init);
		if (rc == IPC_E_CLOSED || rc == IPC_E_TIMEOUT)
			return; /* died meanwhile, or try again next round */
		if (rc != IPC_OK)
			log_warnx("proc: %s refused %s: %s", sup_roles[w->role].binary,
			          ipc_type_name(init_type), err);
	}
	pthread_mutex_lock(&s->mu);
	if (w->conn == c && w->state == W_STARTING) {
		w->state = W_READY;
		w->next_ping = sup_now_ms() + (uint64_t)s->hb_period_ms;
		pthread_cond_broadcast(&s->cv);
	}
	pthread_mutex_unlock(&s->mu);
}

/* A running worker: a PING it cannot answer in hang_ms means it is hung.
 * Skipped while all its service threads are busy with requests (those
 * have their own deadlines): the PING would only wait for a thread. */
static void
sup_hb_ready(struct sup *s, struct sup_worker *w, struct sup_conn *c)
{
	char err[256];
	int rc;

	rc = ipc_call(c->cl, IPC_T_PING, IPC_F_IDEMPOTENT, NULL, s->hang_ms, NULL, NULL, NULL, err,
	              sizeof(err));
	if (rc == IPC_E_TIMEOUT) {
		pthread_mutex_lock(&s->mu);
		rc = w->inflight >= w->threads; /* became busy meanwhile? */
		pthread_mutex_unlock(&s->mu);
		if (!rc) {
			snprintf(err, sizeof(err), "hung (no answer to PING in %d ms)", s->hang_ms);
			sup_worker_kill(s, w, c, err);
		}
	}
}

static void
sup_hb_round(struct sup *s)
{
	struct sup_conn *c;
	int r, starting, due;

	for (r = 0; r < SUP_NROLES; r++) {
		struct sup_worker *w = &s->w[r];

		pthread_mutex_lock(&s->mu);
		starting = w->state == W_STARTING;
		due =
		    w->state == W_READY && sup_now_ms() >= w->next_ping && w->inflight < w->threads;
		if (due)
			w->next_ping = sup_now_ms() + (uint64_t)s->hb_period_ms;
		c = (starting || due) && !s->stopping ? sup_conn_get(s, w) : NULL;
		pthread_mutex_unlock(&s->mu);
		if (c == NULL)
			continue;
		if (starting)
			sup_hb_starting(s, w, c);
		else if (c->cl != NULL)
			sup_hb_ready(s, w, c);
		sup_conn_put(s, c);
	}
}

static void *
sup_heartbeat_main(void *arg)
{
	struct sup *s = arg;
	struct timespec ts;
	uint64_t until;

	pthread_mutex_lock(&s->mu);
	while (!s->threads_stop) {
		pthread_mutex_unlock(&s->mu);
		sup_hb_round(s);
		pthread_mutex_lock(&s->mu);
		until = sup_now_ms() + 50;
		ts.tv_sec = (time_t)(until / 1000u);
		ts.tv_nsec = (long)(until % 1000u) * 1000000L;
		if (!s->threads_stop)
			pthread_cond_timedwait(&s->cv, &s->mu, &ts);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

/* ---------------- public API ---------------- */

static void
sup_opts_copy(struct sup *s, const struct sup_opts *o)
{
	char *abs = o->workspace != NULL ? realpath(o->workspace, NULL) : NULL;
	size_t n = 0, i;

	/* Absolute, so that a worker's view does not depend on its cwd. */
	s->workspace = abs != NULL ? abs : o->workspace != NULL ? xstrdup(o->workspace) : NULL;
	s->driver = o->driver != NULL ? xstrdup(o->driver) : NULL;
	s->verbose = o->verbose;
	s->llm_dotenv = o->llm_dotenv != NULL ? xstrdup(o->llm_dotenv) : NULL;
	while (o->llm_env != NULL && o->llm_env[n] != NULL)
		n++;
	s->llm_env = xcalloc(n + 1, sizeof(char *));
	for (i = 0; i < n; i++)
		s->llm_env[i] = xstrdup(o->llm_env[i]);
}

static void
sup_free(struct sup *s)
{
	int r;

	for (r = 0; r < SUP_NROLES; r++)
		cJSON_Delete(s->w[r].init_body);
	free(s->workspace);
	free(s->driver);
	free(s->libexec);
	sup_strv_free(s->llm_env);
	free(s->llm_dotenv);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	free(s);
}

static void
sup_cond_wait_ms(struct sup *s, uint64_t until)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(until / 1000u);
	ts.tv_nsec = (long)(until % 1000u) * 1000000L;
	pthread_cond_timedwait(&s->cv, &s->mu, &ts);
}

static int
sup_env_int(const char *name, int def)
{
	const char *v = getenv(name);
	int n = v != NULL ? atoi(v) : 0;

	return n > 0 ? n : def;
}

static struct sup *
sup_new(unsigned roles, const struct sup_opts *o, char *err, size_t errlen)
{
	pthread_condattr_t ca;
	struct sup *s = xcalloc(1, sizeof(*s));
	int r;

	pthread_mutex_init(&s->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cv, &ca);
	pthread_condattr_destroy(&ca);
	s->roles = roles & SUP_ROLES_ALL;
	s->self = getpid();
	s->hb_period_ms = sup_env_int("KYLECODE_HEARTBEAT_MS", 2000);
	s->hang_ms = sup_env_int("KYLECODE_HANG_MS", 5000);
	sup_opts_copy(s, o);
	for (r = 0; r < SUP_NROLES; r++) {
		s->w[r].role = (enum sup_role)r;
		s->w[r].pid = -1;
		s->w[r].errfd = -1;
		s->w[r].state = W_DOWN;
	}
	if ((s->libexec = sup_libexec_find(o, err, errlen)) == NULL ||
	    sup_rundir_make(s, err, errlen) < 0) {
		sup_free(s);
		return NULL;
	}
	for (r = 0; r < SUP_NROLES; r++) {
		snprintf(s->w[r].req_url, sizeof(s->w[r].req_url), "ipc://%s/%s.req", s->rundir,
		         sup_roles[r].name);
		snprintf(s->w[r].ev_url, sizeof(s->w[r].ev_url), "ipc://%s/%s.ev", s->rundir,
		         sup_roles[r].name);
	}
	return s;
}

/* Waits until every started role is READY, or the run failed. */
static int
sup_wait_ready(struct sup *s, char *err, size_t errlen)
{
	uint64_t until = sup_now_ms() + SUP_READY_TIMEOUT_MS;
	int r, ready = 0;

	pthread_mutex_lock(&s->mu);
	while (!s->failed && !sup_sig_int && sup_now_ms() < until) {
		for (r = 0, ready = 1; r < SUP_NROLES; r++)
			if ((s->roles & SUP_ROLE_BIT(r)) && s->w[r].state != W_READY)
				ready = 0;
		if (ready)
			break;
		sup_cond_wait_ms(s, until);
	}
	if (!ready)
		sup_seterr(err, errlen, "%s",
		           s->failed ? s->failmsg
		           : sup_sig_int
		               ? "interrupted while starting the workers"
		               : "the workers did not start within 15 s (see the messages above)");
	pthread_mutex_unlock(&s->mu);
	return ready ? 0 : -1;
}

struct sup *
sup_start(unsigned roles, const struct sup_opts *o, char *err, size_t errlen)
{
	static int atexit_done;
	struct sup *s;

	if (sup_current != NULL) {
		sup_seterr(err, errlen, "proc: the workers are already started");
		return NULL;
	}
	if ((s = sup_new(roles, o, err, errlen)) == NULL)
		return NULL;
	sup_run_failed = 0; /* a crash loop of an earlier sup_start() is over */
	/* Orphans of our workers (a jailed command whose worker died) are
	 * reparented to us, not to init, so sup_stop() can kill and reap
	 * them. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	if (sup_signals_install() < 0) {
		sup_seterr(err, errlen, "proc: cannot install signal handlers: %s",
		           strerror(errno));
		sup_rundir_remove(s);
		sup_free(s);
		return NULL;
	}
	sup_current = s;
	if (!atexit_done && atexit(sup_atexit) == 0)
		atexit_done = 1;
	if (pthread_create(&s->monitor, NULL, sup_monitor_main, s) != 0) {
		sup_seterr(err, errlen, "proc: cannot start the monitor thread");
		sup_stop(s);
		return NULL;
	}
	if (pthread_create(&s->heartbeat, NULL, sup_heartbeat_main, s) != 0) {
		s->threads_started = 1; /* the monitor only */
		sup_seterr(err, errlen, "proc: cannot start the heartbeat thread");
		sup_stop(s);
		return NULL;
	}
	s->threads_started = 2;
	if (sup_wait_ready(s, err, errlen) < 0) {
		sup_stop(s);
		return NULL;
	}
	return s;
}

/* Waits for the role's worker to be READY and takes a reference to its
 * connection. A connection already lost (the worker is dying but not yet
 * reaped) counts as not ready. */
static int
sup_conn_ready(struct sup *s, struct sup_worker *w, uint64_t until, struct sup_conn **out,
               char *err, size_t errlen)
{
	int rc = IPC_OK;

	pthread_mutex_lock(&s->mu);
	for (;;) {
		if (!(s->roles & SUP_ROLE_BIT(w->role))) {
			sup_seterr(err, errlen, "proc: %s was not started",
			           sup_roles[w->role].binary);
			rc = IPC_E_SYS;
		} else if (s->failed) {
			sup_seterr(err, errlen, "%s", s->failmsg);
			rc = IPC_E_CLOSED;
		} else if (s->stopping) {
			sup_seterr(err, errlen, "proc: the supervisor is stopping");
			rc = IPC_E_CLOSED;
		} else if (w->state == W_READY && w->conn != NULL && w->conn->cl != NULL &&
		           !ipc_client_gone(w->conn->cl)) {
			*out = sup_conn_get(s, w);
			w->inflight++;
		} else if (sup_now_ms() >= until) {
			sup_seterr(err, errlen, "proc: %s is not running (restarting)",
			           sup_roles[w->role].binary);
			rc = IPC_E_TIMEOUT;
		} else {
			uint64_t t = sup_now_ms() + 100;

			sup_cond_wait_ms(s, t < until ? t : until);
			continue;
		}
		break;
	}
	pthread_mutex_unlock(&s->mu);
	return rc;
}

static int
sup_call_loop(struct sup *s, enum sup_role r, uint16_t type, const cJSON *body, uint64_t until,
              int idempotent, cJSON **reply, ipc_event_fn cb, void *arg, char *err, size_t errlen)
{
	struct sup_worker *w = &s->w[r];
	struct sup_conn *c = NULL;
	int rc, attempt;

	for (attempt = 1;; attempt++) {
		if ((rc = sup_conn_ready(s, w, until, &c, err, errlen)) != IPC_OK)
			return rc;
		rc = ipc_call(c->cl, type, idempotent ? IPC_F_IDEMPOTENT : 0, body,
		              (int)(until > sup_now_ms() ? until - sup_now_ms() : 1), reply, cb,
		              arg, err, errlen);
		pthread_mutex_lock(&s->mu);
		w->inflight--;
		pthread_mutex_unlock(&s->mu);
		sup_conn_put(s, c);
		if (rc != IPC_E_CLOSED)
			return rc;
		/* DESIGN §2: what may have had an effect is never re-run. */
		if (!idempotent) {
			sup_seterr(err, errlen, "interrupted: %s was in flight when %s died",
			           ipc_type_name(type), sup_roles[r].binary);
			return IPC_E_CLOSED;
		}
		if (attempt == 3) {
			sup_seterr(err, errlen, "%s died %d times while serving %s",
			           sup_roles[r].binary, attempt, ipc_type_name(type));
			return IPC_E_CLOSED;
		}
		log_info("proc: %s died during %s; re-sending it once the worker is back",
		         sup_roles[r].binary, ipc_type_name(type));
	}
}

/* s->ncalls counts the callers inside: sup_stop() waits for them before
 * it frees s. */
int
sup_call(struct sup *s, enum sup_role r, uint16_t type, const cJSON *body, int timeout_ms,
         int idempotent, cJSON **reply, ipc_event_fn cb, void *arg, char *err, size_t errlen)
{
	uint64_t until = sup_now_ms() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 60000);
	int rc;

	if (reply != NULL)
		*reply = NULL;
	if (s == NULL || (unsigned)r >= SUP_NROLES) {
		sup_seterr(err, errlen, "proc: no such worker");
		return IPC_E_SYS;
	}
	if ((rc = FAILPOINT("proc.call")) != 0) {
		sup_seterr(err, errlen, "proc: %s: %s (failpoint)", ipc_type_name(type),
		           strerror(rc));
		return IPC_E_SYS;
	}
	pthread_mutex_lock(&s->mu);
	s->ncalls++;
	pthread_mutex_unlock(&s->mu);
	rc = sup_call_loop(s, r, type, body, until, idempotent, reply, cb, arg, err, errlen);
	pthread_mutex_lock(&s->mu);
	s->ncalls--;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	return rc;
}

void
sup_set_init_msg(struct sup *s, enum sup_role r, uint16_t type, const cJSON *body)
{
	char err[256];
	int ready, rc;

	if (s == NULL || (unsigned)r >= SUP_NROLES)
		return;
	pthread_mutex_lock(&s->mu);
	cJSON_Delete(s->w[r].init_body);
	s->w[r].init_type = type;
	s->w[r].init_body = body != NULL ? cJSON_Duplicate(body, 1) : cJSON_CreateObject();
	ready = s->w[r].state == W_READY;
	pthread_mutex_unlock(&s->mu);
	if (!ready)
		return; /* the heartbeat thread sends it when the worker is up */
	rc = sup_call(s, r, type, body, 30000, 1, NULL, NULL, NULL, err, sizeof(err));
	if (rc != IPC_OK)
		log_warnx("proc: %s refused %s: %s", sup_roles[r].binary, ipc_type_name(type), err);
}

void
sup_set_on_event(struct sup *s,
                 void (*cb)(const char *what, enum sup_role r, int status, void *arg), void *arg)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&s->mu);
	s->on_event = cb;
	s->on_event_arg = arg;
	pthread_mutex_unlock(&s->mu);
}

/* Asks each worker to exit and waits up to the grace period for them. */
static void
sup_workers_shutdown(struct sup *s)
{
	uint64_t until;
	char err[256];
	int r, alive;

	for (r = 0; r < SUP_NROLES; r++) {
		struct sup_conn *c;

		pthread_mutex_lock(&s->mu);
		c = s->w[r].state == W_READY ? sup_conn_get(s, &s->w[r]) : NULL;
		pthread_mutex_unlock(&s->mu);
		if (c == NULL)
			continue;
		if (c->cl != NULL && ipc_call(c->cl, IPC_T_SHUTDOWN, 0, NULL, 1000, NULL, NULL,
		                              NULL, err, sizeof(err)) == IPC_OK) {
			/* Hang up at once: the worker exits when we do. */
			pthread_mutex_lock(&s->mu);
			if (s->w[r].conn == c) {
				s->w[r].conn = NULL;
				c->refs--;
			}
			pthread_mutex_unlock(&s->mu);
		}
		sup_conn_put(s, c);
	}
	until = sup_now_ms() + SUP_STOP_GRACE_MS;
	pthread_mutex_lock(&s->mu);
	for (;;) {
		for (r = 0, alive = 0; r < SUP_NROLES; r++)
			alive += s->w[r].pid > 0;
		if (alive == 0 || sup_now_ms() >= until || s->threads_started == 0)
			break;
		sup_cond_wait_ms(s, until);
	}
	pthread_mutex_unlock(&s->mu);
}

/* Callers still inside sup_call() see their worker gone (IPC_E_CLOSED)
 * and leave; wait for them, briefly, before s is freed under them. */
static void
sup_calls_drain(struct sup *s)
{
	uint64_t until = sup_now_ms() + 5000;

	pthread_mutex_lock(&s->mu);
	while (s->ncalls > 0 && sup_now_ms() < until)
		sup_cond_wait_ms(s, until);
	if (s->ncalls > 0)
		log_warnx("proc: %d calls still in progress at stop", s->ncalls);
	pthread_mutex_unlock(&s->mu);
}

void
sup_stop(struct sup *s)
{
	int r;

	if (s == NULL)
		return;
	pthread_mutex_lock(&s->mu);
	s->stopping = 1;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	sup_workers_shutdown(s);
	pthread_mutex_lock(&s->mu);
	s->threads_stop = 1;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	sup_wake();
	if (s->threads_started >= 1)
		pthread_join(s->monitor, NULL);
	if (s->threads_started >= 2)
		pthread_join(s->heartbeat, NULL);
	sup_reap_all(s);
	for (r = 0; r < SUP_NROLES; r++) {
		sup_stderr_relay(&s->w[r], 1);
		sup_conn_put(s, s->w[r].conn);
		s->w[r].conn = NULL;
	}
	sup_calls_drain(s);
	sup_rundir_remove(s);
	sup_signals_restore();
	sup_current = NULL;
	sup_free(s);
}

int
sup_worker_pid(struct sup *s, enum sup_role r)
{
	int pid;

	pthread_mutex_lock(&s->mu);
	pid = s->w[r].state == W_READY ? s->w[r].pid : -1;
	pthread_mutex_unlock(&s->mu);
	return pid;
}

int
sup_worker_starts(struct sup *s, enum sup_role r)
{
	int n;

	pthread_mutex_lock(&s->mu);
	n = s->w[r].starts;
	pthread_mutex_unlock(&s->mu);
	return n;
}

const char *
sup_rundir(struct sup *s)
{
	return s->rundir;
}

int
sup_failed(struct sup *s, char *msg, size_t msglen)
{
	int f;

	pthread_mutex_lock(&s->mu);
	f = s->failed;
	if (f && msg != NULL)
		snprintf(msg, msglen, "%s", s->failmsg);
	pthread_mutex_unlock(&s->mu);
	return f;
}

void
sup_set_heartbeat(struct sup *s, int period_ms, int hang_ms)
{
	pthread_mutex_lock(&s->mu);
	if (period_ms > 0)
		s->hb_period_ms = period_ms;
	if (hang_ms > 0)
		s->hang_ms = hang_ms;
	pthread_mutex_unlock(&s->mu);
}
