/* Jinja2's builtin filters (the subset docs/TEMPLATES.md lists), each
 * following jinja2/filters.py of 3.1: the same argument names and
 * defaults, case-insensitive sorting by default, generators for map /
 * select / unique / items (which cannot be printed directly), Python's
 * str() for everything that stringifies. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/template/tpl_int.h"

#define ARGS(...) static const char *const names[] = {__VA_ARGS__}
#define NNAMES (sizeof(names) / sizeof(names[0]))
#define BIND(what, slots) tpl_bind(rc, line, what, ca, names, NNAMES, slots)

int
tpl_bind(struct tpl_rctx *rc, int line, const char *what, const struct tpl_callargs *ca, const char *const *names,
	 size_t nnames, struct tv *slots)
{
	size_t i, j;

	for (i = 0; i < nnames; i++) {
		slots[i] = tv_undef_name(names[i]);
		slots[i].aux = UND_MISSING_ARG;
	}
	if (ca->npos > nnames)
		return tpl_fail(rc, line, "%s() takes at most %zu arguments (%zu given)", what, nnames, ca->npos);
	for (i = 0; i < ca->npos; i++)
		slots[i] = ca->pos[i];
	for (i = 0; i < ca->nkw; i++) {
		for (j = 0; j < nnames; j++)
			if (ca->kwn != NULL && strcmp(ca->kwn[i], names[j]) == 0)
				break;
		if (j == nnames)
			return tpl_fail(rc, line, "%s() got an unexpected keyword argument '%s'", what,
					ca->kwn ? ca->kwn[i] : "?");
		if (j < ca->npos)
			return tpl_fail(rc, line, "%s() got multiple values for argument '%s'", what, names[j]);
		slots[j] = ca->kwv[i];
	}
	return 0;
}

static int
opt_bool(struct tpl_rctx *rc, int line, const struct tv *v, int dflt)
{
	if (tv_missing(v))
		return dflt;
	return tv_truth(rc, line, v);
}

static int
need_int(struct tpl_rctx *rc, int line, const struct tv *v, long long dflt, long long *out)
{
	*out = dflt;
	if (tv_missing(v)) {
		*out = dflt;
		return 0;
	}
	if (v->kind == TV_INT || v->kind == TV_BOOL) {
		*out = v->kind == TV_INT ? v->u.i : v->u.b;
		return 0;
	}
	if (v->kind == TV_UNDEF)
		return tpl_fail_undef(rc, line, v);
	return tpl_fail(rc, line, "'%s' object cannot be interpreted as an integer", tv_type_name(v));
}

static struct tv
gen_list(struct tpl_list *l)
{
	return tv_list_val(l, TVF_GEN);
}

/* ---- attribute getters (make_attrgetter) ---- */

static int
attr_part(struct tpl_rctx *rc, int line, const struct tv *obj, const char *p, size_t n, struct tv *out)
{
	size_t i;
	long long idx = 0;

	for (i = 0; i < n && p[i] >= '0' && p[i] <= '9'; i++)
		idx = idx * 10 + (p[i] - '0');
	if (n > 0 && i == n && n < 18) {
		struct tv k = tv_int(idx);
		return tv_getitem(rc, line, obj, &k, out);
	}
	struct tv k = tv_str(p, n);
	return tv_getitem(rc, line, obj, &k, out);
}

/* "a.b.0" walks item by item (Jinja2 getitem semantics). */
int
tpl_attr_path(struct tpl_rctx *rc, int line, const struct tv *obj, const struct tv *attr, struct tv *out)
{
	const char *p, *dot;
	size_t n;
	struct tv cur = *obj;

	if (attr->kind == TV_INT || attr->kind == TV_NONE)
		return tv_getitem(rc, line, obj, attr, out);
	if (attr->kind != TV_STR)
		return tpl_fail(rc, line, "attribute name must be a string");
	p = attr->u.s.p;
	n = attr->u.s.n;
	for (;;) {
		dot = memchr(p, '.', n);
		if (attr_part(rc, line, &cur, p, dot ? (size_t)(dot - p) : n, &cur) < 0)
			return -1;
		if (dot == NULL)
			break;
		if (cur.kind == TV_UNDEF)
			return tpl_fail_undef(rc, line, &cur);
		n -= (size_t)(dot - p) + 1;
		p = dot + 1;
	}
	*out = cur;
	return 0;
}

