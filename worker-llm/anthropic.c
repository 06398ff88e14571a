/* Anthropic Messages API adapter. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/strbuf.h"
#include "lib/core/xmalloc.h"
#include "worker-llm/adapter.h"

/* The Messages API requires max_tokens; this is what we send when the
 * model entry does not say. */
#define ANTHROPIC_DEFAULT_MAX_TOKENS 4096

static const char *const anthropic_params[] = {
    "temperature", "top_p", "top_k", "max_tokens", "stop_sequences", "metadata", "thinking", NULL,
};

static void
anthropic_text_block(cJSON *blocks, const char *text)
{
	cJSON *b;

	if (text == NULL || *text == '\0') /* the API rejects empty text blocks */
		return;
	b = cJSON_CreateObject();
	cJSON_AddStringToObject(b, "type", "text");
	cJSON_AddStringToObject(b, "text", text);
	cJSON_AddItemToArray(blocks, b);
}

/* Arguments are JSON text in the neutral form; Anthropic wants an object.
 * Text that does not parse as an object is sent as {} (the tool result
 * that follows tells the model what went wrong). */
static cJSON *
anthropic_input(const cJSON *args)
{
	cJSON *j;

	if (cJSON_IsObject(args))
		return cJSON_Duplicate(args, 1);
	j = cJSON_IsString(args) ? cJSON_Parse(args->valuestring) : NULL;
	if (cJSON_IsObject(j))
		return j;
	cJSON_Delete(j);
	return cJSON_CreateObject();
}

static void
anthropic_tool_uses(cJSON *blocks, const cJSON *calls)
{
	const cJSON *c;
	cJSON *b;

	cJSON_ArrayForEach(c, calls)
	{
		b = cJSON_CreateObject();
		cJSON_AddStringToObject(b, "type", "tool_use");
		cJSON_AddStringToObject(b, "id",
		                        llm_json_str(c, "id") ? llm_json_str(c, "id") : "");
		cJSON_AddStringToObject(b, "name",
		                        llm_json_str(c, "name") ? llm_json_str(c, "name") : "");
		cJSON_AddItemToObject(
		    b, "input", anthropic_input(cJSON_GetObjectItemCaseSensitive(c, "arguments")));
		cJSON_AddItemToArray(blocks, b);
	}
}

/* OpenAI-style content arrays ([{type: text, text}]): their text parts. */
static void
anthropic_text_parts(cJSON *blocks, const cJSON *content)
{
	const cJSON *part;
	const char *type;

	if (!cJSON_IsArray(content))
		return;
	cJSON_ArrayForEach(part, content)
	{
		type = llm_json_str(part, "type");
		if (type != NULL && strcmp(type, "text") == 0)
			anthropic_text_block(blocks, llm_json_str(part, "text"));
	}
}

/* The role and content blocks of one non-system message. */
static const char *
anthropic_blocks(const cJSON *in, const char *role, cJSON *blocks)
{
	const char *text = llm_json_str(in, "content");
	cJSON *b;

	if (strcmp(role, "tool") == 0) {
		b = cJSON_CreateObject();
		cJSON_AddStringToObject(b, "type", "tool_result");
		cJSON_AddStringToObject(
		    b, "tool_use_id",
		    llm_json_str(in, "tool_call_id") ? llm_json_str(in, "tool_call_id") : "");
		cJSON_AddStringToObject(b, "content", text ? text : "");
		cJSON_AddItemToArray(blocks, b);
		return "user";
	}
	anthropic_text_block(blocks, text);
	anthropic_text_parts(blocks, cJSON_GetObjectItemCaseSensitive(in, "content"));
	if (strcmp(role, "assistant") == 0)
		anthropic_tool_uses(blocks, cJSON_GetObjectItemCaseSensitive(in, "tool_calls"));
	return role;
}

/* Append one message, merging into the previous one when the role repeats:
 * the API wants user/assistant turns to alternate, and several tool results
 * of one turn belong in one user message. */
static void
anthropic_append(cJSON *msgs, const char *role, cJSON *blocks)
{
	cJSON *last = cJSON_GetArrayItem(msgs, cJSON_GetArraySize(msgs) - 1), *m, *b;

	if (cJSON_GetArraySize(blocks) == 0) {
		cJSON_Delete(blocks);
		return;
	}
	if (last != NULL && strcmp(llm_json_str(last, "role"), role) == 0) {
		cJSON *dst = cJSON_GetObjectItemCaseSensitive(last, "content");

		while ((b = cJSON_DetachItemFromArray(blocks, 0)) != NULL)
			cJSON_AddItemToArray(dst, b);
		cJSON_Delete(blocks);
		return;
	}
	m = cJSON_CreateObject();
	cJSON_AddStringToObject(m, "role", role);
	cJSON_AddItemToObject(m, "content", blocks);
	cJSON_AddItemToArray(msgs, m);
}

