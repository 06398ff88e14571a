/* Helpers shared by the OpenAI and Anthropic adapters. */
#include <stdlib.h>
#include <string.h>

#include "lib/core/strbuf.h"
#include "lib/core/xmalloc.h"
#include "worker-llm/adapter.h"

const char *
llm_json_str(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Counts from a provider (or a request) are doubles in JSON; a hostile
 * 1e300 must not overflow the conversion (undefined behaviour). */
#define LLM_JSON_COUNT_MAX 1e15

long
llm_json_count(const cJSON *obj, const char *key, long def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	double d;

	if (!cJSON_IsNumber(v))
		return def;
	d = v->valuedouble;
	if (!(d >= 0)) /* negative, or NaN */
		return def;
	return d > LLM_JSON_COUNT_MAX ? (long)LLM_JSON_COUNT_MAX : (long)d;
}

char *
llm_wire_args_text(const cJSON *args)
{
	if (cJSON_IsString(args))
		return xstrdup(args->valuestring);
	if (cJSON_IsObject(args)) {
		char *s = cJSON_PrintUnformatted(args);

		if (s != NULL)
			return s;
	}
	return xstrdup("{}");
}

void
llm_wire_copy_params(cJSON *dst, const cJSON *params, const char *const *keys)
{
	const cJSON *v;

	for (; *keys != NULL; keys++) {
		v = cJSON_GetObjectItemCaseSensitive(params, *keys);
		if (v != NULL && !cJSON_IsNull(v))
			cJSON_AddItemToObject(dst, *keys, cJSON_Duplicate(v, 1));
	}
}

/* One assistant turn's native calls as text the model can read back. */
static void
wire_flatten_calls(struct strbuf *sb, const cJSON *calls)
{
	const cJSON *c;
	char *args;

	cJSON_ArrayForEach(c, calls)
	{
		args = llm_wire_args_text(cJSON_GetObjectItemCaseSensitive(c, "arguments"));
		strbuf_addf(sb, "%s[tool call %s: %s(%s)]", sb->len ? "\n" : "",
		            llm_json_str(c, "id") ? llm_json_str(c, "id") : "?",
		            llm_json_str(c, "name") ? llm_json_str(c, "name") : "?", args);
		free(args);
	}
}

cJSON *
llm_wire_flatten(const cJSON *messages)
{
	cJSON *out = cJSON_CreateArray(), *m;
	const cJSON *in;
	const char *role, *content;
	struct strbuf sb;

	cJSON_ArrayForEach(in, messages)
	{
		role = llm_json_str(in, "role");
		content = llm_json_str(in, "content");
		strbuf_init(&sb);
		if (role != NULL && strcmp(role, "tool") == 0) {
			strbuf_addf(&sb, "[tool result %s]\n%s",
			            llm_json_str(in, "tool_call_id")
			                ? llm_json_str(in, "tool_call_id")
			                : "?",
			            content ? content : "");
			role = "user";
		} else {
			strbuf_adds(&sb, content ? content : "");
			if (role != NULL && strcmp(role, "assistant") == 0)
				wire_flatten_calls(
				    &sb, cJSON_GetObjectItemCaseSensitive(in, "tool_calls"));
		}
		m = cJSON_CreateObject();
		cJSON_AddStringToObject(m, "role", role ? role : "user");
		cJSON_AddStringToObject(m, "content", strbuf_str(&sb));
		cJSON_AddItemToArray(out, m);
		strbuf_free(&sb);
	}
	return out;
}

/* Error bodies differ: OpenAI {"error":{"message"}}, Anthropic
 * {"type":"error","error":{"message"}}, some proxies {"error":"text"} or
 * {"message":"text"}, OpenRouter adds error.metadata.raw. */
char *
llm_wire_error_message(const char *body, size_t len)
{
	cJSON *j = cJSON_ParseWithLength(body, len);
	const cJSON *e;
	const char *msg = NULL;
	char *out = NULL;

	if (j == NULL)
		return NULL;
	e = cJSON_GetObjectItemCaseSensitive(j, "error");
	if (cJSON_IsString(e))
		msg = e->valuestring;
	else if (cJSON_IsObject(e))
		msg = llm_json_str(e, "message");
	if (msg == NULL)
		msg = llm_json_str(j, "message");
	if (msg == NULL)
		msg = llm_json_str(j, "detail");
	if (msg != NULL)
		out = xstrdup(msg);
	cJSON_Delete(j);
	return out;
}
