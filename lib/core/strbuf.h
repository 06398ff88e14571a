/* A growable byte buffer, always NUL-terminated. The owner calls
 * strbuf_free(); strbuf_detach() hands the bytes to the caller. */
#ifndef KC_LIB_CORE_STRBUF_H
#define KC_LIB_CORE_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

struct strbuf {
	char *buf;
	size_t len;
	size_t cap;
};

#define STRBUF_INIT {NULL, 0, 0}

void strbuf_init(struct strbuf *sb);
void strbuf_free(struct strbuf *sb);
void strbuf_reset(struct strbuf *sb);
void strbuf_grow(struct strbuf *sb, size_t extra);
void strbuf_add(struct strbuf *sb, const void *data, size_t n);
void strbuf_adds(struct strbuf *sb, const char *s);
void strbuf_addc(struct strbuf *sb, char c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Returns the string (caller frees) and leaves sb empty. Never NULL. */
char *strbuf_detach(struct strbuf *sb, size_t *len);
/* The contents, "" when empty; valid until the next change. */
const char *strbuf_str(const struct strbuf *sb);

#endif
