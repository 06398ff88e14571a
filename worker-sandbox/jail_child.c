/*
 * jail_child.c — the jail's pid 1 and the command it starts.
 *
 * Both run in a raw clone of a multi-threaded worker: they must not
 * allocate, lock or use stdio; only system calls and the plan the worker
 * prepared. Failures are sent to the worker as fixed-size records on the
 * status pipe.
 *
 * pid 1 ("init") builds the jail (ids, cgroup namespace, hostname, loopback,
 * mounts), starts the command as pid 2, waits for it and reports its
 * status. When init exits, the kernel kills everything left in the pid
 * namespace: no daemonized child outlives its command. Killing init from
 * the worker (timeout) kills the whole tree the same way.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/seccomp.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "worker-sandbox/sbx_int.h"

#define JAIL_INIT_UID 0 /* inside; maps to host_uid - 1 */

static void child_send(const struct jail_plan *p, const struct jail_msg *m);

/*
 * Identity changes by raw system call. glibc's setresuid()/setgroups()
 * broadcast the change to every thread the process had (its "setxid"
 * protocol), taking the thread-list lock: this process is a raw clone of
 * the multi-threaded worker, so that list is stale and the lock may have
 * been held by another worker thread at clone time. The result was a rare
 * hang of the jail before execve. This process really has one thread.
 */
static int
child_setresuid(uid_t id)
{
	return (int)syscall(SYS_setresuid, id, id, id);
}

static int
child_setresgid(gid_t id)
{
	return (int)syscall(SYS_setresgid, id, id, id);
}

static int
child_setgroups0(void)
{
	return (int)syscall(SYS_setgroups, 0, NULL);
}

void
jail_msg_set(struct jail_msg *m, int kind, int code, const char *what)
{
	const char *e = code != 0 ? strerrordesc_np(code) : NULL;
	size_t n;

	memset(m, 0, sizeof *m);
	m->kind = kind;
	m->code = code;
	n = strlen(what);
	if (n > sizeof m->text - 1)
		n = sizeof m->text - 1;
	memcpy(m->text, what, n);
	if (e != NULL && n + 2 + strlen(e) < sizeof m->text) {
		memcpy(m->text + n, ": ", 2);
		memcpy(m->text + n + 2, e, strlen(e));
	}
}

static void
child_send(const struct jail_plan *p, const struct jail_msg *m)
{
	ssize_t r;

	do
		r = write(p->status_w, m, sizeof *m);
	while (r < 0 && errno == EINTR);
}

static void __attribute__((noreturn)) child_fail(const struct jail_plan *p, const char *what)
{
	struct jail_msg m;

	jail_msg_set(&m, JAIL_MSG_SETUP, errno, what);
	child_send(p, &m);
	_exit(125);
}

/* Closes every descriptor but the n in keep (n <= 8). */
static void
child_close_except(const int *keep_in, int n)
{
	int keep[8], i, j, t;
	unsigned lo = 0;

	for (i = 0; i < n; i++)
		keep[i] = keep_in[i];
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && keep[j - 1] > keep[j]; j--) {
			t = keep[j];
			keep[j] = keep[j - 1];
			keep[j - 1] = t;
		}
	for (i = 0; i < n; i++) {
		if (keep[i] < 0)
			continue;
		if ((unsigned)keep[i] > lo)
			syscall(SYS_close_range, lo, (unsigned)keep[i] - 1, 0);
		lo = (unsigned)keep[i] + 1;
	}
	syscall(SYS_close_range, lo, ~0u, 0);
}

/* Parses field `want` (1-based, as proc(5)) of /proc/self/stat. */
static unsigned long
child_stat_field(const char *buf, int want)
{
	const char *s = strrchr(buf, ')');
	unsigned long v = 0;
	int field = 2;

	if (s == NULL)
		return 0;
	for (s++; *s != '\0'; s++) {
		if (*s == ' ') {
			field++;
			continue;
		}
		if (field == want) {
			while (*s >= '0' && *s <= '9')
				v = v * 10 + (unsigned long)(*s++ - '0');
			return v;
		}
	}
	return 0;
}

/*
 * Rationale: pid 1 is a copy of the worker, and /proc/1/environ and
 * /proc/1/cmdline show the memory of the worker's original environment and
 * arguments (plain bubblewrap leaks the caller's environment this way).
 * Wipe both, and make init non-dumpable so its /proc entries are not
 * readable by the command even by mistake.
 */
