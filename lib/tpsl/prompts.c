/* The system prompt compiler (the prototype's
 * SystemPromptCompiler.compile_v2_prompts): packs in injection order,
 * then the TPSL catalogs rendered from templates, with text that is
 * already in the system prompt never repeated per turn. docs/CONFIG.md
 * states the rules; tests/integration/prompts_oracle.py re-implements
 * them in Python with Jinja2 and compares the bytes. */
#include <fcntl.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/config/config.h"
#include "lib/core/fsutil.h"
#include "lib/core/strbuf.h"
#include "lib/core/xmalloc.h"
#include "lib/template/template.h"
#include "lib/tpsl/tpsl_int.h"

#define TPSL_MAX_TEXT (4u * 1024u * 1024u)
#define TPSL_ERR 4096

/* One compile: inputs, the text gathered so far, and what was seen. */
struct pc {
	const struct kc_config *c;
	const cJSON *root;
	const char *mode;
	const char *model;
	const char *tpm; /* the tool prompt mode in effect */
	cJSON *tools;
	struct strbuf system, per_turn;
	cJSON *seen;       /* sha256 of every stripped chunk placed so far */
	cJSON *pack_texts; /* texts in the system prompt, for the cache key */
	cJSON *manifest;
	char *err;
	size_t errlen;
};

/* A prompt or template file: regular, at most TPSL_MAX_TEXT bytes. */
char *
tpsl_read_text(const char *path, size_t *lenp, char *err, size_t errlen)
{
	return kc_file_read(path, TPSL_MAX_TEXT, lenp, err, errlen);
}

/* Python's str.strip() bounds (ASCII whitespace). */
static void
pc_strip_bounds(const char *s, size_t *start, size_t *end)
{
	size_t b = 0, e = strlen(s);

	while (b < e && strchr(" \t\n\r\f\v", s[b]) != NULL)
		b++;
	while (e > b && strchr(" \t\n\r\f\v", s[e - 1]) != NULL)
		e--;
	*start = b;
	*end = e;
}

/* Marks text as placed; 1 if it was new, 0 if seen before. */
static int
pc_seen_add(struct pc *p, const char *text)
{
	char hex[65];
	const cJSON *it;
	size_t b, e;

	pc_strip_bounds(text, &b, &e);
	kc_sha256_hex(text + b, e - b, hex);
	cJSON_ArrayForEach(it, p->seen) if (strcmp(it->valuestring, hex) == 0) return 0;
	cJSON_AddItemToArray(p->seen, cJSON_CreateString(hex));
	return 1;
}

/* Appends text.rstrip() as a chunk ("\n\n" between chunks). */
static void
pc_add_chunk(struct strbuf *sb, const char *text)
{
	size_t b, e;

	pc_strip_bounds(text, &b, &e);
	if (sb->len > 0)
		strbuf_adds(sb, "\n\n");
	/* rstrip only: leading blank lines of a chunk are kept, as in the
	 * prototype; the whole prompt is stripped at the end. */
	strbuf_add(sb, text, e);
}

static int
pc_fail(struct pc *p, const char *msg)
{
	snprintf(p->err, p->errlen, "%s", msg);
	return -1;
}

/* Reads the file a pack entry names; "" for null (a pack key set to null
 * in a child config switches it off). */
static int
pc_read_pack_file(struct pc *p, const cJSON *v, char **text, const char **file_out, char **file_abs)
{
	char err[TPSL_ERR], where[4200];
	size_t len;

	*text = NULL;
	*file_abs = NULL;
	*file_out = NULL;
	if (!cJSON_IsString(v))
		return 0;
	*file_abs = kc_config_resolve_path(p->c, v->valuestring, err, sizeof(err));
	if (*file_abs == NULL) {
		snprintf(p->err, p->errlen, "%s: prompts.packs: %s",
		         kc_config_where_str(p->c, v, where, sizeof(where)), err);
		return -1;
	}
	*text = tpsl_read_text(*file_abs, &len, p->err, p->errlen);
	*file_out = *file_abs;
	return *text ? 0 : -1;
}

/* "@pack(NAME).KEY" -> the entry; "mode_specific" -> the mode's key in
 * the first pack that has one (build -> builder). NULL: nothing. */
