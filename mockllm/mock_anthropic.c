/*
 * mock_anthropic.c — render a script turn as an Anthropic Messages reply:
 * a plain JSON message, or the SSE event sequence message_start, ping,
 * content_block_start/delta/stop per block (text_delta, input_json_delta),
 * message_delta (stop_reason, usage), message_stop.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/strbuf.h"
#include "lib/core/xmalloc.h"
#include "mockllm/mock.h"

#define MOCK_DELTA_BYTES 16

static const char *
mock_an_stop_reason(const struct mock_turn *t)
{
	const char *f = mock_finish_reason(t);

	if (strcmp(f, "stop") == 0)
		return "end_turn";
	if (strcmp(f, "tool_calls") == 0)
		return "tool_use";
	if (strcmp(f, "length") == 0)
		return "max_tokens";
	return f; /* already Anthropic-shaped (end_turn, stop_sequence ...) */
}

/* Emit "event: TYPE" + "data: {...}" and free o. */
static void
mock_an_emit(struct strbuf *sb, cJSON *o)
{
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(o, "type");
	char *s = cJSON_PrintUnformatted(o);

	strbuf_addf(sb, "event: %s\ndata: %s\n\n", type->valuestring, s);
	free(s);
	cJSON_Delete(o);
}

static cJSON *
mock_an_event(const char *type, int index)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "type", type);
	if (index >= 0)
		cJSON_AddNumberToObject(o, "index", index);
	return o;
}

static cJSON *
mock_an_message(const struct mock_render_ctx *c, int with_content)
{
	cJSON *m = cJSON_CreateObject(), *u;
	char id[64];
	long pt, ct;

	mock_usage_numbers(c, &pt, &ct);
	snprintf(id, sizeof(id), "msg_mock_%lu", c->req_no);
	cJSON_AddStringToObject(m, "id", id);
	cJSON_AddStringToObject(m, "type", "message");
	cJSON_AddStringToObject(m, "role", "assistant");
	cJSON_AddStringToObject(m, "model", mock_req_model(c));
	if (!with_content)
		cJSON_AddArrayToObject(m, "content");
	if (with_content)
		cJSON_AddStringToObject(m, "stop_reason", mock_an_stop_reason(c->turn));
	else
		cJSON_AddNullToObject(m, "stop_reason");
	cJSON_AddNullToObject(m, "stop_sequence");
	u = cJSON_AddObjectToObject(m, "usage");
	cJSON_AddNumberToObject(u, "input_tokens", (double)pt);
	cJSON_AddNumberToObject(u, "output_tokens", with_content ? (double)ct : 1);
	return m;
}

/* Stream one string as deltas of kind dtype with field name fld. */
static void
mock_an_deltas(struct strbuf *sb, int index, const char *dtype, const char *fld, const char *s)
{
	size_t len = strlen(s), off = 0, n;
	cJSON *o, *d;
	char *piece;

	while (off < len) {
		n = mock_utf8_cut(s + off, len - off, MOCK_DELTA_BYTES);
		piece = xstrndup(s + off, n);
		o = mock_an_event("content_block_delta", index);
		d = cJSON_AddObjectToObject(o, "delta");
		cJSON_AddStringToObject(d, "type", dtype);
		cJSON_AddStringToObject(d, fld, piece);
		free(piece);
		mock_an_emit(sb, o);
		off += n;
	}
}

static void
mock_an_stream_blocks(struct strbuf *sb, const struct mock_render_ctx *c)
{
	int idx = 0;
	size_t i;
	cJSON *o, *b;
	char *id;

	if (c->turn->text[0] != '\0' || c->turn->ncalls == 0) {
		o = mock_an_event("content_block_start", idx);
		b = cJSON_AddObjectToObject(o, "content_block");
		cJSON_AddStringToObject(b, "type", "text");
		cJSON_AddStringToObject(b, "text", "");
		mock_an_emit(sb, o);
		mock_an_deltas(sb, idx, "text_delta", "text", c->turn->text);
		mock_an_emit(sb, mock_an_event("content_block_stop", idx++));
	}
	for (i = 0; i < c->turn->ncalls; i++, idx++) {
		o = mock_an_event("content_block_start", idx);
		b = cJSON_AddObjectToObject(o, "content_block");
		cJSON_AddStringToObject(b, "type", "tool_use");
		id = mock_call_id(c, i, "toolu_mock_");
		cJSON_AddStringToObject(b, "id", id);
		free(id);
		cJSON_AddStringToObject(b, "name", c->turn->calls[i].name);
		cJSON_AddObjectToObject(b, "input");
		mock_an_emit(sb, o);
		mock_an_deltas(sb, idx, "input_json_delta", "partial_json",
		               c->turn->calls[i].arguments);
		mock_an_emit(sb, mock_an_event("content_block_stop", idx));
	}
}

