/*
 * pylit.h — a Python literal reader for the pythonic dialect: strings in
 * every quote form (', ", ''', """, r/u/b prefixes) with Python's escapes,
 * implicit concatenation of adjacent strings, ints (0x/0o/0b, _), floats,
 * signs, True/False/None (and JSON's true/false/null), lists, tuples,
 * dicts, trailing commas, # comments. It evaluates nothing: names and
 * expressions are errors that say what to write instead.
 */
#ifndef KC_WORKER_TOOLS_DIALECTS_PYLIT_H
#define KC_WORKER_TOOLS_DIALECTS_PYLIT_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "worker-tools/dialects/dlg_internal.h"

struct pylit {
	struct dlg_ctx *c;
	size_t pos, end; /* reading [pos, end) of c->text */
	int failed;      /* first error recorded in err/err_off */
	size_t err_off;
	char err[480];
};

/* Skips blanks, newlines and # comments. */
void pylit_ws(struct pylit *p);
/* Records the first error (later ones are consequences). Returns -1. */
int pylit_fail(struct pylit *p, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* One literal value at pos; NULL after pylit_fail. */
cJSON *pylit_value(struct pylit *p, int depth);
/* An identifier (letters, digits, _, and - . inside) at pos: its length. */
size_t pylit_ident(const struct pylit *p, size_t at);

#endif
