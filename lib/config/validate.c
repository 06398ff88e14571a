/* Schema v2 validation of the merged tree. The schema is a table (what
 * each known key may hold), walked once; then a few cross-checks no table
 * says (version, the default model is listed, modes the loop names exist,
 * dialects TPSL selects are defined). Errors and warnings read
 * "file:line:col: key.path: what is wrong" and point at the key.
 *
 * Unknown keys are warnings, not errors: the prototype ignored them, and
 * its configs carry sections kylecode does not use (hpo, telemetry ...),
 * but a misspelt key silently doing nothing is what the warning is for. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/config/config_int.h"
#include "lib/core/strbuf.h"
#include "lib/core/xmalloc.h"

/* Room for "file:line:col" with a long path. */
#define PATH_MAX_WHERE 4200

#define T_MAP 0x01u
#define T_LIST 0x02u
#define T_STR 0x04u
#define T_INT 0x08u
#define T_FLOAT 0x10u
#define T_BOOL 0x20u
#define T_NULL 0x40u
#define T_NUM (T_INT | T_FLOAT)
#define T_ANY 0x7Fu

#define F_REQ 0x01u      /* must be present */
#define F_OPEN 0x02u     /* a map whose keys are not checked */
#define F_DICT 0x04u     /* a map of user-chosen keys, each value is *sub */
#define F_NONEMPTY 0x08u /* a list or map that must not be empty */

struct sk {
	const char *key;
	unsigned types;
	unsigned flags;
	const struct sk
	    *sub; /* T_MAP: member table (NULL-key terminated) or, with F_DICT, the value */
	const struct sk *item; /* T_LIST: the item */
	const char *const *enums;
};

struct vctx {
	const struct kc_config *c;
	struct kc_diag_list *d;
};

static const struct sk sk_str = {NULL, T_STR, 0, NULL, NULL, NULL};
static const struct sk sk_str_or_null = {NULL, T_STR | T_NULL, 0, NULL, NULL, NULL};

static const char *const en_driver[] = {"process", "jail", "runsc", "docker", NULL};
static const char *const en_tpm[] = {"system_once", "per_turn_append",
                                     "system_compiled_and_persistent_per_turn", "none", NULL};
static const char *const en_detail_sys[] = {"full",          "medium",       "short", "system_full",
                                            "system_medium", "system_short", NULL};
static const char *const en_detail_pt[] = {
    "short", "medium", "long", "per_turn_short", "per_turn_medium", "per_turn_long", NULL};

static const struct sk sk_profile[] = {{"name", T_STR, 0, NULL, NULL, NULL},
                                       {"description", T_STR, 0, NULL, NULL, NULL},
                                       {"seed", T_INT, 0, NULL, NULL, NULL},
                                       {NULL, 0, 0, NULL, NULL, NULL}};

static const struct sk sk_routing[] = {
    {"disable_native_tools_on_probe_failure", T_BOOL, 0, NULL, NULL, NULL},
    {"disable_stream_on_probe_failure", T_BOOL, 0, NULL, NULL, NULL},
    {"fallback_models", T_LIST, 0, NULL, &sk_str, NULL},
    {NULL, 0, 0, NULL, NULL, NULL}};

static const struct sk sk_model_fields[] = {{"id", T_STR, F_REQ, NULL, NULL, NULL},
                                            {"adapter", T_STR, F_REQ, NULL, NULL, NULL},
                                            {"params", T_MAP, F_OPEN, NULL, NULL, NULL},
                                            {"routing", T_MAP, 0, sk_routing, NULL, NULL},
                                            {"base_url", T_STR, 0, NULL, NULL, NULL},
                                            {"api_key_env", T_STR, 0, NULL, NULL, NULL},
                                            {NULL, 0, 0, NULL, NULL, NULL}};
static const struct sk sk_model = {NULL, T_MAP, 0, sk_model_fields, NULL, NULL};

static const struct sk sk_providers[] = {
    {"default_model", T_STR, F_REQ, NULL, NULL, NULL},
    {"models", T_LIST, F_REQ | F_NONEMPTY, NULL, &sk_model, NULL},
    {NULL, 0, 0, NULL, NULL, NULL}};

