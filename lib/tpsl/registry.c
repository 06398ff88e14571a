/* The tool registry: the YAML tool definitions a config names, read the
 * prototype's way (tool_yaml_loader.load_yaml_tools: each directory's
 * *.yaml / *.yml in name order; id, name, description and parameters
 * required; overlays rename / replace descriptions / promote a syntax
 * style / change provider preferences, keyed by the original name), then
 * filtered by tools.registry.include (fnmatch globs on the name, or an
 * alias of it), and normalized into the shape the templates see
 * (tool_prompt_synth._normalize_tools). */
#include <dirent.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/config/config.h"
#include "lib/core/strbuf.h"
#include "lib/core/xmalloc.h"
#include "lib/tpsl/tpsl_int.h"

#define TPSL_DEFAULT_DEFS "implementations/tools/defs"

static char *
reg_where(const struct kc_locmap *locs, const cJSON *n, const char *file)
{
	struct kc_loc l;

	if (kc_locmap_get(locs, n, &l) == 0)
		return xasprintf("%s:%d:%d", l.file, l.key_line, l.key_col);
	return xasprintf("%s:1:1", file);
}

static cJSON *
reg_dup_or_null(const cJSON *n)
{
	return n != NULL ? cJSON_Duplicate(n, 1) : cJSON_CreateNull();
}

/* parameters[] as the templates see them: name, type, default, required,
 * description (absent -> null, required -> bool). */
static cJSON *
reg_params(const cJSON *params)
{
	cJSON *out = cJSON_CreateArray(), *o;
	const cJSON *p, *req;

	cJSON_ArrayForEach(p, params)
	{
		o = cJSON_CreateObject();
		cJSON_AddItemToObject(o, "name",
		                      reg_dup_or_null(cJSON_GetObjectItemCaseSensitive(p, "name")));
		cJSON_AddItemToObject(o, "type",
		                      reg_dup_or_null(cJSON_GetObjectItemCaseSensitive(p, "type")));
		cJSON_AddItemToObject(
		    o, "default", reg_dup_or_null(cJSON_GetObjectItemCaseSensitive(p, "default")));
		req = cJSON_GetObjectItemCaseSensitive(p, "required");
		cJSON_AddBoolToObject(o, "required", tpsl_truthy(req));
		cJSON_AddItemToObject(
		    o, "description",
		    reg_dup_or_null(cJSON_GetObjectItemCaseSensitive(p, "description")));
		cJSON_AddItemToArray(out, o);
	}
	return out;
}

static cJSON *
reg_normalize(const cJSON *def, const char *source)
{
	const cJSON *exec = cJSON_GetObjectItemCaseSensitive(def, "execution");
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(def, "name");
	const cJSON *disp = cJSON_GetObjectItemCaseSensitive(def, "display_name");
	cJSON *t = cJSON_CreateObject();

	cJSON_AddItemToObject(t, "name", cJSON_Duplicate(name, 1));
	cJSON_AddItemToObject(t, "id",
	                      reg_dup_or_null(cJSON_GetObjectItemCaseSensitive(def, "id")));
	/* The prototype's compiler passed display_name = name to templates. */
	cJSON_AddItemToObject(t, "display_name",
	                      cJSON_Duplicate(tpsl_truthy(disp) ? disp : name, 1));
	cJSON_AddItemToObject(
	    t, "description",
	    reg_dup_or_null(cJSON_GetObjectItemCaseSensitive(def, "description")));
	cJSON_AddItemToObject(t, "type_id",
	                      reg_dup_or_null(cJSON_GetObjectItemCaseSensitive(def, "type_id")));
	cJSON_AddBoolToObject(t, "blocking",
	                      tpsl_truthy(cJSON_GetObjectItemCaseSensitive(exec, "blocking")));
	cJSON_AddItemToObject(
	    t, "max_per_turn",
	    reg_dup_or_null(cJSON_GetObjectItemCaseSensitive(exec, "max_per_turn")));
	cJSON_AddItemToObject(t, "parameters",
	                      reg_params(cJSON_GetObjectItemCaseSensitive(def, "parameters")));
	cJSON_AddItemToObject(
	    t, "return_type",
	    reg_dup_or_null(cJSON_GetObjectItemCaseSensitive(def, "return_type")));
	cJSON_AddItemToObject(
	    t, "syntax_style",
	    reg_dup_or_null(cJSON_GetObjectItemCaseSensitive(def, "syntax_style")));
	cJSON_AddItemToObject(
	    t, "manipulations",
	    reg_dup_or_null(cJSON_GetObjectItemCaseSensitive(def, "manipulations")));
	cJSON_AddItemToObject(
	    t, "syntax_formats_supported",
	    reg_dup_or_null(cJSON_GetObjectItemCaseSensitive(def, "syntax_formats_supported")));
	cJSON_AddItemToObject(
	    t, "preferred_formats",
	    reg_dup_or_null(cJSON_GetObjectItemCaseSensitive(def, "preferred_formats")));
	cJSON_AddItemToObject(
	    t, "provider_routing",
	    reg_dup_or_null(cJSON_GetObjectItemCaseSensitive(def, "provider_routing")));
	cJSON_AddStringToObject(t, "source", source);
	return t;
}

