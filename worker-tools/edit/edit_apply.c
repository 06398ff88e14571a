/* Building the new text once every hunk of a file has been located. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/xmalloc.h"
#include "worker-tools/edit/edit_match.h"

/* One output line: a file line (kept with its own ending) or new text. */
struct edit_ol {
	const char *p;
	size_t len;
	unsigned char eol;
	char *own; /* allocated (re-indented) text, or NULL */
};
struct edit_build {
	const struct tool_text *t;
	struct edit_ol *l;
	size_t n, cap;
	struct tool_edit_out *o;
	int open; /* a change region is open */
};

static void
build_push(struct edit_build *b, const char *p, size_t len, unsigned char eol, char *own)
{
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 256;
		b->l = xreallocarray(b->l, b->cap, sizeof(*b->l));
	}
	b->l[b->n].p = p;
	b->l[b->n].len = len;
	b->l[b->n].eol = eol;
	b->l[b->n].own = own;
	b->n++;
}

/* Opens (or extends) the change region at old line cur. */
static struct tool_edit_region *
build_region(struct edit_build *b, size_t cur)
{
	struct tool_edit_out *o = b->o;

	if (!b->open) {
		if (o->nr == o->cap) {
			o->cap = o->cap ? o->cap * 2 : 16;
			o->r = xreallocarray(o->r, o->cap, sizeof(*o->r));
		}
		o->r[o->nr].old_start = cur;
		o->r[o->nr].old_n = 0;
		o->r[o->nr].new_start = b->n;
		o->r[o->nr].new_n = 0;
		o->nr++;
		b->open = 1;
	}
	return &o->r[o->nr - 1];
}

static void
build_copy(struct edit_build *b, size_t from, size_t to)
{
	for (; from < to; from++)
		build_push(b, b->t->data + b->t->off[from], b->t->llen[from], b->t->eol[from],
		           NULL);
	b->open = 0;
}

/* The hunk may have been found at another indentation: what it adds is
 * shifted the same way, so that Python and YAML stay well-formed. */
static void
build_add(struct edit_build *b, const struct edit_match *mt, const char *text, size_t cur)
{
	char *own = edit_match_reindent(mt, text);

	build_region(b, cur)->new_n++;
	build_push(b, own ? own : text, strlen(own ? own : text),
	           b->t->crlf ? EDIT_EOL_CRLF : EDIT_EOL_LF, own);
}

/* Is old-line j (pattern order) inside segment s? Advances s. */
static int
build_in_seg(const struct edit_match *mt, size_t j, size_t *s)
{
	while (*s < mt->nseg && j >= mt->seg_old[*s] + mt->seg_len[*s])
		(*s)++;
	return *s < mt->nseg && j >= mt->seg_old[*s];
}

static void
build_hunk(struct edit_build *b, const struct tool_hunk *h, const struct edit_match *mt)
{
	size_t i, j = 0, s = 0, cur = mt->start, fl;

	for (i = 0; i < h->n; i++) {
		const struct tool_hunk_line *L = &h->l[i];
		if (L->kind == EDIT_ADD) {
			build_add(b, mt, L->text, cur);
			continue;
		}
		if (build_in_seg(mt, j, &s)) {
			fl = mt->seg_file[s] + (j - mt->seg_old[s]);
			if (L->kind == EDIT_CTX) {
				build_copy(b, fl, fl + 1);
			} else {
				build_region(b, fl)->old_n++;
			}
			cur = fl + 1;
		} else if (s < mt->nseg && mt->seg_file[s] > cur) {
			/* an elision line: the lines it stands for stay as they are */
			build_copy(b, cur, mt->seg_file[s]);
			cur = mt->seg_file[s];
		}
		j++;
	}
}

/* Line endings: every line but the last ends with one; the last one
 * follows the hunk's "\ No newline" markers, else keeps the file's. */
static void
build_fix_eols(struct edit_build *b, const struct tool_hunk *h, const struct edit_match *mt,
               size_t nh)
{
	const struct tool_text *t = b->t;
	unsigned char dom = t->crlf ? EDIT_EOL_CRLF : EDIT_EOL_LF, last;
	size_t i, touched = (size_t)-1;

	for (i = 0; i < b->n; i++)
		if (b->l[i].eol == EDIT_EOL_NONE)
			b->l[i].eol = dom;
	for (i = 0; i < nh; i++)
		if (mt[i].end == t->n)
			touched = i;
	if (b->n == 0)
		return;
	last = t->n == 0 ? dom : t->eol[t->n - 1];
	if (touched != (size_t)-1) {
		if (h[touched].new_no_eol)
			last = EDIT_EOL_NONE;
		else if (h[touched].old_no_eol)
			last = dom;
		else if (last != EDIT_EOL_NONE)
			last = b->l[b->n - 1].eol;
	}
	b->l[b->n - 1].eol = last;
}

static void
build_finish(struct edit_build *b)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i, total = 0;

	for (i = 0; i < b->n; i++)
		total += b->l[i].len + 2;
	strbuf_grow(&sb, total + 1);
	for (i = 0; i < b->n; i++) {
		strbuf_add(&sb, b->l[i].p, b->l[i].len);
		if (b->l[i].eol == EDIT_EOL_CRLF)
			strbuf_add(&sb, "\r\n", 2);
		else if (b->l[i].eol == EDIT_EOL_LF)
			strbuf_addc(&sb, '\n');
		free(b->l[i].own);
	}
	free(b->l);
	b->o->data = strbuf_detach(&sb, &b->o->len);
}

void
tool_edit_out_free(struct tool_edit_out *o)
{
	if (o == NULL)
		return;
	free(o->data);
	free(o->r);
	memset(o, 0, sizeof(*o));
}

int
tool_edit_apply_hunks(const char *path, const char *data, size_t len, struct tool_hunk *h,
                      size_t nh, struct tool_edit_out *out, char *err, size_t errlen)
{
	struct tool_text t;
	struct edit_matcher m;
	struct edit_match *mt = xcalloc(nh + 1, sizeof(*mt));
	struct edit_build b;
	size_t i, lo = 0, pos = 0;
	long drift = 0;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	tool_edit_text_split(data, len, &t);
	edit_matcher_init(&m, &t);
	for (i = 0; i < nh; i++) {
		if (edit_match_hunk(&m, &h[i], lo, drift, &mt[i], path, i + 1, err, errlen) == -1)
			goto out;
		lo = mt[i].end;
		if (h[i].old_start >= 1 && mt[i].nseg > 0)
			drift = (long)mt[i].start - (h[i].old_start - 1);
		out->levels_used |= 1 << mt[i].level;
	}
	memset(&b, 0, sizeof(b));
	b.t = &t;
	b.o = out;
	for (i = 0; i < nh; i++) {
		build_copy(&b, pos, mt[i].start);
		build_hunk(&b, &h[i], &mt[i]);
		b.open = 0;
		pos = mt[i].end;
	}
	build_copy(&b, pos, t.n);
	build_fix_eols(&b, h, mt, nh);
	build_finish(&b);
	rc = 0;
out:
	for (i = 0; i < nh; i++)
		edit_match_free(&mt[i]);
	free(mt);
	edit_matcher_free(&m);
	tool_edit_text_free(&t);
	return rc;
}
