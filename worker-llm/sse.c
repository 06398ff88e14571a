/* Incremental SSE parser; see sse.h for the contract. */
#include "worker-llm/sse.h"

#include <stdlib.h>
#include <string.h>

#include "lib/core/strbuf.h"
#include "lib/core/xmalloc.h"

struct llm_sse {
	llm_sse_fn fn;
	void *arg;
	struct strbuf line;  /* the current, unterminated line */
	struct strbuf data;  /* data lines of the open event, '\n'-joined */
	struct strbuf event; /* "event:" field of the open event */
	int have_data;       /* a data line was seen (data may be "") */
	int skip_lf;         /* last byte was CR: a following LF ends nothing */
	int failed;
	size_t count;
};

struct llm_sse *
llm_sse_new(llm_sse_fn fn, void *arg)
{
	struct llm_sse *p = xcalloc(1, sizeof(*p));

	p->fn = fn;
	p->arg = arg;
	strbuf_init(&p->line);
	strbuf_init(&p->data);
	strbuf_init(&p->event);
	return p;
}

void
llm_sse_free(struct llm_sse *p)
{
	if (p == NULL)
		return;
	strbuf_free(&p->line);
	strbuf_free(&p->data);
	strbuf_free(&p->event);
	free(p);
}

size_t
llm_sse_count(const struct llm_sse *p)
{
	return p->count;
}

size_t
llm_sse_pending(const struct llm_sse *p)
{
	return p->line.len + p->data.len + (p->have_data ? 1 : 0);
}

/* An empty line: dispatch the open event if it has data (the spec drops
 * events without a data field, e.g. a lone "event: ping"). */
static int
sse_dispatch(struct llm_sse *p)
{
	int rc = 0;

	if (p->have_data) {
		p->count++;
		rc = p->fn(strbuf_str(&p->event), strbuf_str(&p->data), p->data.len, p->arg);
	}
	strbuf_reset(&p->data);
	strbuf_reset(&p->event);
	p->have_data = 0;
	return rc;
}

/* One complete line (without its terminator). */
static int
sse_line(struct llm_sse *p, const char *s, size_t n)
{
	const char *colon, *val;
	size_t flen, vlen;

	if (n == 0)
		return sse_dispatch(p);
	if (s[0] == ':')
		return 0; /* comment / keep-alive */
	colon = memchr(s, ':', n);
	flen = colon ? (size_t)(colon - s) : n;
	val = colon ? colon + 1 : s + n;
	vlen = (size_t)(s + n - val);
	if (vlen > 0 && val[0] == ' ') { /* exactly one optional space */
		val++;
		vlen--;
	}
	if (flen == 4 && memcmp(s, "data", 4) == 0) {
		if (p->data.len + vlen + 1 > LLM_SSE_MAX_EVENT)
			return -1;
		if (p->have_data)
			strbuf_addc(&p->data, '\n');
		strbuf_add(&p->data, val, vlen);
		p->have_data = 1;
	} else if (flen == 5 && memcmp(s, "event", 5) == 0) {
		strbuf_reset(&p->event);
		strbuf_add(&p->event, val, vlen);
	}
	/* "id", "retry" and unknown fields are ignored: we never reconnect
	 * with Last-Event-ID (a broken stream is retried as a whole). */
	return 0;
}

/* Consume bytes up to the next line terminator. Returns bytes consumed and
 * sets *rc; a line still open at the end of buf stays in p->line. */
static size_t
sse_scan(struct llm_sse *p, const char *buf, size_t len, int *rc)
{
	size_t i = 0;

	while (i < len && buf[i] != '\n' && buf[i] != '\r')
		i++;
	if (i == len) { /* no terminator in this chunk */
		if (p->line.len + len > LLM_SSE_MAX_EVENT) {
			*rc = -1;
			return len;
		}
		strbuf_add(&p->line, buf, len);
		return len;
	}
	if (p->line.len > 0) {
		if (p->line.len + i > LLM_SSE_MAX_EVENT) {
			*rc = -1;
			return len;
		}
		strbuf_add(&p->line, buf, i);
		*rc = sse_line(p, p->line.buf, p->line.len);
		strbuf_reset(&p->line);
	} else {
		if (i > LLM_SSE_MAX_EVENT) {
			*rc = -1;
			return len;
		}
		*rc = sse_line(p, buf, i);
	}
	p->skip_lf = buf[i] == '\r';
	return i + 1;
}

int
llm_sse_feed(struct llm_sse *p, const char *buf, size_t len)
{
	size_t off = 0;
	int rc = 0;

	if (p->failed)
		return -1;
	while (off < len && rc == 0) {
		if (p->skip_lf) { /* CRLF split across two chunks or not */
			p->skip_lf = 0;
			if (buf[off] == '\n') {
				off++;
				continue;
			}
		}
		off += sse_scan(p, buf + off, len - off, &rc);
	}
	if (rc != 0)
		p->failed = 1;
	return rc;
}
