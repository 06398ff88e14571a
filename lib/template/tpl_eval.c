/* Expression evaluation over the AST. Values are small structs passed by
 * value; anything they point to lives in the render arena, the template,
 * or the converted data (tpl_data.c), so nothing here frees. Names resolve from
 * the innermost frame outwards, then the data object, then the builtin
 * globals (range, dict, namespace...), as Jinja2's context does. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "lib/template/tpl_int.h"

#define TPL_ARGS_INLINE 8

struct tpl_frame *
tpl_frame_new(struct tpl_rctx *rc, struct tpl_frame *parent)
{
	struct tpl_frame *f = tpl_arena_alloc(&rc->arena, sizeof(*f));

	if (f == NULL) {
		tpl_fail(rc, 0, "template used too much memory (limit %u MiB)", TPL_MAX_ARENA >> 20);
		return NULL;
	}
	f->parent = parent;
	f->vars = f->inl;
	f->n = 0;
	f->cap = sizeof(f->inl) / sizeof(f->inl[0]);
	return f;
}

int
tpl_frame_set(struct tpl_rctx *rc, struct tpl_frame *f, const char *name, size_t n, struct tv v)
{
	struct tpl_var *nv;
	size_t i;

	for (i = 0; i < f->n; i++) {
		if (f->vars[i].n == n && memcmp(f->vars[i].name, name, n) == 0) {
			f->vars[i].v = v;
			return 0;
		}
	}
	if (f->n == f->cap) {
		nv = tpl_arena_alloc(&rc->arena, f->cap * 2 * sizeof(*nv));
		if (nv == NULL)
			return tpl_fail(rc, 0, "template used too much memory (limit %u MiB)", TPL_MAX_ARENA >> 20);
		memcpy(nv, f->vars, f->n * sizeof(*nv));
		f->vars = nv;
		f->cap *= 2;
	}
	f->vars[f->n].name = name;
	f->vars[f->n].n = n;
	f->vars[f->n++].v = v;
	return 0;
}

/* name must be NUL-terminated (AST names are). */
int
tpl_lookup(struct tpl_rctx *rc, struct tpl_frame *f, const char *name, size_t n, struct tv *out)
{
	const struct tpl_dict *d = rc->data;
	size_t i;
	int fn;

	for (; f != NULL; f = f->parent) {
		for (i = 0; i < f->n; i++) {
			/* names from the parser are interned: mostly one pointer compare */
			if (f->vars[i].n == n && (f->vars[i].name == name || tpl_name_eq(f->vars[i].name, name, n))) {
				*out = f->vars[i].v;
				return 0;
			}
		}
	}
	for (i = 0; d != NULL && i < d->n; i++) {
		if (d->k[i].u.s.n == n && tpl_name_eq(d->k[i].u.s.p, name, n)) {
			*out = d->v[i];
			return 0;
		}
	}
	if ((fn = tpl_func_find(name, n)) >= 0) {
		*out = tv_none();
		out->kind = TV_FUNC;
		out->u.fn = fn;
		return 0;
	}
	*out = tv_undef_name(name);
	return 0;
}

/* The innermost scope by interned pointer only (a loop's target, most
 * often): a hit is the binding tpl_lookup would find, a miss proves
 * nothing and tpl_lookup then searches properly. */
static inline int
lookup_inner(const struct tpl_frame *f, const char *name, struct tv *out)
{
	size_t i;

	for (i = 0; f != NULL && i < f->n; i++) {
		if (f->vars[i].name == name) {
			*out = f->vars[i].v;
			return 1;
		}
	}
	return 0;
}

/* Evaluates the arguments of a call, filter or test node. */
static int
eval_args(struct tpl_rctx *rc, struct tpl_frame *f, const struct tpl_node *n, struct tv *inl, const char **inl_names,
	  struct tv *inl_kw, struct tpl_callargs *ca)
{
	size_t i;

