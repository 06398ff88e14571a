/* landlock.c — restrict this process's filesystem reach to a read-write
 * directory and read-only directories (Landlock, Linux >= 5.13). Landlock
 * is a layer on top of the others: where the kernel lacks it we say so
 * and go on, the namespaces and seccomp still hold. */
#include "lib/harden/harden.h"

#include <errno.h>
#include <linux/landlock.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/core/log.h"

#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER (1ULL << 13)
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif

#define LL_FS_V1                                                                                   \
	(LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE |                              \
	 LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR |                              \
	 LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE |                          \
	 LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_DIR |                              \
	 LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SOCK |                              \
	 LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_BLOCK |                            \
	 LANDLOCK_ACCESS_FS_MAKE_SYM)
#define LL_FS_RO (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)

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

/* The rights this kernel can enforce: asking for more fails. */
static uint64_t
ll_fs_handled(int abi)
{
	uint64_t h = LL_FS_V1;

	if (abi >= 2)
		h |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		h |= LANDLOCK_ACCESS_FS_TRUNCATE;
	return h;
}

static int
ll_rule_add(int rs, int dirfd, uint64_t access)
{
	struct landlock_path_beneath_attr pb;

	memset(&pb, 0, sizeof(pb));
	pb.allowed_access = access;
	pb.parent_fd = dirfd;
	return (int)syscall(SYS_landlock_add_rule, rs, LANDLOCK_RULE_PATH_BENEATH, &pb, 0);
}

int
harden_landlock_apply(const struct harden_landlock *l, char *err, size_t errlen)
{
	struct landlock_ruleset_attr ra;
	int abi = harden_landlock_abi(), rs;
	size_t i;

	if (abi == 0) {
		log_info("landlock: not available on this kernel; relying on the other layers");
		return 0;
	}
	memset(&ra, 0, sizeof(ra));
	ra.handled_access_fs = ll_fs_handled(abi);
	rs = (int)syscall(SYS_landlock_create_ruleset, &ra, sizeof(ra), 0);
	if (rs < 0) {
		ll_seterr(err, errlen, "landlock_create_ruleset: %s", strerror(errno));
		return -1;
	}
	if (l->rw_dirfd >= 0 && ll_rule_add(rs, l->rw_dirfd, ra.handled_access_fs) < 0) {
		ll_seterr(err, errlen, "landlock rule (read-write dir): %s", strerror(errno));
		close(rs);
		return -1;
	}
	for (i = 0; i < l->nro; i++)
		if (ll_rule_add(rs, l->ro_dirfds[i], LL_FS_RO) < 0) {
			ll_seterr(err, errlen, "landlock rule (read-only dir %zu): %s", i,
			          strerror(errno));
			close(rs);
			return -1;
		}
	if (syscall(SYS_landlock_restrict_self, rs, 0) < 0) {
		ll_seterr(err, errlen, "landlock_restrict_self: %s (no_new_privs set?)",
		          strerror(errno));
		close(rs);
		return -1;
	}
	close(rs);
	return 1;
}
