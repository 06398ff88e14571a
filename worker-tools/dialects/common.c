/* Helpers shared by every dialect: line arithmetic, fences, the registry
 * (names, aliases, parameter order) and the result lists. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/log.h"
#include "lib/core/xmalloc.h"
#include "worker-tools/dialects/dlg_internal.h"

void
dialect_result_init(struct dialect_result *r)
{
	r->calls = dlg_nn(cJSON_CreateArray());
	r->errors = dlg_nn(cJSON_CreateArray());
	strbuf_init(&r->message);
}

void
dialect_result_free(struct dialect_result *r)
{
	cJSON_Delete(r->calls);
	cJSON_Delete(r->errors);
	strbuf_free(&r->message);
	r->calls = NULL;
	r->errors = NULL;
}

cJSON *
dlg_nn(cJSON *p)
{
	/* cJSON reports out of memory as NULL; like xmalloc, that is fatal. */
	if (p == NULL)
		fatalx("dialect: out of memory building JSON");
	return p;
}

/* ---------------- lines and text ---------------- */

int
dlg_line_at(struct dlg_ctx *c, size_t off)
{
	if (off > c->len)
		off = c->len;
	if (off < c->line_off) {
		c->line_off = c->line_begin = 0;
		c->line_no = 1;
	}
	for (; c->line_off < off; c->line_off++)
		if (c->text[c->line_off] == '\n') {
			c->line_no++;
			c->line_begin = c->line_off + 1;
		}
	return c->line_no;
}

int
dlg_col_at(struct dlg_ctx *c, size_t off)
{
	/* Through the line cache: a message that is one huge line must not
	 * make each error cost a scan back to its start. */
	if (off > c->len)
		off = c->len;
	dlg_line_at(c, off);
	return (int)(off - c->line_begin) + 1;
}

size_t
dlg_line_end(const char *s, size_t len, size_t off)
{
	const char *nl;

	if (off >= len)
		return len;
	nl = memchr(s + off, '\n', len - off);
	return nl ? (size_t)(nl - s) : len;
}

size_t
dlg_next_line(const char *s, size_t len, size_t off)
{
	size_t e = dlg_line_end(s, len, off);

	return e < len ? e + 1 : len;
}

size_t
dlg_line_start(const char *s, size_t off)
{
	while (off > 0 && s[off - 1] != '\n')
		off--;
	return off;
}

int
dlg_is_blank(const char *s, size_t a, size_t b)
{
	for (; a < b; a++)
		if (!isspace((unsigned char)s[a]))
			return 0;
	return 1;
}

size_t
dlg_find(const char *s, size_t len, size_t from, const char *needle)
{
	size_t n = strlen(needle);
	const char *p;

	if (from > len || n == 0 || n > len - from)
		return (size_t)-1;
	p = memmem(s + from, len - from, needle, n);
	return p ? (size_t)(p - s) : (size_t)-1;
}

size_t
dlg_find_ci(const char *s, size_t len, size_t from, const char *needle)
{
	size_t n = strlen(needle), i;
	int first = tolower((unsigned char)needle[0]);

	if (from > len || n == 0 || n > len - from)
		return (size_t)-1;
	for (i = from; i + n <= len; i++)
		if (tolower((unsigned char)s[i]) == first && strncasecmp(s + i, needle, n) == 0)
			return i;
	return (size_t)-1;
}

static void
trim_span(const char *s, size_t *a, size_t *b)
{
	while (*a < *b && isspace((unsigned char)s[*a]))
		(*a)++;
	while (*b > *a && isspace((unsigned char)s[*b - 1]))
		(*b)--;
}

int
dlg_line_is(const char *s, size_t a, size_t b, const char *lit)
{
	size_t n = strlen(lit);

	trim_span(s, &a, &b);
	return b - a == n && memcmp(s + a, lit, n) == 0;
}

int
dlg_fence_open(const char *s, size_t a, size_t b, size_t *la, size_t *lb)
{
	size_t i;
	char f;

	trim_span(s, &a, &b);
	if (b - a < 3 || (s[a] != '`' && s[a] != '~'))
		return 0;
	f = s[a];
	for (i = a; i < b && s[i] == f; i++)
		;
	if (i - a < 3)
		return 0;
	*la = i;
	*lb = b;
	trim_span(s, la, lb);
	/* "```python title" is still a fence; "```a`b" is not (inline code). */
	return memchr(s + *la, '`', *lb - *la) == NULL;
}

