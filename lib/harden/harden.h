/* harden.h — the ordered privilege drop every worker performs after its
 * initialisation (STYLE.md rule 5), and the seccomp/Landlock building
 * blocks the role policies (worker-<role>/policy.c) are written with.
 *
 * harden_apply() runs these steps, in this order, each fatal on failure:
 *   1. close every fd but 0-2 and the ones named (IPC, log, workspace fd);
 *   2. scrub the environment down to the names kept;
 *   3. namespaces: optionally a new, empty network namespace
 *      (root: unshare(CLONE_NEWNET); others: inside a new user namespace);
 *   4. capabilities: bounding set, ambient, inheritable, effective and
 *      permitted all emptied (libcap), then read back and verified;
 *   5. rlimits: RLIMIT_CORE = 0 always (a core dump of the LLM worker
 *      would hold API keys), plus the role's own;
 *   6. PR_SET_NO_NEW_PRIVS, verified;
 *   7. Landlock (needs no_new_privs): optional filesystem restriction;
 *   8. seccomp last, from the role's policy, on every thread (TSYNC).
 * Steps that need a single-threaded process (a user namespace) come before
 * any thread is created: call harden_apply() before ipc_worker_serve().
 *
 * A role policy, for example a worker that only computes and talks IPC:
 *
 *	static const char *const calc_syscalls[] = {"getpid", "madvise", NULL};
 *	static const struct harden_rule calc_rules[] = {
 *		// socket(AF_UNIX, ...) only: NNG's ipc:// transport
 *		{"socket", 1, {SCMP_A0(SCMP_CMP_EQ, AF_UNIX)}},
 *		// no executable mappings: no code loaded after start
 *		{"mmap", 1, {SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)}},
 *		{"mprotect", 1, {SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)}},
 *	};
 *	static const struct harden_policy calc_policy = {
 *		.role = "calc",
 *		.mode = HARDEN_ALLOWLIST,
 *		.lists = {harden_sys_base, harden_sys_nng, calc_syscalls},
 *		.rules = calc_rules,
 *		.nrules = sizeof(calc_rules) / sizeof(calc_rules[0]),
 *		.deny_action = HARDEN_DENY_KILL,
 *	};
 *	...
 *	int keep[] = {log_fd};
 *	struct harden_opts ho = {.keep_fds = keep, .nkeep = 1,
 *				 .unshare_net = 1, .seccomp = &calc_policy};
 *	harden_apply(&ho);
 *
 * A jail for arbitrary commands instead uses HARDEN_DENYLIST: the listed
 * calls fail with EPERM (HARDEN_DENY_ERRNO) and everything else is allowed.
 */
#ifndef KC_LIB_HARDEN_HARDEN_H
#define KC_LIB_HARDEN_HARDEN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>

#include <seccomp.h>

#define HARDEN_MAX_LISTS 8
#define HARDEN_MAX_ARGS 3

/* One syscall with argument conditions (all must hold). In an allowlist
 * the call is allowed when they hold; in a deny-list it is denied when
 * they hold. The same syscall may appear in several rules (any matches). */
struct harden_rule {
	const char *syscall; /* name as libseccomp knows it: "socket", "mmap" */
	unsigned narg;
	struct scmp_arg_cmp args[HARDEN_MAX_ARGS];
};

enum harden_mode {
	HARDEN_ALLOWLIST, /* listed calls allowed, everything else denied */
	HARDEN_DENYLIST,  /* listed calls denied, everything else allowed */
};

enum harden_deny {
	HARDEN_DENY_KILL,  /* the process dies with SIGSYS (reported by the
	                      supervisor as a policy violation) */
	HARDEN_DENY_ERRNO, /* the call fails with deny_errno (EPERM if 0) */
	HARDEN_DENY_LOG,   /* debugging a policy: allowed, logged by the kernel */
};

struct harden_policy {
	const char *role;
	enum harden_mode mode;
	/* NULL-terminated lists of syscall names without argument checks;
	 * the array of lists ends at the first NULL. */
	const char *const *lists[HARDEN_MAX_LISTS];
	const struct harden_rule *rules;
	size_t nrules;
	/* rules several roles share (harden_rules_worker), ended by a rule
	 * whose syscall is NULL; NULL: none */
	const struct harden_rule *shared_rules;
	enum harden_deny deny_action;
	int deny_errno;
	/* allowlist: names that may not exist on this kernel/arch are skipped
	 * instead of failing the build of the filter */
	int ignore_unknown;
	/* allowlist: let the process create threads but not processes:
	 * clone() only with CLONE_THREAD, clone3() fails with ENOSYS (its
	 * flags are behind a pointer seccomp cannot read; glibc then falls
	 * back to clone()). */
	int allow_threads;
};

/* Building blocks for allowlists. harden_sys_base: what the C library and
 * threads need (memory without exec mappings is up to the role: mmap and
 * mprotect are NOT in it), time, signals, exit. harden_sys_nng: what NNG
 * needs to serve ipc:// (epoll, eventfd, pipes, unix sockets but not
 * socket() itself, which the role allows for AF_UNIX with a rule). */
