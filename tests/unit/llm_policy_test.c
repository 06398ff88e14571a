/* worker-llm's confinement, applied in a forked child (it closes every fd
 * but 0-2, so never in Criterion's own process): what must still work,
 * and what must fail or kill. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "worker-llm/policy.h"

/* Exit codes of the child: 0 = behaved as expected. */
typedef int (*probe_fn)(void);

static int
run_confined(probe_fn fn, const char *rundir)
{
	struct worker_args wa = {
	    .req_url = "ipc:///nonexistent/llm.req", .ev_url = "x", .rundir = rundir};
	int st;
	pid_t pid = fork();

	cr_assert_neq(pid, -1);
	if (pid == 0) {
		llm_policy_apply(&wa);
		_exit(fn());
	}
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	return st;
}

static char rundir[64];

static void
mk_rundir(void)
{
	snprintf(rundir, sizeof(rundir), "/tmp/kc-llm-pol.XXXXXX");
	cr_assert_not_null(mkdtemp(rundir));
}

static void
rm_rundir(void)
{
	char p[96];

	snprintf(p, sizeof(p), "%s/sock", rundir);
	unlink(p);
	rmdir(rundir);
}

static int
probe_allowed(void)
{
	char p[96], buf[16];
	int fd = open("/etc/hosts", O_RDONLY), s;
	struct sockaddr_un {
		sa_family_t f;
		char path[108];
	} un = {AF_UNIX, {0}};

	if (fd < 0 || read(fd, buf, sizeof(buf)) <= 0)
		return 10; /* reading resolver files must work */
	close(fd);
	if ((s = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return 11;
	{ /* name resolution (NSS, netlink for AI_ADDRCONFIG) inside the filter */
		struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_ADDRCONFIG};
		struct addrinfo *res = NULL;

		if (getaddrinfo("localhost", "443", &hints, &res) != 0)
			return 14;
		freeaddrinfo(res);
	}
	close(s);
	if ((s = socket(AF_INET6, SOCK_DGRAM, 0)) < 0 && errno != EAFNOSUPPORT)
		return 12;
	if (s >= 0)
		close(s);
	/* NNG makes its socket file in the runtime directory. */
	snprintf(p, sizeof(p), "%s/sock", rundir);
	snprintf(un.path, sizeof(un.path), "%s", p);
	if ((s = socket(AF_UNIX, SOCK_STREAM, 0)) < 0 || bind(s, (void *)&un, sizeof(un)) < 0)
		return 13;
	close(s);
	return 0;
}

static int
probe_write_open(void)
{
	int fd = open("/tmp/kc-llm-pol-should-not-exist", O_WRONLY | O_CREAT, 0600);

	return fd < 0 && errno == EACCES ? 0 : 20;
}

static int
probe_read_outside(void)
{
	/* The workspace and $HOME are out of reach (Landlock). /tmp (the
	 * runtime dir's parent) stands for "anything outside /etc, /usr and
	 * the runtime dir". */
	int fd = open("/tmp", O_RDONLY | O_DIRECTORY);

	return fd < 0 && errno == EACCES ? 0 : 30;
}

static int
probe_exec(void)
{
	char *argv[] = {"/bin/true", NULL};

	execve("/bin/true", argv, NULL);
	return 40; /* not killed */
}

static int
probe_packet_socket(void)
{
	socket(AF_PACKET, SOCK_RAW, 0);
	return 41;
}

static int
probe_exec_mapping(void)
{
	mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return 42;
}

static int
probe_fork(void)
{
	pid_t p = fork();

	if (p == 0)
		_exit(0);
	return 43;
}

Test(llm_policy, resolver_files_inet_sockets_and_rundir_still_work, .init = mk_rundir,
     .fini = rm_rundir)
{
	int st = run_confined(probe_allowed, rundir);

	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x", st);
}

Test(llm_policy, opening_a_file_for_writing_fails_with_eacces, .init = mk_rundir, .fini = rm_rundir)
{
	int st = run_confined(probe_write_open, rundir);

	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x", st);
	cr_assert_neq(access("/tmp/kc-llm-pol-should-not-exist", F_OK), 0);
}

Test(llm_policy, reading_outside_etc_usr_and_rundir_is_refused, .init = mk_rundir,
     .fini = rm_rundir)
{
	int st;

	if (syscall(444 /* landlock_create_ruleset */, NULL, 0, 1) <= 0)
		cr_skip_test("no Landlock on this kernel");
	st = run_confined(probe_read_outside, rundir);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x", st);
}

#ifdef KC_SANITIZE
#define SKIP_KILLS() cr_skip_test("sanitizer builds log instead of killing")
#else
#define SKIP_KILLS() (void)0
#endif

static void
assert_killed(probe_fn fn)
{
	int st = run_confined(fn, rundir);

	cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS, "status %#x: not killed by SIGSYS",
	          st);
}

Test(llm_policy, execve_kills, .init = mk_rundir, .fini = rm_rundir)
{
	SKIP_KILLS();
	assert_killed(probe_exec);
}

Test(llm_policy, packet_socket_kills, .init = mk_rundir, .fini = rm_rundir)
{
	SKIP_KILLS();
	assert_killed(probe_packet_socket);
}

Test(llm_policy, executable_mapping_kills, .init = mk_rundir, .fini = rm_rundir)
{
	SKIP_KILLS();
	assert_killed(probe_exec_mapping);
}

Test(llm_policy, fork_kills, .init = mk_rundir, .fini = rm_rundir)
{
	SKIP_KILLS();
	assert_killed(probe_fork);
}

Test(llm_policy, nss_hosts_modules_to_preload)
{
	char names[8][32];
	size_t n;

	n = llm_policy_nss_hosts("hosts:   files mdns4_minimal [NOTFOUND=return] dns myhostname\n",
	                         names, 8);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(names[0], "mdns4_minimal");
	cr_assert_str_eq(names[1], "myhostname");
	cr_assert_eq(llm_policy_nss_hosts("hosts: files dns # comment resolve\n", names, 8), 0);
	cr_assert_eq(llm_policy_nss_hosts("passwd: files systemd\n", names, 8), 0);
	cr_assert_eq(llm_policy_nss_hosts("hosts: resolve [!UNAVAIL=return] files", names, 1), 1);
	cr_assert_str_eq(names[0], "resolve");
}
