/*
 * Provider-native calls (the LLM worker's neutral form):
 * [{"id": "...", "name": "...", "arguments": "<json text>"}]. The provider's
 * id is kept (the tool result must answer it); a missing id gets call_<n>.
 * Arguments that are not a JSON object are an error that names the call,
 * its id, and the line/column of the fault inside the arguments text.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/xmalloc.h"
#include "worker-tools/dialects/dlg_internal.h"

#define DIALECT "provider_native"

/* Line and column of p inside s. */
static void
pos_of(const char *s, const char *p, int *line, int *col)
{
	const char *q;

	*line = 1;
	*col = 1;
	for (q = s; q < p && *q != '\0'; q++) {
		if (*q == '\n')
			(*line)++, *col = 1;
		else
			(*col)++;
	}
}

static void native_err(struct dialect_result *out, int idx, const char *name, const char *id,
                       const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void
native_err(struct dialect_result *out, int idx, const char *name, const char *id, const char *fmt,
           ...)
{
	cJSON *e = dlg_nn(cJSON_CreateObject());
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	strbuf_addf(&sb, "native call %d '%s' (id %s): ", idx + 1, name, id);
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	cJSON_AddItemToObject(e, "call", dlg_nn(cJSON_CreateNull()));
	cJSON_AddItemToObject(e, "line", dlg_nn(cJSON_CreateNull()));
	cJSON_AddItemToObject(e, "dialect", dlg_nn(cJSON_CreateString(DIALECT)));
	cJSON_AddItemToObject(e, "id", dlg_nn(cJSON_CreateString(id)));
	cJSON_AddItemToObject(e, "message", dlg_nn(cJSON_CreateString(strbuf_str(&sb))));
	cJSON_AddItemToArray(out->errors, e);
	strbuf_free(&sb);
}

/* Parses one call's arguments (text or already an object). NULL after
 * reporting. */
static cJSON *
native_args(struct dialect_result *out, int idx, const cJSON *a, const char *name, const char *id)
{
	const char *ep = NULL;
	cJSON *v;
	int line, col;

	if (a == NULL || cJSON_IsNull(a))
		return dlg_nn(cJSON_CreateObject());
	if (cJSON_IsObject(a))
		return dlg_nn(cJSON_Duplicate(a, 1));
	if (!cJSON_IsString(a)) {
		native_err(out, idx, name, id, "arguments must be a JSON object (as text)");
		return NULL;
	}
	if (a->valuestring[strspn(a->valuestring, " \t\r\n")] == '\0')
		return dlg_nn(cJSON_CreateObject());
	v = cJSON_ParseWithOpts(a->valuestring, &ep, 1);
	if (v == NULL) {
		pos_of(a->valuestring, ep ? ep : a->valuestring, &line, &col);
		native_err(out, idx, name, id, "arguments are not valid JSON at line %d col %d",
		           line, col);
		return NULL;
	}
	if (!cJSON_IsObject(v)) {
		cJSON_Delete(v);
		native_err(out, idx, name, id,
		           "arguments must be a JSON object of parameter names to values");
		return NULL;
	}
	return v;
}

/* The patch text of a shell call that runs apply_patch: the command
 * `apply_patch <<'EOF' ...` or the argv ["apply_patch", "*** Begin Patch..."]. */
static const char *
apply_patch_text(const cJSON *args)
{
	const cJSON *cmd = cJSON_GetObjectItemCaseSensitive(args, "command");
	const char *t = cJSON_GetStringValue(cmd);
	const char *argv0 = cJSON_GetStringValue(cJSON_GetArrayItem(cmd, 0));

	if (cJSON_IsArray(cmd) && cJSON_GetArraySize(cmd) == 2 && argv0 != NULL &&
	    strcmp(argv0, "apply_patch") == 0)
		t = cJSON_GetStringValue(cJSON_GetArrayItem(cmd, 1));
	else if (t == NULL || strncmp(t, "apply_patch", 11) != 0)
		return NULL;
	return t != NULL && strstr(t, "*** Begin Patch") != NULL ? t : NULL;
}

/* A native shell call that runs apply_patch (how Codex-trained models
 * edit) is a patch edit: the sandbox has no apply_patch program. Returns 1
 * when it was read as a patch: *at is the call's index, or -1 when the
 * patch had an error (reported). */
static int
native_as_patch(struct dlg_ctx *c, const char *name, const char *id, const cJSON *args, int *at)
{
	static const char *const shells[] = {"run_shell", "bash", "shell", NULL};
	const cJSON *def = dlg_tool_find(c, name);
	const char *canon = def ? cJSON_GetStringValue(cJSON_GetObjectItem(def, "name")) : name;
	const char *text = apply_patch_text(args), *const * k;
	struct dlg_ctx sub;
	int before, errs;

	for (k = shells; *k != NULL && (canon == NULL || strcmp(*k, canon) != 0); k++)
		;
	if (*k == NULL || text == NULL)
		return 0;
	sub = *c;
	sub.text = text;
	sub.len = strlen(text);
	sub.nmemo = 0;
	sub.line_off = sub.line_begin = 0;
	sub.line_no = 1;
	before = cJSON_GetArraySize(c->out->calls);
	errs = cJSON_GetArraySize(c->out->errors);
	dlg_opencode_patch_ops.parse(&sub, 0, sub.len);
	c->next_id = sub.next_id;
	*at = cJSON_GetArraySize(c->out->calls) > before ? before : -1;
	/* The patch's error answers this call id. */
	if (*at < 0 && cJSON_GetArraySize(c->out->errors) > errs)
		cJSON_AddItemToObject(cJSON_GetArrayItem(c->out->errors, errs), "id",
		                      dlg_nn(cJSON_CreateString(id)));
	return 1;
}

int
dialect_parse_native(const cJSON *native_calls, const cJSON *registry, struct dialect_result *out)
{
	struct dlg_ctx c;
	const cJSON *nc;
	int idx = 0, at;

	memset(&c, 0, sizeof(c));
	c.text = "";
	c.tools = cJSON_IsArray(registry) ? registry
	                                  : cJSON_GetObjectItemCaseSensitive(registry, "tools");
	c.aliases = cJSON_GetObjectItemCaseSensitive(registry, "aliases");
	c.out = out;
	c.next_id = cJSON_GetArraySize(out->calls);
	c.line_no = 1;
	cJSON_ArrayForEach(nc, native_calls)
	{
		const char *name =
		    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(nc, "name"));
		const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(nc, "id"));
		cJSON *args, *call;

		if (name == NULL || name[0] == '\0') {
			native_err(out, idx++, "?", id ? id : "?", "the call has no tool name");
			continue;
		}
		args = native_args(out, idx, cJSON_GetObjectItemCaseSensitive(nc, "arguments"),
		                   name, id ? id : "?");
		idx++;
		if (args == NULL)
			continue;
		if (native_as_patch(&c, name, id ? id : "?", args, &at)) {
			cJSON_Delete(args);
			if (at < 0)
				continue;
		} else if ((at = dlg_add_call(&c, name, args, DIALECT, 0)) < 0) {
			continue;
		}
		call = cJSON_GetArrayItem(out->calls, at);
		/* Native calls keep the provider's id; they have no text line. */
		if (id != NULL && id[0] != '\0')
			cJSON_ReplaceItemInObjectCaseSensitive(call, "id",
			                                       dlg_nn(cJSON_CreateString(id)));
		cJSON_ReplaceItemInObjectCaseSensitive(call, "line", dlg_nn(cJSON_CreateNull()));
	}
	return 0;
}
