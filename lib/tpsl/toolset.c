/* What a mode may use, the provider-native schemas of a toolset, and the
 * config checks that need the registry. */
#include <stdlib.h>
#include <string.h>

#include "lib/config/config.h"
#include "lib/core/strbuf.h"
#include "lib/core/xmalloc.h"
#include "lib/template/template.h"
#include "lib/tpsl/tpsl_int.h"

static const cJSON *
ts_mode(const cJSON *root, const char *mode)
{
	const cJSON *m;

	cJSON_ArrayForEach(m, kc_cfg_get(root, "modes")) if (strcmp(kc_cfg_str(m, "name", ""),
	                                                            mode) == 0) return m;
	return NULL;
}

/* Is `name` (a tool of the registry) in the list (names, aliases, "*")? */
static int
ts_listed(const struct kc_config *c, const cJSON *registry, const cJSON *list, const char *name)
{
	const cJSON *it;
	const char *canon;

	cJSON_ArrayForEach(it, list)
	{
		if (!cJSON_IsString(it))
			continue;
		if (strcmp(it->valuestring, "*") == 0)
			return 1;
		canon = kc_tools_resolve_alias(c, registry, it->valuestring);
		if (canon != NULL && strcmp(canon, name) == 0)
			return 1;
	}
	return 0;
}

/* tools_enabled absent: every tool; "*": every tool; an empty list: none
 * (the prototype gave every tool for an empty list, which made compact
 * mode's `tools_enabled: []` mean the opposite of what it says). */
cJSON *
kc_tools_for_mode(const struct kc_config *c, const cJSON *registry, const char *mode, char *err,
                  size_t errlen)
{
	const cJSON *m = NULL, *enabled = NULL, *disabled = NULL, *t;
	cJSON *out = cJSON_CreateArray();
	const char *name;

	if (mode != NULL) {
		m = ts_mode(kc_config_root(c), mode);
		if (m == NULL) {
			snprintf(err, errlen, "%s: no mode named '%s' in modes", kc_config_path(c),
			         mode);
			cJSON_Delete(out);
			return NULL;
		}
		enabled = cJSON_GetObjectItemCaseSensitive(m, "tools_enabled");
		disabled = cJSON_GetObjectItemCaseSensitive(m, "tools_disabled");
	}
	cJSON_ArrayForEach(t, registry)
	{
		name = kc_cfg_str(t, "name", "");
		if (cJSON_IsArray(enabled) && !ts_listed(c, registry, enabled, name))
			continue;
		if (cJSON_IsArray(disabled) && ts_listed(c, registry, disabled, name))
			continue;
		cJSON_AddItemToArray(out, cJSON_Duplicate(t, 1));
	}
	return out;
}

/* YAML tool parameter types -> JSON Schema types. */
static const char *
ts_schema_type(const char *t)
{
	static const char *const map[][2] = {
	    {"string", "string"}, {"str", "string"},   {"integer", "integer"}, {"int", "integer"},
	    {"number", "number"}, {"float", "number"}, {"boolean", "boolean"}, {"bool", "boolean"},
	    {"array", "array"},   {"list", "array"},   {"object", "object"},   {"dict", "object"},
	    {NULL, NULL}};
	size_t i;

	for (i = 0; t != NULL && map[i][0] != NULL; i++)
		if (strcmp(map[i][0], t) == 0)
			return map[i][1];
	return "string";
}

static cJSON *
ts_native_one(const cJSON *t)
{
	cJSON *fn = cJSON_CreateObject(), *params, *props, *req, *prop;
	const cJSON *p, *def;
	const char *type;

	cJSON_AddStringToObject(fn, "name", kc_cfg_str(t, "name", ""));
	cJSON_AddStringToObject(fn, "description", kc_cfg_str(t, "description", ""));
	params = cJSON_AddObjectToObject(fn, "parameters");
	cJSON_AddStringToObject(params, "type", "object");
	props = cJSON_AddObjectToObject(params, "properties");
	req = cJSON_AddArrayToObject(params, "required");
	cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(t, "parameters"))
	{
		const char *pname = kc_cfg_str(p, "name", "");

		prop = cJSON_AddObjectToObject(props, pname);
		type = ts_schema_type(kc_cfg_str(p, "type", NULL));
		cJSON_AddStringToObject(prop, "type", type);
		/* An array parameter needs an item type for strict providers;
		 * the reference tools' arrays are lists of strings. */
		if (strcmp(type, "array") == 0)
			cJSON_AddItemToObject(prop, "items", cJSON_Parse("{\"type\":\"string\"}"));
		if (kc_cfg_str(p, "description", NULL) != NULL)
			cJSON_AddStringToObject(prop, "description",
			                        kc_cfg_str(p, "description", ""));
		def = cJSON_GetObjectItemCaseSensitive(p, "default");
		if (def != NULL && !cJSON_IsNull(def))
			cJSON_AddItemToObject(prop, "default", cJSON_Duplicate(def, 1));
		if (kc_cfg_bool(p, "required", 0))
			cJSON_AddItemToArray(req, cJSON_CreateString(pname));
	}
	return fn;
}