	memset(ca, 0, sizeof(*ca));
	ca->pos = inl;
	ca->kwn = inl_names;
	ca->kwv = inl_kw;
	if (n->args.n > TPL_ARGS_INLINE || n->kwargs.n > TPL_ARGS_INLINE) {
		ca->pos = tpl_arena_alloc(&rc->arena, (n->args.n + 1) * sizeof(struct tv));
		ca->kwn = tpl_arena_alloc(&rc->arena, (n->kwargs.n + 1) * sizeof(char *));
		ca->kwv = tpl_arena_alloc(&rc->arena, (n->kwargs.n + 1) * sizeof(struct tv));
		if (ca->pos == NULL || ca->kwn == NULL || ca->kwv == NULL)
			return tpl_fail(rc, n->line, "template used too much memory");
	}
	for (i = 0; i < n->args.n; i++)
		if (tpl_eval(rc, f, n->args.v[i], &ca->pos[i]) < 0)
			return -1;
	ca->npos = n->args.n;
	for (i = 0; i < n->kwargs.n; i++) {
		ca->kwn[i] = n->kwargs.v[i]->name;
		if (tpl_eval(rc, f, n->kwargs.v[i]->a, &ca->kwv[i]) < 0)
			return -1;
	}
	ca->nkw = n->kwargs.n;
	return 0;
}

int
tpl_call_value(struct tpl_rctx *rc, int line, const struct tv *callee, struct tv *args, size_t nargs,
	       const char **kwn, struct tv *kwv, size_t nkw, struct tv *out)
{
	struct tpl_callargs ca = {args, nargs, kwn, kwv, nkw};

	if (tpl_step(rc, line, 1) < 0)
		return -1;
	switch (callee->kind) {
	case TV_MACRO: return tpl_call_macro(rc, line, callee->u.m, args, nargs, kwn, kwv, nkw, out);
	case TV_FUNC: return tpl_func_call(rc, line, callee->u.fn, &ca, out);
	case TV_METHOD: return tpl_method_call(rc, line, callee->u.me, &ca, out);
	case TV_LOOP: return tpl_loop_call(rc, line, callee, &ca, out);
	case TV_UNDEF: return tpl_fail_undef(rc, line, callee);
	default: return tpl_fail(rc, line, "'%s' object is not callable", tv_type_name(callee));
	}
}

/* The helpers marked noinline keep their locals (argument arrays) out of
 * tpl_eval's stack frame, which every node evaluation pays for. */
static __attribute__((noinline)) int
eval_call(struct tpl_rctx *rc, struct tpl_frame *f, const struct tpl_node *n, struct tv *out)
{
	struct tv callee, inl[TPL_ARGS_INLINE], kw[TPL_ARGS_INLINE];
	const char *kwn[TPL_ARGS_INLINE];
	struct tpl_callargs ca;

	if (tpl_eval(rc, f, n->a, &callee) < 0 || eval_args(rc, f, n, inl, kwn, kw, &ca) < 0)
		return -1;
	return tpl_call_value(rc, n->line, &callee, ca.pos, ca.npos, ca.kwn, ca.kwv, ca.nkw, out);
}

int
tpl_apply_filter(struct tpl_rctx *rc, struct tpl_frame *f, const struct tpl_node *n, struct tv in, struct tv *out)
{
	struct tv inl[TPL_ARGS_INLINE], kw[TPL_ARGS_INLINE];
	const char *kwn[TPL_ARGS_INLINE];
	struct tpl_callargs ca;

	if (n->kind != N_FILTER) /* the placeholder of a filter block */
		return *out = in, 0;
	/* the input is the block's text (placeholder), the previous filter
	 * of a chain (which threads that text through), or an expression */
	if (n->a != NULL && n->a->kind == N_FILTER) {
		if (tpl_apply_filter(rc, f, n->a, in, &in) < 0)
			return -1;
	} else if (n->a != NULL && n->a->kind != N_PLACEHOLDER) {
		if (tpl_eval(rc, f, n->a, &in) < 0)
			return -1;
	}
	if (n->fn < 0)
		return tpl_fail(rc, n->line, "No filter named '%s'.", n->name);
	if (eval_args(rc, f, n, inl, kwn, kw, &ca) < 0)
		return -1;
	return tpl_filter_get(n->fn)(rc, n->line, in, &ca, out);
}

