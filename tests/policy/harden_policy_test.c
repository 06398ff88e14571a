/* harden_policy_test.c — lib/harden in a forked child: each test applies a
 * step (or a whole policy) and probes that what it forbids now fails and
 * what it allows still works. The child reports through its exit status:
 * 0 = as expected, otherwise the number of the failed probe. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/harden/harden.h"

static int
in_child(int (*fn)(void))
{
	int st;
	pid_t pid = fork();

	cr_assert_geq(pid, 0);
	if (pid == 0)
		_exit(fn());
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	return st;
}

/* st is evaluated once: it is usually in_child(...), which forks. */
#define EXPECT_EXIT0(st)                                                                           \
	do {                                                                                       \
		int st_ = (st);                                                                    \
		cr_assert(WIFEXITED(st_) && WEXITSTATUS(st_) == 0, "child: %s %d",                 \
		          WIFEXITED(st_) ? "failed probe" : "killed by signal",                    \
		          WIFEXITED(st_) ? WEXITSTATUS(st_) : WTERMSIG(st_));                      \
	} while (0)

/* An allowlist without execve and with socket() for AF_UNIX only. */
static const struct harden_rule unix_only[] = {
    {"socket", 1, {SCMP_A0(SCMP_CMP_EQ, AF_UNIX, 0)}},
    {"mmap", 1, {SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)}},
};
static const char *const test_allowed[] = {"getcwd", "openat", NULL};

static const struct harden_policy allow_eperm = {
    .role = "test",
    .mode = HARDEN_ALLOWLIST,
    .lists = {harden_sys_base, harden_sys_nng, test_allowed},
    .rules = unix_only,
    .nrules = 2,
    .deny_action = HARDEN_DENY_ERRNO,
    .allow_threads = 1,
};

static int
probe_allowlist(void)
{
	char err[256], buf[64];
	char *const argv[] = {"/bin/true", NULL};
	int fd;

	if (harden_nnp_set(err, sizeof(err)) < 0 ||
	    harden_seccomp_install(&allow_eperm, err, sizeof(err)) < 0)
		return 1;
	if (getcwd(buf, sizeof(buf)) == NULL) /* allowed */
		return 2;
	errno = 0;
	if (execve(argv[0], argv, NULL) != -1 || errno != EPERM)
		return 3;
	errno = 0;
	if (socket(AF_INET, SOCK_STREAM, 0) != -1 || errno != EPERM)
		return 4;
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0) /* allowed by the rule */
		return 5;
	errno = 0;
	if (mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) !=
	        MAP_FAILED ||
	    errno != EPERM)
		return 6;
	if (mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED)
		return 7;
	errno = 0;
	if (fork() != -1 || errno != EPERM) /* clone without CLONE_THREAD */
		return 8;
	return 0;
}

Test(harden_seccomp, allowlist_denies_execve_inet_exec_mappings_and_fork)
{
	EXPECT_EXIT0(in_child(probe_allowlist));
}

static int
probe_kill(void)
{
	static const struct harden_policy p = {.role = "test",
	                                       .mode = HARDEN_ALLOWLIST,
	                                       .lists = {harden_sys_base},
	                                       .deny_action = HARDEN_DENY_KILL};
	char err[256];

	if (harden_nnp_set(err, sizeof(err)) < 0 ||
	    harden_seccomp_install(&p, err, sizeof(err)) < 0)
		return 1;
	syscall(SYS_getcwd, err, sizeof(err)); /* not listed: SIGSYS */
	return 2;
}

Test(harden_seccomp, allowlist_kill_ends_the_process_with_sigsys)
{
	int st = in_child(probe_kill);

	cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS, "status 0x%x", st);
}

static int
probe_denylist(void)
{
	static const char *const denied[] = {"ptrace", "chown", NULL};
	static const struct harden_rule no_inet[] = {
	    {"socket", 1, {SCMP_A0(SCMP_CMP_EQ, AF_INET, 0)}}};
	static const struct harden_policy p = {.role = "test",
	                                       .mode = HARDEN_DENYLIST,
	                                       .lists = {denied},
	                                       .rules = no_inet,
	                                       .nrules = 1,
	                                       .deny_action = HARDEN_DENY_ERRNO,
	                                       .deny_errno = EACCES};
	char err[256];
	int fd;

	if (harden_nnp_set(err, sizeof(err)) < 0 ||
	    harden_seccomp_install(&p, err, sizeof(err)) < 0)
		return 1;
	errno = 0;
	if (chown("/", 0, 0) != -1 || errno != EACCES)
		return 2;
	errno = 0;
	if (socket(AF_INET, SOCK_DGRAM, 0) != -1 || errno != EACCES)
		return 3;
	if ((fd = socket(AF_UNIX, SOCK_DGRAM, 0)) < 0) /* not listed */
		return 4;
	close(fd);
	if (getpid() <= 0)
		return 5;
	return 0;
}

