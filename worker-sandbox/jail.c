/*
 * jail.c — the `jail` driver, worker side: prepare the plan, start the
 * jail's pid 1 in new user, mount, pid, net, ipc and uts namespaces (the
 * cgroup namespace follows once it sits in its cgroups), map its ids,
 * place it in its cgroups, let it go, and capture the command.
 *
 * Identity (rationale): kylecode runs as root on the host, and a jailed
 * command must not be host root even without capabilities (root-owned
 * files would be writable through any path we failed to hide). The user
 * namespace therefore maps two unprivileged host ids and never host root:
 *   inside 0    -> host host_uid-1  (pid 1, which builds the jail)
 *   inside 1000 -> host host_uid    (the command, user "agent")
 * The workspace is bound through an id-mapped mount that shows its owner's
 * files as owned by host_uid, so the command can write them and what it
 * creates lands on disk owned by the workspace's owner. Without id-mapped
 * mounts (or when not started as root) the worker's own uid is mapped to 0
 * inside instead; doctor reports which mode is in use.
 *
 * One jail per command (not per session): nothing a command leaves behind
 * (processes, /tmp files, shell state) reaches the next one, and a
 * compromised command cannot wait for the next to be started near it.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/core/xmalloc.h"
#include "worker-sandbox/sbx_int.h"

#define JAIL_CMD_UID 1000

struct kc_clone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};

static int
jail_write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

static int
jail_write_maps(pid_t pid, const struct sbx *s)
{
	char path[64], map[128];

	if (s->idmap_userns_fd >= 0)
		snprintf(map, sizeof map, "0 %u 1\n%u %u 1\n", s->host_uid - 1, JAIL_CMD_UID,
		         s->host_uid);
	else
		snprintf(map, sizeof map, "0 %u 1\n", (unsigned)getuid());
	snprintf(path, sizeof path, "/proc/%d/uid_map", (int)pid);
	if (jail_write_file(path, map) != 0)
		return -1;
	if (s->idmap_userns_fd < 0) {
		snprintf(path, sizeof path, "/proc/%d/setgroups", (int)pid);
		jail_write_file(path, "deny");
		snprintf(map, sizeof map, "0 %u 1\n", (unsigned)getgid());
	}
	snprintf(path, sizeof path, "/proc/%d/gid_map", (int)pid);
	return jail_write_file(path, map);
}

/*
 * A user namespace whose only mapping is owner -> host_uid: used as the
 * id-mapping of the workspace mount. Made once per worker by a short-lived
 * child; the namespace lives on through the returned descriptor.
 */
