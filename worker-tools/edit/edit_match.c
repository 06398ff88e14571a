/* The matching ladder: locating one hunk's old lines in a text.
 *
 * Each level normalizes lines (edit_text.c) and indexes the text's lines
 * by hash, so a hunk is looked up from its rarest line instead of being
 * compared at every offset: applying 1,000 hunks to a 50,000-line file
 * stays linear in practice. Every level counts all matches after the
 * previous hunk, which is how ambiguity is detected instead of taking the
 * first hit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/xmalloc.h"
#include "worker-tools/edit/edit_match.h"

static const char *edit_level_names[EDIT_NLEVELS] = {"exact",
                                                     "trailing-whitespace-insensitive",
                                                     "indentation-offset",
                                                     "whitespace-insensitive",
                                                     "unicode-normalized",
                                                     "elision"};

/* A hunk's old lines (context and removed) normalized for one level. */
struct edit_pat {
	struct strbuf buf;
	size_t n;
	size_t *idx; /* hunk line index */
	size_t *off, *len;
	uint64_t *h;
};

static void lvl_build(struct edit_matcher *m, int level);
static struct edit_slot *lvl_slot(struct edit_level *L, uint64_t h);
static void pat_build(struct edit_pat *p, const struct tool_hunk *h, int level);
static void pat_free(struct edit_pat *p);
static int edit_indent_delta(const struct tool_text *t, const struct tool_hunk *h,
                             const struct edit_pat *p, struct edit_match *mt);

void
edit_matcher_init(struct edit_matcher *m, const struct tool_text *t)
{
	memset(m, 0, sizeof(*m));
	m->t = t;
}

void
edit_matcher_free(struct edit_matcher *m)
{
	int i;

	for (i = 0; i <= EDIT_LEVEL_UNICODE; i++) {
		struct edit_level *L = &m->lv[i];
		strbuf_free(&L->buf);
		free(L->off);
		free(L->len);
		free(L->h);
		free(L->tab);
		free(L->next);
	}
	free(m->sig);
	memset(m, 0, sizeof(*m));
}

void
edit_match_free(struct edit_match *mt)
{
	size_t i;

	if (mt == NULL)
		return;
	for (i = 0; i < mt->nmap; i++) {
		free(mt->map_pat[i]);
		free(mt->map_file[i]);
	}
	free(mt->map_pat);
	free(mt->map_file);
	free(mt->seg_old);
	free(mt->seg_len);
	free(mt->seg_file);
	free(mt->indent);
	memset(mt, 0, sizeof(*mt));
}

static struct edit_slot *
lvl_slot(struct edit_level *L, uint64_t h)
{
	size_t i = (size_t)(h ^ (h >> 29)) & L->mask;

	while (L->tab[i].head != 0 && L->tab[i].h != h)
		i = (i + 1) & L->mask;
	return &L->tab[i];
}

static void
lvl_build(struct edit_matcher *m, int level)
{
	struct edit_level *L = &m->lv[level];
	const struct tool_text *t = m->t;
	struct edit_slot *s;
	size_t i, sz = 16;

	L->off = xreallocarray(NULL, t->n + 1, sizeof(size_t));
	L->len = xreallocarray(NULL, t->n + 1, sizeof(size_t));
	L->h = xreallocarray(NULL, t->n + 1, sizeof(uint64_t));
	L->next = xcalloc(t->n + 1, sizeof(uint32_t));
	for (i = 0; i < t->n; i++) {
		L->off[i] = L->buf.len;
		L->len[i] = tool_edit_normalize(level, t->data + t->off[i], t->llen[i], &L->buf);
	}
	while (sz < 2 * t->n)
		sz *= 2;
	L->tab = xcalloc(sz, sizeof(*L->tab));
	L->mask = sz - 1;
	for (i = 0; i < t->n; i++) {
		L->h[i] = tool_edit_hash(strbuf_str(&L->buf) + L->off[i], L->len[i]);
		s = lvl_slot(L, L->h[i]);
		s->h = L->h[i];
		s->count++;
		L->next[i] = s->head;
		s->head = (uint32_t)(i + 1);
	}
	L->built = 1;
}

