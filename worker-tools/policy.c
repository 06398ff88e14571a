/* kylecode-tools confinement (see policy.h). The tools worker parses
 * untrusted model output and writes files beneath one directory; it never
 * starts programs, never talks to a network, never needs privileges. Each
 * step below takes one of those away, in the house order: namespaces ->
 * capabilities -> rlimits -> no_new_privs -> Landlock -> seccomp last. */
#include "worker-tools/policy.h"

#include <errno.h>
#include <fcntl.h>
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
#include <termios.h>
#include <unistd.h>

#include "lib/core/log.h"
#include "lib/harden/harden.h"

/* Beyond harden_sys_base (libc, threads, time, signals) and harden_sys_nng
 * (NNG's ipc:// serving): the file tools (openat2 RESOLVE_BENEATH, atomic
 * temp+fsync+rename writes, directory walks, glob/grep) and what stdio and
 * NNG's timers add. Not here, so fatal: execve/execveat, fork (clone
 * without CLONE_THREAD), ptrace, mount, unshare, setns, bpf, keyctl,
 * chroot, symlink and device-node creation, inet sockets. */
static const char *const tool_syscalls[] = {
    "membarrier",     "sysinfo",
    "umask",          "time",
    "futex_waitv",    "close_range",
    "stat",           "lstat",
    "fstatfs",        "statfs",
    "access",         "faccessat",
    "faccessat2",     "readlink",
    "readlinkat",     "getcwd",
    "getdents64",     "openat",
    "openat2",        "mkdirat",
    "unlinkat",       "renameat",
    "renameat2",      "linkat",
    "fsync",          "fdatasync",
    "ftruncate",      "fallocate",
    "fchmod",         "fchmodat",
    "utimensat",      "fadvise64",
    "flock",          "copy_file_range",
    "sendfile",       "select",
    "pselect6",       "epoll_pwait2",
    "timerfd_create", "timerfd_settime",
    "accept",         NULL,
};

/* Rationale: with argument checks. Sockets: AF_UNIX only (NNG's ipc://);
 * no inet socket can even be created, a second wall behind the empty
 * network namespace. The rows every worker shares (harden_rules_worker):
 * no PROT_EXEC mappings, so a parser bug cannot make new machine code;
 * the terminal/socket ioctls of stdio and NNG; prctl for thread names and
 * the death signal ipc/ sets. (Threads only, no processes: allow_threads
 * in the policy below.) */
static const struct harden_rule tool_rules[] = {
    {"socket", 1, {SCMP_A0(SCMP_CMP_EQ, AF_UNIX, 0)}},
    {"socketpair", 1, {SCMP_A0(SCMP_CMP_EQ, AF_UNIX, 0)}},
};

static const struct harden_policy tool_seccomp = {
    .role = "tools",
    .mode = HARDEN_ALLOWLIST,
    .lists = {harden_sys_base, harden_sys_nng, tool_syscalls},
    .rules = tool_rules,
    .nrules = sizeof(tool_rules) / sizeof(tool_rules[0]),
    .shared_rules = harden_rules_worker, /* no exec mappings, ioctl, prctl */
/* Sanitizer builds log instead of killing: ASan/LSan make syscalls a
 * release build never does (ptrace for leak checks, /proc reads). */
#ifdef KC_SANITIZE
    .deny_action = HARDEN_DENY_LOG,
#else
    .deny_action = HARDEN_DENY_KILL,
#endif
    .ignore_unknown = 1,
    .allow_threads = 1,
};

int
tool_policy_install_seccomp(void)
{
	char err[256];

	if (harden_seccomp_install(&tool_seccomp, err, sizeof(err)) < 0) {
		log_warnx("tools: seccomp: %s", err);
		return -EINVAL;
	}
	return 0;
}

/* ---------------- Landlock ---------------- */

/* Rationale: a second wall behind openat2(RESOLVE_BENEATH). Should a path
 * check in the file tools ever be wrong, the kernel still refuses any file
 * outside the workspace. Allowed: everything beneath the workspace except
 * executing and device nodes; in the runtime dir only what NNG needs to
 * (re)create its listening socket; /dev/null and /dev/urandom to read. */
int
tool_policy_landlock(int ws_fd, const char *rundir, char *err, size_t errlen)
{
	struct harden_ll_rule rules[5] = {
	    {ws_fd, NULL,
	     HARDEN_LL_ALL & ~(HARDEN_LL_EXECUTE | HARDEN_LL_MAKE_CHAR | HARDEN_LL_MAKE_BLOCK |
	                       HARDEN_LL_IOCTL_DEV)},
	    {-1, "/dev/null", HARDEN_LL_READ_FILE | HARDEN_LL_WRITE_FILE},
	    {-1, "/dev/urandom", HARDEN_LL_READ_FILE},
	};
	struct harden_landlock ll = {HARDEN_LL_ALL, rules, 3, 0};

	if (rundir != NULL)
		rules[ll.nrules++] = (struct harden_ll_rule){-1, rundir, HARDEN_LL_MAKE_SOCK | HARDEN_LL_REMOVE_FILE};
#ifdef KC_SANITIZE
	/* Sanitizer builds only: LeakSanitizer reads /proc/self at exit. */
	rules[ll.nrules++] = (struct harden_ll_rule){-1, "/proc", HARDEN_LL_READ};
#endif
	return harden_landlock_apply(&ll, err, errlen);
}

/* ---------------- the whole drop ---------------- */

static void
step(const char *what, int rc, const char *err)
{
	if (rc < 0)
		fatalx("tools: %s: %s", what, err);
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
	/* Failpoint settings survive the scrub so fault tests reach us. */
	static const char *const keep_env[] = {"KYLECODE_FAILPOINTS", "KYLECODE_FAULT_SEED", NULL};
	static const struct harden_rlimit lim[] = {{RLIMIT_CORE, 0, 0}};
	char rbuf[4096], err[256] = "";
	const char *rundir = rundir_of(wa, rbuf, sizeof(rbuf));
	int keep[] = {ws_fd}, ll;

	/* 1. Descriptors: stdio (stderr is the log pipe) and the workspace;
	 * 2. environment: nothing of the supervisor's. */
	step("close descriptors", harden_fds_close(keep, 1, err, sizeof(err)), err);
	harden_env_scrub(keep_env);
	/* 3. Rationale: no network. A new network namespace has only a down
	 * loopback: nothing this process does can reach a host. */
	step("network namespace", harden_netns_enter(err, sizeof(err)), err);
	/* 4. Capabilities: none needed; dropped and read back. */
	step("drop capabilities", harden_caps_drop(err, sizeof(err)), err);
	step("verify capabilities", harden_caps_verify(err, sizeof(err)), err);
	/* 5. rlimits, 6. no_new_privs. */
	step("rlimits", harden_rlimits_set(lim, 1, err, sizeof(err)), err);
	step("no_new_privs", harden_nnp_set(err, sizeof(err)), err);
	/* 7. Landlock (where offered): the workspace and the socket dir. */
	if ((ll = tool_policy_landlock(ws_fd, rundir, err, sizeof(err))) < 0)
		fatalx("tools: %s", err);
	if (ll == 0)
		log_info("tools: Landlock not offered by this kernel; seccomp and openat2 still "
		         "confine");
	/* 8. seccomp last. */
	step("seccomp", harden_seccomp_install(&tool_seccomp, err, sizeof(err)), err);
	log_debug("tools: confined (netns, no caps, no_new_privs, Landlock %s, seccomp)",
	          ll == 1 ? "on" : "off");
}
