/* libFuzzer target: mock script parsing (YAML and JSONL) must never crash
 * or leak on any input; it returns a script or an error. */
#include <stddef.h>
#include <stdint.h>

#include "mockllm/mock.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512];
	struct mock_script *s;

	if (size == 0)
		return 0;
	/* The first byte picks the format so one corpus covers both. */
	s = mock_script_parse((const char *)data + 1, size - 1, "fuzz", data[0] & 1, err,
	                      sizeof(err));
	mock_script_free(s);
	return 0;
}
