/* Directory walks beneath the root (list, glob, grep) and glob matching. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/core/clock.h"
#include "lib/core/strbuf.h"
#include "lib/core/xmalloc.h"
#include "worker-tools/fs/fs_tools.h"

#define WALK_MAX_DEPTH 32
#define GLOB_BUDGET 100000 /* glob_plain calls per name */

static int
walk_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads the names of dfd (sorted); the caller frees. */
static char **
walk_names(int dfd, size_t *n)
{
	DIR *d;
	struct dirent *de;
	char **v = NULL;
	size_t cap = 0;
	int fd = dup(dfd);

	*n = 0;
	if (fd == -1 || (d = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		return NULL;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 32;
			v = xreallocarray(v, cap, sizeof(char *));
		}
		v[(*n)++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (*n > 1)
		qsort(v, *n, sizeof(char *), walk_cmp);
	return v;
}

struct walk {
	tool_fs_walk_cb cb;
	void *arg;
	int maxdepth;
	int64_t deadline_ms; /* 0: none */
	unsigned ticks;
	int late;
};

/* Whether the deadline has passed (the clock is read every 64 entries). */
static int
walk_late(struct walk *w)
{
	if (w->deadline_ms == 0 || w->late)
		return w->late;
	if ((w->ticks++ & 63) == 0 && kc_mono_ms() >= w->deadline_ms)
		w->late = 1;
	return w->late;
}

static int
walk_dir(struct walk *w, int dfd, const char *prefix, int depth)
{
	char **names;
	size_t n, i;
	struct stat st;
	int rc = 0, sub;

	names = walk_names(dfd, &n);
	for (i = 0; i < n && rc >= 0; i++) {
		if (walk_late(w)) {
			rc = -1;
			break;
		}
		char *rel = strcmp(prefix, ".") == 0 ? xstrdup(names[i])
		                                     : xasprintf("%s/%s", prefix, names[i]);
		if (fstatat(dfd, names[i], &st, AT_SYMLINK_NOFOLLOW) == 0) {
			rc = w->cb(w->arg, rel, &st, depth);
			/* Never follow a symlink while walking; O_NOFOLLOW makes a
			 * directory swapped for a symlink since fstatat fail. */
			if (rc == 0 && S_ISDIR(st.st_mode) && depth < w->maxdepth &&
			    (sub = openat(dfd, names[i],
			                  O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) >= 0) {
				rc = walk_dir(w, sub, rel, depth + 1);
				close(sub);
			}
			if (rc == 1)
				rc = 0;
		}
		free(rel);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc < 0 ? -1 : 0;
}

int
tool_fs_walk(const struct tool_fs *fs, const char *rel_dir, int maxdepth, tool_fs_walk_cb cb,
             void *arg)
{
	struct walk w = {cb, arg, maxdepth > WALK_MAX_DEPTH ? WALK_MAX_DEPTH : maxdepth, fs->deadline_ms, 0, 0};
	int dfd, rc;

	if ((dfd = tool_fs_open(fs, rel_dir, O_RDONLY | O_DIRECTORY)) == -1)
		return -1;
	rc = walk_dir(&w, dfd, rel_dir, 1);
	close(dfd);
	return w.late ? TOOL_FS_WALK_LATE : rc;
}

/* One bracket expression at p ("[a-z]", "[!x]"); returns the pattern
 * after it, or NULL when c does not match. */
static const char *
glob_bracket(const char *p, char c, int *matched)
{
	int neg = 0, ok = 0;

	p++;
	if (*p == '!' || *p == '^')
		neg = 1, p++;
	do {
		if (p[0] && p[1] == '-' && p[2] && p[2] != ']') {
			ok |= (unsigned char)c >= (unsigned char)p[0] &&
			      (unsigned char)c <= (unsigned char)p[2];
			p += 3;
		} else {
			ok |= *p == c;
			p++;
		}
	} while (*p && *p != ']');
	*matched = ok != neg;
	return *p == ']' ? p + 1 : NULL;
}

static int
glob_plain(const char *p, const char *s, long *budget)
{
	int m;

	/* Backtracking over several '*' is exponential in the worst case
	 * ("*a*a*a*a*b"); past the budget a name simply does not match. */
	if (--*budget < 0)
		return 0;

	for (; *p; p++, s++) {
		if (p[0] == '*' && p[1] == '*') {
			p += 2;
			if (*p == '/')
				p++; /* "**" + "/" may match no directory at all */
			for (;; s++) {
				if (glob_plain(p, s, budget))
					return 1;
				if (*s == '\0')
					return 0;
			}
		}
		if (*p == '*') {
			for (p++;; s++) {
				if (glob_plain(p, s, budget))
					return 1;
				if (*s == '\0' || *s == '/')
					return 0;
			}
		}
		if (*s == '\0')
			return 0;
		if (*p == '?') {
			if (*s == '/')
				return 0;
			continue;
		}
		if (*p == '[' && (p = glob_bracket(p, *s, &m)) != NULL) {
			if (!m)
				return 0;
			p--;
			continue;
		}
		if (p == NULL || *p != *s)
			return 0;
	}
	return *s == '\0';
}

/* Expands the first {a,b} group and matches each alternative. */
static int
glob_braces(const char *p, const char *s, int depth, long *budget)
{
	const char *open = strchr(p, '{'), *close, *alt, *q;
	int depthc = 0;

	if (open == NULL || depth > 8)
		return glob_plain(p, s, budget);
	for (close = open; *close; close++) {
		depthc += *close == '{';
		depthc -= *close == '}';
		if (depthc == 0)
			break;
	}
	if (*close != '}')
		return glob_plain(p, s, budget);
	for (alt = open + 1; alt <= close; alt = q + 1) {
		char *cand;
		int m;
		for (q = alt, depthc = 0; q < close && !(depthc == 0 && *q == ','); q++)
			depthc += (*q == '{') - (*q == '}');
		cand = xasprintf("%.*s%.*s%s", (int)(open - p), p, (int)(q - alt), alt, close + 1);
		m = glob_braces(cand, s, depth + 1, budget);
		free(cand);
		if (m)
			return 1;
	}
	return 0;
}

int
tool_fs_glob_match(const char *pattern, const char *rel)
{
	const char *base = strrchr(rel, '/');
	long budget = GLOB_BUDGET;

	while (pattern[0] == '.' && pattern[1] == '/')
		pattern += 2;
	if (strchr(pattern, '/') == NULL)
		return glob_braces(pattern, base ? base + 1 : rel, 0, &budget);
	return glob_braces(pattern, rel, 0, &budget);
}

/* How alike two names are for a "did you mean": 3 for the same name in
 * another case, 2 for the same stem with another extension, else the
 * length of the common prefix when it is at least 3 bytes. */
static size_t
suggest_score(const char *want, const char *name)
{
	const char *dw = strrchr(want, '.'), *dn = strrchr(name, '.');
	size_t sw = dw ? (size_t)(dw - want) : strlen(want),
	       sn = dn ? (size_t)(dn - name) : strlen(name), i;

	if (strcasecmp(want, name) == 0)
		return 1000;
	if (sw == sn && sw > 0 && strncmp(want, name, sw) == 0)
		return 500;
	for (i = 0; want[i] && want[i] == name[i]; i++)
		;
	return i >= 3 ? i : 0;
}

void
tool_fs_suggest(const struct tool_fs *fs, const char *rel, struct strbuf *sb)
{
	char err[TOOL_FS_ERRLEN], **names;
	const char *base;
	size_t n, i, k, best[3] = {0, 0, 0}, idx[3] = {0, 0, 0}, sc;
	int dfd;

	if ((dfd = tool_fs_open_parent(fs, rel, 0, &base, err, sizeof(err))) == -1)
		return;
	names = walk_names(dfd, &n);
	close(dfd);
	for (i = 0; i < n && n < 100000; i++) {
		if ((sc = suggest_score(base, names[i])) == 0)
			continue;
		for (k = 0; k < 3 && sc <= best[k]; k++)
			;
		if (k == 3)
			continue;
		memmove(best + k + 1, best + k, (2 - k) * sizeof(size_t));
		memmove(idx + k + 1, idx + k, (2 - k) * sizeof(size_t));
		best[k] = sc;
		idx[k] = i;
	}
	for (k = 0; k < 3 && best[k] > 0; k++) {
		char *d = tool_fs_name_display(names[idx[k]]);
		strbuf_addf(sb, "%s%.*s%s%s", k ? ", " : "; did you mean ", (int)(base - rel), rel,
		            d, k + 1 < 3 && best[k + 1] > 0 ? "" : "?");
		free(d);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}
