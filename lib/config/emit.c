/* Printing the tree: JSON exactly as Python's json.dumps(indent=2,
 * ensure_ascii=False) prints the prototype's dict (so the two loaders can
 * be compared byte for byte), and block YAML that reads back (under
 * PyYAML's rules) as the same tree. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/config/config_int.h"
#include "lib/core/strbuf.h"
#include "lib/core/xmalloc.h"

/* Shortest digits that read back as v: "%.*e" with growing precision. */
static void
emit_shortest_digits(double v, char *digits, size_t dlen, int *exp10)
{
	char tmp[40], *e, *o;
	const char *p;
	int prec;

	for (prec = 0; prec < 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*e", prec, v);
		if (strtod(tmp, NULL) == v)
			break;
	}
	e = strchr(tmp, 'e');
	*exp10 = atoi(e + 1);
	*e = '\0';
	o = digits;
	for (p = tmp; *p != '\0' && (size_t)(o - digits) + 1 < dlen; p++)
		if (isdigit((unsigned char)*p))
			*o++ = *p;
	*o = '\0';
	/* "1.50e+00" never happens (shortest), but strip zeros to be sure. */
	while (o - digits > 1 && o[-1] == '0')
		*--o = '\0';
}

/* Python's float repr ('r' format, "short" style): fixed notation for
 * exponents in [-4, 16), always with a fractional part, else d.ddde+XX;
 * non-finite values as json.dumps writes them. */
void
kc_py_float_repr(double v, char *buf, size_t len)
{
	char digits[32];
	struct strbuf sb = STRBUF_INIT;
	int e, n, i;

	if (isnan(v)) {
		snprintf(buf, len, "NaN");
		return;
	}
	if (isinf(v)) {
		snprintf(buf, len, v < 0 ? "-Infinity" : "Infinity");
		return;
	}
	if (signbit(v))
		strbuf_addc(&sb, '-');
	v = fabs(v);
	if (v == 0) {
		strbuf_adds(&sb, "0.0");
		goto out;
	}
	emit_shortest_digits(v, digits, sizeof(digits), &e);
	n = (int)strlen(digits);
	if (e >= -4 && e < 16) {
		if (e < 0) {
			strbuf_adds(&sb, "0.");
			for (i = 0; i < -e - 1; i++)
				strbuf_addc(&sb, '0');
			strbuf_adds(&sb, digits);
		} else {
			for (i = 0; i <= e; i++)
				strbuf_addc(&sb, i < n ? digits[i] : '0');
			strbuf_addc(&sb, '.');
			if (n > e + 1)
				strbuf_adds(&sb, digits + e + 1);
			else
				strbuf_addc(&sb, '0');
		}
	} else {
		strbuf_addc(&sb, digits[0]);
		if (n > 1)
			strbuf_addf(&sb, ".%s", digits + 1);
		strbuf_addf(&sb, "e%c%02d", e < 0 ? '-' : '+', abs(e));
	}
out:
	snprintf(buf, len, "%s", strbuf_str(&sb));
	strbuf_free(&sb);
}

static void
emit_json_string(struct strbuf *out, const char *s)
{
	strbuf_addc(out, '"');
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '"':
			strbuf_adds(out, "\\\"");
			break;
		case '\\':
			strbuf_adds(out, "\\\\");
			break;
		case '\n':
			strbuf_adds(out, "\\n");
			break;
		case '\r':
			strbuf_adds(out, "\\r");
			break;
		case '\t':
			strbuf_adds(out, "\\t");
			break;
		case '\b':
			strbuf_adds(out, "\\b");
			break;
		case '\f':
			strbuf_adds(out, "\\f");
			break;
		default:
			if (c < 0x20)
				strbuf_addf(out, "\\u%04x", c);
			else
				strbuf_addc(out, (char)c);
		}
	}
	strbuf_addc(out, '"');
}

