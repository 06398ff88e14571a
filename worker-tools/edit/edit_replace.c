/* Search-and-replace edits (Aider SEARCH/REPLACE, OpenCode edit). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/xmalloc.h"
#include "worker-tools/edit/edit.h"

/* Splits s in lines (a final newline does not make an empty line). */
static size_t
rep_lines(const char *s, char ***out)
{
	size_t n = 0, cap = 8;
	const char *nl;
	char **v = xreallocarray(NULL, cap, sizeof(char *));

	while (*s != '\0') {
		nl = strchr(s, '\n');
		if (n == cap) {
			cap *= 2;
			v = xreallocarray(v, cap, sizeof(char *));
		}
		v[n++] = xstrndup(s, nl ? (size_t)(nl - s) : strlen(s));
		if (nl == NULL)
			break;
		s = nl + 1;
	}
	*out = v;
	return n;
}

static void
rep_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* One search/replace pair as a hunk: the lines both sides share at the
 * start and end are context (so the file's own spelling of them is kept),
 * the rest removed and added. */
static void
rep_pair_hunk(struct tool_hunk *h, char **a, size_t na, char **b, size_t nb)
{
	size_t p = 0, q = 0, i;

	while (p < na && p < nb && strcmp(a[p], b[p]) == 0)
		p++;
	while (q < na - p && q < nb - p && strcmp(a[na - 1 - q], b[nb - 1 - q]) == 0)
		q++;
	for (i = 0; i < p; i++)
		tool_hunk_add(h, EDIT_CTX, a[i], strlen(a[i]));
	for (i = p; i < na - q; i++)
		tool_hunk_add(h, EDIT_DEL, a[i], strlen(a[i]));
	for (i = p; i < nb - q; i++)
		tool_hunk_add(h, EDIT_ADD, b[i], strlen(b[i]));
	for (i = na - q; i < na; i++)
		tool_hunk_add(h, EDIT_CTX, a[i], strlen(a[i]));
}

static size_t
rep_count_elisions(char **v, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		c += tool_edit_is_elision(v[i], strlen(v[i]));
	return c;
}

/* Builds the hunk for search -> replace. With the same number of "..."
 * lines on both sides, the pieces between them pair up (Aider's rule). */
static void
rep_build_hunk(struct tool_hunk *h, char **a, size_t na, char **b, size_t nb)
{
	size_t ea = rep_count_elisions(a, na), i = 0, j = 0, i0, j0;

	h->old_start = -1;
	if (ea == 0 || ea != rep_count_elisions(b, nb)) {
		rep_pair_hunk(h, a, na, b, nb);
		return;
	}
	for (;;) {
		for (i0 = i; i < na && !tool_edit_is_elision(a[i], strlen(a[i])); i++)
			;
		for (j0 = j; j < nb && !tool_edit_is_elision(b[j], strlen(b[j])); j++)
			;
		rep_pair_hunk(h, a + i0, i - i0, b + j0, j - j0);
		if (i >= na)
			break;
		tool_hunk_add(h, EDIT_CTX, a[i], strlen(a[i]));
		i++, j++;
	}
}

static int
rep_lines_ladder(const char *path, const char *data, size_t len, const char *search,
                 const char *replace, struct tool_edit_out *out, char *err, size_t errlen)
{
	struct tool_hunk h;
	char **a, **b;
	size_t na = rep_lines(search, &a), nb = rep_lines(replace, &b), i;
	int rc;

	memset(&h, 0, sizeof(h));
	rep_build_hunk(&h, a, na, b, nb);
	h.lineno = 0; /* messages say "the search text" */
	rc = tool_edit_apply_hunks(path, data, len, &h, 1, out, err, errlen);
	for (i = 0; i < h.n; i++)
		free(h.l[i].text);
	free(h.l);
	rep_free(a, na);
	rep_free(b, nb);
	return rc;
}

static size_t
rep_lineno(const char *data, const char *at)
{
	size_t n = 1;

	for (; data < at; data++)
		n += *data == '\n';
	return n;
}

/* replace with its bare "\n" turned into "\r\n" when the file is CRLF,
 * so that an edit never mixes line endings. NULL: use it as it is. */
static char *
rep_eol_fix(const char *data, size_t len, const char *replace)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i, lf = 0, crlf = 0;

	for (i = 0; i < len; i++)
		if (data[i] == '\n') {
			lf++;
			crlf += i > 0 && data[i - 1] == '\r';
		}
	if (crlf * 2 <= lf || strchr(replace, '\n') == NULL)
		return NULL;
	for (i = 0; replace[i]; i++) {
		if (replace[i] == '\n' && (i == 0 || replace[i - 1] != '\r'))
			strbuf_addc(&sb, '\r');
		strbuf_addc(&sb, replace[i]);
	}
	return strbuf_detach(&sb, NULL);
}

int
tool_edit_replace(const char *path, const char *data, size_t len, const char *search,
                  const char *replace, int replace_all, struct tool_edit_out *out, char *err,
                  size_t errlen)
{
	struct strbuf sb = STRBUF_INIT;
	size_t slen = strlen(search), count = 0, first = 0, second = 0;
	const char *p = data, *hit;
	char *fixed;

	memset(out, 0, sizeof(*out));
	if (slen == 0) {
		snprintf(err, errlen, "%s: the text to search for is empty", path);
		return -1;
	}
	while ((hit = memmem(p, len - (size_t)(p - data), search, slen)) != NULL) {
		if (count == 0)
			first = rep_lineno(data, hit);
		else if (count == 1)
			second = rep_lineno(data, hit);
		count++;
		p = hit + slen;
	}
	if (count == 0)
		return rep_lines_ladder(path, data, len, search, replace, out, err, errlen);
	if (count > 1 && !replace_all) {
		snprintf(err, errlen,
		         "%s: the search text occurs %zu times (first at lines %zu and %zu); "
		         "nothing was changed. "
		         "Include more surrounding lines so that it is unique%s.",
		         path, count, first, second,
		         replace_all ? "" : ", or ask to replace all occurrences");
		return -1;
	}
	if ((fixed = rep_eol_fix(data, len, replace)) != NULL)
		replace = fixed;
	for (p = data; (hit = memmem(p, len - (size_t)(p - data), search, slen)) != NULL;
	     p = hit + slen) {
		strbuf_add(&sb, p, (size_t)(hit - p));
		strbuf_adds(&sb, replace);
		if (!replace_all)
			break;
	}
	if (hit != NULL)
		p = hit + slen;
	strbuf_add(&sb, p, len - (size_t)(p - data));
	out->data = strbuf_detach(&sb, &out->len);
	free(fixed);
	return 0;
}
