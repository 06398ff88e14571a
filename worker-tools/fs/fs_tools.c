/* Reading tools: read_file, read, list_dir, list, glob, grep. */
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/xmalloc.h"
#include "worker-tools/fs/fs_tools.h"

#define READ_OC_DEFAULT_LINES 2000
#define READ_OC_MAX_LINE 2000
#define LIST_MAX_ENTRIES 1000
#define GLOB_MAX_RESULTS 100
#define GREP_MAX_MATCHES 100
#define GREP_MAX_FILE (10u * 1024 * 1024)
#define GREP_MAX_SCANNED (200u * 1024 * 1024)
#define GREP_MAX_LINE 4096

void
tool_res_fail(struct tool_res *r, const char *fmt, ...)
{
	va_list ap;
	struct strbuf sb = STRBUF_INIT;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	free(r->error);
	r->error = strbuf_detach(&sb, NULL);
	r->ok = 0;
}

void
tool_res_changed(struct tool_res *r, const char *rel)
{
	r->changed = xreallocarray(r->changed, r->nchanged + 1, sizeof(char *));
	r->changed[r->nchanged++] = xstrdup(rel);
}

int
tool_arg_str(const cJSON *args, const char *name, int required, const char **out,
             struct tool_res *r)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(args, name);

	*out = NULL;
	if (v == NULL || cJSON_IsNull(v)) {
		if (required)
			tool_res_fail(r, "missing required argument \"%s\"", name);
		return required ? -1 : 0;
	}
	if (!cJSON_IsString(v)) {
		tool_res_fail(r, "argument \"%s\" must be a string", name);
		return -1;
	}
	*out = v->valuestring;
	return 0;
}

int
tool_arg_int(const cJSON *args, const char *name, long def, long *out, struct tool_res *r)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(args, name);
	char *end;

	*out = def;
	if (v == NULL || cJSON_IsNull(v))
		return 0;
	if (cJSON_IsNumber(v) && v->valuedouble >= -1e15 && v->valuedouble <= 1e15) {
		*out = (long)v->valuedouble;
		return 0;
	}
	if (cJSON_IsString(v)) { /* models often quote numbers */
		*out = strtol(v->valuestring, &end, 10);
		if (end != v->valuestring && *end == '\0')
			return 0;
	}
	tool_res_fail(r, "argument \"%s\" must be an integer", name);
	return -1;
}

/* Normalizes args[name] (a path) or fails the call. */
static char *
fs_arg_path(const struct tool_fs *fs, const cJSON *args, const char *name, int required,
            struct tool_res *r)
{
	char err[TOOL_FS_ERRLEN];
	const char *p;
	char *rel;

	if (tool_arg_str(args, name, required, &p, r) == -1)
		return NULL;
	if ((rel = tool_fs_path_normalize(fs, p ? p : ".", err, sizeof(err))) == NULL)
		tool_res_fail(r, "%s", err);
	return rel;
}

/* Reads rel for a reading tool; NULL (and r failed) when it cannot. */
static int
fs_read_text(const struct tool_fs *fs, const char *rel, struct tool_fs_file *f, struct tool_res *r)
{
	char err[TOOL_FS_ERRLEN];
	int missing;

	if (tool_fs_file_read(fs, rel, f, &missing, err, sizeof(err)) == -1) {
		struct strbuf sb = STRBUF_INIT;
		if (missing)
			tool_fs_suggest(fs, rel, &sb);
		tool_res_fail(r, "%s%s", err, strbuf_str(&sb));
		strbuf_free(&sb);
		return -1;
	}
	if (f->binary) {
		tool_res_fail(r, "%s is a binary file (%zu bytes, contains NUL bytes); not shown",
		              rel, f->len);
		tool_fs_file_free(f);
		return -1;
	}
	return 0;
}

/* read_file(path, offset, limit): offset is the first line (1-based),
 * limit a number of lines; the text is returned as it is. */
void
tool_fs_read_file(const struct tool_fs *fs, const cJSON *args, struct tool_res *r)
{
	struct tool_fs_file f;
	long off, lim;
	size_t line = 1, i, start = 0, end;
	char *rel = fs_arg_path(fs, args, "path", 1, r);

	if (rel == NULL || tool_arg_int(args, "offset", 1, &off, r) == -1 ||
	    tool_arg_int(args, "limit", 0, &lim, r) == -1 || fs_read_text(fs, rel, &f, r) == -1) {
		free(rel);
		return;
	}
	for (i = 0; i < f.len && line < (size_t)(off > 1 ? off : 1); i++)
		if (f.data[i] == '\n')
			line++, start = i + 1;
	end = start;
	for (line = 0; end < f.len && (lim <= 0 || line < (size_t)lim); end++)
		if (f.data[end] == '\n')
			line++;
	if (start > f.len)
		start = f.len;
	if (end - start > TOOL_FS_MAX_OUTPUT) {
		strbuf_add(&r->out, f.data + start, TOOL_FS_MAX_OUTPUT);
		strbuf_addf(
		    &r->out,
		    "\n[... truncated at %u bytes; read further with offset and limit (lines)]\n",
		    TOOL_FS_MAX_OUTPUT);
	} else
		strbuf_add(&r->out, f.data + start, end - start);
	r->ok = 1;
	tool_fs_file_free(&f);
	free(rel);
}

