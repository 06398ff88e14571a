/* Dispatch of the file/edit tools (see tools.h): one table from tool name
 * to implementation; config aliases resolved; one result shape. */
#include <stdlib.h>
#include <string.h>

#include "lib/core/xmalloc.h"
#include "worker-tools/fs/fs_tools.h"
#include "worker-tools/tools.h"

/* Reply sizes: well under the IPC body cap (64 MiB) whatever a tool did;
 * the full change is on disk, the diff is for the log and the model. */
#define TOOL_RES_MAX_OUTPUT (512u * 1024)
#define TOOL_RES_MAX_DIFF (1024u * 1024)

enum tool_kind { TK_FS, TK_EDIT, TK_OTHER };
struct tool_entry {
	const char *name;
	const char *key_arg; /* an argument only this tool takes (alias check) */
	enum tool_kind kind;
	void (*fs_fn)(const struct tool_fs *, const cJSON *, struct tool_res *);
	void (*edit_fn)(const struct tool_fs *, const struct tool_opts *, const cJSON *,
	                struct tool_res *);
	void (*other_fn)(const struct tool_opts *, const cJSON *, struct tool_res *);
};

static void tool_mark_complete(const struct tool_opts *, const cJSON *, struct tool_res *);
static void tool_task(const struct tool_opts *, const cJSON *, struct tool_res *);
static void tool_lsp(const struct tool_opts *, const cJSON *, struct tool_res *);
static void tool_webfetch(const struct tool_opts *, const cJSON *, struct tool_res *);

static const struct tool_entry tool_table[] = {
    {"read_file", "path", TK_FS, tool_fs_read_file, NULL, NULL},
    {"list_dir", "depth", TK_FS, tool_fs_list_dir, NULL, NULL},
    {"create_file", "path", TK_EDIT, NULL, tool_edit_create_file, NULL},
    {"create_file_from_block", "file_name", TK_EDIT, NULL, tool_edit_create_from_block, NULL},
    {"apply_unified_patch", "patch", TK_EDIT, NULL, tool_edit_unified, NULL},
    {"apply_search_replace", "file_name", TK_EDIT, NULL, tool_edit_search_replace, NULL},
    {"mark_task_complete", NULL, TK_OTHER, NULL, NULL, tool_mark_complete},
    {"read", "filePath", TK_FS, tool_fs_read_oc, NULL, NULL},
    {"write", "filePath", TK_EDIT, NULL, tool_edit_write, NULL},
    {"list", NULL, TK_FS, tool_fs_list_oc, NULL, NULL},
    {"glob", "pattern", TK_FS, tool_fs_glob, NULL, NULL},
    {"grep", "pattern", TK_FS, tool_fs_grep, NULL, NULL},
    {"edit", "filePath", TK_EDIT, NULL, tool_edit_oc_edit, NULL},
    {"patch", "patchText", TK_EDIT, NULL, tool_edit_opencode_patch, NULL},
    {"task", "description", TK_OTHER, NULL, NULL, tool_task},
    {"lsp-diagnostics", NULL, TK_OTHER, NULL, NULL, tool_lsp},
    {"webfetch", "url", TK_OTHER, NULL, NULL, tool_webfetch},
};
#define TOOL_TABLE_N (sizeof(tool_table) / sizeof(tool_table[0]))

static const struct tool_entry *
tool_lookup(const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < TOOL_TABLE_N; i++)
		if (strcmp(tool_table[i].name, name) == 0)
			return &tool_table[i];
	return NULL;
}

int
tool_is_file_tool(const char *name)
{
	return tool_lookup(name) != NULL;
}

/* Config aliases ("edit: apply_search_replace") name tools that also
 * exist under their own name in the OpenCode set. The arguments decide:
 * a call carrying the alias target's own argument goes to the target. */
static const struct tool_entry *
tool_resolve(const cJSON *config, const char *name, const cJSON *args)
{
	const cJSON *aliases = cJSON_GetObjectItemCaseSensitive(config, "aliases");
	const cJSON *to = cJSON_GetObjectItemCaseSensitive(aliases, name);
	const struct tool_entry *own = tool_lookup(name), *target;

	if (!cJSON_IsString(to) || (target = tool_lookup(to->valuestring)) == NULL)
		return own;
	if (own == NULL ||
	    (target->key_arg && cJSON_GetObjectItemCaseSensitive(args, target->key_arg)))
		return target;
	return own;
}

static int
tool_cfg_bool(const cJSON *obj, const char *a, const char *b, const char *c)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, a);

	if (b != NULL)
		v = cJSON_GetObjectItemCaseSensitive(v, b);
	if (c != NULL)
		v = cJSON_GetObjectItemCaseSensitive(v, c);
	return cJSON_IsTrue(v);
}

