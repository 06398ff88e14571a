/*
 * The xml dialect (Anthropic-style calls written as text):
 *
 *     <function_calls>
 *     <invoke name="read_file">
 *     <parameter name="path">src/main.c</parameter>
 *     </invoke>
 *     </function_calls>
 *
 * also a bare <invoke> without the wrapper, tags with a namespace prefix
 * (x:invoke), and the simpler form for tools the registry knows:
 *
 *     <read_file><path>src/main.c</path></read_file>
 *
 * Parameter values are taken verbatim (models do not escape them); a value
 * whose declared type is not string is read as JSON when it parses (depth
 * 3, "true", [..]), else kept as text for the validator and tool to judge.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/xmalloc.h"
#include "worker-tools/dialects/dlg_internal.h"

#define DIALECT "xml"

struct tag {
	size_t start, end;     /* '<' .. after '>' */
	size_t na, nb;         /* local name (after any prefix:) */
	size_t aa, ab;         /* attribute text */
	int close, self_close; /* </x>, <x/> */
};

/* Reads the tag at s[i] == '<'. 1 when it is a well-formed tag. */
static int
tag_at(const char *s, size_t len, size_t i, struct tag *t)
{
	size_t j = i + 1, k;

	memset(t, 0, sizeof(*t));
	t->start = i;
	if (j < len && s[j] == '/')
		t->close = 1, j++;
	t->na = j;
	while (j < len && (isalnum((unsigned char)s[j]) || s[j] == '_' || s[j] == '-' ||
	                   s[j] == ':' || s[j] == '.'))
		j++;
	if (j == t->na || j - t->na > 128)
		return 0;
	t->nb = j;
	for (k = t->nb; k > t->na; k--)
		if (s[k - 1] == ':')
			break;
	t->na = k;
	t->aa = j;
	while (j < len && s[j] != '>' && s[j] != '<' && j - t->aa < 4096)
		j++;
	if (j >= len || s[j] != '>')
		return 0;
	t->self_close = j > t->aa && s[j - 1] == '/';
	t->ab = t->self_close ? j - 1 : j;
	t->end = j + 1;
	return t->na < t->nb;
}

static int
tag_is(const char *s, const struct tag *t, const char *name)
{
	size_t n = strlen(name);

	return t->nb - t->na == n && memcmp(s + t->na, name, n) == 0;
}

/* The closing tag </[p:]name> at or after from; its struct in *t. */
static int
find_close(const char *s, size_t len, size_t from, const char *name, size_t nlen, struct tag *t)
{
	size_t i;

	for (i = dlg_find(s, len, from, "</"); i != (size_t)-1; i = dlg_find(s, len, i + 2, "</"))
		if (tag_at(s, len, i, t) && t->nb - t->na == nlen &&
		    memcmp(s + t->na, name, nlen) == 0)
			return 1;
	return 0;
}

/* The value of attribute `key` ("..." or '...') in the tag. */
static char *
attr_get(const char *s, const struct tag *t, const char *key)
{
	size_t n = strlen(key), i, e;
	char q;

	for (i = t->aa; i + n + 2 < t->ab; i++) {
		if (memcmp(s + i, key, n) != 0 || (i > t->aa && !isspace((unsigned char)s[i - 1])))
			continue;
		for (e = i + n; e < t->ab && s[e] == ' '; e++)
			;
		if (e >= t->ab || s[e] != '=')
			continue;
		for (e++; e < t->ab && s[e] == ' '; e++)
			;
		if (e >= t->ab || (s[e] != '"' && s[e] != '\''))
			continue;
		q = s[e];
		i = ++e;
		while (e < t->ab && s[e] != q)
			e++;
		return e < t->ab ? xstrndup(s + i, e - i) : NULL;
	}
	return NULL;
}

/* dlg_search function: the first closing tag </[p:]key> at or after from. */
static size_t
close_search(const struct dlg_ctx *c, size_t from, const char *key)
{
	struct tag t;

	return find_close(c->text, c->len, from, key, strlen(key), &t) ? t.start : (size_t)-1;
}

/* The simple form <TOOL><PARAM>..</PARAM></TOOL>: after blanks comes the
 * tool's close tag or an element named after one of its parameters, so
 * HTML in prose (<list><li>) is not taken for a call. */
