/*
 * jail_seccomp.c — the seccomp filter of a jailed command.
 *
 * Rationale: the command is arbitrary code (compilers, test suites, shells),
 * so an allowlist would break real work; instead a deny-list removes the
 * kernel attack surface no build or test needs (mount family, namespaces,
 * tracing, kernel loading, bpf, perf, keyrings, userfaultfd, io_uring,
 * handle-based opens, clock setting, swap, accounting, quotas, 32-bit entry
 * points, terminal injection). Denied calls fail with EPERM rather than
 * killing the process, because many programs probe (e.g. io_uring, bpf) and
 * fall back. clone3 answers ENOSYS: its flags live in memory seccomp cannot
 * read, and libc falls back to clone(2), whose flags we can check.
 *
 * The filter is compiled once by the factory into a BPF program; the jail's
 * child loads it with prctl() without allocating.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "lib/core/xmalloc.h"
#include "worker-sandbox/sbx_int.h"

#define NS_FLAGS                                                                                   \
	(CLONE_NEWNS | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | \
	 CLONE_NEWCGROUP | 0x00000080 /* CLONE_NEWTIME */)

static const char *const jail_denied[] = {
    /* mount family and root changes */
    "mount",
    "umount",
    "umount2",
    "pivot_root",
    "chroot",
    "move_mount",
    "open_tree",
    "fsopen",
    "fsconfig",
    "fsmount",
    "fspick",
    "mount_setattr",
    /* namespaces */
    "setns",
    /* tracing and other processes' memory */
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "kcmp",
    "pidfd_getfd",
    /* kernel code and kernel-side programs */
    "kexec_load",
    "kexec_file_load",
    "init_module",
    "finit_module",
    "delete_module",
    "bpf",
    "perf_event_open",
    "lookup_dcookie",
    /* keyrings */
    "keyctl",
    "add_key",
    "request_key",
    /* famous exploitation helpers */
    "userfaultfd",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    "open_by_handle_at",
    "name_to_handle_at",
    /* machine state */
    "reboot",
    "swapon",
    "swapoff",
    "acct",
    "quotactl",
    "quotactl_fd",
    "settimeofday",
    "clock_settime",
    "clock_adjtime",
    "adjtimex",
    "syslog",
    "iopl",
    "ioperm",
    "vhangup",
    "uselib",
    "ustat",
    "sysfs",
    "nfsservctl",
    "fanotify_init",
    "sethostname",
    "setdomainname",
};

static int
seccomp_deny_name(scmp_filter_ctx ctx, const char *name)
{
	int nr = seccomp_syscall_resolve_name(name);

	if (nr == __NR_SCMP_ERROR)
		return 0; /* not on this architecture */
	return seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0);
}

/* clone/unshare with any namespace flag; TIOCSTI/TIOCLINUX. */
static int
seccomp_add_arg_rules(scmp_filter_ctx ctx)
{
	unsigned long bit;
	int rc = 0;

	/* One rule per namespace bit: libseccomp cannot express "mask != 0"
	 * as a single comparison. */
	for (bit = 1; bit != 0 && bit <= 0x80000000ul; bit <<= 1) {
		if ((NS_FLAGS & bit) == 0)
			continue;
		rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
		                       SCMP_A0(SCMP_CMP_MASKED_EQ, bit, bit));
		rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(unshare), 1,
		                       SCMP_A0(SCMP_CMP_MASKED_EQ, bit, bit));
	}
	rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
	rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
	                       SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, TIOCSTI));
	rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
	                       SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, TIOCLINUX));
	return rc != 0 ? -1 : 0;
}

/*
 * personality(2): only the standard Linux persona, its 32-bit variant,
 * UNAME26, and the query (0xffffffff). libseccomp cannot say "not one of
 * these" (one comparison per argument per rule), so this is a second,
 * hand-written filter; the kernel applies the stricter of the two. The
 * kernel reads the argument as an unsigned int: compare the low word.
 */
static struct sock_filter jail_persona_insns[] = {
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW), /* others: the main filter */
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_personality, 1, 0),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x0, 5, 0),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x8, 4, 0),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x20000, 3, 0),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x20008, 2, 0),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0xffffffff, 1, 0),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
};
const struct sock_fprog jail_persona_prog = {
    sizeof jail_persona_insns / sizeof jail_persona_insns[0], jail_persona_insns};

/* Exports ctx as raw BPF into a malloc'ed program (memfd round trip:
 * libseccomp 2.5 exports only to a file descriptor). */