static const struct sk sk_pack = {NULL, T_MAP, F_DICT, &sk_str_or_null, NULL, NULL};
static const struct sk sk_injection[] = {{"system_order", T_LIST, 0, NULL, &sk_str, NULL},
                                         {"per_turn_order", T_LIST, 0, NULL, &sk_str, NULL},
                                         {NULL, 0, 0, NULL, NULL, NULL}};

static const struct sk sk_dialect_tpl[] = {{"system_full", T_STR, 0, NULL, NULL, NULL},
                                           {"system_medium", T_STR, 0, NULL, NULL, NULL},
                                           {"system_short", T_STR, 0, NULL, NULL, NULL},
                                           {"per_turn_short", T_STR, 0, NULL, NULL, NULL},
                                           {"per_turn_medium", T_STR, 0, NULL, NULL, NULL},
                                           {"per_turn_long", T_STR, 0, NULL, NULL, NULL},
                                           {NULL, 0, 0, NULL, NULL, NULL}};
static const struct sk sk_dialect = {NULL, T_MAP, 0, sk_dialect_tpl, NULL, NULL};
static const struct sk sk_tpsl_selection[] = {{"by_model", T_MAP, F_DICT, &sk_str, NULL, NULL},
                                              {"by_mode", T_MAP, F_DICT, &sk_str, NULL, NULL},
                                              {"by_tool_kind", T_MAP, F_DICT, &sk_str, NULL, NULL},
                                              {NULL, 0, 0, NULL, NULL, NULL}};
static const struct sk sk_tpsl_detail[] = {{"system", T_STR, 0, NULL, NULL, en_detail_sys},
                                           {"per_turn", T_STR, 0, NULL, NULL, en_detail_pt},
                                           {NULL, 0, 0, NULL, NULL, NULL}};
static const struct sk sk_tpsl[] = {{"enabled", T_BOOL, 0, NULL, NULL, NULL},
                                    {"root", T_STR, 0, NULL, NULL, NULL},
                                    {"dialects", T_MAP, F_DICT, &sk_dialect, NULL, NULL},
                                    {"selection", T_MAP, 0, sk_tpsl_selection, NULL, NULL},
                                    {"detail", T_MAP, 0, sk_tpsl_detail, NULL, NULL},
                                    {NULL, 0, 0, NULL, NULL, NULL}};
static const struct sk sk_prompt_cache[] = {{"enabled", T_BOOL, 0, NULL, NULL, NULL},
                                            {"key", T_STR, 0, NULL, NULL, NULL},
                                            {NULL, 0, 0, NULL, NULL, NULL}};
static const struct sk sk_prompts[] = {{"packs", T_MAP, F_DICT, &sk_pack, NULL, NULL},
                                       {"injection", T_MAP, 0, sk_injection, NULL, NULL},
                                       {"tool_prompt_synthesis", T_MAP, 0, sk_tpsl, NULL, NULL},
                                       {"tool_prompt_mode", T_STR, 0, NULL, NULL, en_tpm},
                                       {"cache", T_MAP, 0, sk_prompt_cache, NULL, NULL},
                                       {"evolution", T_MAP, F_OPEN, NULL, NULL, NULL},
                                       {NULL, 0, 0, NULL, NULL, NULL}};

static const struct sk sk_registry[] = {{"paths", T_LIST, 0, NULL, &sk_str, NULL},
                                        {"include", T_LIST, 0, NULL, &sk_str, NULL},
                                        {NULL, 0, 0, NULL, NULL, NULL}};
static const struct sk sk_overlay[] = {{"rename", T_MAP, F_DICT, &sk_str, NULL, NULL},
                                       {"descriptions", T_MAP, F_DICT, &sk_str, NULL, NULL},
                                       {"syntax_style", T_MAP, F_DICT, &sk_str, NULL, NULL},
                                       {"provider_preference", T_MAP, F_OPEN, NULL, NULL, NULL},
                                       {NULL, 0, 0, NULL, NULL, NULL}};
static const struct sk sk_overlay_item = {NULL, T_MAP, 0, sk_overlay, NULL, NULL};
static const struct sk sk_tools[] = {{"registry", T_MAP, 0, sk_registry, NULL, NULL},
                                     {"aliases", T_MAP, F_DICT, &sk_str, NULL, NULL},
                                     {"overlays", T_LIST, 0, NULL, &sk_overlay_item, NULL},
                                     {"dialects", T_MAP, F_OPEN, NULL, NULL, NULL},
                                     {"defs_dir", T_STR, 0, NULL, NULL, NULL},
                                     {NULL, 0, 0, NULL, NULL, NULL}};

