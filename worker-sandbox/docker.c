/*
 * docker.c — the `docker` driver: `docker run` with the gaps of Docker's
 * defaults closed, and optionally gVisor (`--runtime=runsc`).
 *
 * Rationale: Docker's defaults keep 14 capabilities, allow setuid gains,
 * give a writable root and a network. We pass --cap-drop ALL,
 * no-new-privileges, --read-only, --network none, pids/memory/ulimit
 * limits, a private cgroup namespace, a size-capped /tmp, and the jail's
 * own seccomp deny-list as the profile (Docker's default allows ptrace,
 * io_uring and personality flags); Docker's /proc masking stays on. The image carries only mount
 * points; /usr (and the /etc files programs need) come from the host
 * read-only, the workspace read-write at /workspace, .git read-only.
 *
 * Identity: with runc the container shares the host's uids (no userns
 * remapping is configured). As in the jail, the command runs as the
 * unprivileged host_uid, and the workspace is bound from an id-mapped mount
 * that shows its owner's files as host_uid's (docker_ws_mount). Where
 * id-mapped mounts do not work it runs as the workspace owner's uid (host
 * root for a root-owned workspace, without capabilities): docs/SANDBOX.md.
 * Under runsc, uid 0 is gVisor's, not the host's.
 *
 * The container is not our child (the engine runs it), so the deadline
 * runs `docker kill` on its unique name as well as killing the CLI.
 */
#include <errno.h>
#include <linux/mount.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/core/xmalloc.h"
#include "worker-sandbox/sbx_int.h"
#include "worker-sandbox/spawn.h"

#define DOCKER_MAX_ARGS 160

static const char *const docker_etc[] = {"ld.so.cache",     "ld.so.conf", "alternatives",
                                         "nsswitch.conf",   "localtime",  "ssl",
                                         "ca-certificates", "python3",    "gitconfig"};
static const char *const docker_sysdirs[] = {"bin", "sbin", "lib", "lib32", "lib64", "libx32"};

struct docker_args {
	char *v[DOCKER_MAX_ARGS];
	int n;
};

static void
docker_add(struct docker_args *a, char *owned)
{
	if (a->n < DOCKER_MAX_ARGS - 1)
		a->v[a->n++] = owned;
	else
		free(owned);
	a->v[a->n] = NULL;
}

static void
docker_free(struct docker_args *a)
{
	int i;

	for (i = 0; i < a->n; i++)
		free(a->v[i]);
	a->n = 0;
}

static void
docker_mounts(struct docker_args *a, const struct sbx *s, const struct sbx_req *req, const char *ws)
{
	struct stat st;
	size_t i;

	docker_add(a, xstrdup("-v"));
	docker_add(a, xstrdup("/usr:/usr:ro"));
	for (i = 0; i < sizeof docker_sysdirs / sizeof docker_sysdirs[0]; i++) {
		char p[64];

		snprintf(p, sizeof p, "/%s", docker_sysdirs[i]);
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
			docker_add(a, xstrdup("-v"));
			docker_add(a, xasprintf("%s:%s:ro", p, p));
		}
	}
	for (i = 0; i < sizeof docker_etc / sizeof docker_etc[0]; i++) {
		char *p = xasprintf("/etc/%s", docker_etc[i]);

		if (stat(p, &st) == 0) {
			docker_add(a, xstrdup("-v"));
			docker_add(a, xasprintf("%s:%s:ro", p, p));
		}
		free(p);
	}
	docker_add(a, xstrdup("-v"));
	docker_add(a, xasprintf("%s:%s:rw", ws, SBX_WS_PATH));
	if (!(req->git_writable || s->git_writable)) {
		char *g = xasprintf("%s/.git", ws);

		if (lstat(g, &st) == 0 && !S_ISLNK(st.st_mode)) {
			docker_add(a, xstrdup("-v"));
			docker_add(a, xasprintf("%s:%s/.git:ro", g, SBX_WS_PATH));
		}
		free(g);
	}
}