static void
pat_build(struct edit_pat *p, const struct tool_hunk *h, int level)
{
	size_t i;

	memset(p, 0, sizeof(*p));
	p->idx = xreallocarray(NULL, h->n + 1, sizeof(size_t));
	p->off = xreallocarray(NULL, h->n + 1, sizeof(size_t));
	p->len = xreallocarray(NULL, h->n + 1, sizeof(size_t));
	p->h = xreallocarray(NULL, h->n + 1, sizeof(uint64_t));
	for (i = 0; i < h->n; i++) {
		if (h->l[i].kind == EDIT_ADD)
			continue;
		p->idx[p->n] = i;
		p->off[p->n] = p->buf.len;
		p->len[p->n] =
		    tool_edit_normalize(level, h->l[i].text, strlen(h->l[i].text), &p->buf);
		p->n++;
	}
	for (i = 0; i < p->n; i++)
		p->h[i] = tool_edit_hash(strbuf_str(&p->buf) + p->off[i], p->len[i]);
}

static void
pat_free(struct edit_pat *p)
{
	strbuf_free(&p->buf);
	free(p->idx);
	free(p->off);
	free(p->len);
	free(p->h);
}

/* Does pattern lines [a, a+k) equal file lines [start, start+k)? */
static int
seg_equal(const struct edit_level *L, const struct edit_pat *p, size_t a, size_t k, size_t start)
{
	size_t j;

	for (j = 0; j < k; j++) {
		if (L->h[start + j] != p->h[a + j] || L->len[start + j] != p->len[a + j] ||
		    memcmp(strbuf_str(&L->buf) + L->off[start + j],
		           strbuf_str(&p->buf) + p->off[a + j], p->len[a + j]) != 0)
			return 0;
	}
	return 1;
}

/* Finds pattern lines [a, a+k) at file lines >= lo. Stores up to maxc
 * starts (the lowest ones, ascending) and returns how many there are
 * in all. Looks up the rarest line of the run, then verifies. */
static size_t
seg_find(struct edit_matcher *m, int level, const struct edit_pat *p, size_t a, size_t k, size_t lo,
         size_t *cands, size_t maxc)
{
	struct edit_level *L = &m->lv[level];
	struct edit_slot *s, *best = NULL;
	size_t j, piv = a, total = 0, start, x, y, tmp;
	uint32_t e;

	if (!L->built)
		lvl_build(m, level);
	for (j = a; j < a + k; j++) {
		s = lvl_slot(L, p->h[j]);
		if (s->head == 0)
			return 0;
		if (best == NULL || s->count < best->count) {
			best = s;
			piv = j;
		}
	}
	for (e = best->head; e != 0; e = L->next[e - 1]) {
		if (e - 1 < piv - a)
			continue;
		start = e - 1 - (piv - a);
		if (start < lo || start + k > m->t->n || !seg_equal(L, p, a, k, start))
			continue;
		/* the chain runs downwards: the last maxc seen are the lowest */
		cands[total % maxc] = start;
		total++;
	}
	x = total < maxc ? total : maxc;
	for (j = 1; j < x; j++) /* insertion sort, x <= EDIT_MAX_CANDS */
		for (y = j; y > 0 && cands[y - 1] > cands[y]; y--) {
			tmp = cands[y];
			cands[y] = cands[y - 1];
			cands[y - 1] = tmp;
		}
	return total;
}

static size_t
edit_ws_len(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i;
}

/* Finds one indentation delta D with file_ws == D + pat_ws (reindent 1)
 * or pat_ws == D + file_ws (reindent -1) on every non-blank line pair.
 * 1 when consistent (mt->indent set), 0 otherwise. */
static int
edit_indent_delta(const struct tool_text *t, const struct tool_hunk *h, const struct edit_pat *p,
                  struct edit_match *mt)
{
	const char *d = NULL, *fl, *pl;
	size_t s, j, dlen = 0, fw, pw, fn, pn;
	int mode = 0, first = 1;

