/* Unified diffs of what an edit changed (for the model and the run log). */
#include <stdlib.h>
#include <string.h>

#include "lib/core/xmalloc.h"
#include "worker-tools/edit/edit.h"

#define DIFF_CONTEXT 3
#define DIFF_MAX_D 400 /* differing lines a whole-file diff aligns */

static int
diff_line_eq(const struct tool_text *a, size_t i, const struct tool_text *b, size_t j)
{
	return a->llen[i] == b->llen[j] && a->eol[i] == b->eol[j] &&
	       memcmp(a->data + a->off[i], b->data + b->off[j], a->llen[i]) == 0;
}

static void
diff_emit_line(struct strbuf *sb, char c, const struct tool_text *t, size_t i)
{
	strbuf_addc(sb, c);
	strbuf_add(sb, t->data + t->off[i], t->llen[i]);
	strbuf_addc(sb, '\n');
	if (t->eol[i] == EDIT_EOL_NONE)
		strbuf_adds(sb, "\\ No newline at end of file\n");
}

static void
diff_header(struct strbuf *sb, const char *oldpath, const char *newpath, int git_style)
{
	const char *a = oldpath ? oldpath : newpath, *b = newpath ? newpath : oldpath;

	if (git_style) {
		strbuf_addf(sb, "diff --git a/%s b/%s\n", a, b);
		if (oldpath == NULL)
			strbuf_adds(sb, "new file mode 100644\n");
		else if (newpath == NULL)
			strbuf_adds(sb, "deleted file mode 100644\n");
		else if (strcmp(oldpath, newpath) != 0)
			strbuf_addf(sb, "rename from %s\nrename to %s\n", oldpath, newpath);
	}
	if (oldpath)
		strbuf_addf(sb, "--- %s%s\n", git_style ? "a/" : "", oldpath);
	else
		strbuf_adds(sb, "--- /dev/null\n");
	if (newpath)
		strbuf_addf(sb, "+++ %s%s\n", git_style ? "b/" : "", newpath);
	else
		strbuf_adds(sb, "+++ /dev/null\n");
}

/* Emits regions [r0, r1) as one hunk with context around them. */
static void
diff_hunk(struct strbuf *sb, const struct tool_text *a, const struct tool_text *b,
          const struct tool_edit_region *r, size_t r0, size_t r1)
{
	size_t os = r[r0].old_start > DIFF_CONTEXT ? r[r0].old_start - DIFF_CONTEXT : 0;
	size_t ns = r[r0].new_start - (r[r0].old_start - os);
	size_t oe = r[r1 - 1].old_start + r[r1 - 1].old_n,
	       ne = r[r1 - 1].new_start + r[r1 - 1].new_n;
	size_t k, i, o = os;

	oe = oe + DIFF_CONTEXT < a->n ? oe + DIFF_CONTEXT : a->n;
	ne += oe - (r[r1 - 1].old_start + r[r1 - 1].old_n);
	strbuf_addf(sb, "@@ -%zu,%zu +%zu,%zu @@\n", oe - os ? os + 1 : os, oe - os,
	            ne - ns ? ns + 1 : ns, ne - ns);
	for (k = r0; k < r1; k++) {
		for (; o < r[k].old_start; o++)
			diff_emit_line(sb, ' ', a, o);
		for (i = 0; i < r[k].old_n; i++)
			diff_emit_line(sb, '-', a, o++);
		for (i = 0; i < r[k].new_n; i++)
			diff_emit_line(sb, '+', b, r[k].new_start + i);
	}
	for (; o < oe; o++)
		diff_emit_line(sb, ' ', a, o);
}

/* Regions are trusted only when they describe a and b exactly: in
 * order, in bounds, and each offset by the changes before it. Otherwise
 * (an empty last line without newline, say) the diff is one region. */
static int
diff_regions_valid(const struct tool_text *a, const struct tool_text *b,
                   const struct tool_edit_region *r, size_t nr)
{
	size_t k, prev_end = 0;
	long delta = 0;

	for (k = 0; k < nr; k++) {
		if (r[k].old_start < prev_end || r[k].old_start + r[k].old_n > a->n ||
		    r[k].new_start + r[k].new_n > b->n ||
		    (long)r[k].new_start != (long)r[k].old_start + delta)
			return 0;
		delta += (long)r[k].new_n - (long)r[k].old_n;
		prev_end = r[k].old_start + r[k].old_n;
	}
	return (long)b->n == (long)a->n + delta;
}

/* Regions from an alignment of the middle parts (lines [p, n - q)). */
static size_t
diff_regions_from(const unsigned char *am, long n, const unsigned char *bm, long m, size_t p,
                  struct tool_edit_region **out)
{
	struct tool_edit_region *r = NULL;
	size_t nr = 0;
	long i = 0, j = 0;

	while (i < n || j < m) {
		if (i < n && j < m && am[i] && bm[j]) {
			i++, j++;
			continue;
		}
		r = xreallocarray(r, nr + 1, sizeof(*r));
		r[nr].old_start = p + (size_t)i;
		r[nr].new_start = p + (size_t)j;
		r[nr].old_n = r[nr].new_n = 0;
		for (; i < n && !am[i]; i++)
			r[nr].old_n++;
		for (; j < m && !bm[j]; j++)
			r[nr].new_n++;
		if (r[nr].old_n == 0 && r[nr].new_n == 0)
			break; /* cannot happen with a monotone alignment */
		nr++;
	}
	*out = r;
	return nr;
}

