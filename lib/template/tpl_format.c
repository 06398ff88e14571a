/* Python's printf-style "%" formatting (for the format filter and the
 * "%" operator on strings) and Jinja2's tojson: json.dumps with
 * sort_keys=True and ensure_ascii, then <, >, & and ' escaped as \u00XX
 * (jinja2.utils.htmlsafe_json_dumps). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/template/tpl_int.h"

#define FMT_MAX_WIDTH 1000000

struct fmt_spec {
	char flags[8];
	long long width;
	long long prec; /* -1: none */
	char type;
};

struct fmt_state {
	const struct tv *args;
	size_t nargs, next;
	const struct tv *map; /* mapping argument, or NULL */
};

static int
fmt_next_arg(struct tpl_rctx *rc, int line, struct fmt_state *st, struct tv *out)
{
	*out = tv_none();
	if (st->next >= st->nargs)
		return tpl_fail(rc, line, "not enough arguments for format string");
	*out = st->args[st->next++];
	return 0;
}

static int
fmt_number(const char **p, const char *end, long long *out)
{
	long long v = 0;
	int any = 0;

	while (*p < end && **p >= '0' && **p <= '9') {
		v = v * 10 + (**p - '0');
		if (v > FMT_MAX_WIDTH)
			return -1;
		(*p)++;
		any = 1;
	}
	*out = v;
	return any;
}

/* Pads s (code points) to the width: left-aligned with "-". */
static void
fmt_pad(struct strbuf *sb, const struct fmt_spec *sp, const char *s, size_t n)
{
	long long len = (long long)utf8_count(s, n), i;
	int left = strchr(sp->flags, '-') != NULL;

	if (!left)
		for (i = len; i < sp->width; i++)
			strbuf_addc(sb, ' ');
	strbuf_add(sb, s, n);
	if (left)
		for (i = len; i < sp->width; i++)
			strbuf_addc(sb, ' ');
}

static int
fmt_text(struct tpl_rctx *rc, int line, const struct fmt_spec *sp, const struct tv *v, struct strbuf *sb)
{
	struct strbuf t = STRBUF_INIT;
	size_t n;
	int r;

	r = sp->type == 's' ? tv_write_str(rc, line, v, &t) : tv_write_repr(rc, line, v, &t);
	if (r == 0) {
		n = t.len;
		if (sp->prec >= 0)
			n = utf8_offset(t.buf ? t.buf : "", t.len, (size_t)sp->prec);
		fmt_pad(sb, sp, t.buf ? t.buf : "", n);
	}
	strbuf_free(&t);
	return r;
}

/* The C format strings below are built by fmt_cformat from a parsed,
 * validated conversion spec (flags from "#0- +", numeric width and
 * precision, one conversion letter matching the argument's type), so the
 * non-literal format is safe. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"

static void
fmt_cformat(char *cf, size_t len, const struct fmt_spec *sp, const char *lenmod, char type)
{
	if (sp->prec >= 0)
		snprintf(cf, len, "%%%s%lld.%lld%s%c", sp->flags, sp->width, sp->prec, lenmod, type);
	else
		snprintf(cf, len, "%%%s%lld%s%c", sp->flags, sp->width, lenmod, type);
}

static int
fmt_int(struct tpl_rctx *rc, int line, const struct fmt_spec *sp, const struct tv *v, struct strbuf *sb)
{
	char cf[64], type = sp->type == 'i' || sp->type == 'u' ? 'd' : sp->type;
	long long x;

	if (v->kind == TV_INT || v->kind == TV_BOOL) {
		x = v->kind == TV_INT ? v->u.i : v->u.b;
	} else if (v->kind == TV_FLOAT && type == 'd') {
		if (!isfinite(v->u.f))
			return tpl_fail(rc, line, "cannot convert float %s to integer", isnan(v->u.f) ? "NaN" : "infinity");
		if (fabs(v->u.f) >= 9.2e18)
			return tpl_fail(rc, line, "integer overflow (kylecode's integers are 64-bit)");
		x = (long long)v->u.f;
	} else if (v->kind == TV_UNDEF) {
		return tpl_fail_undef(rc, line, v);
	} else {
		return tpl_fail(rc, line, "%%%c format: %s is required, not %s", sp->type,
				type == 'd' ? "a real number" : "an integer", tv_type_name(v));
	}
	if (type != 'd' && x < 0) {
		/* C prints negatives in hex/octal as unsigned; Python as -abs */
		struct fmt_spec neg = *sp;
		struct strbuf t = STRBUF_INIT;
		neg.width = 0;
		fmt_cformat(cf, sizeof(cf), &neg, "ll", type);
		strbuf_addc(&t, '-');
		strbuf_addf(&t, cf, (unsigned long long)0 - (unsigned long long)x);
		fmt_pad(sb, sp, t.buf, t.len);
		strbuf_free(&t);
		return 0;
	}
	fmt_cformat(cf, sizeof(cf), sp, "ll", type);
	if (type == 'o' && strchr(sp->flags, '#') != NULL) {
		/* Python's alternate octal is 0o17, C's is 017 */
		struct fmt_spec alt = *sp;
		struct strbuf t = STRBUF_INIT;
		alt.width = 0;
		alt.flags[0] = '\0';
		fmt_cformat(cf, sizeof(cf), &alt, "ll", 'o');
		strbuf_adds(&t, "0o");
		strbuf_addf(&t, cf, x);
		fmt_pad(sb, sp, t.buf, t.len);
		strbuf_free(&t);
		return 0;
	}
	strbuf_addf(sb, cf, x);
	return 0;
}

