/* Python literal reader for the pythonic dialect (see pylit.h). */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/strbuf.h"
#include "lib/core/xmalloc.h"
#include "worker-tools/dialects/pylit.h"

static cJSON *read_strings(struct pylit *p);
static cJSON *read_number(struct pylit *p);
static cJSON *read_seq(struct pylit *p, char close, int depth);
static cJSON *read_dict(struct pylit *p, int depth);
static cJSON *read_name(struct pylit *p);

#define CUR(p) ((p)->pos < (p)->end ? (p)->c->text[(p)->pos] : '\0')
#define AT(p, i) ((p)->pos + (i) < (p)->end ? (p)->c->text[(p)->pos + (i)] : '\0')

int
pylit_fail(struct pylit *p, size_t off, const char *fmt, ...)
{
	va_list ap;

	if (p->failed)
		return -1;
	p->failed = 1;
	p->err_off = off;
	va_start(ap, fmt);
	vsnprintf(p->err, sizeof(p->err), fmt, ap);
	va_end(ap);
	return -1;
}

void
pylit_ws(struct pylit *p)
{
	while (p->pos < p->end) {
		char ch = CUR(p);

		if (ch == '#') {
			while (p->pos < p->end && CUR(p) != '\n')
				p->pos++;
		} else if (isspace((unsigned char)ch) || (ch == '\\' && AT(p, 1) == '\n')) {
			p->pos += ch == '\\' ? 2 : 1;
		} else {
			break;
		}
	}
}

size_t
pylit_ident(const struct pylit *p, size_t at)
{
	const char *s = p->c->text;
	size_t i = at;

	if (i >= p->end || !(isalpha((unsigned char)s[i]) || s[i] == '_'))
		return 0;
	while (i < p->end && (isalnum((unsigned char)s[i]) || s[i] == '_' ||
	                      ((s[i] == '-' || s[i] == '.') && i + 1 < p->end &&
	                       (isalpha((unsigned char)s[i + 1]) || s[i + 1] == '_'))))
		i++;
	return i - at;
}

/* Length of a string prefix (r, u, b, f and pairs) directly before a quote
 * at pos, else 0. */
static size_t
str_prefix(const struct pylit *p)
{
	size_t i;

	for (i = 0; i < 2; i++) {
		char ch = (char)tolower((unsigned char)AT(p, i));

		if (ch == '"' || ch == '\'')
			return i;
		if (ch != 'r' && ch != 'u' && ch != 'b' && ch != 'f')
			return 0;
	}
	return (AT(p, 2) == '"' || AT(p, 2) == '\'') ? 2 : 0;
}

cJSON *
pylit_value(struct pylit *p, int depth)
{
	char ch = CUR(p);

	if (depth > DLG_MAX_DEPTH) {
		pylit_fail(p, p->pos, "literal nested deeper than %d levels", DLG_MAX_DEPTH);
		return NULL;
	}
	if (ch == '"' || ch == '\'' || str_prefix(p) > 0)
		return read_strings(p);
	if (isdigit((unsigned char)ch) || ch == '-' || ch == '+' ||
	    (ch == '.' && isdigit((unsigned char)AT(p, 1))))
		return read_number(p);
	if (ch == '[')
		return read_seq(p, ']', depth);
	if (ch == '(')
		return read_seq(p, ')', depth);
	if (ch == '{')
		return read_dict(p, depth);
	if (isalpha((unsigned char)ch) || ch == '_')
		return read_name(p);
	if (p->pos >= p->end)
		pylit_fail(p, p->pos, "expected a value, found the end of the block");
	else
		pylit_fail(p, p->pos,
		           "expected a value (a string, number, True/False/None, "
		           "list or dict), found '%c'",
		           ch);
	return NULL;
}

/* ---------------- strings ---------------- */