static void
emit_number(const struct kc_locmap *locs, const cJSON *n, struct strbuf *out, int yaml)
{
	char buf[64];
	double v = n->valuedouble;

	if (kc_locmap_is_float(locs, n) || !isfinite(v) || v != floor(v)) {
		if (yaml && !isfinite(v)) {
			strbuf_adds(out, isnan(v) ? ".nan" : v < 0 ? "-.inf" : ".inf");
			return;
		}
		kc_py_float_repr(v, buf, sizeof(buf));
		/* PyYAML reads "1e-07" as a string: its floats need a dot. */
		if (yaml && strchr(buf, '.') == NULL && strchr(buf, 'e') != NULL) {
			char *e = strchr(buf, 'e');

			strbuf_add(out, buf, (size_t)(e - buf));
			strbuf_addf(out, ".0%s", e);
			return;
		}
		strbuf_adds(out, buf);
		return;
	}
	strbuf_addf(out, "%.0f", v == 0 ? 0.0 : v);
}

static void
emit_indent(struct strbuf *out, int n)
{
	while (n-- > 0)
		strbuf_addc(out, ' ');
}

static void
emit_json_node(const struct kc_locmap *locs, const cJSON *n, struct strbuf *out, int level)
{
	const cJSON *ch;

	if (cJSON_IsObject(n) || cJSON_IsArray(n)) {
		int obj = cJSON_IsObject(n);

		if (n->child == NULL) {
			strbuf_adds(out, obj ? "{}" : "[]");
			return;
		}
		strbuf_addc(out, obj ? '{' : '[');
		for (ch = n->child; ch != NULL; ch = ch->next) {
			strbuf_addc(out, '\n');
			emit_indent(out, 2 * (level + 1));
			if (obj) {
				emit_json_string(out, ch->string);
				strbuf_adds(out, ": ");
			}
			emit_json_node(locs, ch, out, level + 1);
			if (ch->next != NULL)
				strbuf_addc(out, ',');
		}
		strbuf_addc(out, '\n');
		emit_indent(out, 2 * level);
		strbuf_addc(out, obj ? '}' : ']');
	} else if (cJSON_IsString(n)) {
		emit_json_string(out, n->valuestring);
	} else if (cJSON_IsNumber(n)) {
		emit_number(locs, n, out, 0);
	} else if (cJSON_IsBool(n)) {
		strbuf_adds(out, cJSON_IsTrue(n) ? "true" : "false");
	} else {
		strbuf_adds(out, "null");
	}
}

void
kc_json_emit(const struct kc_locmap *locs, const cJSON *node, struct strbuf *out)
{
	emit_json_node(locs, node, out, 0);
}

/* The next code point of a UTF-8 string (libyaml only ever hands us valid
 * UTF-8; a stray byte decodes as U+FFFD). *len gets its byte length. */
static unsigned
emit_utf8_next(const unsigned char *p, int *len)
{
	int n = *p < 0x80 ? 0 : *p >= 0xF0 ? 3 : *p >= 0xE0 ? 2 : *p >= 0xC0 ? 1 : 0, i;
	unsigned cp = n ? (unsigned)(*p & (0x3F >> n)) : *p;

	for (i = 1; i <= n && (p[i] & 0xC0) == 0x80; i++)
		cp = cp << 6 | (p[i] & 0x3F);
	if (i <= n || (*p >= 0x80 && *p < 0xC0)) {
		*len = 1;
		return 0xFFFD;
	}
	*len = n + 1;
	return cp;
}

/* YAML's printable set (1.1 §5.1) minus what YAML 1.1 reads as a line
 * break (NEL, LS, PS) or a byte order mark: what may appear as is. */
static int
emit_yaml_printable(unsigned cp)
{
	if (cp == 0x85 || cp == 0x2028 || cp == 0x2029 || cp == 0xFEFF)
		return 0;
	return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0x7E) ||
	       (cp >= 0xA0 && cp <= 0xD7FF) || (cp >= 0xE000 && cp <= 0xFFFD) ||
	       (cp >= 0x10000 && cp <= 0x10FFFF);
}

/* May s be written as a plain scalar and read back as the same string?
 * Conservative: a small alphabet, and never what PyYAML would type. */
