/* The few Unicode facts the engine needs to match Python's str methods:
 * UTF-8 decoding, which code points are whitespace (str.isspace) and line
 * breaks (str.splitlines), and case mapping. Case mapping covers ASCII,
 * Latin-1, Latin Extended-A, Greek and Cyrillic basic ranges; other
 * scripts are left unchanged (docs/TEMPLATES.md lists this). */
#include <stdint.h>
#include <string.h>

#include "lib/template/tpl_int.h"

/* Decodes one code point; invalid bytes decode as themselves (one byte)
 * so that any input makes progress. Returns the bytes consumed (>= 1). */
size_t
utf8_decode(const char *s, size_t n, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t len, i;
	uint32_t c;

	if (n == 0) {
		*cp = 0;
		return 0;
	}
	c = u[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		c &= 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		c &= 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		c &= 0x07;
	} else {
		*cp = u[0];
		return 1;
	}
	if (len > n) {
		*cp = u[0];
		return 1;
	}
	for (i = 1; i < len; i++) {
		if ((u[i] & 0xc0) != 0x80) {
			*cp = u[0];
			return 1;
		}
		c = (c << 6) | (u[i] & 0x3f);
	}
	*cp = c;
	return len;
}

int
utf8_encode(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Python's str.isspace() (and regex \s on str). */
int
uc_is_space(uint32_t cp)
{
	if (cp == ' ' || (cp >= 0x09 && cp <= 0x0d) || (cp >= 0x1c && cp <= 0x1f))
		return 1;
	if (cp < 0x85)
		return 0;
	return cp == 0x85 || cp == 0xa0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 ||
	       cp == 0x2029 || cp == 0x202f || cp == 0x205f || cp == 0x3000;
}

/* str.splitlines() boundaries (\r\n is handled by the caller). */
int
uc_is_linebreak(uint32_t cp)
{
	return cp == '\n' || cp == '\r' || cp == 0x0b || cp == 0x0c || (cp >= 0x1c && cp <= 0x1e) || cp == 0x85 ||
	       cp == 0x2028 || cp == 0x2029;
}

size_t
uc_space_prefix(const char *s, size_t n)
{
	size_t i = 0, k;
	uint32_t cp;

	while (i < n) {
		k = utf8_decode(s + i, n - i, &cp);
		if (!uc_is_space(cp))
			break;
		i += k;
	}
	return i;
}

size_t
uc_space_suffix(const char *s, size_t n)
{
	size_t end = n, start;
	uint32_t cp;

	while (end > 0) {
		start = end - 1;
		while (start > 0 && ((unsigned char)s[start] & 0xc0) == 0x80 && end - start < 4)
			start--;
		if (utf8_decode(s + start, end - start, &cp) != end - start)
			start = end - 1, cp = (unsigned char)s[end - 1];
		if (!uc_is_space(cp))
			break;
		end = start;
	}
	return n - end;
}

size_t
utf8_count(const char *s, size_t n)
{
	size_t i = 0, c = 0;
	uint32_t cp;

	while (i < n) {
		i += utf8_decode(s + i, n - i, &cp);
		c++;
	}
	return c;
}

size_t
utf8_offset(const char *s, size_t n, size_t idx)
{
	size_t i = 0;
	uint32_t cp;

	while (i < n && idx > 0) {
		i += utf8_decode(s + i, n - i, &cp);
		idx--;
	}
	return i;
}

int
uc_is_alpha(uint32_t cp)
{
	if (cp < 0x80)
		return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
	return uc_upper(cp) != cp || uc_lower(cp) != cp;
}

uint32_t
uc_upper(uint32_t cp)
{
	if (cp >= 'a' && cp <= 'z')
		return cp - 32;
	if (cp < 0xe0)
		return cp == 0xb5 ? 0x39c : cp;
	if (cp <= 0xfe && cp != 0xf7)
		return cp - 32;
	if (cp == 0xff)
		return 0x178;
	if (cp >= 0x100 && cp <= 0x17f && cp != 0x130 && cp != 0x131 && cp != 0x138 && cp != 0x149) {
		if ((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17e))
			return (cp & 1) ? cp : cp - 1;
		return (cp & 1) ? cp - 1 : cp;
	}
	if (cp >= 0x3b1 && cp <= 0x3c9 && cp != 0x3c2)
		return cp - 32;
	if (cp >= 0x430 && cp <= 0x44f)
		return cp - 32;
	if (cp >= 0x450 && cp <= 0x45f)
		return cp - 80;
	return cp;
}

uint32_t
uc_lower(uint32_t cp)
{
	if (cp >= 'A' && cp <= 'Z')
		return cp + 32;
	if (cp < 0xc0)
		return cp;
	if (cp <= 0xde && cp != 0xd7)
		return cp + 32;
	if (cp == 0x178)
		return 0xff;
	if (cp >= 0x100 && cp <= 0x17f && cp != 0x130 && cp != 0x131 && cp != 0x138 && cp != 0x149) {
		if ((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17e))
			return (cp & 1) ? cp + 1 : cp;
		return (cp & 1) ? cp : cp + 1;
	}
	if (cp >= 0x391 && cp <= 0x3a9 && cp != 0x3a2)
		return cp + 32;
	if (cp >= 0x410 && cp <= 0x42f)
		return cp + 32;
	if (cp >= 0x400 && cp <= 0x40f)
		return cp + 80;
	return cp;
}