cJSON *
kc_tools_native_schemas(const cJSON *tools)
{
	cJSON *out = cJSON_CreateArray();
	const cJSON *t;

	cJSON_ArrayForEach(t, tools) cJSON_AddItemToArray(out, ts_native_one(t));
	return out;
}

/* ---- config checks that need the registry or the named files ---- */

struct ts_check {
	const struct kc_config *c;
	const cJSON *registry;
	struct kc_diag_list *d;
};

static void
ts_msg(struct ts_check *k, enum kc_diag_sev sev, const cJSON *n, const char *path, const char *msg)
{
	char where[4200];

	kc_diag_add(k->d, sev, "%s: %s: %s", kc_config_where_str(k->c, n, where, sizeof(where)),
	            path, msg);
}

static void
ts_check_name(struct ts_check *k, const cJSON *n, const char *path)
{
	char *msg;

	if (!cJSON_IsString(n) || strcmp(n->valuestring, "*") == 0 ||
	    kc_tools_resolve_alias(k->c, k->registry, n->valuestring) != NULL)
		return;
	msg = xasprintf("'%s' is neither a tool of the registry nor an alias of one (ignored)",
	                n->valuestring);
	ts_msg(k, KC_DIAG_WARN, n, path, msg);
	free(msg);
}

static void
ts_check_names(struct ts_check *k, const cJSON *list, const char *path)
{
	const cJSON *it;
	char *sub;
	int i = 0;

	cJSON_ArrayForEach(it, list)
	{
		sub = xasprintf("%s[%d]", path, i++);
		ts_check_name(k, it, sub);
		free(sub);
	}
}

static void
ts_check_tool_names(struct ts_check *k)
{
	const cJSON *root = kc_config_root(k->c), *m, *g;
	char path[128];
	int i = 0;

	cJSON_ArrayForEach(m, kc_cfg_get(root, "modes"))
	{
		snprintf(path, sizeof(path), "modes[%d].tools_enabled", i);
		ts_check_names(k, cJSON_GetObjectItemCaseSensitive(m, "tools_enabled"), path);
		snprintf(path, sizeof(path), "modes[%d].tools_disabled", i++);
		ts_check_names(k, cJSON_GetObjectItemCaseSensitive(m, "tools_disabled"), path);
	}
	ts_check_names(k, kc_cfg_get(root, "concurrency.at_most_one_of"),
	               "concurrency.at_most_one_of");
	ts_check_names(k, kc_cfg_get(root, "concurrency.nonblocking_tools"),
	               "concurrency.nonblocking_tools");
	i = 0;
	cJSON_ArrayForEach(g, kc_cfg_get(root, "concurrency.groups"))
	{
		snprintf(path, sizeof(path), "concurrency.groups[%d].match_tools", i);
		ts_check_names(k, cJSON_GetObjectItemCaseSensitive(g, "match_tools"), path);
		snprintf(path, sizeof(path), "concurrency.groups[%d].barrier_after", i++);
		ts_check_name(k, cJSON_GetObjectItemCaseSensitive(g, "barrier_after"), path);
	}
	ts_check_name(k, kc_cfg_get(root, "completion.tool_finish"), "completion.tool_finish");
}

/* Each string under `map` (two levels: packs.<pack>.<key>, dialects.<id>.<slot>)
 * must name an existing file; templates must also parse. */
static void
ts_check_files(struct ts_check *k, const cJSON *map, const char *path, int templates)
{
	const cJSON *grp, *it;
	char err[4096], *file, *sub, *src;
	struct kc_tpl *tpl;
	size_t len;

	cJSON_ArrayForEach(grp, map)
	{
		cJSON_ArrayForEach(it, grp)
		{
			if (!cJSON_IsString(it))
				continue;
			sub = xasprintf("%s.%s.%s", path, grp->string, it->string);
			file = kc_config_resolve_path(k->c, it->valuestring, err, sizeof(err));
			if (file == NULL) {
				ts_msg(k, KC_DIAG_ERROR, it, sub, err);
			} else if (templates) {
				src = tpsl_read_text(file, &len, err, sizeof(err));
				tpl = src ? kc_tpl_parse(src, len, file, err, sizeof(err)) : NULL;
				if (tpl == NULL)
					ts_msg(k, KC_DIAG_ERROR, it, sub, err);
				kc_tpl_free(tpl);
				free(src);
			}
			free(file);
			free(sub);
		}
	}
}

int
kc_tools_check_config(const struct kc_config *c, struct kc_diag_list *d)
{
	const cJSON *root = kc_config_root(c);
	size_t before = d->nerrors;
	struct ts_check k = {c, NULL, d};
	cJSON *reg;

	reg = tpsl_registry_build(c, d);
	if (reg != NULL) {
		k.registry = reg;
		ts_check_tool_names(&k);
	}
	ts_check_files(&k, kc_cfg_get(root, "prompts.packs"), "prompts.packs", 0);
	if (kc_cfg_bool(root, "prompts.tool_prompt_synthesis.enabled", 0))
		ts_check_files(&k, kc_cfg_get(root, "prompts.tool_prompt_synthesis.dialects"),
		               "prompts.tool_prompt_synthesis.dialects", 1);
	cJSON_Delete(reg);
	return (int)(d->nerrors - before);
}
