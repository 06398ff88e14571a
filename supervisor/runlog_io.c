/*
 * runlog_io.c — the durable primitives of the run directory (DESIGN §8):
 * whole files by temp + write-all + fsync + rename + fsync(dir); appends
 * as one complete record + fsync. No I/O return value is ignored, and a
 * failed fsync/rename is final: the kernel may already have dropped the
 * data, so retrying and carrying on would turn a lost write into a lie.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/core/log.h"
#include "lib/core/xmalloc.h"
#include "lib/failpoint/failpoint.h"
#include "supervisor/runlog_int.h"

int
runlog_fail(struct runlog *rl, const char *fmt, ...)
{
	va_list ap;

	if (rl->failed)
		return -1; /* the first error is the one that matters */
	va_start(ap, fmt);
	vsnprintf(rl->err, sizeof(rl->err), fmt, ap);
	va_end(ap);
	rl->failed = 1; /* reported once, by whoever ends the run */
	return -1;
}

int
runlog_io_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
runlog_io_fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	if (close(fd) != 0)
		rc = -1;
	return rc;
}

/*
 * One durable boundary. KYLECODE_CRASH_AT_STEP=N kills the process at the
 * Nth: for an append (fd >= 0) after writing half the record, which is
 * what a torn write looks like; for a whole file, with the temp file
 * written but not yet renamed. Both are the worst moments to die.
 */
void
runlog_io_step(struct runlog *rl, int fd, const char *rec, size_t len)
{
	rl->steps++;
	if (rl->crash_at <= 0 || rl->steps != rl->crash_at)
		return;
	if (fd >= 0 && len > 1) {
		(void)!write(fd, rec, len / 2);
		(void)fsync(fd);
	}
	fprintf(stderr, "runlog: KYLECODE_CRASH_AT_STEP=%ld: crashing\n", rl->crash_at);
	raise(SIGKILL);
}

/* mkdir -p beneath the run directory; each new directory's parent is
 * fsynced so the entry itself survives a crash. */
int
runlog_io_mkdirs(struct runlog *rl, const char *rel_dir)
{
	char *path = xasprintf("%s/%s", rl->dir, rel_dir), *p;
	int rc = 0;

	for (p = path + strlen(rl->dir) + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;

		*p = '\0';
		if (mkdir(path, 0755) == 0) {
			char *slash = strrchr(path, '/');

			*slash = '\0';
			if (runlog_io_fsync_dir(path) < 0)
				rc = runlog_fail(rl, "fsync directory %s: %s", path,
				                 strerror(errno));
			*slash = '/';
		} else if (errno != EEXIST) {
			rc = runlog_fail(rl, "mkdir %s: %s", path, strerror(errno));
		}
		*p = c;
		if (c == '\0' || rc < 0)
			break;
	}
	free(path);
	return rc;
}

static int
runlog_io_tmpwrite(struct runlog *rl, const char *tmp, const char *data, size_t len, mode_t mode)
{
	/* The umask applies: a user who keeps files private keeps the log private. */
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);

	if (fd < 0)
		return runlog_fail(rl, "create %s: %s", tmp, strerror(errno));
	if (runlog_io_write_all(fd, data, len) < 0) {
		runlog_fail(rl, "write %s: %s", tmp, strerror(errno));
		close(fd);
		return -1;
	}
	if ((errno = FAILPOINT("runlog.fsync")) != 0 || fsync(fd) != 0) {
		runlog_fail(rl, "fsync %s: %s", tmp, strerror(errno));
		close(fd);
		return -1;
	}
	if (close(fd) != 0)
		return runlog_fail(rl, "close %s: %s", tmp, strerror(errno));
	return 0;
}

/* Whole file rel (already redacted) into place. */
int
runlog_io_whole(struct runlog *rl, const char *rel, const char *data, size_t len)
{
	if (rl->failed)
		return -1;
	if (strstr(rel, "..") != NULL || rel[0] == '/')
		return runlog_fail(rl, "refusing path outside the run directory: %s", rel);
	return runlog_io_whole_mode(rl, rel, data, len, 0644);
}

/* The same with the file's mode; rel is checked by the caller. */
int
runlog_io_whole_mode(struct runlog *rl, const char *rel, const char *data, size_t len, mode_t mode)
{
	char *path = NULL, *tmp = NULL, *dir = NULL, *slash;
	int rc = -1;

	if (rl->failed)
		return -1;
	path = xasprintf("%s/%s", rl->dir, rel);
	dir = xstrdup(path);
	slash = strrchr(dir, '/');
	*slash = '\0';
	if (strchr(rel, '/') != NULL) {
		char *reldir = xstrndup(rel, (size_t)(strrchr(rel, '/') - rel));

		rc = runlog_io_mkdirs(rl, reldir);
		free(reldir);
		if (rc < 0)
			goto out;
		rc = -1;
	}
	tmp = xasprintf("%s/.%s%s", dir, slash + 1, RUNLOG_TMP_SUFFIX);
	if (runlog_io_tmpwrite(rl, tmp, data, len, mode) < 0)
		goto out;
	runlog_io_step(rl, -1, NULL, 0);
	if ((errno = FAILPOINT("runlog.rename")) != 0 || rename(tmp, path) != 0) {
		runlog_fail(rl, "rename %s: %s", path, strerror(errno));
		goto out;
	}
	if (runlog_io_fsync_dir(dir) < 0) {
		runlog_fail(rl, "fsync directory %s: %s", dir, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	free(path);
	free(tmp);
	free(dir);
	return rc;
}

int
runlog_io_append(struct runlog *rl, int fd, const char *what, const char *rec, size_t len)
{
	if (rl->failed)
		return -1;
	runlog_io_step(rl, fd, rec, len);
	if ((errno = FAILPOINT("runlog.append")) != 0 || runlog_io_write_all(fd, rec, len) < 0)
		return runlog_fail(rl, "append to %s: %s", what, strerror(errno));
	if (fsync(fd) != 0)
		return runlog_fail(rl, "fsync %s: %s", what, strerror(errno));
	return 0;
}
