/* Template data: the caller's JSON tree converted into the engine's own
 * values before rendering. Dicts and lists become arrays with their
 * lengths known and strings carry their byte length, so that reading
 * `t.name` inside a loop is an array scan guided by a hint (tpl_ops.c),
 * not a walk of cJSON's linked list with a strlen on every string read.
 *
 * kc_tpl_render converts per call into the render arena and borrows the
 * cJSON strings. kc_tpl_data_new converts once and copies them, for a
 * caller that renders many times with the same data: the same thing a
 * Jinja2 caller does when it builds its Python dicts once and passes
 * them to every render.
 *
 * Numbers: cJSON keeps only a double, so a JSON number that is integral
 * and within +-2^53 becomes an int, anything else a float (see
 * docs/TEMPLATES.md). Keys are interned (one string per distinct key).
 * Duplicate keys (cJSON keeps them all) collapse as
 * Python's json module does: the last value, at the first key's place. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/xmalloc.h"
#include "lib/template/tpl_int.h"

#define TPL_DATA_MAX_DEPTH 1000 /* cJSON's own parse limit */
#define TPL_DATA_HASH_MIN 16    /* objects with more keys dedupe by hash */

struct tpl_conv {
	struct tpl_arena *a;
	int copy;
	const char *what;
	char *err;
	size_t errlen;
	/* Keys are interned: every "name" key of the data is one pointer, so
	 * that an attribute read compares pointers (tv_getattr_data). */
	struct tpl_strset keys;
};

struct kc_tpl_data {
	struct tpl_arena arena;
	struct tpl_dict *root;
};

static int conv_value(struct tpl_conv *cv, const cJSON *j, int depth, struct tv *out);

static int
conv_fail(struct tpl_conv *cv, const char *msg)
{
	if (cv->err != NULL && cv->errlen > 0)
		snprintf(cv->err, cv->errlen, "%s: %s", cv->what, msg);
	return -1;
}

static void *
conv_alloc(struct tpl_conv *cv, size_t n)
{
	void *p = tpl_arena_alloc(cv->a, n);

	if (p == NULL)
		conv_fail(cv, "template data too large for the render memory limit");
	return p;
}

/* A string value, or (key) a key: the one string per distinct key of
 * this conversion. */
static int
conv_str(struct tpl_conv *cv, const char *s, int key, struct tv *out)
{
	size_t n;

	if (s == NULL)
		s = "";
	n = strlen(s);
	if (key)
		s = tpl_intern(&cv->keys, cv->a, s, n, cv->copy);
	else if (cv->copy)
		s = tpl_arena_strndup(cv->a, s, n);
	if (s == NULL)
		return conv_fail(cv, "template data too large for the render memory limit");
	*out = tv_str(s, n);
	return 0;
}

static size_t
conv_count(const cJSON *j)
{
	const cJSON *c;
	size_t n = 0;

	for (c = j->child; c != NULL; c = c->next)
		n++;
	return n;
}

static int
conv_array(struct tpl_conv *cv, const cJSON *j, int depth, struct tv *out)
{
	size_t n = conv_count(j), i = 0;
	struct tpl_list *l = conv_alloc(cv, sizeof(*l));
	const cJSON *c;

	if (l == NULL || (l->v = conv_alloc(cv, (n + 1) * sizeof(struct tv))) == NULL)
		return -1;
	for (c = j->child; c != NULL; c = c->next)
		if (conv_value(cv, c, depth + 1, &l->v[i++]) < 0)
			return -1;
	l->n = l->cap = n;
	*out = tv_list_val(l, 0);
	return 0;
}

/* Index of key k among d's keys, or -1. slots: an open-addressing table
 * of (index + 1) when the object is large, else NULL (a linear scan). */
static long
conv_find(const struct tpl_dict *d, const struct tv *k, const size_t *slots, size_t mask, size_t *slot)
{
	size_t i, s;

	if (slots == NULL) {
		for (i = 0; i < d->n; i++)
			if (d->k[i].u.s.n == k->u.s.n && memcmp(d->k[i].u.s.p, k->u.s.p, k->u.s.n) == 0)
				return (long)i;
		return -1;
	}
	for (s = tpl_hash(k->u.s.p, k->u.s.n) & mask; slots[s] != 0; s = (s + 1) & mask) {
		i = slots[s] - 1;
		if (d->k[i].u.s.n == k->u.s.n && memcmp(d->k[i].u.s.p, k->u.s.p, k->u.s.n) == 0)
			return (long)i;
	}
	*slot = s;
	return -1;
}