static int
fmt_float(struct tpl_rctx *rc, int line, const struct fmt_spec *sp, const struct tv *v, struct strbuf *sb)
{
	char cf[64];
	struct fmt_spec s2 = *sp;

	if (!tv_is_num(v))
		return v->kind == TV_UNDEF ? tpl_fail_undef(rc, line, v)
					   : tpl_fail(rc, line, "must be real number, not %s", tv_type_name(v));
	if (s2.prec > 500)
		return tpl_fail(rc, line, "precision too big");
	fmt_cformat(cf, sizeof(cf), &s2, "", sp->type);
	strbuf_addf(sb, cf, tv_num(v));
	return 0;
}

#pragma GCC diagnostic pop

static int
fmt_char(struct tpl_rctx *rc, int line, const struct fmt_spec *sp, const struct tv *v, struct strbuf *sb)
{
	char enc[4];

	if (v->kind == TV_STR && utf8_count(v->u.s.p, v->u.s.n) == 1) {
		fmt_pad(sb, sp, v->u.s.p, v->u.s.n);
		return 0;
	}
	if (v->kind == TV_INT && v->u.i >= 0 && v->u.i <= 0x10ffff) {
		fmt_pad(sb, sp, enc, (size_t)utf8_encode((uint32_t)v->u.i, enc));
		return 0;
	}
	return tpl_fail(rc, line, "%%c requires int or char");
}

static int
fmt_mapping_key(struct tpl_rctx *rc, int line, struct fmt_state *st, const char **p, const char *end,
		struct tv *out)
{
	const char *start = *p;
	int depth = 1;
	struct tv key;

	while (*p < end && depth > 0) {
		if (**p == '(')
			depth++;
		else if (**p == ')')
			depth--;
		(*p)++;
	}
	if (depth > 0)
		return tpl_fail(rc, line, "incomplete format key");
	if (st->map == NULL)
		return tpl_fail(rc, line, "format requires a mapping");
	key = tv_str(start, (size_t)(*p - start - 1));
	if (tv_getitem(rc, line, st->map, &key, out) < 0)
		return -1;
	if (out->kind == TV_UNDEF || out->kind == TV_METHOD)
		return tpl_fail(rc, line, "KeyError: '%.*s'", (int)key.u.s.n, key.u.s.p);
	return 0;
}

static int
fmt_parse_spec(struct tpl_rctx *rc, int line, struct fmt_state *st, const char **p, const char *end,
	       struct fmt_spec *sp)
{
	size_t nf = 0;
	struct tv v;
	int r;

	memset(sp, 0, sizeof(*sp));
	sp->prec = -1;
	while (*p < end && strchr("#0- +", **p) != NULL) {
		if (nf + 1 < sizeof(sp->flags) && strchr(sp->flags, **p) == NULL)
			sp->flags[nf++] = **p;
		(*p)++;
	}
	if (*p < end && **p == '*') {
		(*p)++;
		if (fmt_next_arg(rc, line, st, &v) < 0)
			return -1;
		if (v.kind != TV_INT)
			return tpl_fail(rc, line, "* wants int");
		sp->width = v.u.i < 0 ? -v.u.i : v.u.i;
		if (v.u.i < 0 && nf + 1 < sizeof(sp->flags))
			sp->flags[nf++] = '-';
		if (sp->width > FMT_MAX_WIDTH)
			return tpl_fail(rc, line, "width too big");
	} else if ((r = fmt_number(p, end, &sp->width)) < 0) {
		return tpl_fail(rc, line, "width too big");
	}
	if (*p < end && **p == '.') {
		(*p)++;
		if (*p < end && **p == '*') {
			(*p)++;
			if (fmt_next_arg(rc, line, st, &v) < 0)
				return -1;
			if (v.kind != TV_INT)
				return tpl_fail(rc, line, "* wants int");
			sp->prec = v.u.i < 0 ? 0 : v.u.i;
		} else if (fmt_number(p, end, &sp->prec) < 0) {
			return tpl_fail(rc, line, "precision too big");
		}
		if (sp->prec > FMT_MAX_WIDTH)
			return tpl_fail(rc, line, "precision too big");
	}
	while (*p < end && (**p == 'h' || **p == 'l' || **p == 'L'))
		(*p)++;
	if (*p >= end)
		return tpl_fail(rc, line, "incomplete format");
	sp->type = *(*p)++;
	return 0;
}

