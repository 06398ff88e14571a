/* The lexer: a hand-written equivalent of Jinja2 3.x's regex lexer with
 * trim_blocks and lstrip_blocks on. Whitespace handling follows
 * jinja2/lexer.py rule by rule, because that is where byte-exact output
 * is won or lost:
 *  - "{%-", "{#-", "{{-" strip all whitespace before the tag;
 *  - otherwise (no "+") a block or comment tag alone on its line after
 *    indentation has that indentation removed (lstrip_blocks), where "at
 *    line start" also counts the text right after a tag that consumed a
 *    newline;
 *  - "-%}", "-#}", "-}}" strip all whitespace after the tag; "%}" and
 *    "#}" eat one following newline (trim_blocks); "+%}" and "+#}" do not;
 *  - "{% raw %}" does not eat the newline after it, "{% endraw %}" does. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/template/tpl_int.h"

struct lexer {
	const char *s;
	size_t n, pos;
	int line;
	int line_starting; /* the previous match ended with a newline */
	const char *name;
	struct tpl_arena *a;
	struct tpl_toks *out;
	char *err;
	size_t errlen;
	char balance[TPL_MAX_NEST];
	int nbal;
};

static int lex_fail(struct lexer *lx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
lex_fail(struct lexer *lx, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (lx->errlen > 0)
		snprintf(lx->err, lx->errlen, "%s:%d: %s", lx->name, lx->line, msg);
	return -1;
}

static struct tpl_tok *
lex_push(struct lexer *lx, int type, const char *p, size_t n)
{
	struct tpl_toks *t = lx->out;
	struct tpl_tok *nv;
	size_t cap;

	if (t->n == t->cap) {
		cap = t->cap ? t->cap * 2 : 64;
		nv = tpl_arena_alloc(lx->a, cap * sizeof(*nv));
		if (nv == NULL)
			return NULL;
		if (t->n > 0)
			memcpy(nv, t->v, t->n * sizeof(*nv));
		t->v = nv;
		t->cap = cap;
	}
	nv = &t->v[t->n++];
	memset(nv, 0, sizeof(*nv));
	nv->type = (uint8_t)type;
	nv->line = lx->line;
	nv->p = p;
	nv->n = n;
	return nv;
}

static int
count_nl(const char *p, size_t n)
{
	int c = 0;

	while (n-- > 0)
		if (*p++ == '\n')
			c++;
	return c;
}

/* Emits the text before a tag after applying "-" or lstrip_blocks. */
static int
lex_text(struct lexer *lx, size_t start, size_t end, char sign, int is_var)
{
	const char *t = lx->s + start;
	size_t n = end - start, keep = n, l_pos;
	int nl = count_nl(t, n);

	if (sign == '-') {
		keep = n - uc_space_suffix(t, n);
	} else if (sign != '+' && !is_var) {
		l_pos = n;
		while (l_pos > 0 && t[l_pos - 1] != '\n')
			l_pos--;
		if ((l_pos > 0 || lx->line_starting) && l_pos < n && uc_space_prefix(t + l_pos, n - l_pos) == n - l_pos)
			keep = l_pos;
	}
	if (keep > 0 && lex_push(lx, TK_DATA, t, keep) == NULL)
		return lex_fail(lx, "template too large");
	lx->line += nl;
	return 0;
}

/* Matches the end of a block ("+%}", "-%}\s*", "%}\n?") at pos. */
static size_t
lex_block_end(const struct lexer *lx, size_t pos, char close)
{
	const char *s = lx->s;
	size_t n = lx->n;

	if (pos + 2 < n + 0 && s[pos] == '+' && s[pos + 1] == close && s[pos + 2] == '}')
		return pos + 3;
	if (pos + 2 < n && s[pos] == '-' && s[pos + 1] == close && s[pos + 2] == '}')
		return pos + 3 + uc_space_prefix(s + pos + 3, n - pos - 3);
	if (pos + 1 < n && s[pos] == close && s[pos + 1] == '}') {
		pos += 2;
		if (pos < n && s[pos] == '\n')
			pos++;
		return pos;
	}
	return 0;
}

/* Matches "-}}\s*" or "}}" at pos. */
static size_t
lex_var_end(const struct lexer *lx, size_t pos)
{
	const char *s = lx->s;
	size_t n = lx->n;

	if (pos + 2 < n && s[pos] == '-' && s[pos + 1] == '}' && s[pos + 2] == '}')
		return pos + 3 + uc_space_prefix(s + pos + 3, n - pos - 3);
	if (pos + 1 < n && s[pos] == '}' && s[pos + 1] == '}')
		return pos + 2;
	return 0;
}

static void
lex_advance(struct lexer *lx, size_t end)
{
	lx->line += count_nl(lx->s + lx->pos, end - lx->pos);
	lx->line_starting = end > lx->pos && lx->s[end - 1] == '\n';
	lx->pos = end;
}

static int lex_expr_token(struct lexer *lx);

/* Inside {{ }} or {% %}: tokens until the closing tag. */
static int
lex_tag(struct lexer *lx, int is_var)
{
	size_t end;

	for (;;) {
		if (lx->pos >= lx->n)
			return 0; /* the parser reports the unexpected end */
		if (lx->nbal == 0) {
			end = is_var ? lex_var_end(lx, lx->pos) : lex_block_end(lx, lx->pos, '%');
			if (end != 0) {
				if (lex_push(lx, is_var ? TK_VAR_END : TK_BLOCK_END, NULL, 0) == NULL)
					return lex_fail(lx, "template too large");
				lex_advance(lx, end);
				return 0;
			}
		}
		if (lex_expr_token(lx) < 0)
			return -1;
	}
}

/* Comments: "(.*?)(\+#}|\-#}\s*|#}\n?)". */
static int
lex_comment(struct lexer *lx)
{
	size_t p, end;

	for (p = lx->pos; p < lx->n; p++) {
		if ((lx->s[p] == '+' || lx->s[p] == '-' || lx->s[p] == '#') && (end = lex_block_end(lx, p, '#')) != 0) {
			lex_advance(lx, end);
			return 0;
		}
	}
	return lex_fail(lx, "Missing end of comment tag");
}

/* "{%" [-+] \s* "raw" \s* ("-%}" \s* | "%}") at pos; returns the end. */
static size_t
lex_raw_begin(const struct lexer *lx, size_t pos, const char *word, int endtag)
{
	const char *s = lx->s;
	size_t n = lx->n, wl = strlen(word);

	pos += 2;
	if (pos < n && (s[pos] == '-' || s[pos] == '+'))
		pos++;
	pos += uc_space_prefix(s + pos, n - pos);
	if (n - pos < wl || memcmp(s + pos, word, wl) != 0)
		return 0;
	pos += wl;
	pos += uc_space_prefix(s + pos, n - pos);
	if (endtag)
		return lex_block_end(lx, pos, '%');
	if (pos + 2 < n && s[pos] == '-' && s[pos + 1] == '%' && s[pos + 2] == '}')
		return pos + 3 + uc_space_prefix(s + pos + 3, n - pos - 3);
	if (pos + 1 < n && s[pos] == '%' && s[pos + 1] == '}')
		return pos + 2;
	return 0;
}

/* Raw: everything up to "{%[-+]? endraw ...%}" is data, with the same
 * "-" / lstrip treatment of its tail as text before any block tag. */
static int
lex_raw(struct lexer *lx)
{
	size_t p, end;
	char sign;

	for (p = lx->pos; p + 1 < lx->n; p++) {
		if (lx->s[p] != '{' || lx->s[p + 1] != '%')
			continue;
		end = lex_raw_begin(lx, p, "endraw", 1);
		if (end == 0)
			continue;
		sign = (p + 2 < lx->n && (lx->s[p + 2] == '-' || lx->s[p + 2] == '+')) ? lx->s[p + 2] : 0;
		if (lex_text(lx, lx->pos, p, sign, 0) < 0)
			return -1;
		lx->pos = p;
		lex_advance(lx, end);
		return 0;
	}
	return lex_fail(lx, "Missing end of raw directive");
}

/* Finds the next "{{", "{%" or "{#" at or after pos. */
static size_t
lex_find_tag(const struct lexer *lx, size_t pos)
{
	const char *s = lx->s, *q;

	while (pos + 1 < lx->n) {
		q = memchr(s + pos, '{', lx->n - pos - 1);
		if (q == NULL)
			return lx->n;
		pos = (size_t)(q - s);
		if (s[pos + 1] == '{' || s[pos + 1] == '%' || s[pos + 1] == '#')
			return pos;
		pos++;
	}
	return lx->n;
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int
is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_' ||
	       (unsigned char)c >= 0x80;
}

/* "(\d+_)*\d+": returns the end, or 0 when no digit at pos. */
static size_t
scan_digits(const char *s, size_t n, size_t pos)
{
	size_t p = pos;

	if (p >= n || !is_digit(s[p]))
		return 0;
	while (p < n) {
		while (p < n && is_digit(s[p]))
			p++;
		if (p + 1 < n && s[p] == '_' && is_digit(s[p + 1]))
			p++;
		else
			break;
	}
	return p;
}

/* Jinja2's float_re: digits with a fraction and/or an exponent, not
 * preceded by a dot. Returns the end or 0. */
static size_t
scan_float(const char *s, size_t n, size_t pos)
{
	size_t p, q, e;
	int frac = 0;

	if (pos > 0 && s[pos - 1] == '.')
		return 0;
	p = scan_digits(s, n, pos);
	if (p == 0)
		return 0;
	if (p < n && s[p] == '.' && (q = scan_digits(s, n, p + 1)) != 0) {
		p = q;
		frac = 1;
	}
	if (p < n && (s[p] == 'e' || s[p] == 'E')) {
		e = p + 1;
		if (e < n && (s[e] == '+' || s[e] == '-'))
			e++;
		if ((q = scan_digits(s, n, e)) != 0)
			return q;
	}
	return frac ? p : 0;
}

/* Jinja2's integer_re (0b/0o/0x/decimal with "_" separators). */
static size_t
scan_int(const char *s, size_t n, size_t pos, int *base)
{
	size_t p = pos;
	char c = pos + 1 < n ? s[pos + 1] : 0;

	*base = 10;
	if (s[pos] == '0' && (c == 'b' || c == 'B' || c == 'o' || c == 'O' || c == 'x' || c == 'X')) {
		*base = (c == 'b' || c == 'B') ? 2 : (c == 'o' || c == 'O') ? 8 : 16;
		p = pos + 2;
		while (p < n) {
			size_t d = (s[p] == '_') ? p + 1 : p;
			if (d >= n || !is_hex(s[d]) || (*base == 2 && s[d] > '1') || (*base == 8 && s[d] > '7'))
				break;
			p = d + 1;
		}
		if (p > pos + 2)
			return p;
		/* "0x" without digits: Jinja2 reads the integer 0, then a name */
		*base = 10;
	}
	if (s[pos] == '0') {
		p = pos + 1;
		while (p < n && (s[p] == '0' || (s[p] == '_' && p + 1 < n && s[p + 1] == '0')))
			p += s[p] == '_' ? 2 : 1;
		return p;
	}
	return is_digit(s[pos]) ? scan_digits(s, n, pos) : 0;
}

static int
lex_number(struct lexer *lx)
{
	const char *s = lx->s;
	size_t end, i, skip;
	char buf[128];
	size_t k = 0;
	struct tpl_tok *t;
	int base;
	unsigned long long v = 0;

	if ((end = scan_float(s, lx->n, lx->pos)) != 0) {
		for (i = lx->pos; i < end && k + 1 < sizeof(buf); i++)
			if (s[i] != '_')
				buf[k++] = s[i];
		buf[k] = '\0';
		if ((t = lex_push(lx, TK_FLOAT, s + lx->pos, end - lx->pos)) == NULL)
			return lex_fail(lx, "template too large");
		t->fval = strtod(buf, NULL);
		lx->pos = end;
		return 0;
	}
	end = scan_int(s, lx->n, lx->pos, &base);
	if (end <= lx->pos) /* cannot happen for a digit; never loop on it */
		return lex_fail(lx, "unexpected char '%c' at %zu", s[lx->pos], lx->pos);
	skip = base == 10 ? 0 : 2;
	for (i = lx->pos + skip; i < end; i++) {
		int d;
		if (s[i] == '_')
			continue;
		d = is_digit(s[i]) ? s[i] - '0' : (s[i] | 0x20) - 'a' + 10;
		if (v > (unsigned long long)(LLONG_MAX - d) / (unsigned)base)
			return lex_fail(lx, "integer literal too large");
		v = v * (unsigned)base + (unsigned)d;
	}
	if ((t = lex_push(lx, TK_INT, s + lx->pos, end - lx->pos)) == NULL)
		return lex_fail(lx, "template too large");
	t->ival = (long long)v;
	lx->pos = end;
	return 0;
}

/* Python's unicode-escape decoding of a string literal body. */
static int
lex_unescape(struct lexer *lx, const char *p, size_t n, struct strbuf *sb)
{
	size_t i = 0, k;
	uint32_t cp;
	char enc[4];
	int d, j, len;

	while (i < n) {
		if (p[i] != '\\') {
			strbuf_addc(sb, p[i++]);
			continue;
		}
		i++;
		switch (p[i]) {
		case '\n': i++; continue;
		case '\\': case '\'': case '"': strbuf_addc(sb, p[i++]); continue;
		case 'a': strbuf_addc(sb, '\a'); i++; continue;
		case 'b': strbuf_addc(sb, '\b'); i++; continue;
		case 'f': strbuf_addc(sb, '\f'); i++; continue;
		case 'n': strbuf_addc(sb, '\n'); i++; continue;
		case 'r': strbuf_addc(sb, '\r'); i++; continue;
		case 't': strbuf_addc(sb, '\t'); i++; continue;
		case 'v': strbuf_addc(sb, '\v'); i++; continue;
		case 'x': case 'u': case 'U':
			len = p[i] == 'x' ? 2 : p[i] == 'u' ? 4 : 8;
			cp = 0;
			for (j = 1; j <= len; j++) {
				if (i + (size_t)j >= n || !is_hex(p[i + j]))
					return lex_fail(lx, "truncated \\%cXX escape", p[i]);
				d = is_digit(p[i + j]) ? p[i + j] - '0' : (p[i + j] | 0x20) - 'a' + 10;
				cp = cp * 16 + (uint32_t)d;
			}
			if (cp > 0x10ffff)
				return lex_fail(lx, "illegal Unicode character");
			strbuf_add(sb, enc, (size_t)utf8_encode(cp, enc));
			i += (size_t)len + 1;
			continue;
		case 'N':
			return lex_fail(lx, "\\N{...} escapes are not supported");
		default:
			break;
		}
		if (p[i] >= '0' && p[i] <= '7') {
			cp = 0;
			for (j = 0; j < 3 && i < n && p[i] >= '0' && p[i] <= '7'; j++)
				cp = cp * 8 + (uint32_t)(p[i++] - '0');
			strbuf_add(sb, enc, (size_t)utf8_encode(cp, enc));
			continue;
		}
		strbuf_addc(sb, '\\');
		if ((unsigned char)p[i] >= 0x80) {
			/* Jinja2 first backslash-escapes non-ASCII text, so "\é"
			 * turns into the four characters "\xe9". */
			k = utf8_decode(p + i, n - i, &cp);
			strbuf_addf(sb, cp < 0x100 ? "x%02x" : cp < 0x10000 ? "u%04x" : "U%08x", (unsigned)cp);
			i += k;
		}
	}
	return 0;
}

static int
lex_string(struct lexer *lx)
{
	const char *s = lx->s;
	char q = s[lx->pos];
	size_t p = lx->pos + 1;
	struct strbuf sb = STRBUF_INIT;
	struct tpl_tok *t;
	char *v;

	while (p < lx->n && s[p] != q)
		p += (s[p] == '\\' && p + 1 < lx->n) ? 2 : 1;
	if (p >= lx->n)
		return lex_fail(lx, "unexpected char '%c' at %zu", q, lx->pos);
	if (lex_unescape(lx, s + lx->pos + 1, p - lx->pos - 1, &sb) < 0) {
		strbuf_free(&sb);
		return -1;
	}
	v = tpl_arena_strndup(lx->a, strbuf_str(&sb), sb.len);
	t = v ? lex_push(lx, TK_STRING, v, sb.len) : NULL;
	strbuf_free(&sb);
	if (t == NULL)
		return lex_fail(lx, "template too large");
	lex_advance(lx, p + 1);
	return 0;
}

static const struct {
	const char *s;
	uint8_t op;
} lex_ops[] = {
	{"//", OP_FLOORDIV}, {"**", OP_POW}, {"==", OP_EQ}, {"!=", OP_NE}, {">=", OP_GTEQ}, {"<=", OP_LTEQ},
	{"+", OP_ADD}, {"-", OP_SUB}, {"/", OP_DIV}, {"*", OP_MUL}, {"%", OP_MOD}, {"~", OP_TILDE},
	{"[", OP_LBRACKET}, {"]", OP_RBRACKET}, {"(", OP_LPAREN}, {")", OP_RPAREN}, {"{", OP_LBRACE},
	{"}", OP_RBRACE}, {">", OP_GT}, {"<", OP_LT}, {"=", OP_ASSIGN}, {".", OP_DOT}, {":", OP_COLON},
	{"|", OP_PIPE}, {",", OP_COMMA}, {";", OP_SEMICOLON},
};

/* Tracks (), [] and {} so that "}}" inside a dict literal does not end
 * the tag, as Jinja2 does. */
static int
lex_balance(struct lexer *lx, char c)
{
	char want;

	if (c == '(' || c == '[' || c == '{') {
		if (lx->nbal >= TPL_MAX_NEST)
			return lex_fail(lx, "brackets nested too deeply");
		lx->balance[lx->nbal++] = c == '(' ? ')' : c == '[' ? ']' : '}';
		return 0;
	}
	if (c != ')' && c != ']' && c != '}')
		return 0;
	if (lx->nbal == 0)
		return lex_fail(lx, "unexpected '%c'", c);
	want = lx->balance[--lx->nbal];
	if (want != c)
		return lex_fail(lx, "unexpected '%c', expected '%c'", c, want);
	return 0;
}

static int
lex_operator(struct lexer *lx)
{
	size_t i, l;
	struct tpl_tok *t;

	for (i = 0; i < sizeof(lex_ops) / sizeof(lex_ops[0]); i++) {
		l = strlen(lex_ops[i].s);
		if (lx->n - lx->pos < l || memcmp(lx->s + lx->pos, lex_ops[i].s, l) != 0)
			continue;
		if (l == 1 && lex_balance(lx, lex_ops[i].s[0]) < 0)
			return -1;
		if ((t = lex_push(lx, TK_OP, lx->s + lx->pos, l)) == NULL)
			return lex_fail(lx, "template too large");
		t->op = lex_ops[i].op;
		lx->pos += l;
		return 0;
	}
	return lex_fail(lx, "unexpected char '%c' at %zu", lx->s[lx->pos], lx->pos);
}

static int
lex_expr_token(struct lexer *lx)
{
	const char *s = lx->s;
	size_t ws = uc_space_prefix(s + lx->pos, lx->n - lx->pos), p;
	struct tpl_tok *t;

	if (ws > 0) {
		lex_advance(lx, lx->pos + ws);
		return 0;
	}
	if (is_digit(s[lx->pos]))
		return lex_number(lx);
	if (is_name_char(s[lx->pos])) {
		for (p = lx->pos; p < lx->n && is_name_char(s[p]); p++)
			;
		if ((t = lex_push(lx, TK_NAME, s + lx->pos, p - lx->pos)) == NULL)
			return lex_fail(lx, "template too large");
		lx->pos = p;
		return 0;
	}
	if (s[lx->pos] == '\'' || s[lx->pos] == '"')
		return lex_string(lx);
	return lex_operator(lx);
}

static int
lex_root_tag(struct lexer *lx, size_t q)
{
	const char *s = lx->s;
	char kind = s[q + 1], sign = 0;
	size_t end;

	if (q + 2 < lx->n && (s[q + 2] == '-' || s[q + 2] == '+'))
		sign = s[q + 2];
	if (kind == '%' && (end = lex_raw_begin(lx, q, "raw", 0)) != 0) {
		if (lex_text(lx, lx->pos, q, sign, 0) < 0)
			return -1;
		lx->pos = q;
		lex_advance(lx, end);
		return lex_raw(lx);
	}
	if (lex_text(lx, lx->pos, q, sign, kind == '{') < 0)
		return -1;
	lx->pos = q;
	lex_advance(lx, q + 2 + (sign ? 1 : 0));
	if (kind == '#')
		return lex_comment(lx);
	if (lex_push(lx, kind == '{' ? TK_VAR_BEGIN : TK_BLOCK_BEGIN, NULL, 0) == NULL)
		return lex_fail(lx, "template too large");
	return lex_tag(lx, kind == '{');
}

int
tpl_lex(const char *src, size_t len, const char *name, struct tpl_arena *a, struct tpl_toks *out, char *err,
	size_t errlen)
{
	struct lexer lx;
	size_t q;

	memset(&lx, 0, sizeof(lx));
	lx.s = src;
	lx.n = len;
	lx.line = 1;
	lx.line_starting = 1;
	lx.name = name;
	lx.a = a;
	lx.out = out;
	lx.err = err;
	lx.errlen = errlen;
	while (lx.pos < lx.n) {
		q = lex_find_tag(&lx, lx.pos);
		if (q >= lx.n) {
			if (lex_push(&lx, TK_DATA, src + lx.pos, lx.n - lx.pos) == NULL)
				return lex_fail(&lx, "template too large");
			lex_advance(&lx, lx.n);
			break;
		}
		if (lex_root_tag(&lx, q) < 0)
			return -1;
	}
	if (lex_push(&lx, TK_EOF, NULL, 0) == NULL)
		return lex_fail(&lx, "template too large");
	return 0;
}
