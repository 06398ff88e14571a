/* Provider adapters: translate the neutral LLM_COMPLETE request (docs/IPC.md
 * "worker-llm") into one provider's wire JSON, and the provider's response
 * (whole body or stream events) back into a struct llm_result. */
#ifndef KC_WORKER_LLM_ADAPTER_H
#define KC_WORKER_LLM_ADAPTER_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "worker-llm/result.h"

enum llm_adapter_kind {
	LLM_ADAPTER_OPENAI,
	LLM_ADAPTER_ANTHROPIC,
};

/* How one attempt is sent. */
struct llm_wire {
	const char *model;   /* the model name the provider expects */
	int stream;          /* ask for an SSE stream */
	int native_tools;    /* 0: no tools on the wire, tool turns as text */
	const cJSON *params; /* the model entry's params (may be NULL) */
};

/* Return values of the *_event parsers. */
enum llm_ev_rc {
	LLM_EV_OK = 0,
	LLM_EV_MALFORMED = -1, /* not the JSON we expect: res->error says why */
	LLM_EV_PROVIDER = -2,  /* the provider sent an error object */
};

/* Build the wire body. NULL with err set when the request is invalid. */
cJSON *llm_openai_build(const struct llm_wire *w, const cJSON *req, char *err, size_t errlen);
cJSON *llm_anthropic_build(const struct llm_wire *w, const cJSON *req, char *err, size_t errlen);
/* Parse a whole (non-streamed) response body into res. enum llm_ev_rc. */
int llm_openai_parse(const char *body, size_t len, struct llm_result *res);
int llm_anthropic_parse(const char *body, size_t len, struct llm_result *res);
/* Apply one SSE event's data to res, calling cb for live text. */
int llm_openai_event(struct llm_result *res, const char *data, size_t len,
                     const struct llm_stream_cb *cb);
int llm_anthropic_event(struct llm_result *res, const char *data, size_t len,
                        const struct llm_stream_cb *cb);
/* The provider's message from an error body ({"error":{"message":..}} or
 * {"error":"..."} or {"message":..}); NULL if none. Caller frees. */
char *llm_wire_error_message(const char *body, size_t len);

/* Shared by the adapters (wire.c). */
const char *llm_json_str(const cJSON *obj, const char *key);
/* obj.key as a non-negative count (tokens, milliseconds), clamped to 1e15;
 * def when missing, not a number, negative or NaN. */
long llm_json_count(const cJSON *obj, const char *key, long def);
/* The neutral messages with tool calls and results rewritten as plain
 * text, for endpoints that cannot take native tools. Caller owns. */
cJSON *llm_wire_flatten(const cJSON *messages);
/* Tool call arguments as JSON text: a string is kept, an object printed. */
char *llm_wire_args_text(const cJSON *args);
/* Copy the params a provider accepts verbatim (names in keys, NULL-ended). */
void llm_wire_copy_params(cJSON *dst, const cJSON *params, const char *const *keys);

#endif