static void
child_scrub(void)
{
	char buf[1024];
	unsigned long a0, a1, e0, e1;
	ssize_t n;
	int fd;

	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	prctl(PR_SET_NAME, (unsigned long)"kc-init", 0, 0, 0);
	fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		_exit(125);
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		_exit(125);
	buf[n] = '\0';
	a0 = child_stat_field(buf, 48);
	a1 = child_stat_field(buf, 49);
	e0 = child_stat_field(buf, 50);
	e1 = child_stat_field(buf, 51);
	if (e0 != 0 && e1 > e0)
		memset((void *)e0, 0, e1 - e0);
	if (a0 != 0 && a1 > a0)
		memset((void *)a0, 0, a1 - a0);
}

static int
child_lo_up(void)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = -1;

	if (s < 0)
		return -1;
	memset(&ifr, 0, sizeof ifr);
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
		rc = ioctl(s, SIOCSIFFLAGS, &ifr);
	}
	close(s);
	return rc;
}

/* Empties the bounding set (needs CAP_SETPCAP: call it before the uid
 * change). */
static int
child_bset_drop(void)
{
	int cap;

	for (cap = 0; cap <= 63; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0)
			return errno == EINVAL && cap > 30 ? 0 : -1;
	return 0;
}

/* Empties the ambient, permitted, effective and inheritable sets, then
 * reads them back. */
static int
child_caps_drop(void)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];

	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	memset(d, 0, sizeof d);
	if (syscall(SYS_capset, &h, d) != 0)
		return -1;
	if (syscall(SYS_capget, &h, d) != 0)
		return -1;
	if ((d[0].effective | d[1].effective | d[0].permitted | d[1].permitted | d[0].inheritable |
	     d[1].inheritable) != 0) {
		errno = EPERM;
		return -1;
	}
	return prctl(PR_CAPBSET_READ, CAP_SYS_ADMIN, 0, 0, 0) == 0 ? 0 : -1;
}

/* Sets resource to v (soft = hard), never above the hard limit we have: a
 * request for more than the host allows gets what it allows. */
static void
child_rlimit(const struct jail_plan *p, int resource, rlim_t cur, rlim_t max, const char *name)
{
	struct rlimit r;

	if (getrlimit(resource, &r) == 0 && r.rlim_max != RLIM_INFINITY) {
		if (max > r.rlim_max)
			max = r.rlim_max;
		if (cur > max)
			cur = max;
	}
	r.rlim_cur = cur;
	r.rlim_max = max;
	if (setrlimit(resource, &r) != 0)
		child_fail(p, name);
}

static void
child_rlimits(const struct jail_plan *p)
{
	rlim_t cpu = (p->lim.cpu_ms + 999) / 1000;

	child_rlimit(p, RLIMIT_NPROC, p->lim.pids, p->lim.pids, "RLIMIT_NPROC");
	/* Address space: generous (runtimes reserve large virtual ranges);
	 * the cgroup holds the real memory limit, RLIMIT_DATA the heap. */
	child_rlimit(p, RLIMIT_AS, p->lim.memory_bytes * 4, p->lim.memory_bytes * 4, "RLIMIT_AS");
	child_rlimit(p, RLIMIT_DATA, p->lim.memory_bytes, p->lim.memory_bytes, "RLIMIT_DATA");
	child_rlimit(p, RLIMIT_FSIZE, p->lim.fsize_bytes, p->lim.fsize_bytes, "RLIMIT_FSIZE");
	child_rlimit(p, RLIMIT_NOFILE, p->lim.nofile, p->lim.nofile, "RLIMIT_NOFILE");
	child_rlimit(p, RLIMIT_CORE, 0, 0, "RLIMIT_CORE");
	if (p->lim.cpu_ms > 0)
		child_rlimit(p, RLIMIT_CPU, cpu, cpu + 1, "RLIMIT_CPU");
}

