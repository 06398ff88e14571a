/*
 * spawn.c — start a host program (the `process` driver's command, or the
 * runsc / docker front ends) with stdin from /dev/null, stdout/stderr on
 * pipes, its own process group, and no descriptor but 0-2. The child only
 * makes system calls: the worker is multi-threaded.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "worker-sandbox/sbx_int.h"
#include "worker-sandbox/spawn.h"

static void __attribute__((noreturn)) spawn_child(const struct spawn_opts *o, int out_w, int err_w)
{
	struct rlimit r;
	int fd;

	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	setpgid(0, 0);
	fd = open("/dev/null", O_RDONLY);
	if (fd < 0 || dup2(fd, 0) != 0 || dup2(out_w, 1) != 1 || dup2(err_w, 2) != 2)
		_exit(125);
	if (o->cwd != NULL && chdir(o->cwd) != 0)
		_exit(125);
	if (o->lim != NULL) {
		r.rlim_cur = r.rlim_max = o->lim->fsize_bytes;
		setrlimit(RLIMIT_FSIZE, &r);
		r.rlim_cur = r.rlim_max = o->lim->nofile;
		setrlimit(RLIMIT_NOFILE, &r);
		r.rlim_cur = r.rlim_max = o->lim->memory_bytes * 4;
		setrlimit(RLIMIT_AS, &r);
		r.rlim_cur = r.rlim_max = 0;
		setrlimit(RLIMIT_CORE, &r);
	}
	syscall(SYS_close_range, 3, ~0u, 0);
	execve(o->path, o->argv, o->envp);
	_exit(errno == ENOENT ? 127 : 126);
}

int
sbx_spawn(const struct spawn_opts *o, struct sbx_proc *proc, struct sbx_result *res)
{
	int out[2], err[2];
	pid_t pid;

	if (pipe2(out, O_CLOEXEC) != 0) {
		sbx_fail(res, "pipe: %s", strerror(errno));
		return -1;
	}
	if (pipe2(err, O_CLOEXEC) != 0) {
		sbx_fail(res, "pipe: %s", strerror(errno));
		close(out[0]);
		close(out[1]);
		return -1;
	}
	/* With newpid the program is its namespace's init: when it dies,
	 * everything it started dies with it. */
	pid = (pid_t)syscall(SYS_clone, SIGCHLD | (o->newpid ? CLONE_NEWPID : 0), 0, 0, 0, 0);
	if (pid == 0)
		spawn_child(o, out[1], err[1]);
	close(out[1]);
	close(err[1]);
	if (pid < 0) {
		sbx_fail(res, "fork: %s", strerror(errno));
		close(out[0]);
		close(err[0]);
		return -1;
	}
	setpgid(pid, pid); /* both sides, so the group exists before any kill */
	proc->pid = pid;
	proc->out_fd = out[0];
	proc->err_fd = err[0];
	proc->status_fd = -1;
	proc->pidfd = -1;
	return 0;
}

void
sbx_kill_group(struct sbx_proc *p, void *arg)
{
	(void)arg;
	/* The group outlives its leader only while members remain, so the
	 * pgid cannot have been reused. */
	kill(-p->pid, SIGKILL);
}

/* Searches PATH of the worker for a front end (runsc, docker). */
int
sbx_which(const char *prog, char *out, size_t outlen)
{
	static const char *const dirs[] = {"/usr/local/sbin", "/usr/local/bin", "/usr/sbin",
	                                   "/usr/bin",        "/sbin",          "/bin"};
	size_t i;

	for (i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		if ((size_t)snprintf(out, outlen, "%s/%s", dirs[i], prog) >= outlen)
			continue;
		if (access(out, X_OK) == 0)
			return 0;
	}
	return -1;
}

/*
 * gVisor reports a missing or non-executable program as its own failure
 * (runsc: exit 128; docker with runsc: a failed start that leaves a
 * containerd shim behind for good), so check first, as a shell would:
 * argv[0] in the sandbox's PATH (the same /usr as the host's) or under
 * /workspace. Returns 0 (go on), or 1 with res filled: exit 126 or 127
 * and the shell's message on stderr.
 */
int
sbx_prog_precheck(const struct sbx *s, const struct sbx_req *req, struct sbx_result *res)
{
	const char *prog = req->argv[0];
	char buf[4096];
	int rc = 0;

	if (strncmp(prog, SBX_WS_PATH "/", sizeof SBX_WS_PATH) == 0) {
		snprintf(buf, sizeof buf, "%s/%s", s->workspace, prog + sizeof SBX_WS_PATH);
		rc = access(buf, F_OK) != 0 ? 127 : access(buf, X_OK) != 0 ? 126 : 0;
	} else if (strchr(prog, '/') == NULL && sbx_which(prog, buf, sizeof buf) != 0) {
		rc = 127;
	} /* else relative to the cwd, or another absolute path: the runtime decides */
	if (rc == 0)
		return 0;
	res->exit_code = rc;
	strbuf_addf(&res->err, "kylecode: %s: %s\n", prog, rc == 127 ? "command not found" : "Permission denied");
	if (req->on_output != NULL)
		req->on_output(2, res->err.buf, res->err.len, req->arg);
	return 1;
}