static int
anthropic_messages(cJSON *w, const cJSON *msgs, char *err, size_t errlen)
{
	cJSON *out = cJSON_CreateArray(), *blocks;
	const cJSON *in;
	const char *role, *text;
	struct strbuf sys = STRBUF_INIT;
	size_t i = 0;

	cJSON_ArrayForEach(in, msgs)
	{
		role = llm_json_str(in, "role");
		if (role == NULL || (strcmp(role, "system") && strcmp(role, "user") &&
		                     strcmp(role, "assistant") && strcmp(role, "tool"))) {
			snprintf(err, errlen,
			         "messages[%zu]: role must be system|user|assistant|tool", i);
			cJSON_Delete(out);
			strbuf_free(&sys);
			return -1;
		}
		i++;
		if (strcmp(role, "system") == 0) { /* system text is a top-level field */
			text = llm_json_str(in, "content");
			strbuf_addf(&sys, "%s%s", sys.len ? "\n\n" : "", text ? text : "");
			continue;
		}
		blocks = cJSON_CreateArray();
		role = anthropic_blocks(in, role, blocks);
		anthropic_append(out, role, blocks);
	}
	if (sys.len > 0)
		cJSON_AddStringToObject(w, "system", strbuf_str(&sys));
	strbuf_free(&sys);
	cJSON_AddItemToObject(w, "messages", out);
	return 0;
}

static cJSON *
anthropic_tools(const cJSON *tools)
{
	cJSON *out = cJSON_CreateArray(), *t;
	const cJSON *in, *params;

	cJSON_ArrayForEach(in, tools)
	{
		t = cJSON_CreateObject();
		cJSON_AddStringToObject(t, "name",
		                        llm_json_str(in, "name") ? llm_json_str(in, "name") : "");
		if (llm_json_str(in, "description"))
			cJSON_AddStringToObject(t, "description", llm_json_str(in, "description"));
		params = cJSON_GetObjectItemCaseSensitive(in, "parameters");
		cJSON_AddItemToObject(t, "input_schema",
		                      cJSON_IsObject(params)
		                          ? cJSON_Duplicate(params, 1)
		                          : cJSON_Parse("{\"type\":\"object\",\"properties\":{}}"));
		cJSON_AddItemToArray(out, t);
	}
	return out;
}

/* auto -> {type:auto}, required -> {type:any}, none -> {type:none},
 * a name -> {type:tool,name}; parallel_tools:false adds
 * disable_parallel_tool_use. */
static cJSON *
anthropic_tool_choice(const cJSON *tc, const cJSON *params)
{
	const cJSON *par = cJSON_GetObjectItemCaseSensitive(params, "parallel_tools");
	const char *s = cJSON_IsString(tc) ? tc->valuestring : NULL;
	const char *name = cJSON_IsObject(tc) ? llm_json_str(tc, "name") : NULL;
	cJSON *o;

	if (tc == NULL && !cJSON_IsFalse(par))
		return NULL;
	o = cJSON_CreateObject();
	if (s != NULL && strcmp(s, "required") == 0)
		cJSON_AddStringToObject(o, "type", "any");
	else if (s != NULL && strcmp(s, "none") == 0)
		cJSON_AddStringToObject(o, "type", "none");
	else if (name != NULL || (s != NULL && strcmp(s, "auto") != 0)) {
		cJSON_AddStringToObject(o, "type", "tool");
		cJSON_AddStringToObject(o, "name", name ? name : s);
	} else
		cJSON_AddStringToObject(o, "type", "auto");
	if (cJSON_IsFalse(par))
		cJSON_AddTrueToObject(o, "disable_parallel_tool_use");
	return o;
}