	for (s = 0; s < mt->nseg; s++)
		for (j = 0; j < mt->seg_len[s]; j++) {
			fl = t->data + t->off[mt->seg_file[s] + j];
			fn = t->llen[mt->seg_file[s] + j];
			pl = h->l[p->idx[mt->seg_old[s] + j]].text;
			pn = strlen(pl);
			fw = edit_ws_len(fl, fn);
			pw = edit_ws_len(pl, pn);
			if (fw == fn || pw == pn)
				continue; /* blank lines say nothing about indentation */
			if (first) {
				first = 0;
				if (fw >= pw && memcmp(fl + fw - pw, pl, pw) == 0)
					mode = 1, d = fl, dlen = fw - pw;
				else if (pw > fw && memcmp(pl + pw - fw, fl, fw) == 0)
					mode = -1, d = pl, dlen = pw - fw;
				else
					return 0;
			}
			if (mode == 1 && (fw != dlen + pw || memcmp(fl, d, dlen) != 0 ||
			                  memcmp(fl + dlen, pl, pw) != 0))
				return 0;
			if (mode == -1 && (pw != dlen + fw || memcmp(pl, d, dlen) != 0 ||
			                   memcmp(pl + dlen, fl, fw) != 0))
				return 0;
		}
	free(mt->indent);
	mt->indent = dlen ? xstrndup(d, dlen) : NULL;
	mt->reindent = dlen ? mode : 0;
	return 1;
}

/* One character repeated n times (ws made of a single kind), or 0. */
static char
edit_ws_unit(const char *s, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++)
		if (s[i] != s[0])
			return 0;
	return n ? s[0] : 0;
}

static int
edit_map_add(struct edit_match *mt, const char *pl, size_t pw, const char *fl, size_t fw)
{
	size_t i;

	for (i = 0; i < mt->nmap; i++)
		if (strlen(mt->map_pat[i]) == pw && memcmp(mt->map_pat[i], pl, pw) == 0)
			return strlen(mt->map_file[i]) == fw &&
			       memcmp(mt->map_file[i], fl, fw) == 0;
	mt->map_pat = xreallocarray(mt->map_pat, mt->nmap + 1, sizeof(char *));
	mt->map_file = xreallocarray(mt->map_file, mt->nmap + 1, sizeof(char *));
	mt->map_pat[mt->nmap] = xstrndup(pl, pw);
	mt->map_file[mt->nmap++] = xstrndup(fl, fw);
	return 1;
}

/* The fallback re-indentation: a consistent map from the hunk's
 * indentations to the file's, and the width ratio between one unit of
 * each (4 spaces = 1 tab). Cleared when the pairs contradict. */
static void
edit_indent_map(const struct tool_text *t, const struct tool_hunk *h, const struct edit_pat *p,
                struct edit_match *mt)
{
	const char *fl, *pl;
	size_t s, j, fw, pw, num = 0, den = 0;
	int ok = 1;

	for (s = 0; ok && s < mt->nseg; s++)
		for (j = 0; ok && j < mt->seg_len[s]; j++) {
			fl = t->data + t->off[mt->seg_file[s] + j];
			pl = h->l[p->idx[mt->seg_old[s] + j]].text;
			fw = edit_ws_len(fl, t->llen[mt->seg_file[s] + j]);
			pw = edit_ws_len(pl, strlen(pl));
			if (fw == t->llen[mt->seg_file[s] + j] || pl[pw] == '\0')
				continue;
			ok = edit_map_add(mt, pl, pw, fl, fw);
			if (!ok || pw == 0 || fw == 0)
				continue;
			if (mt->unit_pat == 0 && num == 0)
				mt->unit_pat = edit_ws_unit(pl, pw),
				mt->unit_file = edit_ws_unit(fl, fw), num = pw, den = fw;
			if (edit_ws_unit(pl, pw) != mt->unit_pat ||
			    edit_ws_unit(fl, fw) != mt->unit_file || pw * den != fw * num)
				mt->unit_pat = 0;
		}
	if (!ok) {
		for (j = 0; j < mt->nmap; j++)
			free(mt->map_pat[j]), free(mt->map_file[j]);
		mt->nmap = 0;
	}
	mt->ratio_num = mt->unit_pat ? num : 0;
	mt->ratio_den = mt->unit_pat ? den : 0;
}

char *
edit_match_reindent(const struct edit_match *mt, const char *text)
{
	size_t len = strlen(text), il = mt->indent ? strlen(mt->indent) : 0,
	       w = edit_ws_len(text, len), i, k;

	if (w == len)
		return NULL; /* blank lines stay as written */
	if (mt->reindent == 1)
		return xasprintf("%s%s", mt->indent, text);
	if (mt->reindent == -1)
		return strncmp(text, mt->indent, il) == 0 ? xstrdup(text + il) : NULL;
	for (i = 0; i < mt->nmap; i++)
		if (strlen(mt->map_pat[i]) == w && memcmp(mt->map_pat[i], text, w) == 0)
			return xasprintf("%s%s", mt->map_file[i], text + w);
	if (mt->ratio_num && edit_ws_unit(text, w) == mt->unit_pat &&
	    (w * mt->ratio_den) % mt->ratio_num == 0) {
		char *r;
		k = w * mt->ratio_den / mt->ratio_num;
		r = xmalloc(k + len - w + 1);
		memset(r, mt->unit_file, k);
		memcpy(r + k, text + w, len - w + 1);
		return r;
	}
	return NULL;
}