extern const char *const harden_sys_base[];
extern const char *const harden_sys_nng[];
/* The argument-checked rows every worker's allowlist has: mmap/mprotect
 * without PROT_EXEC, the stdio/NNG ioctls (FIONREAD, FIONBIO, TCGETS,
 * TIOCGWINSZ), prctl PR_SET_NAME/PR_GET_NAME/PR_SET_PDEATHSIG/
 * PR_GET_DUMPABLE. For .shared_rules. */
extern const struct harden_rule harden_rules_worker[];

struct harden_rlimit {
	int resource; /* RLIMIT_* */
	rlim_t cur, max;
};

/* Landlock filesystem rights (the kernel's LANDLOCK_ACCESS_FS_* bits,
 * named here because Debian 12's headers stop at ABI 3). A rule's rights
 * that the running kernel does not know are dropped. */
#define HARDEN_LL_EXECUTE (1ULL << 0)
#define HARDEN_LL_WRITE_FILE (1ULL << 1)
#define HARDEN_LL_READ_FILE (1ULL << 2)
#define HARDEN_LL_READ_DIR (1ULL << 3)
#define HARDEN_LL_REMOVE_DIR (1ULL << 4)
#define HARDEN_LL_REMOVE_FILE (1ULL << 5)
#define HARDEN_LL_MAKE_CHAR (1ULL << 6)
#define HARDEN_LL_MAKE_DIR (1ULL << 7)
#define HARDEN_LL_MAKE_REG (1ULL << 8)
#define HARDEN_LL_MAKE_SOCK (1ULL << 9)
#define HARDEN_LL_MAKE_FIFO (1ULL << 10)
#define HARDEN_LL_MAKE_BLOCK (1ULL << 11)
#define HARDEN_LL_MAKE_SYM (1ULL << 12)
#define HARDEN_LL_REFER (1ULL << 13)     /* ABI 2 */
#define HARDEN_LL_TRUNCATE (1ULL << 14)  /* ABI 3 */
#define HARDEN_LL_IOCTL_DEV (1ULL << 15) /* ABI 5 */
#define HARDEN_LL_READ (HARDEN_LL_READ_FILE | HARDEN_LL_READ_DIR)
/* everything that changes the filesystem */
#define HARDEN_LL_WRITE                                                                            \
	(HARDEN_LL_WRITE_FILE | HARDEN_LL_REMOVE_DIR | HARDEN_LL_REMOVE_FILE | HARDEN_LL_MAKE_CHAR |   \
	 HARDEN_LL_MAKE_DIR | HARDEN_LL_MAKE_REG | HARDEN_LL_MAKE_SOCK | HARDEN_LL_MAKE_FIFO |        \
	 HARDEN_LL_MAKE_BLOCK | HARDEN_LL_MAKE_SYM | HARDEN_LL_REFER | HARDEN_LL_TRUNCATE)
#define HARDEN_LL_ALL (~0ULL) /* every right the kernel knows */

/* A rule: rights beneath a directory (or on a file), given as an fd or a
 * path (opened O_PATH while the rule is added; fd < 0 to use the path). */
struct harden_ll_rule {
	int fd;
	const char *path;
	uint64_t access;
};

/* The rights in `handled` are denied everywhere but where a rule grants
 * them; rights not handled stay unrestricted (the jail handles only the
 * writes: its mounts already choose what can be read). scope: from ABI 6,
 * signals and abstract unix sockets are confined to the domain too. */
struct harden_landlock {
	uint64_t handled;
	const struct harden_ll_rule *rules;
	size_t nrules;
	int scope;
};

struct harden_opts {
	const int *keep_fds; /* besides 0, 1, 2 */
	size_t nkeep;
	const char *const *keep_env; /* NULL-terminated names; NULL: keep none */
	int unshare_net;             /* new network namespace, no interfaces */
	const struct harden_rlimit *rlimits;
	size_t nrlimits;
	const struct harden_landlock *landlock; /* NULL: no Landlock */
	const struct harden_policy *seccomp;    /* NULL: no filter */
};

/* All steps above, in order; fatalx() with the step's name on failure. */
void harden_apply(const struct harden_opts *o);

/* The steps one by one (for tests and for workers that need to interleave
 * their own setup). Each returns 0, or -1 with a message in err. */
int harden_fds_close(const int *keep, size_t nkeep, char *err, size_t errlen);
void harden_env_scrub(const char *const *keep);
int harden_netns_enter(char *err, size_t errlen);
int harden_caps_drop(char *err, size_t errlen);
int harden_caps_verify(char *err, size_t errlen);
int harden_rlimits_set(const struct harden_rlimit *l, size_t n, char *err, size_t errlen);
int harden_nnp_set(char *err, size_t errlen);
int harden_seccomp_install(const struct harden_policy *p, char *err, size_t errlen);

/* Landlock. harden_landlock_abi(): the kernel's ABI version, 0 when it has
 * none (or it is disabled); harden_landlock_known(abi): the rights it
 * knows. harden_landlock_apply(): returns 1 when the restriction is in
 * force, 0 when the kernel lacks Landlock (nothing is logged: the caller
 * says so; the other layers still apply), -1 with err. Needs no_new_privs.
 * Neither allocates nor logs, so a child between fork and exec may call it. */
int harden_landlock_abi(void);
uint64_t harden_landlock_known(int abi);
int harden_landlock_apply(const struct harden_landlock *l, char *err, size_t errlen);

#endif
