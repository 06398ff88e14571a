/* Builtin globals (range, dict, namespace) and the Python methods that
 * templates commonly call on values: str.upper()/split()/startswith(),
 * dict.items()/get(), loop.cycle(). */
#include <stdio.h>
#include <string.h>

#include "lib/template/tpl_int.h"

enum { FN_RANGE, FN_DICT, FN_NAMESPACE };

static const char *const tpl_funcs[] = {"range", "dict", "namespace"};

int
tpl_func_find(const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(tpl_funcs) / sizeof(tpl_funcs[0]); i++)
		if (strlen(tpl_funcs[i]) == n && memcmp(tpl_funcs[i], name, n) == 0)
			return (int)i;
	return -1;
}

static int
int_arg(struct tpl_rctx *rc, int line, const struct tv *v, long long *out)
{
	*out = 0;
	if (v->kind == TV_INT || v->kind == TV_BOOL) {
		*out = v->kind == TV_INT ? v->u.i : v->u.b;
		return 0;
	}
	if (v->kind == TV_UNDEF)
		return tpl_fail_undef(rc, line, v);
	return tpl_fail(rc, line, "'%s' object cannot be interpreted as an integer", tv_type_name(v));
}

/* Rationale: range() is the easy way to make a template loop forever or
 * allocate without bound; its length is capped. */
static int
fn_range(struct tpl_rctx *rc, int line, const struct tpl_callargs *ca, struct tv *out)
{
	long long a = 0, b = 0, step = 1, n, i;
	struct tpl_list *l;

	if (ca->nkw > 0 || ca->npos < 1 || ca->npos > 3)
		return tpl_fail(rc, line, "range expected 1 to 3 integer arguments");
	if (ca->npos == 1) {
		if (int_arg(rc, line, &ca->pos[0], &b) < 0)
			return -1;
	} else if (int_arg(rc, line, &ca->pos[0], &a) < 0 || int_arg(rc, line, &ca->pos[1], &b) < 0 ||
		   (ca->npos == 3 && int_arg(rc, line, &ca->pos[2], &step) < 0)) {
		return -1;
	}
	if (step == 0)
		return tpl_fail(rc, line, "range() arg 3 must not be zero");
	if (step > 0)
		n = a < b ? (long long)(((unsigned long long)b - (unsigned long long)a - 1) / (unsigned long long)step) + 1 : 0;
	else
		n = a > b ? (long long)(((unsigned long long)a - (unsigned long long)b - 1) / (unsigned long long)(-(step + 1) + 1ull)) + 1 : 0;
	if (n < 0 || n > TPL_MAX_RANGE)
		return tpl_fail(rc, line, "range too big (limit %lld items)", TPL_MAX_RANGE);
	if (tpl_step(rc, line, (unsigned long long)n) < 0 || (l = tv_list_new(rc, (size_t)n)) == NULL)
		return -1;
	for (i = 0; i < n; i++)
		l->v[l->n++] = tv_int(a + i * step);
	*out = tv_list_val(l, TVF_NOPRINT);
	return 0;
}

static int
fn_dict(struct tpl_rctx *rc, int line, const struct tpl_callargs *ca, struct tv *out, int ns)
{
	struct tpl_dict *d = tv_dict_new(rc, ca->nkw);
	struct tv *k, *v;
	size_t i, n;

	if (d == NULL)
		return -1;
	if (ca->npos > 1)
		return tpl_fail(rc, line, "%s expected at most 1 argument", ns ? "namespace" : "dict");
	if (ca->npos == 1) {
		if (tv_dict_pairs(rc, line, &ca->pos[0], &k, &v, &n) < 0)
			return -1;
		for (i = 0; i < n; i++)
			if (tv_dict_set(rc, d, k[i], v[i]) < 0)
				return -1;
	}
	for (i = 0; i < ca->nkw; i++)
		if (tv_dict_set(rc, d, tv_str(ca->kwn[i], strlen(ca->kwn[i])), ca->kwv[i]) < 0)
			return -1;
	*out = tv_none();
	out->kind = ns ? TV_NS : TV_DICT;
	out->u.d = d;
	return 0;
}

int
tpl_func_call(struct tpl_rctx *rc, int line, int fn, const struct tpl_callargs *ca, struct tv *out)
{
	switch (fn) {
	case FN_RANGE: return fn_range(rc, line, ca, out);
	case FN_DICT: return fn_dict(rc, line, ca, out, 0);
	case FN_NAMESPACE: return fn_dict(rc, line, ca, out, 1);
	}
	return tpl_fail(rc, line, "internal error: unknown function");
}

/* ---- methods ---- */

