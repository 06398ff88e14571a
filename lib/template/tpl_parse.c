/* The parser: tokens to an AST, a recursive-descent copy of
 * jinja2/parser.py's grammar (operator precedence, left-associative
 * "**", unary minus binding tighter than filters' input, tests taking
 * one bare argument, ...). Nesting is bounded so that "((((..." cannot
 * exhaust the stack. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lib/template/tpl_int.h"

struct parser {
	struct kc_tpl *t;
	const struct tpl_tok *tk;
	size_t ntk, i;
	char *err;
	size_t errlen;
	int depth;
	int soft; /* inside if/condexpr: unknown filters fail at run time */
	int failed;
	/* Names are interned: one copy per distinct name, so that lookups
	 * at render time mostly compare pointers (tpl_lookup). */
	struct tpl_strset names;
};

static struct tpl_node *p_expr(struct parser *p, int condexpr);
static struct tpl_node *p_tuple(struct parser *p, int simplified, int condexpr, const char *extra_end, int paren);
static struct tpl_node *p_unary(struct parser *p, int with_filter);
static struct tpl_node *p_primary(struct parser *p);
static struct tpl_node *p_postfix(struct parser *p, struct tpl_node *n);
static struct tpl_node *p_filter_expr(struct parser *p, struct tpl_node *n);
static struct tpl_node *p_filter(struct parser *p, struct tpl_node *n, int start_inline);
static int p_body(struct parser *p, const char *const *ends, struct tpl_nvec *out);

static int p_fail(struct parser *p, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int
p_fail(struct parser *p, int line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (p->failed)
		return -1;
	p->failed = 1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p->errlen > 0)
		snprintf(p->err, p->errlen, "%s:%d: %s", p->t->name, line, msg);
	return -1;
}

static const struct tpl_tok *
cur(const struct parser *p)
{
	return &p->tk[p->i];
}

static const struct tpl_tok *
look(const struct parser *p)
{
	return p->i + 1 < p->ntk ? &p->tk[p->i + 1] : &p->tk[p->ntk - 1];
}

static void
advance(struct parser *p)
{
	if (p->i + 1 < p->ntk)
		p->i++;
}

static int
is_op(const struct tpl_tok *t, int op)
{
	return t->type == TK_OP && t->op == op;
}

static int
is_name(const struct tpl_tok *t, const char *name)
{
	return t->type == TK_NAME && t->n == strlen(name) && memcmp(t->p, name, t->n) == 0;
}

/* Jinja2's describe_token, for messages. */
static const char *
describe(const struct tpl_tok *t, char *buf, size_t len)
{
	switch (t->type) {
	case TK_EOF: return "end of template";
	case TK_VAR_END: return "end of print statement";
	case TK_BLOCK_END: return "end of statement block";
	case TK_VAR_BEGIN: return "begin of print statement";
	case TK_BLOCK_BEGIN: return "begin of statement block";
	case TK_DATA: return "template data / text";
	case TK_STRING: return "string";
	case TK_INT: return "integer";
	case TK_FLOAT: return "float";
	default:
		snprintf(buf, len, "%.*s", (int)(t->n > 64 ? 64 : t->n), t->p);
		return buf;
	}
}

static int
expect_op(struct parser *p, int op, const char *what)
{
	char b[80];

	if (!is_op(cur(p), op))
		return p_fail(p, cur(p)->line, "expected token '%s', got '%s'", what, describe(cur(p), b, sizeof(b)));
	advance(p);
	return 0;
}

static int
expect_type(struct parser *p, int type, const char *what)
{
	char b[80];

	if (cur(p)->type != type)
		return p_fail(p, cur(p)->line, "expected token '%s', got '%s'", what, describe(cur(p), b, sizeof(b)));
	advance(p);
	return 0;
}

static struct tpl_node *
node_new(struct parser *p, int kind, int line)
{
	struct tpl_node *n = tpl_arena_alloc(&p->t->arena, sizeof(*n));

	if (n == NULL) {
		p_fail(p, line, "template too large");
		return NULL;
	}
	memset(n, 0, sizeof(*n));
	n->kind = (uint8_t)kind;
	n->line = line;
	n->fn = -1;
	return n;
}

static int
nvec_push(struct parser *p, struct tpl_nvec *v, struct tpl_node *n)
{
	struct tpl_node **nv;

	/* grow at powers of two: capacity is implied by n */
	if ((v->n & (v->n - 1)) == 0 && (v->n == 0 || v->n >= 4)) {
		size_t cap = v->n == 0 ? 4 : v->n * 2;
		nv = tpl_arena_alloc(&p->t->arena, cap * sizeof(*nv));
		if (nv == NULL)
			return p_fail(p, n ? n->line : 0, "template too large");
		if (v->n > 0)
			memcpy(nv, v->v, v->n * sizeof(*nv));
		v->v = nv;
	}
	v->v[v->n++] = n;
	return 0;
}

/* The one arena copy of name s[0..n). */
static const char *
intern_name(struct parser *p, int line, const char *s, size_t n)
{
	const char *name = tpl_intern(&p->names, &p->t->arena, s, n, 1);

	if (name == NULL)
		p_fail(p, line, "template too large");
	return name;
}

static const char *
tok_name(struct parser *p, const struct tpl_tok *t)
{
	return intern_name(p, t->line, t->p, t->n);
}

