/* More builtin filters (numbers, conversions, aggregates) and the filter
 * lookup table. Python's int()/float() string parsing is reproduced here
 * because do_int/do_float fall back to a default exactly when Python's
 * parser rejects the text. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/template/tpl_int.h"

#define ARGS(...) static const char *const names[] = {__VA_ARGS__}
#define NNAMES (sizeof(names) / sizeof(names[0]))
#define BIND(what, slots) tpl_bind(rc, line, what, ca, names, NNAMES, slots)

static int
digit_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
		return (c | 0x20) - 'a' + 10;
	return 99;
}

/* Python int(text, base): whitespace, sign, optional 0x/0o/0b prefix
 * (base 0 or the matching base), "_" only between digits. Returns 0 on
 * success, -1 when Python raises ValueError. */
int
tpl_py_int(const char *s, size_t n, int base, long long *out, int *overflow)
{
	size_t b = uc_space_prefix(s, n), e = n - uc_space_suffix(s, n), i, nd = 0;
	int neg = 0, d, prev_us = 0;
	unsigned long long v = 0;
	char p;

	*overflow = 0;
	if (b >= e)
		return -1;
	if (s[b] == '+' || s[b] == '-')
		neg = s[b++] == '-';
	p = (e - b >= 2 && s[b] == '0') ? (char)(s[b + 1] | 0x20) : 0;
	if ((p == 'x' && (base == 16 || base == 0)) || (p == 'o' && (base == 8 || base == 0)) ||
	    (p == 'b' && (base == 2 || base == 0))) {
		base = p == 'x' ? 16 : p == 'o' ? 8 : 2;
		b += 2;
		prev_us = 1; /* "0x_1" is valid */
		if (b < e && s[b] == '_')
			b++;
		prev_us = 0;
	} else if (base == 0) {
		base = 10;
		for (i = b; i < e && (s[i] == '0' || s[i] == '_'); i++)
			;
		if (i < e && s[b] == '0')
			return -1; /* "010" is not valid in base 0 */
	}
	if (base < 2 || base > 36)
		return -1;
	for (i = b; i < e; i++) {
		if (s[i] == '_') {
			if (prev_us || nd == 0 || i + 1 == e)
				return -1;
			prev_us = 1;
			continue;
		}
		prev_us = 0;
		if ((d = digit_val(s[i])) >= base)
			return -1;
		if (v > (ULLONG_MAX - (unsigned)d) / (unsigned)base)
			*overflow = 1;
		v = v * (unsigned)base + (unsigned)d;
		nd++;
	}
	if (nd == 0)
		return -1;
	if (v > (unsigned long long)LLONG_MAX + (neg ? 1 : 0))
		*overflow = 1;
	*out = neg ? (long long)(0 - v) : (long long)v;
	return 0;
}

static int
ci_eq(const char *a, size_t n, const char *b)
{
	size_t i;

	if (strlen(b) != n)
		return 0;
	for (i = 0; i < n; i++)
		if ((a[i] | 0x20) != b[i])
			return 0;
	return 1;
}

/* Python float(text). */
int
tpl_py_float(const char *s, size_t n, double *out)
{
	size_t b = uc_space_prefix(s, n), e = n - uc_space_suffix(s, n), i, k = 0, body;
	char buf[512];
	int digits = 0, seen_dot = 0, seen_e = 0, prev_digit = 0;

	if (b >= e || e - b >= sizeof(buf))
		return -1;
	body = (s[b] == '+' || s[b] == '-') ? b + 1 : b;
	if (ci_eq(s + body, e - body, "inf") || ci_eq(s + body, e - body, "infinity") ||
	    ci_eq(s + body, e - body, "nan")) {
		*out = (s[body] | 0x20) == 'n' ? NAN : INFINITY;
		if (s[b] == '-')
			*out = -*out;
		return 0;
	}
	for (i = b; i < e; i++) {
		char c = s[i];
		if (c == '_') {
			if (!prev_digit || i + 1 >= e || s[i + 1] < '0' || s[i + 1] > '9')
				return -1;
			continue;
		}
		prev_digit = c >= '0' && c <= '9';
		if (prev_digit)
			digits++;
		else if (c == '.' && !seen_dot && !seen_e)
			seen_dot = 1;
		else if ((c == 'e' || c == 'E') && !seen_e && digits > 0)
			seen_e = 1, digits = 0;
		else if ((c == '+' || c == '-') && (i == b || (s[i - 1] | 0x20) == 'e'))
			;
		else
			return -1;
		buf[k++] = c;
	}
	if (digits == 0)
		return -1;
	buf[k] = '\0';
	*out = strtod(buf, NULL);
	return 0;
}

