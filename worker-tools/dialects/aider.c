/*
 * The aider_search_replace dialect (Aider's "diff" edit format):
 *
 *     path/to/file.py
 *     ```python
 *     <<<<<<< SEARCH
 *     old lines
 *     =======
 *     new lines
 *     >>>>>>> REPLACE
 *     ```
 *
 * Each block becomes apply_search_replace(file_name, search, replace) (or
 * OpenCode's edit(filePath, oldString, newString)). The file name may sit
 * before or inside the fence, decorated as models write it (`x`, **x**,
 * "### x", "x:"); a block without one uses the previous block's file.
 * An empty SEARCH part means "create this file / add to it", as in Aider.
 * Marker lines are matched with 5 to 9 marker characters, since models
 * miscount them.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/strbuf.h"
#include "lib/core/xmalloc.h"
#include "worker-tools/dialects/dlg_internal.h"

#define DIALECT "aider_search_replace"

static const char *const sr_tools[] = {"apply_search_replace", "edit", NULL};
static const char *const file_params[] = {"file_name", "filePath", "path", "file", NULL};
static const char *const search_params[] = {"search", "oldString", "old_string", NULL};
static const char *const replace_params[] = {"replace", "newString", "new_string", NULL};

enum marker { M_NONE, M_SEARCH, M_DIVIDER, M_REPLACE };

static enum marker
marker(const char *s, size_t a, size_t b)
{
	size_t n = 0;
	char ch;

	while (a < b && isspace((unsigned char)s[b - 1]))
		b--;
	while (a < b && (s[a] == ' ' || s[a] == '\t'))
		a++;
	if (a >= b)
		return M_NONE;
	ch = s[a];
	while (a + n < b && s[a + n] == ch)
		n++;
	if ((ch != '<' && ch != '=' && ch != '>') || n < 5 || n > 9)
		return M_NONE;
	if (ch == '=' && a + n == b)
		return M_DIVIDER;
	a += n;
	while (a < b && s[a] == ' ')
		a++;
	if (ch == '<' && b - a == 6 && memcmp(s + a, "SEARCH", 6) == 0)
		return M_SEARCH;
	if (ch == '>' && b - a == 7 && memcmp(s + a, "REPLACE", 7) == 0)
		return M_REPLACE;
	return M_NONE;
}

/* The file name on line [a, b) without decoration, or NULL (caller frees). */
static char *
file_name(const char *s, size_t a, size_t b)
{
	size_t i, la, lb;

	if (dlg_fence_open(s, a, b, &la, &lb) || marker(s, a, b) != M_NONE)
		return NULL;
	while (a < b && (isspace((unsigned char)s[a]) || s[a] == '#' || s[a] == '*' || s[a] == '`'))
		a++;
	while (b > a && (isspace((unsigned char)s[b - 1]) || s[b - 1] == '*' || s[b - 1] == '`' ||
	                 s[b - 1] == ':'))
		b--;
	if (b - a > 5 && strncasecmp(s + a, "File:", 5) == 0)
		for (a += 5; a < b && s[a] == ' '; a++)
			;
	if (a >= b || b - a > 4096)
		return NULL;
	for (i = a; i < b; i++)
		if (isspace((unsigned char)s[i]))
			return NULL;
	return xstrndup(s + a, b - a);
}

static size_t
prev_line(const char *s, size_t ls)
{
	return ls == 0 ? (size_t)-1 : dlg_line_start(s, ls - 1);
}

static int
is_fence_open(const char *s, size_t a, size_t b)
{
	size_t la, lb;

	return dlg_fence_open(s, a, b, &la, &lb);
}

static int
is_file_line(const char *s, size_t a, size_t b)
{
	char *fn = file_name(s, a, b);

	free(fn);
	return fn != NULL;
}

/* Where the block whose SEARCH line starts at ls begins: a file name line
 * and a fence opener right above it, in either order. */
static size_t
block_start(const struct dlg_ctx *c, size_t ls, size_t from)
{
	const char *s = c->text;
	size_t p1 = prev_line(s, ls), p2, e1, e2;
	int fence1;

	if (p1 == (size_t)-1 || p1 < from)
		return ls;
	e1 = dlg_line_end(s, c->len, p1);
	fence1 = is_fence_open(s, p1, e1);
	if (!fence1 && !is_file_line(s, p1, e1))
		return ls;
	p2 = prev_line(s, p1);
	if (p2 == (size_t)-1 || p2 < from)
		return p1;
	e2 = dlg_line_end(s, c->len, p2);
	if (fence1 ? is_file_line(s, p2, e2) : is_fence_open(s, p2, e2))
		return p2;
	return p1;
}