static int
enter(struct parser *p)
{
	if (++p->depth > TPL_MAX_NEST)
		return p_fail(p, cur(p)->line, "template nested too deeply (limit %d)", TPL_MAX_NEST);
	return 0;
}

/* ---- expressions ---- */

static struct tpl_node *
p_binary(struct parser *p, int kind, int op, struct tpl_node *a, struct tpl_node *b, int line)
{
	struct tpl_node *n;

	if (a == NULL || b == NULL)
		return NULL;
	if ((n = node_new(p, kind, line)) == NULL)
		return NULL;
	n->op = (uint8_t)op;
	n->a = a;
	n->b = b;
	return n;
}

static struct tpl_node *
p_pow(struct parser *p)
{
	struct tpl_node *l = p_unary(p, 1);
	int line;

	while (l != NULL && is_op(cur(p), OP_POW)) {
		line = cur(p)->line;
		advance(p);
		l = p_binary(p, N_BINOP, OP_POW, l, p_unary(p, 1), line);
	}
	return l;
}

static struct tpl_node *
p_math2(struct parser *p)
{
	struct tpl_node *l = p_pow(p);
	int line, op;

	while (l != NULL && cur(p)->type == TK_OP &&
	       (cur(p)->op == OP_MUL || cur(p)->op == OP_DIV || cur(p)->op == OP_FLOORDIV || cur(p)->op == OP_MOD)) {
		line = cur(p)->line;
		op = cur(p)->op;
		advance(p);
		l = p_binary(p, N_BINOP, op, l, p_pow(p), line);
	}
	return l;
}

static struct tpl_node *
p_concat(struct parser *p)
{
	struct tpl_node *l = p_math2(p);
	int line;

	while (l != NULL && is_op(cur(p), OP_TILDE)) {
		line = cur(p)->line;
		advance(p);
		l = p_binary(p, N_BINOP, OP_TILDE, l, p_math2(p), line);
	}
	return l;
}

static struct tpl_node *
p_math1(struct parser *p)
{
	struct tpl_node *l = p_concat(p);
	int line, op;

	while (l != NULL && cur(p)->type == TK_OP && (cur(p)->op == OP_ADD || cur(p)->op == OP_SUB)) {
		line = cur(p)->line;
		op = cur(p)->op;
		advance(p);
		l = p_binary(p, N_BINOP, op, l, p_concat(p), line);
	}
	return l;
}

static int
compare_op(struct parser *p)
{
	const struct tpl_tok *t = cur(p);

	if (t->type == TK_OP && (t->op == OP_EQ || t->op == OP_NE || t->op == OP_LT || t->op == OP_LTEQ ||
				 t->op == OP_GT || t->op == OP_GTEQ)) {
		advance(p);
		return t->op;
	}
	if (is_name(t, "in")) {
		advance(p);
		return OP_IN;
	}
	if (is_name(t, "not") && is_name(look(p), "in")) {
		advance(p);
		advance(p);
		return OP_NOTIN;
	}
	return OP_NONE;
}

static struct tpl_node *
p_compare(struct parser *p)
{
	struct tpl_node *first = p_math1(p), *n = NULL, *rhs;
	uint8_t ops[64];
	int op, line = cur(p)->line;

	while (first != NULL && (op = compare_op(p)) != OP_NONE) {
		if (n == NULL && (n = node_new(p, N_COMPARE, line)) == NULL)
			return NULL;
		if (n->args.n >= sizeof(ops))
			return p_fail(p, line, "comparison chain too long"), NULL;
		ops[n->args.n] = (uint8_t)op;
		if ((rhs = p_math1(p)) == NULL || nvec_push(p, &n->args, rhs) < 0)
			return NULL;
	}
	if (n == NULL)
		return first;
	n->a = first;
	n->ops = tpl_arena_alloc(&p->t->arena, n->args.n);
	if (n->ops == NULL)
		return p_fail(p, line, "template too large"), NULL;
	memcpy(n->ops, ops, n->args.n);
	return n;
}

static struct tpl_node *
p_not(struct parser *p)
{
	struct tpl_node *n;
	int line = cur(p)->line;

	if (!is_name(cur(p), "not"))
		return p_compare(p);
	advance(p);
	if (enter(p) < 0 || (n = node_new(p, N_NOT, line)) == NULL)
		return NULL;
	n->a = p_not(p);
	p->depth--;
	return n->a ? n : NULL;
}

static struct tpl_node *
p_and(struct parser *p)
{
	struct tpl_node *l = p_not(p);
	int line;

	while (l != NULL && is_name(cur(p), "and")) {
		line = cur(p)->line;
		advance(p);
		l = p_binary(p, N_AND, 0, l, p_not(p), line);
	}
	return l;
}

static struct tpl_node *
p_or(struct parser *p)
{
	struct tpl_node *l = p_and(p);
	int line;

	while (l != NULL && is_name(cur(p), "or")) {
		line = cur(p)->line;
		advance(p);
		l = p_binary(p, N_OR, 0, l, p_and(p), line);
	}
	return l;
}

static struct tpl_node *
p_condexpr(struct parser *p)
{
	struct tpl_node *e1 = p_or(p), *n;
	int line;

	p->soft++;
	while (e1 != NULL && is_name(cur(p), "if")) {
		line = cur(p)->line;
		advance(p);
		if ((n = node_new(p, N_COND, line)) == NULL || (n->a = p_or(p)) == NULL) {
			e1 = NULL;
			break;
		}
		n->b = e1;
		if (is_name(cur(p), "else")) {
			advance(p);
			if (enter(p) < 0 || (n->c = p_condexpr(p)) == NULL) {
				e1 = NULL;
				break;
			}
			p->depth--;
		}
		e1 = n;
	}
	p->soft--;
	return e1;
}