static int
f_int(struct tpl_rctx *rc, int line, struct tv in, const struct tpl_callargs *ca, struct tv *out)
{
	ARGS("default", "base");
	struct tv a[2];
	long long base = 10, v;
	double d;
	int ovf = 0;

	if (BIND("int", a) < 0)
		return -1;
	if (tv_missing(&a[0]))
		a[0] = tv_int(0);
	if (!tv_missing(&a[1]) && (a[1].kind == TV_INT || a[1].kind == TV_BOOL))
		base = a[1].kind == TV_INT ? a[1].u.i : a[1].u.b;
	*out = a[0];
	if (in.kind == TV_INT || in.kind == TV_BOOL) {
		*out = tv_int(in.kind == TV_INT ? in.u.i : in.u.b);
		return 0;
	}
	if (in.kind == TV_STR) {
		if (base != 0 && (base < 2 || base > 36))
			return tpl_fail(rc, line, "int() base must be >= 2 and <= 36, or 0");
		if (tpl_py_int(in.u.s.p, in.u.s.n, (int)base, &v, &ovf) == 0) {
			if (ovf)
				return tpl_fail(rc, line, "integer overflow (kylecode's integers are 64-bit)");
			*out = tv_int(v);
			return 0;
		}
		if (tpl_py_float(in.u.s.p, in.u.s.n, &d) < 0)
			return 0;
	} else if (in.kind == TV_FLOAT) {
		d = in.u.f;
	} else {
		return in.kind == TV_UNDEF && in.aux != UND_LENIENT ? tpl_fail_undef(rc, line, &in) : 0;
	}
	if (isnan(d))
		return 0;
	if (isinf(d))
		return tpl_fail(rc, line, "cannot convert float infinity to integer");
	if (fabs(d) >= 9.2e18)
		return tpl_fail(rc, line, "integer overflow (kylecode's integers are 64-bit)");
	*out = tv_int((long long)d);
	return 0;
}

static int
f_float(struct tpl_rctx *rc, int line, struct tv in, const struct tpl_callargs *ca, struct tv *out)
{
	ARGS("default");
	struct tv a[1];
	double d;

	if (BIND("float", a) < 0)
		return -1;
	*out = tv_missing(&a[0]) ? tv_float(0.0) : a[0];
	if (tv_is_num(&in))
		*out = tv_float(tv_num(&in));
	else if (in.kind == TV_STR && tpl_py_float(in.u.s.p, in.u.s.n, &d) == 0)
		*out = tv_float(d);
	else if (in.kind == TV_UNDEF && in.aux != UND_LENIENT)
		return tpl_fail_undef(rc, line, &in);
	return 0;
}

static int
f_string(struct tpl_rctx *rc, int line, struct tv in, const struct tpl_callargs *ca, struct tv *out)
{
	if (tpl_bind(rc, line, "string", ca, NULL, 0, NULL) < 0)
		return -1;
	return tv_to_str(rc, line, &in, out);
}

static int
f_list(struct tpl_rctx *rc, int line, struct tv in, const struct tpl_callargs *ca, struct tv *out)
{
	struct tv *items;
	size_t n;
	struct tpl_list *l;

	if (tpl_bind(rc, line, "list", ca, NULL, 0, NULL) < 0 || tv_items(rc, line, &in, &items, &n) < 0)
		return -1;
	if ((l = tv_list_new(rc, n)) == NULL)
		return -1;
	if (n > 0)
		memcpy(l->v, items, n * sizeof(*items));
	l->n = n;
	*out = tv_list_val(l, 0);
	return 0;
}

