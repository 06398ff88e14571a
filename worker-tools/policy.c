/* kylecode-tools confinement (see policy.h). The tools worker parses
 * untrusted model output and writes files beneath one directory; it never
 * starts programs, never talks to a network, never needs privileges. Each
 * step below takes one of those away, in the house order: namespaces ->
 * capabilities -> rlimits -> no_new_privs -> Landlock -> seccomp last. */
#include "worker-tools/policy.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include "lib/core/log.h"

/* Syscalls allowed without argument checks: the C library and threads,
 * NNG (epoll, unix sockets; it listens as REP and removes a stale socket
 * file first), and the file tools (openat2 RESOLVE_BENEATH, atomic
 * temp+fsync+rename writes, directory walks). Not here, so fatal:
 * execve/execveat, fork (clone without CLONE_THREAD), ptrace, mount,
 * unshare, setns, bpf, keyctl, chroot, symlink creation. */
static const char *const tool_syscalls[] = {
	/* memory and process basics */
	"brk", "munmap", "mremap", "madvise", "membarrier", "exit", "exit_group", "restart_syscall",
	"getpid", "gettid", "getppid", "getuid", "geteuid", "getgid", "getegid", "getresuid",
	"getresgid", "uname", "sysinfo", "getrandom", "getrlimit", "prlimit64", "sched_getaffinity",
	"sched_yield", "set_robust_list", "get_robust_list", "rseq", "set_tid_address", "futex",
	"futex_waitv", "tgkill", "tkill", "rt_sigaction", "rt_sigprocmask", "rt_sigreturn",
	"sigaltstack", "rt_sigtimedwait", "umask",
	/* time */
	"clock_gettime", "clock_getres", "clock_nanosleep", "nanosleep", "gettimeofday", "time",
	/* descriptors and files (paths are confined by openat2 and Landlock) */
	"read", "write", "readv", "writev", "pread64", "pwrite64", "close", "close_range", "dup",
	"dup2", "dup3", "fcntl", "lseek", "fstat", "newfstatat", "statx", "stat", "lstat", "fstatfs",
	"statfs", "access", "faccessat", "faccessat2", "readlink", "readlinkat", "getcwd",
	"getdents64", "pipe2", "eventfd2", "openat", "openat2", "mkdirat", "unlink", "unlinkat",
	"renameat", "renameat2", "linkat", "fsync", "fdatasync", "ftruncate", "fallocate",
	"fchmod", "fchmodat", "utimensat", "fadvise64", "flock", "copy_file_range", "sendfile",
	/* waiting */
	"poll", "ppoll", "select", "pselect6", "epoll_create1", "epoll_ctl", "epoll_wait",
	"epoll_pwait", "epoll_pwait2", "timerfd_create", "timerfd_settime",
	/* sockets: only AF_UNIX can be created (checked below) */
	"connect", "bind", "listen", "accept", "accept4", "getsockname", "getpeername",
	"setsockopt", "getsockopt", "shutdown", "sendto", "recvfrom", "sendmsg", "recvmsg",
};

static int
rule1(scmp_filter_ctx ctx, int nr, struct scmp_arg_cmp cmp)
{
	return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1, cmp);
}

static int
allow_list(scmp_filter_ctx ctx)
{
	size_t i;
	int nr;

	for (i = 0; i < sizeof(tool_syscalls) / sizeof(tool_syscalls[0]); i++) {
		nr = seccomp_syscall_resolve_name(tool_syscalls[i]);
		if (nr == __NR_SCMP_ERROR)
			continue; /* not on this architecture */
		if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0) < 0)
			return -1;
	}
	return 0;
}

/* Rationale: with argument checks. Sockets: AF_UNIX only (NNG's ipc://);
 * no inet socket can even be created, a second wall behind the empty
 * network namespace. Memory: no PROT_EXEC mappings, so a parser bug
 * cannot make new machine code. Threads only: clone needs CLONE_THREAD,
 * and clone3 (flags in memory the filter cannot read) answers ENOSYS so
 * the C library falls back to clone. ioctl: terminal/socket queries of
 * stdio and NNG; prctl: thread names, and the death signal ipc/ sets. */
