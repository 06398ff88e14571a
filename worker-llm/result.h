/* The provider-neutral result of one model call, filled by an adapter from
 * a whole response body or from stream events, and turned into the
 * LLM_COMPLETE_OK body by llm.c. */
#ifndef KC_WORKER_LLM_RESULT_H
#define KC_WORKER_LLM_RESULT_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "lib/core/strbuf.h"

/* A streamed response keeps at most this many bytes of raw events for the
 * run log; the rest is counted, not kept. */
#define LLM_RAW_KEEP_MAX (4u * 1024u * 1024u)
/* Bound on tool calls in one response (hostile server). */
#define LLM_MAX_CALLS 256

struct llm_call {
	char *id;
	char *name;
	struct strbuf args; /* JSON text, assembled from fragments */
	int key;            /* adapter's index (OpenAI index / Anthropic block) */
};

struct llm_result {
	struct strbuf content;
	struct llm_call *calls;
	size_t ncalls;
	char finish[24];        /* stop|tool_calls|length|content_filter|error */
	long prompt_tokens;     /* -1 = not reported */
	long completion_tokens; /* -1 = not reported */
	int done;               /* the provider's end-of-response marker was seen */
	int saw_event;          /* at least one stream event parsed */
	char *error;            /* provider's error message, if it sent one */
	cJSON *raw;             /* non-stream: the body; stream: array of events */
	size_t raw_bytes;
	size_t raw_dropped;
};

/* Callbacks for live streaming; any may be NULL. flush is called after
 * each block of bytes read from the network has been parsed, so a consumer
 * may batch the tokens of one read into one message without delaying any. */
struct llm_stream_cb {
	void (*token)(const char *text, size_t len, void *arg);
	void (*tool_delta)(size_t index, const char *name, const char *args, void *arg);
	void (*flush)(void *arg);
	void *arg;
};

void llm_result_init(struct llm_result *r);
void llm_result_free(struct llm_result *r);
/* The call whose adapter key is key, created at the end if new; NULL past
 * LLM_MAX_CALLS. *index receives its position. */
struct llm_call *llm_result_call(struct llm_result *r, int key, size_t *index);
void llm_result_seterror(struct llm_result *r, const char *msg);
void llm_result_setfinish(struct llm_result *r, const char *finish);
/* Keep a parsed stream event for the run log (takes ownership of ev). */
void llm_result_keep_event(struct llm_result *r, cJSON *ev, size_t bytes);

#endif