static int
f_items(struct tpl_rctx *rc, int line, struct tv in, const struct tpl_callargs *ca, struct tv *out)
{
	struct tv *k, *v;
	size_t n = 0, i;
	struct tpl_list *l, *p;

	if (tpl_bind(rc, line, "items", ca, NULL, 0, NULL) < 0 || (l = tv_list_new(rc, 0)) == NULL)
		return -1;
	if (in.kind != TV_UNDEF) {
		if (!tv_is_map(&in))
			return tpl_fail(rc, line, "Can only get item pairs from a mapping.");
		if (tv_dict_pairs(rc, line, &in, &k, &v, &n) < 0)
			return -1;
	}
	for (i = 0; i < n; i++) {
		if ((p = tv_list_new(rc, 2)) == NULL)
			return -1;
		p->v[0] = k[i];
		p->v[1] = v[i];
		p->n = 2;
		if (tv_list_push(rc, l, tv_list_val(p, TVF_TUPLE)) < 0)
			return -1;
	}
	*out = tv_list_val(l, TVF_GEN);
	return 0;
}

static int
f_abs(struct tpl_rctx *rc, int line, struct tv in, const struct tpl_callargs *ca, struct tv *out)
{
	if (tpl_bind(rc, line, "abs", ca, NULL, 0, NULL) < 0)
		return -1;
	if (in.kind == TV_INT || in.kind == TV_BOOL) {
		long long v = in.kind == TV_INT ? in.u.i : in.u.b;
		if (v == LLONG_MIN)
			return tpl_fail(rc, line, "integer overflow (kylecode's integers are 64-bit)");
		*out = tv_int(v < 0 ? -v : v);
		return 0;
	}
	if (in.kind == TV_FLOAT) {
		*out = tv_float(fabs(in.u.f));
		return 0;
	}
	if (in.kind == TV_UNDEF)
		return tpl_fail_undef(rc, line, &in);
	return tpl_fail(rc, line, "bad operand type for abs(): '%s'", tv_type_name(&in));
}

/* Python's round(): correctly rounded through printf's exact decimal
 * conversion, halves to even. */
static double
py_round(double x, long long nd)
{
	char buf[400];
	double p;

	if (!isfinite(x) || nd > 330)
		return x;
	if (nd >= 0) {
		snprintf(buf, sizeof(buf), "%.*f", (int)nd, x);
		return strtod(buf, NULL);
	}
	if (nd < -330)
		return copysign(0.0, x);
	p = pow(10.0, (double)-nd);
	return nearbyint(x / p) * p;
}

static int
f_round(struct tpl_rctx *rc, int line, struct tv in, const struct tpl_callargs *ca, struct tv *out)
{
	ARGS("precision", "method");
	struct tv a[2];
	long long prec;
	const char *m = "common";
	double x, p;

	if (BIND("round", a) < 0 || (!tv_missing(&a[0]) && a[0].kind == TV_FLOAT))
		return a[0].kind == TV_FLOAT ? tpl_fail(rc, line, "'float' object cannot be interpreted as an integer") : -1;
	if ((tv_missing(&a[0]) ? (prec = 0, 0) : (a[0].kind == TV_INT ? (prec = a[0].u.i, 0) : -1)) < 0)
		return tpl_fail(rc, line, "round() precision must be an integer");
	if (!tv_missing(&a[1])) {
		if (a[1].kind == TV_STR && a[1].u.s.n == 4 && memcmp(a[1].u.s.p, "ceil", 4) == 0)
			m = "ceil";
		else if (a[1].kind == TV_STR && a[1].u.s.n == 5 && memcmp(a[1].u.s.p, "floor", 5) == 0)
			m = "floor";
		else if (!(a[1].kind == TV_STR && a[1].u.s.n == 6 && memcmp(a[1].u.s.p, "common", 6) == 0))
			return tpl_fail(rc, line, "method must be common, ceil or floor");
	}
	if (!tv_is_num(&in))
		return in.kind == TV_UNDEF ? tpl_fail_undef(rc, line, &in)
					   : tpl_fail(rc, line, "type %s doesn't define __round__ method", tv_type_name(&in));
	x = tv_num(&in);
	if (m[0] == 'c' && m[1] == 'o') {
		if (in.kind != TV_FLOAT && prec >= 0) {
			*out = tv_int(in.kind == TV_INT ? in.u.i : in.u.b);
			return 0;
		}
		*out = in.kind == TV_FLOAT ? tv_float(py_round(x, prec)) : tv_int((long long)py_round(x, prec));
		return 0;
	}
	p = pow(10.0, (double)prec);
	*out = tv_float((m[0] == 'c' ? ceil(x * p) : floor(x * p)) / p);
	return 0;
}

