/* Jinja2's builtin tests ("x is defined", "x is divisibleby 3", ...), as
 * jinja2/tests.py of 3.1 defines them. Note that in Python a bool is a
 * number and an integer is not a float; a dict counts as a sequence. */
#include <string.h>

#include "lib/template/tpl_int.h"

static int
want_arg(struct tpl_rctx *rc, int line, const char *what, const struct tpl_callargs *ca, struct tv *arg)
{
	if (ca->npos + ca->nkw != 1)
		return tpl_fail(rc, line, "test '%s' takes exactly one argument", what);
	*arg = ca->npos ? ca->pos[0] : ca->kwv[0];
	return 0;
}

static int
no_args(struct tpl_rctx *rc, int line, const char *what, const struct tpl_callargs *ca)
{
	if (ca->npos + ca->nkw != 0)
		return tpl_fail(rc, line, "test '%s' takes no arguments", what);
	return 0;
}

#define SIMPLE_TEST(fname, label, expr)                                                                      \
	static int fname(struct tpl_rctx *rc, int line, const struct tv *v, const struct tpl_callargs *ca, int *res) \
	{                                                                                                    \
		if (no_args(rc, line, label, ca) < 0)                                                        \
			return -1;                                                                           \
		*res = (expr);                                                                               \
		return 0;                                                                                    \
	}

SIMPLE_TEST(t_defined, "defined", v->kind != TV_UNDEF)
SIMPLE_TEST(t_undefined, "undefined", v->kind == TV_UNDEF)
SIMPLE_TEST(t_none, "none", v->kind == TV_NONE)
SIMPLE_TEST(t_boolean, "boolean", v->kind == TV_BOOL)
SIMPLE_TEST(t_true, "true", v->kind == TV_BOOL && v->u.b)
SIMPLE_TEST(t_false, "false", v->kind == TV_BOOL && !v->u.b)
SIMPLE_TEST(t_integer, "integer", v->kind == TV_INT)
SIMPLE_TEST(t_float, "float", v->kind == TV_FLOAT)
SIMPLE_TEST(t_number, "number", tv_is_num(v))
SIMPLE_TEST(t_string, "string", v->kind == TV_STR)
SIMPLE_TEST(t_mapping, "mapping", tv_is_map(v))
SIMPLE_TEST(t_sequence, "sequence", tv_is_seq(v) || v->kind == TV_STR || tv_is_map(v))
SIMPLE_TEST(t_callable, "callable",
	    v->kind == TV_MACRO || v->kind == TV_FUNC || v->kind == TV_METHOD || v->kind == TV_LOOP)
SIMPLE_TEST(t_escaped, "escaped", 0)

static int
t_iterable(struct tpl_rctx *rc, int line, const struct tv *v, const struct tpl_callargs *ca, int *res)
{
	if (no_args(rc, line, "iterable", ca) < 0)
		return -1;
	if (v->kind == TV_UNDEF && v->aux != UND_LENIENT)
		return tpl_fail_undef(rc, line, v);
	*res = v->kind == TV_STR || v->kind == TV_LIST || tv_is_map(v) || v->kind == TV_UNDEF;
	return 0;
}

static int
mod_is(struct tpl_rctx *rc, int line, const struct tv *v, struct tv d, long long want, int *res)
{
	struct tv r, w = tv_int(want);

	if (tv_binop(rc, line, OP_MOD, v, &d, &r) < 0)
		return -1;
	if (r.kind == TV_STR)
		return tpl_fail(rc, line, "not all arguments converted during string formatting");
	*res = tv_equal(&r, &w);
	return 0;
}

static int
t_odd(struct tpl_rctx *rc, int line, const struct tv *v, const struct tpl_callargs *ca, int *res)
{
	return no_args(rc, line, "odd", ca) < 0 ? -1 : mod_is(rc, line, v, tv_int(2), 1, res);
}

static int
t_even(struct tpl_rctx *rc, int line, const struct tv *v, const struct tpl_callargs *ca, int *res)
{
	return no_args(rc, line, "even", ca) < 0 ? -1 : mod_is(rc, line, v, tv_int(2), 0, res);
}

static int
t_divisibleby(struct tpl_rctx *rc, int line, const struct tv *v, const struct tpl_callargs *ca, int *res)
{
	struct tv d;

	return want_arg(rc, line, "divisibleby", ca, &d) < 0 ? -1 : mod_is(rc, line, v, d, 0, res);
}

static int
cmp_test(struct tpl_rctx *rc, int line, const struct tv *v, const struct tpl_callargs *ca, int op, int *res)
{
	struct tv o;
	int c;

	if (want_arg(rc, line, "comparison", ca, &o) < 0)
		return -1;
	if (op == OP_EQ || op == OP_NE) {
		if (v->kind == TV_UNDEF || o.kind == TV_UNDEF)
			return tpl_fail_undef(rc, line, v->kind == TV_UNDEF ? v : &o);
		*res = tv_equal(v, &o) == (op == OP_EQ);
		return 0;
	}
	if (tv_compare(rc, line, v, &o, &c) < 0)
		return -1;
	*res = op == OP_LT ? c < 0 : op == OP_LTEQ ? c <= 0 : op == OP_GT ? c > 0 : c >= 0;
	return 0;
}