static int
emit_plain_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	double num;
	size_t n = strlen(s);

	if (n == 0 || !(isalnum(p[0]) || p[0] >= 0x80 || p[0] == '_' || p[0] == '/'))
		return 0;
	if (p[n - 1] == ' ')
		return 0;
	while (*p != '\0') {
		int len;
		unsigned cp = emit_utf8_next(p, &len);

		if (cp >= 0x80 ? !emit_yaml_printable(cp)
		               : !(isalnum(*p) || strchr(" _-./+()=$~^,;%", *p) != NULL))
			return 0;
		p += len;
	}
	/* PyYAML would read 2001-12-14... as a timestamp (kylecode keeps it
	 * a string): quote anything that starts like one. */
	if (n >= 5 && isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[1]) &&
	    isdigit((unsigned char)s[2]) && isdigit((unsigned char)s[3]) && s[4] == '-')
		return 0;
	return kc_yaml_resolve_plain(s, n, &num) == KC_SCALAR_STR;
}

/* Double-quoted YAML: JSON-style escapes for the ASCII controls, \u or
 * \U for what YAML does not allow unescaped (C1 controls, U+FEFF ...). */
static void
emit_yaml_quoted(struct strbuf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned cp;
	int n;

	strbuf_addc(out, '"');
	while (*p != '\0') {
		cp = emit_utf8_next(p, &n);
		if (cp < 0x80 && cp >= 0x20 && cp != 0x7F) {
			if (cp == '"' || cp == '\\')
				strbuf_addc(out, '\\');
			strbuf_addc(out, (char)cp);
		} else if (cp == '\n') {
			strbuf_adds(out, "\\n");
		} else if (cp == '\t') {
			strbuf_adds(out, "\\t");
		} else if (!emit_yaml_printable(cp) || cp < 0x20 || cp == 0x7F) {
			strbuf_addf(out, cp > 0xFFFF ? "\\U%08x" : "\\u%04x", cp);
		} else {
			strbuf_add(out, p, (size_t)n);
		}
		p += n;
	}
	strbuf_addc(out, '"');
}

static void
emit_yaml_string(struct strbuf *out, const char *s)
{
	if (emit_plain_ok(s)) {
		strbuf_adds(out, s);
		return;
	}
	emit_yaml_quoted(out, s);
}

static void
emit_yaml_scalar(const struct kc_locmap *locs, const cJSON *n, struct strbuf *out)
{
	if (cJSON_IsString(n))
		emit_yaml_string(out, n->valuestring);
	else if (cJSON_IsNumber(n))
		emit_number(locs, n, out, 1);
	else if (cJSON_IsBool(n))
		strbuf_adds(out, cJSON_IsTrue(n) ? "true" : "false");
	else if (cJSON_IsObject(n))
		strbuf_adds(out, "{}");
	else if (cJSON_IsArray(n))
		strbuf_adds(out, "[]");
	else
		strbuf_adds(out, "null");
}

static int
emit_is_block(const cJSON *n)
{
	return (cJSON_IsObject(n) || cJSON_IsArray(n)) && n->child != NULL;
}

/* Block YAML, PyYAML's default layout: list items at their key's
 * indentation, maps nested by two spaces. `ind` is the current column;
 * `inline_first` means the first line continues a "- " already written. */
static void
emit_yaml_node(const struct kc_locmap *locs, const cJSON *n, struct strbuf *out, int ind,
               int inline_first)
{
	const cJSON *ch;

	for (ch = n->child; ch != NULL; ch = ch->next) {
		if (!(inline_first && ch == n->child))
			emit_indent(out, ind);
		if (cJSON_IsArray(n)) {
			strbuf_adds(out, "- ");
			if (emit_is_block(ch) && cJSON_IsObject(ch)) {
				emit_yaml_node(locs, ch, out, ind + 2, 1);
				continue;
			}
			if (emit_is_block(ch)) {
				emit_yaml_node(locs, ch, out, ind + 2, 1);
				continue;
			}
			emit_yaml_scalar(locs, ch, out);
			strbuf_addc(out, '\n');
			continue;
		}
		emit_yaml_string(out, ch->string);
		strbuf_addc(out, ':');
		if (emit_is_block(ch)) {
			strbuf_addc(out, '\n');
			emit_yaml_node(locs, ch, out, cJSON_IsArray(ch) ? ind : ind + 2, 0);
			continue;
		}
		strbuf_addc(out, ' ');
		emit_yaml_scalar(locs, ch, out);
		strbuf_addc(out, '\n');
	}
}

