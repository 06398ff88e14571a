/* harden.c — the ordered privilege drop (see harden.h for the order and
 * why it is this order). Each step is a function that returns 0 or -1
 * with a message; harden_apply() makes every failure fatal (STYLE 7). */
#include "lib/harden/harden.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/securebits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "lib/core/log.h"

#define HARDEN_MAX_KEEP 64

static void hd_seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
hd_seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int
hd_int_cmp(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

int
harden_fds_close(const int *keep, size_t nkeep, char *err, size_t errlen)
{
	int k[HARDEN_MAX_KEEP];
	unsigned lo = 3;
	size_t i;

	if (nkeep > HARDEN_MAX_KEEP) {
		hd_seterr(err, errlen, "close fds: more than %d fds to keep", HARDEN_MAX_KEEP);
		return -1;
	}
	if (nkeep > 0)
		memcpy(k, keep, nkeep * sizeof(int));
	qsort(k, nkeep, sizeof(int), hd_int_cmp);
	for (i = 0; i < nkeep; i++) {
		if (k[i] < (int)lo)
			continue;
		if ((unsigned)k[i] > lo && close_range(lo, (unsigned)k[i] - 1, 0) < 0)
			goto fail;
		lo = (unsigned)k[i] + 1;
	}
	if (close_range(lo, ~0u, 0) < 0)
		goto fail;
	return 0;
fail:
	hd_seterr(err, errlen, "close fds: close_range: %s", strerror(errno));
	return -1;
}

void
harden_env_scrub(const char *const *keep)
{
	char *saved[64][2];
	size_t n = 0, i;

	for (i = 0; keep != NULL && keep[i] != NULL && n < 64; i++) {
		const char *v = getenv(keep[i]);

		if (v != NULL) {
			saved[n][0] = strdup(keep[i]);
			saved[n][1] = strdup(v);
			n++;
		}
	}
	clearenv();
	for (i = 0; i < n; i++) {
		if (saved[i][0] != NULL && saved[i][1] != NULL)
			setenv(saved[i][0], saved[i][1], 1);
		free(saved[i][0]);
		free(saved[i][1]);
	}
}

static int
hd_file_write(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

/* A network namespace of our own has only a loopback interface, down: no
 * address can be reached, not even 127.0.0.1 of the host. Root (with
 * CAP_SYS_ADMIN) enters one directly; anyone else, or root in a container
 * without that capability, does so inside a new user namespace where it
 * maps only its own ids. */
int
harden_netns_enter(char *err, size_t errlen)
{
	char map[64];
	uid_t uid = geteuid();
	gid_t gid = getegid();

	if (unshare(CLONE_NEWNET) == 0)
		return 0;
	if (errno != EPERM) {
		hd_seterr(err, errlen, "unshare(CLONE_NEWNET): %s", strerror(errno));
		return -1;
	}
	if (unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0) {
		hd_seterr(err, errlen,
		          "unshare(CLONE_NEWUSER|CLONE_NEWNET): %s (user namespaces disabled? "
		          "see `kylecode doctor`; a multi-threaded process cannot do this)",
		          strerror(errno));
		return -1;
	}
	snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)uid, (unsigned)uid);
	if (hd_file_write("/proc/self/setgroups", "deny") < 0 ||
	    hd_file_write("/proc/self/uid_map", map) < 0) {
		hd_seterr(err, errlen, "user namespace id maps: %s", strerror(errno));
		return -1;
	}
	snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)gid, (unsigned)gid);
	if (hd_file_write("/proc/self/gid_map", map) < 0) {
		hd_seterr(err, errlen, "user namespace gid map: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Empties every capability set. Rationale: a worker never needs a
 * privilege after its setup; root without capabilities cannot mount,
 * trace, load modules, change ids or bypass file permissions of other
 * users. The bounding set and securebits also keep a later execve (of
 * anything the filter lets through) from regaining them. */
int
harden_caps_drop(char *err, size_t errlen)
{
	cap_t none;
	int c, last = (int)cap_max_bits() - 1;

	/* Needs CAP_SETPCAP, so first; EPERM for an unprivileged user, who
	 * has nothing to lock. */
	if (prctl(PR_SET_SECUREBITS,
	          SECBIT_KEEP_CAPS_LOCKED | SECBIT_NO_SETUID_FIXUP | SECBIT_NO_SETUID_FIXUP_LOCKED |
	              SECBIT_NOROOT | SECBIT_NOROOT_LOCKED,
	          0, 0, 0) < 0 &&
	    errno != EPERM) {
		hd_seterr(err, errlen, "PR_SET_SECUREBITS: %s", strerror(errno));
		return -1;
	}
	for (c = 0; c <= last; c++)
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL &&
		    !(errno == EPERM && geteuid() != 0)) {
			hd_seterr(err, errlen, "PR_CAPBSET_DROP %d: %s", c, strerror(errno));
			return -1;
		}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL) {
		hd_seterr(err, errlen, "PR_CAP_AMBIENT_CLEAR_ALL: %s", strerror(errno));
		return -1;
	}
	if ((none = cap_init()) == NULL || cap_set_proc(none) < 0) {
		hd_seterr(err, errlen, "cap_set_proc(empty): %s", strerror(errno));
		cap_free(none);
		return -1;
	}
	cap_free(none);
	return 0;
}

