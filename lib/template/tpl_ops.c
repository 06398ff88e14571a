/* Operators and lookups with Python's semantics: arithmetic on 64-bit
 * ints (overflow is an error where Python would grow the int), floor
 * division and modulo rounding toward minus infinity, string and list
 * repetition bounded by the output limit, and Jinja2's getattr/getitem
 * fallbacks (attribute, then item, then undefined). */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lib/template/tpl_int.h"

static const char *
op_symbol(int op)
{
	switch (op) {
	case OP_ADD: return "+";
	case OP_SUB: return "-";
	case OP_MUL: return "*";
	case OP_DIV: return "/";
	case OP_FLOORDIV: return "//";
	case OP_MOD: return "%";
	case OP_POW: return "** or pow()";
	default: return "?";
	}
}

static int
op_type_error(struct tpl_rctx *rc, int line, int op, const struct tv *a, const struct tv *b)
{
	if (a->kind == TV_UNDEF)
		return tpl_fail_undef(rc, line, a);
	if (b->kind == TV_UNDEF)
		return tpl_fail_undef(rc, line, b);
	return tpl_fail(rc, line, "unsupported operand type(s) for %s: '%s' and '%s'", op_symbol(op), tv_type_name(a),
			tv_type_name(b));
}

static long long
as_int(const struct tv *v)
{
	return v->kind == TV_INT ? v->u.i : v->u.b;
}

static int
int_pow(struct tpl_rctx *rc, int line, long long b, long long e, struct tv *out)
{
	long long r = 1;

	while (e > 0) {
		if (e & 1) {
			if (__builtin_mul_overflow(r, b, &r))
				return tpl_fail(rc, line, "integer overflow (kylecode's integers are 64-bit)");
		}
		e >>= 1;
		if (e > 0 && __builtin_mul_overflow(b, b, &b))
			return tpl_fail(rc, line, "integer overflow (kylecode's integers are 64-bit)");
	}
	*out = tv_int(r);
	return 0;
}

static int
int_binop(struct tpl_rctx *rc, int line, int op, long long x, long long y, struct tv *out)
{
	long long r = 0;
	int ovf = 0;

	switch (op) {
	case OP_ADD: ovf = __builtin_add_overflow(x, y, &r); break;
	case OP_SUB: ovf = __builtin_sub_overflow(x, y, &r); break;
	case OP_MUL: ovf = __builtin_mul_overflow(x, y, &r); break;
	case OP_DIV:
		if (y == 0)
			return tpl_fail(rc, line, "division by zero");
		*out = tv_float((double)x / (double)y);
		return 0;
	case OP_FLOORDIV:
	case OP_MOD:
		if (y == 0)
			return tpl_fail(rc, line, "integer division or modulo by zero");
		if (x == LLONG_MIN && y == -1)
			return tpl_fail(rc, line, "integer overflow (kylecode's integers are 64-bit)");
		r = op == OP_MOD ? x % y : x / y;
		if (op == OP_MOD && r != 0 && ((r < 0) != (y < 0)))
			r += y;
		if (op == OP_FLOORDIV && (x % y != 0) && ((x < 0) != (y < 0)))
			r -= 1;
		break;
	case OP_POW:
		if (y < 0) {
			if (x == 0)
				return tpl_fail(rc, line, "0.0 cannot be raised to a negative power");
			*out = tv_float(pow((double)x, (double)y));
			return 0;
		}
		return int_pow(rc, line, x, y, out);
	}
	if (ovf)
		return tpl_fail(rc, line, "integer overflow (kylecode's integers are 64-bit)");
	*out = tv_int(r);
	return 0;
}

/* Python's float floor division and modulo (Objects/floatobject.c's
 * float_divmod algorithm). */
static void
float_divmod(double x, double y, double *fdiv, double *fmodv)
{
	double mod = fmod(x, y), div = (x - mod) / y, fl;

	if (mod != 0) {
		if ((y < 0) != (mod < 0)) {
			mod += y;
			div -= 1.0;
		}
	} else {
		mod = copysign(0.0, y);
	}
	if (div != 0) {
		fl = floor(div);
		if (div - fl > 0.5)
			fl += 1.0;
	} else {
		fl = copysign(0.0, x / y);
	}
	*fdiv = fl;
	*fmodv = mod;
}