enum {
	M_UPPER, M_LOWER, M_STRIP, M_LSTRIP, M_RSTRIP, M_SPLIT, M_STARTSWITH, M_ENDSWITH, M_REPLACE,
	M_TITLE, M_CAPITALIZE, M_JOIN, M_COUNT, M_FIND, M_SPLITLINES,
	M_ITEMS, M_KEYS, M_VALUES, M_GET,
	M_INDEX, M_LCOUNT,
	M_CYCLE,
};

#define M(k, name, id) {k, sizeof(name) - 1, name, id}
static const struct {
	int kind; /* TV_STR, TV_DICT (any mapping), TV_LIST (any sequence), TV_LOOP */
	size_t len;
	const char *name;
	int id;
} tpl_methods[] = {
	M(TV_STR, "upper", M_UPPER), M(TV_STR, "lower", M_LOWER), M(TV_STR, "strip", M_STRIP),
	M(TV_STR, "lstrip", M_LSTRIP), M(TV_STR, "rstrip", M_RSTRIP), M(TV_STR, "split", M_SPLIT),
	M(TV_STR, "startswith", M_STARTSWITH), M(TV_STR, "endswith", M_ENDSWITH), M(TV_STR, "replace", M_REPLACE),
	M(TV_STR, "title", M_TITLE), M(TV_STR, "capitalize", M_CAPITALIZE), M(TV_STR, "join", M_JOIN),
	M(TV_STR, "count", M_COUNT), M(TV_STR, "find", M_FIND),
	M(TV_DICT, "items", M_ITEMS), M(TV_DICT, "keys", M_KEYS), M(TV_DICT, "values", M_VALUES),
	M(TV_DICT, "get", M_GET), M(TV_LIST, "index", M_INDEX), M(TV_LIST, "count", M_LCOUNT),
	M(TV_LOOP, "cycle", M_CYCLE),
};
#undef M

int
tpl_method_name(const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(tpl_methods) / sizeof(tpl_methods[0]); i++)
		if (tpl_methods[i].len == n && memcmp(tpl_methods[i].name, name, n) == 0)
			return 1;
	return 0;
}

int
tpl_method_find(const struct tv *self, const char *name, size_t n)
{
	int kind = self->kind;
	size_t i;

	if (kind == TV_LIST && (self->flags & TVF_GEN))
		return -1;
	if (kind != TV_STR && kind != TV_DICT && kind != TV_LIST && kind != TV_LOOP)
		return -1;
	for (i = 0; i < sizeof(tpl_methods) / sizeof(tpl_methods[0]); i++)
		if (tpl_methods[i].kind == kind && tpl_methods[i].len == n && tpl_methods[i].name[0] == name[0] &&
		    memcmp(tpl_methods[i].name, name, n) == 0)
			return tpl_methods[i].id;
	return -1;
}

static int
str_arg(struct tpl_rctx *rc, int line, const struct tpl_callargs *ca, size_t i, struct tv *out)
{
	*out = tv_str("", 0);
	if (i >= ca->npos)
		return tpl_fail(rc, line, "missing argument");
	if (ca->pos[i].kind == TV_UNDEF)
		return tpl_fail_undef(rc, line, &ca->pos[i]);
	if (ca->pos[i].kind != TV_STR)
		return tpl_fail(rc, line, "must be str, not %s", tv_type_name(&ca->pos[i]));
	*out = ca->pos[i];
	return 0;
}

static int
m_split(struct tpl_rctx *rc, int line, const struct tv *s, const struct tpl_callargs *ca, struct tv *out)
{
	struct tpl_list *l = tv_list_new(rc, 0);
	const char *p = s->u.s.p, *end = p + s->u.s.n, *hit;
	long long max = -1;
	struct tv sep = tv_none();
	size_t k;

	if (l == NULL)
		return -1;
	if (ca->npos > 0 && ca->pos[0].kind != TV_NONE && str_arg(rc, line, ca, 0, &sep) < 0)
		return -1;
	if (ca->npos > 1 && int_arg(rc, line, &ca->pos[1], &max) < 0)
		return -1;
	if (sep.kind == TV_STR) {
		if (sep.u.s.n == 0)
			return tpl_fail(rc, line, "empty separator");
		while (max-- != 0 && (hit = memmem(p, (size_t)(end - p), sep.u.s.p, sep.u.s.n)) != NULL) {
			if (tv_list_push(rc, l, tv_str(p, (size_t)(hit - p))) < 0)
				return -1;
			p = hit + sep.u.s.n;
		}
		if (tv_list_push(rc, l, tv_str(p, (size_t)(end - p))) < 0)
			return -1;
	} else {
		for (;;) {
			p += uc_space_prefix(p, (size_t)(end - p));
			if (p >= end)
				break;
			if (max-- == 0) {
				k = uc_space_suffix(p, (size_t)(end - p));
				if (tv_list_push(rc, l, tv_str(p, (size_t)(end - p) - k)) < 0)
					return -1;
				break;
			}
			for (hit = p; hit < end && uc_space_prefix(hit, (size_t)(end - hit)) == 0; hit++)
				;
			if (tv_list_push(rc, l, tv_str(p, (size_t)(hit - p))) < 0)
				return -1;
			p = hit;
		}
	}
	*out = tv_list_val(l, 0);
	return 0;
}