static const cJSON *
pc_pack_entry(struct pc *p, const char *ref)
{
	const cJSON *packs = kc_cfg_get(p->root, "prompts.packs"), *pack;
	const char *close, *key;
	char name[256];
	size_t n;

	if (strncmp(ref, "@pack(", 6) == 0 && (close = strchr(ref, ')')) != NULL &&
	    strchr(ref, '.') != NULL) {
		n = (size_t)(close - (ref + 6));
		if (n >= sizeof(name))
			return NULL;
		memcpy(name, ref + 6, n);
		name[n] = '\0';
		for (key = close + 1; *key == '.'; key++)
			;
		pack = cJSON_GetObjectItemCaseSensitive(packs, name);
		return cJSON_IsObject(pack) ? cJSON_GetObjectItemCaseSensitive(pack, key) : NULL;
	}
	if (strcmp(ref, "mode_specific") == 0 && p->mode != NULL) {
		key = strcmp(p->mode, "build") == 0 ? "builder" : p->mode;
		cJSON_ArrayForEach(
		    pack, packs) if (cJSON_IsObject(pack) &&
		                     cJSON_GetObjectItemCaseSensitive(
		                         pack, key)) return cJSON_GetObjectItemCaseSensitive(pack,
		                                                                             key);
	}
	return NULL;
}

/* Resolves a reference to its text (NULL when it names nothing). */
static int
pc_ref_text(struct pc *p, const char *ref, char **text, char **file)
{
	const char *f;

	return pc_read_pack_file(p, pc_pack_entry(p, ref), text, &f, file);
}

static void
pc_manifest_chunk(struct pc *p, const char *list, const char *ref, const char *file,
                  const char *text, int cached)
{
	cJSON *arr = cJSON_GetObjectItemCaseSensitive(p->manifest, list), *o;
	char hex[65];

	kc_sha256_hex(text, strlen(text), hex);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "source", ref);
	if (file != NULL)
		cJSON_AddStringToObject(o, "file", file);
	cJSON_AddBoolToObject(o, "cache", cached);
	cJSON_AddStringToObject(o, "sha256", hex);
	cJSON_AddItemToArray(arr, o);
}

/* Places one referenced text; -1 on error. */
static int
pc_place_ref(struct pc *p, const char *item, int system)
{
	const char *ref = item;
	char *text, *file;
	int cached = 0;

	if (strncmp(item, "[CACHE]", 7) == 0) {
		cached = 1;
		for (ref = item + 7; *ref == ' '; ref++)
			;
	}
	if (pc_ref_text(p, ref, &text, &file) != 0)
		return -1;
	if (text != NULL && text[0] != '\0' && pc_seen_add(p, text)) {
		pc_add_chunk(system ? &p->system : &p->per_turn, text);
		if (system)
			cJSON_AddItemToArray(p->pack_texts, cJSON_CreateString(text));
		pc_manifest_chunk(p, system ? "system" : "per_turn", item, file, text, cached);
	}
	free(text);
	free(file);
	return 0;
}

/* With no system_order (or nothing it named), the prototype used the
 * first pack `system` with text, preferring base.system. */
static int
pc_system_default(struct pc *p)
{
	const cJSON *packs = kc_cfg_get(p->root, "prompts.packs"), *pack;
	char ref[300];
	int rc = 0;

	if (p->system.len > 0 || !cJSON_IsObject(packs) || packs->child == NULL)
		return 0;
	if (tpsl_truthy(kc_cfg_get(packs, "base.system")) &&
	    (rc = pc_place_ref(p, "@pack(base).system", 1)) != 0)
		return rc;
	cJSON_ArrayForEach(pack, packs)
	{
		if (p->system.len > 0)
			break;
		if (!cJSON_IsObject(pack) || strlen(pack->string) > 256 ||
		    !tpsl_truthy(cJSON_GetObjectItemCaseSensitive(pack, "system")))
			continue;
		snprintf(ref, sizeof(ref), "@pack(%s).system", pack->string);
		if ((rc = pc_place_ref(p, ref, 1)) != 0)
			return rc;
	}
	return 0;
}

static int
pc_place_order(struct pc *p, const char *order_key, int system)
{
	const cJSON *it;

	cJSON_ArrayForEach(it,
	                   kc_cfg_get(p->root, order_key)) if (cJSON_IsString(it) &&
	                                                       pc_place_ref(p, it->valuestring,
	                                                                    system) != 0) return -1;
	return 0;
}

/* ---- TPSL: which template renders each slot ---- */

static void
pc_add_candidate(cJSON *cands, const char *d)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, cands) if (strcmp(it->valuestring, d) == 0) return;
	cJSON_AddItemToArray(cands, cJSON_CreateString(d));
}

