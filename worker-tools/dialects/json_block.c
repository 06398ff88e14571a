/*
 * The json_block dialect: a ```json fence holding a call in one of the
 * shapes models write:
 *
 *     {"tool": "read_file", "args": {"path": "a.c"}}
 *     {"name": "read_file", "arguments": {"path": "a.c"}}     (or "<json text>")
 *     {"function": {"name": ..., "arguments": ...}}            (OpenAI's shape)
 *     {"tool_calls": [...]} / [call, call, ...]
 *
 * A ```json fence that holds data rather than a call (no tool/name/function
 * key) is left in the message untouched; one that looks like a call but is
 * not valid JSON is an error with the line and column of the fault.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/core/xmalloc.h"
#include "worker-tools/dialects/dlg_internal.h"

#define DIALECT "json_block"

static const char *const name_keys[] = {"tool", "name", "tool_name", "function_name", NULL};
static const char *const args_keys[] = {"args", "arguments", "parameters", "params", "input", NULL};

static const cJSON *
get_any(const cJSON *o, const char *const *keys)
{
	const cJSON *v;

	for (; *keys != NULL; keys++)
		if ((v = cJSON_GetObjectItemCaseSensitive(o, *keys)) != NULL)
			return v;
	return NULL;
}

/* Arguments given as an object, as JSON text, or absent. NULL after
 * reporting bad text. */
static cJSON *
args_of(struct dlg_ctx *c, const cJSON *a, const char *name, size_t off, const char *dialect,
        const char *what)
{
	cJSON *v;

	if (a == NULL || cJSON_IsNull(a))
		return dlg_nn(cJSON_CreateObject());
	if (cJSON_IsObject(a))
		return dlg_nn(cJSON_Duplicate(a, 1));
	if (cJSON_IsString(a)) {
		if (a->valuestring[strspn(a->valuestring, " \t\r\n")] == '\0')
			return dlg_nn(cJSON_CreateObject());
		v = cJSON_Parse(a->valuestring);
		if (cJSON_IsObject(v))
			return v;
		cJSON_Delete(v);
	}
	dlg_add_error(c, dialect, off,
	              "%s at line %d: the arguments of '%s' must be a JSON object "
	              "of parameter names to values",
	              what, dlg_line_at(c, off), name);
	return NULL;
}

static int
one_call(struct dlg_ctx *c, const cJSON *v, const char *dialect, size_t off, const char *what)
{
	const cJSON *fn = cJSON_GetObjectItemCaseSensitive(v, "function");
	const cJSON *nm, *a;
	cJSON *args;

	if (cJSON_IsObject(fn))
		v = fn;
	nm = get_any(v, name_keys);
	if (!cJSON_IsString(nm) || nm->valuestring[0] == '\0') {
		dlg_add_error(c, dialect, off,
		              "%s at line %d: a call needs \"tool\" (or \"name\") with "
		              "the tool's name and \"args\" with its arguments",
		              what, dlg_line_at(c, off));
		return -1;
	}
	a = get_any(v, args_keys);
	if ((args = args_of(c, a, nm->valuestring, off, dialect, what)) == NULL)
		return -1;
	return dlg_add_call(c, nm->valuestring, args, dialect, off) < 0 ? -1 : 1;
}

int
dlg_json_calls(struct dlg_ctx *c, const cJSON *v, const char *dialect, size_t off, const char *what)
{
	const cJSON *list = NULL, *e;
	int n = 0;

	if (cJSON_IsArray(v))
		list = v;
	else if (cJSON_IsObject(v))
		list = cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(v, "tool_calls"))
		           ? cJSON_GetObjectItemCaseSensitive(v, "tool_calls")
		           : cJSON_GetObjectItemCaseSensitive(v, "calls");
	if (!cJSON_IsArray(list))
		return one_call(c, v, dialect, off, what);
	cJSON_ArrayForEach(e, list)
	{
		if (!cJSON_IsObject(e)) {
			dlg_add_error(c, dialect, off,
			              "%s at line %d: each call must be a JSON object", what,
			              dlg_line_at(c, off));
			return -1;
		}
		if (one_call(c, e, dialect, off, what) < 0)
			return -1;
		n++;
	}
	return n;
}

/* The body of the ```json fence at line ls: [*a, *b); *end after it. */
static int
fence_body(const struct dlg_ctx *c, size_t ls, size_t *a, size_t *b, size_t *end)
{
	const char *s = c->text;
	size_t la, lb, i;

	if (!dlg_fence_open(s, ls, dlg_line_end(s, c->len, ls), &la, &lb) || lb - la != 4 ||
	    strncasecmp(s + la, "json", 4) != 0)
		return 0;
	*a = dlg_next_line(s, c->len, ls);
	for (i = *a; i < c->len && !dlg_fence_close(s, i, dlg_line_end(s, c->len, i));)
		i = dlg_next_line(s, c->len, i);
	*b = i;
	*end = dlg_next_line(s, c->len, i);
	return 1;
}

/* Does the body look like a call, valid or not? */
static int
looks_like_call(const char *s, size_t a, size_t b)
{
	static const char *const keys[] = {"\"tool\"", "\"function\"", "\"tool_calls\"",
	                                   "\"tool_name\"", NULL};
	size_t k;

	for (k = 0; keys[k] != NULL; k++)
		if (dlg_find(s, b, a, keys[k]) != (size_t)-1)
			return 1;
	/* "name" alone is common in data; it makes a call next to arguments. */
	return dlg_find(s, b, a, "\"name\"") != (size_t)-1 &&
	       (dlg_find(s, b, a, "\"arguments\"") != (size_t)-1 ||
	        dlg_find(s, b, a, "\"args\"") != (size_t)-1 ||
	        dlg_find(s, b, a, "\"parameters\"") != (size_t)-1);
}

static int
jb_find(struct dlg_ctx *c, size_t from, size_t *start, size_t *end)
{
	const char *s = c->text;
	size_t ls = dlg_line_start(s, from), a, b;

	if (ls < from)
		ls = dlg_next_line(s, c->len, from);
	for (; ls < c->len; ls = dlg_next_line(s, c->len, ls)) {
		if ((s[ls] == '`' || s[ls] == '~' || s[ls] == ' ') &&
		    fence_body(c, ls, &a, &b, end) && looks_like_call(s, a, b)) {
			*start = ls;
			return 1;
		}
	}
	return 0;
}

static void
jb_parse(struct dlg_ctx *c, size_t start, size_t end)
{
	size_t a, b, e, epos;
	char *body;
	const char *ep = NULL;
	cJSON *v;

	if (!fence_body(c, start, &a, &b, &e))
		return;
	body = xstrndup(c->text + a, b - a);
	v = cJSON_ParseWithOpts(body, &ep, 0);
	if (v == NULL) {
		epos = a + (ep != NULL && ep >= body ? (size_t)(ep - body) : 0);
		dlg_add_error(c, DIALECT, start,
		              "JSON block at line %d: invalid JSON at line %d col %d "
		              "(check quotes, commas and braces; strings need \\n "
		              "for newlines)",
		              dlg_line_at(c, start), dlg_line_at(c, epos), dlg_col_at(c, epos));
	} else {
		dlg_json_calls(c, v, DIALECT, start, "JSON block");
	}
	cJSON_Delete(v);
	free(body);
}

const struct dlg_ops dlg_json_block_ops = {DIALECT, jb_find, jb_parse};