static int
fmt_one(struct tpl_rctx *rc, int line, struct fmt_state *st, const char **p, const char *end, struct strbuf *sb)
{
	struct fmt_spec sp;
	struct tv v;
	int keyed = 0;

	if (*p < end && **p == '(') {
		(*p)++;
		if (fmt_mapping_key(rc, line, st, p, end, &v) < 0)
			return -1;
		keyed = 1;
	}
	if (fmt_parse_spec(rc, line, st, p, end, &sp) < 0)
		return -1;
	if (sp.type == '%') {
		strbuf_addc(sb, '%');
		return 0;
	}
	if (!keyed && fmt_next_arg(rc, line, st, &v) < 0)
		return -1;
	switch (sp.type) {
	case 's': case 'r': case 'a': return fmt_text(rc, line, &sp, &v, sb);
	case 'd': case 'i': case 'u': case 'x': case 'X': case 'o': return fmt_int(rc, line, &sp, &v, sb);
	case 'e': case 'E': case 'f': case 'F': case 'g': case 'G': return fmt_float(rc, line, &sp, &v, sb);
	case 'c': return fmt_char(rc, line, &sp, &v, sb);
	default:
		return tpl_fail(rc, line, "unsupported format character '%c' (0x%x)", sp.type, (unsigned char)sp.type);
	}
}

/* fmt % args. ca->pos are the positional arguments; a mapping comes as
 * ca->kwv[0] with ca->kwn NULL (then "%s" prints the mapping itself). */
int
tpl_percent_format(struct tpl_rctx *rc, int line, const struct tv *fmt, const struct tpl_callargs *ca,
		   struct strbuf *sb)
{
	struct fmt_state st;
	const char *p = fmt->u.s.p, *end = p + fmt->u.s.n, *pct;

	memset(&st, 0, sizeof(st));
	st.args = ca->pos;
	st.nargs = ca->npos;
	if (ca->nkw == 1 && ca->kwn == NULL) {
		st.map = &ca->kwv[0];
		st.args = &ca->kwv[0];
		st.nargs = 1;
	}
	while (p < end) {
		pct = memchr(p, '%', (size_t)(end - p));
		if (pct == NULL) {
			strbuf_add(sb, p, (size_t)(end - p));
			break;
		}
		strbuf_add(sb, p, (size_t)(pct - p));
		p = pct + 1;
		if (fmt_one(rc, line, &st, &p, end, sb) < 0)
			return -1;
		if (sb->len > TPL_MAX_OUTPUT)
			return tv_charge(rc, line, sb->len);
	}
	if (st.map == NULL && st.next < st.nargs)
		return tpl_fail(rc, line, "not all arguments converted during string formatting");
	return 0;
}

/* ---- tojson ---- */

