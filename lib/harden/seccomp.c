/* seccomp.c — builds and loads a role's seccomp filter from its policy
 * (harden.h). The policy is data; this file only turns it into libseccomp
 * calls, so that each worker's policy.c reads as the list it is. */
#include "lib/harden/harden.h"

#include <errno.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <termios.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/core/log.h"

const char *const harden_sys_base[] = {
    /* descriptors */
    "read", "write", "readv", "writev", "pread64", "pwrite64", "close", "lseek", "fstat",
    "newfstatat", "statx", "fcntl", "dup", "dup2", "dup3",
    /* memory without new executable mappings (mmap/mprotect are the role's) */
    "brk", "munmap", "mremap", "madvise",
    /* threads and synchronisation (clone: see allow_threads) */
    "futex", "set_robust_list", "get_robust_list", "rseq", "set_tid_address", "sched_yield",
    "sched_getaffinity",
    /* identity and limits */
    "getpid", "gettid", "getppid", "getuid", "geteuid", "getgid", "getegid", "getresuid",
    "getresgid", "prlimit64", "getrlimit", "uname", "getrandom",
    /* signals */
    "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigaltstack", "rt_sigtimedwait", "tgkill",
    "tkill",
    /* time */
    "clock_gettime", "clock_getres", "clock_nanosleep", "nanosleep", "gettimeofday",
    /* the end */
    "exit", "exit_group", "restart_syscall", NULL};

const char *const harden_sys_nng[] = {
    "epoll_create1", "epoll_ctl",   "epoll_wait", "epoll_pwait", "eventfd2", "pipe2",
    "poll",          "ppoll",       "accept4",    "bind",        "listen",   "connect",
    "getsockname",   "getpeername", "getsockopt", "setsockopt",  "sendmsg",  "recvmsg",
    "sendto",        "recvfrom",    "shutdown",   "unlink",      NULL};

static void sc_seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
sc_seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static uint32_t
sc_deny_action(const struct harden_policy *p)
{
	switch (p->deny_action) {
	case HARDEN_DENY_KILL:
		return SCMP_ACT_KILL_PROCESS;
	case HARDEN_DENY_LOG:
		return SCMP_ACT_LOG;
	case HARDEN_DENY_ERRNO:
		break;
	}
	return SCMP_ACT_ERRNO((uint32_t)(p->deny_errno > 0 ? p->deny_errno : EPERM));
}

/* Resolves name; 1 = skip it (unknown and allowed to be), 0 = ok. */
static int
sc_resolve(const struct harden_policy *p, const char *name, int *nr, char *err, size_t errlen)
{
	*nr = seccomp_syscall_resolve_name(name);
	if (*nr != __NR_SCMP_ERROR)
		return 0;
	if (p->ignore_unknown)
		return 1;
	sc_seterr(err, errlen, "%s policy: unknown system call '%s'", p->role, name);
	return -1;
}

static int
sc_lists_add(scmp_filter_ctx ctx, const struct harden_policy *p, uint32_t act, char *err,
             size_t errlen)
{
	int l, i, nr, rc;

	for (l = 0; l < HARDEN_MAX_LISTS && p->lists[l] != NULL; l++)
		for (i = 0; p->lists[l][i] != NULL; i++) {
			if ((rc = sc_resolve(p, p->lists[l][i], &nr, err, errlen)) != 0) {
				if (rc < 0)
					return -1;
				continue;
			}
			if ((rc = seccomp_rule_add(ctx, act, nr, 0)) < 0) {
				sc_seterr(err, errlen, "%s policy: %s: %s", p->role, p->lists[l][i],
				          strerror(-rc));
				return -1;
			}
		}
	return 0;
}

/* Rationale (harden_rules_worker): rows every worker's allowlist shares.
 * (SCMP_CMP_EQ rows spell out datum_b: clang's -Wmissing-field-initializers
 * rejects the short form in a static table.)
 * Memory: no PROT_EXEC mappings, so a parser bug cannot make new machine
 * code. ioctl: the terminal/socket queries of stdio and NNG. prctl: thread
 * names (NNG), PR_SET_PDEATHSIG (ipc/ sets it again), PR_GET_DUMPABLE. */