int
tv_case_key(struct tpl_rctx *rc, const struct tv *v, int case_sensitive, struct tv *out)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i = 0, k;
	uint32_t cp;
	char enc[4];
	int r;

	if (case_sensitive || v->kind != TV_STR) {
		*out = *v;
		return 0;
	}
	while (i < v->u.s.n) {
		k = utf8_decode(v->u.s.p + i, v->u.s.n - i, &cp);
		if (k == 1 && cp >= 0x80)
			strbuf_addc(&sb, v->u.s.p[i]);
		else
			strbuf_add(&sb, enc, (size_t)utf8_encode(uc_lower(cp), enc));
		i += k;
	}
	r = tv_from_sb(rc, 0, &sb, out);
	strbuf_free(&sb);
	return r;
}

/* Key of one item: the item or its attribute(s), lowered unless case
 * sensitive; "a,b" gives a tuple key (make_multi_attrgetter). */
int
tpl_item_key(struct tpl_rctx *rc, int line, const struct tv *item, const struct tv *attr, int cs, int multi,
	 struct tv *out)
{
	struct tpl_list *l;
	const char *p, *c;
	size_t n;
	struct tv part, v;

	if (tv_missing(attr) || attr->kind == TV_NONE)
		return tv_case_key(rc, item, cs, out);
	if (!multi || attr->kind != TV_STR || memchr(attr->u.s.p, ',', attr->u.s.n) == NULL) {
		if (tpl_attr_path(rc, line, item, attr, &v) < 0)
			return -1;
		return tv_case_key(rc, &v, cs, out);
	}
	if ((l = tv_list_new(rc, 0)) == NULL)
		return -1;
	p = attr->u.s.p;
	n = attr->u.s.n;
	for (;;) {
		c = memchr(p, ',', n);
		part = tv_str(p, c ? (size_t)(c - p) : n);
		if (tpl_attr_path(rc, line, item, &part, &v) < 0 || tv_case_key(rc, &v, cs, &v) < 0 ||
		    tv_list_push(rc, l, v) < 0)
			return -1;
		if (c == NULL)
			break;
		n -= (size_t)(c - p) + 1;
		p = c + 1;
	}
	*out = tv_list_val(l, 0);
	return 0;
}

/* Stable merge sort of v by keys (Python's sorted is stable, also with
 * reverse=True). */
static int
merge_sort(struct tpl_rctx *rc, int line, size_t *idx, size_t *tmp, size_t n, struct tv *keys, int reverse)
{
	size_t mid = n / 2, i = 0, j = mid, k = 0;
	int c;

	if (n < 2)
		return 0;
	if (merge_sort(rc, line, idx, tmp, mid, keys, reverse) < 0 ||
	    merge_sort(rc, line, idx + mid, tmp, n - mid, keys, reverse) < 0)
		return -1;
	while (i < mid && j < n) {
		/* take from the right only when strictly before the left in
		 * the wanted order, so equal keys keep their input order */
		if (!reverse && tv_compare(rc, line, &keys[idx[j]], &keys[idx[i]], &c) < 0)
			return -1;
		if (reverse && tv_compare(rc, line, &keys[idx[i]], &keys[idx[j]], &c) < 0)
			return -1;
		tmp[k++] = c < 0 ? idx[j++] : idx[i++];
	}
	while (i < mid)
		tmp[k++] = idx[i++];
	while (j < n)
		tmp[k++] = idx[j++];
	memcpy(idx, tmp, n * sizeof(*idx));
	return 0;
}