static void
json_string(const char *s, size_t n, struct strbuf *sb)
{
	size_t i = 0, k;
	uint32_t cp;

	strbuf_addc(sb, '"');
	while (i < n) {
		k = utf8_decode(s + i, n - i, &cp);
		i += k;
		switch (cp) {
		case '"': strbuf_adds(sb, "\\\""); continue;
		case '\\': strbuf_adds(sb, "\\\\"); continue;
		case '\n': strbuf_adds(sb, "\\n"); continue;
		case '\r': strbuf_adds(sb, "\\r"); continue;
		case '\t': strbuf_adds(sb, "\\t"); continue;
		case '\b': strbuf_adds(sb, "\\b"); continue;
		case '\f': strbuf_adds(sb, "\\f"); continue;
		case '<': case '>': case '&': case '\'': break;
		default:
			if (cp >= 0x20 && cp < 0x7f) {
				strbuf_addc(sb, (char)cp);
				continue;
			}
		}
		if (cp >= 0x10000) {
			cp -= 0x10000;
			strbuf_addf(sb, "\\u%04x\\u%04x", 0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
		} else {
			strbuf_addf(sb, "\\u%04x", cp);
		}
	}
	strbuf_addc(sb, '"');
}

static void
json_newline(int indent, int level, struct strbuf *sb)
{
	int i;

	strbuf_addc(sb, '\n');
	for (i = 0; i < indent * level; i++)
		strbuf_addc(sb, ' ');
}

static int
json_seq(struct tpl_rctx *rc, int line, const struct tv *v, int indent, int level, struct strbuf *sb)
{
	struct tv *items;
	size_t n, i;

	if (tv_items(rc, line, v, &items, &n) < 0)
		return -1;
	if (n == 0) {
		strbuf_adds(sb, "[]");
		return 0;
	}
	strbuf_addc(sb, '[');
	for (i = 0; i < n; i++) {
		if (i > 0)
			strbuf_adds(sb, indent >= 0 ? "," : ", ");
		if (indent >= 0)
			json_newline(indent, level + 1, sb);
		if (tpl_tojson(rc, line, &items[i], indent, level + 1, sb) < 0)
			return -1;
	}
	if (indent >= 0)
		json_newline(indent, level, sb);
	strbuf_addc(sb, ']');
	return 0;
}

static int
json_key(struct tpl_rctx *rc, int line, const struct tv *k, struct strbuf *sb)
{
	struct strbuf t = STRBUF_INIT;

	switch (k->kind) {
	case TV_STR: json_string(k->u.s.p, k->u.s.n, sb); return 0;
	case TV_NONE: strbuf_adds(sb, "\"null\""); return 0;
	case TV_BOOL: strbuf_adds(sb, k->u.b ? "\"true\"" : "\"false\""); return 0;
	case TV_INT:
	case TV_FLOAT:
		tv_write_str(rc, line, k, &t);
		json_string(t.buf, t.len, sb);
		strbuf_free(&t);
		return 0;
	default: return tpl_fail(rc, line, "keys must be str, int, float, bool or None, not %s", tv_type_name(k));
	}
}

static int
json_map(struct tpl_rctx *rc, int line, const struct tv *v, int indent, int level, struct strbuf *sb)
{
	struct tv *k, *val, *keys, *order;
	size_t n, i;

	if (tv_dict_pairs(rc, line, v, &k, &val, &n) < 0)
		return -1;
	if (n == 0) {
		strbuf_adds(sb, "{}");
		return 0;
	}
	keys = tpl_arena_alloc(&rc->arena, n * sizeof(*keys));
	order = tpl_arena_alloc(&rc->arena, n * sizeof(*order));
	if (keys == NULL || order == NULL)
		return tpl_fail(rc, line, "template used too much memory");
	for (i = 0; i < n; i++) {
		keys[i] = k[i];
		order[i] = tv_int((long long)i);
	}
	if (tpl_sort_values(rc, line, order, keys, n, 0) < 0)
		return -1;
	strbuf_addc(sb, '{');
	for (i = 0; i < n; i++) {
		if (i > 0)
			strbuf_adds(sb, indent >= 0 ? "," : ", ");
		if (indent >= 0)
			json_newline(indent, level + 1, sb);
		if (json_key(rc, line, &k[order[i].u.i], sb) < 0)
			return -1;
		strbuf_adds(sb, ": ");
		if (tpl_tojson(rc, line, &val[order[i].u.i], indent, level + 1, sb) < 0)
			return -1;
	}
	if (indent >= 0)
		json_newline(indent, level, sb);
	strbuf_addc(sb, '}');
	return 0;
}

int
tpl_tojson(struct tpl_rctx *rc, int line, const struct tv *v, int indent, int level, struct strbuf *sb)
{
	if (level > TPL_MAX_NEST * 4)
		return tpl_fail(rc, line, "value nested too deeply for tojson");
	switch (v->kind) {
	case TV_NONE: strbuf_adds(sb, "null"); return 0;
	case TV_BOOL: strbuf_adds(sb, v->u.b ? "true" : "false"); return 0;
	case TV_INT: strbuf_addf(sb, "%lld", v->u.i); return 0;
	case TV_FLOAT:
		if (isnan(v->u.f))
			strbuf_adds(sb, "NaN");
		else if (isinf(v->u.f))
			strbuf_adds(sb, v->u.f < 0 ? "-Infinity" : "Infinity");
		else
			tv_write_float(v->u.f, sb);
		return 0;
	case TV_STR: json_string(v->u.s.p, v->u.s.n, sb); return 0;
	case TV_LIST:
		if (v->flags & (TVF_GEN | TVF_NOPRINT))
			break;
		return json_seq(rc, line, v, indent, level, sb);
	case TV_DICT: return json_map(rc, line, v, indent, level, sb);
	default: break;
	}
	return tpl_fail(rc, line, "Object of type %s is not JSON serializable",
			(v->flags & TVF_NOPRINT) ? "range" : tv_type_name(v));
}