static int
f_minmax(struct tpl_rctx *rc, int line, struct tv in, const struct tpl_callargs *ca, struct tv *out, int want_max)
{
	ARGS("case_sensitive", "attribute");
	struct tv a[2], *items, best_key, key;
	size_t n, i, best = 0;
	int cs, c;

	if (BIND(want_max ? "max" : "min", a) < 0 || (cs = (tv_missing(&a[0]) ? 0 : tv_truth(rc, line, &a[0]))) < 0)
		return -1;
	if (tv_items(rc, line, &in, &items, &n) < 0)
		return -1;
	if (n == 0) {
		*out = tv_undef_msg("No aggregated item, sequence was empty.");
		return 0;
	}
	if (tpl_item_key(rc, line, &items[0], &a[1], cs, 0, &best_key) < 0)
		return -1;
	for (i = 1; i < n; i++) {
		if (tpl_item_key(rc, line, &items[i], &a[1], cs, 0, &key) < 0)
			return -1;
		if (tv_compare(rc, line, want_max ? &best_key : &key, want_max ? &key : &best_key, &c) < 0)
			return -1;
		if (c < 0) {
			best = i;
			best_key = key;
		}
	}
	*out = items[best];
	return 0;
}

static int
f_max(struct tpl_rctx *rc, int line, struct tv in, const struct tpl_callargs *ca, struct tv *out)
{
	return f_minmax(rc, line, in, ca, out, 1);
}

static int
f_min(struct tpl_rctx *rc, int line, struct tv in, const struct tpl_callargs *ca, struct tv *out)
{
	return f_minmax(rc, line, in, ca, out, 0);
}

static int
f_sum(struct tpl_rctx *rc, int line, struct tv in, const struct tpl_callargs *ca, struct tv *out)
{
	ARGS("attribute", "start");
	struct tv a[2], *items, acc, v;
	size_t n, i;

	if (BIND("sum", a) < 0 || tv_items(rc, line, &in, &items, &n) < 0)
		return -1;
	acc = tv_missing(&a[1]) ? tv_int(0) : a[1];
	if (acc.kind == TV_STR)
		return tpl_fail(rc, line, "sum() can't sum strings [use ''.join(seq) instead]");
	for (i = 0; i < n; i++) {
		v = items[i];
		if (!tv_missing(&a[0]) && a[0].kind != TV_NONE && tpl_attr_path(rc, line, &items[i], &a[0], &v) < 0)
			return -1;
		if (tv_binop(rc, line, OP_ADD, &acc, &v, &acc) < 0)
			return -1;
	}
	*out = acc;
	return 0;
}

