/* worker-llm confinement. The LLM worker talks HTTP(S) to model providers
 * and IPC to the supervisor; it never starts programs, never writes files
 * and never needs privileges. Everything else is taken away here, before
 * the first request is read. */
#include "worker-llm/policy.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/prctl.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <netdb.h>
#include <sys/capability.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/core/log.h"

/* Syscalls with no argument check. Grouped by who needs them: the C
 * library and threads; NNG (epoll, unix sockets, it listens as REP);
 * libcurl and the resolver (sendmmsg for parallel A/AAAA queries,
 * socketpair for the threaded resolver's wake-up); OpenSSL reading the CA
 * bundle. execve/execveat, ptrace, mount, bpf, keyctl, unshare and
 * everything not listed kill the process. */
static const char *const llm_syscalls[] = {
	/* memory and process basics */
	"brk", "munmap", "mremap", "madvise", "mlock", "munlock", "membarrier",
	"exit", "exit_group", "restart_syscall", "getpid", "gettid", "getppid", "getuid", "geteuid",
	"getgid", "getegid", "getresuid", "getresgid", "uname", "sysinfo", "getrandom",
	"getrlimit", "prlimit64", "sched_getaffinity", "sched_yield", "set_robust_list",
	"get_robust_list", "rseq", "set_tid_address", "futex", "futex_waitv", "tgkill", "tkill",
	"rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigaltstack", "rt_sigtimedwait",
	/* time */
	"clock_gettime", "clock_getres", "clock_nanosleep", "nanosleep", "gettimeofday", "time",
	/* descriptors */
	"read", "write", "readv", "writev", "pread64", "close", "dup", "dup2", "dup3", "fcntl",
	"lseek", "fstat", "newfstatat", "statx", "stat", "lstat", "fstatfs", "statfs", "access",
	"faccessat", "faccessat2", "readlink", "readlinkat", "getcwd", "getdents64", "pipe2",
	"eventfd2",
	/* waiting */
	"poll", "ppoll", "select", "pselect6", "epoll_create1", "epoll_ctl", "epoll_wait",
	"epoll_pwait", "epoll_pwait2", "timerfd_create", "timerfd_settime",
	/* sockets (families are checked on socket() below) */
	"connect", "bind", "listen", "accept", "accept4", "getsockname", "getpeername",
	"setsockopt", "getsockopt", "shutdown", "sendto", "recvfrom", "sendmsg", "recvmsg",
	"sendmmsg", "recvmmsg", "socketpair",
	/* NNG removes a stale ipc:// socket file before it listens */
	"unlink", "unlinkat",
};

static int
policy_allow_list(scmp_filter_ctx ctx)
{
	size_t i;
	int nr, rc;

	for (i = 0; i < sizeof(llm_syscalls) / sizeof(llm_syscalls[0]); i++) {
		nr = seccomp_syscall_resolve_name(llm_syscalls[i]);
		if (nr == __NR_SCMP_ERROR)
			continue; /* not on this architecture (e.g. "time") */
		if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0)) < 0)
			return rc;
	}
	return 0;
}

/* One rule with one argument comparison. */
static int
policy_rule1(scmp_filter_ctx ctx, int nr, struct scmp_arg_cmp cmp)
{
	return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1, cmp);
}

/* Rationale: socket families. AF_INET/AF_INET6 reach providers; AF_UNIX is
 * NNG's ipc:// transport (and nscd); AF_NETLINK is what getaddrinfo uses
 * for AI_ADDRCONFIG. Raw sockets, AF_PACKET, AF_ALG, AF_VSOCK and the rest
 * are kernel attack surface this worker never needs. */
static int
policy_sockets(scmp_filter_ctx ctx)
{
	static const int fam[] = {AF_INET, AF_INET6, AF_UNIX, AF_NETLINK};
	size_t i;

	for (i = 0; i < sizeof(fam) / sizeof(fam[0]); i++)
		if (policy_rule1(ctx, SCMP_SYS(socket), SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)fam[i])) < 0)
			return -1;
	return 0;
}

/* Rationale: no new executable memory. With no exec and no PROT_EXEC
 * mappings, code injected through a parser bug cannot be turned into new
 * machine code (the NSS and TLS libraries are loaded before the filter). */
static int
policy_memory(scmp_filter_ctx ctx)
{
	if (policy_rule1(ctx, SCMP_SYS(mmap), SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)) < 0 ||
	    policy_rule1(ctx, SCMP_SYS(mprotect), SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)) < 0)
		return -1;
	return 0;
}

/* Rationale: files are opened read-only (CA bundle, resolv.conf, hosts);
 * this worker writes nothing to disk. An open for writing, creating or
 * truncating is refused with EACCES rather than killed, because NNG names
 * its threads by writing /proc/self/task/N/comm and copes with failure.
 * Threads only: clone must carry CLONE_THREAD (no new processes), and
 * clone3, whose flags live in memory a filter cannot read, answers ENOSYS
 * so the C library falls back to clone. */
static int
policy_files_threads(scmp_filter_ctx ctx)
{
	static const scmp_datum_t deny[][2] = {
		{O_ACCMODE, O_WRONLY}, {O_ACCMODE, O_RDWR}, {O_CREAT, O_CREAT}, {O_TRUNC, O_TRUNC}};
	const scmp_datum_t wr = O_ACCMODE | O_CREAT | O_TRUNC;
	size_t i;

	if (policy_rule1(ctx, SCMP_SYS(openat), SCMP_A2(SCMP_CMP_MASKED_EQ, wr, 0)) < 0 ||
	    policy_rule1(ctx, SCMP_SYS(open), SCMP_A1(SCMP_CMP_MASKED_EQ, wr, 0)) < 0)
		return -1;
	for (i = 0; i < sizeof(deny) / sizeof(deny[0]); i++) {
		if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(openat), 1,
				     SCMP_A2(SCMP_CMP_MASKED_EQ, deny[i][0], deny[i][1])) < 0 ||
		    seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(open), 1,
				     SCMP_A1(SCMP_CMP_MASKED_EQ, deny[i][0], deny[i][1])) < 0)
			return -1;
	}
	if (policy_rule1(ctx, SCMP_SYS(clone),
			 SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD)) < 0 ||
	    seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0) < 0)
		return -1;
	return 0;
}

