/* Statement execution: output, if, for (with else, a filter, tuple
 * targets, the loop variable and recursive loops), set, macros and call
 * blocks, filter and with blocks. Scoping follows Jinja2: a for body gets
 * a fresh scope each iteration, if does not open a scope, macros see
 * their own parameters and then the scope they were defined in. */
#include <stdio.h>
#include <string.h>

#include "lib/template/tpl_int.h"

static int exec_node(struct tpl_rctx *rc, struct tpl_frame *f, const struct tpl_node *n, struct strbuf *sb);

static int
out_add(struct tpl_rctx *rc, int line, struct strbuf *sb, const char *p, size_t n)
{
	if (tv_charge(rc, line, n) < 0)
		return -1;
	tpl_out(sb, p, n);
	return 0;
}

int
tpl_exec_body(struct tpl_rctx *rc, struct tpl_frame *f, const struct tpl_nvec *body, struct strbuf *sb)
{
	size_t i;

	for (i = 0; i < body->n; i++)
		if (exec_node(rc, f, body->v[i], sb) < 0)
			return -1;
	return 0;
}

static int
assign(struct tpl_rctx *rc, struct tpl_frame *f, const struct tpl_node *target, struct tv v)
{
	struct tv *items, ns;
	size_t n, i;

	if (target->kind == N_NAME)
		return tpl_frame_set(rc, f, target->name, target->nlen, v);
	if (target->kind == N_GETATTR) {
		if (tpl_lookup(rc, f, target->a->name, target->a->nlen, &ns) < 0)
			return -1;
		if (ns.kind != TV_NS)
			return tpl_fail(rc, target->line, "Can only assign attributes of namespaces (not '%s')",
					tv_type_name(&ns));
		return tv_dict_set(rc, ns.u.d, tv_str(target->name, target->nlen), v);
	}
	if (tv_items(rc, target->line, &v, &items, &n) < 0)
		return -1;
	if (n != target->args.n) {
		if (n > target->args.n)
			return tpl_fail(rc, target->line, "too many values to unpack (expected %zu)", target->args.n);
		return tpl_fail(rc, target->line, "not enough values to unpack (expected %zu, got %zu)", target->args.n,
				n);
	}
	for (i = 0; i < n; i++)
		if (assign(rc, f, target->args.v[i], items[i]) < 0)
			return -1;
	return 0;
}

/* Renders body in a new scope into a string value. */
static int
render_to_value(struct tpl_rctx *rc, struct tpl_frame *f, const struct tpl_nvec *body, int line, struct tv *out)
{
	struct strbuf sb = STRBUF_INIT;
	struct tpl_frame *inner = tpl_frame_new(rc, f);
	char *s;
	int r = -1;

	if (inner != NULL && tpl_exec_body(rc, inner, body, &sb) == 0) {
		/* already charged while rendering: only copy */
		if ((s = tv_strdup(rc, strbuf_str(&sb), sb.len)) != NULL) {
			*out = tv_str(s, sb.len);
			r = 0;
		}
	}
	(void)line;
	strbuf_free(&sb);
	return r;
}

/* ---- for loops ---- */

static int
loop_filter(struct tpl_rctx *rc, struct tpl_frame *f, const struct tpl_node *n, struct tv **items, size_t *cnt)
{
	struct tpl_frame *tf = tpl_frame_new(rc, f);
	struct tv *kept, c;
	size_t i, k = 0;
	int t;

	if (tf == NULL || (kept = tpl_arena_alloc(&rc->arena, (*cnt + 1) * sizeof(*kept))) == NULL)
		return tpl_fail(rc, n->line, "template used too much memory");
	for (i = 0; i < *cnt; i++) {
		tf->n = 0;
		if (tpl_step(rc, n->line, 1) < 0 || assign(rc, tf, n->a, (*items)[i]) < 0)
			return -1;
		if (tpl_eval(rc, tf, n->c, &c) < 0 || (t = tv_truth(rc, n->line, &c)) < 0)
			return -1;
		if (t)
			kept[k++] = (*items)[i];
	}
	*items = kept;
	*cnt = k;
	return 0;
}

static int
exec_for_items(struct tpl_rctx *rc, struct tpl_frame *f, const struct tpl_node *n, const struct tv *iter, int depth,
	       struct strbuf *sb)
{
	struct tpl_loop *lp = tpl_arena_alloc(&rc->arena, sizeof(*lp));
	struct tpl_frame *body = tpl_frame_new(rc, f);
	struct tv loopv = tv_none(), *items;
	size_t cnt;
	int simple;

