/* Runtime values with Python's semantics: truthiness, str() and repr()
 * (so that printed lists, dicts and floats look exactly as Jinja2 prints
 * them), equality, ordering and containment.
 *
 * Numbers from cJSON: cJSON keeps only a double, so a JSON number that is
 * integral and within +-2^53 is an int (prints "1"), anything else is a
 * float (prints like Python's repr). A JSON "1.0" therefore prints "1",
 * where Python would print "1.0" (docs/TEMPLATES.md). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/template/tpl_int.h"

#define TPL_INT_EXACT 9007199254740992.0 /* 2^53 */

static struct tv tv_no_items[1];

struct tv
tv_undef_name(const char *name)
{
	struct tv v = tv_none();

	v.kind = TV_UNDEF;
	v.aux = UND_NAME;
	v.u.und.name = name;
	return v;
}

struct tv
tv_undef_msg(const char *msg)
{
	struct tv v = tv_undef_name(msg);

	v.aux = UND_MSG;
	return v;
}

int
tv_missing(const struct tv *v)
{
	return v->kind == TV_UNDEF && v->aux == UND_MISSING_ARG;
}

int
tv_charge(struct tpl_rctx *rc, int line, size_t n)
{
	if (n > TPL_MAX_OUTPUT || rc->produced > TPL_MAX_OUTPUT - n)
		return tpl_fail(rc, line, "output too large (limit %u MiB)", TPL_MAX_OUTPUT >> 20);
	rc->produced += n;
	return 0;
}

char *
tv_strdup(struct tpl_rctx *rc, const char *p, size_t n)
{
	char *s = tpl_arena_strndup(&rc->arena, p, n);

	if (s == NULL)
		tpl_fail(rc, 0, "template used too much memory (limit %u MiB)", TPL_MAX_ARENA >> 20);
	return s;
}

int
tv_from_sb(struct tpl_rctx *rc, int line, struct strbuf *sb, struct tv *out)
{
	char *s;

	if (tv_charge(rc, line, sb->len) < 0)
		return -1;
	if ((s = tv_strdup(rc, strbuf_str(sb), sb->len)) == NULL)
		return -1;
	*out = tv_str(s, sb->len);
	return 0;
}

struct tpl_list *
tv_list_new(struct tpl_rctx *rc, size_t cap)
{
	struct tpl_list *l = tpl_arena_alloc(&rc->arena, sizeof(*l));

	if (l == NULL) {
		tpl_fail(rc, 0, "template used too much memory (limit %u MiB)", TPL_MAX_ARENA >> 20);
		return NULL;
	}
	l->n = 0;
	l->cap = cap;
	l->v = NULL;
	if (cap > 0 && (l->v = tpl_arena_alloc(&rc->arena, cap * sizeof(struct tv))) == NULL) {
		tpl_fail(rc, 0, "template used too much memory (limit %u MiB)", TPL_MAX_ARENA >> 20);
		return NULL;
	}
	return l;
}

int
tv_list_push(struct tpl_rctx *rc, struct tpl_list *l, struct tv v)
{
	struct tv *nv;
	size_t cap;

	if (l->n == l->cap) {
		cap = l->cap ? l->cap * 2 : 8;
		if (cap > (TPL_MAX_ARENA / sizeof(struct tv)) ||
		    (nv = tpl_arena_alloc(&rc->arena, cap * sizeof(*nv))) == NULL)
			return tpl_fail(rc, 0, "template used too much memory (limit %u MiB)", TPL_MAX_ARENA >> 20);
		if (l->n > 0)
			memcpy(nv, l->v, l->n * sizeof(*nv));
		l->v = nv;
		l->cap = cap;
	}
	l->v[l->n++] = v;
	return 0;
}

struct tv
tv_list_val(struct tpl_list *l, uint8_t flags)
{
	struct tv v = tv_none();

	v.kind = TV_LIST;
	v.flags = flags;
	v.u.l = l;
	return v;
}

struct tpl_dict *
tv_dict_new(struct tpl_rctx *rc, size_t cap)
{
	struct tpl_dict *d = tpl_arena_alloc(&rc->arena, sizeof(*d));

	if (d == NULL) {
		tpl_fail(rc, 0, "template used too much memory (limit %u MiB)", TPL_MAX_ARENA >> 20);
		return NULL;
	}
	memset(d, 0, sizeof(*d));
	(void)cap;
	return d;
}