static int
f_unique(struct tpl_rctx *rc, int line, struct tv in, const struct tpl_callargs *ca, struct tv *out)
{
	ARGS("case_sensitive", "attribute");
	struct tv a[2], *items;
	struct tpl_list *l, *seen;
	size_t n, i, j;
	struct tv key;
	int cs;

	if (BIND("unique", a) < 0 || (cs = (tv_missing(&a[0]) ? 0 : tv_truth(rc, line, &a[0]))) < 0)
		return -1;
	if (tv_items(rc, line, &in, &items, &n) < 0 || (l = tv_list_new(rc, 0)) == NULL || (seen = tv_list_new(rc, 0)) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		if (tpl_item_key(rc, line, &items[i], &a[1], cs, 0, &key) < 0)
			return -1;
		if ((key.kind == TV_LIST && !(key.flags & TVF_TUPLE)) || tv_is_map(&key))
			return tpl_fail(rc, line, "unhashable type: '%s'", tv_type_name(&key));
		if (tpl_step(rc, line, seen->n) < 0)
			return -1;
		for (j = 0; j < seen->n; j++)
			if (tv_equal(&seen->v[j], &key))
				break;
		if (j < seen->n)
			continue;
		if (tv_list_push(rc, seen, key) < 0 || tv_list_push(rc, l, items[i]) < 0)
			return -1;
	}
	*out = tv_list_val(l, TVF_GEN);
	return 0;
}

static int
f_batch(struct tpl_rctx *rc, int line, struct tv in, const struct tpl_callargs *ca, struct tv *out)
{
	ARGS("linecount", "fill_with");
	struct tv a[2], *items;
	struct tpl_list *l, *cur;
	size_t n, i;
	long long lc;

	if (BIND("batch", a) < 0)
		return -1;
	if (a[0].kind != TV_INT)
		return tpl_fail(rc, line, "batch() needs an integer linecount");
	lc = a[0].u.i;
	if (tv_items(rc, line, &in, &items, &n) < 0 || (l = tv_list_new(rc, 0)) == NULL || (cur = tv_list_new(rc, 0)) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		if ((long long)cur->n == lc) {
			if (tv_list_push(rc, l, tv_list_val(cur, 0)) < 0 || (cur = tv_list_new(rc, 0)) == NULL)
				return -1;
		}
		if (tv_list_push(rc, cur, items[i]) < 0)
			return -1;
	}
	if (cur->n > 0) {
		if (!tv_missing(&a[1]) && a[1].kind != TV_NONE && lc > TPL_MAX_RANGE)
			return tpl_fail(rc, line, "batch too big (limit %lld items)", TPL_MAX_RANGE);
		while (!tv_missing(&a[1]) && a[1].kind != TV_NONE && (long long)cur->n < lc)
			if (tv_list_push(rc, cur, a[1]) < 0)
				return -1;
		if (tv_list_push(rc, l, tv_list_val(cur, 0)) < 0)
			return -1;
	}
	*out = tv_list_val(l, TVF_GEN);
	return 0;
}

static int
f_reverse(struct tpl_rctx *rc, int line, struct tv in, const struct tpl_callargs *ca, struct tv *out)
{
	struct tv *items;
	size_t n, i;
	struct tpl_list *l;
	struct strbuf sb = STRBUF_INIT;
	int r;

	if (tpl_bind(rc, line, "reverse", ca, NULL, 0, NULL) < 0 || tv_items(rc, line, &in, &items, &n) < 0)
		return -1;
	if (in.kind == TV_STR) {
		for (i = n; i-- > 0;)
			strbuf_add(&sb, items[i].u.s.p, items[i].u.s.n);
		r = tv_from_sb(rc, line, &sb, out);
		strbuf_free(&sb);
		return r;
	}
	if ((l = tv_list_new(rc, n)) == NULL)
		return -1;
	for (i = n; i-- > 0;)
		l->v[l->n++] = items[i];
	/* reversed() of a sequence is an iterator; a generator becomes a list */
	*out = tv_list_val(l, (in.kind == TV_LIST && (in.flags & TVF_GEN)) ? 0 : TVF_GEN);
	return 0;
}