static void
docker_limits(struct docker_args *a, const struct sbx_limits *l)
{
	docker_add(a, xasprintf("--pids-limit=%u", l->pids));
	if (l->cpu_milli > 0)
		docker_add(a, xasprintf("--cpus=%u.%03u", l->cpu_milli / 1000, l->cpu_milli % 1000));
	docker_add(a, xasprintf("--memory=%llu", (unsigned long long)l->memory_bytes));
	docker_add(a, xasprintf("--memory-swap=%llu", (unsigned long long)l->memory_bytes));
	docker_add(a, xasprintf("--ulimit=nofile=%u:%u", l->nofile, l->nofile));
	docker_add(a, xasprintf("--ulimit=fsize=%llu:%llu", (unsigned long long)l->fsize_bytes,
	                        (unsigned long long)l->fsize_bytes));
	docker_add(a, xstrdup("--ulimit=core=0:0"));
	/* exec: as in the jail (compilers build and run test programs in /tmp) */
	docker_add(a, xasprintf("--tmpfs=/tmp:rw,exec,nosuid,nodev,size=%llu,mode=1777",
	                        (unsigned long long)l->tmp_bytes));
}

static int
docker_build(struct docker_args *a, const struct sbx *s, const struct sbx_req *req,
             const char *name, const char *cwd, const char *ws)
{
	static const char *const fixed[] = {"docker",
	                                    "run",
	                                    "--rm",
	                                    "--network=none",
	                                    "--read-only",
	                                    "--cap-drop=ALL",
	                                    "--security-opt=no-new-privileges",
	                                    "--cgroupns=private",
	                                    "--ipc=private",
	                                    "--hostname=kylecode",
	                                    "--log-driver=none"};
	const char *runtime = req->runtime ? req->runtime : s->runtime;
	int gvisor = strcmp(runtime, "runsc") == 0;
	struct sbx_limits lim;
	struct stat st;
	char **env;
	size_t i;

	sbx_limits_resolve(&req->lim, &lim);
	for (i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		docker_add(a, xstrdup(fixed[i]));
	docker_add(a, xasprintf("--name=%s", name));
	docker_add(a, xasprintf("--security-opt=seccomp=%s",
	                        gvisor ? s->seccomp_profile_gvisor : s->seccomp_profile));
	docker_add(a, xasprintf("--runtime=%s", runtime));
	/* runc: the unprivileged host_uid over the id-mapped workspace, or
	 * (no id-mapped mounts here) the workspace owner; gVisor: its uid 0. */
	if (gvisor || stat(s->workspace, &st) != 0)
		st.st_uid = st.st_gid = 0;
	if (!gvisor && strcmp(ws, s->workspace) != 0)
		st.st_uid = st.st_gid = s->host_uid;
	docker_add(a, xasprintf("--user=%u:%u", (unsigned)st.st_uid, (unsigned)st.st_gid));
	docker_limits(a, &lim);
	docker_mounts(a, s, req, ws);
	docker_add(a, xasprintf("--workdir=%s", cwd));
	env = sbx_env_build(s, req, "/tmp");
	for (i = 0; env[i] != NULL; i++)
		docker_add(a, xasprintf("--env=%s", env[i]));
	sbx_strv_free(env);
	docker_add(a, xstrdup(req->image ? req->image : s->image));
	for (i = 0; req->argv[i] != NULL; i++)
		docker_add(a, xstrdup(req->argv[i]));
	return a->n < DOCKER_MAX_ARGS - 1 ? 0 : -1;
}

/*
 * runc shares the host's uids, so to keep the command off host root it runs
 * as host_uid over an id-mapped copy of the workspace mount (owner ->
 * host_uid, as in the jail), attached at a private path for the engine to
 * bind. Returns the path to bind (dir when mounted, else the workspace),
 * NULL with res failed.
 */
static const char *
docker_ws_mount(struct sbx *s, const struct sbx_req *req, const char *name, char *dir,
                size_t dirlen, struct sbx_result *res)
{
	const char *runtime = req->runtime ? req->runtime : s->runtime;
	struct mount_attr ma;
	int fd;

	dir[0] = '\0';
	if (s->idmap_userns_fd < 0 || strcmp(runtime, "runsc") == 0)
		return s->workspace;
	snprintf(dir, dirlen, "%s/%s", s->private_dir, name);
	if (mkdir(dir, 0700) != 0) {
		sbx_fail(res, "docker: mount point %s: %s", dir, strerror(errno));
		dir[0] = '\0';
		return NULL;
	}
	fd = (int)syscall(SYS_open_tree, AT_FDCWD, s->workspace,
	                  OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	memset(&ma, 0, sizeof ma);
	ma.attr_set = MOUNT_ATTR_IDMAP | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
	ma.userns_fd = (uint64_t)s->idmap_userns_fd;
	if (fd < 0 ||
	    syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &ma, sizeof ma) != 0 ||
	    syscall(SYS_move_mount, fd, "", AT_FDCWD, dir, MOVE_MOUNT_F_EMPTY_PATH) != 0) {
		sbx_fail(res, "docker: id-mapped workspace mount at %s: %s", dir, strerror(errno));
		if (fd >= 0)
			close(fd);
		rmdir(dir);
		dir[0] = '\0';
		return NULL;
	}
	close(fd);
	return dir;
}

static void
docker_ws_unmount(char *dir)
{
	if (dir[0] == '\0')
		return;
	umount2(dir, MNT_DETACH);
	rmdir(dir);
}

struct docker_kill {
	char docker[256];
	char name[64];
};

static char *docker_env[] = {"PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", "HOME=/root",
                             NULL};

#define DOCKER_KILL_WAIT_MS 10000

/* At the deadline: stop the CLI (and so the output) at once, then have the
 * engine kill the container, waiting a bounded time for `docker kill`. */
static void
docker_kill_fn(struct sbx_proc *p, void *arg)
{
	struct docker_kill *k = arg;
	char *av[] = {"docker", "kill", k->name, NULL};
	struct sbx_result scratch;
	struct spawn_opts o = {.path = k->docker, .argv = av, .envp = docker_env};
	struct sbx_proc kp = {.pid = -1};
	struct pollfd pf;
	int st;

	sbx_kill_group(p, NULL);
	sbx_result_init(&scratch);
	if (sbx_spawn(&o, &kp, &scratch) == 0) {
		close(kp.out_fd);
		close(kp.err_fd);
		pf.fd = (int)syscall(SYS_pidfd_open, kp.pid, 0);
		pf.events = POLLIN;
		if (pf.fd < 0 || poll(&pf, 1, DOCKER_KILL_WAIT_MS) <= 0)
			kill(-kp.pid, SIGKILL);
		if (pf.fd >= 0)
			close(pf.fd);
		waitpid(kp.pid, &st, 0);
	}
	sbx_result_free(&scratch);
}

static int
docker_run(struct sbx *s, const struct sbx_req *req, struct sbx_result *res)
{
	struct docker_args a = {.n = 0};
	struct docker_kill k;
	struct sbx_proc proc = {.pid = -1, .pidfd = -1};
	struct spawn_opts o;
	char cwd[4096], wsdir[512] = "", *rel = sbx_cwd_rel(req->cwd);
	const char *ws;
	int rc = -1;

	if (rel == NULL) {
		sbx_fail(res, "cwd %s leaves the workspace", req->cwd);
		return -1;
	}
	snprintf(cwd, sizeof cwd, "%s%s%s", SBX_WS_PATH, *rel ? "/" : "", rel);
	free(rel);
	if (sbx_which("docker", k.docker, sizeof k.docker) != 0) {
		sbx_fail(res, "docker: CLI not installed (apt-get install docker.io)");
		return -1;
	}
	/* With gVisor, a program that cannot start fails the container's
	 * start, which leaves a containerd shim running for good: check first. */
	if (strcmp(req->runtime ? req->runtime : s->runtime, "runsc") == 0 && sbx_prog_precheck(s, req, res))
		return 0;
	snprintf(k.name, sizeof k.name, "kc-%d-%lu", (int)getpid(),
	         __atomic_add_fetch(&s->seq, 1, __ATOMIC_RELAXED));
	ws = docker_ws_mount(s, req, k.name, wsdir, sizeof wsdir, res);
	if (ws == NULL)
		goto out;
	if (docker_build(&a, s, req, k.name, cwd, ws) != 0) {
		sbx_fail(res, "docker: command line too long");
		goto out;
	}
	memset(&o, 0, sizeof o);
	o.path = k.docker;
	o.argv = a.v;
	o.envp = docker_env;
	if (sbx_spawn(&o, &proc, res) == 0) {
		proc.kill = docker_kill_fn;
		proc.kill_arg = &k;
		rc = sbx_capture_run(&proc, req, res);
		/* The CLI's own failures (no engine, no image) are 125. */
		if (rc == 0 && res->exit_code == 125 && !res->timed_out) {
			sbx_fail(res, "docker run failed: %.300s", strbuf_str(&res->err));
			rc = -1;
		}
	}
out:
	docker_ws_unmount(wsdir);
	docker_free(&a);
	return rc;
}

const struct sbx_driver_ops sbx_docker_ops = {SBX_DOCKER, docker_run};
