/* Lines, hunks and patches; the per-level line normalizations. */
#include <stdlib.h>
#include <string.h>

#include "lib/core/xmalloc.h"
#include "worker-tools/edit/edit.h"

void
tool_edit_text_split(const char *data, size_t len, struct tool_text *t)
{
	size_t i, start = 0, cap = 64, ncrlf = 0;

	memset(t, 0, sizeof(*t));
	t->data = data;
	t->len = len;
	t->off = xreallocarray(NULL, cap, sizeof(size_t));
	t->llen = xreallocarray(NULL, cap, sizeof(size_t));
	t->eol = xmalloc(cap);
	for (i = 0; i <= len; i++) {
		int last = i == len;
		if (!last && data[i] != '\n')
			continue;
		if (last && start == len)
			break; /* text ended with a newline: no empty last line */
		if (t->n == cap) {
			cap *= 2;
			t->off = xreallocarray(t->off, cap, sizeof(size_t));
			t->llen = xreallocarray(t->llen, cap, sizeof(size_t));
			t->eol = xreallocarray(t->eol, cap, 1);
		}
		t->off[t->n] = start;
		t->llen[t->n] = i - start;
		t->eol[t->n] = last ? EDIT_EOL_NONE : EDIT_EOL_LF;
		if (!last && i > start && data[i - 1] == '\r') {
			t->llen[t->n]--;
			t->eol[t->n] = EDIT_EOL_CRLF;
			ncrlf++;
		}
		t->n++;
		start = i + 1;
	}
	t->crlf = ncrlf * 2 > t->n;
}

void
tool_edit_text_free(struct tool_text *t)
{
	if (t == NULL)
		return;
	free(t->off);
	free(t->llen);
	free(t->eol);
	memset(t, 0, sizeof(*t));
}

void
tool_hunk_add(struct tool_hunk *h, char kind, const char *text, size_t len)
{
	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 8;
		h->l = xreallocarray(h->l, h->cap, sizeof(*h->l));
	}
	/* A patch written with CRLF line endings: the CR belongs to the
	 * patch, not to the line (the file's own endings are kept). */
	if (len > 0 && text[len - 1] == '\r')
		len--;
	h->l[h->n].kind = kind;
	h->l[h->n].text = xstrndup(text, len);
	h->n++;
}

struct tool_hunk *
tool_filepatch_new_hunk(struct tool_filepatch *fp, int lineno)
{
	struct tool_hunk *h;

	if (fp->nhunks == fp->cap) {
		fp->cap = fp->cap ? fp->cap * 2 : 4;
		fp->hunks = xreallocarray(fp->hunks, fp->cap, sizeof(*fp->hunks));
	}
	h = &fp->hunks[fp->nhunks++];
	memset(h, 0, sizeof(*h));
	h->lineno = lineno;
	return h;
}

struct tool_filepatch *
tool_patch_new_file(struct tool_patch *p, enum tool_fp_op op, const char *path, int lineno)
{
	struct tool_filepatch *fp;

	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 4;
		p->f = xreallocarray(p->f, p->cap, sizeof(*p->f));
	}
	fp = &p->f[p->n++];
	memset(fp, 0, sizeof(*fp));
	fp->op = op;
	fp->path = xstrdup(path);
	fp->lineno = lineno;
	return fp;
}

static void
edit_hunk_free(struct tool_hunk *h)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		free(h->l[i].text);
	free(h->l);
	for (i = 0; i < h->nanchors; i++)
		free(h->anchors[i]);
	free(h->anchors);
}

void
tool_patch_free(struct tool_patch *p)
{
	size_t i, j;

	if (p == NULL)
		return;
	for (i = 0; i < p->n; i++) {
		for (j = 0; j < p->f[i].nhunks; j++)
			edit_hunk_free(&p->f[i].hunks[j]);
		free(p->f[i].hunks);
		free(p->f[i].path);
		free(p->f[i].move_to);
		free(p->f[i].alt_path);
	}
	free(p->f);
	memset(p, 0, sizeof(*p));
}