/* Insert or replace (Python dict semantics: first insertion order). */
int
tv_dict_set(struct tpl_rctx *rc, struct tpl_dict *d, struct tv k, struct tv v)
{
	struct tv *nk, *nv;
	size_t i, cap;

	for (i = 0; i < d->n; i++) {
		if (tv_equal(&d->k[i], &k)) {
			d->v[i] = v;
			return 0;
		}
	}
	if (d->n == d->cap) {
		cap = d->cap ? d->cap * 2 : 8;
		nk = tpl_arena_alloc(&rc->arena, cap * sizeof(*nk));
		nv = tpl_arena_alloc(&rc->arena, cap * sizeof(*nv));
		if (nk == NULL || nv == NULL)
			return tpl_fail(rc, 0, "template used too much memory (limit %u MiB)", TPL_MAX_ARENA >> 20);
		if (d->n > 0) {
			memcpy(nk, d->k, d->n * sizeof(*nk));
			memcpy(nv, d->v, d->n * sizeof(*nv));
		}
		d->k = nk;
		d->v = nv;
		d->cap = cap;
	}
	d->k[d->n] = k;
	d->v[d->n++] = v;
	return 0;
}

const char *
tv_type_name(const struct tv *v)
{
	switch (v->kind) {
	case TV_UNDEF: return "StrictUndefined";
	case TV_NONE: return "NoneType";
	case TV_BOOL: return "bool";
	case TV_INT: return "int";
	case TV_FLOAT: return "float";
	case TV_STR: return "str";
	case TV_LIST: return (v->flags & TVF_GEN) ? "generator" : (v->flags & TVF_TUPLE) ? "tuple" : "list";
	case TV_DICT: return "dict";
	case TV_MACRO: return "Macro";
	case TV_FUNC: return "function";
	case TV_METHOD: return "builtin_function_or_method";
	case TV_NS: return "Namespace";
	case TV_LOOP: return "LoopContext";
	}
	return "object";
}

int
tv_is_str(const struct tv *v)
{
	return v->kind == TV_STR;
}

int
tv_is_num(const struct tv *v)
{
	return v->kind == TV_INT || v->kind == TV_FLOAT || v->kind == TV_BOOL;
}

int
tv_is_seq(const struct tv *v)
{
	return v->kind == TV_LIST && !(v->flags & TVF_GEN);
}

int
tv_is_map(const struct tv *v)
{
	return v->kind == TV_DICT;
}

double
tv_num(const struct tv *v)
{
	if (v->kind == TV_FLOAT)
		return v->u.f;
	if (v->kind == TV_INT)
		return (double)v->u.i;
	if (v->kind == TV_BOOL)
		return v->u.b;
	return 0;
}

int
tv_truth(struct tpl_rctx *rc, int line, const struct tv *v)
{
	switch (v->kind) {
	case TV_UNDEF: return v->aux == UND_LENIENT ? 0 : tpl_fail_undef(rc, line, v);
	case TV_NONE: return 0;
	case TV_BOOL: return v->u.b;
	case TV_INT: return v->u.i != 0;
	case TV_FLOAT: return v->u.f != 0;
	case TV_STR: return v->u.s.n > 0;
	case TV_LIST: return (v->flags & TVF_GEN) || v->u.l->n > 0;
	case TV_DICT: return v->u.d->n > 0;
	default: return 1;
	}
}

