/*
 * run_snapshot.c — the start-state snapshot: at the start of a fresh run
 * the workspace is copied into <run>/workspace_start/ (regular files with
 * their mode and mtime, directories and symlinks in the manifest), and replay
 * restores it into its fresh workspace before the first turn.
 *
 * Security: the workspace is written by the model (in an earlier run, or
 * by anything it ran), and the supervisor may be root. Everything is read
 * beneath the workspace's directory fd with O_NOFOLLOW and fstatat
 * AT_SYMLINK_NOFOLLOW: a symlink is recorded as a symlink (its target
 * text), never followed, so `ln -s /etc/shadow x` puts the string
 * "/etc/shadow" into the log, not the file. Restoring writes beneath the
 * replay workspace's fd the same way, into an empty directory only.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/config/config.h"
#include "lib/core/fsutil.h"
#include "lib/core/strbuf.h"
#include "lib/core/xmalloc.h"
#include "supervisor/conductor.h"
#include "supervisor/run_snapshot.h"
#include "supervisor/runlog.h"

#define SNAP_MAX_DEPTH 64
#define SNAP_TMP_SUFFIX ".kctmp"

struct snap {
	struct runlog *rl;
	dev_t dev;     /* the workspace's filesystem: mounts are not crossed */
	uid_t uid;     /* the workspace's owner */
	dev_t run_dev; /* this run's own directory, when it lies in the workspace */
	ino_t run_ino;
	double max_bytes, max_files;
	double bytes, files;
	int copy;   /* second pass: copy (the first one only measures) */
	int over;   /* a cap was passed */
	int failed; /* a run-log write failed: final */
	cJSON *entries, *skipped;
};

static int
snap_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in dfd, sorted so the manifest is the same for the same tree.
 * NULL with *n == 0 when empty or unreadable (errno says which). */
static char **
snap_names(int dfd, size_t *n)
{
	/* A new open file description, not dup(): a dup shares the offset
	 * that the previous walk left at the end of the directory. */
	int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;
	struct dirent *e;
	char **v = NULL;

	*n = 0;
	if (fd < 0)
		return NULL;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return NULL;
	}
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		v = xreallocarray(v, *n + 1, sizeof(*v));
		v[(*n)++] = xstrdup(e->d_name);
	}
	closedir(d);
	if (*n > 1)
		qsort(v, *n, sizeof(*v), snap_name_cmp);
	return v;
}

static void
snap_skip(struct snap *s, const char *path, const char *why)
{
	cJSON *o;

	if (!s->copy)
		return;
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "path", path);
	cJSON_AddStringToObject(o, "why", why);
	cJSON_AddItemToArray(s->skipped, o);
}

static int
snap_counted_over(struct snap *s, double bytes)
{
	s->files++;
	s->bytes += bytes;
	if (s->files > s->max_files || s->bytes > s->max_bytes)
		s->over = 1;
	return s->over;
}

/* An entry with its mode and its modification time (seconds and
 * nanoseconds apart: a double cannot hold both exactly): make decides
 * what to rebuild by comparing mtimes, so a replay must see the same. */
static cJSON *
snap_entry(struct snap *s, const char *path, const char *type, const struct stat *st)
{
	cJSON *e = cJSON_CreateObject();

	cJSON_AddStringToObject(e, "path", path);
	cJSON_AddStringToObject(e, "type", type);
	cJSON_AddNumberToObject(e, "mode", st->st_mode & 07777);
	cJSON_AddNumberToObject(e, "mtime_s", (double)st->st_mtim.tv_sec);
	cJSON_AddNumberToObject(e, "mtime_ns", (double)st->st_mtim.tv_nsec);
	cJSON_AddItemToArray(s->entries, e);
	return e;
}

/* The recorded mtime as utimensat's times (access time = mtime); NULL
 * for an entry without one (a log from before mtimes were recorded). */
static const struct timespec *
snap_times(const cJSON *e, struct timespec t[2])
{
	double sec = kc_cfg_num(e, "mtime_s", -1), ns = kc_cfg_num(e, "mtime_ns", 0);

	if (sec < 0 || ns < 0 || ns > 999999999)
		return NULL;
	t[0].tv_sec = t[1].tv_sec = (time_t)sec;
	t[0].tv_nsec = t[1].tv_nsec = (long)ns;
	return t;
}

