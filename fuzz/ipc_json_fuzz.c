/* ipc_json_fuzz.c — differential libFuzzer target for ipc/json.c against
 * cJSON: whatever the strict reader accepts, cJSON accepts too and reads
 * the same tree; and the fast writer prints byte for byte what
 * cJSON_PrintUnformatted prints. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ipc/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cJSON *mine, *theirs;
	char *a, *b;
	size_t len;

	mine = ipc_json_parse((const char *)data, size, NULL, 0);
	if (mine == NULL)
		return 0;
	theirs = cJSON_ParseWithLength((const char *)data, size);
	if (theirs == NULL)
		abort(); /* stricter reader accepted what cJSON refuses */
	a = cJSON_PrintUnformatted(mine);
	b = cJSON_PrintUnformatted(theirs);
	if (a == NULL || b == NULL || strcmp(a, b) != 0)
		abort(); /* the two readers disagree */
	free(b);
	b = ipc_json_print(mine, 3, &len);
	if (b == NULL || len != strlen(a) || memcmp(b + 3, a, len) != 0)
		abort(); /* the writers disagree */
	free(a);
	free(b);
	cJSON_Delete(mine);
	cJSON_Delete(theirs);
	return 0;
}
