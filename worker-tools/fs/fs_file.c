/* Reading files whole and committing writes atomically, all or none. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/core/xmalloc.h"
#include "worker-tools/fs/fs.h"

/* Per-op state while a transaction is being committed. */
struct fs_prep {
	int dfd;
	const char *base;
	char tmp[32];
	int have_tmp;
	int existed;
	struct tool_fs_file orig; /* kept for rollback */
	int done;                 /* renamed/unlinked */
};

static int fs_read_fd(int fd, const char *rel, struct tool_fs_file *out, char *err, size_t errlen);
static int fs_write_all(int fd, const char *data, size_t len);
static int fs_tmp_create(int dfd, const char *data, size_t len, mode_t mode, char *name,
                         size_t namelen);
static int fs_txn_prepare(const struct tool_fs *fs, struct tool_fs_op *op, struct fs_prep *pp,
                          char *err, size_t errlen);
static void fs_txn_rollback(struct tool_fs_txn *t, struct fs_prep *pp, size_t upto);

#ifdef UNITTEST
int tool_fs_fail_rename_at;
#endif

static int
fs_read_fd(int fd, const char *rel, struct tool_fs_file *out, char *err, size_t errlen)
{
	struct stat st;
	size_t cap, len = 0;
	ssize_t r;

	if (fstat(fd, &st) == -1) {
		snprintf(err, errlen, "%s: %s", rel, strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s is a directory, not a file", rel);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s is not a regular file", rel);
		return -1;
	}
	if ((unsigned long long)st.st_size >= TOOL_FS_MAX_FILE) {
		snprintf(err, errlen,
		         "%s is %lld bytes; files of %u MB or more are refused by the file tools "
		         "(use the shell tool with head/sed/grep to look at parts of it)",
		         rel, (long long)st.st_size, TOOL_FS_MAX_FILE / (1024 * 1024));
		return -1;
	}
	cap = (size_t)st.st_size + 1;
	out->data = xmalloc(cap + 1);
	for (;;) {
		if (len == cap) {
			if (cap >= TOOL_FS_MAX_FILE) { /* grew while we read */
				snprintf(err, errlen, "%s grew past %u MB while being read", rel,
				         TOOL_FS_MAX_FILE / (1024 * 1024));
				free(out->data);
				out->data = NULL;
				return -1;
			}
			cap *= 2;
			out->data = xreallocarray(out->data, cap + 1, 1);
		}
		r = read(fd, out->data + len, cap - len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			snprintf(err, errlen, "%s: read: %s", rel, strerror(errno));
			free(out->data);
			out->data = NULL;
			return -1;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	out->data[len] = '\0';
	out->len = len;
	out->mode = st.st_mode & 07777;
	out->binary = memchr(out->data, '\0', len < 8000 ? len : 8000) != NULL;
	return 0;
}

int
tool_fs_file_read(const struct tool_fs *fs, const char *rel, struct tool_fs_file *out, int *missing,
                  char *err, size_t errlen)
{
	int fd, rc;

	memset(out, 0, sizeof(*out));
	if (missing)
		*missing = 0;
	/* O_NONBLOCK: a FIFO planted in the workspace must not hang us. */
	if ((fd = tool_fs_open(fs, rel, O_RDONLY | O_NOCTTY | O_NONBLOCK)) == -1) {
		if (errno == ENOENT && missing)
			*missing = 1;
		if (errno == EXDEV || errno == ELOOP)
			snprintf(err, errlen,
			         "%s: refused: the path leaves the workspace through a symlink",
			         rel);
		else
			snprintf(err, errlen, "%s: %s", rel,
			         errno == ENOENT ? "no such file" : strerror(errno));
		return -1;
	}
	rc = fs_read_fd(fd, rel, out, err, errlen);
	close(fd);
	return rc;
}

void
tool_fs_file_free(struct tool_fs_file *f)
{
	if (f == NULL)
		return;
	free(f->data);
	f->data = NULL;
	f->len = 0;
}

int
tool_fs_check_writable(const struct tool_fs *fs, const char *rel, char *err, size_t errlen)
{
	const char *base;
	struct stat st;
	int dfd;

	if (strcmp(rel, ".") == 0) {
		snprintf(err, errlen, "the workspace root is not a file");
		return -1;
	}
	/* .git is read-only by default: a planted hook or core.fsmonitor
	 * would run on the user's next git command, outside every jail. */
	if (tool_fs_path_is_git(rel) && !fs->git_writable) {
		snprintf(err, errlen,
		         "%s: .git/ is read-only for the file tools (config git_writable is false)",
		         rel);
		return -1;
	}
	if ((dfd = tool_fs_open_parent(fs, rel, 0, &base, err, errlen)) == -1)
		return errno == ENOENT ? 0 : -1; /* the directory will be created */
	if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) == -1) {
		close(dfd);
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", rel, strerror(errno));
		return -1;
	}
	close(dfd);
	/* A symlink is never written through: its target may be outside the
	 * root, or be swapped to be after we look. The model is told to edit
	 * the target's own path. */
	if (S_ISLNK(st.st_mode)) {
		snprintf(err, errlen,
		         "%s is a symlink; the file tools do not write through symlinks (edit its "
		         "target)",
		         rel);
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s is a directory", rel);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s is not a regular file", rel);
		return -1;
	}
	/* A file with several hard links may share its inode with a file
	 * outside the workspace (a link made before the run, or by a jailed
	 * command); writing it would mean writing there, so it is refused. */
	if (st.st_nlink > 1) {
		snprintf(
		    err, errlen,
		    "%s has %lu hard links; refused (a hard link may point outside the workspace)",
		    rel, (unsigned long)st.st_nlink);
		return -1;
	}
	return 0;
}

