/*
 * mock_openai.c — render a script turn as an OpenAI Chat Completions reply:
 * a plain JSON body, or an SSE stream of chat.completion.chunk events (text
 * deltas, tool-call fragments by index, a usage chunk when asked, [DONE]).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/core/strbuf.h"
#include "lib/core/xmalloc.h"
#include "mockllm/mock.h"

#define MOCK_DELTA_BYTES 16 /* text/arguments per delta: many small events */

long
mock_tokens_estimate(size_t bytes)
{
	return (long)(bytes / 4) + 1;
}

const char *
mock_finish_reason(const struct mock_turn *t)
{
	if (t->finish_reason != NULL)
		return t->finish_reason;
	return t->ncalls > 0 ? "tool_calls" : "stop";
}

size_t
mock_utf8_cut(const char *s, size_t len, size_t max)
{
	size_t n;

	if (len <= max)
		return len;
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return n > 0 ? n : max;
}

void
mock_usage_numbers(const struct mock_render_ctx *c, long *pt, long *ct)
{
	const struct mock_turn *t = c->turn;
	size_t out = strlen(t->text), i;

	for (i = 0; i < t->ncalls; i++)
		out += strlen(t->calls[i].arguments) + strlen(t->calls[i].name);
	*pt = t->prompt_tokens >= 0 ? t->prompt_tokens : mock_tokens_estimate(c->request_len);
	*ct = t->completion_tokens >= 0 ? t->completion_tokens : mock_tokens_estimate(out);
}

static cJSON *
mock_oa_usage(const struct mock_render_ctx *c)
{
	cJSON *u = cJSON_CreateObject();
	long pt, ct;

	mock_usage_numbers(c, &pt, &ct);
	cJSON_AddNumberToObject(u, "prompt_tokens", (double)pt);
	cJSON_AddNumberToObject(u, "completion_tokens", (double)ct);
	cJSON_AddNumberToObject(u, "total_tokens", (double)(pt + ct));
	return u;
}

const char *
mock_req_model(const struct mock_render_ctx *c)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(c->request, "model");

	return cJSON_IsString(m) ? m->valuestring : "mock-model";
}

char *
mock_call_id(const struct mock_render_ctx *c, size_t i, const char *prefix)
{
	if (c->turn->calls[i].id != NULL)
		return xstrdup(c->turn->calls[i].id);
	return xasprintf("%s%lu_%zu", prefix, c->req_no, i);
}

static cJSON *
mock_oa_chunk(const struct mock_render_ctx *c)
{
	cJSON *o = cJSON_CreateObject();
	char id[64];

	snprintf(id, sizeof(id), "chatcmpl-mock-%lu", c->req_no);
	cJSON_AddStringToObject(o, "id", id);
	cJSON_AddStringToObject(o, "object", "chat.completion.chunk");
	cJSON_AddNumberToObject(o, "created", (double)time(NULL));
	cJSON_AddStringToObject(o, "model", mock_req_model(c));
	return o;
}

/* Emit one chunk whose only choice carries delta (taken) and finish. */
static void
mock_oa_emit(struct strbuf *sb, const struct mock_render_ctx *c, cJSON *delta, const char *finish)
{
	cJSON *o = mock_oa_chunk(c), *choices = cJSON_AddArrayToObject(o, "choices");
	cJSON *ch = cJSON_CreateObject();
	char *s;

	cJSON_AddNumberToObject(ch, "index", 0);
	cJSON_AddItemToObject(ch, "delta", delta);
	if (finish != NULL)
		cJSON_AddStringToObject(ch, "finish_reason", finish);
	else
		cJSON_AddNullToObject(ch, "finish_reason");
	cJSON_AddItemToArray(choices, ch);
	s = cJSON_PrintUnformatted(o);
	strbuf_addf(sb, "data: %s\n\n", s);
	free(s);
	cJSON_Delete(o);
}

static void
mock_oa_stream_call(struct strbuf *sb, const struct mock_render_ctx *c, size_t i)
{
	const struct mock_tool_call *tc = &c->turn->calls[i];
	const char *a = tc->arguments;
	size_t len = strlen(a), off = 0, n;
	cJSON *d, *arr, *call, *fn;
	char *id = mock_call_id(c, i, "call_mock_");
	char *piece;

	do {
		d = cJSON_CreateObject();
		arr = cJSON_AddArrayToObject(d, "tool_calls");
		call = cJSON_CreateObject();
		cJSON_AddNumberToObject(call, "index", (double)i);
		fn = cJSON_CreateObject();
		if (off == 0) {
			cJSON_AddStringToObject(call, "id", id);
			cJSON_AddStringToObject(call, "type", "function");
			cJSON_AddStringToObject(fn, "name", tc->name);
		}
		n = mock_utf8_cut(a + off, len - off, MOCK_DELTA_BYTES);
		piece = xstrndup(a + off, n);
		cJSON_AddStringToObject(fn, "arguments", piece);
		free(piece);
		off += n;
		cJSON_AddItemToObject(call, "function", fn);
		cJSON_AddItemToArray(arr, call);
		mock_oa_emit(sb, c, d, NULL);
	} while (off < len);
	free(id);
}

