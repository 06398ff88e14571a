/* landlock.c — restrict this process's filesystem reach with Landlock
 * (Linux >= 5.13): the rights in `handled` are denied everywhere except
 * beneath the rules' directories (or on the rules' files), each rule
 * granting its own rights. Landlock is a layer on top of the others: where
 * the kernel lacks it the caller says so and goes on, the namespaces and
 * seccomp still hold.
 *
 * One implementation for every role: the LLM worker (its runtime directory
 * read-write, the CA and resolver files read-only), the tools worker (the
 * workspace without exec or device nodes, the socket directory) and the
 * jail (writes only beneath /workspace, /tmp and /dev, with the ABI 6
 * scopes). It also runs in the jail's child between fork and exec, so it
 * neither allocates nor logs: errors go to err. */
#include "lib/harden/harden.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Debian 12's headers stop at ABI 3: the struct layouts are redeclared
 * with the fields of later ABIs (ABI 4 handled_access_net, ABI 6 scoped). */
struct ll_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;
	uint64_t scoped;
};

struct ll_path_beneath {
	uint64_t allowed_access;
	int32_t parent_fd;
} __attribute__((packed));

#define LL_SCOPE_ABSTRACT_UNIX (1ULL << 0)
#define LL_SCOPE_SIGNAL (1ULL << 1)

static void ll_seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
ll_seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

int
harden_landlock_abi(void)
{
	long v = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);

	return v > 0 ? (int)v : 0;
}

/* The filesystem rights this kernel's ABI knows: asking for more fails. */
uint64_t
harden_landlock_known(int abi)
{
	uint64_t r = 0;

	if (abi >= 1)
		r = (1ULL << 13) - 1; /* EXECUTE .. MAKE_SYM */
	if (abi >= 2)
		r |= HARDEN_LL_REFER;
	if (abi >= 3)
		r |= HARDEN_LL_TRUNCATE;
	if (abi >= 5)
		r |= HARDEN_LL_IOCTL_DEV;
	return r;
}

/* One rule, its rights cut to those handled (known); a rule's path is
 * opened here (O_PATH) and closed again. A file (not a directory) may
 * only be granted file rights. */
static int
ll_rule_add(int rs, const struct harden_ll_rule *r, uint64_t known, char *err, size_t errlen)
{
	struct ll_path_beneath pb;
	int fd = r->fd, own = -1, rc;

	/* rights the ruleset does not handle are free anyway: nothing to add
	 * (the kernel refuses a rule that grants nothing) */
	if ((r->access & known) == 0)
		return 0;
	if (fd < 0 && (fd = own = open(r->path, O_PATH | O_CLOEXEC)) < 0) {
		ll_seterr(err, errlen, "landlock rule %s: %s", r->path, strerror(errno));
		return -1;
	}
	memset(&pb, 0, sizeof(pb));
	pb.allowed_access = r->access & known;
	pb.parent_fd = fd;
	rc = (int)syscall(SYS_landlock_add_rule, rs, LANDLOCK_RULE_PATH_BENEATH, &pb, 0);
	if (rc < 0)
		ll_seterr(err, errlen, "landlock rule %s: %s", r->path ? r->path : "(fd)", strerror(errno));
	if (own >= 0)
		close(own);
	return rc;
}

int
harden_landlock_apply(const struct harden_landlock *l, char *err, size_t errlen)
{
	struct ll_ruleset_attr ra;
	int abi = harden_landlock_abi(), rs;
	uint64_t known = harden_landlock_known(abi);
	size_t i, len;

	if (abi == 0)
		return 0;
	memset(&ra, 0, sizeof(ra));
	ra.handled_access_fs = l->handled & known;
	len = offsetof(struct ll_ruleset_attr, handled_access_net);
	if (l->scope && abi >= 6) {
		ra.scoped = LL_SCOPE_ABSTRACT_UNIX | LL_SCOPE_SIGNAL;
		len = sizeof(ra);
	}
	if ((rs = (int)syscall(SYS_landlock_create_ruleset, &ra, len, 0)) < 0) {
		ll_seterr(err, errlen, "landlock_create_ruleset: %s", strerror(errno));
		return -1;
	}
	for (i = 0; i < l->nrules; i++) {
		if (ll_rule_add(rs, &l->rules[i], ra.handled_access_fs, err, errlen) < 0) {
			close(rs);
			return -1;
		}
	}
	if (syscall(SYS_landlock_restrict_self, rs, 0) < 0) {
		ll_seterr(err, errlen, "landlock_restrict_self: %s (no_new_privs set?)", strerror(errno));
		close(rs);
		return -1;
	}
	close(rs);
	return 1;
}