static int
arg_rules(scmp_filter_ctx ctx)
{
	static const unsigned long io[] = {FIONREAD, FIONBIO, TCGETS, TIOCGWINSZ};
	static const int pr[] = {PR_SET_NAME, PR_GET_NAME, PR_GET_DUMPABLE, PR_SET_PDEATHSIG};
	size_t i;

	if (rule1(ctx, SCMP_SYS(socket), SCMP_A0(SCMP_CMP_EQ, AF_UNIX)) < 0 ||
	    rule1(ctx, SCMP_SYS(socketpair), SCMP_A0(SCMP_CMP_EQ, AF_UNIX)) < 0 ||
	    rule1(ctx, SCMP_SYS(mmap), SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)) < 0 ||
	    rule1(ctx, SCMP_SYS(mprotect), SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)) < 0 ||
	    rule1(ctx, SCMP_SYS(clone), SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD)) < 0 ||
	    seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0) < 0)
		return -1;
	for (i = 0; i < sizeof(io) / sizeof(io[0]); i++)
		if (rule1(ctx, SCMP_SYS(ioctl), SCMP_A1(SCMP_CMP_EQ, io[i])) < 0)
			return -1;
	for (i = 0; i < sizeof(pr) / sizeof(pr[0]); i++)
		if (rule1(ctx, SCMP_SYS(prctl), SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)pr[i])) < 0)
			return -1;
	return 0;
}

int
tool_policy_install_seccomp(void)
{
	/* Sanitizer builds log instead of killing: ASan/LSan make syscalls a
	 * release build never does (ptrace for leak checks, /proc reads). */
#ifdef KC_SANITIZE
	const uint32_t deny = SCMP_ACT_LOG;
#else
	const uint32_t deny = SCMP_ACT_KILL_PROCESS;
#endif
	scmp_filter_ctx ctx = seccomp_init(deny);
	int rc = -EINVAL;

	if (ctx == NULL)
		return -ENOMEM;
	if (allow_list(ctx) == 0 && arg_rules(ctx) == 0)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	return rc;
}

/* ---------------- Landlock ---------------- */

#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)
#endif

/* The filesystem rights the kernel's Landlock ABI knows. */
static __u64
ll_rights(int abi)
{
	__u64 r = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1; /* ABI 1: bits 0..12 */

	if (abi >= 2)
		r |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		r |= LANDLOCK_ACCESS_FS_TRUNCATE;
	if (abi >= 5)
		r |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
	return r;
}

static int
ll_add(int rs, const char *path, int fd, __u64 rights)
{
	struct landlock_path_beneath_attr pb = {.allowed_access = rights};
	int own = -1, rc;

	if (fd < 0 && (fd = own = open(path, O_PATH | O_CLOEXEC)) < 0)
		return -1;
	pb.parent_fd = fd;
	rc = (int)syscall(SYS_landlock_add_rule, rs, LANDLOCK_RULE_PATH_BENEATH, &pb, 0);
	if (own >= 0)
		close(own);
	return rc;
}

/* Rationale: a second wall behind openat2(RESOLVE_BENEATH). Should a path
 * check in the file tools ever be wrong, the kernel still refuses any file
 * outside the workspace. Allowed: everything beneath the workspace except
 * executing and device nodes; in the runtime dir only what NNG needs to
 * (re)create its listening socket; /dev/null and /dev/urandom to read. */
int
tool_policy_landlock(int ws_fd, const char *rundir)
{
	struct landlock_ruleset_attr ra = {0};
	__u64 all, ws;
	int abi, rs, rc = -1;

	abi = (int)syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	if (abi < 1)
		return 0;
	all = ll_rights(abi);
	ws = all & ~(LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_MAKE_CHAR |
		     LANDLOCK_ACCESS_FS_MAKE_BLOCK | LANDLOCK_ACCESS_FS_IOCTL_DEV);
	ra.handled_access_fs = all;
	if ((rs = (int)syscall(SYS_landlock_create_ruleset, &ra, sizeof(ra), 0)) < 0)
		return -1;
	if (ll_add(rs, NULL, ws_fd, ws) < 0)
		goto out;
	if (rundir != NULL && ll_add(rs, rundir, -1,
				     LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_REMOVE_FILE) < 0)
		goto out;
	if (ll_add(rs, "/dev/null", -1, LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE) < 0 ||
	    ll_add(rs, "/dev/urandom", -1, LANDLOCK_ACCESS_FS_READ_FILE) < 0)
		goto out;
#ifdef KC_SANITIZE
	/* Sanitizer builds only: LeakSanitizer reads /proc/self at exit. */
	if (ll_add(rs, "/proc", -1, LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR) < 0)
		goto out;
#endif
	rc = syscall(SYS_landlock_restrict_self, rs, 0) == 0 ? 1 : -1;
out:
	close(rs);
	return rc;
}

/* ---------------- namespaces and privileges ---------------- */

