/* OpenAI Chat Completions adapter (also every OpenAI-compatible server:
 * OpenRouter, llama.cpp, Ollama, vLLM). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/xmalloc.h"
#include "worker-llm/adapter.h"

/* Params sent verbatim. Others in the model entry are either interpreted
 * below (parallel_tools, structured_outputs) or left out: OpenAI answers 400
 * to unknown top-level fields. */
static const char *const openai_params[] = {
    "temperature",
    "top_p",
    "max_tokens",
    "max_completion_tokens",
    "stop",
    "seed",
    "presence_penalty",
    "frequency_penalty",
    "reasoning_effort",
    "response_format",
    "logit_bias",
    "user",
    "top_k",
    "min_p",
    "repetition_penalty",
    NULL,
};

static cJSON *
openai_tool_calls(const cJSON *calls)
{
	cJSON *out = cJSON_CreateArray(), *tc, *fn;
	const cJSON *c;
	char *args;

	cJSON_ArrayForEach(c, calls)
	{
		tc = cJSON_CreateObject();
		cJSON_AddStringToObject(tc, "id",
		                        llm_json_str(c, "id") ? llm_json_str(c, "id") : "");
		cJSON_AddStringToObject(tc, "type", "function");
		fn = cJSON_AddObjectToObject(tc, "function");
		cJSON_AddStringToObject(fn, "name",
		                        llm_json_str(c, "name") ? llm_json_str(c, "name") : "");
		args = llm_wire_args_text(cJSON_GetObjectItemCaseSensitive(c, "arguments"));
		cJSON_AddStringToObject(fn, "arguments", args);
		free(args);
		cJSON_AddItemToArray(out, tc);
	}
	return out;
}

/* One neutral message -> one OpenAI message; NULL with err if invalid. */
static cJSON *
openai_message(const cJSON *in, size_t i, char *err, size_t errlen)
{
	const char *role = llm_json_str(in, "role");
	const cJSON *content = cJSON_GetObjectItemCaseSensitive(in, "content");
	const cJSON *calls = cJSON_GetObjectItemCaseSensitive(in, "tool_calls");
	cJSON *m;

	if (role == NULL || (strcmp(role, "system") && strcmp(role, "user") &&
	                     strcmp(role, "assistant") && strcmp(role, "tool"))) {
		snprintf(err, errlen, "messages[%zu]: role must be system|user|assistant|tool", i);
		return NULL;
	}
	m = cJSON_CreateObject();
	cJSON_AddStringToObject(m, "role", role);
	if (cJSON_IsString(content) || cJSON_IsArray(content))
		cJSON_AddItemToObject(m, "content", cJSON_Duplicate(content, 1));
	else if (strcmp(role, "assistant") == 0)
		cJSON_AddNullToObject(m, "content");
	else
		cJSON_AddStringToObject(m, "content", "");
	if (strcmp(role, "assistant") == 0 && cJSON_GetArraySize(calls) > 0)
		cJSON_AddItemToObject(m, "tool_calls", openai_tool_calls(calls));
	if (strcmp(role, "tool") == 0)
		cJSON_AddStringToObject(
		    m, "tool_call_id",
		    llm_json_str(in, "tool_call_id") ? llm_json_str(in, "tool_call_id") : "");
	return m;
}

static cJSON *
openai_tools(const cJSON *tools)
{
	cJSON *out = cJSON_CreateArray(), *t, *fn;
	const cJSON *in, *params;

	cJSON_ArrayForEach(in, tools)
	{
		t = cJSON_CreateObject();
		cJSON_AddStringToObject(t, "type", "function");
		fn = cJSON_AddObjectToObject(t, "function");
		cJSON_AddStringToObject(fn, "name",
		                        llm_json_str(in, "name") ? llm_json_str(in, "name") : "");
		if (llm_json_str(in, "description"))
			cJSON_AddStringToObject(fn, "description", llm_json_str(in, "description"));
		params = cJSON_GetObjectItemCaseSensitive(in, "parameters");
		if (cJSON_IsObject(params))
			cJSON_AddItemToObject(fn, "parameters", cJSON_Duplicate(params, 1));
		else
			cJSON_AddItemToObject(
			    fn, "parameters",
			    cJSON_Parse("{\"type\":\"object\",\"properties\":{}}"));
		cJSON_AddItemToArray(out, t);
	}
	return out;
}

