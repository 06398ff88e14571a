/* kylecode-tools' confinement, forked and tested one wall at a time: the
 * seccomp allowlist kills what the worker must never do (exec, fork, inet
 * sockets, executable memory) and allows what it does (files, threads,
 * unix sockets); Landlock keeps file access beneath the workspace. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "worker-tools/policy.h"

/* Runs fn in a child under the filter; returns its wait status. */
static int
under_filter(int (*fn)(void))
{
	pid_t pid = fork();
	int st;

	cr_assert_neq(pid, -1);
	if (pid == 0) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
		    tool_policy_install_seccomp() != 0)
			_exit(100);
		_exit(fn());
	}
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	return st;
}

static void
assert_killed(int st, const char *what)
{
#ifdef KC_SANITIZE
	(void)st;
	cr_skip("%s: sanitizer builds log instead of killing", what);
#else
	cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS,
	          "%s was not killed by the filter (status %#x)", what, st);
#endif
}

static int
do_exec(void)
{
	char *argv[] = {"/bin/true", NULL};

	execv(argv[0], argv);
	return 1;
}

static int
do_fork(void)
{
	return fork() >= 0 ? 0 : 1;
}

static int
do_inet(void)
{
	return socket(AF_INET, SOCK_STREAM, 0) >= 0 ? 0 : 1;
}

static int
do_exec_mem(void)
{
	return mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) !=
	               MAP_FAILED
	           ? 0
	           : 1;
}

static void *
thread_fn(void *arg)
{
	return arg;
}

static int
do_allowed(void)
{
	char path[] = "/tmp/kc_policy_XXXXXX";
	pthread_t th;
	int fd = mkstemp(path), s;

	if (fd < 0 || write(fd, "x", 1) != 1 || fsync(fd) != 0 || close(fd) != 0 ||
	    unlink(path) != 0)
		return 2;
	if (pthread_create(&th, NULL, thread_fn, NULL) != 0 || pthread_join(th, NULL) != 0)
		return 3;
	if ((s = socket(AF_UNIX, SOCK_STREAM, 0)) < 0)
		return 4;
	close(s);
	return 0;
}

Test(tools_policy, exec_is_killed)
{
	assert_killed(under_filter(do_exec), "execve");
}

Test(tools_policy, fork_is_killed)
{
	assert_killed(under_filter(do_fork), "fork");
}

Test(tools_policy, inet_socket_is_killed)
{
	assert_killed(under_filter(do_inet), "socket(AF_INET)");
}

Test(tools_policy, executable_mapping_is_killed)
{
	assert_killed(under_filter(do_exec_mem), "mmap(PROT_EXEC)");
}

Test(tools_policy, files_threads_and_unix_sockets_are_allowed)
{
	int st = under_filter(do_allowed);

	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x", st);
}

Test(tools_policy, landlock_confines_files_to_the_workspace)
{
	char ws[] = "/tmp/kc_ll_XXXXXX", inside[64];
	pid_t pid;
	int st, fd;

	cr_assert_not_null(mkdtemp(ws));
	snprintf(inside, sizeof(inside), "%s/a.txt", ws);
	pid = fork();
	if (pid == 0) {
		int wfd = open(ws, O_PATH | O_DIRECTORY), rc;

		if (wfd < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
			_exit(10);
		if ((rc = tool_policy_landlock(wfd, NULL, NULL, 0)) == 0)
			_exit(77); /* kernel without Landlock */
		if (rc < 0)
			_exit(11);
		if ((fd = open(inside, O_WRONLY | O_CREAT, 0644)) < 0)
			_exit(12);
		close(fd);
		if (open("/etc/hostname", O_RDONLY) >= 0 || errno != EACCES)
			_exit(13);
		if (open("/tmp/kc_ll_outside", O_WRONLY | O_CREAT, 0644) >= 0)
			_exit(14);
		_exit(0);
	}
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	unlink(inside);
	rmdir(ws);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 77)
		cr_skip("Landlock not offered by this kernel");
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x", st);
}