cJSON *
llm_anthropic_build(const struct llm_wire *wi, const cJSON *req, char *err, size_t errlen)
{
	const cJSON *msgs = cJSON_GetObjectItemCaseSensitive(req, "messages");
	const cJSON *tools = cJSON_GetObjectItemCaseSensitive(req, "tools"), *stop;
	cJSON *w = cJSON_CreateObject(), *flat = NULL, *tc;

	if (!cJSON_IsArray(msgs) || cJSON_GetArraySize(msgs) == 0) {
		snprintf(err, errlen, "messages: a non-empty array is required");
		cJSON_Delete(w);
		return NULL;
	}
	cJSON_AddStringToObject(w, "model", wi->model);
	if (!wi->native_tools)
		msgs = flat = llm_wire_flatten(msgs);
	if (anthropic_messages(w, msgs, err, errlen) < 0) {
		cJSON_Delete(flat);
		cJSON_Delete(w);
		return NULL;
	}
	cJSON_Delete(flat);
	if (wi->native_tools && cJSON_GetArraySize(tools) > 0) {
		cJSON_AddItemToObject(w, "tools", anthropic_tools(tools));
		tc = anthropic_tool_choice(cJSON_GetObjectItemCaseSensitive(req, "tool_choice"),
		                           wi->params);
		if (tc != NULL)
			cJSON_AddItemToObject(w, "tool_choice", tc);
	}
	llm_wire_copy_params(w, wi->params, anthropic_params);
	if (!cJSON_HasObjectItem(w, "max_tokens"))
		cJSON_AddNumberToObject(w, "max_tokens", ANTHROPIC_DEFAULT_MAX_TOKENS);
	stop = cJSON_GetObjectItemCaseSensitive(wi->params, "stop"); /* OpenAI spelling */
	if (stop != NULL && !cJSON_HasObjectItem(w, "stop_sequences")) {
		cJSON *arr = cJSON_IsArray(stop) ? cJSON_Duplicate(stop, 1) : cJSON_CreateArray();

		if (cJSON_IsString(stop))
			cJSON_AddItemToArray(arr, cJSON_CreateString(stop->valuestring));
		cJSON_AddItemToObject(w, "stop_sequences", arr);
	}
	if (wi->stream)
		cJSON_AddTrueToObject(w, "stream");
	return w;
}

static const char *
anthropic_finish(const char *stop)
{
	if (!strcmp(stop, "tool_use"))
		return "tool_calls";
	if (!strcmp(stop, "max_tokens"))
		return "length";
	if (!strcmp(stop, "refusal"))
		return "content_filter";
	return "stop"; /* end_turn, stop_sequence, pause_turn */
}

static void
anthropic_usage(struct llm_result *res, const cJSON *u)
{
	res->prompt_tokens = llm_json_count(u, "input_tokens", res->prompt_tokens);
	/* cumulative in message_delta */
	res->completion_tokens = llm_json_count(u, "output_tokens", res->completion_tokens);
}

static int
anthropic_error(struct llm_result *res, const cJSON *j)
{
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "error");
	const char *type = llm_json_str(j, "type");

	if ((type == NULL || strcmp(type, "error") != 0) && !cJSON_IsObject(e))
		return 0;
	llm_result_seterror(res, cJSON_IsObject(e) ? llm_json_str(e, "message") : NULL);
	llm_result_setfinish(res, "error");
	return 1;
}

int
llm_anthropic_parse(const char *body, size_t len, struct llm_result *res)
{
	cJSON *j = cJSON_ParseWithLength(body, len);
	const cJSON *blocks, *b;
	struct llm_call *call;
	const char *type, *stop;
	size_t idx;
	char *args;
	int key = 0;

	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		llm_result_seterror(res, "response is not a JSON object");
		return LLM_EV_MALFORMED;
	}
	res->raw = j;
	if (anthropic_error(res, j))
		return LLM_EV_PROVIDER;
	blocks = cJSON_GetObjectItemCaseSensitive(j, "content");
	if (!cJSON_IsArray(blocks)) {
		llm_result_seterror(res, "response has no content array");
		return LLM_EV_MALFORMED;
	}
	cJSON_ArrayForEach(b, blocks)
	{
		type = llm_json_str(b, "type");
		if (type != NULL && strcmp(type, "text") == 0 && llm_json_str(b, "text")) {
			strbuf_adds(&res->content, llm_json_str(b, "text"));
		} else if (type != NULL && strcmp(type, "tool_use") == 0) {
			if ((call = llm_result_call(res, key++, &idx)) == NULL) {
				llm_result_seterror(res, "too many tool calls");
				return LLM_EV_MALFORMED;
			}
			call->id = llm_json_str(b, "id") ? xstrdup(llm_json_str(b, "id")) : NULL;
			call->name =
			    llm_json_str(b, "name") ? xstrdup(llm_json_str(b, "name")) : NULL;
			args = llm_wire_args_text(cJSON_GetObjectItemCaseSensitive(b, "input"));
			strbuf_adds(&call->args, args);
			free(args);
		}
	}
	if ((stop = llm_json_str(j, "stop_reason")) != NULL)
		llm_result_setfinish(res, anthropic_finish(stop));
	anthropic_usage(res, cJSON_GetObjectItemCaseSensitive(j, "usage"));
	res->done = 1;
	return LLM_EV_OK;
}