uint64_t
tool_edit_hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static int
edit_isspace(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* Folds the Unicode look-alikes models type for ASCII (typeset dashes and
 * quotes, odd spaces, the ellipsis character, zero-width characters).
 * Returns the bytes consumed at s and sets *rep (NULL: dropped). */
static size_t
edit_unicode_fold(const unsigned char *s, size_t n, const char **rep)
{
	*rep = NULL;
	if (n >= 2 && s[0] == 0xc2 && s[1] == 0xa0)
		return *rep = " ", 2;
	if (n >= 3 && s[0] == 0xe2 && s[1] == 0x80) {
		unsigned char c = s[2];
		if (c >= 0x80 && c <= 0x8a)
			return *rep = " ", 3; /* en/em/thin... spaces */
		if (c == 0x8b || c == 0x8c || c == 0x8d)
			return 3; /* zero-width space/non-joiner/joiner */
		if (c >= 0x90 && c <= 0x95)
			return *rep = "-", 3; /* hyphens, en and em dashes */
		if (c >= 0x98 && c <= 0x9b)
			return *rep = "'", 3;
		if (c >= 0x9c && c <= 0x9f)
			return *rep = "\"", 3;
		if (c == 0xa6)
			return *rep = "...", 3;
		if (c == 0xaf)
			return *rep = " ", 3;
	}
	if (n >= 3 && s[0] == 0xe2 && s[1] == 0x88 && s[2] == 0x92)
		return *rep = "-", 3; /* minus sign */
	if (n >= 3 && s[0] == 0xe2 && s[1] == 0x81 && s[2] == 0x9f)
		return *rep = " ", 3;
	if (n >= 3 && s[0] == 0xe3 && s[1] == 0x80 && s[2] == 0x80)
		return *rep = " ", 3;
	if (n >= 3 && s[0] == 0xef && s[1] == 0xbb && s[2] == 0xbf)
		return 3; /* BOM / zero-width no-break space */
	return 0;
}

/* Appends the level's normal form of s to sb; returns its length. */
size_t
tool_edit_normalize(int level, const char *s, size_t n, struct strbuf *sb)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t before = sb->len, i, k;
	const char *rep;
	int pend = 0;

	if (level == EDIT_LEVEL_EXACT) {
		strbuf_add(sb, s, n);
		return n;
	}
	while (n > 0 && edit_isspace(u[n - 1]))
		n--;
	if (level == EDIT_LEVEL_RSTRIP) {
		strbuf_add(sb, s, n);
		return n;
	}
	for (i = 0; i < n && edit_isspace(u[i]); i++)
		;
	if (level == EDIT_LEVEL_INDENT) {
		strbuf_add(sb, s + i, n - i);
		return n - i;
	}
	for (; i < n; i++) {
		rep = NULL;
		k = level >= EDIT_LEVEL_UNICODE ? edit_unicode_fold(u + i, n - i, &rep) : 0;
		if (k > 0) {
			i += k - 1;
			if (rep == NULL)
				continue;
		}
		if (edit_isspace(u[i]) || (rep && rep[0] == ' ')) {
			pend = 1;
			continue;
		}
		if (pend && sb->len > before)
			strbuf_addc(sb, ' ');
		pend = 0;
		/* "--" typeset as an em dash: runs of dashes count as one */
		if (level >= EDIT_LEVEL_UNICODE && (rep ? rep[0] : s[i]) == '-' &&
		    sb->len > before && sb->buf[sb->len - 1] == '-')
			continue;
		if (rep)
			strbuf_adds(sb, rep);
		else
			strbuf_addc(sb, s[i]);
	}
	return sb->len - before;
}

int
tool_edit_is_elision(const char *s, size_t n)
{
	static const char *marks[] = {"//", "#", "--", "/*", "<!--", ";", NULL};
	size_t i = 0, m;

	while (i < n && edit_isspace((unsigned char)s[i]))
		i++;
	for (m = 0; marks[m]; m++) {
		size_t ml = strlen(marks[m]);
		if (n - i >= ml && memcmp(s + i, marks[m], ml) == 0) {
			i += ml;
			break;
		}
	}
	while (i < n && edit_isspace((unsigned char)s[i]))
		i++;
	if (n - i >= 3 && memcmp(s + i, "...", 3) == 0)
		return 1;
	return n - i >= 3 && memcmp(s + i, "\xe2\x80\xa6", 3) == 0;
}