/* The template families to try, most specific first: selection.by_mode
 * for the mode, then the first selection.by_model glob matching the
 * model, then "pythonic" (the prototype's default family). */
static cJSON *
pc_candidates(struct pc *p, const cJSON *tpsl)
{
	const cJSON *by_mode = kc_cfg_get(tpsl, "selection.by_mode");
	const cJSON *by_model = kc_cfg_get(tpsl, "selection.by_model"), *it, *v;
	cJSON *cands = cJSON_CreateArray();

	if (p->mode != NULL && cJSON_IsObject(by_mode) &&
	    cJSON_IsString(v = cJSON_GetObjectItemCaseSensitive(by_mode, p->mode)))
		pc_add_candidate(cands, v->valuestring);
	cJSON_ArrayForEach(it, by_model)
	{
		if (p->model == NULL || fnmatch(it->string, p->model, 0) != 0)
			continue;
		if (cJSON_IsString(it))
			pc_add_candidate(cands, it->valuestring);
		cJSON_ArrayForEach(v, it) if (cJSON_IsString(v))
		    pc_add_candidate(cands, v->valuestring);
		break;
	}
	pc_add_candidate(cands, "pythonic");
	return cands;
}

/* detail -> the slot key, then the prototype's order within the family. */
static void
pc_slot_keys(const char *detail, int system, char first[48], const char *keys[4])
{
	static const char *const sys[] = {"system_full", "system_medium", "system_short"};
	static const char *const pt[] = {"per_turn_short", "per_turn_medium", "per_turn_long"};
	const char *const *fam = system ? sys : pt;
	int i;

	if (strncmp(detail, system ? "system_" : "per_turn_", system ? 7 : 9) == 0)
		snprintf(first, 48, "%s", detail);
	else
		snprintf(first, 48, "%s%s", system ? "system_" : "per_turn_", detail);
	keys[0] = first;
	for (i = 0; i < 3; i++)
		keys[i + 1] = fam[i];
}

/* The first (family, key) with a template, in candidate order. */
static const cJSON *
pc_find_template(const cJSON *tpsl, const cJSON *cands, const char *const keys[4],
                 const char **family, const char **key)
{
	const cJSON *dialects = kc_cfg_get(tpsl, "dialects"), *d, *tm, *v;
	int i;

	cJSON_ArrayForEach(d, cands)
	{
		tm = cJSON_IsObject(dialects)
		         ? cJSON_GetObjectItemCaseSensitive(dialects, d->valuestring)
		         : NULL;
		for (i = 0; cJSON_IsObject(tm) && i < 4; i++) {
			v = cJSON_GetObjectItemCaseSensitive(tm, keys[i]);
			if (cJSON_IsString(v) && v->valuestring[0] != '\0') {
				*family = d->valuestring;
				*key = keys[i];
				return v;
			}
		}
	}
	return NULL;
}

static void
pc_manifest_tpsl(struct pc *p, int system, const char *family, const char *detail, const char *key,
                 const char *file, const char *text)
{
	cJSON *o = cJSON_AddObjectToObject(cJSON_GetObjectItemCaseSensitive(p->manifest, "tpsl"),
	                                   system ? "system" : "per_turn");
	char hex[65];

	cJSON_AddStringToObject(o, "dialect", family);
	cJSON_AddStringToObject(o, "detail", detail);
	cJSON_AddStringToObject(o, "template_key", key);
	cJSON_AddStringToObject(o, "template", file);
	kc_sha256_hex(text, strlen(text), hex);
	cJSON_AddStringToObject(o, "sha256", hex);
	cJSON_AddNumberToObject(o, "bytes", (double)strlen(text));
}

/* Renders one slot; *text NULL when a per-turn template is missing.
 * fam_out (64 bytes, may be NULL) gets the family used. */
