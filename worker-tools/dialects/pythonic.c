/*
 * The pythonic dialect: <TOOL_CALL> name(arg=..., ...) </TOOL_CALL>, as the
 * reference pythonic templates teach. A block may hold several calls
 * (separated by blanks, newlines, ';' or ','); a ```python fence inside the
 * block is ignored; tags are matched in any letter case. A block that holds
 * JSON ({"name":..., "arguments":...}, as Hermes-style models write inside
 * <tool_call>) is read as a JSON call.
 *
 * Tolerance (what models really write): a missing </TOOL_CALL> ends the
 * block at the next <TOOL_CALL> or the end of the message and is only
 * mentioned when the block also fails to parse; literal newlines inside
 * '...' strings are kept (Python would refuse them); JSON's true/false/
 * null are accepted. Strictness: names, expressions and f-strings are
 * errors, never evaluated.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/xmalloc.h"
#include "worker-tools/dialects/pylit.h"

#define OPEN_TAG "<TOOL_CALL>"
#define CLOSE_TAG "</TOOL_CALL>"
#define DIALECT "pythonic"

/* Skips one string literal starting at s[i] (a quote); returns the offset
 * after it, or (size_t)-1 when it does not end (on its line, unless it is
 * triple-quoted). Backslash always protects
 * the next character, in raw strings too, as Python's tokenizer does. */
static size_t
skip_string(const char *s, size_t len, size_t i)
{
	char q = s[i];
	int triple = i + 2 < len && s[i + 1] == q && s[i + 2] == q;

	i += triple ? 3 : 1;
	while (i < len) {
		if (s[i] == '\n' && !triple) {
			/* Only the parser tolerates a newline in '...'; for finding
			 * the block's end it marks an unterminated string. */
			return (size_t)-1;
		} else if (s[i] == '\\') {
			i += 2;
		} else if (s[i] == q &&
		           (!triple || (i + 2 < len && s[i + 1] == q && s[i + 2] == q))) {
			return i + (triple ? 3 : 1);
		} else {
			i++;
		}
	}
	return (size_t)-1;
}

/* End of the block whose content starts at i: after the close tag found
 * outside string literals, or at the next open tag, or the end. */
static size_t
block_end(struct dlg_ctx *c, size_t i)
{
	const char *s = c->text;
	size_t len = c->len, raw, nopen;

	while (i < len) {
		if (s[i] == '"' || s[i] == '\'') {
			size_t j = skip_string(s, len, i);

			if (j == (size_t)-1)
				break; /* an apostrophe in prose: fall back below */
			i = j;
		} else if (s[i] == '<' && strncasecmp(s + i, CLOSE_TAG, strlen(CLOSE_TAG)) == 0) {
			return i + strlen(CLOSE_TAG);
		} else if (s[i] == '<' && strncasecmp(s + i, OPEN_TAG, strlen(OPEN_TAG)) == 0) {
			return i;
		} else {
			i++;
		}
	}
	/* Fallback: the first close tag, unless another block opens first. */
	raw = dlg_search(c, dlg_search_ci, CLOSE_TAG, i < len ? i : len);
	nopen = dlg_search(c, dlg_search_ci, OPEN_TAG, i < len ? i : len);
	if (nopen != (size_t)-1 && (raw == (size_t)-1 || nopen < raw))
		return nopen;
	return raw == (size_t)-1 ? len : raw + strlen(CLOSE_TAG);
}

static int
py_find(struct dlg_ctx *c, size_t from, size_t *start, size_t *end)
{
	size_t at = dlg_search(c, dlg_search_ci, OPEN_TAG, from);
	size_t e;

	if (at == (size_t)-1)
		return 0;
	e = block_end(c, at + strlen(OPEN_TAG));
	*start = at;
	*end = e;
	dlg_fence_absorb(c, start, end);
	return 1;
}

/* Between calls: blanks, comments, ';' / ',' separators and fence lines. */
static void
skip_between(struct pylit *p)
{
	const char *s = p->c->text;

	for (;;) {
		size_t ls, le, la, lb;

		pylit_ws(p);
		if (p->pos < p->end && (s[p->pos] == ';' || s[p->pos] == ',')) {
			p->pos++;
			continue;
		}
		ls = p->pos;
		le = dlg_line_end(s, p->end, ls);
		if (ls < p->end && dlg_fence_open(s, ls, le, &la, &lb)) {
			p->pos = le;
			continue;
		}
		return;
	}
}

