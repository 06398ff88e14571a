/* Path normalization and opening beneath the workspace root. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/core/strbuf.h"
#include "lib/core/xmalloc.h"
#include "worker-tools/fs/fs.h"

static int fs_openat2_beneath(int dirfd, const char *rel, int flags);
static int fs_open_walk(int dirfd, const char *rel, int flags);
static const char *fs_strip_root(const char *root, const char *in);

/* -1 unknown, 0 missing (ENOSYS once), 1 present. Written once per process;
 * a race only costs a second probe. */
static volatile int fs_have_openat2 = -1;

#ifdef UNITTEST
int tool_fs_force_walk;
#endif

/* Strips root (and its trailing slashes) from in: returns the rest
 * ("" when in is the root), or NULL when in is not beneath root. */
static const char *
fs_strip_root(const char *root, const char *in)
{
	size_t n;

	if (root == NULL || *root != '/')
		return NULL;
	n = strlen(root);
	while (n > 1 && root[n - 1] == '/')
		n--;
	if (n == 1) /* the root is "/": everything is beneath it */
		return in + 1;
	if (strncmp(in, root, n) != 0 || (in[n] != '\0' && in[n] != '/'))
		return NULL;
	return in + n;
}

/* The part of in below the root: in itself when relative; for an absolute
 * path, what follows the root (given as the worker was told it, or as its
 * real path: a /tmp that is a symlink, say). NULL when outside. Absolute
 * paths elsewhere are refused, not reinterpreted: a model writing
 * /etc/passwd must be told no, not get <root>/etc/passwd. */
static const char *
fs_path_below_root(const struct tool_fs *fs, const char *in, char **real)
{
	const char *rest;

	*real = NULL;
	if (*in != '/')
		return in;
	rest = fs_strip_root(fs->root_path, in);
	if (rest == NULL && fs->root_path != NULL &&
	    (*real = realpath(fs->root_path, NULL)) != NULL)
		rest = fs_strip_root(*real, in);
	return rest;
}

char *
tool_fs_path_normalize(const struct tool_fs *fs, const char *in, char *err, size_t errlen)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p, *rest, *end;
	char *real = NULL, *slash;
	size_t len;

	if (in == NULL || strlen(in) >= PATH_MAX) {
		snprintf(err, errlen, "path missing or longer than %d bytes", PATH_MAX);
		return NULL;
	}
	if ((rest = fs_path_below_root(fs, in, &real)) == NULL) {
		snprintf(err, errlen,
		         "absolute path %s is outside the workspace %s; use a path relative to it",
		         in, fs->root_path ? fs->root_path : "(unknown)");
		free(real);
		return NULL;
	}
	for (p = rest; *p != '\0'; p = end) {
		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		end = strchr(p, '/');
		if (end == NULL)
			end = p + strlen(p);
		len = (size_t)(end - p);
		if (len == 1 && p[0] == '.')
			continue;
		if (len == 2 && p[0] == '.' && p[1] == '.') {
			/* ".." is folded lexically; one that climbs above the root is
			 * refused here, and the kernel refuses any symlink that would
			 * (RESOLVE_BENEATH) when the path is opened. */
			if (sb.len == 0) {
				snprintf(err, errlen, "path %s leaves the workspace", in);
				strbuf_free(&sb);
				free(real);
				return NULL;
			}
			slash = strrchr(sb.buf, '/');
			sb.len = slash ? (size_t)(slash - sb.buf) : 0;
			sb.buf[sb.len] = '\0';
			continue;
		}
		if (sb.len > 0)
			strbuf_addc(&sb, '/');
		strbuf_add(&sb, p, len);
	}
	free(real);
	if (sb.len == 0)
		strbuf_adds(&sb, ".");
	return strbuf_detach(&sb, NULL);
}

int
tool_fs_path_is_git(const char *rel)
{
	const char *p = rel, *end;

	/* Case-insensitive: on a case-folding filesystem ".GIT" is .git, and
	 * a hook planted there runs on the user's next git command. */
	for (; *p != '\0'; p = *end ? end + 1 : end) {
		end = strchr(p, '/');
		if (end == NULL)
			end = p + strlen(p);
		if (end - p == 4 && strncasecmp(p, ".git", 4) == 0)
			return 1;
	}
	return 0;
}

static int
fs_openat2_beneath(int dirfd, const char *rel, int flags)
{
	struct open_how how;
	int fd, tries;

	memset(&how, 0, sizeof(how));
	how.flags = (unsigned long long)(flags | O_CLOEXEC);
	/* RESOLVE_BENEATH: no ".." or symlink (absolute or relative) may
	 * resolve outside dirfd, checked by the kernel during the walk, so a
	 * symlink swapped in between our check and our use cannot escape.
	 * RESOLVE_NO_MAGICLINKS: no /proc/self/fd-style jumps. */
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
	for (tries = 0; tries < 8; tries++) {
		fd = (int)syscall(SYS_openat2, dirfd, rel, &how, sizeof(how));
		if (fd >= 0 || errno != EAGAIN) /* EAGAIN: a concurrent rename; retry */
			return fd;
	}
	return -1;
}

/* Fallback for kernels without openat2 (< 5.6): one component at a time,
 * never following a symlink. Stricter than openat2 (symlinks inside the
 * root are refused too), never looser. rel has no "." or "..". */