static int
simple_form_follows(const char *s, size_t len, size_t i, const cJSON *def, const struct tag *open)
{
	struct tag t;
	char *pn;
	int ok;

	while (i < len && isspace((unsigned char)s[i]))
		i++;
	if (i >= len || s[i] != '<' || !tag_at(s, len, i, &t))
		return 0;
	if (t.close)
		return t.nb - t.na == open->nb - open->na &&
		       memcmp(s + t.na, s + open->na, t.nb - t.na) == 0;
	pn = xstrndup(s + t.na, t.nb - t.na);
	ok = dlg_param_has(def, pn);
	free(pn);
	return ok;
}

/* Is the tag t the start of a call? Sets *end (after its close). */
static int
call_start(struct dlg_ctx *c, const struct tag *t, size_t *end)
{
	const char *s = c->text;
	const char *outer = NULL;
	char *nm;
	struct tag ct;
	const cJSON *def;
	size_t at;

	if (t->close)
		return 0;
	if (tag_is(s, t, "function_calls"))
		outer = "function_calls";
	else if (tag_is(s, t, "invoke"))
		outer = "invoke";
	if (outer == NULL) {
		nm = xstrndup(s + t->na, t->nb - t->na);
		def = dlg_tool_find(c, nm);
		free(nm);
		if (def == NULL ||
		    (!t->self_close && !simple_form_follows(s, c->len, t->end, def, t)))
			return 0;
		if (t->self_close) {
			*end = t->end;
			return 1;
		}
	}
	nm = xstrndup(s + t->na, t->nb - t->na);
	at = dlg_search(c, close_search, nm, t->end);
	free(nm);
	/* Unclosed: the block is the open tag alone (the parser reports it),
	 * so the rest of the message is still read. */
	*end = at != (size_t)-1 && tag_at(s, c->len, at, &ct) ? ct.end : t->end;
	return 1;
}

static int
xml_find(struct dlg_ctx *c, size_t from, size_t *start, size_t *end)
{
	const char *s = c->text;
	const char *p = s + from;
	struct tag t;

	while ((p = memchr(p, '<', (size_t)(s + c->len - p))) != NULL) {
		size_t i = (size_t)(p - s);

		if (tag_at(s, c->len, i, &t) && call_start(c, &t, end)) {
			*start = i;
			dlg_fence_absorb(c, start, end);
			return 1;
		}
		p++;
	}
	return 0;
}

/* Converts a raw value by the parameter's declared type. Owns nothing. */
static cJSON *
typed_value(const cJSON *def, const char *pname, const char *raw)
{
	const char *ty = dlg_param_type(def, pname);
	cJSON *v;

	if (ty == NULL || strcmp(ty, "string") == 0)
		return dlg_nn(cJSON_CreateString(raw));
	v = cJSON_Parse(raw);
	return v ? v : dlg_nn(cJSON_CreateString(raw));
}

static int
xml_err(struct dlg_ctx *c, size_t at, const char *what)
{
	dlg_add_error(c, DIALECT, at, "XML call at line %d: %s", dlg_line_at(c, at), what);
	return -1;
}

/* One parameter element at tag t; adds it to args. Returns the offset
 * after its close tag, or 0 after reporting. */
static size_t
read_param(struct dlg_ctx *c, const cJSON *def, const struct tag *t, size_t b, int invoke,
           cJSON *args)
{
	const char *s = c->text;
	struct tag ct;
	char *pname, *raw;

	if (invoke && !tag_is(s, t, "parameter"))
		return xml_err(c, t->start, "expected <parameter name=\"...\"> inside <invoke>"), 0;
	pname = invoke ? attr_get(s, t, "name") : xstrndup(s + t->na, t->nb - t->na);
	if (pname == NULL)
		return xml_err(c, t->start, "<parameter> needs a name=\"...\" attribute"), 0;
	if (t->self_close) {
		cJSON_AddItemToObject(args, pname, dlg_nn(cJSON_CreateString("")));
		free(pname);
		return t->end;
	}
	if (!find_close(s, b, t->end, s + t->na, t->nb - t->na, &ct)) {
		dlg_add_error(c, DIALECT, t->start,
		              "XML call at line %d: <%.*s> for '%s' is not closed",
		              dlg_line_at(c, t->start), (int)(t->nb - t->na), s + t->na, pname);
		free(pname);
		return 0;
	}
	raw = xstrndup(s + t->end, ct.start - t->end);
	cJSON_DeleteItemFromObjectCaseSensitive(args, pname);
	cJSON_AddItemToObject(args, pname, typed_value(def, pname, raw));
	free(raw);
	free(pname);
	return ct.end;
}

