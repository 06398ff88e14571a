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
		if (args == NULL || (at = dlg_add_call(&c, name, args, DIALECT, 0)) < 0)
			continue;
		call = cJSON_GetArrayItem(out->calls, at);
		/* Native calls keep the provider's id; they have no text line. */
		if (id != NULL && id[0] != '\0')
			cJSON_ReplaceItemInObjectCaseSensitive(call, "id",
			                                       dlg_nn(cJSON_CreateString(id)));
		cJSON_ReplaceItemInObjectCaseSensitive(call, "line", dlg_nn(cJSON_CreateNull()));
	}
	return 0;
}
