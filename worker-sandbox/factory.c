/*
 * factory.c — sbx_factory_create(): the one place sandboxes are made (the
 * prototype's SandboxFactory). It resolves and checks the workspace, picks
 * the driver, and prepares the per-worker state the driver needs.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/mount.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "lib/core/log.h"
#include "lib/core/xmalloc.h"
#include "worker-sandbox/sbx_int.h"

static const char *const sbx_names[SBX_NDRIVERS] = {"jail", "runsc", "docker", "process"};
static const struct sbx_driver_ops *const sbx_ops[SBX_NDRIVERS] = {
    &sbx_jail_ops, &sbx_runsc_ops, &sbx_docker_ops, &sbx_process_ops};

const char *
sbx_driver_name(enum sbx_driver_id id)
{
	return id < SBX_NDRIVERS ? sbx_names[id] : "?";
}

int
sbx_driver_parse(const char *name)
{
	int i;

	for (i = 0; name != NULL && i < SBX_NDRIVERS; i++)
		if (strcmp(name, sbx_names[i]) == 0)
			return i;
	return -1;
}

const char *
sbx_workspace(const struct sbx *s)
{
	return s->workspace;
}

/* Does an id-mapped mount of the workspace work here? */
static int
sbx_idmap_works(const char *ws, int userns_fd)
{
	struct mount_attr a;
	int fd = (int)syscall(SYS_open_tree, AT_FDCWD, ws, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	int rc;

	if (fd < 0)
		return 0;
	memset(&a, 0, sizeof a);
	a.attr_set = MOUNT_ATTR_IDMAP;
	a.userns_fd = (uint64_t)userns_fd;
	rc = (int)syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH, &a, sizeof a);
	close(fd);
	return rc == 0;
}

/* The id-mapping user namespace of the workspace (jail, and docker with
 * runc): owner -> host_uid. Left -1 (and said) where it cannot work. */
static void
sbx_idmap_prepare(struct sbx *s, char *err, size_t errlen)
{
	struct stat st;

	s->idmap_userns_fd = -1;
	if (geteuid() != 0 || stat(s->workspace, &st) != 0)
		return;
	s->idmap_userns_fd = jail_idmap_userns(st.st_uid, st.st_gid, s->host_uid, err, errlen);
	if (s->idmap_userns_fd >= 0 && !sbx_idmap_works(s->workspace, s->idmap_userns_fd)) {
		log_warnx("sbx: id-mapped mounts do not work on %s; commands run as the "
		          "workspace owner's uid (jail: the worker's), without capabilities",
		          s->workspace);
		close(s->idmap_userns_fd);
		s->idmap_userns_fd = -1;
	}
	err[0] = '\0';
}

static int
sbx_jail_prepare(struct sbx *s, char *err, size_t errlen)
{
	if (jail_seccomp_build(&s->seccomp, err, errlen) != 0)
		return -1;
	jail_cgroup_sweep();
	sbx_idmap_prepare(s, err, errlen);
	return 0;
}

static int
sbx_write_profile(const char *path, int gvisor, char *err, size_t errlen)
{
	cJSON *prof = jail_seccomp_oci(gvisor);
	char *text = cJSON_PrintUnformatted(prof);
	FILE *f = fopen(path, "we");
	int ok = f != NULL && text != NULL && fputs(text, f) >= 0;

	if (f != NULL && fclose(f) != 0)
		ok = 0;
	free(text);
	cJSON_Delete(prof);
	if (!ok)
		snprintf(err, errlen, "writing %s: %s", path, strerror(errno));
	return ok ? 0 : -1;
}

/* The docker driver's seccomp profiles (runc, runsc): the jail's
 * deny-list, as files `--security-opt seccomp=` can read, in a private
 * 0700 directory. */