int
tpl_sort_values(struct tpl_rctx *rc, int line, struct tv *v, struct tv *keys, size_t n, int reverse)
{
	size_t *idx = tpl_arena_alloc(&rc->arena, (n + 1) * sizeof(size_t) * 2), i;
	struct tv *copy = tpl_arena_alloc(&rc->arena, (n + 1) * sizeof(struct tv));

	if (idx == NULL || copy == NULL)
		return tpl_fail(rc, line, "template used too much memory");
	for (i = 0; i < n; i++)
		idx[i] = i;
	if (tpl_step(rc, line, n) < 0 || merge_sort(rc, line, idx, idx + n + 1, n, keys, reverse) < 0)
		return -1;
	memcpy(copy, v, n * sizeof(*v));
	for (i = 0; i < n; i++)
		v[i] = copy[idx[i]];
	return 0;
}

static int
copy_items(struct tpl_rctx *rc, int line, const struct tv *in, struct tv **out, size_t *n)
{
	struct tv *items, *c;

	if (tv_items(rc, line, in, &items, n) < 0)
		return -1;
	if ((c = tpl_arena_alloc(&rc->arena, (*n + 1) * sizeof(*c))) == NULL)
		return tpl_fail(rc, line, "template used too much memory");
	memcpy(c, items, *n * sizeof(*c));
	*out = c;
	return 0;
}

static int
f_sort(struct tpl_rctx *rc, int line, struct tv in, const struct tpl_callargs *ca, struct tv *out)
{
	ARGS("reverse", "case_sensitive", "attribute");
	struct tv a[3], *v = NULL, *keys;
	size_t n, i;
	int rev, cs;
	struct tpl_list *l;

	if (BIND("sort", a) < 0 || (rev = opt_bool(rc, line, &a[0], 0)) < 0 || (cs = opt_bool(rc, line, &a[1], 0)) < 0)
		return -1;
	if (copy_items(rc, line, &in, &v, &n) < 0)
		return -1;
	if ((keys = tpl_arena_alloc(&rc->arena, (n + 1) * sizeof(*keys))) == NULL)
		return tpl_fail(rc, line, "template used too much memory");
	for (i = 0; i < n; i++)
		if (tpl_item_key(rc, line, &v[i], &a[2], cs, 1, &keys[i]) < 0)
			return -1;
	if (tpl_sort_values(rc, line, v, keys, n, rev) < 0 || (l = tv_list_new(rc, 0)) == NULL)
		return -1;
	l->v = v;
	l->n = l->cap = n;
	*out = tv_list_val(l, 0);
	return 0;
}

static int
f_dictsort(struct tpl_rctx *rc, int line, struct tv in, const struct tpl_callargs *ca, struct tv *out)
{
	ARGS("case_sensitive", "by", "reverse");
	struct tv a[3], *k, *v, *pairs, *keys;
	size_t n, i;
	int cs, rev, byval = 0;
	struct tpl_list *l, *pl;

	if (BIND("dictsort", a) < 0 || (cs = opt_bool(rc, line, &a[0], 0)) < 0 || (rev = opt_bool(rc, line, &a[2], 0)) < 0)
		return -1;
	if (!tv_missing(&a[1])) {
		if (a[1].kind == TV_STR && a[1].u.s.n == 5 && memcmp(a[1].u.s.p, "value", 5) == 0)
			byval = 1;
		else if (!(a[1].kind == TV_STR && a[1].u.s.n == 3 && memcmp(a[1].u.s.p, "key", 3) == 0))
			return tpl_fail(rc, line, "You can only sort by either \"key\" or \"value\"");
	}
	if (tv_dict_pairs(rc, line, &in, &k, &v, &n) < 0)
		return -1;
	pairs = tpl_arena_alloc(&rc->arena, (n + 1) * sizeof(*pairs));
	keys = tpl_arena_alloc(&rc->arena, (n + 1) * sizeof(*keys));
	if (pairs == NULL || keys == NULL)
		return tpl_fail(rc, line, "template used too much memory");
	for (i = 0; i < n; i++) {
		if ((pl = tv_list_new(rc, 2)) == NULL)
			return -1;
		pl->v[0] = k[i];
		pl->v[1] = v[i];
		pl->n = 2;
		pairs[i] = tv_list_val(pl, TVF_TUPLE);
		if (tv_case_key(rc, byval ? &v[i] : &k[i], cs, &keys[i]) < 0)
			return -1;
	}
	if (tpl_sort_values(rc, line, pairs, keys, n, rev) < 0 || (l = tv_list_new(rc, 0)) == NULL)
		return -1;
	l->v = pairs;
	l->n = l->cap = n;
	*out = tv_list_val(l, 0);
	return 0;
}