static void
match_set_single(struct edit_match *mt, int level, size_t start, size_t n)
{
	edit_match_free(mt);
	mt->level = level;
	mt->start = start;
	mt->end = start + n;
	mt->nseg = n ? 1 : 0;
	mt->seg_old = xcalloc(1, sizeof(size_t));
	mt->seg_len = xcalloc(1, sizeof(size_t));
	mt->seg_file = xcalloc(1, sizeof(size_t));
	mt->seg_len[0] = n;
	mt->seg_file[0] = start;
}

const char *
edit_level_name(int level)
{
	return level >= 0 && level < EDIT_NLEVELS ? edit_level_names[level] : "?";
}

/* ---- candidates at one level, tie-break, errors ---- */

/* "hunk #2 (patch line 14)", or "the search text" for a search/replace
 * (lineno 0), for messages. */
static const char *
edit_hunk_label(const struct tool_hunk *h, size_t hunkno, char *buf, size_t len)
{
	if (h->lineno <= 0)
		return "the search text";
	snprintf(buf, len, "hunk #%zu (patch line %d)", hunkno, h->lineno);
	return buf;
}

/* The hunk's stated start, shifted by the previous hunk's drift; SIZE_MAX
 * when the hunk has no usable line number. */
static size_t
edit_hint(const struct tool_hunk *h, long drift)
{
	long v;

	if (h->old_start < 1)
		return (size_t)-1;
	v = h->old_start - 1 + drift;
	return v < 0 ? (size_t)-1 : (size_t)v;
}

