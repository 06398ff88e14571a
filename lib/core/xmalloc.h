/* Allocation that cannot fail: out of memory is fatal (as in OpenSSH).
 * Use only where a partial failure could not be reported usefully anyway;
 * parsers of untrusted input bound their sizes before allocating. */
#ifndef KC_LIB_CORE_XMALLOC_H
#define KC_LIB_CORE_XMALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xreallocarray(void *p, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Overwrite then free: for anything that held a secret. */
void freezero_str(char *s);

#endif
