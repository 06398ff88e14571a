/* SSE parser: the grammar, and whole provider transcripts split at every
 * byte offset (mid-line, between CR and LF, mid-UTF-8) giving the same
 * result as the unsplit transcript. */
#include <criterion/criterion.h>
#include <string.h>

#include "lib/core/strbuf.h"
#include "worker-llm/adapter.h"
#include "worker-llm/sse.h"

struct collect {
	struct strbuf all; /* "event|data\n" per dispatched event */
	int stop_after;    /* stop (return 7) after this many, 0 = never */
	int n;
};

static int
collect_fn(const char *event, const char *data, size_t len, void *arg)
{
	struct collect *c = arg;

	cr_assert_eq(strlen(data), len, "data is NUL-terminated at len");
	strbuf_addf(&c->all, "%s|%s\n", event, data);
	c->n++;
	return c->stop_after && c->n >= c->stop_after ? 7 : 0;
}

static char *
parse_chunks(const char *in, size_t len, size_t split)
{
	struct collect c = {STRBUF_INIT, 0, 0};
	struct llm_sse *p = llm_sse_new(collect_fn, &c);

	cr_assert_eq(llm_sse_feed(p, in, split), 0);
	cr_assert_eq(llm_sse_feed(p, in + split, len - split), 0);
	llm_sse_free(p);
	return strbuf_detach(&c.all, NULL);
}

static char *
parse_one(const char *in)
{
	return parse_chunks(in, strlen(in), 0);
}

Test(llm_sse, data_with_and_without_space)
{
	char *s = parse_one("data: a\n\ndata:b\n\ndata:  c\n\n");

	cr_assert_str_eq(s, "|a\n|b\n| c\n");
	free(s);
}

Test(llm_sse, multiline_data_joined_with_newline)
{
	char *s = parse_one("data: one\ndata: two\ndata:\n\n");

	cr_assert_str_eq(s, "|one\ntwo\n\n");
	free(s);
}

Test(llm_sse, comments_and_unknown_fields_ignored)
{
	char *s = parse_one(": keep-alive\n\nid: 5\nretry: 10\nfoo: bar\ndata: x\n\n:\n\n");

	cr_assert_str_eq(s, "|x\n");
	free(s);
}

Test(llm_sse, event_field_kept_and_reset)
{
	char *s = parse_one("event: message_start\ndata: {}\n\ndata: y\n\n");

	cr_assert_str_eq(s, "message_start|{}\n|y\n");
	free(s);
}

Test(llm_sse, crlf_cr_and_lf_line_ends)
{
	char *s = parse_one("data: a\r\n\r\ndata: b\r\rdata: c\n\n");

	cr_assert_str_eq(s, "|a\n|b\n|c\n");
	free(s);
}

Test(llm_sse, crlf_split_between_cr_and_lf_is_one_line_end)
{
	static const char in[] = "data: a\r\n\r\ndata: b\r\n\r\n";
	size_t k;

	for (k = 0; k <= sizeof(in) - 1; k++) {
		char *s = parse_chunks(in, sizeof(in) - 1, k);

		cr_assert_str_eq(s, "|a\n|b\n", "split at %zu", k);
		free(s);
	}
}

Test(llm_sse, event_without_data_not_dispatched)
{
	char *s = parse_one("event: ping\n\n\n\n");

	cr_assert_str_eq(s, "");
	free(s);
}

Test(llm_sse, unterminated_event_at_eof_is_discarded)
{
	struct collect c = {STRBUF_INIT, 0, 0};
	struct llm_sse *p = llm_sse_new(collect_fn, &c);

	cr_assert_eq(llm_sse_feed(p, "data: done\n\ndata: {\"half", 22), 0);
	cr_assert_eq(c.n, 1);
	cr_assert_gt(llm_sse_pending(p), 0);
	llm_sse_free(p);
	strbuf_free(&c.all);
}

Test(llm_sse, callback_stop_value_is_returned_and_parser_spent)
{
	struct collect c = {STRBUF_INIT, 1, 0};
	struct llm_sse *p = llm_sse_new(collect_fn, &c);

	cr_assert_eq(llm_sse_feed(p, "data: 1\n\ndata: 2\n\n", 18), 7);
	cr_assert_eq(c.n, 1);
	cr_assert_eq(llm_sse_feed(p, "data: 3\n\n", 9), -1);
	llm_sse_free(p);
	strbuf_free(&c.all);
}