static int
f_default(struct tpl_rctx *rc, int line, struct tv in, const struct tpl_callargs *ca, struct tv *out)
{
	ARGS("default_value", "boolean");
	struct tv a[2];
	int b, t;

	if (BIND("default", a) < 0 || (b = opt_bool(rc, line, &a[1], 0)) < 0)
		return -1;
	if (tv_missing(&a[0]))
		a[0] = tv_str("", 0);
	if (in.kind == TV_UNDEF) {
		*out = a[0];
		return 0;
	}
	if (b) {
		if ((t = tv_truth(rc, line, &in)) < 0)
			return -1;
		if (!t) {
			*out = a[0];
			return 0;
		}
	}
	*out = in;
	return 0;
}

static int
f_length(struct tpl_rctx *rc, int line, struct tv in, const struct tpl_callargs *ca, struct tv *out)
{
	long long n;

	if (tpl_bind(rc, line, "length", ca, NULL, 0, NULL) < 0 || tv_length(rc, line, &in, &n) < 0)
		return -1;
	*out = tv_int(n);
	return 0;
}

static int
f_join(struct tpl_rctx *rc, int line, struct tv in, const struct tpl_callargs *ca, struct tv *out)
{
	ARGS("d", "attribute");
	struct tv a[2], *items, sep, v;
	struct strbuf sb = STRBUF_INIT;
	size_t n, i;
	int r = -1;

	if (BIND("join", a) < 0 || tv_items(rc, line, &in, &items, &n) < 0)
		return -1;
	if (tv_missing(&a[0]))
		a[0] = tv_str("", 0);
	if (tv_to_str(rc, line, &a[0], &sep) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		v = items[i];
		if (!tv_missing(&a[1]) && a[1].kind != TV_NONE && tpl_attr_path(rc, line, &items[i], &a[1], &v) < 0)
			goto out;
		if (i > 0)
			strbuf_add(&sb, sep.u.s.p, sep.u.s.n);
		if (tv_write_str(rc, line, &v, &sb) < 0)
			goto out;
		if (sb.len > TPL_MAX_OUTPUT) {
			tv_charge(rc, line, sb.len);
			goto out;
		}
	}
	r = tv_from_sb(rc, line, &sb, out);
out:
	strbuf_free(&sb);
	return r;
}

/* Maps each code point of str(in) through fn(cp, position state). */
static int
map_case(struct tpl_rctx *rc, int line, struct tv in, int mode, struct tv *out)
{
	struct strbuf sb = STRBUF_INIT;
	struct tv s;
	size_t i = 0, k;
	uint32_t cp, m;
	char enc[4];
	int first = 1, r;

	if (tv_to_str(rc, line, &in, &s) < 0)
		return -1;
	while (i < s.u.s.n) {
		k = utf8_decode(s.u.s.p + i, s.u.s.n - i, &cp);
		if (mode == 0)
			m = uc_upper(cp);
		else if (mode == 1)
			m = uc_lower(cp);
		else /* capitalize */
			m = first ? uc_upper(cp) : uc_lower(cp);
		first = 0;
		if (k == 1 && cp >= 0x80)
			strbuf_addc(&sb, s.u.s.p[i]);
		else
			strbuf_add(&sb, enc, (size_t)utf8_encode(m, enc));
		i += k;
	}
	r = tv_from_sb(rc, line, &sb, out);
	strbuf_free(&sb);
	return r;
}