/* Maps positional argument number idx of tool `name` to its parameter. */
static const char *
positional_name(struct pylit *p, const char *name, int idx, size_t at)
{
	const cJSON *def = dlg_tool_find(p->c, name);
	const cJSON *params = dlg_tool_params(def), *pa;
	int n = cJSON_GetArraySize(params);

	if (def == NULL) {
		pylit_fail(p, at, "positional argument %d of unknown tool '%s': write name=value",
		           idx + 1, name);
		return NULL;
	}
	if (idx >= n) {
		pylit_fail(p, at, "%s takes %d argument%s; got a positional argument number %d",
		           name, n, n == 1 ? "" : "s", idx + 1);
		return NULL;
	}
	pa = cJSON_GetArrayItem(params, idx);
	return pa->string ? pa->string
	                  : cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(pa, "name"));
}

/* One argument: name=value or value. Appends to args; returns 0/-1. The
 * argument's name (for the next error) goes to label. */
static int
read_arg(struct pylit *p, const char *tool, cJSON *args, int *npos, int *saw_kw, char *label,
         size_t lablen)
{
	size_t at = p->pos, n = pylit_ident(p, p->pos), save = p->pos;
	const char *key = NULL;
	char *kbuf = NULL;
	cJSON *v;
	int rc = -1;

	if (n > 0) {
		p->pos += n;
		pylit_ws(p);
		if (p->pos < p->end && p->c->text[p->pos] == '=' && p->c->text[p->pos + 1] != '=') {
			kbuf = xstrndup(p->c->text + at, n);
			key = kbuf;
			p->pos++;
			pylit_ws(p);
			*saw_kw = 1;
		} else {
			p->pos = save;
		}
	}
	if (key == NULL) {
		if (*saw_kw)
			return pylit_fail(p, at, "positional argument follows keyword argument");
		if ((key = positional_name(p, tool, (*npos)++, at)) == NULL)
			return -1;
	}
	snprintf(label, lablen, "'%s'", key);
	if (cJSON_GetObjectItemCaseSensitive(args, key) != NULL) {
		pylit_fail(p, at, "argument '%s' given twice", key);
		goto out;
	}
	if ((v = pylit_value(p, 1)) == NULL)
		goto out;
	cJSON_AddItemToObject(args, key, v);
	rc = 0;
out:
	free(kbuf);
	return rc;
}

/* The argument list after '(' up to and including ')'. */
static int
read_args(struct pylit *p, const char *tool, cJSON *args, int *npos_out)
{
	char label[96] = "";
	int npos = 0, saw_kw = 0;

	*npos_out = 0;

	pylit_ws(p);
	while (p->pos < p->end && p->c->text[p->pos] != ')') {
		if (read_arg(p, tool, args, &npos, &saw_kw, label, sizeof(label)) < 0)
			return -1;
		pylit_ws(p);
		if (p->pos < p->end && p->c->text[p->pos] == ',') {
			p->pos++;
			pylit_ws(p);
			continue;
		}
		if (p->pos >= p->end)
			break;
		if (p->c->text[p->pos] != ')')
			return pylit_fail(p, p->pos, "expected ')' or ',' after argument %s",
			                  label);
	}
	if (p->pos >= p->end)
		return pylit_fail(p, p->pos, "expected ')' to close the call to %s", tool);
	p->pos++;
	*npos_out = npos;
	return 0;
}

/* read_file({"path": "a.c"}): a model that passed the arguments as one
 * dict in the first position means them as keywords, unless that
 * parameter really takes an object. Takes args; returns the args to use. */