int
dlg_fence_close(const char *s, size_t a, size_t b)
{
	size_t la, lb;

	return dlg_fence_open(s, a, b, &la, &lb) && la == lb;
}

size_t
dlg_search_ci(const struct dlg_ctx *c, size_t from, const char *key)
{
	return dlg_find_ci(c->text, c->len, from, key);
}

size_t
dlg_search_line(const struct dlg_ctx *c, size_t from, const char *key)
{
	size_t ls = dlg_line_start(c->text, from);

	if (ls < from)
		ls = dlg_next_line(c->text, c->len, from);
	for (; ls < c->len; ls = dlg_next_line(c->text, c->len, ls))
		if (dlg_line_is(c->text, ls, dlg_line_end(c->text, c->len, ls), key))
			return ls;
	return (size_t)-1;
}

size_t
dlg_search(struct dlg_ctx *c, dlg_search_fn fn, const char *key, size_t from)
{
	struct dlg_memo *m = NULL;
	int i;

	if (strlen(key) >= sizeof(c->memo[0].key))
		return fn(c, from, key);
	for (i = 0; i < c->nmemo; i++)
		if (c->memo[i].fn == fn && strcmp(c->memo[i].key, key) == 0)
			m = &c->memo[i];
	if (m != NULL && m->q <= from && (m->r == (size_t)-1 || m->r >= from))
		return m->r;
	if (m == NULL) {
		m = &c->memo[c->nmemo < DLG_NMEMO ? c->nmemo++ : (int)(from % DLG_NMEMO)];
		m->fn = fn;
		snprintf(m->key, sizeof(m->key), "%s", key);
	}
	m->q = from;
	m->r = fn(c, from, key);
	return m->r;
}

/* The start of the line before the one that starts at ls, or (size_t)-1. */
static size_t
prev_line(const char *s, size_t ls)
{
	if (ls == 0)
		return (size_t)-1;
	return dlg_line_start(s, ls - 1);
}

void
dlg_fence_absorb(struct dlg_ctx *c, size_t *start, size_t *end)
{
	const char *s = c->text;
	size_t ls = *start, p, la, lb, after, ae;
	int hops;

	/* Only a block that starts its line (after blanks) can be fenced;
	 * scanning back over blanks alone keeps one-line inputs linear. */
	while (ls > 0 && (s[ls - 1] == ' ' || s[ls - 1] == '\t'))
		ls--;
	if (ls > 0 && s[ls - 1] != '\n')
		return;
	p = prev_line(s, ls);
	for (hops = 0; p != (size_t)-1 && hops < 2; hops++, p = prev_line(s, p)) {
		if (dlg_fence_open(s, p, ls - 1, &la, &lb))
			break;
		ls = p;
	}
	if (p == (size_t)-1 || hops == 2 || p < c->floor)
		return;
	after = *end;
	if (after > 0 && s[after - 1] != '\n')
		after = dlg_next_line(s, c->len, after);
	while (after < c->len && dlg_is_blank(s, after, dlg_line_end(s, c->len, after)) &&
	       dlg_line_end(s, c->len, after) < c->len)
		after = dlg_next_line(s, c->len, after);
	ae = dlg_line_end(s, c->len, after);
	if (after >= c->len || !dlg_fence_close(s, after, ae))
		return;
	*start = p;
	*end = dlg_next_line(s, c->len, after);
}

/* ---------------- registry ---------------- */

static const cJSON *
find_def(const cJSON *tools, const char *name)
{
	const cJSON *t;

	cJSON_ArrayForEach(t, tools)
	{
		const char *n = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t, "name"));

		if (n != NULL && strcmp(n, name) == 0)
			return t;
	}
	return NULL;
}

const cJSON *
dlg_tool_find(const struct dlg_ctx *c, const char *name)
{
	const cJSON *d;
	const char *canon;

	if (name == NULL)
		return NULL;
	if ((d = find_def(c->tools, name)) != NULL)
		return d;
	canon = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c->aliases, name));
	return canon ? find_def(c->tools, canon) : NULL;
}

const cJSON *
dlg_tool_pick(const struct dlg_ctx *c, const char *const *cands)
{
	const cJSON *d;

	for (; *cands != NULL; cands++)
		if ((d = dlg_tool_find(c, *cands)) != NULL)
			return d;
	return NULL;
}

const cJSON *
dlg_tool_params(const cJSON *def)
{
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(def, "parameters");

	/* Normalized defs list parameters; provider-style defs carry a JSON
	 * Schema whose "properties" keep the declared order. */
	if (cJSON_IsObject(p))
		p = cJSON_GetObjectItemCaseSensitive(p, "properties");
	return (cJSON_IsArray(p) || cJSON_IsObject(p)) ? p : NULL;
}