static int
f_upper(struct tpl_rctx *rc, int line, struct tv in, const struct tpl_callargs *ca, struct tv *out)
{
	if (tpl_bind(rc, line, "upper", ca, NULL, 0, NULL) < 0)
		return -1;
	return map_case(rc, line, in, 0, out);
}

static int
f_lower(struct tpl_rctx *rc, int line, struct tv in, const struct tpl_callargs *ca, struct tv *out)
{
	if (tpl_bind(rc, line, "lower", ca, NULL, 0, NULL) < 0)
		return -1;
	return map_case(rc, line, in, 1, out);
}

static int
f_capitalize(struct tpl_rctx *rc, int line, struct tv in, const struct tpl_callargs *ca, struct tv *out)
{
	if (tpl_bind(rc, line, "capitalize", ca, NULL, 0, NULL) < 0)
		return -1;
	return map_case(rc, line, in, 2, out);
}

/* Jinja2's title: words start after runs of "-", whitespace, "(", "{",
 * "[" or "<"; each piece gets its first character upper-cased and the
 * rest lower-cased. */
static int
f_title(struct tpl_rctx *rc, int line, struct tv in, const struct tpl_callargs *ca, struct tv *out)
{
	struct strbuf sb = STRBUF_INIT;
	struct tv s;
	size_t i = 0, k;
	uint32_t cp;
	char enc[4];
	int start = 1, sep, prev_sep = -1, r;

	if (tpl_bind(rc, line, "title", ca, NULL, 0, NULL) < 0 || tv_to_str(rc, line, &in, &s) < 0)
		return -1;
	while (i < s.u.s.n) {
		k = utf8_decode(s.u.s.p + i, s.u.s.n - i, &cp);
		sep = cp == '-' || cp == '(' || cp == '{' || cp == '[' || cp == '<' || uc_is_space(cp);
		start = prev_sep < 0 || sep != prev_sep;
		prev_sep = sep;
		if (k == 1 && cp >= 0x80)
			strbuf_addc(&sb, s.u.s.p[i]);
		else
			strbuf_add(&sb, enc, (size_t)utf8_encode(start ? uc_upper(cp) : uc_lower(cp), enc));
		i += k;
	}
	r = tv_from_sb(rc, line, &sb, out);
	strbuf_free(&sb);
	return r;
}

static int
f_trim(struct tpl_rctx *rc, int line, struct tv in, const struct tpl_callargs *ca, struct tv *out)
{
	ARGS("chars");
	struct tv a[1], s;
	size_t b, e;

	if (BIND("trim", a) < 0 || tv_to_str(rc, line, &in, &s) < 0)
		return -1;
	if (!tv_missing(&a[0]) && a[0].kind != TV_NONE) {
		if (a[0].kind != TV_STR)
			return tpl_fail(rc, line, "strip arg must be None or str");
		b = 0;
		e = s.u.s.n;
		while (b < e && memchr(a[0].u.s.p, s.u.s.p[b], a[0].u.s.n))
			b++;
		while (e > b && memchr(a[0].u.s.p, s.u.s.p[e - 1], a[0].u.s.n))
			e--;
		*out = tv_str(s.u.s.p + b, e - b);
		return 0;
	}
	b = uc_space_prefix(s.u.s.p, s.u.s.n);
	e = s.u.s.n - uc_space_suffix(s.u.s.p + b, s.u.s.n - b);
	*out = tv_str(s.u.s.p + b, e - b);
	return 0;
}

/* str.replace(old, new, count); an empty old inserts new between code
 * points, as Python does. */