Test(harden_seccomp, denylist_denies_listed_calls_with_the_errno_and_allows_the_rest)
{
	EXPECT_EXIT0(in_child(probe_denylist));
}

Test(harden_seccomp, unknown_syscall_name_is_an_error_naming_it)
{
	static const char *const bad[] = {"no_such_call", NULL};
	struct harden_policy p = {.role = "typo", .mode = HARDEN_ALLOWLIST, .lists = {bad}};
	char err[256] = "";

	/* fails before loading anything, so it is safe in the test process */
	cr_assert_eq(harden_seccomp_install(&p, err, sizeof(err)), -1);
	cr_assert(strstr(err, "no_such_call") != NULL, "%s", err);
}

static int
probe_caps(void)
{
	char err[256];
	char path[] = "/tmp/kc-harden-XXXXXX";
	int fd = mkstemp(path), rc = 0;

	if (fd < 0)
		return 1;
	if (harden_caps_drop(err, sizeof(err)) < 0 || harden_caps_verify(err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		rc = 2;
	} else if (geteuid() == 0 && (fchown(fd, 4321, 4321) != -1 || errno != EPERM)) {
		rc = 3; /* root without CAP_CHOWN */
	} else if (prctl(PR_CAPBSET_READ, CAP_SYS_ADMIN, 0, 0, 0) == 1 && geteuid() == 0) {
		rc = 4;
	}
	close(fd);
	unlink(path);
	return rc;
}

Test(harden_caps, all_sets_empty_and_root_loses_chown)
{
	EXPECT_EXIT0(in_child(probe_caps));
}

static int
probe_netns(void)
{
	struct sockaddr_in a;
	char err[256];
	struct stat before, after;
	int fd;

	if (stat("/proc/self/ns/net", &before) < 0 || harden_netns_enter(err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (stat("/proc/self/ns/net", &after) < 0 || after.st_ino == before.st_ino)
		return 2;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons(9);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return 3;
	errno = 0;
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != -1 || errno != ENETUNREACH)
		return 4; /* not even loopback is up */
	return 0;
}

Test(harden_netns, new_namespace_cannot_reach_even_loopback)
{
	EXPECT_EXIT0(in_child(probe_netns));
}

static int
probe_fds_env_rlimits(void)
{
	static const char *const keep_env[] = {"KEEP_ME", NULL};
	struct rlimit rl;
	char err[256];
	int keep = dup2(0, 40), gone = dup2(0, 41), gone2 = dup2(0, 7);

	setenv("KEEP_ME", "1", 1);
	setenv("SECRET_KEY", "x", 1);
	if (keep < 0 || gone < 0 || gone2 < 0 || harden_fds_close(&keep, 1, err, sizeof(err)) < 0)
		return 1;
	if (fcntl(40, F_GETFD) < 0 || fcntl(41, F_GETFD) != -1 || fcntl(7, F_GETFD) != -1)
		return 2;
	if (fcntl(2, F_GETFD) < 0)
		return 3;
	harden_env_scrub(keep_env);
	if (getenv("SECRET_KEY") != NULL || getenv("PATH") != NULL || getenv("KEEP_ME") == NULL)
		return 4;
	if (harden_rlimits_set(NULL, 0, err, sizeof(err)) < 0 || getrlimit(RLIMIT_CORE, &rl) < 0 ||
	    rl.rlim_cur != 0 || rl.rlim_max != 0)
		return 5;
	if (harden_nnp_set(err, sizeof(err)) < 0 || prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
		return 6;
	return 0;
}

Test(harden_steps, fds_env_rlimits_and_no_new_privs)
{
	EXPECT_EXIT0(in_child(probe_fds_env_rlimits));
}

static char ll_dir[64];

static int
probe_landlock(void)
{
	struct harden_ll_rule rule = {-1, NULL, HARDEN_LL_ALL};
	struct harden_landlock l = {HARDEN_LL_ALL, &rule, 1, 0};
	char err[256], path[128];
	int dfd = open(ll_dir, O_RDONLY | O_DIRECTORY), fd;

	if (dfd < 0 || harden_nnp_set(err, sizeof(err)) < 0)
		return 1;
	rule.fd = dfd;
	if (harden_landlock_apply(&l, err, sizeof(err)) != 1)
		return 2;
	snprintf(path, sizeof(path), "%s/inside", ll_dir);
	if ((fd = open(path, O_WRONLY | O_CREAT, 0600)) < 0)
		return 3;
	close(fd);
	errno = 0;
	if (open("/tmp/kc-landlock-outside", O_WRONLY | O_CREAT, 0600) != -1 || errno != EACCES)
		return 4;
	errno = 0;
	if (open("/etc/hostname", O_RDONLY) != -1 || errno != EACCES)
		return 5;
	return 0;
}

/* The jail's shape: only writes handled (reads stay free), allowed beneath
 * one directory by path, a read-only rule that grants nothing to write,
 * and the ABI 6 scope. */
static char ll_ro_dir[64];

static int
probe_landlock_writes_only(void)
{
	char path[128], err[256];
	struct harden_ll_rule rules[2] = {{-1, ll_dir, HARDEN_LL_WRITE}, {-1, ll_ro_dir, HARDEN_LL_READ}};
	struct harden_landlock l = {HARDEN_LL_WRITE, rules, 2, 1};
	int fd;

	if (harden_nnp_set(err, sizeof(err)) < 0)
		return 1;
	if (harden_landlock_apply(&l, err, sizeof(err)) != 1)
		return 2;
	snprintf(path, sizeof(path), "%s/inside", ll_dir);
	if ((fd = open(path, O_WRONLY | O_CREAT, 0600)) < 0)
		return 3;
	close(fd);
	if ((fd = open("/etc/hostname", O_RDONLY)) < 0) /* reads are not handled */
		return 4;
	close(fd);
	snprintf(path, sizeof(path), "%s/x", ll_ro_dir);
	errno = 0;
	if (open(path, O_WRONLY | O_CREAT, 0600) != -1 || errno != EACCES)
		return 5;
	errno = 0;
	if (open("/tmp/kc-landlock-outside", O_WRONLY | O_CREAT, 0600) != -1 || errno != EACCES)
		return 6;
	/* a missing rule path is an error naming it, not a silent hole */
	rules[0].path = "/nonexistent/kc";
	if (harden_landlock_apply(&l, err, sizeof(err)) != -1 || strstr(err, "/nonexistent/kc") == NULL)
		return 7;
	return 0;
}

Test(harden_landlock, writes_only_handled_as_the_jail_does)
{
	char cmd[192];

	if (harden_landlock_abi() == 0)
		cr_skip_test("Landlock is not available on this kernel");
	snprintf(ll_dir, sizeof(ll_dir), "/tmp/kc-ll.XXXXXX");
	cr_assert_not_null(mkdtemp(ll_dir));
	snprintf(ll_ro_dir, sizeof(ll_ro_dir), "/tmp/kc-ll-ro.XXXXXX");
	cr_assert_not_null(mkdtemp(ll_ro_dir));
	EXPECT_EXIT0(in_child(probe_landlock_writes_only));
	cr_assert_eq(access("/tmp/kc-landlock-outside", F_OK), -1);
	cr_assert_eq(harden_landlock_known(1) & HARDEN_LL_REFER, 0);
	cr_assert_neq(harden_landlock_known(3) & HARDEN_LL_TRUNCATE, 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s'", ll_dir, ll_ro_dir);
	cr_expect_eq(system(cmd), 0);
}

Test(harden_landlock, writes_and_reads_only_beneath_the_directory)
{
	if (harden_landlock_abi() == 0)
		cr_skip_test("Landlock is not available on this kernel");
	snprintf(ll_dir, sizeof(ll_dir), "/tmp/kc-ll.XXXXXX");
	cr_assert_not_null(mkdtemp(ll_dir));
	EXPECT_EXIT0(in_child(probe_landlock));
	cr_assert_eq(access("/tmp/kc-landlock-outside", F_OK), -1);
}

static int
probe_apply_all(void)
{
	static const struct harden_rlimit lim[] = {{RLIMIT_NOFILE, 64, 64}};
	struct harden_opts o = {
	    .unshare_net = 1, .rlimits = lim, .nrlimits = 1, .seccomp = &allow_eperm};
	char *const argv[] = {"/bin/true", NULL};
	struct rlimit rl;

	harden_apply(&o); /* fatal on any failure: exit 1 */
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur != 64)
		return 2;
	errno = 0;
	if (execve(argv[0], argv, NULL) != -1 || errno != EPERM)
		return 3;
	return 0;
}

Test(harden_apply, whole_order_runs_and_leaves_a_confined_process)
{
	EXPECT_EXIT0(in_child(probe_apply_all));
}
