/* json.c — the JSON writer of message bodies. Same output as
 * cJSON_PrintUnformatted() (the fuzzer checks it round-trips), but strings
 * are scanned eight bytes at a time and copied in runs: a 1 MiB tool output
 * is written at memory speed instead of cJSON's byte-by-byte ~300 MB/s,
 * which dominated the cost of a large request (bench/ipc_bench.c). */
#include "ipc/json.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define JW_MAX_DEPTH 1000 /* as cJSON's CJSON_NESTING_LIMIT */

struct jbuf {
	char *p;
	size_t len, cap;
	int fail;
};

static void
jb_reserve(struct jbuf *b, size_t n)
{
	size_t cap;
	char *p;

	if (b->fail || b->len + n <= b->cap)
		return;
	cap = b->cap ? b->cap : 256;
	while (cap < b->len + n)
		cap *= 2;
	if ((p = realloc(b->p, cap)) == NULL) {
		b->fail = 1;
		return;
	}
	b->p = p;
	b->cap = cap;
}

static void
jb_put(struct jbuf *b, const void *s, size_t n)
{
	jb_reserve(b, n);
	if (b->fail)
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

/* Bytes that must be escaped: controls, '"' and '\\'. SWAR test on 8
 * bytes: any byte < 0x20, or equal to 0x22 or 0x5c. */
static int
jw_word_plain(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
	uint64_t lt20 = (x - ones * 0x20) & ~x & high;
	uint64_t q = x ^ (ones * 0x22), bs = x ^ (ones * 0x5c);
	uint64_t eqq = (q - ones) & ~q & high, eqbs = (bs - ones) & ~bs & high;

	return (lt20 | eqq | eqbs) == 0;
}

/* How many leading bytes of p[0..n) need no escaping. 16 bytes per step
 * with SSE2 (every x86-64 has it), 8 with SWAR elsewhere. */
static size_t
jw_plain_run(const unsigned char *p, size_t n)
{
	size_t i = 0;
	uint64_t w;

#ifdef __SSE2__
	const __m128i q = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\');
	const __m128i c1f = _mm_set1_epi8(0x1f);

	for (; i + 16 <= n; i += 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
		__m128i bad =
		    _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, q), _mm_cmpeq_epi8(x, bs)),
		                 _mm_cmpeq_epi8(_mm_max_epu8(x, c1f), c1f));
		int m = _mm_movemask_epi8(bad);

		if (m != 0)
			return i + (size_t)__builtin_ctz((unsigned)m);
	}
#endif
	for (; i + 8 <= n; i += 8) {
		memcpy(&w, p + i, 8);
		if (!jw_word_plain(w))
			break;
	}
	for (; i < n; i++)
		if (p[i] < 0x20 || p[i] == '"' || p[i] == '\\')
			break;
	return i;
}

static void
jw_escape(struct jbuf *b, unsigned char c)
{
	char u[8];

	switch (c) {
	case '"':
		jb_put(b, "\\\"", 2);
		break;
	case '\\':
		jb_put(b, "\\\\", 2);
		break;
	case '\b':
		jb_put(b, "\\b", 2);
		break;
	case '\f':
		jb_put(b, "\\f", 2);
		break;
	case '\n':
		jb_put(b, "\\n", 2);
		break;
	case '\r':
		jb_put(b, "\\r", 2);
		break;
	case '\t':
		jb_put(b, "\\t", 2);
		break;
	default:
		snprintf(u, sizeof(u), "\\u%04x", c);
		jb_put(b, u, 6);
	}
}

static void
jw_string(struct jbuf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s != NULL ? s : "");
	size_t n = strlen((const char *)p), i = 0, r;

	jb_reserve(b, n + 2);
	jb_put(b, "\"", 1);
	while (i < n) {
		r = jw_plain_run(p + i, n - i);
		jb_put(b, p + i, r);
		i += r;
		if (i < n)
			jw_escape(b, p[i++]);
	}
	jb_put(b, "\"", 1);
}