static void
edit_err_ambiguous(const struct tool_text *t, const char *path, size_t hunkno,
                   const struct tool_hunk *h, int level, const size_t *c, size_t total, char *err,
                   size_t errlen)
{
	char buf[256] = "", label[64];
	size_t i, n = total < EDIT_MAX_CANDS ? total : EDIT_MAX_CANDS, o = 0;

	for (i = 0; i < n && i < 8 && o < sizeof(buf) - 16; i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%zu", i ? ", " : "", c[i] + 1);
	(void)t;
	snprintf(err, errlen,
	         "%s: %s is ambiguous: it matches %zu places (%s matching; "
	         "lines %s%s). Nothing was changed. Add more unchanged context lines so that it "
	         "matches exactly "
	         "one place.",
	         path, edit_hunk_label(h, hunkno, label, sizeof(label)), total,
	         edit_level_names[level], buf, total > i ? ", ..." : "");
}

/* Tries one plain level (no elision). 1 found, 0 none, -1 ambiguous. */
static int
edit_try_level(struct edit_matcher *m, const struct tool_hunk *h, int level, size_t lo, size_t hint,
               struct edit_match *out, const char *path, size_t hunkno, char *err, size_t errlen)
{
	struct edit_pat p;
	size_t c[EDIT_MAX_CANDS], total, kept, i, ok = 0, pick = (size_t)-1;
	int rc = 0;

	pat_build(&p, h, level);
	total = seg_find(m, level, &p, 0, p.n, lo, c, EDIT_MAX_CANDS);
	kept = total < EDIT_MAX_CANDS ? total : EDIT_MAX_CANDS;
	if (h->at_eof) {
		/* "*** End of File": the only place is the end. */
		size_t at = m->t->n >= p.n ? m->t->n - p.n : (size_t)-1;
		kept = total = at != (size_t)-1 && at >= lo && total > 0 &&
		               seg_equal(&m->lv[level], &p, 0, p.n, at);
		c[0] = at;
	}
	for (i = 0; i < kept; i++) {
		match_set_single(out, level, c[i], p.n);
		/* the indentation level accepts only a consistent offset */
		if (level != EDIT_LEVEL_INDENT || edit_indent_delta(m->t, h, &p, out))
			c[ok++] = c[i];
	}
	for (i = 0; i < ok; i++)
		if (c[i] == hint)
			pick = hint;
	if (total > kept)
		ok += total - kept; /* not checked, but they exist */
	if (ok > 1 && pick == (size_t)-1 && total > kept && hint != (size_t)-1 && hint >= lo &&
	    hint + p.n <= m->t->n && seg_equal(&m->lv[level], &p, 0, p.n, hint))
		pick = hint; /* the hint may lie beyond the candidates kept */
	if (ok == 1)
		pick = c[0];
	if (pick != (size_t)-1) {
		match_set_single(out, level, pick, p.n);
		if (level < EDIT_LEVEL_INDENT || !edit_indent_delta(m->t, h, &p, out)) {
			out->reindent = 0;
			free(out->indent);
			out->indent = NULL;
			if (level > EDIT_LEVEL_INDENT)
				edit_indent_map(m->t, h, &p, out);
		}
		rc = 1;
	} else if (ok > 1) {
		edit_err_ambiguous(m->t, path, hunkno, h, level, c, ok, err, errlen);
		rc = -1;
	}
	pat_free(&p);
	return rc;
}

/* Lowest start >= lo of pattern run [a, a+k) at level, or SIZE_MAX. */
static size_t
seg_first(struct edit_matcher *m, int level, const struct edit_pat *p, size_t a, size_t k,
          size_t lo)
{
	size_t c[EDIT_MAX_CANDS], total = seg_find(m, level, p, a, k, lo, c, EDIT_MAX_CANDS), i,
	                          best = (size_t)-1;

	for (i = 0; i < total && i < EDIT_MAX_CANDS; i++)
		if (c[i] < best)
			best = c[i];
	return best;
}

/* Splits the old lines at "..." elision lines into segments. Returns the
 * number of non-empty segments (0 when there is no elision line). */
static size_t
elision_segments(const struct tool_hunk *h, const struct edit_pat *p, size_t *sa, size_t *sk)
{
	size_t j, n = 0, run = 0, nel = 0;

	for (j = 0; j <= p->n; j++) {
		int el = j < p->n && h->l[p->idx[j]].kind == EDIT_CTX &&
		         tool_edit_is_elision(h->l[p->idx[j]].text, strlen(h->l[p->idx[j]].text));
		if (j < p->n && !el) {
			run++;
			continue;
		}
		nel += el;
		if (run > 0) {
			sa[n] = j - run;
			sk[n++] = run;
		}
		run = 0;
	}
	return nel ? n : 0;
}

/* Completes one elision match from seg 0 at s0: each later segment at
 * its first place after the previous one. 1 when all were found. */
static int
elision_chain(struct edit_matcher *m, const struct edit_pat *p, const size_t *sa, const size_t *sk,
              size_t nseg, size_t s0, size_t *pos)
{
	size_t k;

	pos[0] = s0;
	for (k = 1; k < nseg; k++)
		if ((pos[k] = seg_first(m, EDIT_LEVEL_UNICODE, p, sa[k], sk[k],
		                        pos[k - 1] + sk[k - 1])) == (size_t)-1)
			return 0;
	return 1;
}

/* Level 5: "..." lines in the context stand for any run of lines. */
static int
edit_try_elision(struct edit_matcher *m, const struct tool_hunk *h, size_t lo, size_t hint,
                 struct edit_match *out, const char *path, size_t hunkno, char *err, size_t errlen)
{
	struct edit_pat p;
	size_t *sa, *sk, *pos, *best, nseg, c[EDIT_MAX_CANDS], total, i, found = 0,
	                                                                 first[EDIT_MAX_CANDS];
	int rc = 0;

	pat_build(&p, h, EDIT_LEVEL_UNICODE);
	sa = xcalloc(p.n + 1, sizeof(size_t));
	sk = xcalloc(p.n + 1, sizeof(size_t));
	pos = xcalloc(p.n + 1, sizeof(size_t));
	best = xcalloc(p.n + 1, sizeof(size_t));
	if ((nseg = elision_segments(h, &p, sa, sk)) == 0)
		goto out;
	total = seg_find(m, EDIT_LEVEL_UNICODE, &p, sa[0], sk[0], lo, c, EDIT_MAX_CANDS);
	for (i = 0; i < total && i < EDIT_MAX_CANDS; i++) {
		if (!elision_chain(m, &p, sa, sk, nseg, c[i], pos))
			continue;
		if (h->at_eof && pos[nseg - 1] + sk[nseg - 1] != m->t->n)
			continue;
		if (found == 0 || c[i] == hint)
			memcpy(best, pos, nseg * sizeof(size_t));
		first[found < EDIT_MAX_CANDS ? found : EDIT_MAX_CANDS - 1] = c[i];
		found++;
	}
	if (found > 1 && (hint == (size_t)-1 || best[0] != hint)) {
		edit_err_ambiguous(m->t, path, hunkno, h, EDIT_LEVEL_ELISION, first, found, err,
		                   errlen);
		rc = -1;
	} else if (found >= 1) {
		edit_match_free(out);
		out->level = EDIT_LEVEL_ELISION;
		out->nseg = nseg;
		out->seg_old = sa, out->seg_len = sk, out->seg_file = best;
		out->start = best[0];
		out->end = best[nseg - 1] + sk[nseg - 1];
		if (!edit_indent_delta(m->t, h, &p, out)) {
			out->reindent = 0;
			edit_indent_map(m->t, h, &p, out);
		}
		sa = sk = best = NULL;
		rc = 1;
	}
out:
	free(sa);
	free(sk);
	free(pos);
	free(best);
	pat_free(&p);
	return rc;
}

/* Models shorten anchors ("@@ class Foo" for "class Foo(Base):"): the
 * first line at or after lo that starts with the anchor, blanks trimmed. */
static size_t
edit_find_anchor_prefix(struct edit_matcher *m, const char *anchor, size_t lo)
{
	const struct tool_text *t = m->t;
	size_t i, n, w, an;

	anchor += edit_ws_len(anchor, strlen(anchor));
	an = strlen(anchor);
	while (an > 0 && (anchor[an - 1] == ' ' || anchor[an - 1] == '\t'))
		an--;
	for (i = lo; an > 0 && i < t->n; i++) {
		n = t->llen[i];
		w = edit_ws_len(t->data + t->off[i], n);
		if (n - w >= an && memcmp(t->data + t->off[i] + w, anchor, an) == 0)
			return i;
	}
	return (size_t)-1;
}

/* Finds an OpenCode "@@ def foo" anchor line at or after lo: the first
 * line equal to it at the lowest level that has one. */
static size_t
edit_find_anchor(struct edit_matcher *m, const char *anchor, size_t lo)
{
	struct tool_hunk one;
	struct tool_hunk_line l;
	struct edit_pat p;
	size_t at = (size_t)-1;
	int level;

	memset(&one, 0, sizeof(one));
	l.kind = EDIT_CTX;
	l.text = (char *)anchor;
	one.l = &l;
	one.n = 1;
	for (level = 0; level <= EDIT_LEVEL_UNICODE && at == (size_t)-1; level++) {
		if (level == EDIT_LEVEL_INDENT)
			continue;
		pat_build(&p, &one, level);
		at = seg_first(m, level, &p, 0, 1, lo);
		pat_free(&p);
	}
	return at != (size_t)-1 ? at : edit_find_anchor_prefix(m, anchor, lo);
}

/* Character-bigram signature of a line (for the fuzzy suggestion). */
static void
edit_sig(const char *s, size_t n, uint64_t sig[2])
{
	size_t i;
	unsigned b;

	sig[0] = sig[1] = 0;
	for (i = 0; i + 1 < n; i++) {
		if (s[i] == ' ' || s[i] == '\t')
			continue;
		b = ((unsigned char)s[i] * 31u + (unsigned char)s[i + 1]) & 127u;
		sig[b >> 6] |= 1ULL << (b & 63);
	}
}

static double
edit_sig_sim(const uint64_t a[2], const uint64_t b[2])
{
	int ca = __builtin_popcountll(a[0]) + __builtin_popcountll(a[1]);
	int cb = __builtin_popcountll(b[0]) + __builtin_popcountll(b[1]);
	int cab = __builtin_popcountll(a[0] & b[0]) + __builtin_popcountll(a[1] & b[1]);

	return ca + cb == 0 ? 1.0 : 2.0 * cab / (ca + cb);
}

/* Appends the window of the text most similar to the hunk's old lines
 * (bounded work), when it is at least half similar. */
static void
edit_suggest(struct edit_matcher *m, const struct tool_hunk *h, struct strbuf *sb)
{
	const struct tool_text *t = m->t;
	uint64_t(*ps)[2];
	size_t i, j, k = 0, w, step = 1, bestat = 0;
	double score, best = -1;

	ps = xcalloc(h->n + 1, sizeof(*ps));
	for (i = 0; i < h->n; i++)
		if (h->l[i].kind != EDIT_ADD && k < 60)
			edit_sig(h->l[i].text, strlen(h->l[i].text), ps[k++]);
	if (k == 0 || t->n == 0)
		goto out;
	if (m->sig == NULL) {
		m->sig = xcalloc(t->n, sizeof(*m->sig));
		for (i = 0; i < t->n; i++)
			edit_sig(t->data + t->off[i], t->llen[i], m->sig[i]);
	}
	w = k < t->n ? k : t->n;
	while ((t->n - w + 1) / step * w > 4000000)
		step *= 2; /* bound the work on huge files */
	for (i = 0; i + w <= t->n; i += step) {
		for (score = 0, j = 0; j < w; j++)
			score += edit_sig_sim(m->sig[i + j], ps[j]);
		if ((score /= (double)k) > best)
			best = score, bestat = i;
	}
	if (best < 0.5)
		goto out;
	strbuf_addf(sb,
	            "\nThe closest lines in the file are %zu-%zu (%.0f%% similar; not applied):\n",
	            bestat + 1, bestat + w, best * 100);
	for (j = 0; j < w && j < 12; j++)
		strbuf_addf(sb, "%6zu| %.*s\n", bestat + j + 1,
		            (int)(t->llen[bestat + j] > 200 ? 200 : t->llen[bestat + j]),
		            t->data + t->off[bestat + j]);
out:
	free(ps);
}

static void
edit_err_notfound(struct edit_matcher *m, const struct tool_hunk *h, const char *path,
                  size_t hunkno, size_t lo, char *err, size_t errlen)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i, shown = 0;
	char label[64];

	strbuf_addf(&sb,
	            "%s: %s does not apply: its context and removed lines were not found "
	            "%s(tried exact, whitespace, indentation, Unicode and elision matching). "
	            "Nothing was changed. "
	            "The hunk expected:\n",
	            path, edit_hunk_label(h, hunkno, label, sizeof(label)),
	            lo > 0 ? "after the previous hunk " : "");
	for (i = 0; i < h->n && shown < 6; i++)
		if (h->l[i].kind != EDIT_ADD) {
			strbuf_addf(&sb, "  %.200s\n", h->l[i].text);
			shown++;
		}
	edit_suggest(m, h, &sb);
	strbuf_adds(&sb, "Read the file again and resend the change against its current content.");
	snprintf(err, errlen, "%s", strbuf_str(&sb));
	strbuf_free(&sb);
}