Test(llm_sse, oversized_line_is_refused)
{
	struct collect c = {STRBUF_INIT, 0, 0};
	struct llm_sse *p = llm_sse_new(collect_fn, &c);
	size_t n = 1024 * 1024, i;
	char *big = malloc(n);
	int rc = 0;

	memset(big, 'x', n);
	for (i = 0; i < 17 && rc == 0; i++)
		rc = llm_sse_feed(p, big, n);
	cr_assert_eq(rc, -1);
	free(big);
	llm_sse_free(p);
	strbuf_free(&c.all);
}

/* ---- whole transcripts through the adapters' stream parsers ---- */

/* OpenAI: role chunk, UTF-8 text (2-, 3- and 4-byte sequences), two tool
 * calls whose argument fragments interleave by index, a keep-alive
 * comment, "data:" without a space, CRLF lines, usage in a last chunk with
 * empty choices, [DONE]. */
static const char openai_transcript[] =
    ": OPENROUTER PROCESSING\n\n"
    "data: "
    "{\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]"
    "}\n\n"
    "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"H\xc3\xa9llo "
    "\"}}]}\r\n\r\n"
    "data:{\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"w\xe2\x82\xacrld "
    "\xf0\x9f\x99\x82\"}}]}\n\n"
    "data: "
    "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_a\",\"type\":"
    "\"function\",\"function\":{\"name\":\"read_file\",\"arguments\":\"\"}}]}}]}\n\n"
    "data: "
    "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,\"id\":\"call_b\",\"type\":"
    "\"function\",\"function\":{\"name\":\"run_shell\",\"arguments\":\"{\\\"com\"}}]}}]}\n\n"
    ": keep-alive\n\n"
    "data: "
    "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{"
    "\"arguments\":\"{\\\"path\\\": \"}}]}}]}\n\n"
    "data: "
    "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,\"function\":{"
    "\"arguments\":\"mand\\\": \\\"ls\\\"}\"}}]}}]}\n\n"
    "data: "
    "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{"
    "\"arguments\":\"\\\"a.c\\\"}\"}}]}}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\n"
    "data: "
    "{\"choices\":[],\"usage\":{\"prompt_tokens\":42,\"completion_tokens\":17,\"total_tokens\":59}}"
    "\n\n"
    "data: [DONE]\n\n";

/* Anthropic: message_start with input usage, a text block, a tool_use block
 * with input_json_delta fragments, ping, message_delta with stop_reason and
 * output usage, message_stop. */
static const char anthropic_transcript[] =
    "event: message_start\n"
    "data: "
    "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":"
    "\"assistant\",\"content\":[],\"model\":\"claude\",\"usage\":{\"input_tokens\":25,\"output_"
    "tokens\":1}}}\n\n"
    "event: content_block_start\n"
    "data: "
    "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":"
    "\"\"}}\n\n"
    "event: ping\ndata: {\"type\": \"ping\"}\n\n"
    "event: content_block_delta\n"
    "data: "
    "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":"
    "\"Gr\xc3\xbc\xc3\x9f \"}}\n\n"
    "event: content_block_delta\n"
    "data: "
    "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":"
    "\"dich \xe6\x97\xa5\"}}\n\n"
    "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
    "event: content_block_start\n"
    "data: "
    "{\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"tool_use\",\"id\":"
    "\"toolu_1\",\"name\":\"read_file\",\"input\":{}}}\n\n"
    "event: content_block_delta\n"
    "data: "
    "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\","
    "\"partial_json\":\"\"}}\n\n"
    "event: content_block_delta\n"
    "data: "
    "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\","
    "\"partial_json\":\"{\\\"path\\\": \\\"m\"}}\n\n"
    "event: content_block_delta\n"
    "data: "
    "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\","
    "\"partial_json\":\"ain.c\\\"}\"}}\n\n"
    "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":1}\n\n"
    "event: message_delta\n"
    "data: "
    "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\",\"stop_sequence\":null},"
    "\"usage\":{\"output_tokens\":33}}\n\n"
    "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