static const struct sk sk_mode_fields[] = {{"name", T_STR, F_REQ, NULL, NULL, NULL},
                                           {"prompt", T_STR | T_NULL, 0, NULL, NULL, NULL},
                                           {"tools_enabled", T_LIST, 0, NULL, &sk_str, NULL},
                                           {"tools_disabled", T_LIST, 0, NULL, &sk_str, NULL},
                                           {"triggers", T_MAP, F_OPEN, NULL, NULL, NULL},
                                           {NULL, 0, 0, NULL, NULL, NULL}};
static const struct sk sk_mode = {NULL, T_MAP, 0, sk_mode_fields, NULL, NULL};

static const struct sk sk_loop_step = {NULL, T_MAP, F_OPEN, NULL, NULL, NULL};
static const struct sk sk_loop[] = {
    {"sequence", T_LIST, F_REQ | F_NONEMPTY, NULL, &sk_loop_step, NULL},
    {"turn_strategy", T_MAP, F_OPEN, NULL, NULL, NULL},
    {"plan_turn_limit", T_INT, 0, NULL, NULL, NULL},
    {"max_steps", T_INT, 0, NULL, NULL, NULL},
    {NULL, 0, 0, NULL, NULL, NULL}};

static const struct sk sk_group_fields[] = {{"name", T_STR, 0, NULL, NULL, NULL},
                                            {"match_tools", T_LIST, 0, NULL, &sk_str, NULL},
                                            {"max_parallel", T_INT, 0, NULL, NULL, NULL},
                                            {"barrier_after", T_STR, 0, NULL, NULL, NULL},
                                            {NULL, 0, 0, NULL, NULL, NULL}};
static const struct sk sk_group = {NULL, T_MAP, 0, sk_group_fields, NULL, NULL};
static const struct sk sk_concurrency[] = {{"at_most_one_of", T_LIST, 0, NULL, &sk_str, NULL},
                                           {"groups", T_LIST, 0, NULL, &sk_group, NULL},
                                           {"nonblocking_tools", T_LIST, 0, NULL, &sk_str, NULL},
                                           {NULL, 0, 0, NULL, NULL, NULL}};

static const struct sk sk_completion[] = {{"primary", T_STR, 0, NULL, NULL, NULL},
                                          {"confidence_threshold", T_NUM, 0, NULL, NULL, NULL},
                                          {"natural_finish", T_MAP, F_OPEN, NULL, NULL, NULL},
                                          {"provider_signals", T_BOOL, 0, NULL, NULL, NULL},
                                          {"text_sentinels", T_LIST, 0, NULL, &sk_str, NULL},
                                          {"tool_finish", T_STR, 0, NULL, NULL, NULL},
                                          {NULL, 0, 0, NULL, NULL, NULL}};

static const struct sk sk_sandbox[] = {{"driver", T_STR, 0, NULL, NULL, en_driver},
                                       {"image", T_STR, 0, NULL, NULL, NULL},
                                       {"network", T_STR, 0, NULL, NULL, NULL},
                                       {"runtime", T_STR, 0, NULL, NULL, NULL},
                                       {"resources", T_MAP, F_OPEN, NULL, NULL, NULL},
                                       {"allow_git_writes", T_BOOL, 0, NULL, NULL, NULL},
                                       /* the run loop's spelling too (supervisor/run_sandbox) */
                                       {"git_writable", T_BOOL, 0, NULL, NULL, NULL},
                                       {"env_allow", T_LIST, 0, NULL, &sk_str, NULL},
                                       {NULL, 0, 0, NULL, NULL, NULL}};
static const struct sk sk_mirror[] = {{"enabled", T_BOOL, 0, NULL, NULL, NULL},
                                      {"path", T_STR, 0, NULL, NULL, NULL},
                                      {"mode", T_STR, 0, NULL, NULL, NULL},
                                      {NULL, 0, 0, NULL, NULL, NULL}};
static const struct sk sk_lsp[] = {{"enabled", T_BOOL, 0, NULL, NULL, NULL},
                                   {"diagnostics_on_write", T_BOOL, 0, NULL, NULL, NULL},
                                   {"servers", T_LIST, 0, NULL, &sk_str, NULL},
                                   {NULL, 0, 0, NULL, NULL, NULL}};
