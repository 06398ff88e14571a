/*
 * mock_yaml.c — a small YAML -> cJSON converter for mock scripts. The
 * mock does not depend on lib/config: a script is test data, and the
 * server must build and run before the config loader exists.
 *
 * Plain scalars are typed as YAML 1.1 (PyYAML safe_load) would for the
 * values a script uses: null/~/empty, booleans, integers, decimals with a
 * dot; quoted scalars stay strings. Aliases are expanded with a node budget
 * so an alias bomb is an error, not an out-of-memory.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "mockllm/mock.h"

#define MOCK_YAML_MAX_NODES 200000
#define MOCK_YAML_MAX_DEPTH 64

struct mock_yconv {
	yaml_document_t *doc;
	size_t budget;
	char *err;
	size_t errlen;
};

static cJSON *mock_yaml_node(struct mock_yconv *c, yaml_node_t *n, int depth);

static int
mock_yaml_word(const char *s, const char *const *words)
{
	size_t i;

	for (i = 0; words[i] != NULL; i++)
		if (strcmp(s, words[i]) == 0)
			return 1;
	return 0;
}

static cJSON *
mock_yaml_scalar(yaml_node_t *n)
{
	static const char *const nulls[] = {"", "~", "null", "Null", "NULL", NULL};
	static const char *const trues[] = {"true", "True", "TRUE", "yes", "Yes",
	                                    "YES",  "on",   "On",   "ON",  NULL};
	static const char *const falses[] = {"false", "False", "FALSE", "no",  "No",
	                                     "NO",    "off",   "Off",   "OFF", NULL};
	const char *s = (const char *)n->data.scalar.value;
	char *end;
	long long ll;
	double d;

	if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return cJSON_CreateString(s);
	if (mock_yaml_word(s, nulls))
		return cJSON_CreateNull();
	if (mock_yaml_word(s, trues))
		return cJSON_CreateTrue();
	if (mock_yaml_word(s, falses))
		return cJSON_CreateFalse();
	errno = 0;
	ll = strtoll(s, &end, 10);
	if (*s != '\0' && *end == '\0' && errno == 0)
		return cJSON_CreateNumber((double)ll);
	if (strchr(s, '.') != NULL) {
		d = strtod(s, &end);
		if (*end == '\0' && end != s)
			return cJSON_CreateNumber(d);
	}
	return cJSON_CreateString(s);
}

static cJSON *
mock_yaml_mapping(struct mock_yconv *c, yaml_node_t *n, int depth)
{
	yaml_node_pair_t *p;
	yaml_node_t *k, *v;
	cJSON *obj = cJSON_CreateObject(), *val;

	cJSON_AddNumberToObject(obj, "__line", (double)n->start_mark.line + 1);
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		k = yaml_document_get_node(c->doc, p->key);
		v = yaml_document_get_node(c->doc, p->value);
		if (k == NULL || v == NULL || k->type != YAML_SCALAR_NODE) {
			snprintf(c->err, c->errlen, "%zu: mapping keys must be plain scalars",
			         (size_t)n->start_mark.line + 1);
			cJSON_Delete(obj);
			return NULL;
		}
		val = mock_yaml_node(c, v, depth + 1);
		if (val == NULL) {
			cJSON_Delete(obj);
			return NULL;
		}
		/* A later duplicate key replaces the earlier one, as PyYAML does. */
		cJSON_DeleteItemFromObjectCaseSensitive(obj, (const char *)k->data.scalar.value);
		cJSON_AddItemToObject(obj, (const char *)k->data.scalar.value, val);
	}
	return obj;
}

static cJSON *
mock_yaml_node(struct mock_yconv *c, yaml_node_t *n, int depth)
{
	yaml_node_item_t *it;
	cJSON *arr, *val;

	if (depth > MOCK_YAML_MAX_DEPTH || c->budget == 0) {
		snprintf(c->err, c->errlen, "%zu: document too deep or too large (alias bomb?)",
		         (size_t)n->start_mark.line + 1);
		return NULL;
	}
	c->budget--;
	switch (n->type) {
	case YAML_SCALAR_NODE:
		return mock_yaml_scalar(n);
	case YAML_MAPPING_NODE:
		return mock_yaml_mapping(c, n, depth);
	case YAML_SEQUENCE_NODE:
		arr = cJSON_CreateArray();
		for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
			val = mock_yaml_node(c, yaml_document_get_node(c->doc, *it), depth + 1);
			if (val == NULL) {
				cJSON_Delete(arr);
				return NULL;
			}
			cJSON_AddItemToArray(arr, val);
		}
		return arr;
	default:
		snprintf(c->err, c->errlen, "%zu: unsupported YAML node",
		         (size_t)n->start_mark.line + 1);
		return NULL;
	}
}

/* err gets "LINE: message" (the caller prefixes the file name). */
cJSON *
mock_yaml_parse(const char *buf, size_t len, char *err, size_t errlen)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;
	struct mock_yconv c;
	cJSON *out = NULL;

	if (!yaml_parser_initialize(&parser)) {
		snprintf(err, errlen, "0: cannot initialize the YAML parser");
		return NULL;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&parser, &doc)) {
		snprintf(err, errlen, "%zu:%zu: %s%s%s", (size_t)parser.problem_mark.line + 1,
		         (size_t)parser.problem_mark.column + 1,
		         parser.problem ? parser.problem : "YAML syntax error",
		         parser.context ? " " : "", parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		return NULL;
	}
	root = yaml_document_get_root_node(&doc);
	if (root == NULL) {
		snprintf(err, errlen, "1: empty script");
	} else {
		c.doc = &doc;
		c.budget = MOCK_YAML_MAX_NODES;
		c.err = err;
		c.errlen = errlen;
		out = mock_yaml_node(&c, root, 0);
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return out;
}

void
mock_json_strip_lines(cJSON *j)
{
	cJSON *it;

	if (j == NULL)
		return;
	if (cJSON_IsObject(j))
		cJSON_DeleteItemFromObjectCaseSensitive(j, "__line");
	cJSON_ArrayForEach(it, j) mock_json_strip_lines(it);
}
