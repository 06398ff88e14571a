/* One HTTP attempt of one model call: build the wire request, send it,
 * parse the answer (streamed or whole), and classify the outcome for the
 * retry loop in llm.c. */
#ifndef KC_WORKER_LLM_ATTEMPT_H
#define KC_WORKER_LLM_ATTEMPT_H

#include <cjson/cJSON.h>

#include "worker-llm/result.h"
#include "worker-llm/route.h"

enum llm_outcome {
	LLM_OUT_OK,
	LLM_OUT_RETRY,     /* transient: connect, timeout, stall, 408/409/429/5xx, broken stream */
	LLM_OUT_FATAL,     /* the same request would fail again (4xx, no key, bad request) */
	LLM_OUT_MALFORMED, /* the provider's answer is not what the protocol says */
};

struct llm_attempt {
	/* in */
	const struct llm_endpoint *ep;
	const cJSON *req;    /* the neutral request */
	const cJSON *params; /* the model entry's params */
	int stream;
	int native_tools;
	long timeout_ms;
	long idle_timeout_ms;
	const struct llm_stream_cb *cb;
	/* out */
	enum llm_outcome outcome;
	struct llm_result res;
	cJSON *wire; /* the body sent (holds no credentials) */
	long status;
	long retry_after_ms; /* -1: none */
	int probe_stream;    /* failure suggests the endpoint cannot stream */
	int probe_tools;     /* failure suggests the endpoint rejects tools */
	char err[512];
};

/* Run the attempt; a->outcome and (unless OK) a->err are always set. */
void llm_attempt_run(struct llm_attempt *a);
void llm_attempt_free(struct llm_attempt *a);

#endif
