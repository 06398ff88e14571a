/*
 * jail_landlock.c — Landlock as a second wall behind the mount namespace.
 *
 * Rationale: if a mount were ever left writable by mistake (or a kernel bug
 * let the command remount), Landlock still refuses every write outside
 * /workspace, /tmp and /dev. Reads are not restricted: what is visible is
 * already chosen by jail_mount.c. From ABI 6, the command is also scoped:
 * it cannot signal processes outside its domain (the jail's pid 1) nor
 * connect to abstract unix sockets created outside it. Kernels without
 * Landlock skip this wall (doctor says so). The ruleset is lib/harden's,
 * which neither allocates nor logs: this runs between fork and exec.
 */
#include "lib/harden/harden.h"
#include "worker-sandbox/sbx_int.h"

int
jail_landlock_apply(struct jail_msg *m)
{
	static const struct harden_ll_rule writable[] = {
	    {-1, "/workspace", HARDEN_LL_WRITE},
	    {-1, "/tmp", HARDEN_LL_WRITE},
	    {-1, "/dev", HARDEN_LL_WRITE},
	};
	static const struct harden_landlock ll = {HARDEN_LL_WRITE, writable,
	                                          sizeof writable / sizeof writable[0], 1};
	char err[160];

	if (harden_landlock_apply(&ll, err, sizeof err) < 0) {
		jail_msg_set(m, JAIL_MSG_SETUP, 0, err);
		return -1;
	}
	return 0;
}
