/* A chunked bump allocator: a parse or a render allocates freely and
 * frees everything at once, which keeps ownership trivial and makes a
 * byte budget (the limit) easy to enforce against hostile templates. */
#include <stdlib.h>
#include <string.h>

#include "lib/core/xmalloc.h"
#include "lib/template/tpl_int.h"

#define TPL_CHUNK_MIN 8192

struct tpl_chunk {
	struct tpl_chunk *next;
	size_t cap, used;
	max_align_t data[];
};

void
tpl_arena_init(struct tpl_arena *a, size_t limit)
{
	a->head = NULL;
	a->used = 0;
	a->limit = limit;
	a->over = 0;
}

void
tpl_arena_free(struct tpl_arena *a)
{
	struct tpl_chunk *c, *next;

	for (c = a->head; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	a->head = NULL;
	a->used = 0;
}

void *
tpl_arena_alloc(struct tpl_arena *a, size_t n)
{
	struct tpl_chunk *c = a->head;
	size_t cap;
	void *p;

	n = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	if (n == 0)
		n = sizeof(max_align_t);
	if (a->limit != 0 && (n > a->limit || a->used > a->limit - n)) {
		a->over = 1;
		return NULL;
	}
	if (c == NULL || c->cap - c->used < n) {
		cap = TPL_CHUNK_MIN;
		if (c != NULL && c->cap < (1u << 20))
			cap = c->cap * 2;
		if (cap < n)
			cap = n;
		c = xmalloc(sizeof(*c) + cap);
		c->cap = cap;
		c->used = 0;
		c->next = a->head;
		a->head = c;
	}
	p = (char *)c->data + c->used;
	c->used += n;
	a->used += n;
	return p;
}

char *
tpl_arena_strndup(struct tpl_arena *a, const char *s, size_t n)
{
	char *p = tpl_arena_alloc(a, n + 1);

	if (p == NULL)
		return NULL;
	if (n > 0)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* ---- interned strings: one pointer per distinct string ---- */

size_t
tpl_hash(const char *p, size_t n)
{
	size_t h = 2166136261u; /* FNV-1a */
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 16777619u;
	return h;
}

static void
strset_grow(struct tpl_strset *set)
{
	size_t cap = set->slot ? (set->mask + 1) * 2 : 64, i, k;
	const char **nv = xcalloc(cap, sizeof(*nv));

	for (i = 0; set->slot != NULL && i <= set->mask; i++) {
		if (set->slot[i] == NULL)
			continue;
		for (k = tpl_hash(set->slot[i], strlen(set->slot[i])) & (cap - 1); nv[k] != NULL; k = (k + 1) & (cap - 1))
			;
		nv[k] = set->slot[i];
	}
	free(set->slot);
	set->slot = nv;
	set->mask = cap - 1;
}

const char *
tpl_intern(struct tpl_strset *set, struct tpl_arena *a, const char *s, size_t n, int copy)
{
	const char *hit;
	size_t k;

	if (set->slot == NULL || 2 * (set->n + 1) > set->mask + 1)
		strset_grow(set);
	for (k = tpl_hash(s, n) & set->mask; (hit = set->slot[k]) != NULL; k = (k + 1) & set->mask)
		if (strncmp(hit, s, n) == 0 && hit[n] == '\0')
			return hit;
	if (copy && (s = tpl_arena_strndup(a, s, n)) == NULL)
		return NULL;
	set->slot[k] = s;
	set->n++;
	return s;
}

void
tpl_strset_free(struct tpl_strset *set)
{
	free(set->slot);
	set->slot = NULL;
	set->mask = set->n = 0;
}
