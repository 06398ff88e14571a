/* Unified diff parser, tolerant of what models write: git or plain
 * headers, /dev/null creates and deletes, renames, several files, hunk
 * headers with wrong counts or no numbers at all (the body is recounted),
 * blank context lines that lost their leading space, code fences and
 * prose around the diff. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/xmalloc.h"
#include "worker-tools/edit/edit.h"

#define UNI_MAX_LINES 2000000

struct uni_src {
	const char **s; /* line starts */
	size_t *len;    /* without the newline */
	size_t n;
};

/* One hunk body line before the counts are settled. */
struct uni_body {
	char kind;
	size_t line; /* index in src */
	int bare;    /* an empty line with no prefix */
	int unpref;  /* a context line that lost its leading space */
};

static int uni_parse_file_header(struct uni_src *S, size_t *i, struct tool_patch *p,
                                 struct tool_filepatch **fp, int git_pending, char *err,
                                 size_t errlen);

static void
uni_src_split(const char *text, size_t len, struct uni_src *S)
{
	size_t i, start = 0, cap = 64;

	memset(S, 0, sizeof(*S));
	S->s = xreallocarray(NULL, cap, sizeof(char *));
	S->len = xreallocarray(NULL, cap, sizeof(size_t));
	for (i = 0; i <= len; i++) {
		if (i < len && text[i] != '\n')
			continue;
		if (i == len && start == len)
			break;
		if (S->n == cap) {
			cap *= 2;
			S->s = xreallocarray(S->s, cap, sizeof(char *));
			S->len = xreallocarray(S->len, cap, sizeof(size_t));
		}
		S->s[S->n] = text + start;
		S->len[S->n] = i - start;
		if (S->len[S->n] > 0 && text[i - 1] == '\r')
			S->len[S->n]--;
		S->n++;
		start = i + 1;
	}
}

static int
uni_starts(const struct uni_src *S, size_t i, const char *pfx)
{
	size_t n = strlen(pfx);

	return i < S->n && S->len[i] >= n && memcmp(S->s[i], pfx, n) == 0;
}

/* A path from a header: unquoted, timestamp cut, a/ or b/ stripped. */
static char *
uni_path(const char *s, size_t n, char strip)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	while (n > 0 && (*s == ' ' || *s == '\t'))
		s++, n--;
	if (n > 0 && *s == '"') { /* git's C-style quoting */
		for (i = 1; i < n && s[i] != '"'; i++) {
			if (s[i] == '\\' && i + 1 < n) {
				i++;
				if (s[i] >= '0' && s[i] <= '7' && i + 2 < n) {
					strbuf_addc(&sb, (char)((s[i] - '0') * 64 +
					                        (s[i + 1] - '0') * 8 +
					                        (s[i + 2] - '0')));
					i += 2;
					continue;
				}
				strbuf_addc(&sb, s[i] == 't' ? '\t' : s[i] == 'n' ? '\n' : s[i]);
				continue;
			}
			strbuf_addc(&sb, s[i]);
		}
	} else {
		for (i = 0; i < n && s[i] != '\t'; i++)
			;
		while (i > 0 && s[i - 1] == ' ')
			i--;
		strbuf_add(&sb, s, i);
	}
	if (strbuf_str(&sb)[0] == strip && strbuf_str(&sb)[1] == '/' && sb.len > 2) {
		char *r = xstrdup(strbuf_str(&sb) + 2);
		strbuf_free(&sb);
		return r;
	}
	return strbuf_detach(&sb, NULL);
}

static int
uni_is_devnull(const char *p)
{
	return strcmp(p, "/dev/null") == 0;
}

/* "@@ -a,b +c,d @@": the numbers when they parse; garbled headers give
 * old_start -1 and counts -1 (the body decides). */