/* Decimal digits without printf (ints are printed often). */
static void
tv_write_int(long long i, struct strbuf *sb)
{
	char buf[24];
	size_t k = sizeof(buf);
	unsigned long long u = i < 0 ? 0 - (unsigned long long)i : (unsigned long long)i;

	do {
		buf[--k] = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (i < 0)
		buf[--k] = '-';
	tpl_out(sb, buf + k, sizeof(buf) - k);
}

/* Python's repr(float): the shortest digits that read back the same,
 * fixed notation for exponents -5 < e < 16, else d.ddde+XX. */
void
tv_write_float(double f, struct strbuf *sb)
{
	char buf[64], digits[32];
	int prec, e, nd = 0, decpt, i;
	char *p;

	if (isnan(f)) {
		strbuf_adds(sb, "nan");
		return;
	}
	if (isinf(f)) {
		strbuf_adds(sb, f < 0 ? "-inf" : "inf");
		return;
	}
	for (prec = 1; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*e", prec - 1, f);
		if (strtod(buf, NULL) == f)
			break;
	}
	p = buf;
	if (*p == '-') {
		strbuf_addc(sb, '-');
		p++;
	}
	for (; *p != 'e'; p++)
		if (*p != '.')
			digits[nd++] = *p;
	e = atoi(p + 1);
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	decpt = e + 1;
	if (decpt > -4 && decpt <= 16) {
		if (decpt <= 0) {
			strbuf_adds(sb, "0.");
			for (i = 0; i < -decpt; i++)
				strbuf_addc(sb, '0');
			strbuf_add(sb, digits, (size_t)nd);
		} else if (decpt >= nd) {
			strbuf_add(sb, digits, (size_t)nd);
			for (i = nd; i < decpt; i++)
				strbuf_addc(sb, '0');
			strbuf_adds(sb, ".0");
		} else {
			strbuf_add(sb, digits, (size_t)decpt);
			strbuf_addc(sb, '.');
			strbuf_add(sb, digits + decpt, (size_t)(nd - decpt));
		}
		return;
	}
	strbuf_addc(sb, digits[0]);
	if (nd > 1) {
		strbuf_addc(sb, '.');
		strbuf_add(sb, digits + 1, (size_t)(nd - 1));
	}
	strbuf_addf(sb, "e%c%02d", e < 0 ? '-' : '+', e < 0 ? -e : e);
}

/* str.isprintable() for the code points we can tell apart cheaply. */
static int
uc_printable(uint32_t cp)
{
	if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0xa0) || cp == 0xad)
		return 0;
	if (cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202f) ||
	    (cp >= 0x205f && cp <= 0x206f) || cp == 0x3000 || cp == 0xfeff || (cp >= 0xd800 && cp <= 0xf8ff) ||
	    (cp >= 0xfff0 && cp <= 0xfffb) || cp >= 0xe0000)
		return 0;
	return 1;
}

static void
tv_write_str_repr(const char *s, size_t n, struct strbuf *sb)
{
	char q = '\'';
	size_t i = 0, k;
	uint32_t cp;

	if (memchr(s, '\'', n) != NULL && memchr(s, '"', n) == NULL)
		q = '"';
	strbuf_addc(sb, q);
	while (i < n) {
		k = utf8_decode(s + i, n - i, &cp);
		if (cp == (uint32_t)q || cp == '\\') {
			strbuf_addc(sb, '\\');
			strbuf_addc(sb, (char)cp);
		} else if (cp == '\n') {
			strbuf_adds(sb, "\\n");
		} else if (cp == '\r') {
			strbuf_adds(sb, "\\r");
		} else if (cp == '\t') {
			strbuf_adds(sb, "\\t");
		} else if (uc_printable(cp) || (k == 1 && cp >= 0x80)) {
			strbuf_add(sb, s + i, k);
		} else {
			strbuf_addf(sb, cp < 0x100 ? "\\x%02x" : cp < 0x10000 ? "\\u%04x" : "\\U%08x", (unsigned)cp);
		}
		i += k;
	}
	strbuf_addc(sb, q);
}

static int
tv_write_seq(struct tpl_rctx *rc, int line, const struct tv *v, struct strbuf *sb)
{
	struct tv *items;
	size_t n, i;
	int tuple = (v->flags & TVF_TUPLE) != 0;

	if (tv_items(rc, line, v, &items, &n) < 0)
		return -1;
	strbuf_addc(sb, tuple ? '(' : '[');
	for (i = 0; i < n; i++) {
		if (i > 0)
			strbuf_adds(sb, ", ");
		if (tv_write_repr(rc, line, &items[i], sb) < 0)
			return -1;
	}
	if (tuple && n == 1)
		strbuf_addc(sb, ',');
	strbuf_addc(sb, tuple ? ')' : ']');
	return 0;
}

