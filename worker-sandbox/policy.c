/*
 * policy.c — how the sandbox worker confines itself (STYLE §5 order:
 * descriptors, environment, capabilities, rlimits, no_new_privs, seccomp
 * last; every step fatal; read back after).
 *
 * What the worker keeps, and why (everything else is dropped):
 *   CAP_SYS_ADMIN  open_tree(OPEN_TREE_CLONE) + mount_setattr(MOUNT_ATTR_IDMAP)
 *                  of the workspace: an id-mapped mount of a host
 *                  filesystem is made in the initial user namespace.
 *   CAP_SETUID, CAP_SETGID
 *                  writing the jail's uid_map/gid_map with two unprivileged
 *                  host ids (a map naming ids other than one's own needs
 *                  them in the parent namespace).
 *   CAP_KILL       killing the jail's pid 1 at the deadline: it runs as
 *                  another host uid (host_uid-1) by design.
 * Creating the jail's namespaces needs no capability (an unprivileged user
 * namespace first; the rest are owned by it). The driver `runsc` needs what
 * a root OCI runtime needs (chroot, mounts, ptrace platform, cgroups), so
 * with --driver runsc the worker keeps its capabilities and ptrace stays
 * allowed; docs/SANDBOX.md says so.
 *
 * The worker's seccomp filter is a deny-list (it starts arbitrary
 * front-ends: runsc, docker) of what neither it nor they need; it is
 * inherited by every jail, under the jail's own stricter filter.
 */
#include <errno.h>
#include <sched.h>
#include <linux/capability.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/core/log.h"
#include "worker-sandbox/policy.h"
#include "worker-sandbox/sbx_int.h"

static const int policy_keep_caps[] = {CAP_SYS_ADMIN, CAP_SETUID, CAP_SETGID, CAP_KILL};

static const char *const policy_denied[] = {
    "process_vm_readv",
    "process_vm_writev",
    "kexec_load",
    "kexec_file_load",
    "init_module",
    "finit_module",
    "delete_module",
    "bpf",
    "perf_event_open",
    "keyctl",
    "add_key",
    "request_key",
    "userfaultfd",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    "open_by_handle_at",
    "reboot",
    "swapon",
    "swapoff",
    "acct",
    "quotactl",
    "settimeofday",
    "clock_settime",
    "clock_adjtime",
    "syslog",
    "iopl",
    "ioperm",
    "lookup_dcookie",
    "uselib",
    "nfsservctl",
};

static int
policy_keep(int cap)
{
	size_t i;

	for (i = 0; i < sizeof policy_keep_caps / sizeof policy_keep_caps[0]; i++)
		if (policy_keep_caps[i] == cap)
			return 1;
	return 0;
}

static void
policy_caps(int keep_all)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];
	uint64_t want = 0, eff;
	int cap;

	if (keep_all)
		return;
	for (cap = 0; cap <= 63; cap++) {
		if (policy_keep(cap)) {
			want |= 1ull << cap;
			continue;
		}
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL)
			fatal("sbx: dropping capability %d from the bounding set", cap);
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0)
		fatal("sbx: clearing ambient capabilities");
	if (syscall(SYS_capget, &h, d) != 0)
		fatal("sbx: capget");
	want &= (uint64_t)d[0].permitted | ((uint64_t)d[1].permitted << 32);
	d[0].permitted = d[0].effective = (uint32_t)want;
	d[1].permitted = d[1].effective = (uint32_t)(want >> 32);
	d[0].inheritable = d[1].inheritable = 0;
	if (syscall(SYS_capset, &h, d) != 0)
		fatal("sbx: capset");
	/* Read back: nothing beyond the kept set may remain. */
	if (syscall(SYS_capget, &h, d) != 0)
		fatal("sbx: capget");
	eff = (uint64_t)d[0].effective | ((uint64_t)d[1].effective << 32) |
	      (uint64_t)d[0].permitted | ((uint64_t)d[1].permitted << 32);
	if ((eff & ~want) != 0)
		fatalx("sbx: capabilities still held after the drop: %#llx",
		       (unsigned long long)(eff & ~want));
}

static void
policy_seccomp(int allow_ptrace)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	size_t i;
	int nr;

	if (ctx == NULL)
		fatalx("sbx: seccomp_init failed");
	/* Inherited by every jail: 32-bit entry points fail with EPERM there
	 * (the jail's own filter says so), so this one must not kill. */
	if (seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ERRNO(EPERM)) != 0)
		fatalx("sbx: seccomp bad-arch action");
	for (i = 0; i < sizeof policy_denied / sizeof policy_denied[0]; i++) {
		if (allow_ptrace && strncmp(policy_denied[i], "process_vm_", 11) == 0)
			continue;
		nr = seccomp_syscall_resolve_name(policy_denied[i]);
		if (nr != __NR_SCMP_ERROR &&
		    seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0) != 0)
			fatalx("sbx: seccomp rule for %s", policy_denied[i]);
	}
	/* ptrace: runsc's ptrace platform needs it; sanitizer builds need it
	 * for LeakSanitizer's stop-the-world. */
	if (!allow_ptrace && seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ptrace), 0) != 0)
		fatalx("sbx: seccomp rule for ptrace");
	if (seccomp_load(ctx) != 0)
		fatalx("sbx: loading the worker's seccomp filter failed");
	seccomp_release(ctx);
}

void
sbx_worker_confine(enum sbx_driver_id driver)
{
	struct rlimit r = {0, 0};
	int runsc = driver == SBX_RUNSC;
	int sanitizer = 0;

#ifdef KC_SANITIZE
	sanitizer = 1;
#endif
	/* 1. Descriptors: only stdio (stderr is the supervisor's log pipe);
	 * the IPC sockets are opened after this. */
	if (syscall(SYS_close_range, 3, ~0u, 0) != 0)
		fatal("sbx: close_range");
	/* 2. Environment: nothing of the supervisor's reaches any command
	 * (each command's environment is built from an allowlist anyway). */
	if (clearenv() != 0)
		fatalx("sbx: clearenv");
	/* 3. What the jail needs made while we still may: the parent cgroups
	 * of the per-command cgroups (a hierarchy root is mode 0555). */
	jail_cgroup_sweep();
	/* 3b. Network: the worker itself needs none (docker's CLI reaches
	 * dockerd through a filesystem socket, which a network namespace does
	 * not hide; runsc and the jail make their own empty ones). Rationale:
	 * should a command ever escape its jail into this worker, it lands in
	 * a namespace with no interface, not on the host's network. Made while
	 * CAP_SYS_ADMIN is still ours; a non-root run without it keeps the host
	 * namespace (each jail still gets its own) and says so. */
	if (unshare(CLONE_NEWNET) != 0) {
		if (geteuid() == 0)
			fatal("sbx: unshare(CLONE_NEWNET)");
		log_info("sbx: no network namespace for the worker (not root): %s",
		         strerror(errno));
	}
	/* 4. Capabilities: see the table above. */
	policy_caps(runsc);
	/* 5. No core dumps of a process that handles command output. */
	if (setrlimit(RLIMIT_CORE, &r) != 0)
		fatal("sbx: RLIMIT_CORE");
	/* 6. No privilege gain through execve (setuid, file caps). */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		fatal("sbx: no_new_privs");
	/* 7. seccomp last. */
	policy_seccomp(runsc || sanitizer);
	log_debug("sbx: worker confined (driver %s%s)", sbx_driver_name(driver),
	          runsc ? ", capabilities kept for runsc" : "");
}