static int
float_binop(struct tpl_rctx *rc, int line, int op, double x, double y, struct tv *out)
{
	double d, m;

	switch (op) {
	case OP_ADD: *out = tv_float(x + y); return 0;
	case OP_SUB: *out = tv_float(x - y); return 0;
	case OP_MUL: *out = tv_float(x * y); return 0;
	case OP_DIV:
		if (y == 0)
			return tpl_fail(rc, line, "float division by zero");
		*out = tv_float(x / y);
		return 0;
	case OP_FLOORDIV:
	case OP_MOD:
		if (y == 0)
			return tpl_fail(rc, line, "float floor division by zero");
		float_divmod(x, y, &d, &m);
		*out = tv_float(op == OP_MOD ? m : d);
		return 0;
	case OP_POW:
		if (x == 0 && y < 0)
			return tpl_fail(rc, line, "0.0 cannot be raised to a negative power");
		if (x < 0 && y != floor(y))
			return tpl_fail(rc, line, "negative number cannot be raised to a fractional power");
		*out = tv_float(pow(x, y));
		if (isinf(out->u.f) && !isinf(x) && !isinf(y))
			return tpl_fail(rc, line, "(34, 'Numerical result out of range')");
		return 0;
	}
	return -1;
}

static int
op_concat(struct tpl_rctx *rc, int line, const struct tv *a, const struct tv *b, struct tv *out)
{
	struct strbuf sb = STRBUF_INIT;
	int r;

	if ((r = tv_write_str(rc, line, a, &sb)) == 0 && (r = tv_write_str(rc, line, b, &sb)) == 0)
		r = tv_from_sb(rc, line, &sb, out);
	strbuf_free(&sb);
	return r;
}

static int
op_list_concat(struct tpl_rctx *rc, int line, const struct tv *a, const struct tv *b, struct tv *out)
{
	struct tv *x, *y;
	size_t nx, ny, i;
	struct tpl_list *l;

	if (tv_items(rc, line, a, &x, &nx) < 0 || tv_items(rc, line, b, &y, &ny) < 0)
		return -1;
	if (tv_charge(rc, line, (nx + ny) * sizeof(struct tv)) < 0 || (l = tv_list_new(rc, nx + ny)) == NULL)
		return -1;
	for (i = 0; i < nx; i++)
		l->v[l->n++] = x[i];
	for (i = 0; i < ny; i++)
		l->v[l->n++] = y[i];
	*out = tv_list_val(l, a->flags & TVF_TUPLE);
	return 0;
}

/* "ab" * 3, [1] * 3: the size is checked before anything is built. */
static int
op_repeat(struct tpl_rctx *rc, int line, const struct tv *seq, long long times, struct tv *out)
{
	struct strbuf sb = STRBUF_INIT;
	struct tv *items;
	size_t n, unit, i;
	long long k;
	struct tpl_list *l;

	if (times < 0)
		times = 0;
	unit = seq->kind == TV_STR ? seq->u.s.n : 0;
	if (seq->kind != TV_STR) {
		if (tv_items(rc, line, seq, &items, &n) < 0)
			return -1;
		unit = n * sizeof(struct tv);
	}
	if (unit > 0 && (unsigned long long)times > TPL_MAX_OUTPUT / unit)
		return tpl_fail(rc, line, "output too large (limit %u MiB)", TPL_MAX_OUTPUT >> 20);
	/* an empty sequence repeated any number of times: no loop at all
	 * (the count may be 2**62) */
	if (unit == 0)
		times = 0;
	if (seq->kind == TV_STR) {
		for (k = 0; k < times; k++)
			strbuf_add(&sb, seq->u.s.p, seq->u.s.n);
		i = (size_t)tv_from_sb(rc, line, &sb, out);
		strbuf_free(&sb);
		return (int)i;
	}
	if (tv_charge(rc, line, unit * (size_t)times) < 0 || (l = tv_list_new(rc, n * (size_t)times)) == NULL)
		return -1;
	for (k = 0; k < times; k++)
		for (i = 0; i < n; i++)
			l->v[l->n++] = items[i];
	*out = tv_list_val(l, seq->flags & TVF_TUPLE);
	return 0;
}