static int
tv_write_map(struct tpl_rctx *rc, int line, const struct tv *v, struct strbuf *sb)
{
	struct tv *k, *val;
	size_t n, i;

	if (tv_dict_pairs(rc, line, v, &k, &val, &n) < 0)
		return -1;
	strbuf_addc(sb, '{');
	for (i = 0; i < n; i++) {
		if (i > 0)
			strbuf_adds(sb, ", ");
		if (tv_write_repr(rc, line, &k[i], sb) < 0)
			return -1;
		strbuf_adds(sb, ": ");
		if (tv_write_repr(rc, line, &val[i], sb) < 0)
			return -1;
	}
	strbuf_addc(sb, '}');
	return 0;
}

static int
tv_write_common(struct tpl_rctx *rc, int line, const struct tv *v, struct strbuf *sb)
{
	if (++rc->depth > TPL_MAX_CALL_DEPTH * 10) {
		rc->depth--;
		return tpl_fail(rc, line, "value nested too deeply to print");
	}
	switch (v->kind) {
	case TV_NONE: strbuf_adds(sb, "None"); break;
	case TV_BOOL: strbuf_adds(sb, v->u.b ? "True" : "False"); break;
	case TV_INT: tv_write_int(v->u.i, sb); break;
	case TV_FLOAT: tv_write_float(v->u.f, sb); break;
	case TV_LIST:
		if (v->flags & (TVF_GEN | TVF_NOPRINT)) {
			rc->depth--;
			return tpl_fail(rc, line, "cannot print a %s (Jinja2 prints its repr); add |list",
					(v->flags & TVF_GEN) ? "generator" : "range");
		}
		if (tv_write_seq(rc, line, v, sb) < 0)
			return rc->depth--, -1;
		break;
	case TV_DICT:
		if (tv_write_map(rc, line, v, sb) < 0)
			return rc->depth--, -1;
		break;
	case TV_NS:
		strbuf_adds(sb, "<Namespace ");
		if (tv_write_map(rc, line, v, sb) < 0)
			return rc->depth--, -1;
		strbuf_addc(sb, '>');
		break;
	case TV_UNDEF:
		rc->depth--;
		return v->aux == UND_LENIENT ? 0 : tpl_fail_undef(rc, line, v);
	default:
		rc->depth--;
		return tpl_fail(rc, line, "cannot print a %s object", tv_type_name(v));
	}
	rc->depth--;
	return 0;
}

int
tv_write_str(struct tpl_rctx *rc, int line, const struct tv *v, struct strbuf *sb)
{
	if (v->kind == TV_STR) {
		tpl_out(sb, v->u.s.p, v->u.s.n);
		return 0;
	}
	return tv_write_common(rc, line, v, sb);
}

int
tv_write_repr(struct tpl_rctx *rc, int line, const struct tv *v, struct strbuf *sb)
{
	if (v->kind == TV_STR) {
		tv_write_str_repr(v->u.s.p, v->u.s.n, sb);
		return 0;
	}
	return tv_write_common(rc, line, v, sb);
}

int
tv_to_str(struct tpl_rctx *rc, int line, const struct tv *v, struct tv *out)
{
	struct strbuf sb = STRBUF_INIT;
	int r;

	if (v->kind == TV_STR) {
		*out = *v;
		return 0;
	}
	if ((r = tv_write_str(rc, line, v, &sb)) == 0)
		r = tv_from_sb(rc, line, &sb, out);
	strbuf_free(&sb);
	return r;
}

static int
tv_alloc_items(struct tpl_rctx *rc, size_t n, struct tv **out)
{
	if (n > TPL_MAX_ARENA / sizeof(struct tv) || (*out = tpl_arena_alloc(&rc->arena, (n ? n : 1) * sizeof(struct tv))) == NULL)
		return tpl_fail(rc, 0, "template used too much memory (limit %u MiB)", TPL_MAX_ARENA >> 20);
	return 0;
}

static int
tv_str_chars(struct tpl_rctx *rc, const struct tv *v, struct tv **items, size_t *n)
{
	size_t cnt = utf8_count(v->u.s.p, v->u.s.n), i = 0, k, off = 0;
	uint32_t cp;

	if (tv_alloc_items(rc, cnt, items) < 0)
		return -1;
	while (off < v->u.s.n) {
		k = utf8_decode(v->u.s.p + off, v->u.s.n - off, &cp);
		(*items)[i++] = tv_str(v->u.s.p + off, k);
		off += k;
	}
	*n = cnt;
	return 0;
}

