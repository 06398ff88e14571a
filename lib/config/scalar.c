/* Plain-scalar typing exactly as PyYAML's SafeLoader (YAML 1.1) does it,
 * so that a config means to kylecode what it meant to the prototype: the
 * regular expressions of yaml/resolver.py written out as small matchers,
 * and the conversions of yaml/constructor.py. docs/CONFIG.md has the
 * table; tests/unit/config_scalar_test.c pins every row. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lib/config/config_int.h"
#include "lib/core/xmalloc.h"

static const char *const scalar_bools_true[] = {"yes",  "Yes", "YES", "true", "True",
                                                "TRUE", "on",  "On",  "ON",   NULL};
static const char *const scalar_bools_false[] = {"no",    "No",  "NO",  "false", "False",
                                                 "FALSE", "off", "Off", "OFF",   NULL};
static const char *const scalar_nulls[] = {"~", "null", "Null", "NULL", "", NULL};

static int
scalar_in(const char *s, const char *const *set)
{
	for (; *set != NULL; set++)
		if (strcmp(s, *set) == 0)
			return 1;
	return 0;
}

/* [chars]* from p; returns the end. */
static const char *
scalar_span(const char *p, const char *chars)
{
	while (*p != '\0' && strchr(chars, *p) != NULL)
		p++;
	return p;
}

/* (:[0-5]?[0-9])+ from p; returns the end, or NULL if no group. */
static const char *
scalar_sexa_groups(const char *p)
{
	const char *start = p;

	while (*p == ':') {
		if (isdigit((unsigned char)p[1]) && isdigit((unsigned char)p[2]) && p[1] <= '5')
			p += 3;
		else if (isdigit((unsigned char)p[1]))
			p += 2;
		else
			break;
	}
	return p == start ? NULL : p;
}

/* ^(?:[-+]?0b[0-1_]+ |[-+]?0[0-7_]+ |[-+]?(?:0|[1-9][0-9_]*)
 *   |[-+]?0x[0-9a-fA-F_]+ |[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$ */
static int
scalar_is_int(const char *s)
{
	const char *p = s + (*s == '-' || *s == '+');
	const char *q;

	if (p[0] == '0' && p[1] == 'b')
		return p[2] != '\0' && *scalar_span(p + 2, "01_") == '\0';
	if (p[0] == '0' && p[1] == 'x')
		return p[2] != '\0' && *scalar_span(p + 2, "0123456789abcdefABCDEF_") == '\0';
	if (p[0] == '0')
		return p[1] == '\0' || *scalar_span(p + 1, "01234567_") == '\0';
	if (p[0] < '1' || p[0] > '9')
		return 0;
	q = scalar_span(p + 1, "0123456789_");
	if (*q == '\0')
		return 1;
	q = scalar_sexa_groups(q);
	return q != NULL && *q == '\0';
}

/* (?:[eE][-+][0-9]+)? at p, then the end of the string. */
static int
scalar_exp_end(const char *p)
{
	if (*p == '\0')
		return 1;
	if ((*p != 'e' && *p != 'E') || (p[1] != '-' && p[1] != '+') ||
	    !isdigit((unsigned char)p[2]))
		return 0;
	return *scalar_span(p + 2, "0123456789") == '\0';
}

/* ^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
 *   |\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
 *   |[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
 *   |[-+]?\.(?:inf|Inf|INF) |\.(?:nan|NaN|NAN))$ */
static int
scalar_is_float(const char *s)
{
	const char *p = s + (*s == '-' || *s == '+');
	const char *q;

	if (*s == '.' && isdigit((unsigned char)s[1]))
		return scalar_exp_end(scalar_span(s + 2, "0123456789_"));
	if (strcmp(s, ".nan") == 0 || strcmp(s, ".NaN") == 0 || strcmp(s, ".NAN") == 0)
		return 1;
	if (strcmp(p, ".inf") == 0 || strcmp(p, ".Inf") == 0 || strcmp(p, ".INF") == 0)
		return 1;
	if (!isdigit((unsigned char)*p))
		return 0;
	q = scalar_span(p + 1, "0123456789_");
	if (*q == '.')
		return scalar_exp_end(scalar_span(q + 1, "0123456789_"));
	q = scalar_sexa_groups(q);
	if (q == NULL || *q != '.')
		return 0;
	return *scalar_span(q + 1, "0123456789_") == '\0';
}

