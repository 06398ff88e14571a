/*
 * jail_landlock.c — Landlock as a second wall behind the mount namespace.
 *
 * Rationale: if a mount were ever left writable by mistake (or a kernel bug
 * let the command remount), Landlock still refuses every write outside
 * /workspace, /tmp and /dev. Reads are not restricted: what is visible is
 * already chosen by jail_mount.c. From ABI 6, the command is also scoped:
 * it cannot signal processes outside its domain (the jail's pid 1) nor
 * connect to abstract unix sockets created outside it. Kernels without
 * Landlock skip this wall (doctor says so).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "worker-sandbox/sbx_int.h"

/* Debian 12's headers stop at ABI 3. */
#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER (1ULL << 13)
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif
#define KC_LL_SCOPE_ABSTRACT_UNIX (1ULL << 0)
#define KC_LL_SCOPE_SIGNAL (1ULL << 1)

struct kc_ll_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;
	uint64_t scoped;
};

struct kc_ll_path_beneath {
	uint64_t allowed_access;
	int32_t parent_fd;
} __attribute__((packed));

int
jail_landlock_abi(void)
{
	long v = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);

	return v < 0 ? 0 : (int)v;
}

static uint64_t
landlock_write_rights(int abi)
{
	uint64_t r = LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR |
	             LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_CHAR |
	             LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |
	             LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO |
	             LANDLOCK_ACCESS_FS_MAKE_BLOCK | LANDLOCK_ACCESS_FS_MAKE_SYM;

	if (abi >= 2)
		r |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		r |= LANDLOCK_ACCESS_FS_TRUNCATE;
	return r;
}

static int
landlock_allow(int rfd, const char *path, uint64_t rights)
{
	struct kc_ll_path_beneath pb;
	int fd = open(path, O_PATH | O_CLOEXEC | O_DIRECTORY);
	int rc;

	if (fd < 0)
		return -1;
	pb.allowed_access = rights;
	pb.parent_fd = fd;
	rc = (int)syscall(SYS_landlock_add_rule, rfd, LANDLOCK_RULE_PATH_BENEATH, &pb, 0);
	close(fd);
	return rc;
}

int
jail_landlock_apply(struct jail_msg *m)
{
	static const char *const writable[] = {"/workspace", "/tmp", "/dev"};
	struct kc_ll_ruleset_attr attr;
	int abi = jail_landlock_abi(), rfd;
	size_t i, attr_len;

	if (abi <= 0)
		return 0;
	memset(&attr, 0, sizeof attr);
	attr.handled_access_fs = landlock_write_rights(abi);
	attr_len = offsetof(struct kc_ll_ruleset_attr, handled_access_net);
	if (abi >= 6) {
		attr.scoped = KC_LL_SCOPE_ABSTRACT_UNIX | KC_LL_SCOPE_SIGNAL;
		attr_len = sizeof attr;
	}
	rfd = (int)syscall(SYS_landlock_create_ruleset, &attr, attr_len, 0);
	if (rfd < 0) {
		jail_msg_set(m, JAIL_MSG_SETUP, errno, "landlock ruleset");
		return -1;
	}
	for (i = 0; i < sizeof writable / sizeof writable[0]; i++)
		if (landlock_allow(rfd, writable[i], attr.handled_access_fs) != 0) {
			jail_msg_set(m, JAIL_MSG_SETUP, errno, writable[i]);
			close(rfd);
			return -1;
		}
	if (syscall(SYS_landlock_restrict_self, rfd, 0) != 0) {
		jail_msg_set(m, JAIL_MSG_SETUP, errno, "landlock restrict_self");
		close(rfd);
		return -1;
	}
	close(rfd);
	return 0;
}