static const struct sk sk_workspace[] = {{"root", T_STR, 0, NULL, NULL, NULL},
                                         {"sandbox", T_MAP, 0, sk_sandbox, NULL, NULL},
                                         {"mirror", T_MAP, 0, sk_mirror, NULL, NULL},
                                         {"lsp", T_MAP, 0, sk_lsp, NULL, NULL},
                                         {NULL, 0, 0, NULL, NULL, NULL}};

static const struct sk sk_top[] = {{"version", T_NUM, F_REQ, NULL, NULL,
                                    NULL}, /* int(version) == 2 in the prototype: 2.0 passes */
                                   {"extends", T_STR | T_LIST | T_NULL, 0, NULL, &sk_str, NULL},
                                   {"profile", T_MAP, 0, sk_profile, NULL, NULL},
                                   {"providers", T_MAP, F_REQ, sk_providers, NULL, NULL},
                                   {"prompts", T_MAP, 0, sk_prompts, NULL, NULL},
                                   {"tools", T_MAP, 0, sk_tools, NULL, NULL},
                                   {"modes", T_LIST, F_REQ | F_NONEMPTY, NULL, &sk_mode, NULL},
                                   {"loop", T_MAP, F_REQ, sk_loop, NULL, NULL},
                                   {"concurrency", T_MAP, 0, sk_concurrency, NULL, NULL},
                                   {"completion", T_MAP, 0, sk_completion, NULL, NULL},
                                   {"workspace", T_MAP, F_REQ, sk_workspace, NULL, NULL},
                                   {"telemetry", T_MAP, F_OPEN, NULL, NULL, NULL},
                                   {"logging", T_MAP, F_OPEN, NULL, NULL, NULL},
                                   {"features", T_MAP, F_OPEN, NULL, NULL, NULL},
                                   {"hpo", T_MAP, F_OPEN, NULL, NULL, NULL},
                                   {"rl_and_evolution", T_MAP, F_OPEN, NULL, NULL, NULL},
                                   {"turn_strategy", T_MAP, F_OPEN, NULL, NULL, NULL},
                                   {"provider_tools", T_MAP, F_OPEN, NULL, NULL, NULL},
                                   {NULL, 0, 0, NULL, NULL, NULL}};

static void v_node(struct vctx *v, const cJSON *n, const struct sk *s, const char *path);

static void
v_msg(struct vctx *v, enum kc_diag_sev sev, const cJSON *n, const char *path, const char *fmt,
      const char *arg)
{
	char where[PATH_MAX_WHERE];

	kc_config_where_str(v->c, n, where, sizeof(where));
	kc_diag_add(v->d, sev, "%s: %s: %s%s", where, path[0] ? path : "(top level)", fmt,
	            arg ? arg : "");
}

static unsigned
v_type_of(const struct vctx *v, const cJSON *n)
{
	if (cJSON_IsObject(n))
		return T_MAP;
	if (cJSON_IsArray(n))
		return T_LIST;
	if (cJSON_IsString(n))
		return T_STR;
	if (cJSON_IsBool(n))
		return T_BOOL;
	if (cJSON_IsNull(n))
		return T_NULL;
	if (cJSON_IsNumber(n))
		/* written as a float (1.0), or not integral, or inf/nan */
		return kc_locmap_is_float(kc_config_locs(v->c), n) || !isfinite(n->valuedouble) ||
		               n->valuedouble != floor(n->valuedouble)
		           ? T_FLOAT
		           : T_INT;
	return 0;
}

static const char *
v_type_name(unsigned t)
{
	switch (t) {
	case T_MAP:
		return "a mapping";
	case T_LIST:
		return "a list";
	case T_STR:
		return "a string";
	case T_INT:
		return "an integer";
	case T_FLOAT:
		return "a number";
	case T_BOOL:
		return "a boolean (true/false)";
	case T_NULL:
		return "null";
	default:
		return "a value";
	}
}

/* "expected a list or a string, got a mapping" */
static void
v_type_error(struct vctx *v, const cJSON *n, unsigned want, const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	unsigned bit, first = 1;

	if ((want & T_NUM) == T_NUM)
		want &= ~T_INT;
	strbuf_adds(&sb, "expected ");
	for (bit = 1; bit <= T_NULL; bit <<= 1) {
		if (!(want & bit))
			continue;
		strbuf_addf(&sb, "%s%s", first ? "" : " or ", v_type_name(bit));
		first = 0;
	}
	strbuf_addf(&sb, ", got %s", v_type_name(v_type_of(v, n)));
	v_msg(v, KC_DIAG_ERROR, n, path, strbuf_str(&sb), NULL);
	strbuf_free(&sb);
}