	if (lp == NULL || body == NULL)
		return tpl_fail(rc, n->line, "template used too much memory");
	if (tv_items(rc, n->line, iter, &items, &cnt) < 0)
		return -1;
	if (n->c != NULL && loop_filter(rc, f, n, &items, &cnt) < 0)
		return -1;
	if (cnt == 0)
		return n->orelse.n ? tpl_exec_body(rc, body, &n->orelse, sb) : 0;
	/* a plain name other than "loop" needs no search in the fresh scope */
	simple = n->a->kind == N_NAME && !(n->a->nlen == 4 && memcmp(n->a->name, "loop", 4) == 0);
	memset(lp, 0, sizeof(*lp));
	lp->items = items;
	lp->n = cnt;
	lp->depth = depth;
	lp->forn = n;
	lp->frame = f;
	loopv.kind = TV_LOOP;
	loopv.u.loop = lp;
	for (lp->i = 0; lp->i < cnt; lp->i++) {
		if (tpl_step(rc, n->line, 1) < 0)
			return -1;
		/* the body's scope starts empty each iteration: "loop" first,
		 * then the target (which may shadow it, as in Jinja2) */
		body->n = 1;
		body->vars[0].name = rc->t->name_loop;
		body->vars[0].n = 4;
		body->vars[0].v = loopv;
		if (simple) {
			body->n = 2;
			body->vars[1].name = n->a->name;
			body->vars[1].n = n->a->nlen;
			body->vars[1].v = items[lp->i];
		} else if (assign(rc, body, n->a, items[lp->i]) < 0) {
			return -1;
		}
		if (tpl_exec_body(rc, body, &n->body, sb) < 0)
			return -1;
	}
	return 0;
}

static __attribute__((noinline)) int
exec_for(struct tpl_rctx *rc, struct tpl_frame *f, const struct tpl_node *n, struct strbuf *sb)
{
	struct tv iter;

	if (tpl_eval(rc, f, n->b, &iter) < 0)
		return -1;
	return exec_for_items(rc, f, n, &iter, 1, sb);
}

/* loop(children) in a "recursive" loop renders the body again. */
int
tpl_loop_call(struct tpl_rctx *rc, int line, const struct tv *loop, const struct tpl_callargs *ca, struct tv *out)
{
	const struct tpl_loop *lp = loop->u.loop;
	struct strbuf sb = STRBUF_INIT;
	int r;

	if (!(lp->forn->flags & NF_RECURSIVE))
		return tpl_fail(rc, line, "Tried to call non recursive loop.  Maybe you forgot the 'recursive' modifier.");
	if (ca->npos != 1 || ca->nkw != 0)
		return tpl_fail(rc, line, "loop() takes exactly one argument");
	if (++rc->depth > TPL_MAX_CALL_DEPTH) {
		rc->depth--;
		return tpl_fail(rc, line, "recursion too deep (limit %d)", TPL_MAX_CALL_DEPTH);
	}
	r = exec_for_items(rc, lp->frame, lp->forn, &ca->pos[0], lp->depth + 1, &sb);
	rc->depth--;
	if (r == 0) {
		char *s = tv_strdup(rc, strbuf_str(&sb), sb.len);
		r = s ? 0 : -1;
		*out = tv_str(s, sb.len);
	}
	strbuf_free(&sb);
	return r;
}

int
tpl_loop_attr_code(const char *name, size_t n)
{
	static const char *const names[] = {"", "index", "index0", "revindex", "revindex0", "first", "last",
					    "length", "depth", "depth0", "previtem", "nextitem"};
	size_t i;

	for (i = 1; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == n && memcmp(names[i], name, n) == 0)
			return (int)i;
	return LA_NONE;
}

static int
loop_method_or_undef(struct tpl_rctx *rc, int line, const struct tv *obj, const char *name, size_t n, struct tv *out)
{
	struct tpl_method *me;
	int id;
	char *s;

	if ((id = tpl_method_find(obj, name, n)) >= 0) {
		if ((me = tpl_arena_alloc(&rc->arena, sizeof(*me))) == NULL)
			return tpl_fail(rc, line, "template used too much memory");
		me->self = *obj;
		me->id = id;
		*out = tv_none();
		out->kind = TV_METHOD;
		out->u.me = me;
		return 0;
	}
	if ((s = tv_strdup(rc, name, n)) == NULL)
		return -1;
	*out = tv_undef_name(s);
	out->aux = UND_ATTR;
	out->u.und.obj = "LoopContext object";
	return 0;
}