#define CMP_TEST(fname, op)                                                                                  \
	static int fname(struct tpl_rctx *rc, int line, const struct tv *v, const struct tpl_callargs *ca, int *res) \
	{                                                                                                    \
		return cmp_test(rc, line, v, ca, op, res);                                                   \
	}
CMP_TEST(t_eq, OP_EQ)
CMP_TEST(t_ne, OP_NE)
CMP_TEST(t_lt, OP_LT)
CMP_TEST(t_le, OP_LTEQ)
CMP_TEST(t_gt, OP_GT)
CMP_TEST(t_ge, OP_GTEQ)

static int
t_in(struct tpl_rctx *rc, int line, const struct tv *v, const struct tpl_callargs *ca, int *res)
{
	struct tv seq;

	if (want_arg(rc, line, "in", ca, &seq) < 0)
		return -1;
	return tv_contains(rc, line, &seq, v, res);
}

static int
t_sameas(struct tpl_rctx *rc, int line, const struct tv *v, const struct tpl_callargs *ca, int *res)
{
	struct tv o;

	if (want_arg(rc, line, "sameas", ca, &o) < 0)
		return -1;
	/* identity: singletons and CPython's small-int cache */
	if (v->kind != o.kind)
		*res = 0;
	else if (v->kind == TV_NONE)
		*res = 1;
	else if (v->kind == TV_BOOL)
		*res = v->u.b == o.u.b;
	else if (v->kind == TV_INT)
		*res = v->u.i == o.u.i && v->u.i >= -5 && v->u.i <= 256;
	else if (v->kind == TV_STR)
		*res = v->u.s.p == o.u.s.p && v->u.s.n == o.u.s.n;
	else
		*res = memcmp(&v->u, &o.u, sizeof(v->u)) == 0;
	return 0;
}

/* str.islower()/isupper(): at least one cased character, none of the
 * other case. */
static int
case_test(struct tpl_rctx *rc, int line, const struct tv *v, const struct tpl_callargs *ca, int upper, int *res)
{
	struct tv s;
	size_t i = 0;
	uint32_t cp;
	int cased = 0;

	if (no_args(rc, line, upper ? "upper" : "lower", ca) < 0 || tv_to_str(rc, line, v, &s) < 0)
		return -1;
	*res = 0;
	while (i < s.u.s.n) {
		i += utf8_decode(s.u.s.p + i, s.u.s.n - i, &cp);
		if (uc_upper(cp) != cp || uc_lower(cp) != cp) {
			if ((upper && uc_upper(cp) != cp) || (!upper && uc_lower(cp) != cp))
				return 0;
			cased = 1;
		}
	}
	*res = cased;
	return 0;
}

static int
t_lower(struct tpl_rctx *rc, int line, const struct tv *v, const struct tpl_callargs *ca, int *res)
{
	return case_test(rc, line, v, ca, 0, res);
}

static int
t_upper(struct tpl_rctx *rc, int line, const struct tv *v, const struct tpl_callargs *ca, int *res)
{
	return case_test(rc, line, v, ca, 1, res);
}

static int
name_of(const struct tv *v, char *buf, size_t len)
{
	if (v->kind != TV_STR || v->u.s.n >= len)
		return -1;
	memcpy(buf, v->u.s.p, v->u.s.n);
	buf[v->u.s.n] = '\0';
	return 0;
}

static int
t_filter(struct tpl_rctx *rc, int line, const struct tv *v, const struct tpl_callargs *ca, int *res)
{
	char b[64];

	*res = no_args(rc, line, "filter", ca) == 0 && name_of(v, b, sizeof(b)) == 0 && tpl_filter_find(b) >= 0;
	return rc->failed ? -1 : 0;
}

static int
t_test(struct tpl_rctx *rc, int line, const struct tv *v, const struct tpl_callargs *ca, int *res)
{
	char b[64];

	*res = no_args(rc, line, "test", ca) == 0 && name_of(v, b, sizeof(b)) == 0 && tpl_test_find(b) >= 0;
	return rc->failed ? -1 : 0;
}

static const struct {
	const char *name;
	tpl_test_fn fn;
} tpl_tests[] = {
	{"defined", t_defined}, {"undefined", t_undefined}, {"none", t_none}, {"boolean", t_boolean},
	{"true", t_true}, {"false", t_false}, {"integer", t_integer}, {"float", t_float},
	{"number", t_number}, {"string", t_string}, {"mapping", t_mapping}, {"sequence", t_sequence},
	{"iterable", t_iterable}, {"callable", t_callable}, {"escaped", t_escaped}, {"odd", t_odd},
	{"even", t_even}, {"divisibleby", t_divisibleby}, {"eq", t_eq}, {"equalto", t_eq}, {"==", t_eq},
	{"ne", t_ne}, {"!=", t_ne}, {"lt", t_lt}, {"lessthan", t_lt}, {"<", t_lt}, {"le", t_le},
	{"<=", t_le}, {"gt", t_gt}, {"greaterthan", t_gt}, {">", t_gt}, {"ge", t_ge}, {">=", t_ge},
	{"in", t_in}, {"sameas", t_sameas}, {"lower", t_lower}, {"upper", t_upper}, {"filter", t_filter},
	{"test", t_test},
};

int
tpl_test_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(tpl_tests) / sizeof(tpl_tests[0]); i++)
		if (strcmp(tpl_tests[i].name, name) == 0)
			return (int)i;
	return -1;
}

tpl_test_fn
tpl_test_get(int id)
{
	return tpl_tests[id].fn;
}