/* The checks load_yaml_tools made, plus the types we rely on. */
static int
reg_check_def(const cJSON *def, const struct kc_locmap *locs, const char *file,
              struct kc_diag_list *d)
{
	static const char *const required[] = {"id", "name", "description", "parameters", NULL};
	const cJSON *params, *p;
	char *where;
	size_t i;

	if (!cJSON_IsObject(def)) {
		kc_diag_add(d, KC_DIAG_ERROR, "%s:1:1: a tool definition must be a mapping", file);
		return -1;
	}
	for (i = 0; required[i] != NULL; i++) {
		if (cJSON_GetObjectItemCaseSensitive(def, required[i]) != NULL)
			continue;
		where = reg_where(locs, def, file);
		kc_diag_add(d, KC_DIAG_ERROR, "%s: %s: missing (required in a tool definition)",
		            where, required[i]);
		free(where);
		return -1;
	}
	if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(def, "name"))) {
		where = reg_where(locs, cJSON_GetObjectItemCaseSensitive(def, "name"), file);
		kc_diag_add(d, KC_DIAG_ERROR, "%s: name: expected a string", where);
		free(where);
		return -1;
	}
	params = cJSON_GetObjectItemCaseSensitive(def, "parameters");
	if (!cJSON_IsArray(params) && !cJSON_IsNull(params))
		goto bad_params;
	cJSON_ArrayForEach(p, params)
	{
		if (!cJSON_IsObject(p) ||
		    !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(p, "name"))) {
			params = p;
			goto bad_params;
		}
	}
	return 0;
bad_params:
	where = reg_where(locs, params, file);
	kc_diag_add(d, KC_DIAG_ERROR,
	            "%s: parameters: expected a list of mappings, each with a name", where);
	free(where);
	return -1;
}

static int
reg_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
reg_is_def_file(const char *n)
{
	size_t len = strlen(n);

	return (len > 5 && strcmp(n + len - 5, ".yaml") == 0) ||
	       (len > 4 && strcmp(n + len - 4, ".yml") == 0);
}

/* The definition files of a directory, sorted by name (as Python's
 * sorted(os.listdir())). */
static char **
reg_list_dir(const char *dir, size_t *n, struct kc_diag_list *d)
{
	char **names = NULL;
	struct dirent *de;
	DIR *dp;

	*n = 0;
	dp = opendir(dir);
	if (dp == NULL) {
		kc_diag_add(d, KC_DIAG_ERROR, "%s: cannot read the tool directory", dir);
		return NULL;
	}
	while ((de = readdir(dp)) != NULL) {
		if (!reg_is_def_file(de->d_name))
			continue;
		names = xreallocarray(names, *n + 1, sizeof(*names));
		names[(*n)++] = xstrdup(de->d_name);
	}
	closedir(dp);
	if (*n > 0)
		qsort(names, *n, sizeof(*names), reg_name_cmp);
	return names;
}

/* The registry directories: tools.registry.paths, else the legacy
 * tools.defs_dir, else the prototype's default. */
static cJSON *
reg_paths(const cJSON *root)
{
	const cJSON *paths = kc_cfg_get(root, "tools.registry.paths");
	const char *defs_dir = kc_cfg_str(root, "tools.defs_dir", NULL);
	cJSON *out;

	if (cJSON_IsArray(paths))
		return cJSON_Duplicate(paths, 1);
	out = cJSON_CreateArray();
	cJSON_AddItemToArray(out, cJSON_CreateString(defs_dir ? defs_dir : TPSL_DEFAULT_DEFS));
	return out;
}

const char *
tpsl_alias_target(const cJSON *aliases, const char *name)
{
	const cJSON *t;

	if (!cJSON_IsObject(aliases))
		return NULL;
	t = cJSON_GetObjectItemCaseSensitive(aliases, name);
	return cJSON_IsString(t) ? t->valuestring : NULL;
}

int
tpsl_truthy(const cJSON *n)
{
	if (n == NULL || cJSON_IsNull(n) || cJSON_IsFalse(n))
		return 0;
	if (cJSON_IsNumber(n))
		return n->valuedouble != 0;
	if (cJSON_IsString(n))
		return n->valuestring[0] != '\0';
	if (cJSON_IsArray(n) || cJSON_IsObject(n))
		return n->child != NULL;
	return 1;
}

