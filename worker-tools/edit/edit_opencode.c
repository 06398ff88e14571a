/* OpenCode / Codex patch parser:
 *   *** Begin Patch
 *   *** Add File: path      (+lines)
 *   *** Delete File: path
 *   *** Update File: path   [*** Move to: path]  @@ [anchor] / ' ' '-' '+' lines
 *   *** End of File         (the chunk before it ends at the end of the file)
 *   *** End Patch
 * Accepted as Codex accepts it: a heredoc or fence around the patch,
 * marker lines padded with whitespace, a first chunk without "@@". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/xmalloc.h"
#include "worker-tools/edit/edit.h"

struct oc_state {
	const char *text;
	size_t len, pos;
	int lineno;
	const char *line; /* current line, without its newline (or CR) */
	size_t n;
};

/* Advances to the next line; 0 at the end. */
static int
oc_next(struct oc_state *st)
{
	const char *nl;

	if (st->pos >= st->len)
		return 0;
	st->line = st->text + st->pos;
	nl = memchr(st->line, '\n', st->len - st->pos);
	st->n = nl ? (size_t)(nl - st->line) : st->len - st->pos;
	st->pos += st->n + (nl != NULL);
	if (st->n > 0 && st->line[st->n - 1] == '\r')
		st->n--;
	st->lineno++;
	return 1;
}

