/* Provider-neutral result helpers shared by both adapters. */
#include "worker-llm/result.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/xmalloc.h"

void
llm_result_init(struct llm_result *r)
{
	memset(r, 0, sizeof(*r));
	strbuf_init(&r->content);
	r->prompt_tokens = -1;
	r->completion_tokens = -1;
}

void
llm_result_free(struct llm_result *r)
{
	size_t i;

	strbuf_free(&r->content);
	for (i = 0; i < r->ncalls; i++) {
		free(r->calls[i].id);
		free(r->calls[i].name);
		strbuf_free(&r->calls[i].args);
	}
	free(r->calls);
	free(r->error);
	cJSON_Delete(r->raw);
	llm_result_init(r);
}

struct llm_call *
llm_result_call(struct llm_result *r, int key, size_t *index)
{
	struct llm_call *c;
	size_t i;

	for (i = 0; i < r->ncalls; i++) {
		if (r->calls[i].key == key) {
			*index = i;
			return &r->calls[i];
		}
	}
	if (r->ncalls >= LLM_MAX_CALLS)
		return NULL;
	r->calls = xreallocarray(r->calls, r->ncalls + 1, sizeof(*r->calls));
	c = &r->calls[r->ncalls];
	memset(c, 0, sizeof(*c));
	strbuf_init(&c->args);
	c->key = key;
	*index = r->ncalls++;
	return c;
}

void
llm_result_seterror(struct llm_result *r, const char *msg)
{
	if (r->error != NULL) /* the first error is the cause */
		return;
	r->error = xstrdup(msg != NULL && *msg ? msg : "unspecified provider error");
}

void
llm_result_setfinish(struct llm_result *r, const char *finish)
{
	snprintf(r->finish, sizeof(r->finish), "%s", finish);
}

void
llm_result_keep_event(struct llm_result *r, cJSON *ev, size_t bytes)
{
	if (r->raw == NULL)
		r->raw = cJSON_CreateArray();
	if (r->raw_bytes + bytes > LLM_RAW_KEEP_MAX) {
		r->raw_dropped++;
		cJSON_Delete(ev);
		return;
	}
	r->raw_bytes += bytes;
	cJSON_AddItemToArray(r->raw, ev);
}