static struct tpl_node *
p_expr(struct parser *p, int condexpr)
{
	struct tpl_node *n;

	if (enter(p) < 0)
		return NULL;
	n = condexpr ? p_condexpr(p) : p_or(p);
	p->depth--;
	return n;
}

static struct tpl_node *
p_const(struct parser *p, struct tv v, int line)
{
	struct tpl_node *n = node_new(p, N_CONST, line);

	if (n != NULL)
		n->cval = v;
	return n;
}

/* Adjacent string literals concatenate, as in Python. */
static struct tpl_node *
p_strings(struct parser *p)
{
	const struct tpl_tok *t = cur(p);
	struct strbuf sb = STRBUF_INIT;
	char *s;
	size_t n;
	int line = t->line;

	advance(p);
	if (cur(p)->type != TK_STRING)
		return p_const(p, tv_str(t->p, t->n), line);
	strbuf_add(&sb, t->p, t->n);
	while (cur(p)->type == TK_STRING) {
		strbuf_add(&sb, cur(p)->p, cur(p)->n);
		advance(p);
	}
	n = sb.len;
	s = tpl_arena_strndup(&p->t->arena, strbuf_str(&sb), n);
	strbuf_free(&sb);
	if (s == NULL)
		return p_fail(p, line, "template too large"), NULL;
	return p_const(p, tv_str(s, n), line);
}

static struct tpl_node *
p_name_primary(struct parser *p)
{
	const struct tpl_tok *t = cur(p);
	struct tpl_node *n;

	if (is_name(t, "true") || is_name(t, "True") || is_name(t, "false") || is_name(t, "False")) {
		advance(p);
		return p_const(p, tv_bool(t->p[0] == 't' || t->p[0] == 'T'), t->line);
	}
	if (is_name(t, "none") || is_name(t, "None")) {
		advance(p);
		return p_const(p, tv_none(), t->line);
	}
	if ((n = node_new(p, N_NAME, t->line)) == NULL || (n->name = tok_name(p, t)) == NULL)
		return NULL;
	n->nlen = t->n;
	advance(p);
	return n;
}

/* [a, b] and {k: v}: trailing commas allowed. */
static struct tpl_node *
p_list_or_dict(struct parser *p, int dict)
{
	struct tpl_node *n = node_new(p, dict ? N_DICT : N_LIST, cur(p)->line), *k, *v;
	int close = dict ? OP_RBRACE : OP_RBRACKET;

	advance(p);
	while (n != NULL && !is_op(cur(p), close)) {
		if (n->args.n > 0 && expect_op(p, OP_COMMA, ",") < 0)
			return NULL;
		if (is_op(cur(p), close))
			break;
		if ((k = p_expr(p, 1)) == NULL || nvec_push(p, &n->args, k) < 0)
			return NULL;
		if (!dict)
			continue;
		if (expect_op(p, OP_COLON, ":") < 0 || (v = p_expr(p, 1)) == NULL || nvec_push(p, &n->kwargs, v) < 0)
			return NULL;
	}
	if (n == NULL || expect_op(p, close, dict ? "}" : "]") < 0)
		return NULL;
	return n;
}

static struct tpl_node *
p_primary(struct parser *p)
{
	const struct tpl_tok *t = cur(p);
	struct tpl_node *n;
	char b[80];

	switch (t->type) {
	case TK_NAME: return p_name_primary(p);
	case TK_STRING: return p_strings(p);
	case TK_INT: advance(p); return p_const(p, tv_int(t->ival), t->line);
	case TK_FLOAT: advance(p); return p_const(p, tv_float(t->fval), t->line);
	case TK_OP:
		if (t->op == OP_LPAREN) {
			advance(p);
			if (enter(p) < 0 || (n = p_tuple(p, 0, 1, NULL, 1)) == NULL || expect_op(p, OP_RPAREN, ")") < 0)
				return NULL;
			p->depth--;
			return n;
		}
		if (t->op == OP_LBRACKET || t->op == OP_LBRACE) {
			if (enter(p) < 0 || (n = p_list_or_dict(p, t->op == OP_LBRACE)) == NULL)
				return NULL;
			p->depth--;
			return n;
		}
		break;
	default:
		break;
	}
	p_fail(p, t->line, "unexpected '%s'", describe(t, b, sizeof(b)));
	return NULL;
}

static int
is_tuple_end(struct parser *p, const char *extra_end)
{
	const struct tpl_tok *t = cur(p);

	if (t->type == TK_VAR_END || t->type == TK_BLOCK_END || is_op(t, OP_RPAREN))
		return 1;
	return extra_end != NULL && is_name(t, extra_end);
}