static int
m_strip(struct tpl_rctx *rc, int line, int id, const struct tv *s, const struct tpl_callargs *ca, struct tv *out)
{
	size_t b = 0, e = s->u.s.n;
	struct tv chars = tv_none();

	if (ca->npos > 0 && ca->pos[0].kind != TV_NONE && str_arg(rc, line, ca, 0, &chars) < 0)
		return -1;
	if (chars.kind == TV_STR) {
		if (id != M_RSTRIP)
			while (b < e && memchr(chars.u.s.p, s->u.s.p[b], chars.u.s.n))
				b++;
		if (id != M_LSTRIP)
			while (e > b && memchr(chars.u.s.p, s->u.s.p[e - 1], chars.u.s.n))
				e--;
	} else {
		if (id != M_RSTRIP)
			b = uc_space_prefix(s->u.s.p, s->u.s.n);
		if (id != M_LSTRIP)
			e = b + (s->u.s.n - b) - uc_space_suffix(s->u.s.p + b, s->u.s.n - b);
	}
	*out = tv_str(s->u.s.p + b, e - b);
	return 0;
}

static int
m_affix(struct tpl_rctx *rc, int line, int id, const struct tv *s, const struct tpl_callargs *ca, struct tv *out)
{
	struct tv *alts = ca->pos, one;
	size_t n = 1, i;
	int hit = 0;

	if (ca->npos < 1)
		return tpl_fail(rc, line, "missing argument");
	if (ca->pos[0].kind == TV_LIST && (ca->pos[0].flags & TVF_TUPLE)) {
		alts = ca->pos[0].u.l->v;
		n = ca->pos[0].u.l->n;
	}
	for (i = 0; i < n && !hit; i++) {
		one = alts[i];
		if (one.kind != TV_STR)
			return tpl_fail(rc, line, "%s first arg must be str or a tuple of str",
					id == M_STARTSWITH ? "startswith" : "endswith");
		if (one.u.s.n > s->u.s.n)
			continue;
		hit = memcmp(id == M_STARTSWITH ? s->u.s.p : s->u.s.p + s->u.s.n - one.u.s.n, one.u.s.p, one.u.s.n) == 0;
	}
	*out = tv_bool(hit);
	return 0;
}

static int
m_count_find(struct tpl_rctx *rc, int line, int id, const struct tv *s, const struct tpl_callargs *ca, struct tv *out)
{
	struct tv sub;
	const char *p = s->u.s.p, *end = p + s->u.s.n, *hit;
	long long c = 0;

	if (str_arg(rc, line, ca, 0, &sub) < 0)
		return -1;
	if (id == M_FIND) {
		hit = sub.u.s.n ? memmem(p, s->u.s.n, sub.u.s.p, sub.u.s.n) : p;
		*out = tv_int(hit ? (long long)utf8_count(p, (size_t)(hit - p)) : -1);
		return 0;
	}
	if (sub.u.s.n == 0) {
		*out = tv_int((long long)utf8_count(p, s->u.s.n) + 1);
		return 0;
	}
	while ((hit = memmem(p, (size_t)(end - p), sub.u.s.p, sub.u.s.n)) != NULL) {
		c++;
		p = hit + sub.u.s.n;
	}
	*out = tv_int(c);
	return 0;
}

static int
m_str_via_filter(struct tpl_rctx *rc, int line, const char *filter, const struct tv *s, const struct tpl_callargs *ca,
		 struct tv *out)
{
	return tpl_filter_get(tpl_filter_find(filter))(rc, line, *s, ca, out);
}

static int
m_join(struct tpl_rctx *rc, int line, const struct tv *sep, const struct tpl_callargs *ca, struct tv *out)
{
	struct tv *items;
	size_t n, i;
	struct strbuf sb = STRBUF_INIT;
	int r;

	if (ca->npos != 1 || tv_items(rc, line, &ca->pos[0], &items, &n) < 0)
		return rc->failed ? -1 : tpl_fail(rc, line, "join() takes exactly one argument");
	for (i = 0; i < n; i++) {
		if (items[i].kind != TV_STR)
			return strbuf_free(&sb),
			       tpl_fail(rc, line, "sequence item %zu: expected str instance, %s found", i,
					tv_type_name(&items[i]));
		if (i > 0)
			strbuf_add(&sb, sep->u.s.p, sep->u.s.n);
		strbuf_add(&sb, items[i].u.s.p, items[i].u.s.n);
	}
	r = tv_from_sb(rc, line, &sb, out);
	strbuf_free(&sb);
	return r;
}