static int
seccomp_export(scmp_filter_ctx ctx, struct sock_fprog *out)
{
	int fd = memfd_create("kc-seccomp", MFD_CLOEXEC);
	struct stat st;
	char *buf = NULL;
	int rc = -1;

	if (fd < 0)
		return -1;
	if (seccomp_export_bpf(ctx, fd) != 0 || fstat(fd, &st) != 0 || st.st_size <= 0 ||
	    st.st_size % (off_t)sizeof(struct sock_filter) != 0)
		goto out;
	buf = xmalloc((size_t)st.st_size);
	if (pread(fd, buf, (size_t)st.st_size, 0) != st.st_size)
		goto out;
	out->len = (unsigned short)(st.st_size / (off_t)sizeof(struct sock_filter));
	out->filter = (struct sock_filter *)buf;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	close(fd);
	return rc;
}

int
jail_seccomp_build(struct sock_fprog *out, char *err, size_t errlen)
{
	scmp_filter_ctx ctx;
	size_t i;
	int rc = -1;

	/* Non-native architectures (ia32 via int 0x80, x32) are refused as a
	 * whole: EPERM from every 32-bit entry point. */
	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (ctx == NULL) {
		snprintf(err, errlen, "seccomp_init failed");
		return -1;
	}
	if (seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ERRNO(EPERM)) != 0 ||
	    seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0) != 0)
		goto out;
	for (i = 0; i < sizeof jail_denied / sizeof jail_denied[0]; i++)
		if (seccomp_deny_name(ctx, jail_denied[i]) != 0)
			goto out;
	if (seccomp_add_arg_rules(ctx) != 0)
		goto out;
	if (seccomp_export(ctx, out) != 0)
		goto out;
	rc = 0;
out:
	if (rc != 0)
		snprintf(err, errlen, "jail seccomp filter: building the deny-list failed");
	seccomp_release(ctx);
	return rc;
}

static void
oci_rule(cJSON *arr, const char *name, int err, int idx, unsigned long mask, unsigned long val)
{
	cJSON *r = cJSON_CreateObject(), *names = cJSON_AddArrayToObject(r, "names"), *args, *a;

	cJSON_AddItemToArray(names, cJSON_CreateString(name));
	cJSON_AddStringToObject(r, "action", "SCMP_ACT_ERRNO");
	cJSON_AddNumberToObject(r, "errnoRet", err);
	if (idx >= 0) {
		args = cJSON_AddArrayToObject(r, "args");
		a = cJSON_CreateObject();
		cJSON_AddNumberToObject(a, "index", idx);
		cJSON_AddNumberToObject(a, "value", (double)mask);
		cJSON_AddNumberToObject(a, "valueTwo", (double)val);
		cJSON_AddStringToObject(a, "op", "SCMP_CMP_MASKED_EQ");
		cJSON_AddItemToArray(args, a);
	}
	cJSON_AddItemToArray(arr, r);
}

/*
 * The same deny-list as an OCI / Docker seccomp profile, so runsc
 * (--oci-seccomp) and docker (--security-opt seccomp=) commands face the
 * jail's syscall policy rather than each runtime's own. Only x86_64 is
 * listed: 32-bit entry points get the runtime's bad-architecture action.
 * personality(2) is not restricted here (a profile cannot express "all
 * but these values" as an allow-by-default rule): docs/SANDBOX.md.
 *
 * gvisor: Debian 12's runsc ignores errnoRet (every denial is EPERM), so
 * the clone3 rule, whose point is ENOSYS (libc then falls back to clone),
 * would break thread creation there; it is left out, and gVisor's Sentry,
 * not the host kernel, implements whatever namespaces clone3 could ask.
 */
cJSON *
jail_seccomp_oci(int gvisor)
{
	cJSON *p = cJSON_CreateObject(), *arches, *rules;
	unsigned long bit;
	size_t i;

	cJSON_AddStringToObject(p, "defaultAction", "SCMP_ACT_ALLOW");
	arches = cJSON_AddArrayToObject(p, "architectures");
	cJSON_AddItemToArray(arches, cJSON_CreateString("SCMP_ARCH_X86_64"));
	rules = cJSON_AddArrayToObject(p, "syscalls");
	for (i = 0; i < sizeof jail_denied / sizeof jail_denied[0]; i++)
		if (seccomp_syscall_resolve_name(jail_denied[i]) >= 0)
			oci_rule(rules, jail_denied[i], EPERM, -1, 0, 0);
	for (bit = 1; bit <= 0x80000000ul; bit <<= 1) {
		if ((NS_FLAGS & bit) == 0)
			continue;
		oci_rule(rules, "clone", EPERM, 0, bit, bit);
		oci_rule(rules, "unshare", EPERM, 0, bit, bit);
	}
	if (!gvisor)
		oci_rule(rules, "clone3", ENOSYS, -1, 0, 0);
	oci_rule(rules, "ioctl", EPERM, 1, 0xffffffffu, TIOCSTI);
	oci_rule(rules, "ioctl", EPERM, 1, 0xffffffffu, TIOCLINUX);
	return p;
}
