/*
 * The opencode_patch dialect (OpenCode's patch tool, Codex's apply_patch):
 *
 *     *** Begin Patch
 *     *** Add File: path        (then every line '+'-prefixed)
 *     *** Update File: path     (optionally *** Move to: new/path)
 *     @@ context
 *      kept / -removed / +added lines
 *     *** Delete File: path
 *     *** End Patch
 *
 * becomes patch(patchText=...) (or the registry's apply_patch /
 * apply_unified_patch). As Codex accepts them, the markers may carry
 * surrounding blanks and the patch may sit in a heredoc
 * (`apply_patch <<'EOF'` ... `EOF`) or a fence; the text handed to the
 * tool is normalized (markers trimmed, wrapper removed).
 *
 * Stricter than Codex: a patch without '*** End Patch' is refused (it is
 * what a truncated answer looks like), and the structure is checked here
 * so the model hears about a bad line before any file is touched.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/strbuf.h"
#include "lib/core/xmalloc.h"
#include "worker-tools/dialects/dlg_internal.h"

#define DIALECT "opencode_patch"

static const char *const patch_tools[] = {"patch", "apply_patch", "apply_unified_patch", NULL};
static const char *const patch_params[] = {"patchText", "patch", "input", NULL};

/* Trimmed line [a, b) starts with lit. */
static int
tstarts(const char *s, size_t a, size_t b, const char *lit)
{
	size_t n = strlen(lit);

	while (a < b && (s[a] == ' ' || s[a] == '\t'))
		a++;
	return b - a >= n && memcmp(s + a, lit, n) == 0;
}

/* The next line at or after `from` whose trimmed text is lit. */
static size_t
find_marker(const char *s, size_t len, size_t from, const char *lit)
{
	size_t ls = dlg_line_start(s, from);

	if (ls < from)
		ls = dlg_next_line(s, len, from);
	for (; ls < len; ls = dlg_next_line(s, len, ls))
		if (dlg_line_is(s, ls, dlg_line_end(s, len, ls), lit))
			return ls;
	return (size_t)-1;
}

/* The heredoc delimiter word of a line like `apply_patch <<'EOF'`, in
 * [*wa, *wb); 0 when the line is no heredoc opener. */
static int
heredoc_word(const char *s, size_t a, size_t b, size_t *wa, size_t *wb)
{
	size_t i = dlg_find(s, b, a, "<<");

	if (i == (size_t)-1)
		return 0;
	for (i += 2; i < b && (s[i] == '-' || s[i] == ' '); i++)
		;
	if (i < b && (s[i] == '\'' || s[i] == '"'))
		i++;
	*wa = i;
	while (i < b && (isalnum((unsigned char)s[i]) || s[i] == '_'))
		i++;
	*wb = i;
	if (*wb == *wa)
		return 0;
	if (i < b && (s[i] == '\'' || s[i] == '"'))
		i++;
	return dlg_is_blank(s, i, b);
}

/* Line [a, b), trimmed, equals s[wa, wb). */
static int
line_is_word(const char *s, size_t a, size_t b, size_t wa, size_t wb)
{
	while (a < b && isspace((unsigned char)s[a]))
		a++;
	while (b > a && isspace((unsigned char)s[b - 1]))
		b--;
	return b - a == wb - wa && memcmp(s + a, s + wa, wb - wa) == 0;
}

/* An unterminated patch ends at its first line that no patch line looks
 * like (prose after a cut-off patch), so the rest is still read. */
static size_t
unclosed_end(const struct dlg_ctx *c, size_t b, size_t lim)
{
	const char *s = c->text;
	size_t i;

	for (i = dlg_next_line(s, c->len, b); i < lim; i = dlg_next_line(s, c->len, i)) {
		size_t le = dlg_line_end(s, c->len, i);

		if (le > i && strchr(" +-@*\t", s[i]) == NULL && !tstarts(s, i, le, "*** "))
			return i;
	}
	return lim;
}

static int
op_find(struct dlg_ctx *c, size_t from, size_t *start, size_t *end)
{
	const char *s = c->text;
	size_t b = dlg_search(c, dlg_search_line, "*** Begin Patch", from), e, nb, wa, wb, p;

	if (b == (size_t)-1)
		return 0;
	*start = b;
	e = dlg_search(c, dlg_search_line, "*** End Patch", b + 1);
	nb = dlg_search(c, dlg_search_line, "*** Begin Patch", b + 1);
	if (e == (size_t)-1 || (nb != (size_t)-1 && nb < e)) {
		*end = unclosed_end(c, b, nb == (size_t)-1 ? c->len : nb);
		return 1;
	}
	*end = dlg_next_line(s, c->len, e);
	p = b > 0 ? dlg_line_start(s, b - 1) : (size_t)-1;
	if (p != (size_t)-1 && p >= from && heredoc_word(s, p, b - 1, &wa, &wb)) {
		/* apply_patch <<'EOF' ... EOF: take the wrapper in. */
		*start = p;
		if (*end < c->len && line_is_word(s, *end, dlg_line_end(s, c->len, *end), wa, wb))
			*end = dlg_next_line(s, c->len, *end);
	}
	dlg_fence_absorb(c, start, end);
	return 1;
}

enum op_state { S_START, S_ADD, S_UPDATE, S_DELETE };