static int
m_str(struct tpl_rctx *rc, int line, int id, const struct tv *s, const struct tpl_callargs *ca, struct tv *out)
{
	struct tv o, nw;
	long long cnt = -1;
	struct tpl_callargs none = {NULL, 0, NULL, NULL, 0};

	switch (id) {
	case M_UPPER: return m_str_via_filter(rc, line, "upper", s, &none, out);
	case M_LOWER: return m_str_via_filter(rc, line, "lower", s, &none, out);
	case M_TITLE: return m_str_via_filter(rc, line, "title", s, &none, out);
	case M_CAPITALIZE: return m_str_via_filter(rc, line, "capitalize", s, &none, out);
	case M_STRIP:
	case M_LSTRIP:
	case M_RSTRIP: return m_strip(rc, line, id, s, ca, out);
	case M_SPLIT: return m_split(rc, line, s, ca, out);
	case M_STARTSWITH:
	case M_ENDSWITH: return m_affix(rc, line, id, s, ca, out);
	case M_REPLACE:
		if (str_arg(rc, line, ca, 0, &o) < 0 || str_arg(rc, line, ca, 1, &nw) < 0)
			return -1;
		if (ca->npos > 2 && int_arg(rc, line, &ca->pos[2], &cnt) < 0)
			return -1;
		return tpl_str_replace(rc, line, s, &o, &nw, cnt, out);
	case M_JOIN: return m_join(rc, line, s, ca, out);
	case M_COUNT:
	case M_FIND: return m_count_find(rc, line, id, s, ca, out);
	default: return tpl_fail(rc, line, "internal error: unknown str method");
	}
}

static int
m_dict(struct tpl_rctx *rc, int line, int id, const struct tv *d, const struct tpl_callargs *ca, struct tv *out)
{
	struct tv *k, *v, key;
	size_t n, i;
	struct tpl_list *l, *p;

	if (id == M_GET) {
		if (ca->npos < 1 || ca->npos > 2)
			return tpl_fail(rc, line, "get expected 1 or 2 arguments");
		key = ca->pos[0];
		if (tv_getitem(rc, line, d, &key, out) < 0)
			return -1;
		if (out->kind == TV_UNDEF || out->kind == TV_METHOD)
			*out = ca->npos > 1 ? ca->pos[1] : tv_none();
		return 0;
	}
	if (tv_dict_pairs(rc, line, d, &k, &v, &n) < 0 || (l = tv_list_new(rc, n)) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		if (id == M_ITEMS) {
			if ((p = tv_list_new(rc, 2)) == NULL)
				return -1;
			p->v[0] = k[i];
			p->v[1] = v[i];
			p->n = 2;
			l->v[l->n++] = tv_list_val(p, TVF_TUPLE);
		} else {
			l->v[l->n++] = id == M_KEYS ? k[i] : v[i];
		}
	}
	/* dict views print as dict_items([...]) in Python: not printable */
	*out = tv_list_val(l, TVF_GEN);
	return 0;
}

static int
m_list(struct tpl_rctx *rc, int line, int id, const struct tv *self, const struct tpl_callargs *ca, struct tv *out)
{
	struct tv *items;
	size_t n, i;
	long long c = 0;

	if (ca->npos != 1 || tv_items(rc, line, self, &items, &n) < 0)
		return rc->failed ? -1 : tpl_fail(rc, line, "expected exactly one argument");
	for (i = 0; i < n; i++) {
		if (!tv_equal(&items[i], &ca->pos[0]))
			continue;
		if (id == M_INDEX) {
			*out = tv_int((long long)i);
			return 0;
		}
		c++;
	}
	if (id == M_INDEX)
		return tpl_fail(rc, line, "value is not in list");
	*out = tv_int(c);
	return 0;
}

int
tpl_method_call(struct tpl_rctx *rc, int line, const struct tpl_method *me, const struct tpl_callargs *ca,
		struct tv *out)
{
	const struct tv *self = &me->self;

	if (me->id <= M_SPLITLINES) {
		if (me->id == M_SPLITLINES) {
			struct tv nl = tv_str("\n", 1);
			struct tpl_callargs c = {&nl, 1, NULL, NULL, 0};
			return m_split(rc, line, self, &c, out);
		}
		return m_str(rc, line, me->id, self, ca, out);
	}
	if (me->id <= M_GET)
		return m_dict(rc, line, me->id, self, ca, out);
	if (me->id <= M_LCOUNT)
		return m_list(rc, line, me->id, self, ca, out);
	if (ca->npos == 0)
		return tpl_fail(rc, line, "no items for cycling given");
	*out = ca->pos[self->u.loop->i % ca->npos];
	return 0;
}