/* execvpe without the caller's environment or allocation. */
static void
child_execvp(const struct jail_plan *p)
{
	const char *file = p->argv[0], *path = "/usr/bin:/bin", *d, *e;
	char buf[4096];
	size_t dl, fl = strlen(file);
	int i, saw_eacces = 0;

	if (strchr(file, '/') != NULL) {
		execve(file, p->argv, p->envp);
		return;
	}
	for (i = 0; p->envp[i] != NULL; i++)
		if (strncmp(p->envp[i], "PATH=", 5) == 0)
			path = p->envp[i] + 5;
	for (d = path; *d != '\0'; d = *e ? e + 1 : e) {
		e = strchrnul(d, ':');
		dl = (size_t)(e - d);
		if (dl + fl + 2 > sizeof buf)
			continue;
		memcpy(buf, dl ? d : ".", dl ? dl : 1);
		dl = dl ? dl : 1;
		buf[dl] = '/';
		memcpy(buf + dl + 1, file, fl + 1);
		execve(buf, p->argv, p->envp);
		if (errno == EACCES)
			saw_eacces = 1;
	}
	errno = saw_eacces ? EACCES : ENOENT;
}

/*
 * The command: its own session, stdin from /dev/null, the pipes as 1 and
 * 2, limits, then the privilege drop in bubblewrap's order: groups, gid,
 * uid (which empties the capability sets), the bounding set, no_new_privs,
 * Landlock, seccomp last (it would deny nothing we still need), then every
 * descriptor but 0-2 closed right before execve.
 */
static void __attribute__((noreturn)) child_exec(const struct jail_plan *p)
{
	struct jail_msg m;
	int fd, keep[4];

	setsid();
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || dup2(fd, 0) != 0 || dup2(p->out_w, 1) != 1 || dup2(p->err_w, 2) != 2)
		child_fail(p, "stdio");
	if (chdir(p->cwd) != 0)
		child_fail(p, p->cwd);
	child_rlimits(p);
	if (child_bset_drop() != 0 || child_setgroups0() != 0 || child_setresgid(p->in_uid) != 0 ||
	    child_setresuid(p->in_uid) != 0)
		child_fail(p, "drop ids");
	if (child_caps_drop() != 0)
		child_fail(p, "drop capabilities");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		child_fail(p, "no_new_privs");
	if (jail_landlock_apply(&m) != 0) {
		child_send(p, &m);
		_exit(125);
	}
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &jail_persona_prog, 0, 0) != 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &p->s->seccomp, 0, 0) != 0)
		child_fail(p, "seccomp");
	keep[0] = 0;
	keep[1] = 1;
	keep[2] = 2;
	keep[3] = p->status_w; /* close-on-exec: reports a failed execve */
	child_close_except(keep, 4);
	child_execvp(p);
	jail_msg_set(&m, JAIL_MSG_EXEC, errno, p->argv[0]);
	child_send(p, &m);
	_exit(errno == ENOENT ? 127 : 126);
}

static void
child_setup(const struct jail_plan *p)
{
	struct jail_msg m;

	if (child_setresgid(JAIL_INIT_UID) != 0 || child_setresuid(JAIL_INIT_UID) != 0)
		child_fail(p, "become the jail's root");
	/* Its own cgroup namespace: /proc/self/cgroup shows "/", nothing of
	 * the host's hierarchy. The worker has already moved us into the
	 * command's cgroups. */
	if (unshare(CLONE_NEWCGROUP) != 0)
		child_fail(p, "cgroup namespace");
	if (sethostname("kylecode", 8) != 0 || setdomainname("kylecode", 8) != 0)
		child_fail(p, "hostname");
	if (child_lo_up() != 0)
		child_fail(p, "loopback up");
	memset(&m, 0, sizeof m);
	if (jail_mount_root(p, &m) != 0) {
		child_send(p, &m);
		_exit(125);
	}
}

void
jail_child_main(const struct jail_plan *p)
{
	struct jail_msg m;
	int keep[5] = {p->go_r, p->status_w, p->out_w, p->err_w, p->ws_mnt_fd};
	int st = 0, w;
	char go = 0;
	pid_t cmd;

	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	child_close_except(keep, 5);
	child_scrub();
	/* The worker writes the id maps and cgroups, then says go. */
	if (read(p->go_r, &go, 1) != 1)
		_exit(125);
	close(p->go_r);
	child_setup(p);
	cmd = (pid_t)syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
	if (cmd < 0)
		child_fail(p, "start the command");
	if (cmd == 0)
		child_exec(p);
	close(p->out_w);
	close(p->err_w);
	close(p->ws_mnt_fd);
	child_bset_drop();
	child_caps_drop();
	for (;;) {
		w = waitpid(-1, &st, 0);
		if (w == cmd)
			break;
		if (w < 0 && errno != EINTR)
			break;
	}
	memset(&m, 0, sizeof m);
	m.kind = JAIL_MSG_STATUS;
	m.code = st;
	child_send(p, &m);
	_exit(0);
}