/* "auto" | "none" | "required" | {"name": N} | any other string = a name. */
static cJSON *
openai_tool_choice(const cJSON *tc)
{
	const char *name = NULL;
	cJSON *o, *fn;

	if (cJSON_IsString(tc)) {
		if (!strcmp(tc->valuestring, "auto") || !strcmp(tc->valuestring, "none") ||
		    !strcmp(tc->valuestring, "required"))
			return cJSON_CreateString(tc->valuestring);
		name = tc->valuestring;
	} else if (cJSON_IsObject(tc)) {
		name = llm_json_str(tc, "name");
	}
	if (name == NULL)
		return NULL;
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "type", "function");
	fn = cJSON_AddObjectToObject(o, "function");
	cJSON_AddStringToObject(fn, "name", name);
	return o;
}

/* structured_outputs: {enabled, strict, name, schema}: with a schema it
 * becomes response_format json_schema; without one it has no wire effect
 * (tool arguments are validated by worker-tools either way). */
static void
openai_structured(cJSON *w, const cJSON *params)
{
	const cJSON *so = cJSON_GetObjectItemCaseSensitive(params, "structured_outputs");
	const cJSON *schema = cJSON_GetObjectItemCaseSensitive(so, "schema");
	cJSON *rf, *js;

	if (!cJSON_IsObject(so) || cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(so, "enabled")) ||
	    !cJSON_IsObject(schema) || cJSON_GetObjectItemCaseSensitive(w, "response_format"))
		return;
	rf = cJSON_AddObjectToObject(w, "response_format");
	cJSON_AddStringToObject(rf, "type", "json_schema");
	js = cJSON_AddObjectToObject(rf, "json_schema");
	cJSON_AddStringToObject(js, "name",
	                        llm_json_str(so, "name") ? llm_json_str(so, "name") : "response");
	cJSON_AddItemToObject(js, "schema", cJSON_Duplicate(schema, 1));
	cJSON_AddBoolToObject(js, "strict",
	                      cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(so, "strict")));
}

static int
openai_add_messages(cJSON *w, const struct llm_wire *wi, const cJSON *req, char *err, size_t errlen)
{
	const cJSON *msgs = cJSON_GetObjectItemCaseSensitive(req, "messages"), *in;
	cJSON *flat = NULL, *arr, *m;
	size_t i = 0;

	if (!cJSON_IsArray(msgs) || cJSON_GetArraySize(msgs) == 0) {
		snprintf(err, errlen, "messages: a non-empty array is required");
		return -1;
	}
	if (!wi->native_tools)
		msgs = flat = llm_wire_flatten(msgs);
	arr = cJSON_AddArrayToObject(w, "messages");
	cJSON_ArrayForEach(in, msgs)
	{
		if ((m = openai_message(in, i++, err, errlen)) == NULL) {
			cJSON_Delete(flat);
			return -1;
		}
		cJSON_AddItemToArray(arr, m);
	}
	cJSON_Delete(flat);
	return 0;
}

cJSON *
llm_openai_build(const struct llm_wire *wi, const cJSON *req, char *err, size_t errlen)
{
	const cJSON *tools = cJSON_GetObjectItemCaseSensitive(req, "tools");
	const cJSON *par = cJSON_GetObjectItemCaseSensitive(wi->params, "parallel_tools");
	cJSON *w = cJSON_CreateObject(), *tc, *so;

	cJSON_AddStringToObject(w, "model", wi->model);
	if (openai_add_messages(w, wi, req, err, errlen) < 0) {
		cJSON_Delete(w);
		return NULL;
	}
	if (wi->native_tools && cJSON_GetArraySize(tools) > 0) {
		cJSON_AddItemToObject(w, "tools", openai_tools(tools));
		tc = openai_tool_choice(cJSON_GetObjectItemCaseSensitive(req, "tool_choice"));
		if (tc != NULL)
			cJSON_AddItemToObject(w, "tool_choice", tc);
		if (cJSON_IsBool(par))
			cJSON_AddBoolToObject(w, "parallel_tool_calls", cJSON_IsTrue(par));
	}
	llm_wire_copy_params(w, wi->params, openai_params);
	openai_structured(w, wi->params);
	if (wi->stream) {
		cJSON_AddTrueToObject(w, "stream");
		so = cJSON_AddObjectToObject(w, "stream_options");
		cJSON_AddTrueToObject(so, "include_usage");
	}
	return w;
}