static void
mock_an_stream(struct strbuf *sb, const struct mock_render_ctx *c)
{
	cJSON *o, *d;
	long pt, ct;

	o = mock_an_event("message_start", -1);
	cJSON_AddItemToObject(o, "message", mock_an_message(c, 0));
	mock_an_emit(sb, o);
	mock_an_emit(sb, mock_an_event("ping", -1));
	if (c->malformed)
		strbuf_adds(sb, "event: content_block_delta\ndata: {\"type\": "
		                "\"content_block_delta\", \"index\": 0, \"delta\": {\n\n");
	mock_an_stream_blocks(sb, c);
	mock_usage_numbers(c, &pt, &ct);
	o = mock_an_event("message_delta", -1);
	d = cJSON_AddObjectToObject(o, "delta");
	cJSON_AddStringToObject(d, "stop_reason", mock_an_stop_reason(c->turn));
	cJSON_AddNullToObject(d, "stop_sequence");
	d = cJSON_AddObjectToObject(o, "usage");
	cJSON_AddNumberToObject(d, "output_tokens", (double)ct);
	mock_an_emit(sb, o);
	mock_an_emit(sb, mock_an_event("message_stop", -1));
}

static char *
mock_an_plain(const struct mock_render_ctx *c)
{
	cJSON *m = mock_an_message(c, 1), *content, *b, *input;
	size_t i;
	char *id, *s;

	content = cJSON_CreateArray();
	if (c->turn->text[0] != '\0' || c->turn->ncalls == 0) {
		b = cJSON_CreateObject();
		cJSON_AddStringToObject(b, "type", "text");
		cJSON_AddStringToObject(b, "text", c->turn->text);
		cJSON_AddItemToArray(content, b);
	}
	for (i = 0; i < c->turn->ncalls; i++) {
		b = cJSON_CreateObject();
		cJSON_AddStringToObject(b, "type", "tool_use");
		id = mock_call_id(c, i, "toolu_mock_");
		cJSON_AddStringToObject(b, "id", id);
		free(id);
		cJSON_AddStringToObject(b, "name", c->turn->calls[i].name);
		input = cJSON_Parse(c->turn->calls[i].arguments);
		cJSON_AddItemToObject(b, "input", input ? input : cJSON_CreateObject());
		cJSON_AddItemToArray(content, b);
	}
	cJSON_AddItemToObject(m, "content", content);
	s = cJSON_PrintUnformatted(m);
	cJSON_Delete(m);
	return s;
}

void
mock_anthropic_render(const struct mock_render_ctx *c, struct mock_reply *r)
{
	struct strbuf sb = STRBUF_INIT;

	r->status = 200;
	if (c->stream) {
		mock_an_stream(&sb, c);
		r->content_type = "text/event-stream";
		r->body = strbuf_detach(&sb, &r->len);
		return;
	}
	r->content_type = "application/json";
	if (c->malformed)
		r->body = xstrdup("{\"id\": \"msg_mock\", \"type\": \"message\", \"content\": [");
	else
		r->body = mock_an_plain(c);
	r->len = strlen(r->body);
}

char *
mock_anthropic_error(const char *type, const char *msg)
{
	cJSON *o = cJSON_CreateObject(), *e;
	char *s;

	cJSON_AddStringToObject(o, "type", "error");
	e = cJSON_AddObjectToObject(o, "error");
	cJSON_AddStringToObject(e, "type", type);
	cJSON_AddStringToObject(e, "message", msg);
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return s;
}