static int
pc_render_slot(struct pc *p, const cJSON *tpsl, int system, char **text, char *fam_out)
{
	const char *detail = kc_cfg_str(tpsl, system ? "detail.system" : "detail.per_turn",
	                                system ? "full" : "short");
	const char *keys[4], *family = NULL, *key = NULL;
	char first[48], where[4200], *file, err[TPSL_ERR];
	struct strbuf sb = STRBUF_INIT;
	cJSON *cands = pc_candidates(p, tpsl), *data;
	const cJSON *v;
	int rc = 0;

	*text = NULL;
	pc_slot_keys(detail, system, first, keys);
	v = pc_find_template(tpsl, cands, keys, &family, &key);
	if (v == NULL) {
		if (system) {
			char *names = cJSON_PrintUnformatted(cands);

			snprintf(
			    p->err, p->errlen,
			    "%s: prompts.tool_prompt_synthesis: no system template (%s or another "
			    "system_* key) in any of the template families %s",
			    kc_config_path(p->c), keys[0], names);
			free(names);
			rc = -1;
		}
		cJSON_Delete(cands);
		return rc;
	}
	file = kc_config_resolve_path(p->c, v->valuestring, err, sizeof(err));
	if (file == NULL) {
		snprintf(p->err, p->errlen, "%s: prompts.tool_prompt_synthesis.dialects.%s.%s: %s",
		         kc_config_where_str(p->c, v, where, sizeof(where)), family, key, err);
		cJSON_Delete(cands);
		return -1;
	}
	data = cJSON_CreateObject();
	cJSON_AddStringToObject(data, "dialect", family);
	cJSON_AddStringToObject(data, "detail", detail);
	cJSON_AddItemReferenceToObject(data, "tools", p->tools);
	if (kc_tpl_render_file(file, data, &sb, p->err, p->errlen) == 0) {
		*text = strbuf_detach(&sb, NULL);
		if (fam_out != NULL)
			snprintf(fam_out, 64, "%s", family);
		pc_manifest_tpsl(p, system, family, detail, key, file, *text);
	} else {
		rc = -1;
	}
	strbuf_free(&sb);
	cJSON_Delete(data);
	cJSON_Delete(cands);
	free(file);
	return rc;
}

/* Which catalogs the tool prompt mode asks for. With provider-native
 * tools the prototype switched the mode (compute_tool_prompt_mode):
 * suppress_prompts -> none, else per_turn_append. */
static const char *
pc_tool_prompt_mode(const cJSON *root)
{
	if (kc_cfg_bool(root, "provider_tools.use_native", 0))
		return kc_cfg_bool(root, "provider_tools.suppress_prompts", 0) ? "none"
		                                                               : "per_turn_append";
	return kc_cfg_str(root, "prompts.tool_prompt_mode",
	                  "system_compiled_and_persistent_per_turn");
}

static int
pc_tpsl_on(const struct pc *p, int system)
{
	const cJSON *tpsl = kc_cfg_get(p->root, "prompts.tool_prompt_synthesis");

	if (!tpsl_truthy(kc_cfg_get(tpsl, "enabled")) || cJSON_GetArraySize(p->tools) == 0 ||
	    strcmp(p->tpm, "none") == 0)
		return 0;
	if (system)
		return strcmp(p->tpm, "per_turn_append") != 0;
	return strcmp(p->tpm, "system_once") != 0;
}

static int
pc_system(struct pc *p, char *family)
{
	const cJSON *tpsl = kc_cfg_get(p->root, "prompts.tool_prompt_synthesis");
	char *text = NULL;
	size_t b, e;

	if (pc_place_order(p, "prompts.injection.system_order", 1) != 0 ||
	    pc_system_default(p) != 0)
		return -1;
	if (!pc_tpsl_on(p, 1))
		return 0;
	if (pc_render_slot(p, tpsl, 1, &text, family) != 0)
		return -1;
	pc_strip_bounds(text, &b, &e);
	if (e > b) {
		/* Always placed, and remembered so per-turn never repeats it. */
		pc_seen_add(p, text);
		pc_add_chunk(&p->system, text);
		cJSON_AddItemToArray(p->pack_texts, cJSON_CreateString(text));
	}
	free(text);
	return 0;
}

static int
pc_per_turn(struct pc *p)
{
	const cJSON *tpsl = kc_cfg_get(p->root, "prompts.tool_prompt_synthesis"), *m;
	char *text = NULL;
	size_t b, e;

	if (pc_place_order(p, "prompts.injection.per_turn_order", 0) != 0)
		return -1;
	/* No per-turn order (or nothing new in it): the mode's own prompt. */
	if (p->per_turn.len == 0 && p->mode != NULL) {
		cJSON_ArrayForEach(m, kc_cfg_get(p->root, "modes"))
		{
			if (strcmp(kc_cfg_str(m, "name", ""), p->mode) != 0)
				continue;
			if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(m, "prompt")) &&
			    pc_place_ref(p, kc_cfg_str(m, "prompt", ""), 0) != 0)
				return -1;
			break;
		}
	}
	if (!pc_tpsl_on(p, 0))
		return 0;
	if (pc_render_slot(p, tpsl, 0, &text, NULL) != 0)
		return -1;
	if (text != NULL) {
		pc_strip_bounds(text, &b, &e);
		if (e > b && pc_seen_add(p, text))
			pc_add_chunk(&p->per_turn, text);
	}
	free(text);
	return 0;
}