static char *
v_path_join(const char *path, const char *key)
{
	return path[0] ? xasprintf("%s.%s", path, key) : xstrdup(key);
}

static void
v_map(struct vctx *v, const cJSON *n, const struct sk *s, const char *path)
{
	const cJSON *it;
	const struct sk *f;
	char *sub;

	for (it = n->child; it != NULL; it = it->next) {
		sub = v_path_join(path, it->string);
		if (s->flags & F_DICT) {
			v_node(v, it, s->sub, sub);
		} else {
			for (f = s->sub; f->key != NULL && strcmp(f->key, it->string) != 0; f++)
				;
			if (f->key != NULL)
				v_node(v, it, f, sub);
			else
				v_msg(v, KC_DIAG_WARN, it, sub, "unknown key (ignored)", NULL);
		}
		free(sub);
	}
	if (s->flags & F_DICT)
		return;
	for (f = s->sub; f->key != NULL; f++) {
		if (!(f->flags & F_REQ) || cJSON_GetObjectItemCaseSensitive(n, f->key) != NULL)
			continue;
		sub = v_path_join(path, f->key);
		v_msg(v, KC_DIAG_ERROR, n, sub, "missing (required)", NULL);
		free(sub);
	}
}

static void
v_node(struct vctx *v, const cJSON *n, const struct sk *s, const char *path)
{
	unsigned t = v_type_of(v, n), want = s->types;
	const char *const *e;
	const cJSON *it;
	char *sub;
	int i = 0;

	if (want & T_FLOAT)
		want |= T_INT; /* an integer is a number */
	if (!(t & want)) {
		v_type_error(v, n, s->types, path);
		return;
	}
	if ((s->flags & F_NONEMPTY) && (t & (T_MAP | T_LIST)) && n->child == NULL)
		v_msg(v, KC_DIAG_ERROR, n, path, "must not be empty", NULL);
	if (t == T_MAP && !(s->flags & F_OPEN) && s->sub != NULL)
		v_map(v, n, s, path);
	if (t == T_LIST && s->item != NULL) {
		for (it = n->child; it != NULL; it = it->next, i++) {
			sub = xasprintf("%s[%d]", path, i);
			v_node(v, it, s->item, sub);
			free(sub);
		}
	}
	if (t == T_STR && s->enums != NULL) {
		for (e = s->enums; *e != NULL && strcmp(*e, n->valuestring) != 0; e++)
			;
		if (*e == NULL) {
			struct strbuf sb = STRBUF_INIT;

			strbuf_addf(&sb, "'%s' is not one of:", n->valuestring);
			for (e = s->enums; *e != NULL; e++)
				strbuf_addf(&sb, " %s", *e);
			v_msg(v, KC_DIAG_ERROR, n, path, strbuf_str(&sb), NULL);
			strbuf_free(&sb);
		}
	}
}

/* Cross-checks the table cannot express. */

static void
v_version(struct vctx *v, const cJSON *root)
{
	const cJSON *ver = cJSON_GetObjectItemCaseSensitive(root, "version");

	if (cJSON_IsNumber(ver) && ver->valuedouble != 2)
		v_msg(v, KC_DIAG_ERROR, ver, "version", "must be 2 (this is a schema-v2 loader)",
		      NULL);
}

static void
v_default_model(struct vctx *v, const cJSON *root)
{
	const cJSON *dm = kc_cfg_get(root, "providers.default_model");
	const cJSON *models = kc_cfg_get(root, "providers.models"), *m;

	if (!cJSON_IsString(dm) || !cJSON_IsArray(models))
		return;
	cJSON_ArrayForEach(m, models)
	{
		const char *id = kc_cfg_str(m, "id", NULL);

		if (id != NULL && strcmp(id, dm->valuestring) == 0)
			return;
	}
	v_msg(v, KC_DIAG_ERROR, dm, "providers.default_model",
	      "is not the id of any entry of providers.models: ", dm->valuestring);
}