int
jail_idmap_userns(uid_t owner, gid_t group, uint32_t host_uid, char *err, size_t errlen)
{
	char path[64], map[64];
	int ready[2], done[2], fd = -1;
	pid_t pid;
	char c = 0;

	if (pipe2(ready, O_CLOEXEC) != 0)
		return -1;
	if (pipe2(done, O_CLOEXEC) != 0) {
		close(ready[0]);
		close(ready[1]);
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		close(ready[0]);
		close(done[1]);
		if (unshare(CLONE_NEWUSER) != 0)
			_exit(1);
		(void)!write(ready[1], "r", 1);
		(void)!read(done[0], &c, 1); /* parent maps, opens, then closes */
		_exit(0);
	}
	close(ready[1]);
	close(done[0]);
	if (pid < 0 || read(ready[0], &c, 1) != 1)
		goto out;
	snprintf(map, sizeof map, "%u %u 1\n", (unsigned)owner, host_uid);
	snprintf(path, sizeof path, "/proc/%d/uid_map", (int)pid);
	if (jail_write_file(path, map) != 0)
		goto out;
	snprintf(map, sizeof map, "%u %u 1\n", (unsigned)group, host_uid);
	snprintf(path, sizeof path, "/proc/%d/gid_map", (int)pid);
	if (jail_write_file(path, map) != 0)
		goto out;
	snprintf(path, sizeof path, "/proc/%d/ns/user", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
out:
	if (fd < 0)
		snprintf(err, errlen, "id-mapping user namespace: %s", strerror(errno));
	close(ready[0]);
	close(done[1]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	return fd;
}

/* The workspace as a detached mount, id-mapped when we can. */
static int
jail_ws_mount(const struct sbx *s, struct sbx_result *res)
{
	struct mount_attr a;
	int fd = (int)syscall(SYS_open_tree, AT_FDCWD, s->workspace,
	                      OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);

	if (fd < 0) {
		sbx_fail(res, "open_tree %s: %s", s->workspace, strerror(errno));
		return -1;
	}
	memset(&a, 0, sizeof a);
	a.attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
	if (s->idmap_userns_fd >= 0) {
		a.attr_set |= MOUNT_ATTR_IDMAP;
		a.userns_fd = (uint64_t)s->idmap_userns_fd;
	}
	if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &a, sizeof a) != 0) {
		sbx_fail(res, "id-mapped mount of %s: %s", s->workspace, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static char **
jail_strv_dup(char *const *v)
{
	size_t n = 0, i;
	char **out;

	while (v[n] != NULL)
		n++;
	out = xcalloc(n + 1, sizeof *out);
	for (i = 0; i < n; i++)
		out[i] = xstrdup(v[i]);
	return out;
}

static int
jail_plan_fill(struct sbx *s, const struct sbx_req *req, struct jail_plan *p,
               struct sbx_result *res)
{
	char *rel = sbx_cwd_rel(req->cwd);

	memset(p, 0, sizeof *p);
	p->s = s;
	/* A private copy: the child wipes the worker's original argv and
	 * environment memory (see jail_child.c), which may hold req->argv. */
	p->argv_copy = jail_strv_dup(req->argv);
	p->argv = p->argv_copy;
	sbx_limits_resolve(&req->lim, &p->lim);
	p->git_ro = !(req->git_writable || s->git_writable);
	p->in_uid = s->idmap_userns_fd >= 0 ? JAIL_CMD_UID : 0;
	if (rel == NULL) {
		sbx_fail(res, "cwd %s leaves the workspace", req->cwd);
		return -1;
	}
	snprintf(p->cwd, sizeof p->cwd, "%s%s%s", SBX_WS_PATH, *rel ? "/" : "", rel);
	free(rel);
	snprintf(p->tmp_opts, sizeof p->tmp_opts, "mode=1777,size=%llu",
	         (unsigned long long)p->lim.tmp_bytes);
	p->envp = sbx_env_build(s, req, "/tmp");
	p->ws_mnt_fd = p->out_w = p->err_w = p->status_w = p->go_r = -1;
	return 0;
}

static void
jail_kill(struct sbx_proc *p, void *arg)
{
	(void)arg;
	/* Killing the namespace's init kills every process in it. */
	if (p->pidfd >= 0)
		syscall(SYS_pidfd_send_signal, p->pidfd, SIGKILL, NULL, 0);
}

static pid_t
jail_clone(const struct jail_plan *p)
{
	struct kc_clone_args a;
	pid_t pid;

	memset(&a, 0, sizeof a);
	a.flags =
	    CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS;
	a.exit_signal = SIGCHLD;
	pid = (pid_t)syscall(SYS_clone3, &a, sizeof a);
	if (pid == 0)
		jail_child_main(p);
	return pid;
}

static void
jail_close(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Starts init and releases it; fills proc. */
static int
jail_start(struct sbx *s, struct jail_plan *p, struct jail_cgroup *cg, struct sbx_proc *proc,
           struct sbx_result *res)
{
	int out[2] = {-1, -1}, err[2] = {-1, -1}, st[2] = {-1, -1}, go[2] = {-1, -1}, i;
	int *all[] = {out, err, st, go};
	pid_t pid;

	if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0 || pipe2(st, O_CLOEXEC) != 0 ||
	    pipe2(go, O_CLOEXEC) != 0) {
		sbx_fail(res, "pipes: %s", strerror(errno));
		for (i = 0; i < 4; i++) {
			jail_close(&all[i][0]);
			jail_close(&all[i][1]);
		}
		return -1;
	}
	p->out_w = out[1];
	p->err_w = err[1];
	p->status_w = st[1];
	p->go_r = go[0];
	pid = jail_clone(p);
	jail_close(&out[1]);
	jail_close(&err[1]);
	jail_close(&st[1]);
	jail_close(&go[0]);
	proc->pid = pid;
	proc->out_fd = out[0];
	proc->err_fd = err[0];
	proc->status_fd = st[0];
	proc->kill = jail_kill;
	if (pid < 0) {
		sbx_fail(res, "clone (user/mount/pid/net namespaces): %s", strerror(errno));
		jail_close(&go[1]);
		return -1;
	}
	if (jail_write_maps(pid, s) != 0 || jail_cgroup_attach(cg, pid) != 0 ||
	    write(go[1], "g", 1) != 1) {
		sbx_fail(res, "jail setup (id maps / cgroup) for pid %d: %s", (int)pid,
		         strerror(errno));
		kill(pid, SIGKILL);
		jail_close(&go[1]);
		return 0; /* the capture loop reaps it */
	}
	jail_close(&go[1]);
	return 0;
}

static int
jail_run(struct sbx *s, const struct sbx_req *req, struct sbx_result *res)
{
	struct jail_plan plan;
	struct jail_cgroup cg;
	struct sbx_proc proc = {
	    .pid = -1, .out_fd = -1, .err_fd = -1, .status_fd = -1, .pidfd = -1};
	char name[64];
	int rc = -1, failed;

	if (jail_plan_fill(s, req, &plan, res) != 0)
		return -1;
	snprintf(name, sizeof name, "kc-%d-%lu", (int)getpid(),
	         __atomic_add_fetch(&s->seq, 1, __ATOMIC_RELAXED));
	jail_cgroup_create(&cg, name, &plan.lim);
	plan.ws_mnt_fd = jail_ws_mount(s, res);
	if (plan.ws_mnt_fd < 0)
		goto out;
	failed = jail_start(s, &plan, &cg, &proc, res) != 0;
	jail_close(&plan.ws_mnt_fd);
	if (failed && proc.pid < 0)
		goto out;
	rc = sbx_capture_run(&proc, req, res);
	if (!res->timed_out && res->signal == SIGKILL && res->killed_reason[0] == '\0')
		snprintf(res->killed_reason, sizeof res->killed_reason, "%s",
		         jail_cgroup_reason(&cg));
	if (res->setup_failed)
		rc = -1;
out:
	jail_close(&plan.ws_mnt_fd);
	jail_cgroup_destroy(&cg);
	sbx_strv_free(plan.envp);
	sbx_strv_free(plan.argv_copy);
	return rc;
}

const struct sbx_driver_ops sbx_jail_ops = {SBX_JAIL, jail_run};