/* OpenCode's read: numbered lines "00001| text", offset 0-based. */
void
tool_fs_read_oc(const struct tool_fs *fs, const cJSON *args, struct tool_res *r)
{
	struct tool_fs_file f;
	long off, lim;
	size_t line = 0, i, s, n;
	char *rel = fs_arg_path(fs, args, "filePath", 1, r);

	if (rel == NULL || tool_arg_int(args, "offset", 0, &off, r) == -1 ||
	    tool_arg_int(args, "limit", READ_OC_DEFAULT_LINES, &lim, r) == -1 ||
	    fs_read_text(fs, rel, &f, r) == -1) {
		free(rel);
		return;
	}
	if (off < 0)
		off = 0;
	if (lim <= 0)
		lim = READ_OC_DEFAULT_LINES;
	strbuf_adds(&r->out, "<file>\n");
	for (i = 0, s = 0; s < f.len; s = i + 1, line++) {
		for (i = s; i < f.len && f.data[i] != '\n'; i++)
			;
		if (line < (size_t)off)
			continue;
		if (line >= (size_t)(off + lim) || r->out.len > TOOL_FS_MAX_OUTPUT) {
			strbuf_addf(&r->out,
			            "\n(File has more lines. Use 'offset' parameter to read beyond "
			            "line %zu)\n",
			            line);
			break;
		}
		n = i - s;
		if (n > 0 && f.data[s + n - 1] == '\r')
			n--;
		strbuf_addf(&r->out, "%05zu| %.*s%s\n", line + 1,
		            (int)(n > READ_OC_MAX_LINE ? READ_OC_MAX_LINE : n), f.data + s,
		            n > READ_OC_MAX_LINE ? "..." : "");
	}
	strbuf_adds(&r->out, "</file>");
	r->ok = 1;
	tool_fs_file_free(&f);
	free(rel);
}

struct list_ctx {
	struct strbuf *sb;
	size_t count;
	const cJSON *ignore; /* list: glob patterns to skip */
	int truncated;
};

static const char *list_default_ignore[] = {".git",   "node_modules", "__pycache__", ".venv",
                                            "venv",   "dist",         "build",       "target",
                                            ".cache", ".idea",        ".vscode",     NULL};

static int
list_ignored(const struct list_ctx *c, const char *rel)
{
	const char *base = strrchr(rel, '/');
	const cJSON *it;
	size_t i;

	base = base ? base + 1 : rel;
	for (i = 0; c->ignore != NULL && list_default_ignore[i]; i++)
		if (strcmp(base, list_default_ignore[i]) == 0)
			return 1;
	cJSON_ArrayForEach(it, c->ignore) if (cJSON_IsString(it) && strlen(it->valuestring) < 512 &&
	                                      tool_fs_glob_match(it->valuestring, rel)) return 1;
	return 0;
}

static int
list_cb(void *arg, const char *rel, const struct stat *st, int depth)
{
	struct list_ctx *c = arg;
	const char *base = strrchr(rel, '/');
	char *disp;

	if (list_ignored(c, rel))
		return 1;
	if (c->count++ >= LIST_MAX_ENTRIES) {
		c->truncated = 1;
		return -1;
	}
	disp = tool_fs_name_display(base ? base + 1 : rel);
	strbuf_addf(c->sb, "%*s%s%s\n", depth * 2, "", disp,
	            S_ISDIR(st->st_mode)   ? "/"
	            : S_ISLNK(st->st_mode) ? "@"
	                                   : "");
	free(disp);
	/* .git is shown but not walked: its content is noise for a model */
	return S_ISDIR(st->st_mode) && strcmp(base ? base + 1 : rel, ".git") == 0 ? 1 : 0;
}

static void
fs_list_common(const struct tool_fs *fs, char *rel, long depth, const cJSON *ignore,
               struct tool_res *r)
{
	struct list_ctx c = {.sb = &r->out, .ignore = ignore};
	char *disp = tool_fs_name_display(rel);
	int rc;