int
tv_items(struct tpl_rctx *rc, int line, const struct tv *v, struct tv **items, size_t *n)
{
	*items = tv_no_items;
	*n = 0;
	switch (v->kind) {
	case TV_LIST:
		/* never NULL, so that callers may memcpy zero items */
		*items = v->u.l->v ? v->u.l->v : tv_no_items;
		*n = v->u.l->n;
		return 0;
	case TV_DICT:
	case TV_NS:
		*items = v->u.d->k ? v->u.d->k : tv_no_items;
		*n = v->u.d->n;
		return v->kind == TV_NS ? tpl_fail(rc, line, "'Namespace' object is not iterable") : 0;
	case TV_STR:
		return tv_str_chars(rc, v, items, n);
	case TV_UNDEF:
		if (v->aux == UND_LENIENT) {
			*n = 0;
			return tv_alloc_items(rc, 0, items);
		}
		return tpl_fail_undef(rc, line, v);
	default:
		return tpl_fail(rc, line, "'%s' object is not iterable", tv_type_name(v));
	}
}

int
tv_dict_pairs(struct tpl_rctx *rc, int line, const struct tv *v, struct tv **keys, struct tv **vals, size_t *n)
{
	*keys = *vals = tv_no_items;
	*n = 0;
	if (v->kind == TV_DICT || v->kind == TV_NS) {
		if (v->u.d->n > 0) {
			*keys = v->u.d->k;
			*vals = v->u.d->v;
			*n = v->u.d->n;
		}
		return 0;
	}
	if (v->kind == TV_UNDEF)
		return tpl_fail_undef(rc, line, v);
	return tpl_fail(rc, line, "'%s' object is not a mapping", tv_type_name(v));
}

int
tv_length(struct tpl_rctx *rc, int line, const struct tv *v, long long *n)
{
	*n = 0;
	switch (v->kind) {
	case TV_STR: *n = (long long)utf8_count(v->u.s.p, v->u.s.n); return 0;
	case TV_LIST:
		if (v->flags & TVF_GEN)
			break;
		*n = (long long)v->u.l->n;
		return 0;
	case TV_DICT: *n = (long long)v->u.d->n; return 0;
	case TV_UNDEF:
		if (v->aux == UND_LENIENT) {
			*n = 0;
			return 0;
		}
		return tpl_fail_undef(rc, line, v);
	default: break;
	}
	return tpl_fail(rc, line, "object of type '%s' has no len()", tv_type_name(v));
}

static int
tv_seq_equal(const struct tv *a, const struct tv *b)
{
	size_t i;

	if ((a->flags & TVF_TUPLE) != (b->flags & TVF_TUPLE) || a->u.l->n != b->u.l->n)
		return 0;
	for (i = 0; i < a->u.l->n; i++)
		if (!tv_equal(&a->u.l->v[i], &b->u.l->v[i]))
			return 0;
	return 1;
}

/* Mapping equality without an allocation context, key by key. */
static int
tv_map_get(const struct tv *m, const struct tv *k, struct tv *out)
{
	size_t i;

	for (i = 0; i < m->u.d->n; i++) {
		if (tv_equal(&m->u.d->k[i], k)) {
			*out = m->u.d->v[i];
			return 1;
		}
	}
	return 0;
}

static int
tv_map_equal(const struct tv *a, const struct tv *b)
{
	struct tv vb;
	size_t i;

	if (a->u.d->n != b->u.d->n)
		return 0;
	for (i = 0; i < a->u.d->n; i++)
		if (!tv_map_get(b, &a->u.d->k[i], &vb) || !tv_equal(&a->u.d->v[i], &vb))
			return 0;
	return 1;
}

int
tv_equal(const struct tv *a, const struct tv *b)
{
	if (tv_is_num(a) && tv_is_num(b)) {
		if (a->kind != TV_FLOAT && b->kind != TV_FLOAT)
			return (a->kind == TV_INT ? a->u.i : a->u.b) == (b->kind == TV_INT ? b->u.i : b->u.b);
		return tv_num(a) == tv_num(b);
	}
	if (a->kind == TV_STR && b->kind == TV_STR)
		return a->u.s.n == b->u.s.n && memcmp(a->u.s.p, b->u.s.p, a->u.s.n) == 0;
	if (a->kind == TV_NONE || b->kind == TV_NONE)
		return a->kind == b->kind;
	if (a->kind == TV_LIST && b->kind == TV_LIST)
		return !(a->flags & TVF_GEN) && !(b->flags & TVF_GEN) && tv_seq_equal(a, b);
	if (tv_is_map(a) && tv_is_map(b))
		return tv_map_equal(a, b);
	if (a->kind == b->kind && a->kind == TV_NS)
		return a->u.d == b->u.d;
	if (a->kind == b->kind && a->kind == TV_MACRO)
		return a->u.m == b->u.m;
	return 0;
}