/* The regular file name beneath dfd, at most st->st_size bytes. The open
 * is O_NOFOLLOW|O_NONBLOCK and the file opened must be the one fstatat
 * saw: a swap for a symlink or a FIFO in between is skipped, not followed
 * or waited on. */
static char *
snap_read(int dfd, const char *name, const struct stat *st, size_t *len, const char **why)
{
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	size_t cap = (size_t)st->st_size, n = 0;
	struct stat fst;
	ssize_t r;
	char *buf;

	if (fd < 0) {
		*why = strerror(errno);
		return NULL;
	}
	if (fstat(fd, &fst) != 0 || !S_ISREG(fst.st_mode) || fst.st_ino != st->st_ino ||
	    fst.st_dev != st->st_dev) {
		close(fd);
		*why = "replaced while being copied";
		return NULL;
	}
	buf = xmalloc(cap + 1);
	while (n < cap) {
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			*why = strerror(errno);
			close(fd);
			free(buf);
			return NULL;
		}
		if (r == 0)
			break; /* shrank since fstatat: what is there now */
		n += (size_t)r;
	}
	close(fd);
	*len = n;
	return buf;
}

static void
snap_file(struct snap *s, int dfd, const char *name, const char *path, const struct stat *st)
{
	const char *why = NULL;
	char *data, *rel;
	size_t len;

	/*
	 * A hard link shares the inode of a file elsewhere on the filesystem.
	 * One owned by someone else than the workspace's owner may be a file
	 * the workspace's writer could not read (a root-owned secret linked in
	 * where protected_hardlinks is off): not copied into the log.
	 */
	if (st->st_nlink > 1 && st->st_uid != s->uid) {
		snap_skip(s, path, "a hard link to a file of another owner");
		return;
	}
	if (snap_counted_over(s, (double)st->st_size) || !s->copy)
		return;
	data = snap_read(dfd, name, st, &len, &why);
	if (data == NULL) {
		snap_skip(s, path, why);
		return;
	}
	rel = xasprintf("%s/%s", RUN_SNAPSHOT_DIR, path);
	if (runlog_write_verbatim(s->rl, rel, data, len, (st->st_mode & 0755) | 0600) < 0)
		s->failed = 1;
	else
		cJSON_AddNumberToObject(snap_entry(s, path, "file", st), "size",
		                        (double)len);
	free(rel);
	free(data);
}

static void
snap_link(struct snap *s, int dfd, const char *name, const char *path, const struct stat *st)
{
	char target[PATH_MAX];
	ssize_t n = readlinkat(dfd, name, target, sizeof(target) - 1);

	if (n < 0) {
		snap_skip(s, path, strerror(errno));
		return;
	}
	target[n] = '\0';
	if (snap_counted_over(s, 0) || !s->copy)
		return;
	cJSON_AddStringToObject(snap_entry(s, path, "symlink", st), "target", target);
}

static void snap_dir(struct snap *s, int dfd, const char *rel, int depth);

static void
snap_subdir(struct snap *s, int dfd, const char *name, const char *path, const struct stat *st,
            int depth)
{
	int fd;

	if (st->st_dev != s->dev) {
		snap_skip(s, path, "a mount point: another filesystem is not copied");
		return;
	}
	if (st->st_dev == s->run_dev && st->st_ino == s->run_ino) {
		/* A log root inside the workspace: copying the run directory
		 * into itself would grow while it is walked. */
		snap_skip(s, path, "this run's own log directory");
		return;
	}
	if (depth >= SNAP_MAX_DEPTH) {
		snap_skip(s, path, "deeper than 64 levels");
		return;
	}
	if (snap_counted_over(s, 0))
		return;
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		snap_skip(s, path, strerror(errno));
		return;
	}
	if (s->copy)
		snap_entry(s, path, "dir", st);
	snap_dir(s, fd, path, depth + 1);
	close(fd);
}