/* The digits of s without '_' (PyYAML removes them before converting). */
static char *
scalar_strip_underscores(const char *s)
{
	char *out = xmalloc(strlen(s) + 1), *o = out;

	for (; *s != '\0'; s++)
		if (*s != '_')
			*o++ = *s;
	*o = '\0';
	return out;
}

/* Value of base-`base` digits as a double (Python ints are unbounded;
 * the tree holds doubles, exact up to 2^53). -1 when there are none. */
static int
scalar_digits_value(const char *d, int base, double *out)
{
	double v = 0;

	if (*d == '\0')
		return -1;
	for (; *d != '\0'; d++) {
		int dv =
		    isdigit((unsigned char)*d) ? *d - '0' : tolower((unsigned char)*d) - 'a' + 10;

		v = v * base + dv;
	}
	*out = v;
	return 0;
}

/* base 60 "a:b:c" (each part an int, or a float for the last). */
static double
scalar_sexagesimal(const char *s)
{
	double v = 0;
	const char *p = s;

	for (;;) {
		char *end;
		double part = strtod(p, &end);

		v = v * 60 + part;
		if (*end != ':')
			break;
		p = end + 1;
	}
	return v;
}

static enum kc_scalar_kind
scalar_int_value(const char *s, double *num)
{
	char *d = scalar_strip_underscores(s), *p = d;
	int neg = 0, rc = 0;
	double v = 0;

	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	if (strcmp(p, "0") == 0)
		v = 0;
	else if (p[0] == '0' && p[1] == 'b')
		rc = scalar_digits_value(p + 2, 2, &v);
	else if (p[0] == '0' && p[1] == 'x')
		rc = scalar_digits_value(p + 2, 16, &v);
	else if (p[0] == '0')
		rc = scalar_digits_value(p + 1, 8, &v);
	else if (strchr(p, ':') != NULL)
		v = scalar_sexagesimal(p);
	else
		v = strtod(p, NULL); /* correctly rounded, as Python's float(int) */
	free(d);
	if (rc != 0)
		return KC_SCALAR_BAD_INT;
	*num = neg && v != 0 ? -v : v; /* Python ints have no -0 */
	return KC_SCALAR_INT;
}

static enum kc_scalar_kind
scalar_float_value(const char *s, double *num)
{
	char *d = scalar_strip_underscores(s), *p = d;
	int neg = 0;
	double v;

	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	if (strcasecmp(p, ".inf") == 0)
		v = INFINITY;
	else if (strcasecmp(p, ".nan") == 0)
		v = NAN;
	else if (strchr(p, ':') != NULL)
		v = scalar_sexagesimal(p);
	else
		v = strtod(p, NULL);
	free(d);
	*num = neg ? -v : v;
	return KC_SCALAR_FLOAT;
}

enum kc_scalar_kind
kc_yaml_resolve_plain(const char *s, size_t n, double *num)
{
	/* A NUL inside the scalar cannot match any pattern (and libyaml
	 * refuses it anyway): it is a string. */
	if (strlen(s) != n)
		return KC_SCALAR_STR;
	if (scalar_in(s, scalar_nulls))
		return KC_SCALAR_NULL;
	if (scalar_in(s, scalar_bools_true))
		return KC_SCALAR_TRUE;
	if (scalar_in(s, scalar_bools_false))
		return KC_SCALAR_FALSE;
	if (strcmp(s, "<<") == 0)
		return KC_SCALAR_MERGE;
	if (strcmp(s, "=") == 0)
		return KC_SCALAR_VALUE;
	/* PyYAML tries float before int for the same first character, but
	 * the two patterns never both match one string. */
	if (scalar_is_float(s))
		return scalar_float_value(s, num);
	if (scalar_is_int(s))
		return scalar_int_value(s, num);
	return KC_SCALAR_STR;
}