void
kc_yaml_emit(const struct kc_locmap *locs, const cJSON *node, struct strbuf *out)
{
	if (!emit_is_block(node)) {
		emit_yaml_scalar(locs, node, out);
		strbuf_addc(out, '\n');
		return;
	}
	emit_yaml_node(locs, node, out, 0, 0);
}

/* json.dumps(ensure_ascii=True): non-ASCII as \uXXXX (UTF-16 surrogate
 * pairs above the BMP). Invalid UTF-8 cannot occur (libyaml refuses it);
 * a stray byte is escaped as itself. */
static void
emit_ascii_string(struct strbuf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned cp;
	int n, i;

	strbuf_addc(out, '"');
	while (*p != '\0') {
		if (*p == 0x7f) { /* ensure_ascii escapes everything outside ' '..'~' */
			strbuf_adds(out, "\\u007f");
			p++;
			continue;
		}
		if (*p < 0x80) {
			char one[2] = {(char)*p++, '\0'};
			struct strbuf tmp = STRBUF_INIT;

			emit_json_string(&tmp, one);
			strbuf_add(out, tmp.buf + 1, tmp.len - 2); /* without its quotes */
			strbuf_free(&tmp);
			continue;
		}
		n = *p >= 0xF0 ? 3 : *p >= 0xE0 ? 2 : *p >= 0xC0 ? 1 : 0;
		cp = *p & (0x3F >> n);
		for (i = 1; i <= n && (p[i] & 0xC0) == 0x80; i++)
			cp = cp << 6 | (p[i] & 0x3F);
		if (i <= n)
			n = 0, cp = *p; /* truncated sequence */
		p += n + 1;
		if (cp >= 0x10000) {
			cp -= 0x10000;
			strbuf_addf(out, "\\u%04x\\u%04x", 0xD800 + (cp >> 10),
			            0xDC00 + (cp & 0x3FF));
		} else {
			strbuf_addf(out, "\\u%04x", cp);
		}
	}
	strbuf_addc(out, '"');
}

static int
emit_key_cmp(const void *a, const void *b)
{
	return strcmp((*(const cJSON *const *)a)->string, (*(const cJSON *const *)b)->string);
}

void
kc_json_emit_canonical(const struct kc_locmap *locs, const cJSON *n, struct strbuf *out)
{
	const cJSON *ch, **kids;
	size_t cnt = 0, i;

	if (cJSON_IsArray(n)) {
		strbuf_addc(out, '[');
		for (ch = n->child; ch != NULL; ch = ch->next) {
			kc_json_emit_canonical(locs, ch, out);
			if (ch->next != NULL)
				strbuf_adds(out, ", ");
		}
		strbuf_addc(out, ']');
		return;
	}
	if (cJSON_IsString(n)) {
		emit_ascii_string(out, n->valuestring);
		return;
	}
	if (!cJSON_IsObject(n)) {
		emit_json_node(locs, n, out, 0);
		return;
	}
	for (ch = n->child; ch != NULL; ch = ch->next)
		cnt++;
	kids = xcalloc(cnt ? cnt : 1, sizeof(*kids));
	for (i = 0, ch = n->child; ch != NULL; ch = ch->next)
		kids[i++] = ch;
	qsort(kids, cnt, sizeof(*kids), emit_key_cmp);
	strbuf_addc(out, '{');
	for (i = 0; i < cnt; i++) {
		emit_ascii_string(out, kids[i]->string);
		strbuf_adds(out, ": ");
		kc_json_emit_canonical(locs, kids[i], out);
		if (i + 1 < cnt)
			strbuf_adds(out, ", ");
	}
	strbuf_addc(out, '}');
	free(kids);
}