static int
anthropic_block_start(struct llm_result *res, const cJSON *j, const struct llm_stream_cb *cb)
{
	const cJSON *ix = cJSON_GetObjectItemCaseSensitive(j, "index");
	const cJSON *b = cJSON_GetObjectItemCaseSensitive(j, "content_block");
	const char *type = llm_json_str(b, "type"), *text;
	struct llm_call *call;
	size_t idx;

	if (!cJSON_IsNumber(ix) || type == NULL) {
		llm_result_seterror(res, "content_block_start without index or type");
		return LLM_EV_MALFORMED;
	}
	if (strcmp(type, "text") == 0 && (text = llm_json_str(b, "text")) != NULL && *text) {
		strbuf_adds(&res->content, text);
		if (cb != NULL && cb->token != NULL)
			cb->token(text, strlen(text), cb->arg);
	} else if (strcmp(type, "tool_use") == 0) {
		if ((call = llm_result_call(res, ix->valueint, &idx)) == NULL) {
			llm_result_seterror(res, "too many tool calls in stream");
			return LLM_EV_MALFORMED;
		}
		if (call->id == NULL && llm_json_str(b, "id"))
			call->id = xstrdup(llm_json_str(b, "id"));
		if (call->name == NULL && llm_json_str(b, "name"))
			call->name = xstrdup(llm_json_str(b, "name"));
		if (cb != NULL && cb->tool_delta != NULL && call->name != NULL)
			cb->tool_delta(idx, call->name, "", cb->arg);
	}
	return LLM_EV_OK;
}

static int
anthropic_block_delta(struct llm_result *res, const cJSON *j, const struct llm_stream_cb *cb)
{
	const cJSON *ix = cJSON_GetObjectItemCaseSensitive(j, "index");
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(j, "delta");
	const char *type = llm_json_str(d, "type"), *s;
	struct llm_call *call;
	size_t idx = 0, i;

	if (type != NULL && strcmp(type, "text_delta") == 0 && (s = llm_json_str(d, "text"))) {
		strbuf_adds(&res->content, s);
		if (cb != NULL && cb->token != NULL && *s)
			cb->token(s, strlen(s), cb->arg);
	} else if (type != NULL && strcmp(type, "input_json_delta") == 0) {
		s = llm_json_str(d, "partial_json");
		call = NULL;
		for (i = 0; cJSON_IsNumber(ix) && i < res->ncalls; i++)
			if (res->calls[i].key == ix->valueint)
				call = &res->calls[idx = i];
		if (call == NULL || s == NULL) { /* a delta for a block never started */
			llm_result_seterror(res, "input_json_delta for an unknown tool_use block");
			return LLM_EV_MALFORMED;
		}
		strbuf_adds(&call->args, s);
		if (cb != NULL && cb->tool_delta != NULL && *s)
			cb->tool_delta(idx, NULL, s, cb->arg);
	}
	/* thinking_delta / signature_delta / citations: not part of the reply */
	return LLM_EV_OK;
}

int
llm_anthropic_event(struct llm_result *res, const char *data, size_t len,
                    const struct llm_stream_cb *cb)
{
	cJSON *j = cJSON_ParseWithLength(data, len);
	const char *type = llm_json_str(j, "type"), *stop;
	int rc = LLM_EV_OK;

	if (!cJSON_IsObject(j) || type == NULL) {
		cJSON_Delete(j);
		llm_result_seterror(res, "stream event is not a JSON object with a type");
		return LLM_EV_MALFORMED;
	}
	res->saw_event = 1;
	if (anthropic_error(res, j))
		rc = LLM_EV_PROVIDER;
	else if (!strcmp(type, "message_start"))
		anthropic_usage(res, cJSON_GetObjectItemCaseSensitive(
		                         cJSON_GetObjectItemCaseSensitive(j, "message"), "usage"));
	else if (!strcmp(type, "content_block_start"))
		rc = anthropic_block_start(res, j, cb);
	else if (!strcmp(type, "content_block_delta"))
		rc = anthropic_block_delta(res, j, cb);
	else if (!strcmp(type, "message_delta")) {
		stop = llm_json_str(cJSON_GetObjectItemCaseSensitive(j, "delta"), "stop_reason");
		if (stop != NULL)
			llm_result_setfinish(res, anthropic_finish(stop));
		anthropic_usage(res, cJSON_GetObjectItemCaseSensitive(j, "usage"));
	} else if (!strcmp(type, "message_stop"))
		res->done = 1;
	/* ping, content_block_stop and unknown future types are ignored */
	llm_result_keep_event(res, j, len);
	return rc;
}
