/* Fuzz both adapters' whole-response parsers and the error-body reader
 * with arbitrary bytes (what a broken or hostile server may send). */
#include <stdint.h>
#include <stdlib.h>

#include "worker-llm/adapter.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct llm_result r;
	char *msg;

	llm_result_init(&r);
	(void)llm_openai_parse((const char *)data, size, &r);
	llm_result_free(&r);
	llm_result_init(&r);
	(void)llm_anthropic_parse((const char *)data, size, &r);
	llm_result_free(&r);
	msg = llm_wire_error_message((const char *)data, size);
	free(msg);
	return 0;
}
