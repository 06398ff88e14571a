/* A hash index of an object's members by key, so that building or
 * merging a mapping of n keys costs O(n), not the O(n^2) of
 * cJSON_GetObjectItem: a 10 MB mapping must load in well under a second,
 * and a hostile one must not hang the loader. */
#include <stdlib.h>
#include <string.h>

#include "lib/config/config_int.h"
#include "lib/core/xmalloc.h"

static size_t
keyset_hash(const char *s)
{
	size_t h = 1469598103934665603ull; /* FNV-1a */

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

void
kc_keyset_init(struct kc_keyset *k)
{
	k->slots = NULL;
	k->cap = k->n = 0;
}

void
kc_keyset_free(struct kc_keyset *k)
{
	free(k->slots);
	kc_keyset_init(k);
}

static const cJSON **
keyset_slot(const struct kc_keyset *k, const char *key)
{
	size_t i = keyset_hash(key) & (k->cap - 1);

	while (k->slots[i] != NULL && strcmp(k->slots[i]->string, key) != 0)
		i = (i + 1) & (k->cap - 1);
	return &k->slots[i];
}

static void
keyset_grow(struct kc_keyset *k)
{
	const cJSON **old = k->slots;
	size_t oldcap = k->cap, i;

	k->cap = k->cap ? k->cap * 2 : 64;
	k->slots = xcalloc(k->cap, sizeof(*k->slots));
	for (i = 0; i < oldcap; i++)
		if (old[i] != NULL)
			*keyset_slot(k, old[i]->string) = old[i];
	free(old);
}

const cJSON *
kc_keyset_find(const struct kc_keyset *k, const char *key)
{
	if (k->cap == 0)
		return NULL;
	return *keyset_slot(k, key);
}

void
kc_keyset_put(struct kc_keyset *k, const cJSON *item)
{
	if ((k->n + 1) * 2 > k->cap)
		keyset_grow(k);
	if (*keyset_slot(k, item->string) == NULL)
		k->n++;
	*keyset_slot(k, item->string) = item;
}

void
kc_keyset_index(struct kc_keyset *k, const cJSON *obj)
{
	const cJSON *it;

	for (it = obj->child; it != NULL; it = it->next)
		kc_keyset_put(k, it);
}