	strbuf_addf(&r->out, "%s/\n", disp);
	free(disp);
	if ((rc = tool_fs_walk(fs, rel, (int)depth, list_cb, &c)) == -1 && c.count == 0) {
		tool_res_fail(
		    r,
		    "%s: cannot list: not a directory beneath the workspace, or it does not exist",
		    rel);
		return;
	}
	if (c.truncated)
		strbuf_addf(&r->out, "[... more than %d entries; list a subdirectory]\n",
		            LIST_MAX_ENTRIES);
	if (rc == TOOL_FS_WALK_LATE)
		strbuf_adds(&r->out, TOOL_FS_LATE_NOTE);
	r->ok = 1;
}

void
tool_fs_list_dir(const struct tool_fs *fs, const cJSON *args, struct tool_res *r)
{
	long depth;
	char *rel = fs_arg_path(fs, args, "path", 0, r);

	if (rel != NULL && tool_arg_int(args, "depth", 1, &depth, r) == 0)
		fs_list_common(fs, rel, depth < 1 ? 1 : depth > 5 ? 5 : depth, NULL, r);
	free(rel);
}

void
tool_fs_list_oc(const struct tool_fs *fs, const cJSON *args, struct tool_res *r)
{
	static const cJSON empty = {.type = cJSON_Array};
	const cJSON *ign = cJSON_GetObjectItemCaseSensitive(args, "ignore");
	char *rel = fs_arg_path(fs, args, "path", 0, r);

	if (rel != NULL)
		fs_list_common(fs, rel, 8, cJSON_IsArray(ign) ? ign : &empty, r);
	free(rel);
}

struct glob_ctx {
	const char *pattern, *base;
	char **hits;
	time_t *mtime;
	size_t n;
};

static int
glob_cb(void *arg, const char *rel, const struct stat *st, int depth)
{
	struct glob_ctx *g = arg;
	const char *sub = rel;
	size_t bl = strlen(g->base);

	(void)depth;
	if (S_ISDIR(st->st_mode) &&
	    strcmp(strrchr(rel, '/') ? strrchr(rel, '/') + 1 : rel, ".git") == 0)
		return 1;
	if (strcmp(g->base, ".") != 0 && strncmp(rel, g->base, bl) == 0 && rel[bl] == '/')
		sub = rel + bl + 1;
	if (S_ISREG(st->st_mode) && tool_fs_glob_match(g->pattern, sub)) {
		if (g->n >= 10000)
			return -1;
		g->hits = xreallocarray(g->hits, g->n + 1, sizeof(char *));
		g->mtime = xreallocarray(g->mtime, g->n + 1, sizeof(time_t));
		g->hits[g->n] = xstrdup(rel);
		g->mtime[g->n++] = st->st_mtime;
	}
	return 0;
}

void
tool_fs_glob(const struct tool_fs *fs, const cJSON *args, struct tool_res *r)
{
	struct glob_ctx g = {0};
	const char *pat;
	size_t i, j, best;
	char *rel = fs_arg_path(fs, args, "path", 0, r), *t, *disp;
	time_t tm;
	int late;

	if (rel == NULL || tool_arg_str(args, "pattern", 1, &pat, r) == -1 || strlen(pat) > 512) {
		if (rel != NULL && pat != NULL)
			tool_res_fail(r, "the glob pattern is longer than 512 bytes");
		free(rel);
		return;
	}
	g.pattern = pat;
	g.base = rel;
	late = tool_fs_walk(fs, rel, 32, glob_cb, &g) == TOOL_FS_WALK_LATE;
	for (i = 0; i < g.n && i < GLOB_MAX_RESULTS; i++) { /* newest first, as OpenCode */
		for (best = i, j = i + 1; j < g.n; j++)
			if (g.mtime[j] > g.mtime[best])
				best = j;
		t = g.hits[i], g.hits[i] = g.hits[best], g.hits[best] = t;
		tm = g.mtime[i], g.mtime[i] = g.mtime[best], g.mtime[best] = tm;
		disp = tool_fs_name_display(g.hits[i]);
		strbuf_addf(&r->out, "%s\n", disp);
		free(disp);
	}
	if (g.n == 0)
		strbuf_adds(&r->out, "No files found\n");
	if (g.n > GLOB_MAX_RESULTS)
		strbuf_addf(&r->out,
		            "(Results are truncated: %zu files matched; use a more specific path "
		            "or pattern)\n",
		            g.n);
	if (late)
		strbuf_adds(&r->out, TOOL_FS_LATE_NOTE);
	for (i = 0; i < g.n; i++)
		free(g.hits[i]);
	free(g.hits);
	free(g.mtime);
	free(rel);
	r->ok = 1;
}

struct grep_ctx {
	const struct tool_fs *fs;
	regex_t re;
	const char *include;
	struct strbuf *sb;
	size_t matches, files, scanned;
	int stopped;
};