static int
fs_open_walk(int dirfd, const char *rel, int flags)
{
	char *copy = xstrdup(rel), *p = copy, *slash;
	int cur, next, saved;

	if ((cur = openat(dirfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1) {
		free(copy);
		return -1;
	}
	while ((slash = strchr(p, '/')) != NULL) {
		*slash = '\0';
		next = openat(cur, p, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		saved = errno;
		close(cur);
		if (next == -1) {
			free(copy);
			errno = saved;
			return -1;
		}
		cur = next;
		p = slash + 1;
	}
	next = openat(cur, p, flags | O_NOFOLLOW | O_CLOEXEC);
	saved = errno;
	close(cur);
	free(copy);
	errno = saved;
	return next;
}

int
tool_fs_open(const struct tool_fs *fs, const char *rel, int flags)
{
	int fd;

	if (flags & O_CREAT) {
		errno = EINVAL;
		return -1;
	}
#ifdef UNITTEST
	if (tool_fs_force_walk)
		return fs_open_walk(fs->root_fd, rel, flags);
#endif
	if (fs_have_openat2 != 0) {
		fd = fs_openat2_beneath(fs->root_fd, rel, flags);
		if (fd >= 0 || errno != ENOSYS) {
			fs_have_openat2 = 1;
			return fd;
		}
		fs_have_openat2 = 0;
	}
	return fs_open_walk(fs->root_fd, rel, flags);
}

int
tool_fs_open_parent(const struct tool_fs *fs, const char *rel, int mkdirs, const char **base,
                    char *err, size_t errlen)
{
	char *dir, *p, *slash;
	const char *last = strrchr(rel, '/');
	int fd, next;

	*base = last ? last + 1 : rel;
	if (last == NULL)
		return tool_fs_open(fs, ".", O_RDONLY | O_DIRECTORY);
	dir = xstrndup(rel, (size_t)(last - rel));
	if ((fd = tool_fs_open(fs, dir, O_RDONLY | O_DIRECTORY)) >= 0 || errno != ENOENT ||
	    !mkdirs) {
		if (fd < 0)
			snprintf(err, errlen, "%s: cannot open directory: %s", dir,
			         errno == EXDEV || errno == ELOOP
			             ? "it leaves the workspace (symlink)"
			             : strerror(errno));
		free(dir);
		return fd;
	}
	/* Create the missing directories one at a time, each opened beneath
	 * its parent fd so that nothing created can land outside the root. */
	fd = tool_fs_open(fs, ".", O_RDONLY | O_DIRECTORY);
	for (p = dir; fd >= 0 && p != NULL; p = slash ? slash + 1 : NULL) {
		if ((slash = strchr(p, '/')) != NULL)
			*slash = '\0';
		if (mkdirat(fd, p, 0755) == -1 && errno != EEXIST) {
			snprintf(err, errlen, "%s: cannot create directory %s: %s", rel, p,
			         strerror(errno));
			close(fd);
			free(dir);
			return -1;
		}
		next = fs_openat2_beneath(fd, p, O_RDONLY | O_DIRECTORY);
		if (next == -1 && errno == ENOSYS)
			next = fs_open_walk(fd, p, O_RDONLY | O_DIRECTORY);
		if (next == -1)
			snprintf(err, errlen, "%s: cannot open directory %s: %s", rel, p,
			         strerror(errno));
		close(fd);
		fd = next;
	}
	free(dir);
	return fd;
}

int
tool_fs_exists(const struct tool_fs *fs, const char *rel)
{
	char err[TOOL_FS_ERRLEN];
	const char *base;
	struct stat st;
	int dfd, r;

	if (strcmp(rel, ".") == 0)
		return 1;
	if ((dfd = tool_fs_open_parent(fs, rel, 0, &base, err, sizeof(err))) == -1)
		return 0;
	r = fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0;
	close(dfd);
	return r;
}

/* Length of the valid UTF-8 sequence at s, 0 if invalid. */
static size_t
fs_utf8_len(const unsigned char *s)
{
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

char *
tool_fs_name_display(const char *name)
{
	struct strbuf sb = STRBUF_INIT;
	const unsigned char *s = (const unsigned char *)name;
	size_t n;

	while (*s) {
		n = fs_utf8_len(s);
		if (n == 0 || *s < 0x20 || *s == 0x7f) {
			strbuf_addf(&sb, "\\x%02x", *s);
			s++;
			continue;
		}
		strbuf_add(&sb, s, n);
		s += n;
	}
	return strbuf_detach(&sb, NULL);
}

char *
tool_fs_text_display(const char *s, size_t max)
{
	struct strbuf sb = STRBUF_INIT;
	const unsigned char *u = (const unsigned char *)s;
	size_t n, total = strlen(s);

	/* JSON and the model's API want UTF-8: an invalid byte becomes
	 * U+FFFD; text beyond max is cut with a note (IPC bodies are capped). */
	while (*u && sb.len < max) {
		if ((n = fs_utf8_len(u)) == 0) {
			strbuf_adds(&sb, "\xef\xbf\xbd");
			u++;
			continue;
		}
		strbuf_add(&sb, u, n);
		u += n;
	}
	if (*u)
		strbuf_addf(&sb, "\n[... %zu more bytes not shown]\n",
		            total - (size_t)((const char *)u - s));
	return strbuf_detach(&sb, NULL);
}