/* OpenAI's finish reasons, plus what compatible servers say instead. */
static const char *
openai_finish(const char *f)
{
	if (!strcmp(f, "tool_calls") || !strcmp(f, "function_call"))
		return "tool_calls";
	if (!strcmp(f, "length") || !strcmp(f, "max_tokens"))
		return "length";
	if (!strcmp(f, "content_filter"))
		return "content_filter";
	if (!strcmp(f, "error"))
		return "error";
	return "stop";
}

static void
openai_usage(struct llm_result *res, const cJSON *u)
{
	res->prompt_tokens = llm_json_count(u, "prompt_tokens", res->prompt_tokens);
	res->completion_tokens = llm_json_count(u, "completion_tokens", res->completion_tokens);
}

/* {"error": ...} anywhere at top level is the provider saying no. */
static int
openai_error(struct llm_result *res, const cJSON *j)
{
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "error");
	const char *msg;

	if (e == NULL || cJSON_IsNull(e))
		return 0;
	msg = cJSON_IsString(e) ? e->valuestring : llm_json_str(e, "message");
	llm_result_seterror(res, msg);
	llm_result_setfinish(res, "error");
	return 1;
}

static int
openai_parse_calls(struct llm_result *res, const cJSON *calls)
{
	const cJSON *c, *fn;
	struct llm_call *call;
	size_t idx;
	int key = 0;
	char *args;

	cJSON_ArrayForEach(c, calls)
	{
		fn = cJSON_GetObjectItemCaseSensitive(c, "function");
		if ((call = llm_result_call(res, key++, &idx)) == NULL)
			return -1;
		if (llm_json_str(c, "id"))
			call->id = xstrdup(llm_json_str(c, "id"));
		if (llm_json_str(fn, "name"))
			call->name = xstrdup(llm_json_str(fn, "name"));
		/* Some compatible servers send arguments as an object. */
		args = llm_wire_args_text(cJSON_GetObjectItemCaseSensitive(fn, "arguments"));
		strbuf_adds(&call->args, args);
		free(args);
	}
	return 0;
}

int
llm_openai_parse(const char *body, size_t len, struct llm_result *res)
{
	cJSON *j = cJSON_ParseWithLength(body, len);
	const cJSON *ch, *msg, *content;
	const char *fin;

	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		llm_result_seterror(res, "response is not a JSON object");
		return LLM_EV_MALFORMED;
	}
	res->raw = j;
	if (openai_error(res, j))
		return LLM_EV_PROVIDER;
	ch = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "choices"), 0);
	msg = cJSON_GetObjectItemCaseSensitive(ch, "message");
	if (!cJSON_IsObject(msg)) {
		llm_result_seterror(res, "response has no choices[0].message");
		return LLM_EV_MALFORMED;
	}
	content = cJSON_GetObjectItemCaseSensitive(msg, "content");
	if (cJSON_IsString(content))
		strbuf_adds(&res->content, content->valuestring);
	if (openai_parse_calls(res, cJSON_GetObjectItemCaseSensitive(msg, "tool_calls")) < 0) {
		llm_result_seterror(res, "too many tool calls");
		return LLM_EV_MALFORMED;
	}
	if ((fin = llm_json_str(ch, "finish_reason")) != NULL)
		llm_result_setfinish(res, openai_finish(fin));
	openai_usage(res, cJSON_GetObjectItemCaseSensitive(j, "usage"));
	res->done = 1;
	return LLM_EV_OK;
}

/* Keys for fragments without "index" (some compatible servers send each
 * call whole, without one): a new id is a new call; no id continues the
 * latest call. Index-less keys live above any real index. */