static int
fs_write_all(int fd, const char *data, size_t len)
{
	ssize_t w;

	while (len > 0) {
		w = write(fd, data, len);
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1)
			return -1;
		data += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Creates a temp file in dfd holding data, fsynced. O_EXCL|O_NOFOLLOW:
 * never opens something that was already there. */
static int
fs_tmp_create(int dfd, const char *data, size_t len, mode_t mode, char *name, size_t namelen)
{
	unsigned char rnd[6];
	int fd, tries, saved;

	for (tries = 0; tries < 16; tries++) {
		if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
			return -1;
		snprintf(name, namelen, ".kc.%02x%02x%02x%02x%02x%02x.tmp", rnd[0], rnd[1], rnd[2],
		         rnd[3], rnd[4], rnd[5]);
		fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0)
			break;
		if (errno != EEXIST)
			return -1;
	}
	if (fd < 0)
		return -1;
	if (fs_write_all(fd, data, len) == -1 || fchmod(fd, mode) == -1 || fsync(fd) == -1) {
		saved = errno;
		close(fd);
		unlinkat(dfd, name, 0);
		errno = saved;
		return -1;
	}
	if (close(fd) == -1) {
		saved = errno;
		unlinkat(dfd, name, 0);
		errno = saved;
		return -1;
	}
	return 0;
}

void
tool_fs_txn_write(struct tool_fs_txn *t, const char *rel, char *data, size_t len, mode_t mode)
{
	struct tool_fs_op *op;

	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 4;
		t->ops = xreallocarray(t->ops, t->cap, sizeof(*t->ops));
	}
	op = &t->ops[t->n++];
	memset(op, 0, sizeof(*op));
	op->kind = TOOL_FS_OP_WRITE;
	op->rel = xstrdup(rel);
	op->data = data;
	op->len = len;
	op->mode = mode;
}

void
tool_fs_txn_delete(struct tool_fs_txn *t, const char *rel)
{
	tool_fs_txn_write(t, rel, NULL, 0, 0);
	t->ops[t->n - 1].kind = TOOL_FS_OP_DELETE;
	t->ops[t->n - 1].must_exist = 1;
}

void
tool_fs_txn_free(struct tool_fs_txn *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n; i++) {
		free(t->ops[i].rel);
		free(t->ops[i].data);
	}
	free(t->ops);
	memset(t, 0, sizeof(*t));
}

/* Checks one target, keeps its original for rollback, writes the temp. */
static int
fs_txn_prepare(const struct tool_fs *fs, struct tool_fs_op *op, struct fs_prep *pp, char *err,
               size_t errlen)
{
	int fd, missing = 0;

	pp->dfd = -1;
	if (tool_fs_check_writable(fs, op->rel, err, errlen) == -1)
		return -1;
	pp->dfd =
	    tool_fs_open_parent(fs, op->rel, op->kind == TOOL_FS_OP_WRITE, &pp->base, err, errlen);
	if (pp->dfd == -1) {
		if (op->kind == TOOL_FS_OP_DELETE && errno == ENOENT)
			snprintf(err, errlen, "%s: no such file to delete", op->rel);
		return -1;
	}
	fd = openat(pp->dfd, pp->base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1 && errno != ENOENT) {
		snprintf(err, errlen, "%s: %s", op->rel, strerror(errno));
		return -1;
	}
	missing = fd == -1;
	if (!missing) {
		struct stat st;
		int rc;
		/* Checked again on the fd we read: the name may have changed
		 * since tool_fs_check_writable looked at it. */
		if (fstat(fd, &st) == 0 && st.st_nlink > 1) {
			snprintf(err, errlen,
			         "%s has %lu hard links; refused (a hard link may point outside "
			         "the workspace)",
			         op->rel, (unsigned long)st.st_nlink);
			close(fd);
			return -1;
		}
		rc = fs_read_fd(fd, op->rel, &pp->orig, err, errlen);
		close(fd);
		if (rc == -1)
			return -1;
		pp->existed = 1;
	}
	if (missing && op->kind == TOOL_FS_OP_DELETE) {
		snprintf(err, errlen, "%s: no such file to delete", op->rel);
		return -1;
	}
	if (op->kind == TOOL_FS_OP_DELETE)
		return 0;
	if (fs_tmp_create(pp->dfd, op->data ? op->data : "", op->len,
	                  op->mode      ? op->mode
	                  : pp->existed ? pp->orig.mode
	                                : 0644,
	                  pp->tmp, sizeof(pp->tmp)) == -1) {
		snprintf(err, errlen, "%s: cannot write a temporary file beside it: %s", op->rel,
		         strerror(errno));
		return -1;
	}
	pp->have_tmp = 1;
	return 0;
}