static void
snap_one(struct snap *s, int dfd, const char *name, const char *path, int depth)
{
	size_t nl = strlen(name), ns = strlen(SNAP_TMP_SUFFIX);
	struct stat st;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		snap_skip(s, path, strerror(errno));
	else if (nl > ns && strcmp(name + nl - ns, SNAP_TMP_SUFFIX) == 0)
		snap_skip(s, path, "a name the run log keeps for its temp files");
	else if (S_ISDIR(st.st_mode))
		snap_subdir(s, dfd, name, path, &st, depth);
	else if (S_ISLNK(st.st_mode))
		snap_link(s, dfd, name, path, &st);
	else if (S_ISREG(st.st_mode))
		snap_file(s, dfd, name, path, &st);
	else
		snap_skip(s, path,
		          S_ISFIFO(st.st_mode)   ? "a FIFO"
		          : S_ISSOCK(st.st_mode) ? "a socket"
		                                 : "a device");
}

static void
snap_dir(struct snap *s, int dfd, const char *rel, int depth)
{
	size_t n, i;
	char **names = snap_names(dfd, &n), *path;

	for (i = 0; i < n; i++) {
		if (!s->over && !s->failed) {
			path = rel[0] ? xasprintf("%s/%s", rel, names[i]) : xstrdup(names[i]);
			snap_one(s, dfd, names[i], path, depth);
			free(path);
		}
		free(names[i]);
	}
	free(names);
}

static cJSON *
snap_status(cJSON *m, const char *status, const char *why)
{
	cJSON_AddStringToObject(m, "status", status);
	if (why != NULL)
		cJSON_AddStringToObject(m, "why", why);
	return m;
}

/* Two passes: the first only measures, so a workspace over the cap costs
 * a walk, not 64 MiB of writes thrown away. */
static void
snap_walk(struct snap *s, int fd)
{
	snap_dir(s, fd, "", 0);
	if (s->over)
		return;
	s->copy = 1;
	s->files = s->bytes = 0;
	s->entries = cJSON_CreateArray();
	s->skipped = cJSON_CreateArray();
	snap_dir(s, fd, "", 0); /* over again only if the tree grew meanwhile */
}

cJSON *
run_snapshot_take(struct cond *c)
{
	struct snap s = {.rl = c->rl};
	cJSON *m = cJSON_CreateObject();
	struct stat st;
	int fd;

	s.max_bytes = kc_cfg_num(c->root, "logging.snapshot_max_bytes", RUN_SNAPSHOT_MAX_BYTES);
	s.max_files = kc_cfg_num(c->root, "logging.snapshot_max_files", RUN_SNAPSHOT_MAX_FILES);
	cJSON_AddStringToObject(m, "dir", RUN_SNAPSHOT_DIR);
	cJSON_AddNumberToObject(m, "max_bytes", s.max_bytes);
	cJSON_AddNumberToObject(m, "max_files", s.max_files);
	if (c->nolog_root != NULL)
		return snap_status(m, "disabled", "logging.enabled is false");
	if (!kc_cfg_bool(c->root, "logging.snapshot", 1))
		return snap_status(m, "disabled", "logging.snapshot is false");
	fd = open(c->workspace, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0) {
		if (fd >= 0)
			close(fd);
		return snap_status(m, "failed", strerror(errno));
	}
	s.dev = st.st_dev;
	s.uid = st.st_uid;
	if (stat(runlog_dir(c->rl), &st) == 0) {
		s.run_dev = st.st_dev;
		s.run_ino = st.st_ino;
	}
	snap_walk(&s, fd);
	close(fd);
	if (s.failed) {
		cJSON_Delete(s.entries);
		cJSON_Delete(s.skipped);
		cJSON_Delete(m);
		return NULL;
	}
	cJSON_AddNumberToObject(m, "files", s.files);
	cJSON_AddNumberToObject(m, "bytes", s.bytes);
	if (s.over) {
		cJSON_Delete(s.entries);
		cJSON_Delete(s.skipped);
		return snap_status(m, "over_cap",
		                   "the workspace is over logging.snapshot_max_bytes or "
		                   "logging.snapshot_max_files");
	}
	cJSON_AddItemToObject(m, "entries", s.entries);
	cJSON_AddItemToObject(m, "skipped", s.skipped);
	return snap_status(m, "complete", NULL);
}

