/*
 * runsc.c — the `runsc` driver: the command under gVisor, from an OCI
 * bundle we write per command (`runsc run`), not `runsc do`.
 *
 * Rationale: `runsc do` shows the whole host filesystem read-only (with
 * /etc/shadow) and sends workspace writes to a throw-away overlay. A bundle
 * gives the same view as the jail: an empty read-only root, /usr and the
 * needed /etc files bound read-only, the workspace read-write at
 * /workspace (.git read-only), a size-capped tmpfs /tmp, no network, no
 * capabilities, no_new_privs, rlimits, memory/pids limits. The command is
 * uid 0 *inside gVisor* (so it can write the root-owned workspace): gVisor's
 * Sentry is the kernel it talks to, and the Sentry runs unprivileged.
 *
 * runsc runs as pid 1 of a pid namespace of its own, so killing it at the
 * deadline kills the gofer and the sandbox with it, and a per-command
 * state directory leaves no container record behind.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "lib/core/xmalloc.h"
#include "worker-sandbox/oci.h"
#include "worker-sandbox/sbx_int.h"
#include "worker-sandbox/spawn.h"

static int
runsc_rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void
runsc_rm_tree(const char *dir)
{
	nftw(dir, runsc_rm_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

static void
runsc_argv(char **av, const char *runsc, const char *state, const char *bundle, const char *id)
{
	int n = 0;

	av[n++] = "runsc";
	av[n++] = xasprintf("--root=%s", state);
	av[n++] = "--network=none";
	av[n++] = "--oci-seccomp"; /* the jail's deny-list, from config.json */
	av[n++] = "run";
	av[n++] = xasprintf("--bundle=%s", bundle);
	av[n++] = (char *)id;
	av[n] = NULL;
	(void)runsc;
}

/* runsc (as root) makes a cgroup named after the container in every
 * hierarchy and removes it only on `runsc delete`, which we do not need
 * otherwise (the state directory is ours and goes away). The sandbox is
 * gone when we get here, so the cgroups are empty: remove them. */
static int
runsc_cgroup_rmdir_all(const char *id)
{
	char path[512];
	struct dirent *e;
	DIR *d = opendir("/sys/fs/cgroup");
	int busy = 0;

	if (d == NULL)
		return 0;
	snprintf(path, sizeof path, "/sys/fs/cgroup/%s", id);
	if (rmdir(path) != 0 && errno == EBUSY) /* the v2 hierarchy mounted at the root */
		busy = 1;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "/sys/fs/cgroup/%s/%s", e->d_name, id);
		if (rmdir(path) != 0 && errno == EBUSY)
			busy = 1;
	}
	closedir(d);
	return busy;
}

/* runsc (as root) makes a cgroup named after the container in every
 * hierarchy and removes it only on `runsc delete`, which we do not need
 * otherwise (the state directory is ours and goes away). The sandbox's
 * processes may still be exiting when runsc itself has: cgroup v1 has no
 * event for "empty", so retry briefly (<= 1 s); a worker's start sweeps
 * what is left of dead workers (jail_cgroup_sweep). */
static void
runsc_cgroups_remove(const char *id)
{
	int i;

	for (i = 0; i < 100 && runsc_cgroup_rmdir_all(id); i++)
		usleep(10000);
}

static int
runsc_run(struct sbx *s, const struct sbx_req *req, struct sbx_result *res)
{
	struct sbx_proc proc = {.pid = -1, .pidfd = -1};
	struct spawn_opts o;
	char runsc[256], dir[] = "/tmp/kc-runsc-XXXXXX", state[300], id[64], *av[9];
	char *env[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL};
	int rc = -1;

	if (sbx_which("runsc", runsc, sizeof runsc) != 0) {
		sbx_fail(res, "runsc: not installed (apt-get install runsc)");
		return -1;
	}
	if (sbx_prog_precheck(s, req, res))
		return 0;
	if (mkdtemp(dir) == NULL) {
		sbx_fail(res, "runsc bundle dir: %s", strerror(errno));
		return -1;
	}
	snprintf(state, sizeof state, "%s/state", dir);
	snprintf(id, sizeof id, "kc-%d-%lu", (int)getpid(),
	         __atomic_add_fetch(&s->seq, 1, __ATOMIC_RELAXED));
	if (oci_bundle_write(s, req, dir, res) != 0)
		goto out;
	runsc_argv(av, runsc, state, dir, id);
	memset(&o, 0, sizeof o);
	o.path = runsc;
	o.argv = av;
	o.envp = env;
	o.cwd = dir;
	o.newpid = 0;
	if (sbx_spawn(&o, &proc, res) == 0) {
		proc.kill = sbx_kill_group;
		rc = sbx_capture_run(&proc, req, res);
	}
	free(av[1]);
	free(av[5]);
out:
	runsc_cgroups_remove(id);
	runsc_rm_tree(dir);
	return rc;
}

const struct sbx_driver_ops sbx_runsc_ops = {SBX_RUNSC, runsc_run};