/* The line with surrounding whitespace removed, for marker tests. */
static void
oc_trim(const struct oc_state *st, const char **s, size_t *n)
{
	*s = st->line;
	*n = st->n;
	while (*n > 0 && (**s == ' ' || **s == '\t'))
		(*s)++, (*n)--;
	while (*n > 0 && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
		(*n)--;
}

/* If the trimmed line is marker (followed by text), returns the text. */
static int
oc_marker(const struct oc_state *st, const char *marker, char **arg)
{
	const char *s;
	size_t n, ml = strlen(marker);

	oc_trim(st, &s, &n);
	if (n < ml || memcmp(s, marker, ml) != 0)
		return 0;
	if (arg != NULL) {
		s += ml;
		n -= ml;
		while (n > 0 && *s == ' ')
			s++, n--;
		*arg = xstrndup(s, n);
	} else if (n != ml)
		return 0;
	return 1;
}

static int
oc_is_file_marker(const struct oc_state *st)
{
	const char *s;
	size_t n;

	oc_trim(st, &s, &n);
	return n >= 4 && memcmp(s, "*** ", 4) == 0;
}

static void
oc_add_anchor(struct tool_hunk *h, const char *s, size_t n)
{
	h->anchors = xreallocarray(h->anchors, h->nanchors + 1, sizeof(char *));
	h->anchors[h->nanchors++] = xstrndup(s, n);
}

/* Lines of an "*** Update File" section up to the next marker. */
static int
oc_parse_update(struct oc_state *st, struct tool_filepatch *fp, char *err, size_t errlen)
{
	struct tool_hunk *h = NULL;
	const char *s;
	size_t n, save_pos;
	int save_line;

	for (;;) {
		save_pos = st->pos;
		save_line = st->lineno;
		if (!oc_next(st))
			break;
		if (oc_marker(st, "*** End of File", NULL)) {
			if (h != NULL)
				h->at_eof = 1;
			continue;
		}
		if (oc_is_file_marker(st)) {
			st->pos = save_pos; /* the caller reads it again */
			st->lineno = save_line;
			break;
		}
		oc_trim(st, &s, &n);
		if (st->n >= 2 && memcmp(st->line, "@@", 2) == 0) {
			/* consecutive "@@ x" lines narrow the place: outer first */
			if (h == NULL || h->n > 0)
				h = tool_filepatch_new_hunk(fp, st->lineno), h->old_start = -1;
			s += 2, n -= 2;
			while (n > 0 && *s == ' ')
				s++, n--;
			if (n > 0)
				oc_add_anchor(h, s, n);
			continue;
		}
		if (st->n > 0 && strchr(" +-", st->line[0]) == NULL) {
			snprintf(err, errlen,
			         "patch line %d: unexpected line in the update of %s: \"%.*s\" (a "
			         "chunk line "
			         "starts with ' ', '+' or '-'; a new chunk with @@)",
			         st->lineno, fp->path, (int)(st->n < 80 ? st->n : 80), st->line);
			return -1;
		}
		if (h == NULL) /* Codex: the first chunk may omit its "@@" */
			h = tool_filepatch_new_hunk(fp, st->lineno), h->old_start = -1;
		if (st->n == 0)
			tool_hunk_add(h, EDIT_CTX, "", 0); /* a blank context line */
		else
			tool_hunk_add(h, st->line[0], st->line + 1, st->n - 1);
	}
	if (fp->nhunks == 0 || fp->hunks[fp->nhunks - 1].n == 0) {
		snprintf(
		    err, errlen,
		    "patch line %d: the update of %s has an empty chunk: give the lines to change",
		    fp->lineno, fp->path);
		return -1;
	}
	return 0;
}

/* Lines of an "*** Add File" section: each starts with '+'. */
static int
oc_parse_add(struct oc_state *st, struct tool_filepatch *fp, char *err, size_t errlen)
{
	struct tool_hunk *h = tool_filepatch_new_hunk(fp, st->lineno + 1);
	size_t save_pos;
	int save_line;

	h->old_start = 0;
	for (;;) {
		save_pos = st->pos;
		save_line = st->lineno;
		if (!oc_next(st))
			break;
		if (oc_is_file_marker(st)) {
			st->pos = save_pos;
			st->lineno = save_line;
			break;
		}
		if (st->n == 0 || st->line[0] != '+') {
			snprintf(
			    err, errlen,
			    "patch line %d: in *** Add File: %s every line must start with '+'",
			    st->lineno, fp->path);
			return -1;
		}
		tool_hunk_add(h, EDIT_ADD, st->line + 1, st->n - 1);
	}
	return 0;
}

static int
oc_parse_section(struct oc_state *st, struct tool_patch *out, char *err, size_t errlen)
{
	struct tool_filepatch *fp;
	char *arg = NULL;
	size_t save_pos;
	int save_line, rc = 0;

	if (oc_marker(st, "*** Add File:", &arg)) {
		fp = tool_patch_new_file(out, TOOL_FP_ADD, arg, st->lineno);
		rc = oc_parse_add(st, fp, err, errlen);
	} else if (oc_marker(st, "*** Delete File:", &arg)) {
		tool_patch_new_file(out, TOOL_FP_DELETE, arg, st->lineno);
	} else if (oc_marker(st, "*** Update File:", &arg)) {
		fp = tool_patch_new_file(out, TOOL_FP_UPDATE, arg, st->lineno);
		save_pos = st->pos;
		save_line = st->lineno;
		free(arg);
		arg = NULL;
		if (oc_next(st) && oc_marker(st, "*** Move to:", &arg)) {
			fp->move_to = arg;
			arg = NULL;
		} else {
			st->pos = save_pos;
			st->lineno = save_line;
		}
		rc = oc_parse_update(st, fp, err, errlen);
	} else {
		snprintf(err, errlen,
		         "patch line %d: \"%.*s\" is not a valid section header (expected *** Add "
		         "File:, "
		         "*** Delete File:, *** Update File: or *** End Patch)",
		         st->lineno, (int)(st->n < 80 ? st->n : 80), st->line);
		rc = -1;
	}
	if (rc == 0 && out->n > 0 && out->f[out->n - 1].path[0] == '\0') {
		snprintf(err, errlen, "patch line %d: a section header without a file path",
		         st->lineno);
		rc = -1;
	}
	free(arg);
	return rc;
}

int
tool_patch_parse_opencode(const char *text, size_t len, struct tool_patch *out, char *err,
                          size_t errlen)
{
	struct oc_state st;
	int begun = 0, ended = 0, rc = 0;

	memset(out, 0, sizeof(*out));
	memset(&st, 0, sizeof(st));
	st.text = text;
	st.len = len;
	/* Anything before "*** Begin Patch" (a heredoc "apply_patch <<'EOF'",
	 * a fence) and after "*** End Patch" ("EOF") is a wrapper. */
	while (!begun && oc_next(&st))
		begun = oc_marker(&st, "*** Begin Patch", NULL);
	if (!begun) {
		snprintf(err, errlen, "the patch must start with a \"*** Begin Patch\" line");
		return -1;
	}
	while (rc == 0 && oc_next(&st)) {
		if (oc_marker(&st, "*** End Patch", NULL)) {
			ended = 1;
			break;
		}
		if (st.n == 0)
			continue;
		rc = oc_parse_section(&st, out, err, errlen);
	}
	if (rc == 0 && !ended) {
		snprintf(err, errlen, "the patch must end with a \"*** End Patch\" line");
		rc = -1;
	}
	if (rc == 0 && out->n == 0) {
		snprintf(err, errlen, "the patch is empty: no *** Add/Update/Delete File section");
		rc = -1;
	}
	if (rc == -1)
		tool_patch_free(out);
	return rc;
}