static void
utf8_put(struct strbuf *sb, unsigned long cp)
{
	char b[4];
	size_t n;

	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xC0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xE0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		b[0] = (char)(0xF0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	strbuf_add(sb, b, n);
}

/* Reads exactly n hex digits at pos; -1 if they are not there. */
static long
hex_n(struct pylit *p, int n)
{
	long v = 0;
	int i;

	for (i = 0; i < n; i++) {
		char ch = AT(p, i);

		if (!isxdigit((unsigned char)ch))
			return -1;
		v = v * 16 +
		    (isdigit((unsigned char)ch) ? ch - '0' : tolower((unsigned char)ch) - 'a' + 10);
	}
	p->pos += (size_t)n;
	return v;
}

/* \u / \U escape (pos after the letter), joining surrogate pairs. */
static int
esc_unicode(struct pylit *p, int n, size_t at, struct strbuf *sb)
{
	long cp = hex_n(p, n), lo;

	if (cp < 0)
		return pylit_fail(p, at, "bad escape: \\%c needs %d hex digits", n == 4 ? 'u' : 'U',
		                  n);
	if (cp >= 0xD800 && cp <= 0xDBFF && AT(p, 0) == '\\' && AT(p, 1) == 'u') {
		size_t save = p->pos;

		p->pos += 2;
		lo = hex_n(p, 4);
		if (lo >= 0xDC00 && lo <= 0xDFFF)
			cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
		else
			p->pos = save;
	}
	if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
		return pylit_fail(p, at,
		                  "bad escape: code point U+%04lX cannot be written as UTF-8", cp);
	if (cp == 0)
		return pylit_fail(p, at, "NUL characters are not allowed in arguments");
	utf8_put(sb, (unsigned long)cp);
	return 0;
}

/* One escape sequence; pos is on the character after the backslash. */
static int
read_escape(struct pylit *p, struct strbuf *sb)
{
	static const char from[] = "\\'\"abfnrtv", to[] = "\\'\"\a\b\f\n\r\t\v";
	size_t at = p->pos - 1;
	char ch = CUR(p);
	const char *k;
	long v;
	int i;

	if (ch == '\n') {
		p->pos++;
		return 0;
	}
	if (ch != '\0' && (k = strchr(from, ch)) != NULL) {
		strbuf_addc(sb, to[k - from]);
		p->pos++;
		return 0;
	}
	if (ch >= '0' && ch <= '7') {
		for (v = 0, i = 0; i < 3 && CUR(p) >= '0' && CUR(p) <= '7'; i++, p->pos++)
			v = v * 8 + (CUR(p) - '0');
		if (v == 0)
			return pylit_fail(p, at, "NUL characters are not allowed in arguments");
		utf8_put(sb, (unsigned long)v);
		return 0;
	}
	p->pos++;
	if (ch == 'x') {
		if ((v = hex_n(p, 2)) < 0)
			return pylit_fail(p, at, "bad escape: \\x needs 2 hex digits");
		if (v == 0)
			return pylit_fail(p, at, "NUL characters are not allowed in arguments");
		utf8_put(sb, (unsigned long)v);
		return 0;
	}
	if (ch == 'u' || ch == 'U')
		return esc_unicode(p, ch == 'u' ? 4 : 8, at, sb);
	if (ch == 'N')
		return pylit_fail(p, at,
		                  "\\N{...} escapes are not supported; write the character itself");
	/* Python keeps unknown escapes as written (e.g. "\d" in a regex). */
	strbuf_addc(sb, '\\');
	p->pos--;
	return 0;
}

/* One string literal (prefix and quotes) appended to sb. */
static int
read_string1(struct pylit *p, struct strbuf *sb)
{
	size_t at = p->pos, np = str_prefix(p), i;
	int raw = 0, triple;
	char q;

	for (i = 0; i < np; i++) {
		char ch = (char)tolower((unsigned char)AT(p, i));

		if (ch == 'f')
			return pylit_fail(p, at,
			                  "f-strings cannot be evaluated; use a plain string");
		raw |= ch == 'r';
	}
	p->pos += np;
	q = CUR(p);
	triple = AT(p, 1) == q && AT(p, 2) == q;
	p->pos += triple ? 3 : 1;
	for (;;) {
		char ch = CUR(p);

		if (p->pos >= p->end)
			return pylit_fail(p, at, "unterminated string literal");
		if (ch == q && (!triple || (AT(p, 1) == q && AT(p, 2) == q))) {
			p->pos += triple ? 3 : 1;
			return 0;
		}
		p->pos++;
		if (ch == '\\' && raw) {
			/* Raw strings keep the backslash, and it still stops a
			 * quote from ending the string. */
			strbuf_addc(sb, ch);
			if (p->pos < p->end)
				strbuf_addc(sb, p->c->text[p->pos++]);
		} else if (ch == '\\') {
			if (read_escape(p, sb) < 0)
				return -1;
		} else {
			strbuf_addc(sb, ch);
		}
	}
}

static cJSON *
read_strings(struct pylit *p)
{
	struct strbuf sb = STRBUF_INIT;
	cJSON *v = NULL;

	/* Adjacent literals concatenate, as in Python: "a" 'b' -> "ab". */
	for (;;) {
		if (read_string1(p, &sb) < 0)
			goto out;
		{
			size_t save = p->pos;

			pylit_ws(p);
			if (!(CUR(p) == '"' || CUR(p) == '\'' || str_prefix(p) > 0)) {
				p->pos = save;
				break;
			}
		}
	}
	v = dlg_nn(cJSON_CreateString(strbuf_str(&sb)));
out:
	strbuf_free(&sb);
	return v;
}

/* ---------------- numbers and names ---------------- */

static cJSON *
read_number(struct pylit *p)
{
	size_t at = p->pos, n = 0;
	char buf[128], *endp;
	int neg = 0, base = 10;
	double d;

	while (CUR(p) == '-' || CUR(p) == '+') {
		neg ^= CUR(p) == '-';
		p->pos++;
		pylit_ws(p);
	}
	if (CUR(p) == '0' && strchr("xXoObB", AT(p, 1)) != NULL && AT(p, 1) != '\0') {
		char b = (char)tolower((unsigned char)AT(p, 1));

		base = b == 'x' ? 16 : b == 'o' ? 8 : 2;
		p->pos += 2;
	}
	while (p->pos < p->end && n + 1 < sizeof(buf) &&
	       (isalnum((unsigned char)CUR(p)) || CUR(p) == '_' || CUR(p) == '.' ||
	        ((CUR(p) == '-' || CUR(p) == '+') && n > 0 && base == 10 &&
	         tolower((unsigned char)buf[n - 1]) == 'e'))) {
		if (CUR(p) != '_')
			buf[n++] = CUR(p);
		p->pos++;
	}
	buf[n] = '\0';
	if (n == 0) {
		pylit_fail(p, at, "expected a number after the sign");
		return NULL;
	}
	errno = 0;
	d = base == 10 ? strtod(buf, &endp) : (double)strtoull(buf, &endp, base);
	if (*endp != '\0' || !isfinite(d)) {
		pylit_fail(p, at, "'%s' is not a number", buf);
		return NULL;
	}
	return dlg_nn(cJSON_CreateNumber(neg ? -d : d));
}

static cJSON *
read_name(struct pylit *p)
{
	size_t at = p->pos, n = pylit_ident(p, p->pos);
	const char *s = p->c->text + at;

	p->pos += n;
	if ((n == 4 && (memcmp(s, "True", 4) == 0 || memcmp(s, "true", 4) == 0)))
		return dlg_nn(cJSON_CreateTrue());
	if (n == 5 && (memcmp(s, "False", 5) == 0 || memcmp(s, "false", 5) == 0))
		return dlg_nn(cJSON_CreateFalse());
	if ((n == 4 && (memcmp(s, "None", 4) == 0 || memcmp(s, "null", 4) == 0)))
		return dlg_nn(cJSON_CreateNull());
	pylit_fail(p, at, "unquoted name '%.*s' is not a value; put strings in quotes",
	           (int)(n > 60 ? 60 : n), s);
	return NULL;
}

/* ---------------- containers ---------------- */

/* After an element: ',' (then maybe the close) or the close. 1 = closed. */
static int
seq_next(struct pylit *p, char close, const char *what)
{
	pylit_ws(p);
	if (CUR(p) == close) {
		p->pos++;
		return 1;
	}
	if (CUR(p) != ',')
		return pylit_fail(p, p->pos, "expected ',' or '%c' in %s", close, what);
	p->pos++;
	pylit_ws(p);
	if (CUR(p) == close) {
		p->pos++;
		return 1;
	}
	return 0;
}

static cJSON *
read_seq(struct pylit *p, char close, int depth)
{
	const char *what = close == ']' ? "list" : "tuple";
	cJSON *arr = dlg_nn(cJSON_CreateArray()), *v;
	int n = 0, comma = 0, r;

	p->pos++;
	pylit_ws(p);
	if (CUR(p) == close) {
		p->pos++;
		return arr;
	}
	for (;;) {
		if ((v = pylit_value(p, depth + 1)) == NULL)
			goto fail;
		cJSON_AddItemToArray(arr, v);
		n++;
		pylit_ws(p);
		comma = CUR(p) == ',';
		if ((r = seq_next(p, close, what)) < 0)
			goto fail;
		if (r == 1)
			break;
	}
	if (close == ')' && n == 1 && !comma) {
		/* "(x)" is x in parentheses, not a tuple. */
		v = cJSON_DetachItemFromArray(arr, 0);
		cJSON_Delete(arr);
		return v;
	}
	return arr;
fail:
	cJSON_Delete(arr);
	return NULL;
}

static int
dict_entry(struct pylit *p, cJSON *obj, int depth)
{
	size_t at = p->pos;
	cJSON *k, *v;

	if ((k = pylit_value(p, depth + 1)) == NULL)
		return -1;
	if (!cJSON_IsString(k)) {
		cJSON_Delete(k);
		return pylit_fail(p, at, "dict keys must be strings");
	}
	pylit_ws(p);
	if (CUR(p) != ':') {
		cJSON_Delete(k);
		return pylit_fail(p, p->pos, "expected ':' after a dict key");
	}
	p->pos++;
	pylit_ws(p);
	if ((v = pylit_value(p, depth + 1)) == NULL) {
		cJSON_Delete(k);
		return -1;
	}
	cJSON_DeleteItemFromObjectCaseSensitive(obj, k->valuestring);
	cJSON_AddItemToObject(obj, k->valuestring, v);
	cJSON_Delete(k);
	return 0;
}

static cJSON *
read_dict(struct pylit *p, int depth)
{
	cJSON *obj = dlg_nn(cJSON_CreateObject());
	int r;

	p->pos++;
	pylit_ws(p);
	if (CUR(p) == '}') {
		p->pos++;
		return obj;
	}
	for (;;) {
		if (dict_entry(p, obj, depth) < 0)
			goto fail;
		if ((r = seq_next(p, '}', "dict")) < 0)
			goto fail;
		if (r == 1)
			return obj;
	}
fail:
	cJSON_Delete(obj);
	return NULL;
}