static int
conv_object(struct tpl_conv *cv, const cJSON *j, int depth, struct tpl_dict **out)
{
	size_t n = conv_count(j), mask = 0, slot = 0, *slots = NULL;
	struct tpl_dict *d = conv_alloc(cv, sizeof(*d));
	const cJSON *c;
	struct tv k, v;
	long at;
	int r = -1;

	if (d == NULL || (d->k = conv_alloc(cv, (n + 1) * sizeof(struct tv))) == NULL ||
	    (d->v = conv_alloc(cv, (n + 1) * sizeof(struct tv))) == NULL)
		return -1;
	d->n = 0;
	d->cap = n;
	if (n > TPL_DATA_HASH_MIN) {
		for (mask = 1; mask < 2 * n; mask <<= 1)
			;
		slots = xcalloc(mask--, sizeof(*slots));
	}
	for (c = j->child; c != NULL; c = c->next) {
		if (conv_str(cv, c->string, 1, &k) < 0 || conv_value(cv, c, depth + 1, &v) < 0)
			goto out;
		if ((at = conv_find(d, &k, slots, mask, &slot)) >= 0) {
			d->v[at] = v;
			continue;
		}
		if (slots != NULL)
			slots[slot] = d->n + 1;
		d->k[d->n] = k;
		d->v[d->n++] = v;
	}
	*out = d;
	r = 0;
out:
	free(slots);
	return r;
}

static int
conv_value(struct tpl_conv *cv, const cJSON *j, int depth, struct tv *out)
{
	struct tpl_dict *d;
	double x;

	*out = tv_none();
	if (depth > TPL_DATA_MAX_DEPTH)
		return conv_fail(cv, "template data nested too deeply (limit 1000 levels)");
	switch (j->type & 0xff) {
	case cJSON_String: return conv_str(cv, j->valuestring, 0, out);
	case cJSON_Number:
		x = j->valuedouble;
		if (x >= -9007199254740992.0 && x <= 9007199254740992.0 && x == (double)(long long)x)
			*out = tv_int((long long)x);
		else
			*out = tv_float(x);
		return 0;
	case cJSON_True: *out = tv_bool(1); return 0;
	case cJSON_False: *out = tv_bool(0); return 0;
	case cJSON_Array: return conv_array(cv, j, depth, out);
	case cJSON_Object:
		if (conv_object(cv, j, depth, &d) < 0)
			return -1;
		out->kind = TV_DICT;
		out->u.d = d;
		return 0;
	default: return 0; /* null (and cJSON's raw/invalid nodes): None */
	}
}

struct tpl_dict *
tpl_data_convert(struct tpl_arena *a, const cJSON *j, int copy, const char *what, char *err, size_t errlen)
{
	struct tpl_conv cv = {a, copy, what, err, errlen, {NULL, 0, 0}};
	struct tpl_dict *d;
	int r;

	if (!cJSON_IsObject(j)) {
		conv_fail(&cv, "template data must be a JSON object");
		return NULL;
	}
	r = conv_object(&cv, j, 0, &d);
	tpl_strset_free(&cv.keys);
	return r < 0 ? NULL : d;
}

struct kc_tpl_data *
kc_tpl_data_new(const cJSON *data, char *err, size_t errlen)
{
	struct kc_tpl_data *d = xcalloc(1, sizeof(*d));

	tpl_arena_init(&d->arena, TPL_MAX_ARENA);
	if (data != NULL && (d->root = tpl_data_convert(&d->arena, data, 1, "template data", err, errlen)) == NULL) {
		kc_tpl_data_free(d);
		return NULL;
	}
	return d;
}

void
kc_tpl_data_free(struct kc_tpl_data *d)
{
	if (d == NULL)
		return;
	tpl_arena_free(&d->arena);
	free(d);
}

const struct tpl_dict *
tpl_data_root(const struct kc_tpl_data *d)
{
	return d != NULL ? d->root : NULL;
}
