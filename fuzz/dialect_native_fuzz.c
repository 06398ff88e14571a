/* libFuzzer target: provider-native calls. The input is the JSON
 * "native_calls" array; when it is not JSON it is used as the arguments
 * text of one call, so both layers get arbitrary bytes. */
#include "fuzz/dialect_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dialect_result r;
	char *text = malloc(size + 1);
	cJSON *calls, *one;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (dialect_fuzz_reg == NULL)
		dialect_fuzz_reg = cJSON_Parse(dialect_fuzz_registry);
	if ((calls = cJSON_Parse(text)) == NULL) {
		calls = cJSON_CreateArray();
		one = cJSON_CreateObject();
		cJSON_AddStringToObject(one, "id", "f1");
		cJSON_AddStringToObject(one, "name", "read_file");
		cJSON_AddStringToObject(one, "arguments", text);
		cJSON_AddItemToArray(calls, one);
	}
	dialect_result_init(&r);
	dialect_parse_native(calls, dialect_fuzz_reg, &r);
	dialect_fuzz_check(&r);
	dialect_result_free(&r);
	cJSON_Delete(calls);
	free(text);
	return 0;
}
