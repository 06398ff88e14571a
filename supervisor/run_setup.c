/*
 * run_setup.c — everything before the first turn of `kylecode run`: the
 * config (loaded, validated), the model and its fallbacks, native tools or
 * text dialects as the config selects them for the model, per-mode
 * prompts, the run directory, and the workers.
 */
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/config/config.h"
#include "lib/core/log.h"
#include "lib/core/strbuf.h"
#include "lib/core/xmalloc.h"
#include "lib/tpsl/tpsl.h"
#include "supervisor/conductor.h"
#include "supervisor/proc.h"
#include "supervisor/runlog.h"

static const char *const run_text_dialects[] = {"pythonic",
                                                "bash_block",
                                                "unified_diff",
                                                "aider_search_replace",
                                                "opencode_patch",
                                                "xml",
                                                "json_block",
                                                "yaml_command",
                                                NULL};

/* The default config: $KYLECODE_CONFIG, ./kylecode.yaml, then the
 * installed and the source-tree configs/default.yaml beside the binary. */
static char *
run_default_config(void)
{
	static const char *const rel[] = {"/../share/kylecode/configs/default.yaml",
	                                  "/../../configs/default.yaml"};
	char exe[PATH_MAX], *p;
	const char *env = getenv("KYLECODE_CONFIG");
	ssize_t n;
	size_t i;

	if (env != NULL && env[0] != '\0')
		return xstrdup(env);
	if (access("kylecode.yaml", R_OK) == 0)
		return xstrdup("kylecode.yaml");
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	*strrchr(exe, '/') = '\0';
	for (i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		p = xasprintf("%s%s", exe, rel[i]);
		if (access(p, R_OK) == 0)
			return p;
		free(p);
	}
	return NULL;
}

/* The value under by_model whose glob matches the model id, or NULL. */
static const cJSON *
run_by_model(const cJSON *by_model, const char *model)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, by_model)
	{
		if (it->string != NULL && fnmatch(it->string, model, 0) == 0)
			return it;
	}
	return NULL;
}

static cJSON *
run_model_lookup(const cJSON *root, const char *id)
{
	const cJSON *m;

	cJSON_ArrayForEach(m, kc_cfg_get(root, "providers.models"))
	{
		if (strcmp(kc_cfg_str(m, "id", ""), id) == 0)
			return cJSON_Duplicate(m, 1);
	}
	m = cJSON_CreateObject();
	cJSON_AddStringToObject((cJSON *)m, "id", id);
	return (cJSON *)m;
}

static void
run_setup_model(struct cond *c)
{
	const char *id =
	    c->o->model ? c->o->model : kc_cfg_str(c->root, "providers.default_model", NULL);
	const cJSON *fb;

	if (id == NULL)
		id = kc_cfg_str(cJSON_GetArrayItem(kc_cfg_get(c->root, "providers.models"), 0),
		                "id", "mock/dev");
	c->model_id = xstrdup(id);
	c->model_entry = run_model_lookup(c->root, id);
	c->fallbacks = cJSON_CreateArray();
	cJSON_ArrayForEach(fb, kc_cfg_get(c->model_entry, "routing.fallback_models"))
	{
		if (cJSON_IsString(fb))
			cJSON_AddItemToArray(c->fallbacks,
			                     run_model_lookup(c->root, fb->valuestring));
	}
	c->context_window = (long)kc_cfg_num(c->model_entry, "context_window", 128000);
}

static void
run_dialect_add(cJSON *list, const char *name)
{
	const cJSON *it;
	size_t i;

	for (i = 0; run_text_dialects[i] != NULL; i++)
		if (strcmp(run_text_dialects[i], name) == 0)
			break;
	if (run_text_dialects[i] == NULL)
		return; /* provider_native and unknown names are not text dialects */
	cJSON_ArrayForEach(it, list)
	{
		if (strcmp(it->valuestring, name) == 0)
			return;
	}
	cJSON_AddItemToArray(list, cJSON_CreateString(name));
}

static void
run_dialects_from(cJSON *list, const cJSON *arr)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, arr)
	{
		if (cJSON_IsString(it))
			run_dialect_add(list, it->valuestring);
	}
}

/* Text dialects the parser accepts for this model: the selection for the
 * model (or the preference order, or the default), plus the by-tool-kind
 * lists. Only what the config names: accepting every dialect would turn
 * an explanatory ```bash block into a command. */
static void
run_setup_dialects(struct cond *c)
{
	const cJSON *d = kc_cfg_get(c->root, "tools.dialects"), *sel, *pref, *kind;

	c->dialects = cJSON_CreateArray();
	sel = run_by_model(kc_cfg_get(d, "selection.by_model"), c->model_id);
	pref = run_by_model(kc_cfg_get(d, "preference.by_model"), c->model_id);
	if (cJSON_IsArray(sel))
		run_dialects_from(c->dialects, sel);
	else if (pref != NULL && cJSON_IsArray(kc_cfg_get(pref, "order")))
		run_dialects_from(c->dialects, kc_cfg_get(pref, "order"));
	else
		run_dialects_from(c->dialects, kc_cfg_get(d, "preference.default"));
	cJSON_ArrayForEach(kind, kc_cfg_get(d, "selection.by_tool_kind"))
	    run_dialects_from(c->dialects, kind);
	cJSON_ArrayForEach(kind, kc_cfg_get(d, "preference.by_tool_kind"))
	    run_dialects_from(c->dialects, kind);
	c->native = pref != NULL && kc_cfg_bool(pref, "native", 0) &&
	            kc_cfg_bool(c->root, "provider_tools.use_native", 1);
}