int
tpl_str_replace(struct tpl_rctx *rc, int line, const struct tv *s, const struct tv *old, const struct tv *nw,
		long long count, struct tv *out)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = s->u.s.p, *end = p + s->u.s.n, *hit;
	uint32_t cp;
	size_t k;
	int r;

	if (count < 0)
		count = LLONG_MAX;
	if (old->u.s.n == 0) {
		while (count > 0) {
			strbuf_add(&sb, nw->u.s.p, nw->u.s.n);
			count--;
			if (p >= end || sb.len > TPL_MAX_OUTPUT)
				break;
			k = utf8_decode(p, (size_t)(end - p), &cp);
			strbuf_add(&sb, p, k);
			p += k;
		}
	} else {
		while (count > 0 && (hit = memmem(p, (size_t)(end - p), old->u.s.p, old->u.s.n)) != NULL) {
			strbuf_add(&sb, p, (size_t)(hit - p));
			strbuf_add(&sb, nw->u.s.p, nw->u.s.n);
			p = hit + old->u.s.n;
			count--;
			if (sb.len > TPL_MAX_OUTPUT)
				break;
		}
	}
	strbuf_add(&sb, p, (size_t)(end - p));
	r = tv_from_sb(rc, line, &sb, out);
	strbuf_free(&sb);
	return r;
}

static int
f_replace(struct tpl_rctx *rc, int line, struct tv in, const struct tpl_callargs *ca, struct tv *out)
{
	ARGS("old", "new", "count");
	struct tv a[3], s, o, nw;
	long long count;

	if (BIND("replace", a) < 0)
		return -1;
	if (tv_missing(&a[0]) || tv_missing(&a[1]))
		return tpl_fail(rc, line, "replace() missing required argument");
	if (tv_to_str(rc, line, &in, &s) < 0 || tv_to_str(rc, line, &a[0], &o) < 0 || tv_to_str(rc, line, &a[1], &nw) < 0)
		return -1;
	if (!tv_missing(&a[2]) && a[2].kind == TV_NONE)
		a[2] = tv_int(-1);
	if (need_int(rc, line, &a[2], -1, &count) < 0)
		return -1;
	return tpl_str_replace(rc, line, &s, &o, &nw, count, out);
}

/* Python str.splitlines() (keepends=False), used by indent. */
static int
split_lines(struct tpl_rctx *rc, const char *s, size_t n, struct tpl_list *l)
{
	size_t i = 0, start = 0, k;
	uint32_t cp;

	while (i < n) {
		k = utf8_decode(s + i, n - i, &cp);
		if (!uc_is_linebreak(cp)) {
			i += k;
			continue;
		}
		if (tv_list_push(rc, l, tv_str(s + start, i - start)) < 0)
			return -1;
		i += k;
		if (cp == '\r' && i < n && s[i] == '\n')
			i++;
		start = i;
	}
	if (start < n && tv_list_push(rc, l, tv_str(s + start, n - start)) < 0)
		return -1;
	return 0;
}

static int
f_indent(struct tpl_rctx *rc, int line, struct tv in, const struct tpl_callargs *ca, struct tv *out)
{
	ARGS("width", "first", "blank");
	struct tv a[3], ind;
	struct strbuf sb = STRBUF_INIT, src = STRBUF_INIT;
	struct tpl_list *l;
	long long w, i;
	int first, blank, r = -1;

	if (BIND("indent", a) < 0 || (first = opt_bool(rc, line, &a[1], 0)) < 0 || (blank = opt_bool(rc, line, &a[2], 0)) < 0)
		return -1;
	if (in.kind != TV_STR)
		return in.kind == TV_UNDEF ? tpl_fail_undef(rc, line, &in)
					   : tpl_fail(rc, line, "unsupported operand type(s) for +=: '%s' and 'str'",
						      tv_type_name(&in));
	if (a[0].kind == TV_STR) {
		ind = a[0];
	} else {
		if (need_int(rc, line, &a[0], 4, &w) < 0)
			return -1;
		if (w > (long long)TPL_MAX_OUTPUT)
			return tpl_fail(rc, line, "output too large (limit %u MiB)", TPL_MAX_OUTPUT >> 20);
		for (i = 0; i < w; i++)
			strbuf_addc(&src, ' ');
		if (tv_from_sb(rc, line, &src, &ind) < 0)
			return strbuf_free(&src), -1;
		strbuf_reset(&src);
	}
	strbuf_add(&src, in.u.s.p, in.u.s.n);
	strbuf_addc(&src, '\n'); /* Jinja2's quirk so that splitlines keeps a last empty line */
	if ((l = tv_list_new(rc, 0)) == NULL || split_lines(rc, src.buf, src.len, l) < 0)
		goto out;
	if (first)
		strbuf_add(&sb, ind.u.s.p, ind.u.s.n);
	for (i = 0; i < (long long)l->n; i++) {
		if (i > 0) {
			strbuf_addc(&sb, '\n');
			if (blank || l->v[i].u.s.n > 0)
				strbuf_add(&sb, ind.u.s.p, ind.u.s.n);
		}
		strbuf_add(&sb, l->v[i].u.s.p, l->v[i].u.s.n);
		if (sb.len > TPL_MAX_OUTPUT)
			break;
	}
	r = tv_from_sb(rc, line, &sb, out);
out:
	strbuf_free(&sb);
	strbuf_free(&src);
	return r;
}