int
tpl_loop_attr(struct tpl_rctx *rc, int line, const struct tv *obj, const char *name, size_t n, struct tv *out)
{
	return tpl_loop_attr_coded(rc, line, obj, tpl_loop_attr_code(name, n), name, n, out);
}

int
tpl_loop_attr_coded(struct tpl_rctx *rc, int line, const struct tv *obj, int code, const char *name, size_t n,
		    struct tv *out)
{
	const struct tpl_loop *lp = obj->u.loop;
	long long i = (long long)lp->i, len = (long long)lp->n;

	switch (code) {
	case LA_INDEX: *out = tv_int(i + 1); return 0;
	case LA_INDEX0: *out = tv_int(i); return 0;
	case LA_REVINDEX: *out = tv_int(len - i); return 0;
	case LA_REVINDEX0: *out = tv_int(len - i - 1); return 0;
	case LA_FIRST: *out = tv_bool(i == 0); return 0;
	case LA_LAST: *out = tv_bool(i == len - 1); return 0;
	case LA_LENGTH: *out = tv_int(len); return 0;
	case LA_DEPTH: *out = tv_int(lp->depth); return 0;
	case LA_DEPTH0: *out = tv_int(lp->depth - 1); return 0;
	case LA_PREVITEM: *out = i > 0 ? lp->items[i - 1] : tv_undef_msg("there is no previous item"); return 0;
	case LA_NEXTITEM: *out = i + 1 < len ? lp->items[i + 1] : tv_undef_msg("there is no next item"); return 0;
	default: return loop_method_or_undef(rc, line, obj, name, n, out);
	}
}

/* ---- macros ---- */

static int
macro_bind_kw(struct tpl_rctx *rc, int line, const struct tpl_macro *m, struct tpl_frame *mf, const char *kn,
	      struct tv kv, struct tpl_dict *extra)
{
	const struct tpl_node *def = m->def;
	const char *mname = def->kind == N_MACRO ? def->name : "caller";
	size_t j;

	for (j = 0; j < def->args.n; j++) {
		if (strcmp(def->args.v[j]->name, kn) == 0)
			return tpl_frame_set(rc, mf, def->args.v[j]->name, def->args.v[j]->nlen, kv);
	}
	if (strcmp(kn, "caller") == 0 && (def->flags & NF_CALLER))
		return tpl_frame_set(rc, mf, "caller", 6, kv);
	if (def->flags & NF_KWARGS)
		return tv_dict_set(rc, extra, tv_str(kn, strlen(kn)), kv);
	return tpl_fail(rc, line, "macro '%s' takes no keyword argument '%s'", mname, kn);
}

static int
macro_defaults(struct tpl_rctx *rc, int line, const struct tpl_macro *m, struct tpl_frame *mf)
{
	const struct tpl_node *def = m->def, *p;
	struct tv v;
	size_t j, k;
	char *msg;

	for (j = 0; j < def->args.n; j++) {
		p = def->args.v[j];
		for (k = 0; k < mf->n; k++)
			if (mf->vars[k].n == p->nlen && memcmp(mf->vars[k].name, p->name, p->nlen) == 0)
				break;
		if (k < mf->n)
			continue;
		if (p->a != NULL) {
			if (tpl_eval(rc, mf, p->a, &v) < 0)
				return -1;
		} else {
			msg = tpl_arena_alloc(&rc->arena, p->nlen + 40);
			if (msg == NULL)
				return tpl_fail(rc, line, "template used too much memory");
			snprintf(msg, p->nlen + 40, "parameter '%s' was not provided", p->name);
			v = tv_undef_msg(msg);
		}
		if (tpl_frame_set(rc, mf, p->name, p->nlen, v) < 0)
			return -1;
	}
	return 0;
}

