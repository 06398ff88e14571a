/* Diagnostics: a list of already-formatted "file:line:col: key: what"
 * messages, so that each error is built once, with its context, and
 * reported once by whoever owns the list. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "lib/config/config.h"
#include "lib/core/strbuf.h"
#include "lib/core/xmalloc.h"

/* A hostile file could produce one message per line; past this many the
 * rest are counted but not kept. */
#define KC_DIAG_MAX_ITEMS 1000

void
kc_diag_list_init(struct kc_diag_list *d)
{
	d->items = NULL;
	d->n = d->cap = 0;
	d->nerrors = d->nwarnings = 0;
}

void
kc_diag_list_free(struct kc_diag_list *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->n; i++)
		free(d->items[i].msg);
	free(d->items);
	kc_diag_list_init(d);
}

void
kc_diag_add(struct kc_diag_list *d, enum kc_diag_sev sev, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	if (d == NULL)
		return;
	if (sev == KC_DIAG_ERROR)
		d->nerrors++;
	else
		d->nwarnings++;
	if (d->n >= KC_DIAG_MAX_ITEMS)
		return;
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 8;
		d->items = xreallocarray(d->items, d->cap, sizeof(*d->items));
	}
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	d->items[d->n].sev = sev;
	d->items[d->n].msg = strbuf_detach(&sb, NULL);
	d->n++;
}

void
kc_diag_print(const struct kc_diag_list *d, FILE *f)
{
	size_t i, total;

	for (i = 0; i < d->n; i++)
		fprintf(f, "%s: %s\n", d->items[i].sev == KC_DIAG_ERROR ? "error" : "warning",
		        d->items[i].msg);
	total = d->nerrors + d->nwarnings;
	if (total > d->n)
		fprintf(f, "... and %zu more messages\n", total - d->n);
}