static struct tpl_node *
p_tuple(struct parser *p, int simplified, int condexpr, const char *extra_end, int paren)
{
	struct tpl_node *n, *item;
	struct tpl_nvec items = {NULL, 0};
	int is_tuple = 0, line = cur(p)->line;
	char b[80];

	for (;;) {
		if (items.n > 0 && expect_op(p, OP_COMMA, ",") < 0)
			return NULL;
		if (is_tuple_end(p, extra_end))
			break;
		item = simplified ? p_primary(p) : p_expr(p, condexpr);
		if (item == NULL || nvec_push(p, &items, item) < 0)
			return NULL;
		if (!is_op(cur(p), OP_COMMA))
			break;
		is_tuple = 1;
	}
	if (!is_tuple) {
		if (items.n > 0)
			return items.v[0];
		if (!paren)
			return p_fail(p, cur(p)->line, "Expected an expression, got '%s'", describe(cur(p), b, sizeof(b))),
			       NULL;
	}
	if ((n = node_new(p, N_TUPLE, line)) != NULL)
		n->args = items;
	return n;
}

/* (a, b=c): positional then keyword arguments. */
static int
p_call_args(struct parser *p, struct tpl_node *n)
{
	struct tpl_node *v, *kw;

	if (expect_op(p, OP_LPAREN, "(") < 0)
		return -1;
	while (!is_op(cur(p), OP_RPAREN)) {
		if ((n->args.n > 0 || n->kwargs.n > 0) && expect_op(p, OP_COMMA, ",") < 0)
			return -1;
		if (is_op(cur(p), OP_RPAREN))
			break;
		if (is_op(cur(p), OP_MUL) || is_op(cur(p), OP_POW))
			return p_fail(p, cur(p)->line, "*args and **kwargs in calls are not supported");
		if (cur(p)->type == TK_NAME && is_op(look(p), OP_ASSIGN)) {
			if ((kw = node_new(p, N_KWARG, cur(p)->line)) == NULL || (kw->name = tok_name(p, cur(p))) == NULL)
				return -1;
			kw->nlen = cur(p)->n;
			advance(p);
			advance(p);
			if ((kw->a = p_expr(p, 1)) == NULL || nvec_push(p, &n->kwargs, kw) < 0)
				return -1;
			continue;
		}
		if (n->kwargs.n > 0)
			return p_fail(p, cur(p)->line, "invalid syntax for function call expression");
		if ((v = p_expr(p, 1)) == NULL || nvec_push(p, &n->args, v) < 0)
			return -1;
	}
	return expect_op(p, OP_RPAREN, ")");
}

static struct tpl_node *
p_call(struct parser *p, struct tpl_node *callee)
{
	struct tpl_node *n = node_new(p, N_CALL, cur(p)->line);

	if (n == NULL)
		return NULL;
	n->a = callee;
	return p_call_args(p, n) < 0 ? NULL : n;
}

/* x[a], x[a:b:c], x[a, b] (a tuple key). One optional part of a slice:
 * 0 with *out set (NULL when absent), -1 on error. */
static int
p_slice_part(struct parser *p, struct tpl_node **out)
{
	*out = NULL;
	if (is_op(cur(p), OP_COLON) || is_op(cur(p), OP_RBRACKET) || is_op(cur(p), OP_COMMA))
		return 0;
	*out = p_expr(p, 1);
	return *out ? 0 : -1;
}

static struct tpl_node *
p_subscribed(struct parser *p)
{
	struct tpl_node *n, *start = NULL, *part;
	int line = cur(p)->line;

	if (!is_op(cur(p), OP_COLON)) {
		if ((start = p_expr(p, 1)) == NULL)
			return NULL;
		if (!is_op(cur(p), OP_COLON))
			return start;
	}
	advance(p);
	if ((n = node_new(p, N_SLICE, line)) == NULL)
		return NULL;
	n->a = start;
	if (p_slice_part(p, &part) < 0)
		return NULL;
	n->b = part;
	if (is_op(cur(p), OP_COLON)) {
		advance(p);
		if (p_slice_part(p, &part) < 0)
			return NULL;
		n->c = part;
	}
	return n;
}

static struct tpl_node *
p_subscript(struct parser *p, struct tpl_node *obj)
{
	const struct tpl_tok *t = cur(p);
	struct tpl_node *n, *key, *tup = NULL;

	advance(p);
	if (t->type == TK_OP && t->op == OP_DOT) {
		t = cur(p);
		advance(p);
		if (t->type == TK_NAME) {
			if ((n = node_new(p, N_GETATTR, t->line)) == NULL || (n->name = tok_name(p, t)) == NULL)
				return NULL;
			n->nlen = t->n;
			n->a = obj;
			if (!tpl_method_name(n->name, n->nlen)) {
				n->flags |= NF_NOMETHOD;
				n->fn = p->t->nattr++;
			}
			n->op = (uint8_t)tpl_loop_attr_code(n->name, n->nlen);
			return n;
		}
		if (t->type != TK_INT)
			return p_fail(p, t->line, "expected name or number"), NULL;
		if ((n = node_new(p, N_GETITEM, t->line)) == NULL || (n->b = p_const(p, tv_int(t->ival), t->line)) == NULL)
			return NULL;
		n->a = obj;
		return n;
	}
	if ((n = node_new(p, N_GETITEM, t->line)) == NULL)
		return NULL;
	n->a = obj;
	while (!is_op(cur(p), OP_RBRACKET)) {
		if (n->b != NULL) {
			if (expect_op(p, OP_COMMA, ",") < 0)
				return NULL;
			if (tup == NULL) {
				if ((tup = node_new(p, N_TUPLE, t->line)) == NULL || nvec_push(p, &tup->args, n->b) < 0)
					return NULL;
			}
		}
		if ((key = p_subscribed(p)) == NULL)
			return NULL;
		if (tup != NULL && nvec_push(p, &tup->args, key) < 0)
			return NULL;
		if (n->b == NULL)
			n->b = key;
	}
	if (tup != NULL)
		n->b = tup;
	/* "x[]" parses in Jinja2: the key is the empty tuple */
	if (n->b == NULL && (n->b = node_new(p, N_TUPLE, t->line)) == NULL)
		return NULL;
	return expect_op(p, OP_RBRACKET, "]") < 0 ? NULL : n;
}