static cJSON *
spread_dict(struct dlg_ctx *c, const char *name, cJSON *args)
{
	const cJSON *def = dlg_tool_find(c, name);
	const cJSON *first = cJSON_GetArrayItem(dlg_tool_params(def), 0);
	const char *pn =
	    first ? (first->string ? first->string
	                           : cJSON_GetStringValue(cJSON_GetObjectItem(first, "name")))
	          : NULL;
	const char *ty = pn ? dlg_param_type(def, pn) : NULL;
	cJSON *only = args->child, *dict;

	if (only == NULL || only->next != NULL || pn == NULL || strcmp(only->string, pn) != 0 ||
	    !cJSON_IsObject(only) || (ty != NULL && strcmp(ty, "object") == 0))
		return args;
	dict = cJSON_DetachItemViaPointer(args, only);
	cJSON_Delete(args);
	return dict;
}

/* One call name(...) at pos; added to the result on success. */
static int
read_call(struct pylit *p)
{
	size_t at = p->pos, n = pylit_ident(p, p->pos);
	const char *s = p->c->text;
	char *name;
	cJSON *args;
	int rc, npos = 0;

	if (n == 0)
		return pylit_fail(p, at, "expected a tool call like name(arg=value), found '%c'",
		                  s[at]);
	name = xstrndup(s + at, n);
	/* default_api.read_file(...) and functions.read_file(...): the tool
	 * is the last dotted component. */
	if (strrchr(name, '.') != NULL)
		memmove(name, strrchr(name, '.') + 1, strlen(strrchr(name, '.')));
	p->pos += n;
	pylit_ws(p);
	if (p->pos >= p->end || s[p->pos] != '(') {
		rc = pylit_fail(p, p->pos, "expected '(' after the tool name '%s'", name);
		free(name);
		return rc;
	}
	p->pos++;
	args = dlg_nn(cJSON_CreateObject());
	rc = read_args(p, name, args, &npos);
	if (rc == 0)
		dlg_add_call(p->c, name, npos == 1 ? spread_dict(p->c, name, args) : args, DIALECT,
		             at);
	else
		cJSON_Delete(args);
	free(name);
	return rc;
}

/* A block holding JSON rather than Python: read it as JSON calls. */
static void
parse_json_content(struct pylit *p)
{
	char *txt = xstrndup(p->c->text + p->pos, p->end - p->pos);
	const char *ep = NULL;
	cJSON *v = cJSON_ParseWithOpts(txt, &ep, 0);

	if (v == NULL)
		pylit_fail(p, p->pos + (ep && ep >= txt ? (size_t)(ep - txt) : 0),
		           "the block holds neither a Python call nor valid JSON");
	else if (dlg_json_calls(p->c, v, DIALECT, p->pos, "TOOL_CALL") < 0)
		p->failed = -1; /* reported by dlg_json_calls */
	cJSON_Delete(v);
	free(txt);
	p->pos = p->end;
}

static void
py_parse(struct dlg_ctx *c, size_t start, size_t end)
{
	size_t open = dlg_find_ci(c->text, end, start, OPEN_TAG), ct = strlen(CLOSE_TAG);
	size_t e = block_end(c, open + strlen(OPEN_TAG));
	struct pylit p = {.c = c, .pos = open + strlen(OPEN_TAG), .end = e};
	int ncalls = 0, closed;

	/* Same end as the finder found, before it took in a fence. */
	closed = e - p.pos >= ct && strncasecmp(c->text + e - ct, CLOSE_TAG, ct) == 0;
	if (closed)
		p.end = e - ct;
	for (;;) {
		skip_between(&p);
		if (p.pos >= p.end || p.failed)
			break;
		if (c->text[p.pos] == '{' || c->text[p.pos] == '[') {
			parse_json_content(&p);
			ncalls++;
			continue;
		}
		if (read_call(&p) < 0)
			break;
		ncalls++;
	}
	if (p.failed > 0)
		dlg_add_error(c, DIALECT, p.err_off, "TOOL_CALL at line %d: %s (col %d)%s",
		              dlg_line_at(c, p.err_off), p.err, dlg_col_at(c, p.err_off),
		              closed ? "" : "; the block has no closing </TOOL_CALL>");
	else if (ncalls == 0 && !p.failed)
		dlg_add_error(c, DIALECT, open,
		              "TOOL_CALL at line %d: empty block; write name(arg=value) "
		              "between <TOOL_CALL> and </TOOL_CALL>",
		              dlg_line_at(c, open));
}

const struct dlg_ops dlg_pythonic_ops = {DIALECT, py_find, py_parse};