/* Numbers exactly as cJSON (1.7.15) prints them, so that both writers
 * agree: 15 significant digits unless they do not read back (within
 * cJSON's epsilon), then 17. */
static int
jw_double_eq(double a, double b)
{
	double big = fabs(a) > fabs(b) ? fabs(a) : fabs(b);

	return fabs(a - b) <= big * DBL_EPSILON;
}

static void
jw_number(struct jbuf *b, const cJSON *item)
{
	double d = item->valuedouble, back = 0;
	char num[32];
	int n;

	if (isnan(d) || isinf(d)) {
		jb_put(b, "null", 4);
		return;
	}
	n = snprintf(num, sizeof(num), "%1.15g", d);
	if (sscanf(num, "%lg", &back) != 1 || !jw_double_eq(back, d))
		n = snprintf(num, sizeof(num), "%1.17g", d);
	jb_put(b, num, (size_t)n);
}

static void jw_value(struct jbuf *b, const cJSON *item, int depth);

static void
jw_children(struct jbuf *b, const cJSON *item, int depth, int object)
{
	const cJSON *c;

	jb_put(b, object ? "{" : "[", 1);
	for (c = item->child; c != NULL && !b->fail; c = c->next) {
		if (c != item->child)
			jb_put(b, ",", 1);
		if (object) {
			jw_string(b, c->string);
			jb_put(b, ":", 1);
		}
		jw_value(b, c, depth + 1);
	}
	jb_put(b, object ? "}" : "]", 1);
}

static void
jw_value(struct jbuf *b, const cJSON *item, int depth)
{
	if (depth > JW_MAX_DEPTH) {
		b->fail = 1;
		return;
	}
	switch (item->type & 0xff) {
	case cJSON_NULL:
		jb_put(b, "null", 4);
		break;
	case cJSON_False:
		jb_put(b, "false", 5);
		break;
	case cJSON_True:
		jb_put(b, "true", 4);
		break;
	case cJSON_Number:
		jw_number(b, item);
		break;
	case cJSON_String:
		jw_string(b, item->valuestring);
		break;
	case cJSON_Raw:
		if (item->valuestring == NULL)
			b->fail = 1;
		else
			jb_put(b, item->valuestring, strlen(item->valuestring));
		break;
	case cJSON_Array:
		jw_children(b, item, depth, 0);
		break;
	case cJSON_Object:
		jw_children(b, item, depth, 1);
		break;
	default:
		b->fail = 1;
	}
}

char *
ipc_json_print(const cJSON *item, size_t prefix, size_t *len)
{
	struct jbuf b = {NULL, 0, 0, 0};

	jb_reserve(&b, prefix + 64);
	b.len = b.fail ? 0 : prefix;
	jw_value(&b, item, 0);
	if (b.fail) {
		free(b.p);
		return NULL;
	}
	*len = b.len - prefix;
	return b.p;
}

/* ---------------- the reader ---------------- */

/* A strict RFC 8259 reader building cJSON trees, for message bodies from
 * another process. Stricter than cJSON where cJSON is lenient: no leading
 * zeros, no raw control characters in strings, no \u0000 (it would cut the
 * C string short), no lone surrogates, no number that overflows a double.
 * Strings are scanned eight bytes at a time and copied in runs. */

struct jp {
	const char *p, *end, *start;
	const char *why;
};

static cJSON *jp_value(struct jp *j, int depth);

static void
jp_ws(struct jp *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\n' || *j->p == '\r' || *j->p == '\t'))
		j->p++;
}

static int
jp_fail(struct jp *j, const char *why)
{
	if (j->why == NULL)
		j->why = why;
	return -1;
}

