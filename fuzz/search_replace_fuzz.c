/* libFuzzer: search/replace on "TEXT\0SEARCH\0REPLACE"; the first byte
 * of TEXT also picks replace_all. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "worker-tools/edit/edit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Copies the next NUL-terminated field of [*p, end) (the rest if none). */
static char *
field(const char **p, const char *end)
{
	const char *nul = memchr(*p, '\0', (size_t)(end - *p));
	size_t n = nul ? (size_t)(nul - *p) : (size_t)(end - *p);
	char *s = malloc(n + 1);

	memcpy(s, *p, n);
	s[n] = '\0';
	*p = nul ? nul + 1 : end;
	return s;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	char *text = field(&p, end), *search = field(&p, end), *replace = field(&p, end), err[2048];
	struct tool_edit_out o;

	if (tool_edit_replace("f", text, strlen(text), search, replace, size > 0 && (data[0] & 1),
	                      &o, err, sizeof(err)) == 0)
		tool_edit_out_free(&o);
	free(text);
	free(search);
	free(replace);
	return 0;
}