/* The parameters in [a, b). Returns 0 or -1 after reporting. */
static int
read_params(struct dlg_ctx *c, const cJSON *def, size_t a, size_t b, int invoke, cJSON *args)
{
	const char *s = c->text;
	struct tag t;
	size_t i = a;

	for (;;) {
		while (i < b && isspace((unsigned char)s[i]))
			i++;
		if (i >= b)
			return 0;
		if (s[i] != '<' || !tag_at(s, b, i, &t) || t.close)
			return xml_err(c, i,
			               invoke ? "expected <parameter name=\"...\">value</parameter>"
			                      : "expected <PARAM>value</PARAM> elements");
		if ((i = read_param(c, def, &t, b, invoke, args)) == 0)
			return -1;
	}
}

/* One call: an <invoke> (invoke=1) or a <TOOL> element at tag t. Returns
 * the offset after it, or 0 after reporting. */
static size_t
read_call(struct dlg_ctx *c, const struct tag *t, size_t limit, int invoke)
{
	const char *s = c->text;
	char *name = invoke ? attr_get(s, t, "name") : xstrndup(s + t->na, t->nb - t->na);
	cJSON *args;
	struct tag ct;
	size_t after;

	if (name == NULL)
		return xml_err(c, t->start, "<invoke> needs a name=\"TOOL\" attribute"), 0;
	args = dlg_nn(cJSON_CreateObject());
	if (t->self_close) {
		after = t->end;
	} else if (!find_close(s, limit, t->end, s + t->na, t->nb - t->na, &ct)) {
		dlg_add_error(c, DIALECT, t->start,
		              "XML call at line %d: <%.*s> for '%s' is not closed",
		              dlg_line_at(c, t->start), (int)(t->nb - t->na), s + t->na, name);
		after = 0;
	} else if (read_params(c, dlg_tool_find(c, name), t->end, ct.start, invoke, args) < 0) {
		after = 0;
	} else {
		after = ct.end;
	}
	if (after != 0)
		dlg_add_call(c, name, args, DIALECT, t->start);
	else
		cJSON_Delete(args);
	free(name);
	return after;
}

/* The <invoke> elements of a <function_calls> block [a, b). */
static void
read_wrapper(struct dlg_ctx *c, size_t a, size_t b)
{
	const char *s = c->text;
	struct tag t;
	size_t i = a;
	int n = 0;

	while ((i = dlg_find(s, b, i, "<")) != (size_t)-1) {
		if (tag_at(s, b, i, &t) && !t.close && tag_is(s, &t, "invoke")) {
			if ((i = read_call(c, &t, b, 1)) == 0)
				return;
			n++;
		} else {
			i++;
		}
	}
	if (n == 0)
		xml_err(c, a, "<function_calls> holds no <invoke name=\"...\"> element");
}

static void
xml_parse(struct dlg_ctx *c, size_t start, size_t end)
{
	const char *s = c->text;
	size_t i = dlg_find(s, end, start, "<");
	struct tag t, ct;

	for (; i != (size_t)-1; i = dlg_find(s, end, i + 1, "<"))
		if (tag_at(s, end, i, &t) && !t.close)
			break;
	if (i == (size_t)-1)
		return;
	if (tag_is(s, &t, "function_calls")) {
		if (!find_close(s, end, t.end, "function_calls", 14, &ct)) {
			xml_err(c, i, "<function_calls> is not closed with </function_calls>");
			return;
		}
		read_wrapper(c, t.end, ct.start);
	} else {
		read_call(c, &t, end, tag_is(s, &t, "invoke"));
	}
}

const struct dlg_ops dlg_xml_ops = {DIALECT, xml_find, xml_parse};