static int
write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* Rationale: no network. A new network namespace has only a loopback
 * interface, and it is down: nothing this process does can reach a host.
 * Root may create one directly; otherwise a user namespace (mapping our
 * own ids, so files written keep their owner) makes it possible. */
static void
policy_netns(void)
{
	char map[64];
	uid_t uid = geteuid();
	gid_t gid = getegid();

	if (unshare(CLONE_NEWNET) == 0)
		return;
	if (unshare(CLONE_NEWUSER | CLONE_NEWNET) == -1)
		fatal("tools: cannot enter a network namespace (unshare)");
	snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)uid, (unsigned)uid);
	if (write_file("/proc/self/uid_map", map) == -1 ||
	    write_file("/proc/self/setgroups", "deny\n") == -1)
		fatal("tools: uid_map");
	snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)gid, (unsigned)gid);
	if (write_file("/proc/self/gid_map", map) == -1)
		fatal("tools: gid_map");
}

/* Rationale: capabilities. The worker needs none: every set is cleared,
 * the bounding set too when we may (CAP_SETPCAP). */
static void
policy_drop_caps(void)
{
	cap_t caps = cap_get_proc();
	cap_flag_value_t setpcap = CAP_CLEAR;
	cap_value_t c;

	if (caps == NULL)
		fatal("tools: cap_get_proc");
	cap_get_flag(caps, CAP_SETPCAP, CAP_EFFECTIVE, &setpcap);
	cap_free(caps);
	for (c = 0; setpcap == CAP_SET && c <= CAP_LAST_CAP; c++)
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) == -1 && errno != EINVAL)
			fatal("tools: PR_CAPBSET_DROP %d", (int)c);
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) == -1 && errno != EINVAL)
		fatal("tools: clear ambient capabilities");
	if ((caps = cap_init()) == NULL || cap_set_proc(caps) == -1)
		fatal("tools: drop capabilities");
	cap_free(caps);
}

static void
policy_verify(void)
{
	cap_t caps = cap_get_proc(), none = cap_init();

	if (caps == NULL || none == NULL || cap_compare(caps, none) != 0)
		fatalx("tools: capabilities still present after the drop");
	cap_free(caps);
	cap_free(none);
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
		fatalx("tools: no_new_privs did not stick");
}

/* The directory of an ipc:// URL's socket, for the Landlock rule. */
static const char *
rundir_of(const struct worker_args *wa, char *buf, size_t len)
{
	char *slash;

	if (wa->rundir != NULL)
		return wa->rundir;
	if (wa->req_url == NULL || strncmp(wa->req_url, "ipc://", 6) != 0)
		return NULL;
	snprintf(buf, len, "%s", wa->req_url + 6);
	if ((slash = strrchr(buf, '/')) == NULL)
		return NULL;
	*slash = '\0';
	return buf[0] ? buf : "/";
}

void
tool_policy_apply(const struct worker_args *wa, int ws_fd)
{
	struct rlimit zero = {0, 0};
	char rbuf[4096];
	const char *rundir = rundir_of(wa, rbuf, sizeof(rbuf));
	int rc, ll;

	/* 1. Descriptors: stdio (stderr is the log pipe) and the workspace. */
	if (ws_fd < 3 || (ws_fd > 3 && close_range(3, (unsigned)ws_fd - 1, 0) == -1) ||
	    close_range((unsigned)ws_fd + 1, ~0U, 0) == -1)
		fatal("tools: close_range");
	/* 2. Die with the supervisor. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) == -1)
		fatal("tools: PR_SET_PDEATHSIG");
	/* 3. Network namespace, 4. capabilities, 5. rlimits, 6. no_new_privs. */
	policy_netns();
	policy_drop_caps();
	if (setrlimit(RLIMIT_CORE, &zero) == -1)
		fatal("tools: RLIMIT_CORE");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		fatal("tools: PR_SET_NO_NEW_PRIVS");
	/* 7. Landlock (where offered), 8. seccomp last. */
	if ((ll = tool_policy_landlock(ws_fd, rundir)) < 0)
		fatal("tools: Landlock");
	if (ll == 0)
		log_info("tools: Landlock not offered by this kernel; seccomp and openat2 still confine");
	/* Check the drop took while capget/prctl are still allowed. */
	policy_verify();
	if ((rc = tool_policy_install_seccomp()) < 0) {
		errno = -rc;
		fatal("tools: seccomp filter");
	}
	log_debug("tools: confined (netns, no caps, no_new_privs, Landlock %s, seccomp)",
		  ll == 1 ? "on" : "off");
}