static void
uni_hunk_header(const char *s, size_t n, long *a, long *b, long *c, long *d)
{
	char buf[128];
	int k;

	*a = *b = *c = *d = -1;
	snprintf(buf, sizeof(buf), "%.*s", (int)(n < 127 ? n : 127), s);
	if (sscanf(buf, "@@ -%ld,%ld +%ld,%ld @@%n", a, b, c, d, &k) == 4)
		return;
	*a = *b = *c = *d = -1;
	if (sscanf(buf, "@@ -%ld +%ld,%ld", a, c, d) == 3) {
		*b = 1;
		return;
	}
	*a = *b = *c = *d = -1;
	if (sscanf(buf, "@@ -%ld,%ld +%ld", a, b, c) == 3) {
		*d = 1;
		return;
	}
	*a = *b = *c = *d = -1;
	if (sscanf(buf, "@@ -%ld +%ld", a, c) == 2) {
		*b = *d = 1;
		return;
	}
	*a = *b = *c = *d = -1;
}

/* Where does a hunk body end? At the next hunk or file header, a code
 * fence, or a line that cannot be a body line. */
static int
uni_body_ends(const struct uni_src *S, size_t i)
{
	if (uni_starts(S, i, "@@") || uni_starts(S, i, "diff --git ") || uni_starts(S, i, "```"))
		return 1;
	if (uni_starts(S, i, "--- ") && uni_starts(S, i + 1, "+++ "))
		return 1;
	if (S->len[i] == 0)
		return 0;
	return strchr(" -+\\", S->s[i][0]) == NULL;
}

/* Keeps the body entries the header's counts cover when they are right;
 * otherwise (models miscount) the body as written, minus trailing bare
 * blank lines. Returns how many entries to keep. */
static size_t
uni_settle(const struct uni_body *e, size_t ne, long b, long d)
{
	size_t k, oldn = 0, newn = 0;

	if (b >= 0 && d >= 0) {
		for (k = 0; k < ne; k++) {
			if (oldn == (size_t)b && newn == (size_t)d && e[k].kind != '\\')
				return k;
			if (e[k].kind == EDIT_CTX || e[k].kind == EDIT_DEL)
				oldn++;
			if (e[k].kind == EDIT_CTX || e[k].kind == EDIT_ADD)
				newn++;
		}
		if (oldn == (size_t)b && newn == (size_t)d)
			return ne;
	}
	while (ne > 0 && e[ne - 1].bare)
		ne--;
	return ne;
}

/* A context line that lost its leading space (models do this): the
 * header's counts still want lines, the line cannot start anything else,
 * and either the next line is a body line or this one completes the
 * counts. Without trustworthy counts such a line ends the hunk. */
static int
uni_unprefixed_ctx(const struct uni_src *S, size_t i, long b, long d, size_t oldn, size_t newn)
{
	if (b < 0 || d < 0 || oldn >= (size_t)b || newn >= (size_t)d)
		return 0;
	if (uni_starts(S, i, "@@") || uni_starts(S, i, "diff --git ") || uni_starts(S, i, "```") ||
	    (uni_starts(S, i, "--- ") && uni_starts(S, i + 1, "+++ ")))
		return 0;
	if (oldn + 1 == (size_t)b && newn + 1 == (size_t)d)
		return 1;
	return i + 1 < S->n && S->len[i + 1] > 0 && strchr(" -+", S->s[i + 1][0]) != NULL &&
	       !uni_starts(S, i + 1, "--- ");
}

