/* Internals shared by the files of lib/config (and its unit tests). */
#ifndef KC_LIB_CONFIG_CONFIG_INT_H
#define KC_LIB_CONFIG_CONFIG_INT_H

#include <stddef.h>
#include <stdint.h>

#include "lib/config/config.h"

/* ---- locmap.c ---- */
uint32_t kc_locmap_file(struct kc_locmap *m, const char *file);
void kc_locmap_put(struct kc_locmap *m, const cJSON *node, uint32_t file, int line, int col,
                   int key_line, int key_col, int is_float);
/* Drops the entries of a subtree about to be freed (its addresses may be
 * reused by later allocations). */
void kc_locmap_forget_tree(struct kc_locmap *m, const cJSON *node);
int kc_locmap_is_float(const struct kc_locmap *m, const cJSON *node);
void kc_locmap_copy(struct kc_locmap *dst, const cJSON *to, const struct kc_locmap *src,
                    const cJSON *from);
size_t kc_locmap_count(const struct kc_locmap *m);

/* ---- keyset.c: members of an object by key (no deletion) ---- */
struct kc_keyset {
	const cJSON **slots;
	size_t cap, n;
};
void kc_keyset_init(struct kc_keyset *k);
void kc_keyset_free(struct kc_keyset *k);
const cJSON *kc_keyset_find(const struct kc_keyset *k, const char *key);
/* Adds or replaces (same key) the member. */
void kc_keyset_put(struct kc_keyset *k, const cJSON *item);
void kc_keyset_index(struct kc_keyset *k, const cJSON *obj);

/* ---- scalar.c: PyYAML (YAML 1.1) implicit typing of plain scalars ---- */
enum kc_scalar_kind {
	KC_SCALAR_STR,
	KC_SCALAR_NULL,
	KC_SCALAR_TRUE,
	KC_SCALAR_FALSE,
	KC_SCALAR_INT,
	KC_SCALAR_FLOAT,
	KC_SCALAR_MERGE,   /* "<<" */
	KC_SCALAR_VALUE,   /* "=": PyYAML's SafeLoader cannot load it */
	KC_SCALAR_BAD_INT, /* matches the int pattern but has no digits ("0b_") */
};

/* Types the plain scalar s (NUL-terminated, length n); *num gets the value
 * of an int or float. Timestamps stay strings (see docs/CONFIG.md). */
enum kc_scalar_kind kc_yaml_resolve_plain(const char *s, size_t n, double *num);

/* ---- yaml.c ---- */
/* kc_yaml_parse with another node cap (tests use a small one). */
cJSON *kc_yaml_parse_limited(const char *buf, size_t len, const char *name, struct kc_locmap *locs,
                             struct kc_diag_list *d, size_t max_nodes);

/* ---- emit.c ---- */
/* A float as Python's repr() writes it ("0.1", "1.0", "1e-07", "inf"). */
void kc_py_float_repr(double v, char *buf, size_t len);

/* ---- config.c ---- */
/* Deep copy of node whose copies get node's locations (src -> dst). */
cJSON *kc_json_dup_loc(const cJSON *node, const struct kc_locmap *src, struct kc_locmap *dst);

#endif