static int
jp_hex4(const char *s, unsigned *out)
{
	unsigned v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

/* \uXXXX (and its low surrogate) at s, 6 or 12 bytes; writes UTF-8 to out.
 * Returns bytes consumed, or -1. */
static int
jp_unicode(struct jp *j, const char *s, char **out)
{
	unsigned cp, lo;
	int used = 6;
	unsigned char *o = (unsigned char *)*out;

	if (j->end - s < 6 || jp_hex4(s + 2, &cp) < 0 || cp == 0 || (cp >= 0xdc00 && cp <= 0xdfff))
		return jp_fail(j, "bad \\u escape");
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (j->end - s < 12 || s[6] != '\\' || s[7] != 'u' || jp_hex4(s + 8, &lo) < 0 ||
		    lo < 0xdc00 || lo > 0xdfff)
			return jp_fail(j, "lone surrogate in \\u escape");
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		used = 12;
	}
	if (cp < 0x80) {
		*o++ = (unsigned char)cp;
	} else if (cp < 0x800) {
		*o++ = (unsigned char)(0xc0 | (cp >> 6));
		*o++ = (unsigned char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*o++ = (unsigned char)(0xe0 | (cp >> 12));
		*o++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		*o++ = (unsigned char)(0x80 | (cp & 0x3f));
	} else {
		*o++ = (unsigned char)(0xf0 | (cp >> 18));
		*o++ = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
		*o++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		*o++ = (unsigned char)(0x80 | (cp & 0x3f));
	}
	*out = (char *)o;
	return used;
}

/* Finds the closing quote of the string starting after j->p's quote;
 * returns its position (or NULL) and whether there are escapes. */
static const char *
jp_string_end(struct jp *j, const char *s, int *escaped)
{
	*escaped = 0;
	while (s < j->end) {
		s += jw_plain_run((const unsigned char *)s, (size_t)(j->end - s));
		if (s == j->end)
			break;
		if (*s == '"')
			return s;
		if ((unsigned char)*s < 0x20) {
			jp_fail(j, "control character in a string");
			return NULL;
		}
		/* a backslash: skip it and the escaped byte */
		*escaped = 1;
		if (++s == j->end)
			break;
		s++;
	}
	jp_fail(j, "unterminated string");
	return NULL;
}

static int
jp_unescape(struct jp *j, const char *s, const char *e, char *o)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *bs, *k;
	int used;

	while (s < e) {
		if ((bs = memchr(s, '\\', (size_t)(e - s))) == NULL)
			bs = e;
		memcpy(o, s, (size_t)(bs - s));
		o += bs - s;
		if (bs == e)
			break;
		if (bs[1] == 'u') {
			if ((used = jp_unicode(j, bs, &o)) < 0)
				return -1;
			s = bs + used;
			continue;
		}
		if (bs[1] == '\0' || (k = strchr(from, bs[1])) == NULL)
			return jp_fail(j, "bad escape in a string");
		*o++ = to[k - from];
		s = bs + 2;
	}
	*o = '\0';
	return 0;
}

/* The string at j->p (on its opening quote), decoded and malloc'ed. */
static char *
jp_string(struct jp *j)
{
	const char *s = j->p + 1, *e;
	char *out;
	int escaped;

	if ((e = jp_string_end(j, s, &escaped)) == NULL)
		return NULL;
	if ((out = malloc((size_t)(e - s) + 1)) == NULL) {
		jp_fail(j, "out of memory");
		return NULL;
	}
	if (!escaped) {
		memcpy(out, s, (size_t)(e - s));
		out[e - s] = '\0';
	} else if (jp_unescape(j, s, e, out) < 0) {
		free(out);
		return NULL;
	}
	j->p = e + 1;
	return out;
}

static int
jp_digits(struct jp *j)
{
	const char *s = j->p;

	while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
		j->p++;
	return j->p > s ? 0 : -1;
}

/* -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?, then strtod on a copy
 * (the body is not NUL-terminated). */