static int
sr_find(struct dlg_ctx *c, size_t from, size_t *start, size_t *end)
{
	const char *s = c->text;
	size_t ls = dlg_line_start(s, from), i, le;

	if (ls < from)
		ls = dlg_next_line(s, c->len, from);
	for (; ls < c->len; ls = dlg_next_line(s, c->len, ls))
		if (s[ls] == '<' || s[ls] == ' ')
			if (marker(s, ls, dlg_line_end(s, c->len, ls)) == M_SEARCH)
				break;
	if (ls >= c->len)
		return 0;
	*start = block_start(c, ls, from);
	for (i = dlg_next_line(s, c->len, ls); i < c->len; i = dlg_next_line(s, c->len, i)) {
		enum marker m = marker(s, i, dlg_line_end(s, c->len, i));

		if (m == M_SEARCH) {
			*end = i; /* unterminated: stop before the next block */
			return 1;
		}
		if (m == M_REPLACE) {
			i = dlg_next_line(s, c->len, i);
			le = dlg_line_end(s, c->len, i);
			/* A bare fence right after REPLACE closes the block's fence. */
			*end = i < c->len && dlg_fence_close(s, i, le) ? dlg_next_line(s, c->len, i)
			                                               : i;
			return 1;
		}
	}
	*end = c->len;
	return 1;
}

/* Appends lines [a, b) of s to sb, each with its newline. */
static void
add_lines(struct strbuf *sb, const char *s, size_t a, size_t b)
{
	if (b > a) {
		strbuf_add(sb, s + a, b - a);
		if (s[b - 1] != '\n')
			strbuf_addc(sb, '\n');
	}
}

static void
emit(struct dlg_ctx *c, size_t at, const struct strbuf *srch, const struct strbuf *repl)
{
	const cJSON *def = dlg_tool_pick(c, sr_tools);
	const char *tool =
	    def ? cJSON_GetStringValue(cJSON_GetObjectItem(def, "name")) : sr_tools[0];
	cJSON *args = dlg_nn(cJSON_CreateObject());

	cJSON_AddItemToObject(args, dlg_param_pick(def, file_params, 0),
	                      dlg_nn(cJSON_CreateString(c->aider_file)));
	cJSON_AddItemToObject(args, dlg_param_pick(def, search_params, 1),
	                      dlg_nn(cJSON_CreateString(strbuf_str(srch))));
	cJSON_AddItemToObject(args, dlg_param_pick(def, replace_params, 2),
	                      dlg_nn(cJSON_CreateString(strbuf_str(repl))));
	dlg_add_call(c, tool, args, DIALECT, at);
}

/* The lines of the block from its SEARCH line; returns 0 or -1. */
static int
read_parts(struct dlg_ctx *c, size_t srch_at, size_t end, struct strbuf *srch, struct strbuf *repl)
{
	const char *s = c->text;
	size_t i = dlg_next_line(s, end, srch_at), div = (size_t)-1, rep = (size_t)-1;

	for (; i < end; i = dlg_next_line(s, end, i)) {
		enum marker m = marker(s, i, dlg_line_end(s, end, i));

		if (m == M_DIVIDER && div == (size_t)-1)
			div = i;
		else if (m == M_REPLACE) {
			rep = i;
			break;
		}
	}
	if (div == (size_t)-1 || rep == (size_t)-1) {
		dlg_add_error(
		    c, DIALECT, srch_at,
		    "SEARCH/REPLACE block at line %d: missing '%s'; a block is "
		    "'<<<<<<< SEARCH', the old lines, '=======', the new lines, '>>>>>>> REPLACE'",
		    dlg_line_at(c, srch_at), div == (size_t)-1 ? "=======" : ">>>>>>> REPLACE");
		return -1;
	}
	add_lines(srch, s, dlg_next_line(s, end, srch_at), div);
	add_lines(repl, s, dlg_next_line(s, end, div), rep);
	return 0;
}

static void
sr_parse(struct dlg_ctx *c, size_t start, size_t end)
{
	const char *s = c->text;
	struct strbuf srch = STRBUF_INIT, repl = STRBUF_INIT;
	size_t i;
	char *fn;

	for (i = start; i < end; i = dlg_next_line(s, end, i)) {
		size_t le = dlg_line_end(s, end, i);

		if (marker(s, i, le) == M_SEARCH)
			break;
		if ((fn = file_name(s, i, le)) != NULL) {
			free(c->aider_file);
			c->aider_file = fn;
		}
	}
	if (i >= end)
		return;
	if (c->aider_file == NULL) {
		dlg_add_error(c, DIALECT, i,
		              "SEARCH/REPLACE block at line %d: no file name; put the file's path "
		              "alone on the line before the block (or before its ``` fence)",
		              dlg_line_at(c, i));
		return;
	}
	if (read_parts(c, i, end, &srch, &repl) == 0)
		emit(c, start, &srch, &repl);
	strbuf_free(&srch);
	strbuf_free(&repl);
}

const struct dlg_ops dlg_aider_ops = {DIALECT, sr_find, sr_parse};