static int
f_first_last(struct tpl_rctx *rc, int line, struct tv in, const struct tpl_callargs *ca, struct tv *out, int last)
{
	struct tv *items;
	size_t n;

	if (tpl_bind(rc, line, last ? "last" : "first", ca, NULL, 0, NULL) < 0)
		return -1;
	if (last && in.kind == TV_LIST && (in.flags & TVF_GEN))
		return tpl_fail(rc, line, "'generator' object is not reversible");
	if (tv_items(rc, line, &in, &items, &n) < 0)
		return -1;
	if (n == 0)
		*out = tv_undef_msg(last ? "No last item, sequence was empty." : "No first item, sequence was empty.");
	else
		*out = items[last ? n - 1 : 0];
	return 0;
}

static int
f_first(struct tpl_rctx *rc, int line, struct tv in, const struct tpl_callargs *ca, struct tv *out)
{
	return f_first_last(rc, line, in, ca, out, 0);
}

static int
f_last(struct tpl_rctx *rc, int line, struct tv in, const struct tpl_callargs *ca, struct tv *out)
{
	return f_first_last(rc, line, in, ca, out, 1);
}

/* map('filter', args...) or map(attribute='x', default=...). */
static int
f_map(struct tpl_rctx *rc, int line, struct tv in, const struct tpl_callargs *ca, struct tv *out)
{
	struct tv *items, attr = tv_none(), dflt = tv_none(), v;
	struct tpl_callargs sub = *ca;
	struct tpl_list *l;
	size_t n, i;
	int fn = -1, t, has_default = 0;
	char name[64];

	if (ca->npos == 0) {
		for (i = 0; i < ca->nkw; i++) {
			if (strcmp(ca->kwn[i], "attribute") == 0)
				attr = ca->kwv[i];
			else if (strcmp(ca->kwn[i], "default") == 0)
				dflt = ca->kwv[i], has_default = 1;
			else
				return tpl_fail(rc, line, "Unexpected keyword argument '%s'", ca->kwn[i]);
		}
		if (attr.kind == TV_NONE)
			return tpl_fail(rc, line, "map requires a filter argument");
	} else {
		if (ca->pos[0].kind != TV_STR || ca->pos[0].u.s.n >= sizeof(name))
			return tpl_fail(rc, line, "map: the filter name must be a string");
		memcpy(name, ca->pos[0].u.s.p, ca->pos[0].u.s.n);
		name[ca->pos[0].u.s.n] = '\0';
		if ((fn = tpl_filter_find(name)) < 0)
			return tpl_fail(rc, line, "No filter named '%s'.", name);
		sub.pos++;
		sub.npos--;
	}
	if ((t = tv_truth(rc, line, &in)) < 0 || (l = tv_list_new(rc, 0)) == NULL)
		return -1;
	if (t && tv_items(rc, line, &in, &items, &n) < 0)
		return -1;
	for (i = 0; t && i < n; i++) {
		if (fn >= 0) {
			if (tpl_filter_get(fn)(rc, line, items[i], &sub, &v) < 0)
				return -1;
		} else if (tpl_attr_path(rc, line, &items[i], &attr, &v) < 0) {
			return -1;
		}
		if (fn < 0 && has_default && v.kind == TV_UNDEF && dflt.kind != TV_NONE)
			v = dflt;
		if (tv_list_push(rc, l, v) < 0)
			return -1;
	}
	*out = gen_list(l);
	return 0;
}