/* "fmt" % args: a tuple spreads, anything else is one argument. */
static int
op_percent(struct tpl_rctx *rc, int line, const struct tv *fmt, const struct tv *arg, struct tv *out)
{
	struct tpl_callargs ca;
	struct strbuf sb = STRBUF_INIT;
	struct tv one = *arg;
	int r;

	memset(&ca, 0, sizeof(ca));
	if (arg->kind == TV_LIST && (arg->flags & TVF_TUPLE)) {
		ca.pos = arg->u.l->v;
		ca.npos = arg->u.l->n;
	} else if (tv_is_map(arg) || (tv_is_seq(arg) && !(arg->flags & TVF_TUPLE))) {
		/* Python treats anything with __getitem__ but a tuple or a str
		 * (dicts and also lists) as the mapping of "%(name)s" forms,
		 * and then never complains about unused arguments */
		ca.kwv = &one;
		ca.nkw = 1;
		ca.kwn = NULL;
	} else {
		ca.pos = &one;
		ca.npos = 1;
	}
	if ((r = tpl_percent_format(rc, line, fmt, &ca, &sb)) == 0)
		r = tv_from_sb(rc, line, &sb, out);
	strbuf_free(&sb);
	return r;
}

int
tv_binop(struct tpl_rctx *rc, int line, int op, const struct tv *a, const struct tv *b, struct tv *out)
{
	if (op == OP_TILDE)
		return op_concat(rc, line, a, b, out);
	if (tv_is_num(a) && tv_is_num(b)) {
		if (a->kind != TV_FLOAT && b->kind != TV_FLOAT)
			return int_binop(rc, line, op, as_int(a), as_int(b), out);
		return float_binop(rc, line, op, tv_num(a), tv_num(b), out);
	}
	if (op == OP_ADD && a->kind == TV_STR && b->kind == TV_STR)
		return op_concat(rc, line, a, b, out);
	if (op == OP_ADD && tv_is_seq(a) && tv_is_seq(b) && (a->flags & TVF_TUPLE) == (b->flags & TVF_TUPLE))
		return op_list_concat(rc, line, a, b, out);
	if (op == OP_MUL && (a->kind == TV_STR || tv_is_seq(a)) && (b->kind == TV_INT || b->kind == TV_BOOL))
		return op_repeat(rc, line, a, as_int(b), out);
	if (op == OP_MUL && (b->kind == TV_STR || tv_is_seq(b)) && (a->kind == TV_INT || a->kind == TV_BOOL))
		return op_repeat(rc, line, b, as_int(a), out);
	if (op == OP_MOD && a->kind == TV_STR && b->kind != TV_UNDEF)
		return op_percent(rc, line, a, b, out);
	return op_type_error(rc, line, op, a, b);
}

/* Jinja2's messages name the type as "dict object", or "None". */
static const char *
obj_repr(const struct tv *v)
{
	switch (v->kind) {
	case TV_NONE: return "None";
	case TV_STR: return "str object";
	case TV_INT: return "int object";
	case TV_FLOAT: return "float object";
	case TV_BOOL: return "bool object";
	case TV_LIST: return (v->flags & TVF_TUPLE) ? "tuple object" : "list object";
	case TV_DICT: return "dict object";
	case TV_NS: return "jinja2.utils.Namespace object";
	case TV_LOOP: return "jinja2.runtime.LoopContext object";
	default: return "object";
	}
}

static int
undef_attr(struct tpl_rctx *rc, const struct tv *obj, const char *name, size_t n, int elem, struct tv *out)
{
	char *s = tv_strdup(rc, name, n);

	if (s == NULL)
		return -1;
	*out = tv_undef_name(s);
	out->aux = elem ? UND_ELEM : UND_ATTR;
	out->u.und.obj = obj_repr(obj);
	return 0;
}

static int
dict_member(const struct tpl_dict *d, const char *name, size_t n, struct tv *out)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		if (d->k[i].kind == TV_STR && d->k[i].u.s.n == n && memcmp(d->k[i].u.s.p, name, n) == 0) {
			*out = d->v[i];
			return 1;
		}
	}
	return 0;
}

static int
make_method(struct tpl_rctx *rc, const struct tv *obj, int id, struct tv *out)
{
	struct tpl_method *me = tpl_arena_alloc(&rc->arena, sizeof(*me));

	if (me == NULL)
		return tpl_fail(rc, 0, "template used too much memory (limit %u MiB)", TPL_MAX_ARENA >> 20);
	me->self = *obj;
	me->id = id;
	*out = tv_none();
	out->kind = TV_METHOD;
	out->u.me = me;
	return 0;
}

