/*
 * The yaml_command dialect: a ```yaml (or ```yml) fence holding a call:
 *
 *     tool: run_shell
 *     args:
 *       command: make test
 *
 * also `name:` / `arguments:`, a list of such calls, `tool_calls: [...]`,
 * and the short form `run_shell: {command: make test}` for a tool the
 * registry knows. Read with libyaml; plain scalars are typed (numbers,
 * true/false, null/~) so `timeout: 30` is the number 30, quoted ones stay
 * strings. A fence without such keys is data and stays in the message.
 *
 * Aliases (*x) are expanded while converting, bounded by a node budget so
 * a "billion laughs" document is an error, not an exhausted worker.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "lib/core/log.h"
#include "lib/core/xmalloc.h"
#include "worker-tools/dialects/dlg_internal.h"

#define DIALECT "yaml_command"
#define YAML_NODE_BUDGET 100000

struct conv {
	yaml_document_t *doc;
	long budget;
};

static cJSON *
scalar_value(const yaml_node_t *n)
{
	const char *v = (const char *)n->data.scalar.value;
	char *end;
	double d;

	if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return dlg_nn(cJSON_CreateString(v));
	if (!strcmp(v, "") || !strcmp(v, "~") || !strcasecmp(v, "null"))
		return dlg_nn(cJSON_CreateNull());
	if (!strcasecmp(v, "true"))
		return dlg_nn(cJSON_CreateTrue());
	if (!strcasecmp(v, "false"))
		return dlg_nn(cJSON_CreateFalse());
	if ((isdigit((unsigned char)v[0]) ||
	     ((v[0] == '-' || v[0] == '+') && isdigit((unsigned char)v[1])))) {
		errno = 0;
		d = strtod(v, &end);
		if (*end == '\0' && errno == 0 && isfinite(d))
			return dlg_nn(cJSON_CreateNumber(d));
	}
	return dlg_nn(cJSON_CreateString(v));
}

static cJSON *
convert(struct conv *cv, const yaml_node_t *n, int depth)
{
	cJSON *o;

	if (n == NULL || depth > DLG_MAX_DEPTH || --cv->budget < 0)
		return NULL;
	if (n->type == YAML_SCALAR_NODE)
		return scalar_value(n);
	if (n->type == YAML_SEQUENCE_NODE) {
		yaml_node_item_t *it;

		o = dlg_nn(cJSON_CreateArray());
		for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
			cJSON *v = convert(cv, yaml_document_get_node(cv->doc, *it), depth + 1);

			if (v == NULL)
				return cJSON_Delete(o), NULL;
			cJSON_AddItemToArray(o, v);
		}
		return o;
	}
	if (n->type == YAML_MAPPING_NODE) {
		yaml_node_pair_t *pr;

		o = dlg_nn(cJSON_CreateObject());
		for (pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
			yaml_node_t *k = yaml_document_get_node(cv->doc, pr->key);
			cJSON *v;

			if (k == NULL || k->type != YAML_SCALAR_NODE)
				return cJSON_Delete(o), NULL;
			if ((v = convert(cv, yaml_document_get_node(cv->doc, pr->value),
			                 depth + 1)) == NULL)
				return cJSON_Delete(o), NULL;
			cJSON_DeleteItemFromObjectCaseSensitive(o,
			                                        (const char *)k->data.scalar.value);
			cJSON_AddItemToObject(o, (const char *)k->data.scalar.value, v);
		}
		return o;
	}
	return NULL;
}

/* Parses [a, b) as one YAML document into JSON; NULL after reporting. */
static cJSON *
yaml_to_json(struct dlg_ctx *c, size_t a, size_t b, size_t at)
{
	yaml_parser_t ps;
	yaml_document_t doc;
	struct conv cv = {&doc, YAML_NODE_BUDGET};
	cJSON *v = NULL;

	if (!yaml_parser_initialize(&ps))
		fatalx("yaml_command: out of memory");
	yaml_parser_set_input_string(&ps, (const unsigned char *)c->text + a, b - a);
	if (!yaml_parser_load(&ps, &doc)) {
		size_t ep = a + (ps.problem_mark.index <= b - a ? ps.problem_mark.index : 0);

		dlg_add_error(c, DIALECT, at,
		              "YAML block at line %d: %s at line %d col %d (indent "
		              "nested keys with spaces; quote strings holding ': ' or '#')",
		              dlg_line_at(c, at), ps.problem ? ps.problem : "invalid YAML",
		              dlg_line_at(c, ep), dlg_col_at(c, ep));
		yaml_parser_delete(&ps);
		return NULL;
	}
	v = convert(&cv, yaml_document_get_root_node(&doc), 0);
	if (v == NULL)
		dlg_add_error(
		    c, DIALECT, at, "YAML block at line %d: %s", dlg_line_at(c, at),
		    cv.budget < 0
		        ? "the document expands to too many nodes"
		        : "the document is empty, too deeply nested, or has non-text keys");
	yaml_document_delete(&doc);
	yaml_parser_delete(&ps);
	return v;
}