int
edit_match_hunk(struct edit_matcher *m, const struct tool_hunk *h, size_t min_start, long drift,
                struct edit_match *out, const char *path, size_t hunkno, char *err, size_t errlen)
{
	size_t i, lo = min_start, nold = 0, hint = edit_hint(h, drift), at;
	int level, rc;

	for (i = 0; i < h->nanchors; i++) {
		if ((at = edit_find_anchor(m, h->anchors[i], lo)) == (size_t)-1) {
			snprintf(err, errlen,
			         "%s: hunk #%zu (patch line %d): the anchor line \"@@ %.200s\" was "
			         "not found%s. "
			         "Nothing was changed.",
			         path, hunkno, h->lineno, h->anchors[i],
			         lo > 0 ? " after the previous hunk" : "");
			return -1;
		}
		lo = at + 1;
	}
	for (i = 0; i < h->n; i++)
		nold += h->l[i].kind != EDIT_ADD;
	if (nold == 0) {
		/* Pure insertion: after the anchor, at the stated line, or at
		 * the end (OpenCode/Codex, and unified hunks with no usable
		 * line number). */
		at = h->nanchors ? lo
		     : h->old_start >= 0
		         ? (size_t)(h->old_start + drift < 0 ? 0 : h->old_start + drift)
		         : m->t->n;
		if (at > m->t->n)
			at = m->t->n;
		match_set_single(out, EDIT_LEVEL_EXACT, at < lo ? lo : at, 0);
		return 0;
	}
	for (level = 0; level <= EDIT_LEVEL_UNICODE; level++)
		if ((rc = edit_try_level(m, h, level, lo, hint, out, path, hunkno, err, errlen)) !=
		    0)
			return rc == 1 ? 0 : -1;
	if ((rc = edit_try_elision(m, h, lo, hint, out, path, hunkno, err, errlen)) != 0)
		return rc == 1 ? 0 : -1;
	edit_err_notfound(m, h, path, hunkno, lo, err, errlen);
	return -1;
}
