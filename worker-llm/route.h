/* Model id -> endpoint, wire model name and key variable (docs/LLM.md,
 * "Model ids"). */
#ifndef KC_WORKER_LLM_ROUTE_H
#define KC_WORKER_LLM_ROUTE_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "worker-llm/adapter.h"

struct llm_endpoint {
	enum llm_adapter_kind adapter;
	char *id;         /* the config's model id */
	char *base_url;   /* without trailing '/' */
	char *wire_model; /* what goes in the body's "model" */
	char *key_env;    /* NULL: send no credentials */
};

/* entry: a model entry object, or a bare id string (fallback_models as the
 * config writes them). force_base_url (KYLECODE_LLM_BASE_URL) replaces any
 * base URL when non-NULL. 0, or -1 with err. */
int llm_route_resolve(const cJSON *entry, const char *force_base_url, struct llm_endpoint *ep,
                      char *err, size_t errlen);
void llm_endpoint_free(struct llm_endpoint *ep);
/* 1 when credentials may travel to this endpoint: https, or plain http to
 * a loopback address (localhost, 127.0.0.0/8, [::1]). */
int llm_route_key_safe(const struct llm_endpoint *ep);
/* The request URL: base + "/chat/completions" or "/messages". Caller frees. */
char *llm_route_url(const struct llm_endpoint *ep);

#endif