/* {known_tool: {args}}: the short form. */
static int
short_form(struct dlg_ctx *c, const cJSON *v, size_t at)
{
	const cJSON *k = v ? v->child : NULL;

	if (!cJSON_IsObject(v) || k == NULL || k->next != NULL ||
	    dlg_tool_find(c, k->string) == NULL)
		return 0;
	if (!cJSON_IsObject(k) && !cJSON_IsNull(k)) {
		dlg_add_error(c, DIALECT, at,
		              "YAML block at line %d: the arguments of '%s' must be a "
		              "mapping of parameter names to values",
		              dlg_line_at(c, at), k->string);
		return -1;
	}
	dlg_add_call(c, k->string,
	             cJSON_IsObject(k) ? dlg_nn(cJSON_Duplicate(k, 1))
	                               : dlg_nn(cJSON_CreateObject()),
	             DIALECT, at);
	return 1;
}

static int
fence_body(const struct dlg_ctx *c, size_t ls, size_t *a, size_t *b, size_t *end)
{
	const char *s = c->text;
	size_t la, lb, i;

	if (!dlg_fence_open(s, ls, dlg_line_end(s, c->len, ls), &la, &lb) ||
	    !((lb - la == 4 && !strncasecmp(s + la, "yaml", 4)) ||
	      (lb - la == 3 && !strncasecmp(s + la, "yml", 3))))
		return 0;
	*a = dlg_next_line(s, c->len, ls);
	for (i = *a; i < c->len && !dlg_fence_close(s, i, dlg_line_end(s, c->len, i));)
		i = dlg_next_line(s, c->len, i);
	*b = i;
	*end = dlg_next_line(s, c->len, i);
	return 1;
}

/* A line of the body starts with a call key (tool:, name:, a known tool). */
static int
looks_like_call(const struct dlg_ctx *c, size_t a, size_t b)
{
	const char *s = c->text;
	size_t i, j, k;
	char key[130];

	for (i = a; i < b; i = dlg_next_line(s, b, i)) {
		for (j = i; j < b && (s[j] == ' ' || s[j] == '-'); j++)
			;
		for (k = j;
		     k < b && k - j < 128 && (isalnum((unsigned char)s[k]) || strchr("_-.", s[k]));
		     k++)
			;
		if (k >= b || s[k] != ':' || k == j)
			continue;
		memcpy(key, s + j, k - j);
		key[k - j] = '\0';
		/* "name:" alone is common in data (CI files); it makes a
		 * call only next to "args:"/"arguments:". */
		if (!strcmp(key, "tool") || !strcmp(key, "tool_calls") ||
		    (j == i && dlg_tool_find(c, key) != NULL) ||
		    (!strcmp(key, "name") && (dlg_find(s, b, a, "args:") != (size_t)-1 ||
		                              dlg_find(s, b, a, "arguments:") != (size_t)-1)))
			return 1;
	}
	return 0;
}

static int
ym_find(struct dlg_ctx *c, size_t from, size_t *start, size_t *end)
{
	const char *s = c->text;
	size_t ls = dlg_line_start(s, from), a, b;

	if (ls < from)
		ls = dlg_next_line(s, c->len, from);
	for (; ls < c->len; ls = dlg_next_line(s, c->len, ls)) {
		if ((s[ls] == '`' || s[ls] == '~' || s[ls] == ' ') &&
		    fence_body(c, ls, &a, &b, end) && looks_like_call(c, a, b)) {
			*start = ls;
			return 1;
		}
	}
	return 0;
}

static void
ym_parse(struct dlg_ctx *c, size_t start, size_t end)
{
	size_t a, b, e;
	cJSON *v;

	if (!fence_body(c, start, &a, &b, &e))
		return;
	if ((v = yaml_to_json(c, a, b, start)) == NULL)
		return;
	if (short_form(c, v, start) == 0)
		dlg_json_calls(c, v, DIALECT, start, "YAML block");
	cJSON_Delete(v);
}

const struct dlg_ops dlg_yaml_ops = {DIALECT, ym_find, ym_parse};