static int
uni_parse_hunk(struct uni_src *S, size_t *i, struct tool_filepatch *fp, char *err, size_t errlen)
{
	struct uni_body *e = xreallocarray(NULL, 64, sizeof(*e));
	size_t ne = 0, cap = 64, k, keep, oldn = 0, newn = 0;
	long a, b, c, d;
	struct tool_hunk *h;
	char prev = 0;

	uni_hunk_header(S->s[*i], S->len[*i], &a, &b, &c, &d);
	h = tool_filepatch_new_hunk(fp, (int)*i + 1);
	h->old_start = a;
	for ((*i)++; *i < S->n; (*i)++) {
		int unpref = 0;
		if (uni_body_ends(S, *i) && !(unpref = uni_unprefixed_ctx(S, *i, b, d, oldn, newn)))
			break;
		if (ne == cap) {
			cap *= 2;
			e = xreallocarray(e, cap, sizeof(*e));
		}
		e[ne].line = *i;
		e[ne].bare = S->len[*i] == 0;
		e[ne].unpref = unpref;
		e[ne].kind = e[ne].bare || unpref ? EDIT_CTX : S->s[*i][0];
		oldn += e[ne].kind == EDIT_CTX || e[ne].kind == EDIT_DEL;
		newn += e[ne].kind == EDIT_CTX || e[ne].kind == EDIT_ADD;
		ne++;
	}
	keep = uni_settle(e, ne, b, d);
	if (keep < ne)
		*i = e[keep].line; /* what the counts leave out is not this hunk's */
	for (k = 0; k < keep; k++) {
		const char *s = S->s[e[k].line];
		size_t n = S->len[e[k].line];
		if (e[k].kind == '\\') { /* "\ No newline at end of file" */
			if (prev == EDIT_DEL || prev == EDIT_CTX)
				h->old_no_eol = 1;
			if (prev == EDIT_ADD || prev == EDIT_CTX)
				h->new_no_eol = 1;
			continue;
		}
		if (e[k].unpref)
			tool_hunk_add(h, EDIT_CTX, s, n);
		else
			tool_hunk_add(h, e[k].kind, e[k].bare ? "" : s + 1, e[k].bare ? 0 : n - 1);
		prev = e[k].kind;
	}
	free(e);
	if (h->n == 0) {
		snprintf(err, errlen, "patch line %d: the hunk for %s has no lines", h->lineno,
		         fp->path);
		return -1;
	}
	return 0;
}

/* "diff --git a/X b/Y" and its extended header lines. */
static int
uni_parse_git_header(struct uni_src *S, size_t *i, struct tool_patch *p, struct tool_filepatch **fp,
                     char *err, size_t errlen)
{
	const char *s = S->s[*i] + 11, *sep;
	size_t n = S->len[*i] - 11;
	char *path;

	sep = n > 2 ? memmem(s, n, " b/", 3) : NULL;
	path = sep ? uni_path(s, (size_t)(sep - s), 'a') : uni_path(s, n, 'a');
	*fp = tool_patch_new_file(p, TOOL_FP_UPDATE, path, (int)*i + 1);
	free(path);
	for ((*i)++; *i < S->n; (*i)++) {
		s = S->s[*i];
		n = S->len[*i];
		if (uni_starts(S, *i, "new file mode"))
			(*fp)->op = TOOL_FP_ADD;
		else if (uni_starts(S, *i, "deleted file mode"))
			(*fp)->op = TOOL_FP_DELETE;
		else if (uni_starts(S, *i, "rename from ")) {
			free((*fp)->path);
			(*fp)->path = uni_path(s + 12, n - 12, 0);
		} else if (uni_starts(S, *i, "rename to ")) {
			free((*fp)->move_to);
			(*fp)->move_to = uni_path(s + 10, n - 10, 0);
		} else if (uni_starts(S, *i, "GIT binary patch") ||
		           uni_starts(S, *i, "Binary files ") || uni_starts(S, *i, "copy from ")) {
			snprintf(err, errlen,
			         "patch line %zu: %s: binary patches and copies are not supported; "
			         "write the file with a file tool instead",
			         *i + 1, (*fp)->path);
			return -1;
		} else if (!uni_starts(S, *i, "index ") && !uni_starts(S, *i, "similarity index") &&
		           !uni_starts(S, *i, "dissimilarity index") &&
		           !uni_starts(S, *i, "old mode") && !uni_starts(S, *i, "new mode"))
			break;
	}
	if (uni_starts(S, *i, "--- ") && uni_starts(S, *i + 1, "+++ "))
		return uni_parse_file_header(S, i, p, fp, 1, err, errlen);
	return 0;
}