/* "ns.attr" as an assignment target (set ns.x = ...). */
static struct tpl_node *
p_subscript_ns(struct parser *p, struct tpl_node *ns)
{
	struct tpl_node *n = node_new(p, N_GETATTR, cur(p)->line);

	if (n == NULL || (n->name = tok_name(p, cur(p))) == NULL)
		return NULL;
	n->nlen = cur(p)->n;
	n->a = ns;
	advance(p);
	return n;
}

static struct tpl_node *
p_postfix(struct parser *p, struct tpl_node *n)
{
	while (n != NULL) {
		if (is_op(cur(p), OP_DOT) || is_op(cur(p), OP_LBRACKET))
			n = p_subscript(p, n);
		else if (is_op(cur(p), OP_LPAREN))
			n = p_call(p, n);
		else
			break;
	}
	return n;
}

/* A filter or test name, possibly dotted. */
static int
p_dotted_name(struct parser *p, struct tpl_node *n)
{
	struct strbuf sb = STRBUF_INIT;
	int line = cur(p)->line;

	if (cur(p)->type != TK_NAME)
		return expect_type(p, TK_NAME, "name");
	strbuf_add(&sb, cur(p)->p, cur(p)->n);
	advance(p);
	while (is_op(cur(p), OP_DOT)) {
		advance(p);
		if (cur(p)->type != TK_NAME) {
			strbuf_free(&sb);
			return expect_type(p, TK_NAME, "name");
		}
		strbuf_addc(&sb, '.');
		strbuf_add(&sb, cur(p)->p, cur(p)->n);
		advance(p);
	}
	n->nlen = sb.len;
	n->name = tpl_arena_strndup(&p->t->arena, strbuf_str(&sb), sb.len);
	strbuf_free(&sb);
	return n->name ? 0 : p_fail(p, line, "template too large");
}

static struct tpl_node *
p_filter(struct parser *p, struct tpl_node *in, int start_inline)
{
	struct tpl_node *n;

	while (is_op(cur(p), OP_PIPE) || start_inline) {
		if (!start_inline)
			advance(p);
		start_inline = 0;
		if ((n = node_new(p, N_FILTER, cur(p)->line)) == NULL || p_dotted_name(p, n) < 0)
			return NULL;
		n->a = in;
		n->fn = tpl_filter_find(n->name);
		if (n->fn < 0 && !p->soft)
			return p_fail(p, n->line, "No filter named '%s'.", n->name), NULL;
		if (is_op(cur(p), OP_LPAREN) && p_call_args(p, n) < 0)
			return NULL;
		in = n;
	}
	return in;
}

static int
test_takes_bare_arg(struct parser *p)
{
	const struct tpl_tok *t = cur(p);

	if (is_name(t, "else") || is_name(t, "or") || is_name(t, "and"))
		return 0;
	return t->type == TK_NAME || t->type == TK_STRING || t->type == TK_INT || t->type == TK_FLOAT ||
	       is_op(t, OP_LPAREN) || is_op(t, OP_LBRACKET) || is_op(t, OP_LBRACE);
}

static struct tpl_node *
p_test(struct parser *p, struct tpl_node *in)
{
	struct tpl_node *n, *arg, *neg;
	int line = cur(p)->line, negated = 0;

	advance(p);
	if (is_name(cur(p), "not")) {
		advance(p);
		negated = 1;
	}
	if ((n = node_new(p, N_TEST, line)) == NULL || p_dotted_name(p, n) < 0)
		return NULL;
	n->a = in;
	n->fn = tpl_test_find(n->name);
	if (n->fn < 0 && !p->soft)
		return p_fail(p, line, "No test named '%s'.", n->name), NULL;
	if (is_op(cur(p), OP_LPAREN)) {
		if (p_call_args(p, n) < 0)
			return NULL;
	} else if (test_takes_bare_arg(p)) {
		if (is_name(cur(p), "is"))
			return p_fail(p, cur(p)->line, "You cannot chain multiple tests with is"), NULL;
		if ((arg = p_postfix(p, p_primary(p))) == NULL || nvec_push(p, &n->args, arg) < 0)
			return NULL;
	}
	if (!negated)
		return n;
	if ((neg = node_new(p, N_NOT, line)) != NULL)
		neg->a = n;
	return neg;
}

static struct tpl_node *
p_filter_expr(struct parser *p, struct tpl_node *n)
{
	while (n != NULL) {
		if (is_op(cur(p), OP_PIPE))
			n = p_filter(p, n, 0);
		else if (is_name(cur(p), "is"))
			n = p_test(p, n);
		else if (is_op(cur(p), OP_LPAREN))
			n = p_call(p, n);
		else
			break;
	}
	return n;
}

/* Jinja2's optimizer folds -<number> into a negative constant, which its
 * code generator then writes as "-2" in Python source: "-2 ** x" thus
 * means -(2 ** x) when x is not constant (NF_NEGCONST marks the fold so
 * that the evaluator can reproduce this). */