/* Scans one file; adds "path:\n  Line N: text" blocks. */
static void
grep_file(struct grep_ctx *g, const char *rel)
{
	struct tool_fs_file f;
	char err[TOOL_FS_ERRLEN], *line = xmalloc(GREP_MAX_LINE + 1), *disp;
	size_t s, e, n, lineno = 0;
	int header = 0;

	if (tool_fs_file_read(g->fs, rel, &f, NULL, err, sizeof(err)) == -1 || f.binary) {
		if (f.data)
			tool_fs_file_free(&f);
		free(line);
		return;
	}
	g->scanned += f.len;
	for (s = 0; s < f.len && !g->stopped; s = e + 1) {
		for (e = s; e < f.len && f.data[e] != '\n'; e++)
			;
		lineno++;
		/* lines are cut to a bound so one huge line cannot make the
		 * regex engine run for long */
		n = e - s > GREP_MAX_LINE ? GREP_MAX_LINE : e - s;
		memcpy(line, f.data + s, n);
		line[n] = '\0';
		if (regexec(&g->re, line, 0, NULL, 0) != 0)
			continue;
		if (!header) {
			disp = tool_fs_name_display(rel);
			strbuf_addf(g->sb, "%s%s:\n", g->files++ ? "\n" : "", disp);
			free(disp);
			header = 1;
		}
		strbuf_addf(g->sb, "  Line %zu: %.*s\n", lineno, (int)(n > 500 ? 500 : n), line);
		if (++g->matches >= GREP_MAX_MATCHES)
			g->stopped = 1;
	}
	free(line);
	tool_fs_file_free(&f);
}

static int
grep_cb(void *arg, const char *rel, const struct stat *st, int depth)
{
	struct grep_ctx *g = arg;
	const char *base = strrchr(rel, '/');

	(void)depth;
	base = base ? base + 1 : rel;
	if (S_ISDIR(st->st_mode))
		return strcmp(base, ".git") == 0 || strcmp(base, "node_modules") == 0 ? 1 : 0;
	if (!S_ISREG(st->st_mode) || st->st_size > (off_t)GREP_MAX_FILE)
		return 0;
	if (g->include != NULL && !tool_fs_glob_match(g->include, rel))
		return 0;
	grep_file(g, rel);
	return g->stopped || g->scanned > GREP_MAX_SCANNED ? -1 : 0;
}

/* glibc's regexec is a DFA-ish matcher except for backreferences, which
 * backtrack without bound: a pattern with one could pin the worker. */
static int
grep_has_backref(const char *p)
{
	for (; *p; p++)
		if (*p == '\\' && p[1] != '\0') {
			if (p[1] >= '1' && p[1] <= '9')
				return 1;
			p++;
		}
	return 0;
}

void
tool_fs_grep(const struct tool_fs *fs, const cJSON *args, struct tool_res *r)
{
	struct grep_ctx g = {.fs = fs};
	struct strbuf body = STRBUF_INIT;
	const char *pat;
	char *rel = fs_arg_path(fs, args, "path", 0, r), ebuf[256];
	int rc;

	if (rel == NULL || tool_arg_str(args, "pattern", 1, &pat, r) == -1 ||
	    tool_arg_str(args, "include", 0, &g.include, r) == -1) {
		free(rel);
		return;
	}
	if (grep_has_backref(pat)) {
		tool_res_fail(r, "backreferences (\\1 ... \\9) are not supported by grep here: "
		                 "matching them can take exponential time");
		free(rel);
		return;
	}
	if ((rc = regcomp(&g.re, pat, REG_EXTENDED | REG_NEWLINE | REG_NOSUB)) != 0) {
		regerror(rc, &g.re, ebuf, sizeof(ebuf));
		tool_res_fail(r, "invalid regular expression (POSIX extended): %s", ebuf);
		free(rel);
		return;
	}
	g.sb = &body;
	if ((rc = tool_fs_walk(fs, rel, 32, grep_cb, &g)) == -1 && g.files == 0 && !g.stopped)
		grep_file(&g, rel); /* path names a single file */
	regfree(&g.re);
	if (g.matches == 0)
		strbuf_adds(&r->out, "No files found\n");
	else
		strbuf_addf(&r->out, "Found %zu matches%s\n\n%s", g.matches,
		            g.stopped ? " (stopped at the limit; "
		                        "narrow the pattern or path)"
		                      : "",
		            strbuf_str(&body));
	if (g.scanned > GREP_MAX_SCANNED)
		strbuf_addf(&r->out, "\n(search stopped after %u MB; narrow the path)\n",
		            GREP_MAX_SCANNED >> 20);
	if (rc == TOOL_FS_WALK_LATE)
		strbuf_adds(&r->out, TOOL_FS_LATE_NOTE);
	strbuf_free(&body);
	free(rel);
	r->ok = 1;
}
