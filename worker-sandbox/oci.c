/*
 * oci.c — the OCI bundle (rootfs + config.json) of a runsc command: the
 * same filesystem view and limits as the jail, in OCI terms.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "lib/core/xmalloc.h"
#include "worker-sandbox/oci.h"

static const char *const oci_sysdirs[] = {"bin", "sbin", "lib", "lib32", "lib64", "libx32"};
/* Copied into the rootfs rather than bound: every bind mount costs gVisor a
 * gofer mount at start, and these are small. */
static const char *const oci_etc[] = {"ld.so.cache",  "ld.so.conf",    "ld.so.conf.d",
                                      "alternatives", "nsswitch.conf", "localtime",
                                      "protocols",    "services",      "gitconfig"};
static const char *const oci_masked[] = {"/proc/kcore",       "/proc/keys", "/proc/timer_list",
                                         "/proc/sched_debug", "/proc/acpi", "/proc/scsi",
                                         "/sys/firmware"};
static const char *const oci_ro[] = {"/proc/sys", "/proc/sysrq-trigger", "/proc/irq", "/proc/bus",
                                     "/proc/fs"};

/* Copies host path src (file, symlink, or a directory of those, one
 * level) to dst. Missing sources are skipped. */
static int
oci_copy(const char *src, const char *dst, int depth)
{
	char buf[65536], *s2, *d2;
	struct stat st;
	struct dirent *e;
	ssize_t n;
	DIR *d;
	int in, out, rc = 0;

	if (lstat(src, &st) != 0)
		return 0;
	if (S_ISLNK(st.st_mode)) {
		n = readlink(src, buf, sizeof buf - 1);
		if (n < 0)
			return -1;
		buf[n] = '\0';
		return symlink(buf, dst);
	}
	if (S_ISDIR(st.st_mode)) {
		if (depth > 0 || mkdir(dst, 0755) != 0 || (d = opendir(src)) == NULL)
			return depth > 0 ? 0 : -1;
		while (rc == 0 && (e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			s2 = xasprintf("%s/%s", src, e->d_name);
			d2 = xasprintf("%s/%s", dst, e->d_name);
			rc = oci_copy(s2, d2, depth + 1);
			free(s2);
			free(d2);
		}
		closedir(d);
		return rc;
	}
	if (!S_ISREG(st.st_mode))
		return 0;
	if ((in = open(src, O_RDONLY | O_CLOEXEC)) < 0)
		return 0; /* unreadable: the command would not see it either */
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	while (out >= 0 && (n = read(in, buf, sizeof buf)) > 0)
		if (write(out, buf, (size_t)n) != n)
			rc = -1;
	if (out < 0 || close(out) != 0)
		rc = -1;
	close(in);
	return rc;
}

static int
oci_write(const char *dir, const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644), rc = -1;

	free(path);
	if (fd < 0)
		return -1;
	if (write(fd, text, strlen(text)) == (ssize_t)strlen(text))
		rc = 0;
	if (close(fd) != 0)
		rc = -1;
	return rc;
}

static void
oci_mount(cJSON *mounts, const char *dst, const char *type, const char *src, const char *opts)
{
	cJSON *m = cJSON_CreateObject(), *o = cJSON_CreateArray();
	char *copy = xstrdup(opts), *tok, *save;

	cJSON_AddStringToObject(m, "destination", dst);
	cJSON_AddStringToObject(m, "type", type);
	cJSON_AddStringToObject(m, "source", src);
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		cJSON_AddItemToArray(o, cJSON_CreateString(tok));
	cJSON_AddItemToObject(m, "options", o);
	cJSON_AddItemToArray(mounts, m);
	free(copy);
}