static void
tool_opts_load(const cJSON *cfg, struct tool_opts *o)
{
	const cJSON *hs;

	memset(o, 0, sizeof(*o));
	o->git_writable = tool_cfg_bool(cfg, "git_writable", NULL, NULL);
	o->allow_network = tool_cfg_bool(cfg, "allow_network_tools", NULL, NULL);
	o->use_dev_null = tool_cfg_bool(cfg, "create_file_policy", "unified_diff", "use_dev_null");
	o->sr_prefer_write_tool = tool_cfg_bool(cfg, "create_file_policy", "aider_search_replace",
	                                        "prefer_write_file_tool");
	hs = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(
	        cJSON_GetObjectItemCaseSensitive(cfg, "create_file_policy"), "unified_diff"),
	    "header_style");
	o->git_style = !cJSON_IsString(hs) || strcmp(hs->valuestring, "git") == 0;
}

static void
tool_mark_complete(const struct tool_opts *o, const cJSON *args, struct tool_res *r)
{
	strbuf_adds(&r->out, "Task marked complete.");
	r->complete = 1;
	r->ok = 1;
}

static void
tool_task(const struct tool_opts *o, const cJSON *args, struct tool_res *r)
{
	const char *d;

	if (tool_arg_str(args, "description", 1, &d, r) == -1)
		return;
	strbuf_addf(
	    &r->out,
	    "Acknowledged: %s\nSub-agents are not available in kylecode; carry out this task "
	    "yourself with the other tools.",
	    d);
	r->ok = 1;
}

static void
tool_lsp(const struct tool_opts *o, const cJSON *args, struct tool_res *r)
{
	strbuf_adds(
	    &r->out,
	    "No LSP server is configured for this workspace, so no diagnostics are available. "
	    "Build or run the tests with the shell tool to find errors.");
	r->ok = 1;
}

static void
tool_webfetch(const struct tool_opts *o, const cJSON *args, struct tool_res *r)
{
	/* The tools worker has no network at all (no socket family but the
	 * IPC one is allowed); saying so is better than a fake fetch. */
	if (!o->allow_network)
		tool_res_fail(r,
		              "webfetch is disabled: network tools are not allowed by the config "
		              "(allow_network_tools is false)");
	else
		tool_res_fail(
		    r,
		    "webfetch is allowed by the config but not available in this worker: the tools "
		    "worker has no network access");
}

/* Adds s as valid UTF-8, at most max bytes (see tool_fs_text_display). */
static void
tool_json_add_text(cJSON *j, const char *key, const char *s, size_t max)
{
	char *t = tool_fs_text_display(s, max);

	cJSON_AddStringToObject(j, key, t);
	free(t);
}

static cJSON *
tool_res_json(struct tool_res *r)
{
	cJSON *j = cJSON_CreateObject(), *arr;
	char *name;
	size_t i;

	if (j == NULL)
		return NULL;
	cJSON_AddBoolToObject(j, "ok", r->ok);
	tool_json_add_text(j, "output", strbuf_str(&r->out), TOOL_RES_MAX_OUTPUT);
	tool_json_add_text(j, "error",
	                   r->ok      ? ""
	                   : r->error ? r->error
	                              : "failed",
	                   TOOL_RES_MAX_OUTPUT);
	arr = cJSON_AddArrayToObject(j, "changed_files");
	for (i = 0; arr != NULL && i < r->nchanged; i++) {
		name = tool_fs_name_display(r->changed[i]);
		cJSON_AddItemToArray(arr, cJSON_CreateString(name));
		free(name);
	}
	tool_json_add_text(j, "diff", strbuf_str(&r->diff), TOOL_RES_MAX_DIFF);
	cJSON_AddBoolToObject(j, "complete", r->complete);
	return j;
}

static void
tool_res_free(struct tool_res *r)
{
	size_t i;

	strbuf_free(&r->out);
	strbuf_free(&r->diff);
	free(r->error);
	for (i = 0; i < r->nchanged; i++)
		free(r->changed[i]);
	free(r->changed);
}

int
tool_run(struct tool_ctx *ctx, const char *name, const cJSON *args, cJSON **result)
{
	const struct tool_entry *e = tool_resolve(ctx->config, name, args);
	struct tool_res r;
	struct tool_opts o;
	struct tool_fs fs;

	*result = NULL;
	memset(&r, 0, sizeof(r));
	tool_opts_load(ctx->config, &o);
	fs.root_fd = ctx->ws_fd;
	fs.root_path = ctx->ws_path;
	fs.git_writable = o.git_writable;
	fs.deadline_ms = ctx->deadline_ms;
	if (e == NULL)
		tool_res_fail(&r, "unknown tool \"%s\" (not a file tool of this worker)",
		              name ? name : "(null)");
	else if (args != NULL && !cJSON_IsObject(args))
		tool_res_fail(&r, "%s: the arguments must be an object", e->name);
	else if (e->kind == TK_FS)
		e->fs_fn(&fs, args, &r);
	else if (e->kind == TK_EDIT)
		e->edit_fn(&fs, &o, args, &r);
	else
		e->other_fn(&o, args, &r);
	if (!r.ok && r.error == NULL)
		tool_res_fail(&r, "%s failed", e ? e->name : "tool");
	*result = tool_res_json(&r);
	tool_res_free(&r);
	return *result == NULL ? -1 : 0;
}