/* Checks one line of the patch body against the state; 0 or -1 with the
 * problem in why. */
static int
op_check_line(const char *s, size_t a, size_t b, enum op_state *st, int *nchg, const char **why)
{
	if (tstarts(s, a, b, "*** Add File: ")) {
		*st = S_ADD;
	} else if (tstarts(s, a, b, "*** Update File: ")) {
		*st = S_UPDATE;
		*nchg = 0;
	} else if (tstarts(s, a, b, "*** Delete File: ")) {
		*st = S_DELETE;
	} else if (tstarts(s, a, b, "*** Move to: ") || tstarts(s, a, b, "*** End of File")) {
		if (*st != S_UPDATE)
			return *why = "'*** Move to:' and '*** End of File' belong to an '*** "
			              "Update File:' section",
			       -1;
	} else if (*st == S_START) {
		return *why = "expected '*** Add File: PATH', '*** Update File: PATH' or '*** "
		              "Delete File: PATH'",
		       -1;
	} else if (tstarts(s, a, b, "***")) {
		return *why = "unknown '***' line; the markers are Add File, Update File, Delete "
		              "File, Move to, End of File and End Patch",
		       -1;
	} else if (*st == S_ADD && b > a && s[a] != '+') {
		return *why = "every line of an added file must start with '+'", -1;
	} else if (*st == S_DELETE && !dlg_is_blank(s, a, b)) {
		return *why = "'*** Delete File:' takes no lines after it", -1;
	} else if (*st == S_UPDATE && b > a && s[a] != '@' && s[a] != ' ' && s[a] != '+' &&
	           s[a] != '-') {
		return *why =
		           "a changed line must start with ' ', '+' or '-' (or be an '@@' header)",
		       -1;
	} else if (*st == S_UPDATE && b > a && (s[a] == '+' || s[a] == '-')) {
		(*nchg)++;
	}
	return 0;
}

static int
op_report(struct dlg_ctx *c, size_t at, const char *why)
{
	size_t le = dlg_line_end(c->text, c->len, at);

	dlg_add_error(c, DIALECT, at, "OpenCode patch at line %d: %s (found '%.*s')",
	              dlg_line_at(c, at), why, (int)(le - at > 60 ? 60 : le - at), c->text + at);
	return -1;
}

static int
is_section(const char *s, size_t a, size_t b)
{
	return tstarts(s, a, b, "*** ") && !tstarts(s, a, b, "*** Move to: ") &&
	       !tstarts(s, a, b, "*** End of File");
}

/* Checks the body [a, b) and builds the normalized patch in sb. */
static int
op_build(struct dlg_ctx *c, size_t a, size_t b, struct strbuf *sb)
{
	static const char empty_upd[] =
	    "this '*** Update File:' section changes nothing; add '+' or '-' lines";
	const char *s = c->text, *why = NULL;
	enum op_state st = S_START;
	size_t i, upd = (size_t)-1;
	int nchg = 0, nops = 0;

	strbuf_adds(sb, "*** Begin Patch\n");
	for (i = a; i < b; i = dlg_next_line(s, b, i)) {
		size_t le = dlg_line_end(s, b, i), t = i;

		if (upd != (size_t)-1 && nchg == 0 && is_section(s, i, le))
			return op_report(c, upd, empty_upd);
		if (op_check_line(s, i, le, &st, &nchg, &why) < 0)
			return op_report(c, i, why);
		if (tstarts(s, i, le, "*** ")) {
			while (s[t] == ' ' || s[t] == '\t')
				t++; /* padded markers are trimmed */
			nops += is_section(s, i, le);
			if (is_section(s, i, le))
				upd = tstarts(s, i, le, "*** Update File: ") ? i : (size_t)-1;
		}
		strbuf_add(sb, s + t, le - t);
		strbuf_addc(sb, '\n');
	}
	if (upd != (size_t)-1 && nchg == 0)
		return op_report(c, upd, empty_upd);
	if (nops == 0)
		return op_report(c, a, "the patch changes no file");
	strbuf_adds(sb, "*** End Patch\n");
	return 0;
}

static void
op_parse(struct dlg_ctx *c, size_t start, size_t end)
{
	const char *s = c->text;
	size_t b = find_marker(s, end, start, "*** Begin Patch"), e;
	const cJSON *def = dlg_tool_pick(c, patch_tools);
	const char *tool =
	    def ? cJSON_GetStringValue(cJSON_GetObjectItem(def, "name")) : patch_tools[0];
	struct strbuf sb = STRBUF_INIT;

	if (b == (size_t)-1)
		return;
	e = find_marker(s, end, b + 1, "*** End Patch");
	if (e == (size_t)-1) {
		dlg_add_error(
		    c, DIALECT, b,
		    "OpenCode patch at line %d: missing '*** End Patch'; nothing was applied. "
		    "If your answer was cut off, send smaller patches",
		    dlg_line_at(c, b));
		return;
	}
	if (op_build(c, dlg_next_line(s, end, b), e, &sb) == 0)
		dlg_add_call(c, tool,
		             dlg_args1(dlg_param_pick(def, patch_params, 0), strbuf_str(&sb)),
		             DIALECT, b);
	strbuf_free(&sb);
}

const struct dlg_ops dlg_opencode_patch_ops = {DIALECT, op_find, op_parse};