struct run {
	struct llm_result res;
	int anthropic;
	int rc;
	struct strbuf tokens;
};

static void
run_token(const char *t, size_t n, void *arg)
{
	strbuf_add(&((struct run *)arg)->tokens, t, n);
}

static int
run_event(const char *event, const char *data, size_t len, void *arg)
{
	struct run *r = arg;
	struct llm_stream_cb cb = {run_token, NULL, NULL, r};

	r->rc = r->anthropic ? llm_anthropic_event(&r->res, data, len, &cb)
	                     : llm_openai_event(&r->res, data, len, &cb);
	return r->rc != LLM_EV_OK;
}

static void
run_split(struct run *r, const char *t, size_t len, size_t k, int anthropic)
{
	struct llm_sse *p;

	llm_result_init(&r->res);
	strbuf_init(&r->tokens);
	r->anthropic = anthropic;
	r->rc = 0;
	p = llm_sse_new(run_event, r);
	llm_sse_feed(p, t, k);
	llm_sse_feed(p, t + k, len - k);
	llm_sse_free(p);
}

static void
run_free(struct run *r)
{
	llm_result_free(&r->res);
	strbuf_free(&r->tokens);
}

Test(llm_sse_openai, transcript_split_at_every_offset)
{
	size_t len = sizeof(openai_transcript) - 1, k;
	struct run r;

	for (k = 0; k <= len; k++) {
		run_split(&r, openai_transcript, len, k, 0);
		cr_assert_eq(r.rc, LLM_EV_OK, "split %zu", k);
		cr_assert_str_eq(strbuf_str(&r.res.content),
		                 "H\xc3\xa9llo w\xe2\x82\xacrld \xf0\x9f\x99\x82", "split %zu", k);
		cr_assert_str_eq(strbuf_str(&r.tokens), strbuf_str(&r.res.content));
		cr_assert_eq(r.res.ncalls, 2);
		cr_assert_str_eq(r.res.calls[0].id, "call_a");
		cr_assert_str_eq(r.res.calls[0].name, "read_file");
		cr_assert_str_eq(strbuf_str(&r.res.calls[0].args), "{\"path\": \"a.c\"}",
		                 "split %zu", k);
		cr_assert_str_eq(r.res.calls[1].name, "run_shell");
		cr_assert_str_eq(strbuf_str(&r.res.calls[1].args), "{\"command\": \"ls\"}");
		cr_assert_str_eq(r.res.finish, "tool_calls");
		cr_assert_eq(r.res.prompt_tokens, 42);
		cr_assert_eq(r.res.completion_tokens, 17);
		cr_assert(r.res.done);
		run_free(&r);
	}
}

Test(llm_sse_openai, transcript_fed_byte_by_byte)
{
	size_t len = sizeof(openai_transcript) - 1, k;
	struct run r;
	struct llm_sse *p;

	llm_result_init(&r.res);
	strbuf_init(&r.tokens);
	r.anthropic = 0;
	r.rc = 0;
	p = llm_sse_new(run_event, &r);
	for (k = 0; k < len; k++)
		cr_assert_eq(llm_sse_feed(p, openai_transcript + k, 1), 0);
	cr_assert_eq(llm_sse_count(p), 11);
	cr_assert(r.res.done);
	cr_assert_eq(r.res.ncalls, 2);
	llm_sse_free(p);
	run_free(&r);
}

Test(llm_sse_anthropic, transcript_split_at_every_offset)
{
	size_t len = sizeof(anthropic_transcript) - 1, k;
	struct run r;

	for (k = 0; k <= len; k++) {
		run_split(&r, anthropic_transcript, len, k, 1);
		cr_assert_eq(r.rc, LLM_EV_OK, "split %zu", k);
		cr_assert_str_eq(strbuf_str(&r.res.content),
		                 "Gr\xc3\xbc\xc3\x9f dich \xe6\x97\xa5");
		cr_assert_str_eq(strbuf_str(&r.tokens), strbuf_str(&r.res.content));
		cr_assert_eq(r.res.ncalls, 1);
		cr_assert_str_eq(r.res.calls[0].id, "toolu_1");
		cr_assert_str_eq(r.res.calls[0].name, "read_file");
		cr_assert_str_eq(strbuf_str(&r.res.calls[0].args), "{\"path\": \"main.c\"}");
		cr_assert_str_eq(r.res.finish, "tool_calls");
		cr_assert_eq(r.res.prompt_tokens, 25);
		cr_assert_eq(r.res.completion_tokens, 33);
		cr_assert(r.res.done);
		run_free(&r);
	}
}