static const char *
param_name(const cJSON *p)
{
	if (p == NULL)
		return NULL;
	if (p->string != NULL)
		return p->string; /* a JSON Schema property */
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "name"));
}

static const cJSON *
param_find(const cJSON *def, const char *name)
{
	const cJSON *p;

	cJSON_ArrayForEach(p, dlg_tool_params(def))
	{
		const char *n = param_name(p);

		if (n != NULL && strcmp(n, name) == 0)
			return p;
	}
	return NULL;
}

const char *
dlg_param_pick(const cJSON *def, const char *const *cands, int idx)
{
	const cJSON *p;
	const char *const *k;

	for (k = cands; *k != NULL; k++)
		if (param_find(def, *k) != NULL)
			return *k;
	p = cJSON_GetArrayItem(dlg_tool_params(def), idx);
	if (param_name(p) != NULL)
		return param_name(p);
	return cands[0];
}

int
dlg_param_has(const cJSON *def, const char *name)
{
	return param_find(def, name) != NULL;
}

const char *
dlg_param_type(const cJSON *def, const char *name)
{
	return cJSON_GetStringValue(
	    cJSON_GetObjectItemCaseSensitive(param_find(def, name), "type"));
}

/* ---------------- results ---------------- */

int
dlg_add_call(struct dlg_ctx *c, const char *name, cJSON *args, const char *dialect, size_t off)
{
	const cJSON *def = dlg_tool_find(c, name);
	const char *canon =
	    def ? cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(def, "name")) : NULL;
	cJSON *call = dlg_nn(cJSON_CreateObject());
	char id[32];

	if (cJSON_GetArraySize(c->out->calls) >= DLG_MAX_CALLS) {
		cJSON_Delete(args);
		cJSON_Delete(call);
		if (!c->overflowed++)
			dlg_add_error(c, dialect, off,
			              "too many tool calls in one message (limit %d); "
			              "the rest were not read",
			              DLG_MAX_CALLS);
		return -1;
	}
	snprintf(id, sizeof(id), "call_%d", ++c->next_id);
	cJSON_AddItemToObject(call, "id", dlg_nn(cJSON_CreateString(id)));
	cJSON_AddItemToObject(call, "name", dlg_nn(cJSON_CreateString(canon ? canon : name)));
	if (canon != NULL && strcmp(canon, name) != 0)
		cJSON_AddItemToObject(call, "written_name", dlg_nn(cJSON_CreateString(name)));
	cJSON_AddItemToObject(call, "args", args ? args : dlg_nn(cJSON_CreateObject()));
	cJSON_AddItemToObject(call, "dialect", dlg_nn(cJSON_CreateString(dialect)));
	cJSON_AddItemToObject(call, "line", dlg_nn(cJSON_CreateNumber(dlg_line_at(c, off))));
	cJSON_AddItemToArray(c->out->calls, call);
	return cJSON_GetArraySize(c->out->calls) - 1;
}

void
dlg_add_error(struct dlg_ctx *c, const char *dialect, size_t off, const char *fmt, ...)
{
	cJSON *e;
	va_list ap;
	char *msg;
	struct strbuf sb = STRBUF_INIT;

	/* A model that got the syntax wrong everywhere needs the first few
	 * messages, not thousands. */
	if (cJSON_GetArraySize(c->out->errors) >= DLG_MAX_ERRORS) {
		c->errors_dropped++;
		return;
	}
	e = dlg_nn(cJSON_CreateObject());
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	msg = strbuf_detach(&sb, NULL);
	cJSON_AddItemToObject(e, "call", dlg_nn(cJSON_CreateNull()));
	cJSON_AddItemToObject(e, "line", dlg_nn(cJSON_CreateNumber(dlg_line_at(c, off))));
	cJSON_AddItemToObject(e, "dialect", dlg_nn(cJSON_CreateString(dialect)));
	cJSON_AddItemToObject(e, "message", dlg_nn(cJSON_CreateString(msg)));
	cJSON_AddItemToArray(c->out->errors, e);
	free(msg);
}

cJSON *
dlg_args1(const char *k, const char *v)
{
	cJSON *o = dlg_nn(cJSON_CreateObject());

	cJSON_AddItemToObject(o, k, dlg_nn(cJSON_CreateString(v)));
	return o;
}