/* ---- restore (replay) ---------------------------------------------------- */

/* The directory holding path's last component, opened beneath root one
 * component at a time with O_NOFOLLOW: a symlink restored earlier (or
 * planted in the run directory) is never walked through. -1 with errno. */
static int
snap_parent(int root, const char *path, const char **leaf)
{
	char *copy = xstrdup(path), *p = copy, *slash;
	int fd = dup(root), nfd;

	while (fd >= 0 && (slash = strchr(p, '/')) != NULL) {
		*slash = '\0';
		nfd = openat(fd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		fd = nfd;
		p = slash + 1;
	}
	*leaf = path + (p - copy);
	free(copy);
	return fd;
}

static int
snap_copy_fd(int in, int out)
{
	char buf[65536];
	ssize_t r, w, off;

	for (;;) {
		r = read(in, buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return (int)r;
		for (off = 0; off < r; off += w) {
			w = write(out, buf + off, (size_t)(r - off));
			if (w < 0 && errno == EINTR)
				w = 0;
			else if (w <= 0)
				return -1;
		}
	}
}

/* Mode bits come from a log file someone may have edited: permissions
 * only (& 0777), never setuid/setgid/sticky, so a root replay cannot be
 * made to create a setuid binary. */
static int
snap_restore_file(int src, int pfd, const char *path, const char *leaf, mode_t mode,
                  const struct timespec *times)
{
	const char *sleaf;
	int sfd = snap_parent(src, path, &sleaf), in = -1, out = -1, rc = -1, saved;
	struct stat st;

	if (sfd >= 0)
		in = openat(sfd, sleaf, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (in >= 0 && (fstat(in, &st) != 0 || !S_ISREG(st.st_mode)))
		errno = EINVAL;
	else if (in >= 0)
		out = openat(pfd, leaf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out >= 0 && snap_copy_fd(in, out) == 0 && fchmod(out, mode & 0777) == 0 &&
	    (times == NULL || futimens(out, times) == 0))
		rc = 0;
	if (out >= 0 && close(out) != 0)
		rc = -1;
	saved = errno;
	if (in >= 0)
		close(in);
	if (sfd >= 0)
		close(sfd);
	errno = saved;
	return rc;
}

static int
snap_restore_one(int ws, int src, const cJSON *e, char *err, size_t errlen)
{
	const char *path = kc_cfg_str(e, "path", ""), *type = kc_cfg_str(e, "type", ""), *leaf;
	mode_t mode = (mode_t)kc_cfg_num(e, "mode", 0644);
	struct timespec tbuf[2];
	const struct timespec *times = snap_times(e, tbuf);
	int pfd, rc = -1;

	if (!kc_path_rel_ok(path)) {
		snprintf(err, errlen, "entry \"%s\": not a plain relative path", path);
		return -1;
	}
	pfd = snap_parent(ws, path, &leaf);
	if (pfd >= 0 && strcmp(type, "dir") == 0)
		rc = mkdirat(pfd, leaf, 0700); /* its own mode once its contents are in */
	else if (pfd >= 0 && strcmp(type, "symlink") == 0)
		rc = symlinkat(kc_cfg_str(e, "target", ""), pfd, leaf) == 0 &&
		             (times == NULL || utimensat(pfd, leaf, times, AT_SYMLINK_NOFOLLOW) == 0)
		         ? 0
		         : -1;
	else if (pfd >= 0 && strcmp(type, "file") == 0 && src >= 0)
		rc = snap_restore_file(src, pfd, path, leaf, mode, times);
	else if (pfd >= 0)
		errno = EINVAL;
	if (rc < 0)
		snprintf(err, errlen, "%s (%s): %s", path, type, strerror(errno));
	if (pfd >= 0)
		close(pfd);
	return rc;
}

/* Directory modes and times last and deepest first: a recorded 0555
 * directory must not stop its own contents from being restored, and
 * restoring them would change its mtime again. */
static int
snap_restore_dir_modes(int ws, const cJSON *entries, char *err, size_t errlen)
{
	int i, fd, pfd;
	const cJSON *e;
	const char *leaf, *path;
	struct timespec tbuf[2];
	const struct timespec *times;

	for (i = cJSON_GetArraySize(entries) - 1; i >= 0; i--) {
		e = cJSON_GetArrayItem(entries, i);
		if (strcmp(kc_cfg_str(e, "type", ""), "dir") != 0)
			continue;
		path = kc_cfg_str(e, "path", "");
		pfd = snap_parent(ws, path, &leaf);
		fd = pfd < 0 ? -1
		             : openat(pfd, leaf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		times = snap_times(e, tbuf);
		if (fd < 0 || fchmod(fd, (mode_t)kc_cfg_num(e, "mode", 0755) & 0777) != 0 ||
		    (times != NULL && futimens(fd, times) != 0)) {
			snprintf(err, errlen, "%s: chmod/utimens: %s", path, strerror(errno));
			if (fd >= 0)
				close(fd);
			if (pfd >= 0)
				close(pfd);
			return -1;
		}
		close(fd);
		close(pfd);
	}
	return 0;
}

static cJSON *
snap_manifest_load(const char *run_dir)
{
	char *p = xasprintf("%s/meta/workspace_start.json", run_dir), err[512];
	cJSON *j = kc_json_file_load(p, err, sizeof(err)); /* none: no snapshot */

	free(p);
	return j;
}

/* The workspace directory, opened; *empty says whether it holds nothing. */
static int
snap_ws_open(const char *workspace, int *empty, char *err, size_t errlen)
{
	size_t n, i;
	char **names;
	int fd;

	if (kc_mkdir_p(workspace, 0755) < 0 ||
	    (fd = open(workspace, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "workspace %s: %s", workspace, strerror(errno));
		return -1;
	}
	names = snap_names(fd, &n);
	*empty = n == 0;
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return fd;
}

static int
snap_restore_all(const char *run_dir, int ws, const cJSON *entries, char *err, size_t errlen)
{
	char *sp = xasprintf("%s/%s", run_dir, RUN_SNAPSHOT_DIR), msg[768];
	int src = open(sp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), rc = 0;
	const cJSON *e;

	/* No directory is fine when no entry is a file (empty files included). */
	cJSON_ArrayForEach(e, entries)
	{
		if (snap_restore_one(ws, src, e, msg, sizeof(msg)) < 0) {
			snprintf(err, errlen, "%s: %s", sp, msg);
			rc = -1;
			break;
		}
	}
	if (rc == 0 && snap_restore_dir_modes(ws, entries, msg, sizeof(msg)) < 0) {
		snprintf(err, errlen, "%s: %s", sp, msg);
		rc = -1;
	}
	if (src >= 0)
		close(src);
	free(sp);
	return rc;
}

int
run_snapshot_restore(const char *run_dir, const char *workspace, const char **why, char *err,
                     size_t errlen)
{
	cJSON *m = snap_manifest_load(run_dir);
	const cJSON *snap = cJSON_GetObjectItemCaseSensitive(m, "snapshot");
	int ws, empty, rc;

	*why = NULL;
	if (snap == NULL || strcmp(kc_cfg_str(snap, "status", ""), "complete") != 0 ||
	    !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(snap, "entries"))) {
		*why = snap == NULL ? "the recorded run has no snapshot"
		       : strcmp(kc_cfg_str(snap, "status", ""), "over_cap") == 0
		           ? "the recorded workspace was over the snapshot cap"
		           : "the recorded run has no complete snapshot";
		cJSON_Delete(m);
		return 0;
	}
	ws = snap_ws_open(workspace, &empty, err, errlen);
	if (ws < 0) {
		cJSON_Delete(m);
		return -1;
	}
	if (!empty) {
		*why = "the replay workspace is not empty: it is used as it is";
		rc = 0;
	} else {
		rc = snap_restore_all(
		    run_dir, ws, cJSON_GetObjectItemCaseSensitive(snap, "entries"), err, errlen);
		rc = rc < 0 ? -1 : 1;
	}
	close(ws);
	cJSON_Delete(m);
	return rc;
}
