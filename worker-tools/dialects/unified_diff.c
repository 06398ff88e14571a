/*
 * The unified_diff dialect: a ```diff / ```patch / ```udiff fence, or bare
 * diff text in the message (a `diff --git` line, or a `--- ` line followed
 * by `+++ `), becomes one call of apply_unified_patch(patch=...) (or the
 * registry's `patch` tool with its own parameter name).
 *
 * The parser only delimits and sanity-checks: applying (wrong hunk counts,
 * offsets, /dev/null creates and deletes) is the edit tool's job, which
 * reports per hunk. A bare diff ends at the first line that is neither a
 * diff header nor a hunk line; blank lines inside a hunk (models drop the
 * leading space of empty context lines) are kept when the hunk goes on.
 * A fence whose body is an OpenCode patch or Aider blocks is left to
 * those dialects.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/xmalloc.h"
#include "worker-tools/dialects/dlg_internal.h"

#define DIALECT "unified_diff"

static const char *const patch_tools[] = {"apply_unified_patch", "patch", NULL};
static const char *const patch_params[] = {"patch", "patchText", "diff", NULL};

static int
starts(const char *s, size_t a, size_t b, const char *p)
{
	size_t n = strlen(p);

	return b - a >= n && memcmp(s + a, p, n) == 0;
}

static int
is_header(const char *s, size_t a, size_t b)
{
	static const char *const h[] = {"diff --git ",
	                                "--- ",
	                                "+++ ",
	                                "index ",
	                                "new file mode",
	                                "deleted file mode",
	                                "old mode",
	                                "new mode",
	                                "similarity index",
	                                "dissimilarity index",
	                                "rename from ",
	                                "rename to ",
	                                "copy from ",
	                                "copy to ",
	                                "Binary files ",
	                                NULL};
	int i;

	for (i = 0; h[i] != NULL; i++)
		if (starts(s, a, b, h[i]))
			return 1;
	return 0;
}

/* What a hunk header announces: old and new line counts ("@@ -a,b +c,d
 * @@", a missing count is 1). -1 each when the header has no numbers (the
 * "@@" alone some models write): then only blank lines delimit the hunk. */
struct hunk_left {
	long old, new;
};

static void
hunk_counts(const char *s, size_t a, size_t b, struct hunk_left *h)
{
	char buf[96], *p;
	size_t n = b - a < sizeof(buf) - 1 ? b - a : sizeof(buf) - 1;
	long o0, o1 = 1, n0, n1 = 1;

	memcpy(buf, s + a, n);
	buf[n] = '\0';
	h->old = h->new = -1;
	if ((p = strchr(buf, '-')) == NULL || sscanf(p, "-%ld", &o0) != 1)
		return;
	sscanf(p, "-%ld,%ld", &o0, &o1);
	if ((p = strchr(p, '+')) == NULL || sscanf(p, "+%ld", &n0) != 1)
		return;
	sscanf(p, "+%ld,%ld", &n0, &n1);
	h->old = o1;
	h->new = n1;
}

/* Counts one hunk line (' ', '-', '+', or a blank taken as context). */
static void
hunk_take(struct hunk_left *h, char ch)
{
	if (h->old < 0)
		return;
	if (ch != '+')
		h->old--;
	if (ch != '-')
		h->new --;
}

static int
hunk_done(const struct hunk_left *h)
{
	return h->old >= 0 && h->old <= 0 && h->new <= 0;
}

/* 1 if the line after the one at i is a hunk line or a hunk header. */
static int
hunk_line_follows(struct dlg_ctx *c, size_t i)
{
	size_t n = dlg_next_line(c->text, c->len, i);
	size_t ne = dlg_line_end(c->text, c->len, n);

	if (n >= c->len || ne == n)
		return 0;
	return strchr(" +-", c->text[n]) != NULL || starts(c->text, n, ne, "@@");
}

/* A bare diff starting at line ls: 1 and its end. The diff goes on while
 * lines are headers or hunk lines. A blank line is context while the hunk
 * header says lines are missing (models drop the space of empty context
 * lines); after a finished hunk a blank line ends the diff unless a header
 * follows, so a "- item" list after the diff stays prose. */
static int
bare_extent(struct dlg_ctx *c, size_t ls, size_t *end)
{
	const char *s = c->text;
	size_t le = dlg_line_end(s, c->len, ls), i, good;
	struct hunk_left h = {-1, -1};
	int in_hunk = 0, blank = 0;
	size_t soft = (size_t)-1; /* a blank line taken as context just before */

	if (!starts(s, ls, le, "diff --git ")) {
		size_t n = dlg_next_line(s, c->len, ls);

		if (!starts(s, ls, le, "--- ") || !starts(s, n, dlg_line_end(s, c->len, n), "+++ "))
			return 0;
	}
	for (i = good = ls; i < c->len; i = dlg_next_line(s, c->len, i)) {
		le = dlg_line_end(s, c->len, i);
		if (starts(s, i, le, "@@")) {
			in_hunk = 1;
			hunk_counts(s, i, le, &h);
		} else if (in_hunk && le > i && strchr(" +-\\", s[i]) != NULL) {
			if (blank && (hunk_done(&h) || h.old < 0))
				break; /* prose after the diff and a blank line */
			if (soft != (size_t)-1 && hunk_done(&h)) {
				good = soft; /* miscounted hunk: the blank was the end */
				break;
			}
			if (s[i] != '\\')
				hunk_take(&h, s[i]);
			soft = (size_t)-1;
		} else if (in_hunk && le == i && !hunk_done(&h) && h.old >= 0 && !blank) {
			hunk_take(&h, ' '); /* an empty context line */
			soft = i;
		} else if (in_hunk && le == i) {
			blank = 1; /* kept only if a header follows */
			continue;
		} else if (in_hunk && !blank && h.old > 0 && !is_header(s, i, le) &&
		           hunk_line_follows(c, i)) {
			/* A context line that lost its leading space, while the
			 * header's counts still want old lines and the hunk goes on
			 * after it: the edit tools read it the same way
			 * (docs/PATCH.md), so keep it in the diff. Prose right after
			 * a miscounted hunk is not followed by hunk lines. */
			hunk_take(&h, ' ');
			soft = (size_t)-1;
		} else if (is_header(s, i, le)) {
			in_hunk = 0;
			soft = (size_t)-1;
		} else {
			break;
		}
		blank = 0;
		good = dlg_next_line(s, c->len, i);
	}
	*end = good;
	return 1;
}

