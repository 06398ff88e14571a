/* The body shared by the dialect fuzzers: the input, as text, is parsed by
 * one dialect (DIALECT_FUZZ_NAME; NULL = every dialect in one pass) against
 * a registry with both reference tool sets, and the result must be well
 * formed: every call has a name and an args object, every error a message. */
#ifndef KC_FUZZ_DIALECT_FUZZ_H
#define KC_FUZZ_DIALECT_FUZZ_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "worker-tools/dialects/dialect.h"

static const char dialect_fuzz_registry[] =
    "{\"tools\":["
    "{\"name\":\"read_file\",\"parameters\":[{\"name\":\"path\"},{\"name\":\"offset\",\"type\":"
    "\"integer\"},"
    "{\"name\":\"limit\",\"type\":\"integer\"}]},"
    "{\"name\":\"list_dir\",\"parameters\":[{\"name\":\"path\"},{\"name\":\"depth\",\"type\":"
    "\"integer\"}]},"
    "{\"name\":\"apply_unified_patch\",\"parameters\":[{\"name\":\"patch\"}]},"
    "{\"name\":\"apply_search_replace\",\"parameters\":[{\"name\":\"file_name\"},{\"name\":"
    "\"search\"},"
    "{\"name\":\"replace\"}]},"
    "{\"name\":\"run_shell\",\"parameters\":[{\"name\":\"command\"},{\"name\":\"timeout\",\"type\":"
    "\"integer\"}]},"
    "{\"name\":\"bash\",\"parameters\":[{\"name\":\"command\"}]},"
    "{\"name\":\"patch\",\"parameters\":[{\"name\":\"patchText\"}]},"
    "{\"name\":\"lsp-diagnostics\",\"parameters\":[]},"
    "{\"name\":\"mark_task_complete\",\"parameters\":[]}],"
    "\"aliases\":{\"edit\":\"apply_search_replace\"}}";

static cJSON *dialect_fuzz_reg;

static inline void
dialect_fuzz_check(const struct dialect_result *r)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, r->calls) if (!cJSON_IsString(cJSON_GetObjectItem(c, "name")) ||
	                                    !cJSON_IsObject(cJSON_GetObjectItem(c, "args")))
	    abort();
	cJSON_ArrayForEach(c, r->errors) if (!cJSON_IsString(cJSON_GetObjectItem(c, "message")))
	    abort();
}

static inline int
dialect_fuzz_one(const char *name, const uint8_t *data, size_t size)
{
	struct dialect_result r;
	char *text;

	if (dialect_fuzz_reg == NULL)
		dialect_fuzz_reg = cJSON_Parse(dialect_fuzz_registry);
	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	dialect_result_init(&r);
	if (name != NULL)
		dialect_parse(name, text, dialect_fuzz_reg, &r);
	else
		dialect_parse_all(text, NULL, dialect_fuzz_reg, &r);
	dialect_fuzz_check(&r);
	dialect_result_free(&r);
	free(text);
	return 0;
}

#define DIALECT_FUZZER(name)                                                                       \
	int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);                              \
	int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)                               \
	{                                                                                          \
		return dialect_fuzz_one(name, data, size);                                         \
	}

#endif