static int
tv_seq_compare(struct tpl_rctx *rc, int line, const struct tv *a, const struct tv *b, int *res)
{
	struct tv *x, *y;
	size_t nx, ny, i;

	if (tv_items(rc, line, a, &x, &nx) < 0 || tv_items(rc, line, b, &y, &ny) < 0)
		return -1;
	for (i = 0; i < nx && i < ny; i++) {
		if (!tv_equal(&x[i], &y[i]))
			return tv_compare(rc, line, &x[i], &y[i], res);
	}
	*res = nx < ny ? -1 : nx > ny ? 1 : 0;
	return 0;
}

/* Three-way ordering as Python's < does it; TypeError otherwise. */
int
tv_compare(struct tpl_rctx *rc, int line, const struct tv *a, const struct tv *b, int *res)
{
	size_t m;
	int c;

	if (a->kind == TV_UNDEF)
		return tpl_fail_undef(rc, line, a);
	if (b->kind == TV_UNDEF)
		return tpl_fail_undef(rc, line, b);
	if (tv_is_num(a) && tv_is_num(b)) {
		if (a->kind != TV_FLOAT && b->kind != TV_FLOAT) {
			long long x = a->kind == TV_INT ? a->u.i : a->u.b, y = b->kind == TV_INT ? b->u.i : b->u.b;
			*res = x < y ? -1 : x > y;
		} else {
			double x = tv_num(a), y = tv_num(b);
			*res = x < y ? -1 : x > y ? 1 : 0;
		}
		return 0;
	}
	if (a->kind == TV_STR && b->kind == TV_STR) {
		m = a->u.s.n < b->u.s.n ? a->u.s.n : b->u.s.n;
		c = m ? memcmp(a->u.s.p, b->u.s.p, m) : 0;
		*res = c != 0 ? (c < 0 ? -1 : 1) : a->u.s.n < b->u.s.n ? -1 : a->u.s.n > b->u.s.n;
		return 0;
	}
	if (tv_is_seq(a) && tv_is_seq(b) && (a->flags & TVF_TUPLE) == (b->flags & TVF_TUPLE))
		return tv_seq_compare(rc, line, a, b, res);
	return tpl_fail(rc, line, "'<' not supported between instances of '%s' and '%s'", tv_type_name(a),
			tv_type_name(b));
}

int
tv_contains(struct tpl_rctx *rc, int line, const struct tv *hay, const struct tv *needle, int *res)
{
	struct tv *items, tmp;
	size_t n, i;

	if (hay->kind == TV_UNDEF)
		return tpl_fail_undef(rc, line, hay);
	if (needle->kind == TV_UNDEF)
		return tpl_fail_undef(rc, line, needle);
	if (hay->kind == TV_STR) {
		if (needle->kind != TV_STR)
			return tpl_fail(rc, line, "'in <string>' requires string as left operand, not %s",
					tv_type_name(needle));
		*res = needle->u.s.n == 0 || memmem(hay->u.s.p, hay->u.s.n, needle->u.s.p, needle->u.s.n) != NULL;
		return 0;
	}
	if (tv_is_map(hay) || hay->kind == TV_NS) {
		if ((needle->kind == TV_LIST && !(needle->flags & TVF_TUPLE)) ||
		    tv_is_map(needle) || needle->kind == TV_NS)
			return tpl_fail(rc, line, "unhashable type: '%s'", tv_type_name(needle));
		*res = tv_map_get(hay, needle, &tmp);
		return 0;
	}
	if (hay->kind != TV_LIST)
		return tpl_fail(rc, line, "argument of type '%s' is not iterable", tv_type_name(hay));
	if (tv_items(rc, line, hay, &items, &n) < 0)
		return -1;
	*res = 0;
	for (i = 0; i < n && !*res; i++)
		*res = tv_equal(&items[i], needle);
	return 0;
}