const struct harden_rule harden_rules_worker[] = {
    {"mmap", 1, {SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)}},
    {"mprotect", 1, {SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)}},
    {"ioctl", 1, {SCMP_A1(SCMP_CMP_EQ, FIONREAD, 0)}},
    {"ioctl", 1, {SCMP_A1(SCMP_CMP_EQ, FIONBIO, 0)}},
    {"ioctl", 1, {SCMP_A1(SCMP_CMP_EQ, TCGETS, 0)}},
    {"ioctl", 1, {SCMP_A1(SCMP_CMP_EQ, TIOCGWINSZ, 0)}},
    {"prctl", 1, {SCMP_A0(SCMP_CMP_EQ, PR_SET_NAME, 0)}},
    {"prctl", 1, {SCMP_A0(SCMP_CMP_EQ, PR_GET_NAME, 0)}},
    {"prctl", 1, {SCMP_A0(SCMP_CMP_EQ, PR_SET_PDEATHSIG, 0)}},
    {"prctl", 1, {SCMP_A0(SCMP_CMP_EQ, PR_GET_DUMPABLE, 0)}},
    {NULL, 0, {{0}}},
};

static int
sc_rule_add(scmp_filter_ctx ctx, const struct harden_policy *p, const struct harden_rule *r,
            size_t i, uint32_t act, char *err, size_t errlen)
{
	int nr, rc;

	if ((rc = sc_resolve(p, r->syscall, &nr, err, errlen)) != 0)
		return rc < 0 ? -1 : 0;
	if (r->narg > HARDEN_MAX_ARGS || (rc = seccomp_rule_add_array(ctx, act, nr, r->narg, r->args)) < 0) {
		sc_seterr(err, errlen, "%s policy: rule %zu (%s): %s", p->role, i, r->syscall,
		          r->narg > HARDEN_MAX_ARGS ? "too many args" : strerror(-rc));
		return -1;
	}
	return 0;
}

static int
sc_rules_add(scmp_filter_ctx ctx, const struct harden_policy *p, uint32_t act, char *err,
             size_t errlen)
{
	size_t i;

	for (i = 0; p->shared_rules != NULL && p->shared_rules[i].syscall != NULL; i++)
		if (sc_rule_add(ctx, p, &p->shared_rules[i], i, act, err, errlen) < 0)
			return -1;
	for (i = 0; i < p->nrules; i++)
		if (sc_rule_add(ctx, p, &p->rules[i], i, act, err, errlen) < 0)
			return -1;
	return 0;
}

/* Threads yes, processes no: clone() needs CLONE_THREAD; clone3() hides
 * its flags behind a pointer, so it fails with ENOSYS and glibc falls back
 * to clone(). */
static int
sc_threads_add(scmp_filter_ctx ctx, char *err, size_t errlen)
{
	int rc;

	rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
	                      SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD));
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
	if (rc < 0)
		sc_seterr(err, errlen, "thread rules: %s", strerror(-rc));
	return rc < 0 ? -1 : 0;
}

int
harden_seccomp_install(const struct harden_policy *p, char *err, size_t errlen)
{
	uint32_t deny = sc_deny_action(p);
	uint32_t def = p->mode == HARDEN_ALLOWLIST ? deny : SCMP_ACT_ALLOW;
	uint32_t act = p->mode == HARDEN_ALLOWLIST ? SCMP_ACT_ALLOW : deny;
	scmp_filter_ctx ctx = seccomp_init(def);
	int rc = -1;

	if (ctx == NULL) {
		sc_seterr(err, errlen, "seccomp_init failed");
		return -1;
	}
	/* A syscall made through another ABI (int 0x80, x32) would bypass
	 * every rule written for the native one: kill instead. TSYNC: threads
	 * started before the drop (NNG's, curl's) get the filter too. */
	if (seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS) < 0 ||
	    seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1) < 0) {
		sc_seterr(err, errlen, "seccomp attributes");
		goto out;
	}
	if (sc_lists_add(ctx, p, act, err, errlen) < 0 ||
	    sc_rules_add(ctx, p, act, err, errlen) < 0)
		goto out;
	if (p->mode == HARDEN_ALLOWLIST && p->allow_threads && sc_threads_add(ctx, err, errlen) < 0)
		goto out;
	if ((rc = seccomp_load(ctx)) < 0) {
		sc_seterr(err, errlen, "seccomp_load: %s", strerror(-rc));
		rc = -1;
	}
out:
	seccomp_release(ctx);
	return rc < 0 ? -1 : 0;
}