static const cJSON *
v_mode_named(const cJSON *root, const char *name)
{
	const cJSON *m;

	cJSON_ArrayForEach(m, kc_cfg_get(root, "modes"))
	{
		const char *n = kc_cfg_str(m, "name", NULL);

		if (n != NULL && strcmp(n, name) == 0)
			return m;
	}
	return NULL;
}

static void
v_modes_unique(struct vctx *v, const cJSON *root)
{
	const cJSON *m, *prev;
	char path[64];
	int i = 0;

	cJSON_ArrayForEach(m, kc_cfg_get(root, "modes"))
	{
		const char *n = kc_cfg_str(m, "name", NULL);

		prev = n ? v_mode_named(root, n) : NULL;
		snprintf(path, sizeof(path), "modes[%d].name", i++);
		if (prev != NULL && prev != m)
			v_msg(v, KC_DIAG_ERROR, cJSON_GetObjectItemCaseSensitive(m, "name"), path,
			      "a second mode with this name: ", n);
	}
}

/* A loop step names a mode (`mode: X`, or under then/do). */
static void
v_loop_step(struct vctx *v, const cJSON *root, const cJSON *step, const char *path)
{
	static const char *const nested[] = {"then", "do", "else", NULL};
	const cJSON *mode = cJSON_GetObjectItemCaseSensitive(step, "mode");
	char *sub;
	size_t i;

	if (!cJSON_IsObject(step))
		return;
	if (mode != NULL) {
		sub = v_path_join(path, "mode");
		if (!cJSON_IsString(mode))
			v_type_error(v, mode, T_STR, sub);
		else if (v_mode_named(root, mode->valuestring) == NULL)
			v_msg(v, KC_DIAG_ERROR, mode, sub, "no mode (in modes) is named ",
			      mode->valuestring);
		free(sub);
	}
	for (i = 0; nested[i] != NULL; i++) {
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(step, nested[i]);

		if (n == NULL)
			continue;
		sub = v_path_join(path, nested[i]);
		v_loop_step(v, root, n, sub);
		free(sub);
	}
}

static void
v_loop(struct vctx *v, const cJSON *root)
{
	const cJSON *st;
	char path[64];
	int i = 0;

	cJSON_ArrayForEach(st, kc_cfg_get(root, "loop.sequence"))
	{
		snprintf(path, sizeof(path), "loop.sequence[%d]", i++);
		v_loop_step(v, root, st, path);
	}
}

/* TPSL selections must name a defined dialect (family of templates). */
static void
v_tpsl_selection(struct vctx *v, const cJSON *root)
{
	static const char *const maps[] = {"by_model", "by_mode", NULL};
	const cJSON *tpsl = kc_cfg_get(root, "prompts.tool_prompt_synthesis");
	const cJSON *dialects = kc_cfg_get(tpsl, "dialects"), *it;
	char path[512];
	size_t i;

	if (!cJSON_IsObject(tpsl) || !kc_cfg_bool(tpsl, "enabled", 0))
		return;
	for (i = 0; maps[i] != NULL; i++) {
		const cJSON *sel = kc_cfg_get(tpsl, "selection");
		const cJSON *map =
		    cJSON_IsObject(sel) ? cJSON_GetObjectItemCaseSensitive(sel, maps[i]) : NULL;

		if (!cJSON_IsObject(map))
			continue;
		cJSON_ArrayForEach(it, map)
		{
			if (!cJSON_IsString(it) ||
			    cJSON_GetObjectItemCaseSensitive(dialects, it->valuestring))
				continue;
			snprintf(path, sizeof(path),
			         "prompts.tool_prompt_synthesis.selection.%s.%s", maps[i],
			         it->string);
			v_msg(v, KC_DIAG_ERROR, it, path,
			      "names a template family that prompts.tool_prompt_synthesis.dialects "
			      "does not define: ",
			      it->valuestring);
		}
	}
}

int
kc_config_validate(const struct kc_config *c, struct kc_diag_list *out)
{
	static const struct sk top = {NULL, T_MAP, 0, sk_top, NULL, NULL};
	const cJSON *root = kc_config_root(c);
	struct vctx v = {c, out};
	size_t before = out->nerrors;

	v_node(&v, root, &top, "");
	v_version(&v, root);
	v_default_model(&v, root);
	v_modes_unique(&v, root);
	v_loop(&v, root);
	v_tpsl_selection(&v, root);
	return (int)(out->nerrors - before);
}
