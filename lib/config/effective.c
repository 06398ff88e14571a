/* The effective config (`config show --effective`): the merged document
 * plus the defaults kylecode applies when a key is absent, with every
 * file path the config holds resolved by the DESIGN §3 lookup, so a user
 * sees exactly what a run would use. The defaults table here is the one
 * docs/CONFIG.md lists; the modules that read these keys use the same
 * values. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/config/config_int.h"
#include "lib/core/xmalloc.h"

struct eff_default {
	const char *path; /* dotted; the last part is the key to add */
	const char *json; /* the default value as JSON */
};

static const struct eff_default eff_defaults[] = {
    {"profile.name", "\"default\""},
    {"prompts.tool_prompt_mode", "\"system_compiled_and_persistent_per_turn\""},
    {"prompts.injection.system_order", "[]"},
    {"prompts.injection.per_turn_order", "[]"},
    {"prompts.tool_prompt_synthesis.enabled", "false"},
    {"prompts.tool_prompt_synthesis.detail.system", "\"full\""},
    {"prompts.tool_prompt_synthesis.detail.per_turn", "\"short\""},
    {"tools.registry.paths", "[\"implementations/tools/defs\"]"},
    {"tools.registry.include", "[\"*\"]"},
    {"tools.aliases", "{}"},
    {"tools.overlays", "[]"},
    {"workspace.root", "\"./agent_ws\""},
    {"workspace.sandbox.driver", "\"jail\""},
    {"features", "{}"},
    {NULL, NULL}};

/* Walks to the parent of `path`, creating maps on the way; NULL when a
 * non-map is in the way (the user's value wins, validation reports it). */
static cJSON *
eff_parent(cJSON *root, const char *path, const char **leaf)
{
	char key[128];
	const char *p = path, *dot;
	cJSON *n = root, *next;
	size_t len;

	while ((dot = strchr(p, '.')) != NULL) {
		len = (size_t)(dot - p);
		if (len >= sizeof(key))
			return NULL;
		memcpy(key, p, len);
		key[len] = '\0';
		next = cJSON_GetObjectItemCaseSensitive(n, key);
		if (next == NULL)
			next = cJSON_AddObjectToObject(n, key);
		if (!cJSON_IsObject(next))
			return NULL;
		n = next;
		p = dot + 1;
	}
	*leaf = p;
	return n;
}

static void
eff_add_defaults(cJSON *root)
{
	const struct eff_default *d;
	const char *leaf;
	cJSON *parent;

	for (d = eff_defaults; d->path != NULL; d++) {
		parent = eff_parent(root, d->path, &leaf);
		if (parent != NULL && cJSON_GetObjectItemCaseSensitive(parent, leaf) == NULL)
			cJSON_AddItemToObject(parent, leaf, cJSON_Parse(d->json));
	}
}

struct eff {
	const struct kc_config *c;
	const struct kc_locmap *locs; /* of the copy */
	struct kc_diag_list *d;
};

/* Replaces a string node's value with its resolved path, or reports. */
static int
eff_resolve(const struct eff *e, cJSON *n, const char *what)
{
	char err[2048];
	struct kc_loc l;
	char *abs;

	if (!cJSON_IsString(n))
		return 0;
	abs = kc_config_resolve_path(e->c, n->valuestring, err, sizeof(err));
	if (abs == NULL) {
		if (kc_locmap_get(e->locs, n, &l) != 0) {
			l.file = kc_config_path(e->c);
			l.key_line = l.key_col = 1;
		}
		kc_diag_add(e->d, KC_DIAG_ERROR, "%s:%d:%d: %s: %s", l.file, l.key_line, l.key_col,
		            what, err);
		return -1;
	}
	cJSON_SetValuestring(n, abs);
	free(abs);
	return 0;
}

/* Every string value one or two levels under `n` (packs.*.*, dialects.*.*,
 * registry.paths[*]). */
static int
eff_resolve_all(const struct eff *e, cJSON *n, int depth, const char *what)
{
	cJSON *it;
	int rc = 0;

	cJSON_ArrayForEach(it, n)
	{
		if (depth > 1 && (cJSON_IsObject(it) || cJSON_IsArray(it)))
			rc |= eff_resolve_all(e, it, depth - 1, what);
		else
			rc |= eff_resolve(e, it, what);
	}
	return rc;
}

/* The workspace may not exist yet: it is made absolute against the
 * working directory (as the prototype did), not looked up. */
static void
eff_absolute_from_cwd(cJSON *n)
{
	char cwd[PATH_MAX], *abs;

	if (!cJSON_IsString(n) || n->valuestring[0] == '/' || getcwd(cwd, sizeof(cwd)) == NULL)
		return;
	abs =
	    xasprintf("%s/%s", cwd,
	              strncmp(n->valuestring, "./", 2) == 0 ? n->valuestring + 2 : n->valuestring);
	cJSON_SetValuestring(n, abs);
	free(abs);
}

cJSON *
kc_config_effective(const struct kc_config *c, struct kc_locmap *locs, struct kc_diag_list *d)
{
	struct kc_locmap *own = locs ? NULL : kc_locmap_new();
	cJSON *root = kc_json_dup_loc(kc_config_root(c), kc_config_locs(c), locs ? locs : own);
	struct eff e = {c, locs ? locs : own, d};
	int rc = 0;

	/* Resolve what the user wrote; defaults come after, as written (the
	 * modules that use them look them up when they need them). */
	rc |= eff_resolve_all(&e, (cJSON *)kc_cfg_get(root, "tools.registry.paths"), 1,
	                      "tools.registry.paths");
	rc |= eff_resolve_all(&e, (cJSON *)kc_cfg_get(root, "prompts.packs"), 2, "prompts.packs");
	rc |=
	    eff_resolve_all(&e, (cJSON *)kc_cfg_get(root, "prompts.tool_prompt_synthesis.dialects"),
	                    2, "prompts.tool_prompt_synthesis.dialects");
	rc |= eff_resolve(&e, (cJSON *)kc_cfg_get(root, "prompts.tool_prompt_synthesis.root"),
	                  "prompts.tool_prompt_synthesis.root");
	eff_add_defaults(root);
	eff_absolute_from_cwd((cJSON *)kc_cfg_get(root, "workspace.root"));
	eff_absolute_from_cwd((cJSON *)kc_cfg_get(root, "workspace.mirror.path"));
	kc_locmap_free(own);
	if (rc != 0) {
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}