static int
run_load_task(struct cond *c, char *err, size_t errlen)
{
	FILE *f;
	char buf[8192];
	size_t n;
	struct strbuf sb = STRBUF_INIT;

	if (c->o->task_text != NULL) {
		c->task = xstrdup(c->o->task_text);
		return 0;
	}
	if (c->o->task_file == NULL) {
		snprintf(err, errlen, "no task: give --task FILE or --task-text TEXT");
		return -1;
	}
	f = fopen(c->o->task_file, "r");
	if (f == NULL) {
		snprintf(err, errlen, "--task %s: %s", c->o->task_file, strerror(errno));
		return -1;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		strbuf_add(&sb, buf, n);
	fclose(f);
	c->task = strbuf_detach(&sb, NULL);
	return 0;
}

/* Loads and validates the config; errors are printed with file:line. */
int
run_setup_config(struct cond *c, char *err, size_t errlen)
{
	struct kc_diag_list d = {0};
	char *path = c->o->config_path ? xstrdup(c->o->config_path) : run_default_config();

	if (path == NULL) {
		snprintf(err, errlen, "no config: give --config FILE (or set KYLECODE_CONFIG)");
		return -1;
	}
	c->cfg = kc_config_load(path, &d);
	if (c->cfg != NULL)
		kc_config_validate(c->cfg, &d);
	kc_diag_print(&d, stderr);
	if (c->cfg == NULL || d.nerrors > 0) {
		snprintf(err, errlen, "%s: %zu config error(s)", path, d.nerrors);
		kc_diag_list_free(&d);
		free(path);
		return -1;
	}
	kc_diag_list_free(&d);
	free(path);
	c->root = kc_config_root(c->cfg);
	c->registry = kc_tools_load(c->cfg, err, errlen);
	if (c->registry == NULL)
		return -1;
	run_setup_model(c);
	run_setup_dialects(c);
	c->max_steps = c->o->max_steps > 0
	                   ? c->o->max_steps
	                   : (int)kc_cfg_num(c->root, "loop.max_steps", COND_DEFAULT_STEPS);
	return c->task != NULL ? 0 : run_load_task(c, err, errlen);
}

static void
run_mode_event(struct cond *c, const struct cond_mode *m)
{
	cJSON *f = cJSON_CreateObject();

	cJSON_AddStringToObject(f, "mode", m->name);
	cJSON_AddStringToObject(f, "cache_key", m->prompts->cache_key);
	cJSON_AddStringToObject(f, "tpsl_dialect", m->prompts->tpsl_dialect);
	cJSON_AddNumberToObject(f, "system_bytes", (double)strlen(m->prompts->system));
	cJSON_AddNumberToObject(f, "per_turn_bytes", (double)strlen(m->prompts->per_turn));
	cJSON_AddNumberToObject(f, "tools", cJSON_GetArraySize(m->enabled));
	if (c->rl != NULL)
		runlog_event(c->rl, "prompt_compile", f);
	else
		cJSON_Delete(f);
}

/* The compiled prompts and tool list of a mode, compiled once. */
struct cond_mode *
run_mode_get(struct cond *c, const char *name, char *err, size_t errlen)
{
	struct cond_mode *m;
	const cJSON *t;
	size_t i;

	for (i = 0; i < c->nmodes; i++)
		if (strcmp(c->modes[i].name, name) == 0)
			return &c->modes[i];
	if (c->nmodes == COND_MAX_MODES) {
		snprintf(err, errlen, "too many modes (max %d)", COND_MAX_MODES);
		return NULL;
	}
	m = &c->modes[c->nmodes];
	m->prompts = xcalloc(1, sizeof(*m->prompts));
	if (kc_prompts_compile(c->cfg, name, c->model_id, m->prompts, err, errlen) < 0) {
		free(m->prompts);
		m->prompts = NULL;
		return NULL;
	}
	snprintf(m->name, sizeof(m->name), "%s", name);
	m->enabled = cJSON_CreateArray();
	cJSON_ArrayForEach(t, m->prompts->tools)
	{
		if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(t, "name")))
			cJSON_AddItemToArray(m->enabled,
			                     cJSON_CreateString(kc_cfg_str(t, "name", "")));
	}
	if (m->prompts->tpsl_dialect[0] != '\0')
		run_dialect_add(c->dialects, m->prompts->tpsl_dialect);
	c->nmodes++;
	run_mode_event(c, m);
	return m;
}
