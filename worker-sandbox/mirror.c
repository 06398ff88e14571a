/*
 * mirror.c — the workspace and optional mirroring of a host project into it
 * (the prototype's VirtualizedSandbox): copy-in at start, changed files
 * copied back on success or on request.
 *
 * Rationale: the copy-back is the one path by which a command's writes
 * leave the workspace, so it is conservative: regular files and
 * directories only (a symlink could point anywhere on the host), never
 * .git (a planted hook or fsmonitor would run on the user's next git
 * command), only files whose size or mtime differ, written with
 * O_NOFOLLOW beneath a directory descriptor so a path component swapped
 * for a symlink cannot redirect the write. Paths are normalized so a
 * listing that already starts with the workspace's own name never makes
 * ws/.../ws/... (the prototype's bug).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "lib/core/xmalloc.h"
#include "worker-sandbox/sbx_int.h"

#define MIRROR_MAX_DEPTH 64

int
sbx_path_normalize(const char *rel, const char *ws_name, char *out, size_t outlen)
{
	const char *p = rel, *seg;
	size_t len, o = 0, n;
	int first = 1;

	if (rel == NULL || outlen == 0 || strlen(rel) >= outlen)
		return -1;
	while (*p != '\0') {
		while (*p == '/')
			p++;
		seg = p;
		len = strcspn(p, "/");
		p += len;
		if (len == 0 || (len == 1 && seg[0] == '.'))
			continue;
		if (len == 2 && seg[0] == '.' && seg[1] == '.')
			return -1; /* never climbs, even when it would stay inside */
		/* "ws/a" relative to workspace "ws" means "a". */
		if (first && ws_name != NULL && *ws_name != '\0' && strlen(ws_name) == len &&
		    strncmp(seg, ws_name, len) == 0 && *p != '\0') {
			first = 0;
			continue;
		}
		first = 0;
		n = o == 0 ? len : len + 1;
		if (o + n + 1 > outlen)
			return -1;
		if (o != 0)
			out[o++] = '/';
		memcpy(out + o, seg, len);
		o += len;
	}
	out[o] = '\0';
	return 0;
}