static int
macro_bind(struct tpl_rctx *rc, int line, const struct tpl_macro *m, struct tpl_frame *mf, struct tv *args,
	   size_t nargs, const char **kwn, struct tv *kwv, size_t nkw)
{
	const struct tpl_node *def = m->def;
	struct tpl_list *va = tv_list_new(rc, 0);
	struct tpl_dict *kw = tv_dict_new(rc, 0);
	struct tv d = tv_none();
	size_t i;

	if (va == NULL || kw == NULL)
		return -1;
	for (i = 0; i < nargs; i++) {
		if (i < def->args.n) {
			if (tpl_frame_set(rc, mf, def->args.v[i]->name, def->args.v[i]->nlen, args[i]) < 0)
				return -1;
		} else if (def->flags & NF_VARARGS) {
			if (tv_list_push(rc, va, args[i]) < 0)
				return -1;
		} else {
			return tpl_fail(rc, line, "macro '%s' takes not more than %zu argument(s)",
					def->kind == N_MACRO ? def->name : "caller", def->args.n);
		}
	}
	for (i = 0; i < nkw; i++)
		if (macro_bind_kw(rc, line, m, mf, kwn[i], kwv[i], kw) < 0)
			return -1;
	if (macro_defaults(rc, line, m, mf) < 0)
		return -1;
	if ((def->flags & NF_VARARGS) && tpl_frame_set(rc, mf, "varargs", 7, tv_list_val(va, TVF_TUPLE)) < 0)
		return -1;
	d.kind = TV_DICT;
	d.u.d = kw;
	if ((def->flags & NF_KWARGS) && tpl_frame_set(rc, mf, "kwargs", 6, d) < 0)
		return -1;
	if (def->kind == N_MACRO && (def->flags & NF_CALLER)) {
		for (i = 0; i < mf->n; i++)
			if (mf->vars[i].n == 6 && memcmp(mf->vars[i].name, "caller", 6) == 0)
				return 0;
		return tpl_frame_set(rc, mf, "caller", 6, tv_undef_msg("No caller defined"));
	}
	return 0;
}

int
tpl_call_macro(struct tpl_rctx *rc, int line, const struct tpl_macro *m, struct tv *args, size_t nargs,
	       const char **kwn, struct tv *kwv, size_t nkw, struct tv *out)
{
	struct tpl_frame *mf;
	struct strbuf sb = STRBUF_INIT;
	int r = -1;

	/* Rationale: macros may recurse; a hostile template must get an
	 * error, not a stack overflow. */
	if (++rc->depth > TPL_MAX_CALL_DEPTH) {
		rc->depth--;
		return tpl_fail(rc, line, "macro recursion too deep (limit %d)", TPL_MAX_CALL_DEPTH);
	}
	if ((mf = tpl_frame_new(rc, m->scope)) != NULL &&
	    macro_bind(rc, line, m, mf, args, nargs, kwn, kwv, nkw) == 0 &&
	    tpl_exec_body(rc, mf, &m->def->body, &sb) == 0) {
		char *s = tv_strdup(rc, strbuf_str(&sb), sb.len);
		if (s != NULL) {
			*out = tv_str(s, sb.len);
			r = 0;
		}
	}
	rc->depth--;
	strbuf_free(&sb);
	return r;
}

static int
make_macro(struct tpl_rctx *rc, struct tpl_frame *f, const struct tpl_node *def, struct tv *out)
{
	struct tpl_macro *m = tpl_arena_alloc(&rc->arena, sizeof(*m));

	if (m == NULL)
		return tpl_fail(rc, def->line, "template used too much memory");
	m->def = def;
	m->scope = f;
	m->caller = tv_none();
	*out = tv_none();
	out->kind = TV_MACRO;
	out->u.m = m;
	return 0;
}

/* {% call(args) m(...) %}body{% endcall %}: m gets caller=<body>. */
static __attribute__((noinline)) int
exec_callblock(struct tpl_rctx *rc, struct tpl_frame *f, const struct tpl_node *n, struct strbuf *sb)
{
	const struct tpl_node *call = n->a;
	struct tv callee, caller, res, *pos, *kwv;
	const char **kwn;
	size_t i;

	if (make_macro(rc, f, n, &caller) < 0 || tpl_eval(rc, f, call->a, &callee) < 0)
		return -1;
	pos = tpl_arena_alloc(&rc->arena, (call->args.n + 1) * sizeof(*pos));
	kwv = tpl_arena_alloc(&rc->arena, (call->kwargs.n + 1) * sizeof(*kwv));
	kwn = tpl_arena_alloc(&rc->arena, (call->kwargs.n + 1) * sizeof(*kwn));
	if (pos == NULL || kwv == NULL || kwn == NULL)
		return tpl_fail(rc, n->line, "template used too much memory");
	for (i = 0; i < call->args.n; i++)
		if (tpl_eval(rc, f, call->args.v[i], &pos[i]) < 0)
			return -1;
	for (i = 0; i < call->kwargs.n; i++) {
		kwn[i] = call->kwargs.v[i]->name;
		if (tpl_eval(rc, f, call->kwargs.v[i]->a, &kwv[i]) < 0)
			return -1;
	}
	kwn[i] = "caller";
	kwv[i] = caller;
	if (tpl_call_value(rc, n->line, &callee, pos, call->args.n, kwn, kwv, call->kwargs.n + 1, &res) < 0)
		return -1;
	return res.kind == TV_STR ? out_add(rc, n->line, sb, res.u.s.p, res.u.s.n) : tv_write_str(rc, n->line, &res, sb);
}