static int
uni_parse_file_header(struct uni_src *S, size_t *i, struct tool_patch *p,
                      struct tool_filepatch **fp, int git_pending, char *err, size_t errlen)
{
	char *oldp = uni_path(S->s[*i] + 4, S->len[*i] - 4, 'a');
	char *newp = uni_path(S->s[*i + 1] + 4, S->len[*i + 1] - 4, 'b');
	enum tool_fp_op op = uni_is_devnull(oldp)   ? TOOL_FP_ADD
	                     : uni_is_devnull(newp) ? TOOL_FP_DELETE
	                                            : TOOL_FP_UPDATE;
	const char *path = op == TOOL_FP_ADD ? newp : oldp;

	if (uni_is_devnull(oldp) && uni_is_devnull(newp)) {
		snprintf(err, errlen, "patch line %zu: both file names are /dev/null", *i + 1);
		free(oldp);
		free(newp);
		return -1;
	}
	if (!git_pending || *fp == NULL)
		*fp = tool_patch_new_file(p, op, path, (int)*i + 1);
	else if (op != TOOL_FP_UPDATE)
		(*fp)->op = op;
	if (op == TOOL_FP_UPDATE && !git_pending && strcmp(oldp, newp) != 0)
		(*fp)->alt_path = xstrdup(newp); /* "diff -u x.orig x": either may be it */
	if (op == TOOL_FP_UPDATE && git_pending && (*fp)->move_to == NULL &&
	    strcmp(oldp, newp) != 0) {
		free((*fp)->path); /* a git header with a/X b/Y and no rename lines */
		(*fp)->path = xstrdup(oldp);
	}
	free(oldp);
	free(newp);
	*i += 2;
	return 0;
}

int
tool_patch_parse_unified(const char *text, size_t len, struct tool_patch *out, char *err,
                         size_t errlen)
{
	struct uni_src S;
	struct tool_filepatch *fp = NULL;
	size_t i = 0;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	uni_src_split(text, len, &S);
	if (S.n > UNI_MAX_LINES) {
		snprintf(err, errlen, "the patch has more than %d lines", UNI_MAX_LINES);
		rc = -1;
	}
	while (rc == 0 && i < S.n) {
		if (uni_starts(&S, i, "diff --git "))
			rc = uni_parse_git_header(&S, &i, out, &fp, err, errlen);
		else if (uni_starts(&S, i, "--- ") && uni_starts(&S, i + 1, "+++ "))
			rc = uni_parse_file_header(&S, &i, out, &fp, 0, err, errlen);
		else if (uni_starts(&S, i, "@@")) {
			if (fp == NULL) {
				snprintf(err, errlen,
				         "patch line %zu: a hunk (@@) before any file header "
				         "(--- a/path and +++ b/path)",
				         i + 1);
				rc = -1;
			} else
				rc = uni_parse_hunk(&S, &i, fp, err, errlen);
		} else
			i++; /* prose, fences, "Index:" lines: not part of the diff */
	}
	if (rc == 0 && out->n == 0) {
		snprintf(
		    err, errlen,
		    "no file header found: a unified diff needs \"--- a/path\" and \"+++ b/path\" "
		    "lines before its @@ hunks");
		rc = -1;
	}
	for (i = 0; rc == 0 && i < out->n; i++)
		if (out->f[i].op == TOOL_FP_UPDATE && out->f[i].nhunks == 0 &&
		    out->f[i].move_to == NULL) {
			snprintf(err, errlen, "patch line %d: %s has a file header but no @@ hunks",
			         out->f[i].lineno, out->f[i].path);
			rc = -1;
		}
	free(S.s);
	free(S.len);
	if (rc == -1)
		tool_patch_free(out);
	return rc;
}