/* Reads the sets back: trusting the return codes alone would miss a
 * kernel or libcap that silently kept something. */
int
harden_caps_verify(char *err, size_t errlen)
{
	cap_t cur = cap_get_proc(), none = cap_init();
	int c, last = (int)cap_max_bits() - 1, same;

	same = cur != NULL && none != NULL && cap_compare(cur, none) == 0;
	cap_free(cur);
	cap_free(none);
	if (!same) {
		hd_seterr(err, errlen, "capabilities still held after the drop");
		return -1;
	}
	for (c = 0; c <= last; c++) {
		if (geteuid() == 0 && prctl(PR_CAPBSET_READ, c, 0, 0, 0) == 1) {
			hd_seterr(err, errlen, "capability %d still in the bounding set", c);
			return -1;
		}
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, c, 0, 0) == 1) {
			hd_seterr(err, errlen, "capability %d still ambient", c);
			return -1;
		}
	}
	return 0;
}

int
harden_rlimits_set(const struct harden_rlimit *l, size_t n, char *err, size_t errlen)
{
	struct rlimit zero = {0, 0}, r;
	size_t i;

	/* No core dumps: the memory of the LLM worker holds API keys, that
	 * of the tools worker the user's files. */
	if (setrlimit(RLIMIT_CORE, &zero) < 0) {
		hd_seterr(err, errlen, "setrlimit(RLIMIT_CORE, 0): %s", strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		r.rlim_cur = l[i].cur;
		r.rlim_max = l[i].max;
		if (setrlimit(l[i].resource, &r) < 0) {
			hd_seterr(err, errlen, "setrlimit(%d): %s", l[i].resource, strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* no_new_privs: execve can never grant privileges again (setuid bits and
 * file capabilities are ignored). Also required for an unprivileged
 * seccomp filter and for Landlock. */
int
harden_nnp_set(char *err, size_t errlen)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1) {
		hd_seterr(err, errlen, "PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
		return -1;
	}
	return 0;
}

void
harden_apply(const struct harden_opts *o)
{
	const char *who =
	    o->seccomp != NULL && o->seccomp->role != NULL ? o->seccomp->role : "worker";
	char err[256];

	/* 1. Nothing inherited by mistake stays open. */
	if (harden_fds_close(o->keep_fds, o->nkeep, err, sizeof(err)) < 0)
		fatalx("harden %s: %s", who, err);
	/* 2. No secret or setting of the caller's environment is left. */
	harden_env_scrub(o->keep_env);
	/* 3. Namespaces, while we still hold the capability to make them. */
	if (o->unshare_net && harden_netns_enter(err, sizeof(err)) < 0)
		fatalx("harden %s: network namespace: %s", who, err);
	/* 4. Capabilities: all of them, verified. */
	if (harden_caps_drop(err, sizeof(err)) < 0 || harden_caps_verify(err, sizeof(err)) < 0)
		fatalx("harden %s: capabilities: %s", who, err);
	/* 5. Resource limits, core dumps off. */
	if (harden_rlimits_set(o->rlimits, o->nrlimits, err, sizeof(err)) < 0)
		fatalx("harden %s: %s", who, err);
	/* 6. no_new_privs before the filters that require it. */
	if (harden_nnp_set(err, sizeof(err)) < 0)
		fatalx("harden %s: %s", who, err);
	/* 7. Landlock: filesystem reach. Absent on old kernels: noted. */
	if (o->landlock != NULL) {
		int ll = harden_landlock_apply(o->landlock, err, sizeof(err));

		if (ll < 0)
			fatalx("harden %s: landlock: %s", who, err);
		if (ll == 0)
			log_info("harden %s: Landlock not available on this kernel; relying on the other "
			         "layers",
			         who);
	}
	/* 8. seccomp last: every step above needed syscalls it may forbid. */
	if (o->seccomp != NULL && harden_seccomp_install(o->seccomp, err, sizeof(err)) < 0)
		fatalx("harden %s: seccomp: %s", who, err);
	log_debug("harden %s: confined", who);
}