/* Walks the saved Myers frontiers back from (n, m), marking the lines
 * that the shortest edit script keeps. */
static void
diff_myers_back(long **trace, long off, long dend, long n, long m, unsigned char *am,
                unsigned char *bm)
{
	long d, k, pk, px, py, mx, my, x = n, y = m;

	for (d = dend; d > 0; d--) {
		long *vp = trace[d - 1];
		k = x - y;
		pk = (k == -d || (k != d && vp[off + k - 1] < vp[off + k + 1])) ? k + 1 : k - 1;
		px = vp[off + pk];
		py = px - pk;
		mx = pk == k + 1 ? px : px + 1;
		my = mx - k;
		for (; x > mx && y > my; x--, y--)
			am[x - 1] = bm[y - 1] = 1;
		x = px;
		y = py;
	}
	for (; x > 0 && y > 0; x--, y--)
		am[x - 1] = bm[y - 1] = 1;
}

/* Myers' O((N+M)D) line diff of the middle parts, for whole-file writes:
 * the regions of a shortest edit script, or 0 regions and -1 when more
 * than DIFF_MAX_D lines differ (the caller shows one region then). */
static int
diff_myers(const struct tool_text *a, const struct tool_text *b, size_t p, size_t q,
           struct tool_edit_region **out, size_t *nout)
{
	long n = (long)(a->n - p - q), m = (long)(b->n - p - q), dmax, off, d, k, x, y;
	long *v, **trace;
	unsigned char *am, *bm;
	int rc = -1;

	dmax = n + m < DIFF_MAX_D ? n + m : DIFF_MAX_D;
	off = dmax + 1;
	v = xcalloc((size_t)(2 * off + 1), sizeof(long));
	trace = xcalloc((size_t)dmax + 1, sizeof(long *));
	for (d = 0; d <= dmax && rc == -1; d++) {
		for (k = -d; k <= d; k += 2) {
			x = (k == -d || (k != d && v[off + k - 1] < v[off + k + 1]))
			        ? v[off + k + 1]
			        : v[off + k - 1] + 1;
			for (y = x - k;
			     x < n && y < m && diff_line_eq(a, p + (size_t)x, b, p + (size_t)y);)
				x++, y++;
			v[off + k] = x;
			if (x >= n && x - k >= m) {
				rc = 0;
				break;
			}
		}
		trace[d] = xmalloc((size_t)(2 * off + 1) * sizeof(long));
		memcpy(trace[d], v, (size_t)(2 * off + 1) * sizeof(long));
	}
	if (rc == 0) {
		am = xcalloc((size_t)n + 1, 1);
		bm = xcalloc((size_t)m + 1, 1);
		diff_myers_back(trace, off, d - 1, n, m, am, bm);
		*nout = diff_regions_from(am, n, bm, m, p, out);
		free(am);
		free(bm);
	}
	for (k = 0; k < d && k <= dmax; k++)
		free(trace[k]);
	free(trace);
	free(v);
	return rc;
}

void
tool_edit_diff(struct strbuf *sb, const char *oldpath, const char *newpath, const char *old,
               size_t oldlen, const char *newd, size_t newlen, const struct tool_edit_out *o,
               int git_style)
{
	struct tool_text a, b;
	struct tool_edit_region one, *r = &one, *own = NULL;
	size_t nr = 1, p = 0, q = 0, k, start;

	tool_edit_text_split(old ? old : "", old ? oldlen : 0, &a);
	tool_edit_text_split(newd ? newd : "", newd ? newlen : 0, &b);
	if (o != NULL && o->nr > 0 && diff_regions_valid(&a, &b, o->r, o->nr)) {
		r = o->r;
		nr = o->nr;
	} else {
		while (p < a.n && p < b.n && diff_line_eq(&a, p, &b, p))
			p++;
		while (q < a.n - p && q < b.n - p && diff_line_eq(&a, a.n - 1 - q, &b, b.n - 1 - q))
			q++;
		one.old_start = one.new_start = p;
		one.old_n = a.n - p - q;
		one.new_n = b.n - p - q;
		nr = one.old_n || one.new_n;
		if (one.old_n > 0 && one.new_n > 0 && diff_myers(&a, &b, p, q, &own, &nr) == 0)
			r = own;
		else
			nr = one.old_n || one.new_n;
	}
	if (nr > 0 || oldpath == NULL || newpath == NULL || strcmp(oldpath, newpath) != 0)
		diff_header(sb, oldpath, newpath, git_style);
	for (start = 0, k = 1; k <= nr; k++) {
		if (k < nr &&
		    r[k].old_start <= r[k - 1].old_start + r[k - 1].old_n + 2 * DIFF_CONTEXT)
			continue;
		diff_hunk(sb, &a, &b, r, start, k);
		start = k;
	}
	free(own);
	tool_edit_text_free(&a);
	tool_edit_text_free(&b);
}