static int
sbx_docker_prepare(struct sbx *s, char *err, size_t errlen)
{
	char dir[] = "/tmp/kc-sbx-XXXXXX";

	if (mkdtemp(dir) == NULL) {
		snprintf(err, errlen, "docker seccomp profile dir: %s", strerror(errno));
		return -1;
	}
	s->private_dir = xstrdup(dir);
	s->seccomp_profile = xasprintf("%s/seccomp.json", dir);
	s->seccomp_profile_gvisor = xasprintf("%s/seccomp-gvisor.json", dir);
	if (sbx_write_profile(s->seccomp_profile, 0, err, errlen) != 0 ||
	    sbx_write_profile(s->seccomp_profile_gvisor, 1, err, errlen) != 0)
		return -1;
	return 0;
}

static char **
sbx_strv_dup(char *const *v)
{
	size_t n = 0, i;
	char **out;

	while (v != NULL && v[n] != NULL)
		n++;
	out = xcalloc(n + 1, sizeof *out);
	for (i = 0; i < n; i++)
		out[i] = xstrdup(v[i]);
	return out;
}

struct sbx *
sbx_factory_create(const struct sbx_config *cfg, char *err, size_t errlen)
{
	char real[PATH_MAX];
	struct stat st;
	struct sbx *s;

	if (cfg->workspace == NULL || realpath(cfg->workspace, real) == NULL ||
	    stat(real, &st) != 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "workspace %s: %s",
		         cfg->workspace ? cfg->workspace : "(none)",
		         cfg->workspace ? strerror(errno ? errno : ENOTDIR) : "not given");
		return NULL;
	}
	if (cfg->driver >= SBX_NDRIVERS) {
		snprintf(err, errlen, "unknown sandbox driver %d", (int)cfg->driver);
		return NULL;
	}
	s = xcalloc(1, sizeof *s);
	s->ops = sbx_ops[cfg->driver];
	s->workspace = xstrdup(real);
	s->image = xstrdup(cfg->image ? cfg->image : SBX_DOCKER_IMAGE);
	s->runtime = xstrdup(cfg->runtime ? cfg->runtime : "runc");
	s->env_allow = sbx_strv_dup(cfg->env_allow);
	s->git_writable = cfg->git_writable;
	s->host_uid = cfg->host_uid ? cfg->host_uid : 65534;
	s->idmap_userns_fd = -1;
	if (cfg->driver == SBX_JAIL && sbx_jail_prepare(s, err, errlen) != 0) {
		sbx_free(s);
		return NULL;
	}
	if (cfg->driver == SBX_DOCKER)
		sbx_idmap_prepare(s, err, errlen);
	if (cfg->driver == SBX_DOCKER && sbx_docker_prepare(s, err, errlen) != 0) {
		sbx_free(s);
		return NULL;
	}
	if (cfg->driver == SBX_PROCESS)
		log_warnx("sbx: driver 'process' gives NO isolation (development only): "
		          "commands run with the worker's own rights");
	return s;
}

void
sbx_free(struct sbx *s)
{
	if (s == NULL)
		return;
	if (s->idmap_userns_fd >= 0)
		close(s->idmap_userns_fd);
	free(s->seccomp.filter);
	if (s->seccomp_profile != NULL)
		unlink(s->seccomp_profile);
	if (s->seccomp_profile_gvisor != NULL)
		unlink(s->seccomp_profile_gvisor);
	free(s->seccomp_profile_gvisor);
	if (s->private_dir != NULL)
		rmdir(s->private_dir);
	free(s->seccomp_profile);
	free(s->private_dir);
	free(s->workspace);
	free(s->image);
	free(s->runtime);
	sbx_strv_free(s->env_allow);
	free(s);
}

int
sbx_run(struct sbx *s, const struct sbx_req *req, struct sbx_result *res)
{
	if (req->argv == NULL || req->argv[0] == NULL || req->argv[0][0] == '\0') {
		sbx_fail(res, "empty command");
		return -1;
	}
	return s->ops->run(s, req, res);
}