static cJSON *
jp_number(struct jp *j)
{
	const char *s = j->p;
	char buf[64], *copy = buf, *end;
	size_t n;
	double d;

	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (j->p < j->end && *j->p == '0')
		j->p++;
	else if (jp_digits(j) < 0)
		goto bad;
	if (j->p < j->end && *j->p == '.' && (j->p++, jp_digits(j) < 0))
		goto bad;
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (jp_digits(j) < 0)
			goto bad;
	}
	n = (size_t)(j->p - s);
	if (n >= sizeof(buf) && (copy = malloc(n + 1)) == NULL)
		goto bad;
	memcpy(copy, s, n);
	copy[n] = '\0';
	d = strtod(copy, &end);
	if (copy != buf)
		free(copy);
	if (!isfinite(d)) {
		jp_fail(j, "number out of range");
		return NULL;
	}
	return cJSON_CreateNumber(d);
bad:
	jp_fail(j, "bad number");
	return NULL;
}

static int
jp_lit(struct jp *j, const char *lit, size_t n)
{
	if ((size_t)(j->end - j->p) < n || memcmp(j->p, lit, n) != 0)
		return jp_fail(j, "unexpected character");
	j->p += n;
	return 0;
}

/* Elements of an array or members of an object, after the bracket. */
static cJSON *
jp_container(struct jp *j, int depth, int object)
{
	cJSON *c = object ? cJSON_CreateObject() : cJSON_CreateArray(), *v;
	char close = object ? '}' : ']', *key = NULL;

	j->p++;
	jp_ws(j);
	if (j->p < j->end && *j->p == close) {
		j->p++;
		return c;
	}
	for (;;) {
		if (object) {
			if (j->p >= j->end || *j->p != '"' || (key = jp_string(j)) == NULL)
				goto bad;
			jp_ws(j);
			if (j->p >= j->end || *j->p++ != ':')
				goto bad;
			jp_ws(j);
		}
		if ((v = jp_value(j, depth + 1)) == NULL)
			goto bad;
		v->string = key; /* owned by v now; cJSON_Delete frees it */
		key = NULL;
		cJSON_AddItemToArray(c, v);
		jp_ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			jp_ws(j);
			continue;
		}
		if (j->p < j->end && *j->p == close) {
			j->p++;
			return c;
		}
		goto bad;
	}
bad:
	jp_fail(j, object ? "bad object" : "bad array");
	free(key);
	cJSON_Delete(c);
	return NULL;
}

static cJSON *
jp_value(struct jp *j, int depth)
{
	char *s;
	cJSON *v;

	if (depth > JW_MAX_DEPTH) {
		jp_fail(j, "nested too deep");
		return NULL;
	}
	if (j->p >= j->end) {
		jp_fail(j, "unexpected end");
		return NULL;
	}
	switch (*j->p) {
	case '{':
		return jp_container(j, depth, 1);
	case '[':
		return jp_container(j, depth, 0);
	case '"':
		if ((s = jp_string(j)) == NULL || (v = cJSON_CreateNull()) == NULL) {
			free(s);
			return NULL;
		}
		v->type = cJSON_String; /* adopts s, no copy */
		v->valuestring = s;
		return v;
	case 't':
		return jp_lit(j, "true", 4) < 0 ? NULL : cJSON_CreateTrue();
	case 'f':
		return jp_lit(j, "false", 5) < 0 ? NULL : cJSON_CreateFalse();
	case 'n':
		return jp_lit(j, "null", 4) < 0 ? NULL : cJSON_CreateNull();
	default:
		return jp_number(j);
	}
}

cJSON *
ipc_json_parse(const char *s, size_t n, char *err, size_t errlen)
{
	struct jp j = {s, s + n, s, NULL};
	cJSON *v;

	jp_ws(&j);
	v = jp_value(&j, 0);
	if (v != NULL) {
		jp_ws(&j);
		if (j.p != j.end) {
			cJSON_Delete(v);
			v = NULL;
			jp_fail(&j, "trailing bytes after the value");
		}
	}
	if (v == NULL && err != NULL && errlen > 0)
		snprintf(err, errlen, "%s at byte %td", j.why != NULL ? j.why : "invalid JSON",
		         j.p - j.start);
	return v;
}