/* Restores ops [0, upto) that were done, from the originals in memory. */
static void
fs_txn_rollback(struct tool_fs_txn *t, struct fs_prep *pp, size_t upto)
{
	char name[32];
	size_t i;

	for (i = upto; i-- > 0;) {
		if (!pp[i].done)
			continue;
		if (!pp[i].existed) {
			if (unlinkat(pp[i].dfd, pp[i].base, 0) == -1)
				fprintf(stderr, "tool_fs_txn: rollback: unlink %s: %s\n",
				        t->ops[i].rel, strerror(errno));
			continue;
		}
		if (fs_tmp_create(pp[i].dfd, pp[i].orig.data, pp[i].orig.len, pp[i].orig.mode, name,
		                  sizeof(name)) == -1 ||
		    renameat(pp[i].dfd, name, pp[i].dfd, pp[i].base) == -1)
			fprintf(stderr, "tool_fs_txn: rollback: cannot restore %s: %s\n",
			        t->ops[i].rel, strerror(errno));
	}
}

static int
fs_txn_do(struct tool_fs_op *op, struct fs_prep *pp)
{
#ifdef UNITTEST
	if (tool_fs_fail_rename_at > 0 && --tool_fs_fail_rename_at == 0) {
		errno = EIO;
		return -1;
	}
#endif
	if (op->kind == TOOL_FS_OP_DELETE)
		return unlinkat(pp->dfd, pp->base, 0);
	/* renameat replaces the name itself: if a symlink was swapped in
	 * since the check, the symlink is replaced, its target untouched. */
	return renameat(pp->dfd, pp->tmp, pp->dfd, pp->base);
}

int
tool_fs_txn_commit(const struct tool_fs *fs, struct tool_fs_txn *t, char *err, size_t errlen)
{
	struct fs_prep *pp = xcalloc(t->n ? t->n : 1, sizeof(*pp));
	size_t i, k;
	int rc = -1;

	for (i = 0; i < t->n; i++)
		pp[i].dfd = -1;
	/* Every target is checked before anything (even a directory) is
	 * created, so a refusal leaves no trace. */
	for (i = 0; i < t->n; i++)
		if (tool_fs_check_writable(fs, t->ops[i].rel, err, errlen) == -1)
			goto out;
	for (i = 0; i < t->n; i++)
		if (fs_txn_prepare(fs, &t->ops[i], &pp[i], err, errlen) == -1)
			goto out;
	for (k = 0; k < t->n; k++) {
		if (fs_txn_do(&t->ops[k], &pp[k]) == -1) {
			snprintf(err, errlen,
			         "%s: %s failed: %s; every file of this change was restored",
			         t->ops[k].rel,
			         t->ops[k].kind == TOOL_FS_OP_DELETE ? "delete" : "rename",
			         strerror(errno));
			fs_txn_rollback(t, pp, k);
			goto out;
		}
		pp[k].done = 1;
		pp[k].have_tmp = 0;
	}
	/* The renames are durable only once each directory is synced. */
	for (i = 0; i < t->n; i++)
		if (fsync(pp[i].dfd) == -1) {
			snprintf(err, errlen, "%s: fsync of its directory failed: %s",
			         t->ops[i].rel, strerror(errno));
			goto out;
		}
	rc = 0;
out:
	for (i = 0; i < t->n; i++) {
		if (pp[i].have_tmp)
			unlinkat(pp[i].dfd, pp[i].tmp, 0);
		if (pp[i].dfd >= 0)
			close(pp[i].dfd);
		tool_fs_file_free(&pp[i].orig);
	}
	free(pp);
	return rc;
}