/* A ```diff fence at line ls: 1 and its end (after the closing fence). */
static int
fence_extent(struct dlg_ctx *c, size_t ls, size_t *end)
{
	const char *s = c->text;
	size_t le = dlg_line_end(s, c->len, ls), la, lb, i, body;

	if (!dlg_fence_open(s, ls, le, &la, &lb))
		return 0;
	if (!((lb - la == 4 && !memcmp(s + la, "diff", 4)) ||
	      (lb - la == 5 && (!memcmp(s + la, "patch", 5) || !memcmp(s + la, "udiff", 5)))))
		return 0;
	body = dlg_next_line(s, c->len, ls);
	for (i = body; i < c->len && !dlg_fence_close(s, i, dlg_line_end(s, c->len, i));)
		i = dlg_next_line(s, c->len, i);
	if (dlg_find(s, i, body, "*** Begin Patch") != (size_t)-1 ||
	    dlg_find(s, i, body, "<<<<<<< SEARCH") != (size_t)-1)
		return 0;
	*end = dlg_next_line(s, c->len, i);
	return 1;
}

static int
ud_find(struct dlg_ctx *c, size_t from, size_t *start, size_t *end)
{
	const char *s = c->text;
	size_t ls = dlg_line_start(s, from);

	if (ls < from)
		ls = dlg_next_line(s, c->len, from);
	for (; ls < c->len; ls = dlg_next_line(s, c->len, ls)) {
		char ch = s[ls];

		if ((ch == '`' || ch == '~') && fence_extent(c, ls, end)) {
			*start = ls;
			return 1;
		}
		if ((ch == 'd' || ch == '-') && bare_extent(c, ls, end)) {
			*start = ls;
			dlg_fence_absorb(c, start, end);
			return 1;
		}
	}
	return 0;
}

/* Checks the diff's shape; returns 0 or reports and returns -1. */
static int
ud_check(struct dlg_ctx *c, size_t a, size_t b, size_t at)
{
	const char *s = c->text;
	size_t i, file = (size_t)-1;
	int hunks = 0, other = 0;

	for (i = a; i < b; i = dlg_next_line(s, b, i)) {
		size_t le = dlg_line_end(s, b, i);

		if (starts(s, i, le, "+++ ") || starts(s, i, le, "diff --git ")) {
			if (starts(s, i, le, "+++ ") || file == (size_t)-1)
				file = i;
		} else if (starts(s, i, le, "@@")) {
			hunks++;
		} else if (starts(s, i, le, "rename ") || starts(s, i, le, "Binary files ") ||
		           starts(s, i, le, "deleted file") || starts(s, i, le, "new file") ||
		           starts(s, i, le, "old mode")) {
			other++;
		}
	}
	if (file == (size_t)-1) {
		dlg_add_error(c, DIALECT, at,
		              "diff at line %d: no file header; start each file with '--- a/PATH' "
		              "and '+++ b/PATH' lines (--- /dev/null for a new file)",
		              dlg_line_at(c, at));
		return -1;
	}
	if (hunks == 0 && other == 0) {
		dlg_add_error(c, DIALECT, file,
		              "diff at line %d: no hunk; each changed file needs "
		              "'@@ -OLD,N +NEW,M @@' hunks",
		              dlg_line_at(c, file));
		return -1;
	}
	return 0;
}

static void
ud_parse(struct dlg_ctx *c, size_t start, size_t end)
{
	const char *s = c->text;
	size_t a = start, b = end, la, lb, fe, i;
	const cJSON *def = dlg_tool_pick(c, patch_tools);
	const char *tool =
	    def ? cJSON_GetStringValue(cJSON_GetObjectItem(def, "name")) : patch_tools[0];
	char *patch;

	/* Strip the fence (ours, or one taken in around a bare diff). */
	fe = dlg_line_end(s, c->len, a);
	if (dlg_fence_open(s, a, fe, &la, &lb)) {
		a = dlg_next_line(s, c->len, a);
		for (i = a; i < b && !dlg_fence_close(s, i, dlg_line_end(s, b, i));)
			i = dlg_next_line(s, b, i);
		b = i;
	}
	while (a < b && dlg_is_blank(s, a, dlg_line_end(s, b, a)) && dlg_line_end(s, b, a) < b)
		a = dlg_next_line(s, b, a);
	if (ud_check(c, a, b, start) < 0)
		return;
	patch = xstrndup(s + a, b - a);
	dlg_add_call(c, tool, dlg_args1(dlg_param_pick(def, patch_params, 0), patch), DIALECT,
	             start);
	free(patch);
}

const struct dlg_ops dlg_unified_diff_ops = {DIALECT, ud_find, ud_parse};