int
tv_getattr(struct tpl_rctx *rc, int line, const struct tv *obj, const char *name, size_t n, struct tv *out)
{
	int id;

	if (obj->kind == TV_UNDEF)
		return tpl_fail_undef(rc, line, obj);
	if (obj->kind == TV_LOOP)
		return tpl_loop_attr(rc, line, obj, name, n, out);
	if ((id = tpl_method_find(obj, name, n)) >= 0)
		return make_method(rc, obj, id, out);
	if ((obj->kind == TV_DICT || obj->kind == TV_NS) && dict_member(obj->u.d, name, n, out))
		return 0;
	return undef_attr(rc, obj, name, n, 0, out);
}

/* Whether dict key k is the string name[0..n): first by the interned
 * pointer this node matched last time, then by the bytes. */
static inline int
key_is(const struct tv *k, const char *hint_key, const char *name, size_t n)
{
	if (k->kind != TV_STR || k->u.s.n != n)
		return 0;
	return k->u.s.p == hint_key || tpl_name_eq(k->u.s.p, name, n);
}

/* Attribute access for a name that is no method name (the hot path):
 * a dict's key is looked for first where this node found it last. */
int
tv_getattr_data(struct tpl_rctx *rc, const struct tpl_node *n, const struct tv *obj, struct tv *out)
{
	const struct tpl_dict *d;
	struct tpl_attr_hint *h;
	size_t i;

	if (tpl_attr_hint_hit(rc, n, obj, out))
		return 0;
	if (obj->kind == TV_DICT) {
		d = obj->u.d;
		h = &rc->attr_hint[n->fn];
		for (i = 0; i < d->n; i++) {
			if (key_is(&d->k[i], h->key, n->name, n->nlen)) {
				h->idx = i;
				h->key = d->k[i].u.s.p;
				*out = d->v[i];
				return 0;
			}
		}
		return undef_attr(rc, obj, n->name, n->nlen, 0, out);
	}
	if (obj->kind == TV_LOOP)
		return tpl_loop_attr_coded(rc, n->line, obj, n->op, n->name, n->nlen, out);
	return tv_getattr(rc, n->line, obj, n->name, n->nlen, out);
}

static int
seq_index(struct tpl_rctx *rc, int line, const struct tv *obj, long long idx, struct tv *out, int *found)
{
	struct tv *items;
	size_t n;

	*found = 0;
	if (tv_items(rc, line, obj, &items, &n) < 0)
		return -1;
	if (idx < 0)
		idx += (long long)n;
	if (idx < 0 || idx >= (long long)n)
		return 0;
	*out = items[idx];
	*found = 1;
	return 0;
}

int
tv_getitem(struct tpl_rctx *rc, int line, const struct tv *obj, const struct tv *key, struct tv *out)
{
	struct strbuf sb = STRBUF_INIT;
	int found = 0, r;

	if (obj->kind == TV_UNDEF)
		return tpl_fail_undef(rc, line, obj);
	if (key->kind == TV_UNDEF)
		return tpl_fail_undef(rc, line, key);
	if ((tv_is_seq(obj) || obj->kind == TV_STR) && (key->kind == TV_INT || key->kind == TV_BOOL)) {
		if (seq_index(rc, line, obj, key->kind == TV_INT ? key->u.i : key->u.b, out, &found) < 0)
			return -1;
	} else if (obj->kind == TV_DICT) {
		/* out may alias obj (attribute paths walk in place): stop at
		 * the first write */
		const struct tpl_dict *d = obj->u.d;
		size_t i;
		for (i = 0; i < d->n; i++) {
			if (tv_equal(&d->k[i], key)) {
				*out = d->v[i];
				return 0;
			}
		}
	}
	if (found)
		return 0;
	if (key->kind == TV_STR)
		return tv_getattr(rc, line, obj, key->u.s.p, key->u.s.n, out);
	if ((r = tv_write_repr(rc, line, key, &sb)) == 0)
		r = undef_attr(rc, obj, strbuf_str(&sb), sb.len, 1, out);
	strbuf_free(&sb);
	return r;
}
