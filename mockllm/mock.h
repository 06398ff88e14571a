/*
 * mock.h — kylecode-mockllm: a scripted OpenAI- and Anthropic-compatible
 * model server on loopback. It plays a script of turns (text, tool calls,
 * faults), one turn per model request, and records every request so tests
 * can assert on what the harness sent.
 */
#ifndef KC_MOCKLLM_MOCK_H
#define KC_MOCKLLM_MOCK_H

#include <stddef.h>

#include <cjson/cJSON.h>

#define MOCK_DEFAULT_CHUNK 0         /* 0: one write per SSE event */
#define MOCK_DEFAULT_STALL_MS 300000 /* a stall outlasts any sane client deadline */
#define MOCK_MAX_BODY (32u * 1024u * 1024u)
#define MOCK_MAX_SCRIPT (16u * 1024u * 1024u)

enum mock_fault {
	MOCK_FAULT_NONE = 0,
	MOCK_FAULT_STATUS,    /* answer with an HTTP error status (429, 500, 503 ...) */
	MOCK_FAULT_STALL,     /* accept the request and send nothing */
	MOCK_FAULT_DROP,      /* send half the response, then close */
	MOCK_FAULT_MALFORMED, /* invalid JSON body / SSE chunk */
};

struct mock_tool_call {
	char *id; /* NULL: generated */
	char *name;
	char *arguments; /* JSON text as sent on the wire */
};

struct mock_turn {
	int line; /* where the turn starts in the script */
	char *text;
	struct mock_tool_call *calls;
	size_t ncalls;
	char *finish_reason; /* NULL: tool_calls when calls, else stop */
	int delay_ms;        /* before the first byte */
	int chunk_delay_ms;  /* between written chunks */
	int chunk_bytes;     /* 0: the server default */
	enum mock_fault fault;
	int status;      /* MOCK_FAULT_STATUS: the HTTP status */
	int retry_after; /* seconds, 429 only; -1 none */
	int stall_ms;
	long prompt_tokens; /* -1: estimated */
	long completion_tokens;
	char **expect; /* substrings the request must contain */
	size_t nexpect;
};

struct mock_script {
	char *path;
	struct mock_turn *turns;
	size_t nturns;
};

/* Script loading (mock_script.c). YAML ({turns: [...]} or a bare list) or
 * JSONL (one turn object per line; chosen by a .jsonl/.ndjson suffix).
 * Errors name the file and line: "FILE:LINE: turn N: what". */
struct mock_script *mock_script_load(const char *path, char *err, size_t errlen);
struct mock_script *mock_script_parse(const char *buf, size_t len, const char *name, int jsonl,
                                      char *err, size_t errlen);
void mock_script_free(struct mock_script *s);

/* YAML text -> cJSON (mock_yaml.c). Every mapping gets a "__line" member
 * (1-based) so validation can name lines; mock_json_strip_lines removes them. */
cJSON *mock_yaml_parse(const char *buf, size_t len, char *err, size_t errlen);
void mock_json_strip_lines(cJSON *j);

/* One rendered response (mock_openai.c, mock_anthropic.c). */
struct mock_reply {
	int status;
	const char *content_type;
	char *body; /* owned */
	size_t len;
};

struct mock_render_ctx {
	const struct mock_turn *turn;
	const cJSON *request; /* the parsed request body */
	unsigned long req_no; /* 1-based request number, for ids */
	size_t request_len;
	int stream;
	int include_usage;
	int malformed;
};

void mock_openai_render(const struct mock_render_ctx *c, struct mock_reply *r);
void mock_anthropic_render(const struct mock_render_ctx *c, struct mock_reply *r);
/* Error bodies in the dialect's own shape. */
char *mock_openai_error(const char *type, const char *msg);
char *mock_anthropic_error(const char *type, const char *msg);
/* Shared helpers (mock_openai.c). */
long mock_tokens_estimate(size_t bytes);
const char *mock_finish_reason(const struct mock_turn *t);
/* Longest prefix <= max bytes that does not end inside a UTF-8 sequence. */
size_t mock_utf8_cut(const char *s, size_t len, size_t max);
void mock_usage_numbers(const struct mock_render_ctx *c, long *pt, long *ct);
const char *mock_req_model(const struct mock_render_ctx *c);
/* The script's id for call i, or PREFIX<req>_<i>; caller frees. */
char *mock_call_id(const struct mock_render_ctx *c, size_t i, const char *prefix);

/* The server (mock_server.c). */
struct mock_opts {
	const char *script_path;
	const char *listen;    /* "127.0.0.1:0", "[::1]:8080", "localhost:0" */
	const char *port_file; /* NULL: none */
	const char *record_dir;
	int chunk_bytes;
	int allow_remote;
	int quiet;
};

/* Run until SIGINT/SIGTERM. Returns the process exit code. */
int mock_main(const struct mock_opts *o);

#endif