static int
pc_tool_name_cmp(const void *a, const void *b)
{
	return strcmp(kc_cfg_str(*(const cJSON *const *)a, "name", ""),
	              kc_cfg_str(*(const cJSON *const *)b, "name", ""));
}

/* {name, desc, params: [{n, t, d, def}]} of one tool, as the prototype
 * summarized a toolset for its cache key. */
static cJSON *
pc_tool_min(const cJSON *t)
{
	cJSON *tm = cJSON_CreateObject(), *params, *pm;
	const cJSON *param;

	cJSON_AddItemToObject(tm, "name",
	                      cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(t, "name"), 1));
	cJSON_AddItemToObject(
	    tm, "desc", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(t, "description"), 1));
	params = cJSON_AddArrayToObject(tm, "params");
	cJSON_ArrayForEach(param, cJSON_GetObjectItemCaseSensitive(t, "parameters"))
	{
		pm = cJSON_CreateObject();
		cJSON_AddItemToObject(
		    pm, "n", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(param, "name"), 1));
		cJSON_AddItemToObject(
		    pm, "t", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(param, "type"), 1));
		cJSON_AddItemToObject(
		    pm, "d",
		    cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(param, "description"), 1));
		cJSON_AddItemToObject(
		    pm, "def",
		    cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(param, "default"), 1));
		cJSON_AddItemToArray(params, pm);
	}
	return tm;
}

/* sha256(config + prompts + toolset) over the canonical JSON the
 * prototype hashed (_compute_v2_cache_key, which kept 12 hex digits):
 * the config sections, the texts placed in the system prompt, and the
 * tools sorted by name. */
static void
pc_cache_key(struct pc *p, char hex[65])
{
	static const char *const keys[] = {"version", "providers", "tools", "prompts",
	                                   "modes",   "loop",      NULL};
	cJSON *blob = cJSON_CreateObject(), *cfg, *tools;
	struct strbuf sb = STRBUF_INIT;
	const cJSON **sorted, *it;
	size_t i, n = 0;

	cfg = cJSON_AddObjectToObject(blob, "config");
	for (i = 0; keys[i] != NULL; i++) {
		it = cJSON_GetObjectItemCaseSensitive(p->root, keys[i]);
		/* References keep the original nodes, whose float flags the
		 * config's location table holds (1.0 prints as 1.0). */
		if (it != NULL)
			cJSON_AddItemReferenceToObject(cfg, keys[i], (cJSON *)it);
		else
			cJSON_AddNullToObject(cfg, keys[i]);
	}
	cJSON_AddItemToObject(blob, "packs", cJSON_Duplicate(p->pack_texts, 1));
	tools = cJSON_AddArrayToObject(blob, "tools");
	sorted = xcalloc((size_t)cJSON_GetArraySize(p->tools) + 1, sizeof(*sorted));
	cJSON_ArrayForEach(it, p->tools) sorted[n++] = it;
	qsort(sorted, n, sizeof(*sorted), pc_tool_name_cmp);
	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(tools, pc_tool_min(sorted[i]));
	free(sorted);
	kc_json_emit_canonical(kc_config_locs(p->c), blob, &sb);
	kc_sha256_hex(sb.buf, sb.len, hex);
	strbuf_free(&sb);
	cJSON_Delete(blob);
}

/* As the prototype's _resolve_active_mode: the first loop step that
 * names a mode (an `if: features.X` step counts when the feature is
 * truthy), else the first mode. */
const char *
kc_prompts_start_mode(const struct kc_config *c)
{
	const cJSON *root = kc_config_root(c), *step, *cond, *then;
	const char *feat;

	cJSON_ArrayForEach(step, kc_cfg_get(root, "loop.sequence"))
	{
		if (!cJSON_IsObject(step))
			continue;
		cond = cJSON_GetObjectItemCaseSensitive(step, "if");
		then = cJSON_GetObjectItemCaseSensitive(step, "then");
		if (cJSON_IsString(cond) && cJSON_IsObject(then) &&
		    strncmp(cond->valuestring, "features.", 9) == 0) {
			feat = cond->valuestring + 9;
			if (tpsl_truthy(cJSON_GetObjectItemCaseSensitive(
			        kc_cfg_get(root, "features"), feat)) &&
			    kc_cfg_str(then, "mode", NULL) != NULL)
				return kc_cfg_str(then, "mode", NULL);
		}
		if (tpsl_truthy(cJSON_GetObjectItemCaseSensitive(step, "mode")) &&
		    kc_cfg_str(step, "mode", NULL) != NULL)
			return kc_cfg_str(step, "mode", NULL);
	}
	step = cJSON_GetArrayItem(kc_cfg_get(root, "modes"), 0);
	return kc_cfg_str(step, "name", NULL);
}

