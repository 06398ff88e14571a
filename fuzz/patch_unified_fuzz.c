/* libFuzzer: the unified diff parser, then every parsed file patch
 * applied to the text before the first NUL of the input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "worker-tools/edit/edit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *d = (const char *)data, *nul = memchr(d, '\0', size);
	const char *text = nul ? d : "", *patch = nul ? nul + 1 : d;
	size_t tlen = nul ? (size_t)(nul - d) : 0, plen = size - (size_t)(patch - d);
	struct tool_patch p;
	struct tool_edit_out o;
	char err[2048], *tcopy = malloc(tlen + 1);
	size_t i;

	memcpy(tcopy, text, tlen);
	tcopy[tlen] = '\0';
	if (tool_patch_parse_unified(patch, plen, &p, err, sizeof(err)) == 0) {
		for (i = 0; i < p.n; i++) {
			if (tool_edit_apply_hunks("f", tcopy, tlen, p.f[i].hunks, p.f[i].nhunks, &o,
			                          err, sizeof(err)) == 0) {
				struct strbuf sb = STRBUF_INIT;
				tool_edit_diff(&sb, "f", "f", tcopy, tlen, o.data, o.len, &o, 1);
				tool_edit_diff(&sb, "f", "f", tcopy, tlen, o.data, o.len, NULL, 0);
				strbuf_free(&sb);
			}
			tool_edit_out_free(&o);
		}
		tool_patch_free(&p);
	}
	free(tcopy);
	return 0;
}