void
tpsl_diag_first_error(const struct kc_diag_list *d, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		if (d->items[i].sev == KC_DIAG_ERROR) {
			snprintf(err, errlen, "%s", d->items[i].msg);
			return;
		}
	}
	snprintf(err, errlen, d->nerrors ? "too many errors" : "unknown error");
}

/* overlays[].<section>[orig] (the last overlay that names it wins). */
static const cJSON *
reg_overlay(const cJSON *overlays, const char *section, const char *orig)
{
	const cJSON *ov, *v, *found = NULL;

	cJSON_ArrayForEach(ov, overlays)
	{
		v = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(ov, section),
		                                     orig);
		if (tpsl_truthy(v))
			found = v;
	}
	return found;
}

static void
reg_set(cJSON *obj, const char *key, cJSON *val)
{
	if (cJSON_GetObjectItemCaseSensitive(obj, key) != NULL)
		cJSON_ReplaceItemInObjectCaseSensitive(obj, key, val);
	else
		cJSON_AddItemToObject(obj, key, val);
}

/* syntax_style overlay: the style becomes the first preferred format and
 * a supported one. */
static void
reg_overlay_style(cJSON *def, const char *style)
{
	cJSON *prefs = cJSON_CreateArray(), *sup, *it;

	reg_set(def, "syntax_style", cJSON_CreateString(style));
	cJSON_AddItemToArray(prefs, cJSON_CreateString(style));
	cJSON_ArrayForEach(it,
	                   cJSON_GetObjectItemCaseSensitive(
	                       def, "preferred_formats")) if (!cJSON_IsString(it) ||
	                                                      strcmp(it->valuestring, style) != 0)
	    cJSON_AddItemToArray(prefs, cJSON_Duplicate(it, 1));
	reg_set(def, "preferred_formats", prefs);
	sup = cJSON_GetObjectItemCaseSensitive(def, "syntax_formats_supported");
	if (!cJSON_IsArray(sup)) {
		sup = cJSON_CreateArray();
		reg_set(def, "syntax_formats_supported", sup);
	}
	cJSON_ArrayForEach(it, sup) if (cJSON_IsString(it) &&
	                                strcmp(it->valuestring, style) == 0) return;
	cJSON_AddItemToArray(sup, cJSON_CreateString(style));
}

/* provider_preference overlay: {provider: {native_primary, fallbacks}}. */
static void
reg_overlay_providers(cJSON *def, const cJSON *by_provider)
{
	cJSON *routing = cJSON_GetObjectItemCaseSensitive(def, "provider_routing"), *ps;
	const cJSON *prov, *v;

	if (!cJSON_IsObject(routing)) {
		routing = cJSON_CreateObject();
		reg_set(def, "provider_routing", routing);
	}
	cJSON_ArrayForEach(prov, by_provider)
	{
		if (!cJSON_IsObject(prov))
			continue;
		ps = cJSON_GetObjectItemCaseSensitive(routing, prov->string);
		if (!cJSON_IsObject(ps)) {
			ps = cJSON_CreateObject();
			reg_set(routing, prov->string, ps);
		}
		if ((v = cJSON_GetObjectItemCaseSensitive(prov, "native_primary")) != NULL)
			reg_set(ps, "native_primary", cJSON_CreateBool(tpsl_truthy(v)));
		if (cJSON_IsArray(v = cJSON_GetObjectItemCaseSensitive(prov, "fallbacks")))
			reg_set(ps, "fallback_formats", cJSON_Duplicate(v, 1));
	}
}

static void
reg_apply_overlays(cJSON *def, const cJSON *overlays)
{
	const char *orig = cJSON_GetObjectItemCaseSensitive(def, "name")->valuestring;
	char *o = xstrdup(orig);
	const cJSON *v;

	if (cJSON_IsString(v = reg_overlay(overlays, "descriptions", o)))
		reg_set(def, "description", cJSON_CreateString(v->valuestring));
	if (cJSON_IsString(v = reg_overlay(overlays, "syntax_style", o)))
		reg_overlay_style(def, v->valuestring);
	if (cJSON_IsObject(v = reg_overlay(overlays, "provider_preference", o)))
		reg_overlay_providers(def, v);
	if (cJSON_IsString(v = reg_overlay(overlays, "rename", o)))
		reg_set(def, "name", cJSON_CreateString(v->valuestring));
	free(o);
}

static int
reg_has_name(const cJSON *reg, const char *name)
{
	const cJSON *t;

	cJSON_ArrayForEach(t, reg) if (strcmp(kc_cfg_str(t, "name", ""), name) == 0) return 1;
	return 0;
}