static __attribute__((noinline)) int
eval_test(struct tpl_rctx *rc, struct tpl_frame *f, const struct tpl_node *n, struct tv *out)
{
	struct tv in, inl[TPL_ARGS_INLINE], kw[TPL_ARGS_INLINE];
	const char *kwn[TPL_ARGS_INLINE];
	struct tpl_callargs ca;
	int res = 0;

	if (tpl_eval(rc, f, n->a, &in) < 0)
		return -1;
	if (n->fn < 0)
		return tpl_fail(rc, n->line, "No test named '%s'.", n->name);
	if (n->args.n == 0 && n->kwargs.n == 0) {
		/* no arguments: skip building an argument list */
		static const struct tpl_callargs none = {NULL, 0, NULL, NULL, 0};
		if (tpl_test_get(n->fn)(rc, n->line, &in, &none, &res) < 0)
			return -1;
		*out = tv_bool(res);
		return 0;
	}
	if (eval_args(rc, f, n, inl, kwn, kw, &ca) < 0 || tpl_test_get(n->fn)(rc, n->line, &in, &ca, &res) < 0)
		return -1;
	*out = tv_bool(res);
	return 0;
}

static int
eval_compare_one(struct tpl_rctx *rc, int line, int op, const struct tv *a, const struct tv *b, int *res)
{
	int c;

	switch (op) {
	case OP_EQ:
	case OP_NE:
		if ((a->kind == TV_UNDEF && a->aux != UND_LENIENT) || (b->kind == TV_UNDEF && b->aux != UND_LENIENT))
			return tpl_fail_undef(rc, line, a->kind == TV_UNDEF ? a : b);
		*res = tv_equal(a, b) == (op == OP_EQ);
		if (a->kind == TV_UNDEF && b->kind == TV_UNDEF)
			*res = op == OP_EQ;
		return 0;
	case OP_IN:
	case OP_NOTIN:
		if (tv_contains(rc, line, b, a, res) < 0)
			return -1;
		*res = *res == (op == OP_IN);
		return 0;
	default:
		if (tv_compare(rc, line, a, b, &c) < 0)
			return -1;
		*res = op == OP_LT ? c < 0 : op == OP_LTEQ ? c <= 0 : op == OP_GT ? c > 0 : c >= 0;
		return 0;
	}
}

static __attribute__((noinline)) int
eval_compare(struct tpl_rctx *rc, struct tpl_frame *f, const struct tpl_node *n, struct tv *out)
{
	struct tv left, right;
	size_t i;
	int res = 1;

	if (tpl_eval(rc, f, n->a, &left) < 0)
		return -1;
	for (i = 0; i < n->args.n && res; i++) {
		if (tpl_eval(rc, f, n->args.v[i], &right) < 0)
			return -1;
		if (eval_compare_one(rc, n->line, n->ops[i], &left, &right, &res) < 0)
			return -1;
		left = right;
	}
	*out = tv_bool(res);
	return 0;
}

static __attribute__((noinline)) int
eval_seq(struct tpl_rctx *rc, struct tpl_frame *f, const struct tpl_node *n, struct tv *out)
{
	struct tpl_list *l = tv_list_new(rc, n->args.n);
	size_t i;

	if (l == NULL)
		return -1;
	for (i = 0; i < n->args.n; i++)
		if (tpl_eval(rc, f, n->args.v[i], &l->v[l->n++]) < 0)
			return -1;
	*out = tv_list_val(l, n->kind == N_TUPLE ? TVF_TUPLE : 0);
	return 0;
}