static int
f_escape(struct tpl_rctx *rc, int line, struct tv in, const struct tpl_callargs *ca, struct tv *out)
{
	struct strbuf sb = STRBUF_INIT;
	struct tv s;
	size_t i;
	int r;

	if (tpl_bind(rc, line, "escape", ca, NULL, 0, NULL) < 0 || tv_to_str(rc, line, &in, &s) < 0)
		return -1;
	for (i = 0; i < s.u.s.n; i++) {
		switch (s.u.s.p[i]) {
		case '&': strbuf_adds(&sb, "&amp;"); break;
		case '<': strbuf_adds(&sb, "&lt;"); break;
		case '>': strbuf_adds(&sb, "&gt;"); break;
		case '\'': strbuf_adds(&sb, "&#39;"); break;
		case '"': strbuf_adds(&sb, "&#34;"); break;
		default: strbuf_addc(&sb, s.u.s.p[i]);
		}
	}
	r = tv_from_sb(rc, line, &sb, out);
	strbuf_free(&sb);
	return r;
}

static int
f_center(struct tpl_rctx *rc, int line, struct tv in, const struct tpl_callargs *ca, struct tv *out)
{
	ARGS("width");
	struct tv a[1], s;
	struct strbuf sb = STRBUF_INIT;
	long long w, len, marg, left, i;
	int r;

	if (BIND("center", a) < 0 || tv_to_str(rc, line, &in, &s) < 0)
		return -1;
	if (a[0].kind != TV_INT && !tv_missing(&a[0]))
		return tpl_fail(rc, line, "center() width must be an integer");
	w = tv_missing(&a[0]) ? 80 : a[0].u.i;
	len = (long long)utf8_count(s.u.s.p, s.u.s.n);
	if (w <= len) {
		*out = s;
		return 0;
	}
	if (w > TPL_MAX_OUTPUT)
		return tpl_fail(rc, line, "output too large (limit %u MiB)", TPL_MAX_OUTPUT >> 20);
	marg = w - len;
	left = marg / 2 + (marg & w & 1);
	for (i = 0; i < left; i++)
		strbuf_addc(&sb, ' ');
	strbuf_add(&sb, s.u.s.p, s.u.s.n);
	for (i = 0; i < marg - left; i++)
		strbuf_addc(&sb, ' ');
	r = tv_from_sb(rc, line, &sb, out);
	strbuf_free(&sb);
	return r;
}

static int
f_wordcount(struct tpl_rctx *rc, int line, struct tv in, const struct tpl_callargs *ca, struct tv *out)
{
	struct tv s;
	size_t i = 0, k;
	uint32_t cp;
	long long words = 0;
	int inword = 0, w;

	if (tpl_bind(rc, line, "wordcount", ca, NULL, 0, NULL) < 0 || tv_to_str(rc, line, &in, &s) < 0)
		return -1;
	while (i < s.u.s.n) {
		k = utf8_decode(s.u.s.p + i, s.u.s.n - i, &cp);
		w = cp == '_' || (cp >= '0' && cp <= '9') || uc_is_alpha(cp) || (cp >= 0x80 && !uc_is_space(cp) && !(cp >= 0x2000 && cp <= 0x206f) && !(cp >= 0xa0 && cp <= 0xbf));
		if (w && !inword)
			words++;
		inword = w;
		i += k;
	}
	*out = tv_int(words);
	return 0;
}

static int
f_tojson(struct tpl_rctx *rc, int line, struct tv in, const struct tpl_callargs *ca, struct tv *out)
{
	ARGS("indent");
	struct tv a[1];
	struct strbuf sb = STRBUF_INIT;
	int r, indent = -1;

	if (BIND("tojson", a) < 0)
		return -1;
	if (!tv_missing(&a[0]) && a[0].kind != TV_NONE) {
		if (a[0].kind != TV_INT || a[0].u.i < 0 || a[0].u.i > 64)
			return tpl_fail(rc, line, "tojson: indent must be a small non-negative integer");
		indent = (int)a[0].u.i;
	}
	if ((r = tpl_tojson(rc, line, &in, indent, 0, &sb)) == 0)
		r = tv_from_sb(rc, line, &sb, out);
	strbuf_free(&sb);
	return r;
}

