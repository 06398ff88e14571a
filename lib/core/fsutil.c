#include "lib/core/fsutil.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>

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