static __attribute__((noinline)) int
eval_dict(struct tpl_rctx *rc, struct tpl_frame *f, const struct tpl_node *n, struct tv *out)
{
	struct tpl_dict *d = tv_dict_new(rc, n->args.n);
	struct tv k, v;
	size_t i;

	if (d == NULL)
		return -1;
	for (i = 0; i < n->args.n; i++) {
		if (tpl_eval(rc, f, n->args.v[i], &k) < 0 || tpl_eval(rc, f, n->kwargs.v[i], &v) < 0)
			return -1;
		if (k.kind == TV_UNDEF)
			return tpl_fail_undef(rc, n->line, &k);
		if (k.kind == TV_LIST && !(k.flags & TVF_TUPLE))
			return tpl_fail(rc, n->line, "unhashable type: 'list'");
		if (tv_is_map(&k))
			return tpl_fail(rc, n->line, "unhashable type: 'dict'");
		if (tv_dict_set(rc, d, k, v) < 0)
			return -1;
	}
	*out = tv_none();
	out->kind = TV_DICT;
	out->u.d = d;
	return 0;
}

/* Python's slice index rules (PySlice_AdjustIndices). */
static int
slice_bound(struct tpl_rctx *rc, struct tpl_frame *f, const struct tpl_node *n, long long *out, int *given)
{
	struct tv v;

	*given = 0;
	if (n == NULL)
		return 0;
	if (tpl_eval(rc, f, n, &v) < 0)
		return -1;
	if (v.kind == TV_NONE)
		return 0;
	if (v.kind != TV_INT && v.kind != TV_BOOL)
		return tpl_fail(rc, n->line, "slice indices must be integers or None");
	*out = v.kind == TV_INT ? v.u.i : v.u.b;
	*given = 1;
	return 0;
}

static long long
slice_adjust(long long i, long long len, long long step)
{
	if (i < 0) {
		i += len;
		if (i < 0)
			i = step < 0 ? -1 : 0;
	} else if (i >= len) {
		i = step < 0 ? len - 1 : len;
	}
	return i;
}

static __attribute__((noinline)) int
eval_slice(struct tpl_rctx *rc, struct tpl_frame *f, const struct tv *obj, const struct tpl_node *s, struct tv *out)
{
	long long start = 0, stop = 0, step = 1, len, i;
	int gs, ge, gp;
	struct tv *items;
	size_t n;
	struct tpl_list *l;
	struct strbuf sb = STRBUF_INIT;

	if (slice_bound(rc, f, s->c, &step, &gp) < 0 || slice_bound(rc, f, s->a, &start, &gs) < 0 ||
	    slice_bound(rc, f, s->b, &stop, &ge) < 0)
		return -1;
	if (step == 0)
		return tpl_fail(rc, s->line, "slice step cannot be zero");
	if (obj->kind != TV_STR && !tv_is_seq(obj))
		return tpl_fail(rc, s->line, "'%s' object is not subscriptable", tv_type_name(obj));
	if (tv_items(rc, s->line, obj, &items, &n) < 0)
		return -1;
	len = (long long)n;
	start = gs ? slice_adjust(start, len, step) : (step < 0 ? len - 1 : 0);
	stop = ge ? slice_adjust(stop, len, step) : (step < 0 ? -1 : len);
	if ((l = tv_list_new(rc, 0)) == NULL)
		return -1;
	for (i = start; step > 0 ? i < stop : i > stop; i += step) {
		if (obj->kind == TV_STR)
			strbuf_add(&sb, items[i].u.s.p, items[i].u.s.n);
		else if (tv_list_push(rc, l, items[i]) < 0)
			return strbuf_free(&sb), -1;
	}
	if (obj->kind == TV_STR) {
		i = tv_from_sb(rc, s->line, &sb, out);
		strbuf_free(&sb);
		return (int)i;
	}
	*out = tv_list_val(l, obj->flags & TVF_TUPLE);
	return 0;
}