#define OPENAI_NOINDEX_BASE 1000000

static int
openai_key_noindex(const struct llm_result *res, const cJSON *tc, int pos)
{
	const char *id = llm_json_str(tc, "id");
	size_t i;

	if (id == NULL)
		return res->ncalls ? res->calls[res->ncalls - 1].key : OPENAI_NOINDEX_BASE + pos;
	for (i = 0; i < res->ncalls; i++)
		if (res->calls[i].id != NULL && strcmp(res->calls[i].id, id) == 0)
			return res->calls[i].key;
	return OPENAI_NOINDEX_BASE + (int)res->ncalls;
}

/* One delta.tool_calls[] element: fragments of several calls arrive
 * interleaved, keyed by "index"; id and name come once, arguments in
 * pieces. */
static int
openai_delta_call(struct llm_result *res, const cJSON *tc, int pos, const struct llm_stream_cb *cb)
{
	const cJSON *ix = cJSON_GetObjectItemCaseSensitive(tc, "index");
	const cJSON *fn = cJSON_GetObjectItemCaseSensitive(tc, "function");
	const char *name = llm_json_str(fn, "name"), *args = llm_json_str(fn, "arguments");
	struct llm_call *call;
	size_t idx;

	call = llm_result_call(
	    res, cJSON_IsNumber(ix) ? ix->valueint : openai_key_noindex(res, tc, pos), &idx);
	if (call == NULL) {
		llm_result_seterror(res, "too many tool calls in stream");
		return LLM_EV_MALFORMED;
	}
	if (llm_json_str(tc, "id") && call->id == NULL)
		call->id = xstrdup(llm_json_str(tc, "id"));
	if (name != NULL && *name && call->name == NULL)
		call->name = xstrdup(name);
	else
		name = NULL;
	if (args != NULL)
		strbuf_adds(&call->args, args);
	if (cb != NULL && cb->tool_delta != NULL && (name != NULL || (args && *args)))
		cb->tool_delta(idx, name, args ? args : "", cb->arg);
	return LLM_EV_OK;
}

static int
openai_delta(struct llm_result *res, const cJSON *ch, const struct llm_stream_cb *cb)
{
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(ch, "delta"), *tc;
	const char *text = llm_json_str(d, "content"), *fin = llm_json_str(ch, "finish_reason");
	int pos = 0, rc;

	if (text != NULL && *text) {
		size_t n = strlen(text);

		strbuf_add(&res->content, text, n);
		if (cb != NULL && cb->token != NULL)
			cb->token(text, n, cb->arg);
	}
	cJSON_ArrayForEach(tc, cJSON_GetObjectItemCaseSensitive(d, "tool_calls"))
	{
		if ((rc = openai_delta_call(res, tc, pos++, cb)) != LLM_EV_OK)
			return rc;
	}
	if (fin != NULL)
		llm_result_setfinish(res, openai_finish(fin));
	return LLM_EV_OK;
}

int
llm_openai_event(struct llm_result *res, const char *data, size_t len,
                 const struct llm_stream_cb *cb)
{
	cJSON *j;
	const cJSON *ch, *ix;
	int rc = LLM_EV_OK;

	if (len == 6 && memcmp(data, "[DONE]", 6) == 0) {
		res->done = 1;
		return LLM_EV_OK;
	}
	j = cJSON_ParseWithLength(data, len);
	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		llm_result_seterror(res, "stream event is not a JSON object");
		return LLM_EV_MALFORMED;
	}
	res->saw_event = 1;
	if (openai_error(res, j)) {
		rc = LLM_EV_PROVIDER;
	} else {
		ch = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "choices"), 0);
		/* We ask for one choice; a server that sends others anyway must
		 * not mix them into choice 0. */
		ix = cJSON_GetObjectItemCaseSensitive(ch, "index");
		if (ch != NULL && (!cJSON_IsNumber(ix) || ix->valueint == 0))
			rc = openai_delta(res, ch, cb);
		openai_usage(res, cJSON_GetObjectItemCaseSensitive(j, "usage"));
	}
	llm_result_keep_event(res, j, len);
	return rc;
}