static int
f_format(struct tpl_rctx *rc, int line, struct tv in, const struct tpl_callargs *ca, struct tv *out)
{
	struct strbuf sb = STRBUF_INIT;
	struct tpl_callargs c = *ca;
	struct tv s, dict = tv_none();
	struct tpl_dict *d;
	size_t i;
	int r;

	if (ca->npos > 0 && ca->nkw > 0)
		return tpl_fail(rc, line, "can't handle positional and keyword arguments at the same time");
	if (tv_to_str(rc, line, &in, &s) < 0)
		return -1;
	if (ca->nkw > 0) {
		if ((d = tv_dict_new(rc, ca->nkw)) == NULL)
			return -1;
		for (i = 0; i < ca->nkw; i++)
			if (tv_dict_set(rc, d, tv_str(ca->kwn[i], strlen(ca->kwn[i])), ca->kwv[i]) < 0)
				return -1;
		dict.kind = TV_DICT;
		dict.u.d = d;
		c.kwv = &dict;
		c.nkw = 1;
		c.kwn = NULL;
	}
	if ((r = tpl_percent_format(rc, line, &s, &c, &sb)) == 0)
		r = tv_from_sb(rc, line, &sb, out);
	strbuf_free(&sb);
	return r;
}

static int
f_safe(struct tpl_rctx *rc, int line, struct tv in, const struct tpl_callargs *ca, struct tv *out)
{
	if (tpl_bind(rc, line, "safe", ca, NULL, 0, NULL) < 0)
		return -1;
	return tv_to_str(rc, line, &in, out);
}

static int
f_attr(struct tpl_rctx *rc, int line, struct tv in, const struct tpl_callargs *ca, struct tv *out)
{
	ARGS("name");
	struct tv a[1], s;

	if (BIND("attr", a) < 0 || tv_to_str(rc, line, &a[0], &s) < 0)
		return -1;
	if (in.kind == TV_UNDEF)
		return tpl_fail_undef(rc, line, &in);
	if (tpl_method_find(&in, s.u.s.p, s.u.s.n) >= 0 || in.kind == TV_LOOP || in.kind == TV_NS)
		return tv_getattr(rc, line, &in, s.u.s.p, s.u.s.n, out);
	*out = tv_undef_name(tv_strdup(rc, s.u.s.p, s.u.s.n));
	out->aux = UND_ATTR;
	out->u.und.obj = "object";
	return 0;
}

const struct tpl_filter_def tpl_filter_defs_b[] = {
	{"int", f_int},
	{"float", f_float},
	{"string", f_string},
	{"list", f_list},
	{"items", f_items},
	{"abs", f_abs},
	{"round", f_round},
	{"max", f_max},
	{"min", f_min},
	{"sum", f_sum},
	{"unique", f_unique},
	{"batch", f_batch},
	{"reverse", f_reverse},
	{"escape", f_escape},
	{"e", f_escape},
	{"forceescape", f_escape},
	{"center", f_center},
	{"wordcount", f_wordcount},
	{"tojson", f_tojson},
	{"format", f_format},
	{"safe", f_safe},
	{"attr", f_attr},
	{NULL, NULL},
};

/* Filter ids: table a first, then table b. */
int
tpl_filter_find(const char *name)
{
	int i, na;

	for (na = 0; tpl_filter_defs_a[na].name != NULL; na++)
		if (strcmp(tpl_filter_defs_a[na].name, name) == 0)
			return na;
	for (i = 0; tpl_filter_defs_b[i].name != NULL; i++)
		if (strcmp(tpl_filter_defs_b[i].name, name) == 0)
			return na + i;
	return -1;
}

tpl_filter_fn
tpl_filter_get(int id)
{
	int na;

	for (na = 0; tpl_filter_defs_a[na].name != NULL; na++)
		;
	return id < na ? tpl_filter_defs_a[id].fn : tpl_filter_defs_b[id - na].fn;
}