static __attribute__((noinline)) int
eval_neg(struct tpl_rctx *rc, int line, int neg, const struct tv *v, struct tv *out)
{
	if (v->kind == TV_INT || v->kind == TV_BOOL) {
		long long i = v->kind == TV_INT ? v->u.i : v->u.b;
		if (neg && i == LLONG_MIN)
			return tpl_fail(rc, line, "integer overflow (kylecode's integers are 64-bit)");
		*out = tv_int(neg ? -i : i);
		return 0;
	}
	if (v->kind == TV_FLOAT) {
		*out = tv_float(neg ? -v->u.f : v->u.f);
		return 0;
	}
	if (v->kind == TV_UNDEF)
		return tpl_fail_undef(rc, line, v);
	return tpl_fail(rc, line, "bad operand type for unary %c: '%s'", neg ? '-' : '+', tv_type_name(v));
}

static __attribute__((noinline)) int
eval_logic(struct tpl_rctx *rc, struct tpl_frame *f, const struct tpl_node *n, struct tv *out)
{
	int t;

	if (tpl_eval(rc, f, n->a, out) < 0 || (t = tv_truth(rc, n->line, out)) < 0)
		return -1;
	if ((n->kind == N_AND) == (t != 0))
		return tpl_eval(rc, f, n->b, out);
	return 0;
}

static __attribute__((noinline)) int
eval_cond(struct tpl_rctx *rc, struct tpl_frame *f, const struct tpl_node *n, struct tv *out)
{
	struct tv c;
	int t;

	if (tpl_eval(rc, f, n->a, &c) < 0 || (t = tv_truth(rc, n->line, &c)) < 0)
		return -1;
	if (t)
		return tpl_eval(rc, f, n->b, out);
	if (n->c != NULL)
		return tpl_eval(rc, f, n->c, out);
	*out = tv_undef_msg("the inline if-expression evaluated to false and no else section was defined.");
	out->aux = UND_LENIENT;
	return 0;
}

static __attribute__((noinline)) int
eval_item(struct tpl_rctx *rc, struct tpl_frame *f, const struct tpl_node *n, struct tv *out)
{
	struct tv obj, key;

	if (tpl_eval(rc, f, n->a, &obj) < 0)
		return -1;
	if (n->b->kind == N_SLICE) {
		if (obj.kind == TV_UNDEF)
			return tpl_fail_undef(rc, n->line, &obj);
		return eval_slice(rc, f, &obj, n->b, out);
	}
	if (tpl_eval(rc, f, n->b, &key) < 0)
		return -1;
	return tv_getitem(rc, n->line, &obj, &key, out);
}

/* Whether Jinja2's optimizer would fold n to a constant (the cases that
 * matter for eval_negconst_pow). */
static int
is_const_expr(const struct tpl_node *n, int depth)
{
	if (depth > 16)
		return 0;
	switch (n->kind) {
	case N_CONST: return 1;
	case N_NEG:
	case N_POS:
	case N_NOT: return is_const_expr(n->a, depth + 1);
	case N_BINOP: return is_const_expr(n->a, depth + 1) && is_const_expr(n->b, depth + 1);
	default: return 0;
	}
}

/* "-2 ** x" with x not constant: Jinja2 generates Python "-2 ** x",
 * which is -(2 ** x). */
static __attribute__((noinline)) int
eval_negconst_pow(struct tpl_rctx *rc, int line, const struct tv *a, const struct tv *b, struct tv *out)
{
	struct tv pos = a->kind == TV_INT ? tv_int(-a->u.i) : tv_float(-a->u.f), r;

	if (tv_binop(rc, line, OP_POW, &pos, b, &r) < 0)
		return -1;
	return eval_neg(rc, line, 1, &r, out);
}