/* One directory's definitions, appended to reg. */
static int
reg_load_dir(const char *dir, const cJSON *overlays, cJSON *reg, struct kc_diag_list *d)
{
	struct kc_locmap *locs = kc_locmap_new();
	char **names, *path;
	size_t n, i;
	cJSON *def;
	int rc = 0;

	names = reg_list_dir(dir, &n, d);
	if (names == NULL && d->nerrors > 0)
		rc = -1;
	for (i = 0; i < n; i++) {
		path = xasprintf("%s/%s", dir, names[i]);
		def = kc_yaml_parse_file(path, locs, d);
		if (def == NULL || reg_check_def(def, locs, path, d) != 0) {
			rc = -1;
		} else {
			reg_apply_overlays(def, overlays);
			if (reg_has_name(reg, kc_cfg_str(def, "name", "")))
				kc_diag_add(d, KC_DIAG_WARN,
				            "%s:1:1: tool '%s' is already defined by an earlier "
				            "registry path; this definition is ignored",
				            path, kc_cfg_str(def, "name", ""));
			else
				cJSON_AddItemToArray(reg, reg_normalize(def, path));
		}
		cJSON_Delete(def);
		free(path);
		free(names[i]);
	}
	free(names);
	kc_locmap_free(locs);
	return rc;
}

/* tools.registry.include: fnmatch globs on the name, or an alias of it;
 * absent = everything. */
static int
reg_included(const cJSON *root, const cJSON *include, const char *name)
{
	const cJSON *pat, *aliases = kc_cfg_get(root, "tools.aliases");
	const char *target;

	if (!cJSON_IsArray(include))
		return 1;
	cJSON_ArrayForEach(pat, include)
	{
		if (!cJSON_IsString(pat))
			continue;
		if (fnmatch(pat->valuestring, name, 0) == 0)
			return 1;
		target = tpsl_alias_target(aliases, pat->valuestring);
		if (target != NULL && strcmp(target, name) == 0)
			return 1;
	}
	return 0;
}

cJSON *
tpsl_registry_build(const struct kc_config *c, struct kc_diag_list *d)
{
	const cJSON *root = kc_config_root(c);
	const cJSON *overlays = kc_cfg_get(root, "tools.overlays");
	const cJSON *include = kc_cfg_get(root, "tools.registry.include");
	cJSON *paths = reg_paths(root), *all = cJSON_CreateArray(), *out, *t, *p;
	char err[4096], where[4200], *dir;
	int rc = 0;

	cJSON_ArrayForEach(p, paths)
	{
		if (!cJSON_IsString(p))
			continue;
		dir = kc_config_resolve_path(c, p->valuestring, err, sizeof(err));
		if (dir == NULL) {
			kc_config_where_str(c, kc_cfg_get(root, "tools.registry.paths"), where,
			                    sizeof(where));
			kc_diag_add(d, KC_DIAG_ERROR, "%s: tools.registry.paths: %s", where, err);
			rc = -1;
			continue;
		}
		if (reg_load_dir(dir, overlays, all, d) != 0)
			rc = -1;
		free(dir);
	}
	cJSON_Delete(paths);
	if (rc != 0) {
		cJSON_Delete(all);
		return NULL;
	}
	out = cJSON_CreateArray();
	while ((t = all->child) != NULL) {
		cJSON_DetachItemViaPointer(all, t);
		if (reg_included(root, include, kc_cfg_str(t, "name", "")))
			cJSON_AddItemToArray(out, t);
		else
			cJSON_Delete(t);
	}
	cJSON_Delete(all);
	return out;
}

cJSON *
kc_tools_load(const struct kc_config *c, char *err, size_t errlen)
{
	struct kc_diag_list d = {0};
	cJSON *reg = tpsl_registry_build(c, &d);

	if (reg == NULL)
		tpsl_diag_first_error(&d, err, errlen);
	kc_diag_list_free(&d);
	return reg;
}

static const cJSON *
reg_find(const cJSON *registry, const char *name)
{
	const cJSON *t;

	cJSON_ArrayForEach(t, registry) if (strcmp(kc_cfg_str(t, "name", ""), name) == 0) return t;
	return NULL;
}

const char *
kc_tools_resolve_alias(const struct kc_config *c, const cJSON *registry, const char *name)
{
	const cJSON *t = reg_find(registry, name);
	const char *target;

	if (t != NULL)
		return kc_cfg_str(t, "name", NULL);
	target = tpsl_alias_target(kc_cfg_get(kc_config_root(c), "tools.aliases"), name);
	if (target == NULL)
		return NULL;
	t = reg_find(registry, target);
	return t ? kc_cfg_str(t, "name", NULL) : NULL;
}