static struct tpl_node *
p_fold_sign(struct tpl_node *n)
{
	struct tpl_node *c = n->a;

	if (c->kind != N_CONST || (c->cval.kind != TV_INT && c->cval.kind != TV_FLOAT))
		return n;
	if (n->kind == N_POS)
		return c;
	if (c->cval.kind == TV_INT && c->cval.u.i == LLONG_MIN)
		return n;
	n->kind = N_CONST;
	n->cval = c->cval.kind == TV_INT ? tv_int(-c->cval.u.i) : tv_float(-c->cval.u.f);
	n->a = NULL;
	if (n->cval.kind == TV_INT ? n->cval.u.i < 0 : signbit(n->cval.u.f))
		n->flags |= NF_NEGCONST;
	return n;
}

static struct tpl_node *
p_unary(struct parser *p, int with_filter)
{
	struct tpl_node *n;
	int line = cur(p)->line;

	if (is_op(cur(p), OP_SUB) || is_op(cur(p), OP_ADD)) {
		int kind = is_op(cur(p), OP_SUB) ? N_NEG : N_POS;
		advance(p);
		if (enter(p) < 0 || (n = node_new(p, kind, line)) == NULL || (n->a = p_unary(p, 0)) == NULL)
			return NULL;
		p->depth--;
		n = p_fold_sign(n);
	} else {
		n = p_primary(p);
	}
	n = p_postfix(p, n);
	return with_filter ? p_filter_expr(p, n) : n;
}

/* ---- statements ---- */

/* The "{% tag" was consumed; parses "...%}" then the body up to one of
 * ends (left as the current token). */
static int
p_statements(struct parser *p, const char *const *ends, struct tpl_nvec *out, int drop_needle)
{
	if (is_op(cur(p), OP_COLON))
		advance(p);
	if (expect_type(p, TK_BLOCK_END, "end of statement block") < 0 || p_body(p, ends, out) < 0)
		return -1;
	if (drop_needle)
		advance(p);
	return 0;
}

static struct tpl_node *
p_assign_target(struct parser *p, const char *extra_end, int name_only, int with_ns)
{
	struct tpl_node *n;
	size_t i;

	if (with_ns && cur(p)->type == TK_NAME && is_op(look(p), OP_DOT)) {
		if ((n = p_name_primary(p)) == NULL || n->kind != N_NAME)
			return p_fail(p, cur(p)->line, "can't assign to this"), NULL;
		advance(p);
		if (cur(p)->type != TK_NAME)
			return expect_type(p, TK_NAME, "name"), NULL;
		return p_subscript_ns(p, n);
	}
	if (name_only) {
		if (cur(p)->type != TK_NAME)
			return expect_type(p, TK_NAME, "name"), NULL;
		n = p_name_primary(p);
	} else {
		n = p_tuple(p, 1, 1, extra_end, 0);
	}
	if (n == NULL)
		return NULL;
	if (n->kind == N_NAME)
		return n;
	if (n->kind == N_TUPLE) {
		for (i = 0; i < n->args.n; i++)
			if (n->args.v[i]->kind != N_NAME && n->args.v[i]->kind != N_TUPLE)
				return p_fail(p, n->line, "can't assign to 'tuple'"), NULL;
		return n;
	}
	return p_fail(p, n->line, "can't assign to '%s'", n->kind == N_CONST ? "const" : "expression"), NULL;
}

static struct tpl_node *
p_stmt_for(struct parser *p, int line)
{
	static const char *const ends1[] = {"endfor", "else", NULL};
	static const char *const ends2[] = {"endfor", NULL};
	struct tpl_node *n = node_new(p, N_FOR, line);
	int soft = p->soft;

	if (n == NULL || (n->a = p_assign_target(p, "in", 0, 0)) == NULL)
		return NULL;
	if (!is_name(cur(p), "in"))
		return expect_type(p, -1, "in"), NULL;
	advance(p);
	if ((n->b = p_tuple(p, 0, 0, "recursive", 0)) == NULL)
		return NULL;
	if (is_name(cur(p), "if")) {
		advance(p);
		if ((n->c = p_expr(p, 1)) == NULL)
			return NULL;
	}
	if (is_name(cur(p), "recursive")) {
		advance(p);
		n->flags |= NF_RECURSIVE;
	}
	p->soft = 0;
	if (p_statements(p, ends1, &n->body, 0) < 0)
		return NULL;
	if (is_name(cur(p), "else")) {
		advance(p);
		if (p_statements(p, ends2, &n->orelse, 1) < 0)
			return NULL;
	} else {
		advance(p);
	}
	p->soft = soft;
	return n;
}

static struct tpl_node *
p_stmt_if(struct parser *p, int line)
{
	static const char *const ends1[] = {"elif", "else", "endif", NULL};
	static const char *const ends2[] = {"endif", NULL};
	struct tpl_node *top = NULL, *n, *prev = NULL;

	p->soft++;
	for (;;) {
		if ((n = node_new(p, N_IF, line)) == NULL || (n->a = p_tuple(p, 0, 0, NULL, 0)) == NULL)
			return NULL;
		if (p_statements(p, ends1, &n->body, 0) < 0)
			return NULL;
		if (prev != NULL && nvec_push(p, &prev->orelse, n) < 0)
			return NULL;
		if (top == NULL)
			top = n;
		prev = n;
		line = cur(p)->line;
		if (is_name(cur(p), "elif")) {
			advance(p);
			continue;
		}
		if (is_name(cur(p), "else")) {
			advance(p);
			if (p_statements(p, ends2, &n->orelse, 1) < 0)
				return NULL;
		} else {
			advance(p);
		}
		break;
	}
	p->soft--;
	return top;
}

