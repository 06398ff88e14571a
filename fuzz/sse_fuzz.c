/* Fuzz the SSE parser and, behind it, both adapters' stream-event parsers.
 * Property checked besides "no crash": the events dispatched do not depend
 * on how the bytes were split into chunks (the input's first byte seeds the
 * split points). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/strbuf.h"
#include "worker-llm/adapter.h"
#include "worker-llm/sse.h"

struct fz {
	struct strbuf seen;
	struct llm_result res;
	int anthropic;
};

static int
fz_event(const char *event, const char *data, size_t len, void *arg)
{
	struct fz *f = arg;

	strbuf_addf(&f->seen, "%zu:", strlen(event));
	strbuf_add(&f->seen, event, strlen(event));
	strbuf_addf(&f->seen, "%zu:", len);
	strbuf_add(&f->seen, data, len);
	if (f->anthropic)
		(void)llm_anthropic_event(&f->res, data, len, NULL);
	else
		(void)llm_openai_event(&f->res, data, len, NULL);
	return 0;
}

static char *
fz_run(const uint8_t *d, size_t n, unsigned seed, int anthropic, size_t *outlen)
{
	struct fz f;
	struct llm_sse *p;
	size_t off = 0, k;

	strbuf_init(&f.seen);
	llm_result_init(&f.res);
	f.anthropic = anthropic;
	p = llm_sse_new(fz_event, &f);
	while (off < n) {
		k = seed ? 1 + (seed * 2654435761u + off) % 13 : n - off;
		if (k > n - off)
			k = n - off;
		if (llm_sse_feed(p, (const char *)d + off, k) != 0)
			break;
		off += k;
	}
	llm_sse_free(p);
	llm_result_free(&f.res);
	return strbuf_detach(&f.seen, outlen);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *whole, *split;
	size_t lw, ls;

	if (size < 1)
		return 0;
	whole = fz_run(data + 1, size - 1, 0, data[0] & 1, &lw);
	split = fz_run(data + 1, size - 1, data[0] | 1u, data[0] & 1, &ls);
	if (lw != ls || memcmp(whole, split, lw) != 0)
		abort(); /* chunking changed what was parsed */
	free(whole);
	free(split);
	return 0;
}
