/* ipc_msg_fuzz.c — libFuzzer target for ipc_msg_decode(), the one place
 * where bytes from another process are interpreted. Whatever decodes must
 * re-encode to a message that decodes to the same header and body. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ipc/ipc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ipc_hdr h, h2;
	char err[256];
	cJSON *body, *again;
	void *buf;
	size_t len;

	body = ipc_msg_decode(data, size, &h, err, sizeof(err));
	if (body == NULL)
		return 0;
	buf = ipc_msg_encode(&h, body, &len);
	if (buf == NULL)
		abort(); /* what decoded must encode */
	again = ipc_msg_decode(buf, len, &h2, err, sizeof(err));
	if (again == NULL || h2.type != h.type || h2.req_id != h.req_id || h2.flags != h.flags ||
	    h2.deadline_ms != h.deadline_ms || !cJSON_Compare(body, again, 1))
		abort();
	cJSON_Delete(again);
	cJSON_Delete(body);
	free(buf);
	return 0;
}