static void
mock_oa_stream(struct strbuf *sb, const struct mock_render_ctx *c)
{
	const char *text = c->turn->text;
	size_t len = strlen(text), off = 0, n, i;
	cJSON *d;
	char *piece, *s;

	d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "role", "assistant");
	cJSON_AddStringToObject(d, "content", "");
	mock_oa_emit(sb, c, d, NULL);
	if (c->malformed)
		strbuf_adds(sb, "data: {\"choices\": [{\"delta\": {\"content\": \"broken\"}]\n\n");
	while (off < len) {
		n = mock_utf8_cut(text + off, len - off, MOCK_DELTA_BYTES);
		piece = xstrndup(text + off, n);
		d = cJSON_CreateObject();
		cJSON_AddStringToObject(d, "content", piece);
		free(piece);
		mock_oa_emit(sb, c, d, NULL);
		off += n;
	}
	for (i = 0; i < c->turn->ncalls; i++)
		mock_oa_stream_call(sb, c, i);
	mock_oa_emit(sb, c, cJSON_CreateObject(), mock_finish_reason(c->turn));
	if (c->include_usage) {
		d = mock_oa_chunk(c);
		cJSON_AddArrayToObject(d, "choices");
		cJSON_AddItemToObject(d, "usage", mock_oa_usage(c));
		s = cJSON_PrintUnformatted(d);
		strbuf_addf(sb, "data: %s\n\n", s);
		free(s);
		cJSON_Delete(d);
	}
	strbuf_adds(sb, "data: [DONE]\n\n");
}

static cJSON *
mock_oa_message(const struct mock_render_ctx *c)
{
	cJSON *m = cJSON_CreateObject(), *arr, *call, *fn;
	size_t i;
	char *id;

	cJSON_AddStringToObject(m, "role", "assistant");
	if (c->turn->text[0] != '\0' || c->turn->ncalls == 0)
		cJSON_AddStringToObject(m, "content", c->turn->text);
	else
		cJSON_AddNullToObject(m, "content");
	if (c->turn->ncalls == 0)
		return m;
	arr = cJSON_AddArrayToObject(m, "tool_calls");
	for (i = 0; i < c->turn->ncalls; i++) {
		call = cJSON_CreateObject();
		id = mock_call_id(c, i, "call_mock_");
		cJSON_AddStringToObject(call, "id", id);
		free(id);
		cJSON_AddStringToObject(call, "type", "function");
		fn = cJSON_AddObjectToObject(call, "function");
		cJSON_AddStringToObject(fn, "name", c->turn->calls[i].name);
		cJSON_AddStringToObject(fn, "arguments", c->turn->calls[i].arguments);
		cJSON_AddItemToArray(arr, call);
	}
	return m;
}

static char *
mock_oa_plain(const struct mock_render_ctx *c)
{
	cJSON *o = cJSON_CreateObject(), *choices, *ch;
	char id[64], *s;

	snprintf(id, sizeof(id), "chatcmpl-mock-%lu", c->req_no);
	cJSON_AddStringToObject(o, "id", id);
	cJSON_AddStringToObject(o, "object", "chat.completion");
	cJSON_AddNumberToObject(o, "created", (double)time(NULL));
	cJSON_AddStringToObject(o, "model", mock_req_model(c));
	choices = cJSON_AddArrayToObject(o, "choices");
	ch = cJSON_CreateObject();
	cJSON_AddNumberToObject(ch, "index", 0);
	cJSON_AddItemToObject(ch, "message", mock_oa_message(c));
	cJSON_AddStringToObject(ch, "finish_reason", mock_finish_reason(c->turn));
	cJSON_AddItemToArray(choices, ch);
	cJSON_AddItemToObject(o, "usage", mock_oa_usage(c));
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return s;
}

void
mock_openai_render(const struct mock_render_ctx *c, struct mock_reply *r)
{
	struct strbuf sb = STRBUF_INIT;

	r->status = 200;
	if (c->stream) {
		mock_oa_stream(&sb, c);
		r->content_type = "text/event-stream";
		r->body = strbuf_detach(&sb, &r->len);
		return;
	}
	r->content_type = "application/json";
	if (c->malformed) {
		r->body = xstrdup("{\"id\": \"chatcmpl-mock\", \"choices\": [{\"message\": ");
	} else {
		r->body = mock_oa_plain(c);
	}
	r->len = strlen(r->body);
}

char *
mock_openai_error(const char *type, const char *msg)
{
	cJSON *o = cJSON_CreateObject(), *e = cJSON_AddObjectToObject(o, "error");
	char *s;

	cJSON_AddStringToObject(e, "message", msg);
	cJSON_AddStringToObject(e, "type", type);
	cJSON_AddNullToObject(e, "param");
	cJSON_AddStringToObject(e, "code", type);
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return s;
}