/* rootfs: empty dirs for the mount points, the host's /bin-style links. */
static int
oci_rootfs(const char *root)
{
	static const char *const dirs[] = {"usr", "etc", "workspace", "tmp", "proc", "dev", "sys"};
	char path[4096], link[256], host[64];
	ssize_t n;
	size_t i;

	if (mkdir(root, 0755) != 0)
		return -1;
	for (i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", root, dirs[i]);
		if (mkdir(path, 0755) != 0)
			return -1;
	}
	for (i = 0; i < sizeof oci_sysdirs / sizeof oci_sysdirs[0]; i++) {
		snprintf(host, sizeof host, "/%s", oci_sysdirs[i]);
		snprintf(path, sizeof path, "%s/%s", root, oci_sysdirs[i]);
		n = readlink(host, link, sizeof link - 1);
		if (n > 0) {
			link[n] = '\0';
			if (symlink(link, path) != 0)
				return -1;
		} else if (access(host, F_OK) == 0 && mkdir(path, 0755) != 0) {
			return -1;
		}
	}
	for (i = 0; i < sizeof oci_etc / sizeof oci_etc[0]; i++) {
		snprintf(host, sizeof host, "/etc/%s", oci_etc[i]);
		snprintf(path, sizeof path, "%s/etc/%s", root, oci_etc[i]);
		if (oci_copy(host, path, 0) != 0)
			return -1;
	}
	snprintf(path, sizeof path, "%s/etc", root);
	if (oci_write(path, "passwd", "root:x:0:0:root:/tmp:/bin/sh\n") != 0 ||
	    oci_write(path, "group", "root:x:0:\n") != 0 ||
	    oci_write(path, "hosts", "127.0.0.1\tlocalhost kylecode\n::1\tlocalhost\n") != 0 ||
	    oci_write(path, "hostname", "kylecode\n") != 0 ||
	    oci_write(path, "resolv.conf", "# no network\n") != 0)
		return -1;
	return 0;
}

static void
oci_add_mounts(cJSON *spec, const struct sbx *s, const struct sbx_req *req,
               const struct sbx_limits *lim)
{
	cJSON *mounts = cJSON_AddArrayToObject(spec, "mounts");
	char src[256], dst[256], opts[64];
	struct stat st;
	size_t i;

	oci_mount(mounts, "/proc", "proc", "proc", "nosuid,noexec,nodev");
	oci_mount(mounts, "/dev", "tmpfs", "tmpfs", "nosuid,strictatime,mode=755,size=65536k");
	oci_mount(mounts, "/usr", "bind", "/usr", "rbind,ro,nosuid,nodev");
	for (i = 0; i < sizeof oci_sysdirs / sizeof oci_sysdirs[0]; i++) {
		snprintf(src, sizeof src, "/%s", oci_sysdirs[i]);
		if (lstat(src, &st) == 0 && S_ISDIR(st.st_mode))
			oci_mount(mounts, src, "bind", src, "rbind,ro,nosuid,nodev");
	}
	oci_mount(mounts, SBX_WS_PATH, "bind", s->workspace, "rbind,rw,nosuid,nodev");
	snprintf(src, sizeof src, "%s/.git", s->workspace);
	snprintf(dst, sizeof dst, "%s/.git", SBX_WS_PATH);
	if (!(req->git_writable || s->git_writable) && lstat(src, &st) == 0 && !S_ISLNK(st.st_mode))
		oci_mount(mounts, dst, "bind", src, "rbind,ro,nosuid,nodev");
	snprintf(opts, sizeof opts, "nosuid,nodev,mode=1777,size=%llu",
	         (unsigned long long)lim->tmp_bytes);
	oci_mount(mounts, "/tmp", "tmpfs", "tmpfs", opts);
}

static void
oci_add_rlimit(cJSON *arr, const char *type, uint64_t v)
{
	cJSON *r = cJSON_CreateObject();

	cJSON_AddStringToObject(r, "type", type);
	cJSON_AddNumberToObject(r, "hard", (double)v);
	cJSON_AddNumberToObject(r, "soft", (double)v);
	cJSON_AddItemToArray(arr, r);
}

