/* Incremental Server-Sent Events parser (WHATWG "event stream" grammar).
 *
 * Bytes are fed in chunks split anywhere: mid-line, between CR and LF,
 * mid-UTF-8 sequence. The parser is byte-oriented and never looks inside
 * the payload, so a split multi-byte character is simply reassembled in the
 * line buffer. One callback per dispatched event with the joined data
 * lines ("\n" between them, no trailing newline). An event that is still
 * open at end of input is discarded, as the spec says: a stream cut in the
 * middle of an event must not hand half a JSON object to the caller.
 */
#ifndef KC_WORKER_LLM_SSE_H
#define KC_WORKER_LLM_SSE_H

#include <stddef.h>

/* Largest line or event accepted; beyond it llm_sse_feed fails. Bounds the
 * memory a hostile or broken server can make us hold. */
#define LLM_SSE_MAX_EVENT (16u * 1024u * 1024u)

struct llm_sse;

/* event: the "event:" field ("" when none); data: NUL-terminated, len bytes.
 * Return 0 to go on, non-zero to stop: llm_sse_feed then returns that value. */
typedef int (*llm_sse_fn)(const char *event, const char *data, size_t len, void *arg);

struct llm_sse *llm_sse_new(llm_sse_fn fn, void *arg);
void llm_sse_free(struct llm_sse *p);
/* 0 on success; -1 when a line or event exceeds LLM_SSE_MAX_EVENT; or the
 * callback's non-zero value. After a non-zero return the parser is spent. */
int llm_sse_feed(struct llm_sse *p, const char *buf, size_t len);
/* Number of events dispatched so far. */
size_t llm_sse_count(const struct llm_sse *p);
/* Bytes held in an unfinished line or event (0 = clean boundary). */
size_t llm_sse_pending(const struct llm_sse *p);

#endif