static struct tpl_node *
p_stmt_set(struct parser *p, int line)
{
	static const char *const ends[] = {"endset", NULL};
	struct tpl_node *n = node_new(p, N_SET, line), *ph;
	int soft = p->soft;

	if (n == NULL || (n->a = p_assign_target(p, NULL, 0, 1)) == NULL)
		return NULL;
	if (is_op(cur(p), OP_ASSIGN)) {
		advance(p);
		n->b = p_tuple(p, 0, 1, NULL, 0);
		return n->b ? n : NULL;
	}
	if (n->a->kind == N_TUPLE)
		return p_fail(p, line, "expected token '=', got '%s'", "end of statement block"), NULL;
	n->kind = N_SETBLOCK;
	if (is_op(cur(p), OP_PIPE)) {
		if ((ph = node_new(p, N_PLACEHOLDER, line)) == NULL || (n->c = p_filter(p, ph, 0)) == NULL)
			return NULL;
	}
	p->soft = 0;
	if (p_statements(p, ends, &n->body, 1) < 0)
		return NULL;
	p->soft = soft;
	return n;
}

/* (a, b=1, c=2): parameters of a macro or a call block. */
static int
p_signature(struct parser *p, struct tpl_node *n)
{
	struct tpl_node *arg;
	int have_default = 0;

	if (expect_op(p, OP_LPAREN, "(") < 0)
		return -1;
	while (!is_op(cur(p), OP_RPAREN)) {
		if (n->args.n > 0 && expect_op(p, OP_COMMA, ",") < 0)
			return -1;
		if ((arg = p_assign_target(p, NULL, 1, 0)) == NULL)
			return -1;
		if (is_op(cur(p), OP_ASSIGN)) {
			advance(p);
			if ((arg->a = p_expr(p, 1)) == NULL)
				return -1;
			have_default = 1;
		} else if (have_default) {
			return p_fail(p, arg->line, "non-default argument follows default argument");
		}
		if (nvec_push(p, &n->args, arg) < 0)
			return -1;
	}
	advance(p);
	return 0;
}

/* Which of varargs/kwargs/caller a macro body mentions (Jinja2 decides
 * from this whether extra arguments are accepted). */
static void
p_scan_names(const struct tpl_node *n, uint8_t *flags, int depth)
{
	size_t i;

	if (n == NULL || depth > TPL_MAX_NEST * 4)
		return;
	if (n->kind == N_NAME) {
		if (strcmp(n->name, "varargs") == 0)
			*flags |= NF_VARARGS;
		else if (strcmp(n->name, "kwargs") == 0)
			*flags |= NF_KWARGS;
		else if (strcmp(n->name, "caller") == 0)
			*flags |= NF_CALLER;
	}
	p_scan_names(n->a, flags, depth + 1);
	p_scan_names(n->b, flags, depth + 1);
	p_scan_names(n->c, flags, depth + 1);
	for (i = 0; i < n->args.n; i++)
		p_scan_names(n->args.v[i], flags, depth + 1);
	for (i = 0; i < n->kwargs.n; i++)
		p_scan_names(n->kwargs.v[i], flags, depth + 1);
	for (i = 0; i < n->body.n; i++)
		p_scan_names(n->body.v[i], flags, depth + 1);
	for (i = 0; i < n->orelse.n; i++)
		p_scan_names(n->orelse.v[i], flags, depth + 1);
}

static struct tpl_node *
p_stmt_macro(struct parser *p, int line, int is_call)
{
	static const char *const mends[] = {"endmacro", NULL};
	static const char *const cends[] = {"endcall", NULL};
	struct tpl_node *n = node_new(p, is_call ? N_CALLBLOCK : N_MACRO, line), *name;
	int soft = p->soft;
	size_t i;

	if (n == NULL)
		return NULL;
	if (!is_call) {
		if ((name = p_assign_target(p, NULL, 1, 0)) == NULL)
			return NULL;
		n->name = name->name;
		n->nlen = name->nlen;
	}
	if ((!is_call || is_op(cur(p), OP_LPAREN)) && p_signature(p, n) < 0)
		return NULL;
	if (is_call) {
		if ((n->a = p_expr(p, 1)) == NULL)
			return NULL;
		if (n->a->kind != N_CALL)
			return p_fail(p, line, "expected call"), NULL;
	}
	p->soft = 0;
	if (p_statements(p, is_call ? cends : mends, &n->body, 1) < 0)
		return NULL;
	p->soft = soft;
	for (i = 0; i < n->body.n; i++)
		p_scan_names(n->body.v[i], &n->flags, 0);
	return n;
}

static struct tpl_node *
p_stmt_filter(struct parser *p, int line)
{
	static const char *const ends[] = {"endfilter", NULL};
	struct tpl_node *n = node_new(p, N_FILTERBLOCK, line), *ph;
	int soft = p->soft;

	if (n == NULL || (ph = node_new(p, N_PLACEHOLDER, line)) == NULL || (n->c = p_filter(p, ph, 1)) == NULL)
		return NULL;
	p->soft = 0;
	if (p_statements(p, ends, &n->body, 1) < 0)
		return NULL;
	p->soft = soft;
	return n;
}

