#include "lib/core/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/core/strbuf.h"
#include "lib/core/xmalloc.h"

int
kc_mkdir_p(const char *path, mode_t mode)
{
	char *p = xstrdup(path), *s;
	int rc = 0, saved = 0;

	for (s = p + 1; *s != '\0'; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, mode) != 0 && errno != EEXIST && rc == 0) {
			rc = -1;
			saved = errno;
		}
		*s = '/';
	}
	if (mkdir(p, mode) != 0 && errno != EEXIST && rc == 0) {
		rc = -1;
		saved = errno;
	}
	free(p);
	if (rc != 0)
		errno = saved;
	return rc;
}

char *
kc_file_read(const char *path, size_t max, size_t *lenp, char *err, size_t errlen)
{
	struct strbuf sb = STRBUF_INIT;
	char chunk[65536];
	struct stat st;
	ssize_t r;
	int fd;

	/* O_NONBLOCK: a FIFO named as a config must not block the open;
	 * only regular files are read (checked right after). */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		close(fd);
		return NULL;
	}
	while ((r = read(fd, chunk, sizeof(chunk))) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || sb.len + (size_t)r > max) {
			snprintf(err, errlen,
			         r < 0 ? "%s: read error" : "%s: larger than %zu bytes", path, max);
			strbuf_free(&sb);
			close(fd);
			return NULL;
		}
		strbuf_add(&sb, chunk, (size_t)r);
	}
	close(fd);
	return strbuf_detach(&sb, lenp);
}

cJSON *
kc_json_file_load(const char *path, char *err, size_t errlen)
{
	size_t len;
	char *text = kc_file_read(path, KC_JSON_FILE_MAX, &len, err, errlen);
	cJSON *j;

	if (text == NULL)
		return NULL;
	if ((j = cJSON_ParseWithLength(text, len)) == NULL)
		snprintf(err, errlen, "%s: not valid JSON", path);
	free(text);
	return j;
}

int
kc_path_rel_ok(const char *rel)
{
	const char *p = rel, *e;
	size_t n;

	if (rel[0] == '\0' || rel[0] == '/')
		return 0;
	for (;; p = e + 1) {
		e = strchr(p, '/');
		n = e ? (size_t)(e - p) : strlen(p);
		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return 0;
		if (e == NULL)
			return 1;
	}
}