static void
pc_manifest_init(struct pc *p)
{
	const cJSON *t;
	cJSON *names;

	p->manifest = cJSON_CreateObject();
	cJSON_AddStringToObject(p->manifest, "config", kc_config_path(p->c));
	cJSON_AddStringToObject(p->manifest, "mode", p->mode);
	if (p->model != NULL)
		cJSON_AddStringToObject(p->manifest, "model", p->model);
	cJSON_AddStringToObject(p->manifest, "tool_prompt_mode", p->tpm);
	names = cJSON_AddArrayToObject(p->manifest, "tools");
	cJSON_ArrayForEach(t, p->tools)
	    cJSON_AddItemToArray(names, cJSON_CreateString(kc_cfg_str(t, "name", "")));
	cJSON_AddArrayToObject(p->manifest, "system");
	cJSON_AddArrayToObject(p->manifest, "per_turn");
	cJSON_AddObjectToObject(p->manifest, "tpsl");
}

/* The final text: the chunks joined, stripped. */
static char *
pc_finish_text(struct strbuf *sb)
{
	size_t b, e;
	char *s;

	pc_strip_bounds(strbuf_str(sb), &b, &e);
	s = xstrndup(strbuf_str(sb) + b, e - b);
	strbuf_free(sb);
	return s;
}

static int
pc_setup(struct pc *p, const char *mode, const char *model_id)
{
	char err[TPSL_ERR];
	cJSON *reg;

	p->mode = mode ? mode : kc_prompts_start_mode(p->c);
	if (p->mode == NULL)
		return pc_fail(p, "the config has no modes");
	p->model = model_id ? model_id : kc_cfg_str(p->root, "providers.default_model", NULL);
	p->tpm = pc_tool_prompt_mode(p->root);
	reg = kc_tools_load(p->c, p->err, p->errlen);
	if (reg == NULL)
		return -1;
	p->tools = kc_tools_for_mode(p->c, reg, p->mode, err, sizeof(err));
	cJSON_Delete(reg);
	if (p->tools == NULL)
		return pc_fail(p, err);
	p->seen = cJSON_CreateArray();
	p->pack_texts = cJSON_CreateArray();
	pc_manifest_init(p);
	return 0;
}

int
kc_prompts_compile(const struct kc_config *c, const char *mode, const char *model_id,
                   struct kc_prompts *out, char *err, size_t errlen)
{
	struct pc p;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	memset(&p, 0, sizeof(p));
	p.c = c;
	p.root = kc_config_root(c);
	p.err = err;
	p.errlen = errlen;
	if (pc_setup(&p, mode, model_id) != 0 || pc_system(&p, out->tpsl_dialect) != 0 ||
	    pc_per_turn(&p) != 0)
		goto out;
	pc_cache_key(&p, out->cache_key);
	cJSON_AddStringToObject(p.manifest, "cache_key", out->cache_key);
	snprintf(out->mode, sizeof(out->mode), "%s", p.mode);
	out->system = pc_finish_text(&p.system);
	out->per_turn = pc_finish_text(&p.per_turn);
	out->native_tools = kc_tools_native_schemas(p.tools);
	out->tools = p.tools;
	out->catalog_manifest = p.manifest;
	p.tools = p.manifest = NULL;
	rc = 0;
out:
	strbuf_free(&p.system);
	strbuf_free(&p.per_turn);
	cJSON_Delete(p.tools);
	cJSON_Delete(p.manifest);
	cJSON_Delete(p.seen);
	cJSON_Delete(p.pack_texts);
	return rc;
}

void
kc_prompts_free(struct kc_prompts *p)
{
	if (p == NULL)
		return;
	free(p->system);
	free(p->per_turn);
	cJSON_Delete(p->catalog_manifest);
	cJSON_Delete(p->tools);
	cJSON_Delete(p->native_tools);
	memset(p, 0, sizeof(*p));
}