static int
mirror_copy_file(int sdir, int ddir, const char *name, const struct stat *st)
{
	char buf[65536];
	int in, out, rc = -1;
	ssize_t n;
	struct timespec ts[2];

	in = openat(sdir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return -1;
	out = openat(ddir, name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
	             st->st_mode & 0777);
	if (out < 0)
		goto out;
	while ((n = read(in, buf, sizeof buf)) > 0)
		if (write(out, buf, (size_t)n) != n)
			goto out;
	if (n < 0)
		goto out;
	ts[0] = st->st_atim;
	ts[1] = st->st_mtim;
	futimens(out, ts); /* same mtime: the next pass sees it unchanged */
	rc = 0;
out:
	if (out >= 0 && close(out) != 0)
		rc = -1;
	close(in);
	return rc;
}

static int
mirror_same(int ddir, const char *name, const struct stat *st)
{
	struct stat d;

	return fstatat(ddir, name, &d, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(d.st_mode) &&
	       d.st_size == st->st_size && d.st_mtim.tv_sec == st->st_mtim.tv_sec &&
	       d.st_mtim.tv_nsec == st->st_mtim.tv_nsec;
}

static void
mirror_note(struct strbuf *list, const char *prefix, const char *name)
{
	if (list == NULL)
		return;
	if (*prefix != '\0')
		strbuf_addf(list, "%s/", prefix);
	strbuf_adds(list, name);
	strbuf_addc(list, '\0');
}

static int mirror_tree(int sdir, int ddir, const char *prefix, int depth, int skip_git,
                       struct strbuf *copied, struct strbuf *skipped);

static int
mirror_entry(int sdir, int ddir, const char *prefix, const char *name, int depth, int skip_git,
             struct strbuf *copied, struct strbuf *skipped)
{
	struct stat st;
	char *sub;
	int s2, d2, rc;

	if (fstatat(sdir, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return -1;
	if (S_ISREG(st.st_mode)) {
		if (mirror_same(ddir, name, &st))
			return 0;
		if (mirror_copy_file(sdir, ddir, name, &st) != 0)
			return -1;
		mirror_note(copied, prefix, name);
		return 0;
	}
	if (!S_ISDIR(st.st_mode) || (skip_git && depth == 0 && strcmp(name, ".git") == 0)) {
		mirror_note(skipped, prefix, name);
		return 0;
	}
	if (mkdirat(ddir, name, st.st_mode & 0777) != 0 && errno != EEXIST)
		return -1;
	s2 = openat(sdir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	d2 = openat(ddir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	sub = *prefix ? xasprintf("%s/%s", prefix, name) : xstrdup(name);
	rc = (s2 < 0 || d2 < 0) ? -1
	                        : mirror_tree(s2, d2, sub, depth + 1, skip_git, copied, skipped);
	free(sub);
	if (s2 >= 0)
		close(s2);
	if (d2 >= 0)
		close(d2);
	return rc;
}

static int
mirror_tree(int sdir, int ddir, const char *prefix, int depth, int skip_git, struct strbuf *copied,
            struct strbuf *skipped)
{
	DIR *d;
	struct dirent *e;
	int fd, rc = 0;

	if (depth > MIRROR_MAX_DEPTH)
		return -1;
	fd = dup(sdir);
	if (fd < 0 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (mirror_entry(sdir, ddir, prefix, e->d_name, depth, skip_git, copied, skipped) !=
		    0)
			rc = -1;
	}
	closedir(d);
	return rc;
}

/* Opens root/rel (each component without following symlinks). */
static int
mirror_open_rel(const char *root, const char *rel)
{
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char *copy, *tok, *save;
	int next;

	if (fd < 0 || *rel == '\0')
		return fd;
	copy = xstrdup(rel);
	for (tok = strtok_r(copy, "/", &save); tok != NULL && fd >= 0;
	     tok = strtok_r(NULL, "/", &save)) {
		next = openat(fd, tok, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		fd = next;
	}
	free(copy);
	return fd;
}

static int
mirror_run(const char *src, const char *dst, const char *ws, char *const *paths, int skip_git,
           struct strbuf *copied, struct strbuf *skipped, char *err, size_t errlen)
{
	/* Listed paths are relative to the workspace, whichever way we copy. */
	const char *ws_name = strrchr(ws, '/') ? strrchr(ws, '/') + 1 : ws;
	char norm[4096], *dir, *base;
	int sfd, dfd, rc = 0, i;

	if (paths == NULL) {
		sfd = mirror_open_rel(src, "");
		dfd = mirror_open_rel(dst, "");
		rc = (sfd < 0 || dfd < 0) ? -1
		                          : mirror_tree(sfd, dfd, "", 0, skip_git, copied, skipped);
		if (sfd >= 0)
			close(sfd);
		if (dfd >= 0)
			close(dfd);
		if (rc != 0)
			snprintf(err, errlen, "mirror %s -> %s: %s", src, dst, strerror(errno));
		return rc;
	}
	for (i = 0; paths[i] != NULL; i++) {
		if (sbx_path_normalize(paths[i], ws_name, norm, sizeof norm) != 0 || !*norm ||
		    (skip_git && (strcmp(norm, ".git") == 0 || strncmp(norm, ".git/", 5) == 0))) {
			mirror_note(skipped, "", paths[i]);
			continue;
		}
		base = strrchr(norm, '/');
		dir = base ? (*base = '\0', norm) : "";
		base = base ? base + 1 : norm;
		sfd = mirror_open_rel(src, dir);
		dfd = mirror_open_rel(dst, dir);
		if (sfd < 0 || dfd < 0 ||
		    mirror_entry(sfd, dfd, dir, base, 1, skip_git, copied, skipped) != 0) {
			snprintf(err, errlen, "mirror %s/%s%s%s: %s", src, dir, *dir ? "/" : "",
			         base, strerror(errno));
			rc = -1;
		}
		if (sfd >= 0)
			close(sfd);
		if (dfd >= 0)
			close(dfd);
	}
	return rc;
}

int
sbx_mirror_in(const char *host_dir, const char *ws, char *const *paths, struct strbuf *copied,
              struct strbuf *skipped, char *err, size_t errlen)
{
	return mirror_run(host_dir, ws, ws, paths, 0, copied, skipped, err, errlen);
}

int
sbx_mirror_out(const char *ws, const char *host_dir, char *const *paths, struct strbuf *copied,
               struct strbuf *skipped, char *err, size_t errlen)
{
	return mirror_run(ws, host_dir, ws, paths, 1, copied, skipped, err, errlen);
}