static __attribute__((noinline)) int
exec_with(struct tpl_rctx *rc, struct tpl_frame *f, const struct tpl_node *n, struct strbuf *sb)
{
	struct tpl_frame *wf = tpl_frame_new(rc, f);
	struct tv v;
	size_t i;

	if (wf == NULL)
		return -1;
	for (i = 0; i < n->args.n; i++) {
		if (tpl_eval(rc, f, n->args.v[i]->b, &v) < 0 || assign(rc, wf, n->args.v[i], v) < 0)
			return -1;
	}
	return tpl_exec_body(rc, wf, &n->body, sb);
}

static __attribute__((noinline)) int
exec_print(struct tpl_rctx *rc, struct tpl_frame *f, const struct tpl_node *n, struct strbuf *sb)
{
	struct tv v;
	size_t before = sb->len;

	if (tpl_eval(rc, f, n->a, &v) < 0)
		return -1;
	if (v.kind == TV_STR)
		return out_add(rc, n->line, sb, v.u.s.p, v.u.s.n);
	if (tv_write_str(rc, n->line, &v, sb) < 0)
		return -1;
	return tv_charge(rc, n->line, sb->len - before);
}

static __attribute__((noinline)) int
exec_if(struct tpl_rctx *rc, struct tpl_frame *f, const struct tpl_node *n, struct strbuf *sb)
{
	struct tv c;
	int t;

	if (tpl_eval(rc, f, n->a, &c) < 0 || (t = tv_truth(rc, n->line, &c)) < 0)
		return -1;
	return tpl_exec_body(rc, f, t ? &n->body : &n->orelse, sb);
}

static __attribute__((noinline)) int
exec_set(struct tpl_rctx *rc, struct tpl_frame *f, const struct tpl_node *n)
{
	struct tv v;

	if (tpl_eval(rc, f, n->b, &v) < 0)
		return -1;
	return assign(rc, f, n->a, v);
}

static __attribute__((noinline)) int
exec_setblock(struct tpl_rctx *rc, struct tpl_frame *f, const struct tpl_node *n)
{
	struct tv v;

	if (render_to_value(rc, f, &n->body, n->line, &v) < 0)
		return -1;
	if (n->c != NULL && tpl_apply_filter(rc, f, n->c, v, &v) < 0)
		return -1;
	return assign(rc, f, n->a, v);
}

static __attribute__((noinline)) int
exec_macro(struct tpl_rctx *rc, struct tpl_frame *f, const struct tpl_node *n)
{
	struct tv v;

	if (make_macro(rc, f, n, &v) < 0)
		return -1;
	return tpl_frame_set(rc, f, n->name, n->nlen, v);
}

static __attribute__((noinline)) int
exec_filterblock(struct tpl_rctx *rc, struct tpl_frame *f, const struct tpl_node *n, struct strbuf *sb)
{
	struct tv v;

	if (render_to_value(rc, f, &n->body, n->line, &v) < 0 || tpl_apply_filter(rc, f, n->c, v, &v) < 0)
		return -1;
	return tv_write_str(rc, n->line, &v, sb);
}

static __attribute__((noinline)) int
exec_bad(struct tpl_rctx *rc, const struct tpl_node *n)
{
	return tpl_fail(rc, n->line, "internal error: cannot execute node %d", n->kind);
}

/* A pure dispatcher, as tpl_eval is: tail calls only, no stack frame. */
static int
exec_node(struct tpl_rctx *rc, struct tpl_frame *f, const struct tpl_node *n, struct strbuf *sb)
{
	switch (n->kind) {
	case N_DATA: return out_add(rc, n->line, sb, n->name, n->nlen);
	case N_PRINT: return exec_print(rc, f, n, sb);
	case N_IF: return exec_if(rc, f, n, sb);
	case N_FOR: return exec_for(rc, f, n, sb);
	case N_SET: return exec_set(rc, f, n);
	case N_SETBLOCK: return exec_setblock(rc, f, n);
	case N_MACRO: return exec_macro(rc, f, n);
	case N_CALLBLOCK: return exec_callblock(rc, f, n, sb);
	case N_FILTERBLOCK: return exec_filterblock(rc, f, n, sb);
	case N_WITH: return exec_with(rc, f, n, sb);
	default: return exec_bad(rc, n);
	}
}