static void
oci_add_process(cJSON *spec, const struct sbx *s, const struct sbx_req *req,
                const struct sbx_limits *lim, const char *cwd)
{
	static const char *const capsets[] = {"bounding", "effective", "inheritable", "permitted",
	                                      "ambient"};
	cJSON *p = cJSON_AddObjectToObject(spec, "process"), *a, *caps, *rl, *u;
	char **env = sbx_env_build(s, req, "/tmp");
	size_t i;

	cJSON_AddBoolToObject(p, "terminal", 0);
	u = cJSON_AddObjectToObject(p, "user");
	cJSON_AddNumberToObject(u, "uid", 0);
	cJSON_AddNumberToObject(u, "gid", 0);
	a = cJSON_AddArrayToObject(p, "args");
	for (i = 0; req->argv[i] != NULL; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(req->argv[i]));
	a = cJSON_AddArrayToObject(p, "env");
	for (i = 0; env[i] != NULL; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(env[i]));
	sbx_strv_free(env);
	cJSON_AddStringToObject(p, "cwd", cwd);
	caps = cJSON_AddObjectToObject(p, "capabilities");
	for (i = 0; i < sizeof capsets / sizeof capsets[0]; i++)
		cJSON_AddArrayToObject(caps, capsets[i]);
	cJSON_AddBoolToObject(p, "noNewPrivileges", 1);
	rl = cJSON_AddArrayToObject(p, "rlimits");
	oci_add_rlimit(rl, "RLIMIT_NOFILE", lim->nofile);
	oci_add_rlimit(rl, "RLIMIT_FSIZE", lim->fsize_bytes);
	oci_add_rlimit(rl, "RLIMIT_CORE", 0);
	oci_add_rlimit(rl, "RLIMIT_NPROC", lim->pids);
	oci_add_rlimit(rl, "RLIMIT_DATA", lim->memory_bytes);
}

static void
oci_add_linux(cJSON *spec, const struct sbx_limits *lim)
{
	static const char *const ns[] = {"pid", "network", "ipc", "uts", "mount"};
	cJSON *l = cJSON_AddObjectToObject(spec, "linux"), *a, *r, *o;
	size_t i;

	a = cJSON_AddArrayToObject(l, "namespaces");
	for (i = 0; i < sizeof ns / sizeof ns[0]; i++) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "type", ns[i]);
		cJSON_AddItemToArray(a, o);
	}
	r = cJSON_AddObjectToObject(l, "resources");
	o = cJSON_AddObjectToObject(r, "memory");
	cJSON_AddNumberToObject(o, "limit", (double)lim->memory_bytes);
	o = cJSON_AddObjectToObject(r, "pids");
	cJSON_AddNumberToObject(o, "limit", lim->pids);
	if (lim->cpu_milli > 0) {
		/* CFS quota per 100 ms period, as the jail sets it */
		o = cJSON_AddObjectToObject(r, "cpu");
		cJSON_AddNumberToObject(o, "quota", (double)lim->cpu_milli * 100);
		cJSON_AddNumberToObject(o, "period", 100000);
	}
	cJSON_AddItemToObject(l, "seccomp", jail_seccomp_oci(1));
	a = cJSON_AddArrayToObject(l, "maskedPaths");
	for (i = 0; i < sizeof oci_masked / sizeof oci_masked[0]; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(oci_masked[i]));
	a = cJSON_AddArrayToObject(l, "readonlyPaths");
	for (i = 0; i < sizeof oci_ro / sizeof oci_ro[0]; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(oci_ro[i]));
}

int
oci_bundle_write(const struct sbx *s, const struct sbx_req *req, const char *dir,
                 struct sbx_result *res)
{
	struct sbx_limits lim;
	cJSON *spec = cJSON_CreateObject(), *root;
	char *root_path = xasprintf("%s/rootfs", dir), *rel = sbx_cwd_rel(req->cwd), *text = NULL;
	char cwd[4096];
	int rc = -1;

	sbx_limits_resolve(&req->lim, &lim);
	if (rel == NULL) {
		sbx_fail(res, "cwd %s leaves the workspace", req->cwd);
		goto out;
	}
	snprintf(cwd, sizeof cwd, "%s%s%s", SBX_WS_PATH, *rel ? "/" : "", rel);
	if (oci_rootfs(root_path) != 0) {
		sbx_fail(res, "runsc rootfs %s: %s", root_path, strerror(errno));
		goto out;
	}
	cJSON_AddStringToObject(spec, "ociVersion", "1.0.0");
	oci_add_process(spec, s, req, &lim, cwd);
	root = cJSON_AddObjectToObject(spec, "root");
	cJSON_AddStringToObject(root, "path", "rootfs");
	cJSON_AddBoolToObject(root, "readonly", 1);
	cJSON_AddStringToObject(spec, "hostname", "kylecode");
	oci_add_mounts(spec, s, req, &lim);
	oci_add_linux(spec, &lim);
	text = cJSON_PrintUnformatted(spec);
	if (text == NULL || oci_write(dir, "config.json", text) != 0) {
		sbx_fail(res, "runsc config.json in %s: %s", dir, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	free(text);
	free(rel);
	free(root_path);
	cJSON_Delete(spec);
	return rc;
}