static struct tpl_node *
p_stmt_with(struct parser *p, int line)
{
	static const char *const ends[] = {"endwith", NULL};
	struct tpl_node *n = node_new(p, N_WITH, line), *target;
	int soft = p->soft;

	if (n == NULL)
		return NULL;
	while (cur(p)->type != TK_BLOCK_END) {
		if (n->args.n > 0 && expect_op(p, OP_COMMA, ",") < 0)
			return NULL;
		if ((target = p_assign_target(p, NULL, 0, 0)) == NULL || expect_op(p, OP_ASSIGN, "=") < 0)
			return NULL;
		if ((target->b = p_expr(p, 1)) == NULL || nvec_push(p, &n->args, target) < 0)
			return NULL;
	}
	p->soft = 0;
	if (p_statements(p, ends, &n->body, 1) < 0)
		return NULL;
	p->soft = soft;
	return n;
}

static struct tpl_node *
p_stmt_print(struct parser *p, int line)
{
	struct tpl_node *n = node_new(p, N_PRINT, line);

	if (n == NULL || (n->a = p_tuple(p, 0, 1, NULL, 0)) == NULL)
		return NULL;
	return n;
}

static struct tpl_node *
p_statement(struct parser *p)
{
	const struct tpl_tok *t = cur(p);
	int line = t->line;
	char b[80];

	if (t->type != TK_NAME)
		return p_fail(p, line, "tag name expected"), NULL;
	advance(p);
	if (is_name(t, "for"))
		return p_stmt_for(p, line);
	if (is_name(t, "if"))
		return p_stmt_if(p, line);
	if (is_name(t, "set"))
		return p_stmt_set(p, line);
	if (is_name(t, "macro"))
		return p_stmt_macro(p, line, 0);
	if (is_name(t, "call"))
		return p_stmt_macro(p, line, 1);
	if (is_name(t, "filter"))
		return p_stmt_filter(p, line);
	if (is_name(t, "with"))
		return p_stmt_with(p, line);
	if (is_name(t, "print"))
		return p_stmt_print(p, line);
	if (is_name(t, "block") || is_name(t, "extends") || is_name(t, "include") || is_name(t, "import") ||
	    is_name(t, "from") || is_name(t, "autoescape"))
		return p_fail(p, line, "the '%s' tag is not supported by kylecode's template engine",
			      describe(t, b, sizeof(b))), NULL;
	return p_fail(p, line, "Encountered unknown tag '%s'.", describe(t, b, sizeof(b))), NULL;
}

static int
p_is_end(struct parser *p, const char *const *ends)
{
	size_t i;

	for (i = 0; ends != NULL && ends[i] != NULL; i++)
		if (is_name(cur(p), ends[i]))
			return 1;
	return 0;
}

static int
p_fail_eof(struct parser *p, const char *const *ends)
{
	char want[200] = "";
	size_t i;

	if (ends == NULL || ends[0] == NULL)
		return 0;
	for (i = 0; ends[i] != NULL; i++)
		snprintf(want + strlen(want), sizeof(want) - strlen(want), "%s'%s'", i ? " or " : "", ends[i]);
	return p_fail(p, cur(p)->line, "Unexpected end of template. Jinja was looking for the following tags: %s.",
		      want);
}

static int
p_output(struct parser *p, struct tpl_nvec *out)
{
	const struct tpl_tok *t = cur(p);
	struct tpl_node *n;

	if (t->type == TK_DATA) {
		if ((n = node_new(p, N_DATA, t->line)) == NULL)
			return -1;
		n->name = t->p;
		n->nlen = t->n;
		advance(p);
		return nvec_push(p, out, n);
	}
	advance(p);
	if ((n = node_new(p, N_PRINT, t->line)) == NULL || (n->a = p_tuple(p, 0, 1, NULL, 0)) == NULL)
		return -1;
	if (expect_type(p, TK_VAR_END, "end of print statement") < 0)
		return -1;
	return nvec_push(p, out, n);
}

static int
p_body(struct parser *p, const char *const *ends, struct tpl_nvec *out)
{
	struct tpl_node *n;
	int rc = 0;

	if (enter(p) < 0)
		return -1;
	for (;;) {
		const struct tpl_tok *t = cur(p);
		if (t->type == TK_EOF) {
			rc = p_fail_eof(p, ends);
			break;
		}
		if (t->type == TK_DATA || t->type == TK_VAR_BEGIN) {
			if ((rc = p_output(p, out)) < 0)
				break;
			continue;
		}
		advance(p); /* block begin */
		if (p_is_end(p, ends))
			break;
		if ((n = p_statement(p)) == NULL || expect_type(p, TK_BLOCK_END, "end of statement block") < 0 ||
		    nvec_push(p, out, n) < 0) {
			rc = -1;
			break;
		}
	}
	p->depth--;
	return rc;
}

int
tpl_parse_tokens(struct kc_tpl *t, const struct tpl_toks *toks, char *err, size_t errlen)
{
	struct parser p;
	int r;

	memset(&p, 0, sizeof(p));
	p.t = t;
	p.tk = toks->v;
	p.ntk = toks->n;
	p.err = err;
	p.errlen = errlen;
	/* the loop variable's name, as the renderer binds it */
	if ((t->name_loop = intern_name(&p, 0, "loop", 4)) == NULL)
		r = -1;
	else
		r = p_body(&p, NULL, &t->body);
	tpl_strset_free(&p.names);
	return r;
}