/* ioctl: only the terminal/socket queries stdio and curl make; prctl: only
 * thread names (NNG names its threads). */
static int
policy_ioctl_prctl(scmp_filter_ctx ctx)
{
	static const unsigned long io[] = {FIONREAD, FIONBIO, TCGETS, TIOCGWINSZ};
	static const int pr[] = {PR_SET_NAME, PR_GET_NAME, PR_GET_DUMPABLE, PR_SET_PDEATHSIG};
	size_t i;

	for (i = 0; i < sizeof(io) / sizeof(io[0]); i++)
		if (policy_rule1(ctx, SCMP_SYS(ioctl), SCMP_A1(SCMP_CMP_EQ, io[i])) < 0)
			return -1;
	for (i = 0; i < sizeof(pr) / sizeof(pr[0]); i++)
		if (policy_rule1(ctx, SCMP_SYS(prctl), SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)pr[i])) < 0)
			return -1;
	return 0;
}

int
llm_policy_install_seccomp(void)
{
	/* Sanitizer builds log instead of killing: ASan/LSan make syscalls
	 * (ptrace for leak checking, /proc reads) a release build never does. */
#ifdef KC_SANITIZE
	const uint32_t deny = SCMP_ACT_LOG;
#else
	const uint32_t deny = SCMP_ACT_KILL_PROCESS;
#endif
	scmp_filter_ctx ctx = seccomp_init(deny);
	int rc = -EINVAL;

	if (ctx == NULL)
		return -ENOMEM;
	if (policy_allow_list(ctx) == 0 && policy_sockets(ctx) == 0 && policy_memory(ctx) == 0 &&
	    policy_files_threads(ctx) == 0 && policy_ioctl_prctl(ctx) == 0)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	return rc;
}

/* Load, before the filter forbids new executable mappings, every shared
 * object a first request would pull in: the NSS modules behind
 * getaddrinfo (nsswitch.conf may name dlopen'ed ones). */
static void
policy_preload(void)
{
	struct addrinfo hints = {0}, *res = NULL;

	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo("localhost", "80", &hints, &res) == 0)
		freeaddrinfo(res);
}

/* Rationale: capabilities. The worker needs none. All sets are cleared
 * and, when we are allowed to (CAP_SETPCAP), the bounding set too; without
 * CAP_SETPCAP we hold no capability to begin with and, with no_new_privs and
 * no exec, can never regain one. */
static void
policy_drop_caps(void)
{
	cap_t caps = cap_get_proc();
	cap_flag_value_t setpcap = CAP_CLEAR;
	cap_value_t c;

	if (caps == NULL)
		fatal("llm: cap_get_proc");
	cap_get_flag(caps, CAP_SETPCAP, CAP_EFFECTIVE, &setpcap);
	cap_free(caps);
	if (setpcap == CAP_SET) {
		for (c = 0; c <= CAP_LAST_CAP; c++)
			if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) == -1 && errno != EINVAL)
				fatal("llm: PR_CAPBSET_DROP %d", (int)c);
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) == -1 && errno != EINVAL)
		fatal("llm: clear ambient capabilities");
	if ((caps = cap_init()) == NULL || cap_set_proc(caps) == -1)
		fatal("llm: drop capabilities");
	cap_free(caps);
}

/* After the drop, check it took: no capability in any set. */
static void
policy_verify(void)
{
	cap_t caps = cap_get_proc(), none = cap_init();

	if (caps == NULL || none == NULL || cap_compare(caps, none) != 0)
		fatalx("llm: capabilities still present after the drop");
	cap_free(caps);
	cap_free(none);
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
		fatalx("llm: no_new_privs did not stick");
}

void
llm_policy_apply(const struct worker_args *wa)
{
	struct rlimit zero = {0, 0};
	int rc;

	(void)wa;
	/* 1. Inherited descriptors: nothing but stdin/stdout/stderr (stderr is
	 * the log pipe); IPC sockets are opened later by ipc_worker_serve. */
	if (close_range(3, ~0U, 0) == -1)
		fatal("llm: close_range");
	/* 2. Die with the supervisor rather than linger holding keys. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) == -1)
		fatal("llm: PR_SET_PDEATHSIG");
	if (getppid() == 1)
		fatalx("llm: the supervisor is already gone");
	policy_preload();
	/* 3. Keys are in this memory: no core dumps, and (release builds) not
	 * ptrace-attachable or /proc/PID/mem-readable by the same uid. */
	if (setrlimit(RLIMIT_CORE, &zero) == -1)
		fatal("llm: RLIMIT_CORE");
#ifndef KC_SANITIZE
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		fatal("llm: PR_SET_DUMPABLE");
#endif
	/* 4. Capabilities, 5. no_new_privs, 6. seccomp last. */
	policy_drop_caps();
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		fatal("llm: PR_SET_NO_NEW_PRIVS");
	/* Verified before the filter, which does not allow capget. */
	policy_verify();
	if ((rc = llm_policy_install_seccomp()) < 0) {
		errno = -rc;
		fatal("llm: seccomp filter");
	}
	log_debug("llm: confined (no caps, no_new_privs, seccomp allowlist)");
}