/* "name.attr" is the most common expression: the name is looked up
 * without another round through the dispatch. */
static __attribute__((noinline)) int
eval_getattr(struct tpl_rctx *rc, struct tpl_frame *f, const struct tpl_node *n, struct tv *out)
{
	struct tv a;

	if (n->a->kind == N_NAME) {
		if (!lookup_inner(f, n->a->name, &a) && tpl_lookup(rc, f, n->a->name, n->a->nlen, &a) < 0)
			return -1;
	} else if (tpl_eval(rc, f, n->a, &a) < 0) {
		return -1;
	}
	if (n->flags & NF_NOMETHOD) {
		/* the hint's hit without a call; tv_getattr_data searches */
		if (tpl_attr_hint_hit(rc, n, &a, out))
			return 0;
		return tv_getattr_data(rc, n, &a, out);
	}
	return tv_getattr(rc, n->line, &a, n->name, n->nlen, out);
}

static __attribute__((noinline)) int
eval_binop(struct tpl_rctx *rc, struct tpl_frame *f, const struct tpl_node *n, struct tv *out)
{
	struct tv a, b;

	if (tpl_eval(rc, f, n->a, &a) < 0 || tpl_eval(rc, f, n->b, &b) < 0)
		return -1;
	if (n->op == OP_POW && (n->a->flags & NF_NEGCONST) && !is_const_expr(n->b, 0))
		return eval_negconst_pow(rc, n->line, &a, &b, out);
	return tv_binop(rc, n->line, n->op, &a, &b, out);
}

static __attribute__((noinline)) int
eval_unary(struct tpl_rctx *rc, struct tpl_frame *f, const struct tpl_node *n, struct tv *out)
{
	struct tv a;
	int t;

	if (tpl_eval(rc, f, n->a, &a) < 0)
		return -1;
	if (n->kind != N_NOT)
		return eval_neg(rc, n->line, n->kind == N_NEG, &a, out);
	if ((t = tv_truth(rc, n->line, &a)) < 0)
		return -1;
	*out = tv_bool(!t);
	return 0;
}

static __attribute__((noinline)) int
eval_filter(struct tpl_rctx *rc, struct tpl_frame *f, const struct tpl_node *n, struct tv *out)
{
	return tpl_apply_filter(rc, f, n, tv_none(), out);
}

static __attribute__((noinline)) int
eval_bad(struct tpl_rctx *rc, const struct tpl_node *n)
{
	return tpl_fail(rc, n->line, "internal error: cannot evaluate node %d", n->kind);
}

/* A pure dispatcher: every case is a tail call (or a copy), so that the
 * most frequent call of a render needs no stack frame of its own. */
int
tpl_eval(struct tpl_rctx *rc, struct tpl_frame *f, const struct tpl_node *n, struct tv *out)
{
	switch (n->kind) {
	case N_CONST: *out = n->cval; return 0;
	case N_NAME: return tpl_lookup(rc, f, n->name, n->nlen, out);
	case N_GETATTR: return eval_getattr(rc, f, n, out);
	case N_GETITEM: return eval_item(rc, f, n, out);
	case N_LIST:
	case N_TUPLE: return eval_seq(rc, f, n, out);
	case N_DICT: return eval_dict(rc, f, n, out);
	case N_BINOP: return eval_binop(rc, f, n, out);
	case N_NEG:
	case N_POS:
	case N_NOT: return eval_unary(rc, f, n, out);
	case N_AND:
	case N_OR: return eval_logic(rc, f, n, out);
	case N_COMPARE: return eval_compare(rc, f, n, out);
	case N_COND: return eval_cond(rc, f, n, out);
	case N_FILTER: return eval_filter(rc, f, n, out);
	case N_TEST: return eval_test(rc, f, n, out);
	case N_CALL: return eval_call(rc, f, n, out);
	default: return eval_bad(rc, n);
	}
}