/* select/reject/selectattr/rejectattr (select_or_reject). */
static int
select_common(struct tpl_rctx *rc, int line, struct tv in, const struct tpl_callargs *ca, struct tv *out, int attr,
	      int want)
{
	struct tpl_callargs sub = *ca;
	struct tv *items, key, at = tv_none();
	struct tpl_list *l;
	size_t n, i;
	int fn = -1, t, res;
	char name[64];

	if (attr) {
		if (sub.npos == 0)
			return tpl_fail(rc, line, "Missing parameter for attribute name");
		at = sub.pos[0];
		sub.pos++;
		sub.npos--;
	}
	if (sub.npos > 0) {
		if (sub.pos[0].kind != TV_STR || sub.pos[0].u.s.n >= sizeof(name))
			return tpl_fail(rc, line, "the test name must be a string");
		memcpy(name, sub.pos[0].u.s.p, sub.pos[0].u.s.n);
		name[sub.pos[0].u.s.n] = '\0';
		if ((fn = tpl_test_find(name)) < 0)
			return tpl_fail(rc, line, "No test named '%s'.", name);
		sub.pos++;
		sub.npos--;
	}
	if ((t = tv_truth(rc, line, &in)) < 0 || (l = tv_list_new(rc, 0)) == NULL)
		return -1;
	if (t && tv_items(rc, line, &in, &items, &n) < 0)
		return -1;
	for (i = 0; t && i < n; i++) {
		key = items[i];
		if (attr && tpl_attr_path(rc, line, &items[i], &at, &key) < 0)
			return -1;
		if (fn >= 0) {
			if (tpl_test_get(fn)(rc, line, &key, &sub, &res) < 0)
				return -1;
		} else if ((res = tv_truth(rc, line, &key)) < 0) {
			return -1;
		}
		if ((res != 0) == want && tv_list_push(rc, l, items[i]) < 0)
			return -1;
	}
	*out = gen_list(l);
	return 0;
}

static int
f_select(struct tpl_rctx *rc, int line, struct tv in, const struct tpl_callargs *ca, struct tv *out)
{
	return select_common(rc, line, in, ca, out, 0, 1);
}

static int
f_reject(struct tpl_rctx *rc, int line, struct tv in, const struct tpl_callargs *ca, struct tv *out)
{
	return select_common(rc, line, in, ca, out, 0, 0);
}

static int
f_selectattr(struct tpl_rctx *rc, int line, struct tv in, const struct tpl_callargs *ca, struct tv *out)
{
	return select_common(rc, line, in, ca, out, 1, 1);
}

static int
f_rejectattr(struct tpl_rctx *rc, int line, struct tv in, const struct tpl_callargs *ca, struct tv *out)
{
	return select_common(rc, line, in, ca, out, 1, 0);
}

const struct tpl_filter_def tpl_filter_defs_a[] = {
	{"sort", f_sort},
	{"dictsort", f_dictsort},
	{"default", f_default},
	{"d", f_default},
	{"length", f_length},
	{"count", f_length},
	{"join", f_join},
	{"upper", f_upper},
	{"lower", f_lower},
	{"capitalize", f_capitalize},
	{"title", f_title},
	{"trim", f_trim},
	{"replace", f_replace},
	{"indent", f_indent},
	{"first", f_first},
	{"last", f_last},
	{"map", f_map},
	{"select", f_select},
	{"reject", f_reject},
	{"selectattr", f_selectattr},
	{"rejectattr", f_rejectattr},
	{NULL, NULL},
};