Test(llm_sse_openai, error_object_mid_stream_stops_with_provider_message)
{
	static const char t[] =
	    "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"par\"}}]}\n\n"
	    "data: {\"error\":{\"message\":\"upstream overloaded\",\"code\":502}}\n\n"
	    "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"never\"}}]}\n\n";
	size_t len = sizeof(t) - 1, k;
	struct run r;

	for (k = 0; k <= len; k++) {
		run_split(&r, t, len, k, 0);
		cr_assert_eq(r.rc, LLM_EV_PROVIDER);
		cr_assert_str_eq(r.res.error, "upstream overloaded");
		cr_assert_str_eq(strbuf_str(&r.res.content), "par");
		cr_assert_not(r.res.done);
		run_free(&r);
	}
}

Test(llm_sse_anthropic, error_event_mid_stream)
{
	static const char t[] =
	    "event: message_start\ndata: "
	    "{\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":3}}}\n\n"
	    "event: error\ndata: "
	    "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":"
	    "\"Overloaded\"}}\n\n";
	struct run r;

	run_split(&r, t, sizeof(t) - 1, 40, 1);
	cr_assert_eq(r.rc, LLM_EV_PROVIDER);
	cr_assert_str_eq(r.res.error, "Overloaded");
	run_free(&r);
}

Test(llm_sse_openai, malformed_json_event_is_reported)
{
	static const char t[] = "data: {\"choices\":[{\"delta\":{\"content\":\"x\"}}\n\n";
	struct run r;

	run_split(&r, t, sizeof(t) - 1, 3, 0);
	cr_assert_eq(r.rc, LLM_EV_MALFORMED);
	cr_assert_not_null(r.res.error);
	run_free(&r);
}

Test(llm_sse_anthropic, json_delta_for_unknown_block_is_malformed)
{
	static const char t[] = "data: "
	                        "{\"type\":\"content_block_delta\",\"index\":4,\"delta\":{\"type\":"
	                        "\"input_json_delta\",\"partial_json\":\"{}\"}}\n\n";
	struct run r;

	run_split(&r, t, sizeof(t) - 1, 0, 1);
	cr_assert_eq(r.rc, LLM_EV_MALFORMED);
	run_free(&r);
}

Test(llm_sse_openai, calls_without_index_are_told_apart_by_id)
{
	static const char t[] =
	    "data: "
	    "{\"choices\":[{\"delta\":{\"tool_calls\":[{\"id\":\"a\",\"function\":{\"name\":\"f\","
	    "\"arguments\":\"{\\\"x\\\":\"}}]}}]}\n\n"
	    "data: "
	    "{\"choices\":[{\"delta\":{\"tool_calls\":[{\"function\":{\"arguments\":\"1}\"}}]}}]}"
	    "\n\n"
	    "data: "
	    "{\"choices\":[{\"delta\":{\"tool_calls\":[{\"id\":\"b\",\"function\":{\"name\":\"g\","
	    "\"arguments\":\"{}\"}}]}}]}\n\n"
	    "data: [DONE]\n\n";
	struct run r;

	run_split(&r, t, sizeof(t) - 1, 0, 0);
	cr_assert_eq(r.rc, LLM_EV_OK);
	cr_assert_eq(r.res.ncalls, 2);
	cr_assert_str_eq(strbuf_str(&r.res.calls[0].args), "{\"x\":1}");
	cr_assert_str_eq(r.res.calls[1].name, "g");
	run_free(&r);
}

Test(llm_sse_openai, other_choices_are_not_mixed_into_choice_zero)
{
	static const char t[] =
	    "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}\n\n"
	    "data: {\"choices\":[{\"index\":1,\"delta\":{\"content\":\"X\"}}]}\n\n"
	    "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"b\"}}]}\n\n";
	struct run r;

	run_split(&r, t, sizeof(t) - 1, 0, 0);
	cr_assert_str_eq(strbuf_str(&r.res.content), "ab");
	run_free(&r);
}
