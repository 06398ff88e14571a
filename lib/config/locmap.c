/* The side table from cJSON nodes to where they came from. cJSON has no
 * spare field, so the location lives beside the tree, keyed by the node's
 * address: open addressing with linear probing and backward-shift
 * deletion (no tombstones), because merging frees nodes and a freed
 * address can be reused by a later allocation. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/config/config_int.h"
#include "lib/core/xmalloc.h"

struct locmap_ent {
	const cJSON *node; /* NULL: empty slot */
	uint32_t file;
	int line, col, key_line, key_col;
	int is_float;
};

struct kc_locmap {
	struct locmap_ent *tab;
	size_t cap, n; /* cap is a power of two */
	char **files;
	size_t nfiles;
};

static size_t
locmap_slot(const struct kc_locmap *m, const cJSON *node)
{
	uint64_t x = (uint64_t)(uintptr_t)node;

	/* The splitmix64 finalizer: heap addresses share their low and high
	 * bits, and every bit of the result must depend on all of them. */
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return (size_t)x & (m->cap - 1);
}

struct kc_locmap *
kc_locmap_new(void)
{
	struct kc_locmap *m = xcalloc(1, sizeof(*m));

	m->cap = 64;
	m->tab = xcalloc(m->cap, sizeof(*m->tab));
	return m;
}

void
kc_locmap_free(struct kc_locmap *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->nfiles; i++)
		free(m->files[i]);
	free(m->files);
	free(m->tab);
	free(m);
}

uint32_t
kc_locmap_file(struct kc_locmap *m, const char *file)
{
	size_t i;

	for (i = 0; i < m->nfiles; i++)
		if (strcmp(m->files[i], file) == 0)
			return (uint32_t)i;
	m->files = xreallocarray(m->files, m->nfiles + 1, sizeof(*m->files));
	m->files[m->nfiles] = xstrdup(file);
	return (uint32_t)m->nfiles++;
}

static void
locmap_grow(struct kc_locmap *m)
{
	struct locmap_ent *old = m->tab;
	size_t oldcap = m->cap, i, j;

	m->cap *= 2;
	m->tab = xcalloc(m->cap, sizeof(*m->tab));
	for (i = 0; i < oldcap; i++) {
		if (old[i].node == NULL)
			continue;
		j = locmap_slot(m, old[i].node);
		while (m->tab[j].node != NULL)
			j = (j + 1) & (m->cap - 1);
		m->tab[j] = old[i];
	}
	free(old);
}

static struct locmap_ent *
locmap_find(const struct kc_locmap *m, const cJSON *node)
{
	size_t j = locmap_slot(m, node);

	while (m->tab[j].node != NULL) {
		if (m->tab[j].node == node)
			return &m->tab[j];
		j = (j + 1) & (m->cap - 1);
	}
	return NULL;
}

void
kc_locmap_put(struct kc_locmap *m, const cJSON *node, uint32_t file, int line, int col,
              int key_line, int key_col, int is_float)
{
	struct locmap_ent *e;
	size_t j;

	if (m == NULL || node == NULL)
		return;
	if ((m->n + 1) * 4 > m->cap * 3)
		locmap_grow(m);
	e = locmap_find(m, node);
	if (e == NULL) {
		j = locmap_slot(m, node);
		while (m->tab[j].node != NULL)
			j = (j + 1) & (m->cap - 1);
		e = &m->tab[j];
		m->n++;
	}
	e->node = node;
	e->file = file;
	e->line = line;
	e->col = col;
	e->key_line = key_line;
	e->key_col = key_col;
	e->is_float = is_float;
}

/* Backward-shift deletion keeps every probe chain unbroken. */
static void
locmap_del(struct kc_locmap *m, const cJSON *node)
{
	struct locmap_ent *e = locmap_find(m, node);
	size_t i, j, k;

	if (e == NULL)
		return;
	i = (size_t)(e - m->tab);
	m->tab[i].node = NULL;
	m->n--;
	j = i;
	for (;;) {
		j = (j + 1) & (m->cap - 1);
		if (m->tab[j].node == NULL)
			return;
		k = locmap_slot(m, m->tab[j].node);
		/* Move j back into the hole i unless its home k lies in (i, j]. */
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		m->tab[i] = m->tab[j];
		m->tab[j].node = NULL;
		i = j;
	}
}

void
kc_locmap_forget_tree(struct kc_locmap *m, const cJSON *node)
{
	const cJSON *ch;

	if (m == NULL || node == NULL)
		return;
	for (ch = node->child; ch != NULL; ch = ch->next)
		kc_locmap_forget_tree(m, ch);
	locmap_del(m, node);
}

int
kc_locmap_get(const struct kc_locmap *m, const cJSON *node, struct kc_loc *out)
{
	const struct locmap_ent *e;

	if (m == NULL || node == NULL)
		return -1;
	e = locmap_find(m, node);
	if (e == NULL)
		return -1;
	out->file = m->files[e->file];
	out->line = e->line;
	out->col = e->col;
	out->key_line = e->key_line;
	out->key_col = e->key_col;
	out->is_float = e->is_float;
	return 0;
}

int
kc_locmap_is_float(const struct kc_locmap *m, const cJSON *node)
{
	const struct locmap_ent *e;

	if (m == NULL || node == NULL)
		return 0;
	e = locmap_find(m, node);
	return e != NULL && e->is_float;
}

/* Copies the entry of `from` (in src) to `to` (in dst), translating the
 * file index. */
void
kc_locmap_copy(struct kc_locmap *dst, const cJSON *to, const struct kc_locmap *src,
               const cJSON *from)
{
	const struct locmap_ent *e;
	uint32_t f;

	if (dst == NULL || src == NULL)
		return;
	e = locmap_find(src, from);
	if (e == NULL)
		return;
	f = dst == src ? e->file : kc_locmap_file(dst, src->files[e->file]);
	kc_locmap_put(dst, to, f, e->line, e->col, e->key_line, e->key_col, e->is_float);
}

size_t
kc_locmap_count(const struct kc_locmap *m)
{
	return m ? m->n : 0;
}
