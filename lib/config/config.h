/* Schema-v2 configuration (DESIGN §3): YAML read with libyaml into one
 * cJSON tree (every module uses the same JSON type), with a side table that
 * maps each node to the file, line and column it came from, so that every
 * message can say where the user has to look.
 *
 * Scalars are typed exactly as the prototype's loader (PyYAML safe_load,
 * YAML 1.1) typed them, so a config means the same thing to kylecode as it
 * did to the prototype; `extends:` is resolved and deep-merged the same way.
 * docs/CONFIG.md states the rules. */
#ifndef KC_LIB_CONFIG_CONFIG_H
#define KC_LIB_CONFIG_CONFIG_H

#include <stddef.h>
#include <stdio.h>

#include <cjson/cJSON.h>

/* ---- diagnostics ------------------------------------------------------ */

enum kc_diag_sev {
	KC_DIAG_WARN = 1,
	KC_DIAG_ERROR = 2,
};

/* One message, already formatted as "file:line:col: key.path: what". */
struct kc_diag_item {
	enum kc_diag_sev sev;
	char *msg;
};

/* A list of messages; owned by the caller, freed with kc_diag_list_free.
 * Zero-initialising it ({0}) is a valid empty list. */
struct kc_diag_list {
	struct kc_diag_item *items;
	size_t n, cap;
	size_t nerrors, nwarnings;
};

void kc_diag_list_init(struct kc_diag_list *d);
void kc_diag_list_free(struct kc_diag_list *d);
void kc_diag_add(struct kc_diag_list *d, enum kc_diag_sev sev, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Prints every message, one per line, "error: " / "warning: " prefixed. */
void kc_diag_print(const struct kc_diag_list *d, FILE *f);

/* ---- YAML -> cJSON ---------------------------------------------------- */

/* Where nodes came from. Owned by whoever owns the tree it describes. */
struct kc_locmap;

struct kc_loc {
	const char *file;      /* owned by the map; valid while the map lives */
	int line, col;         /* 1-based; of the value (for map members: the value) */
	int key_line, key_col; /* map members: the key; else the value again */
	int is_float;          /* a number that YAML typed as float (1.0 vs 1) */
};

/* Limits against hostile input: huge files, too many nodes (memory: a
 * 16 MB file of "[]," would be 5M nodes), billion laughs (nodes created by
 * expanding aliases), deep nesting (recursion in merge and print), and
 * long extends chains. */
#define KC_YAML_MAX_BYTES (16u * 1024u * 1024u)
#define KC_YAML_MAX_NODES 2500000u
#define KC_YAML_MAX_ALIAS_NODES 100000u
#define KC_YAML_MAX_DEPTH 200
#define KC_CONFIG_MAX_EXTENDS_DEPTH 32

struct kc_locmap *kc_locmap_new(void);
void kc_locmap_free(struct kc_locmap *m);
/* Looks a node up; 0 and *out filled, or -1 when the node is unknown. */
int kc_locmap_get(const struct kc_locmap *m, const cJSON *node, struct kc_loc *out);

/* Parses one YAML document (a second document is refused) into a cJSON
 * tree typed as PyYAML safe_load does. Locations go into `locs` (may be
 * NULL). On error returns NULL and adds "file:line:col: what" to d.
 * `name` is the file name used in messages. An empty document gives a
 * cJSON null. The caller owns the tree. */
cJSON *kc_yaml_parse(const char *buf, size_t len, const char *name, struct kc_locmap *locs,
                     struct kc_diag_list *d);
cJSON *kc_yaml_parse_file(const char *path, struct kc_locmap *locs, struct kc_diag_list *d);

/* ---- loading, merging, validating ------------------------------------- */

struct kc_config; /* opaque: merged tree + locations + file list */

/* Loads `path`, resolves `extends` (relative to the extending file,
 * recursive, several bases merged in order before the child, cycles
 * reported with the chain), deep-merges. NULL on error, messages in d. */
struct kc_config *kc_config_load(const char *path, struct kc_diag_list *d);
void kc_config_free(struct kc_config *c);

/* The merged document, exactly (no defaults). Owned by the config. */
const cJSON *kc_config_root(const struct kc_config *c);
/* The path given to kc_config_load and its directory (absolute). */
const char *kc_config_path(const struct kc_config *c);
const char *kc_config_dir(const struct kc_config *c);
/* Files read, the top file first; n set to the count. */
const char *const *kc_config_files(const struct kc_config *c, size_t *n);

/* Where a node of the merged tree came from: 0, or -1 if unknown. */
int kc_config_where(const struct kc_config *c, const cJSON *node, struct kc_loc *out);
/* "file:line:col" of a node (or of the top file when unknown) in buf. */
const char *kc_config_where_str(const struct kc_config *c, const cJSON *node, char *buf,
                                size_t len);

/* Schema v2 checks of the merged tree (types, required keys, known keys;
 * unknown keys are warnings). Errors and warnings go to `out`; returns the
 * number of errors (0: valid). What needs the tool registry or the files
 * the config names (tool names in modes, templates) is checked by
 * kc_tools_check_config in lib/tpsl, which sits above this library. */
int kc_config_validate(const struct kc_config *c, struct kc_diag_list *out);

/* Path lookup for relative paths held in the config (tool registry, packs,
 * templates), DESIGN §3: absolute paths as they are; else the working
 * directory, then the config file's directory and each of its parents.
 * Returns a malloc'd absolute path of the first that exists, or NULL with
 * a message in err saying every place it looked. */
char *kc_config_resolve_path(const struct kc_config *c, const char *rel, char *err, size_t errlen);

/* The merged document with defaults added and paths resolved (what
 * `config show --effective` prints). The caller owns the result; `locs`
 * (may be NULL) receives the locations of the copied nodes. NULL with
 * messages in d when a path is found nowhere. */
cJSON *kc_config_effective(const struct kc_config *c, struct kc_locmap *locs,
                           struct kc_diag_list *d);

/* ---- small getters over the tree (NULL/default when absent) ------------ */

/* "a.b.c" lookup through objects. */
const cJSON *kc_cfg_get(const cJSON *root, const char *dotted);
const char *kc_cfg_str(const cJSON *root, const char *dotted, const char *def);
double kc_cfg_num(const cJSON *root, const char *dotted, double def);
int kc_cfg_bool(const cJSON *root, const char *dotted, int def);

/* ---- printing ----------------------------------------------------------- */

struct strbuf;

/* The locations of the merged tree (for the printers below). */
const struct kc_locmap *kc_config_locs(const struct kc_config *c);

/* Appends a tree as JSON the way Python's json.dumps(indent=2,
 * ensure_ascii=False) writes it (floats as repr() writes them; `locs`, may
 * be NULL, says which numbers were floats), so `config show --json` can be
 * compared byte for byte with the prototype's loader. */
void kc_json_emit(const struct kc_locmap *locs, const cJSON *node, struct strbuf *out);

/* Appends a tree as Python's json.dumps(sort_keys=True) writes it (one
 * line, ", " and ": " separators, ASCII with \u escapes): the canonical
 * form hashed into prompt cache keys, reproducible by the prototype. */
void kc_json_emit_canonical(const struct kc_locmap *locs, const cJSON *node, struct strbuf *out);

/* Appends a tree as YAML (block style; strings quoted when a plain scalar
 * would be read back as something else), for `config show`. */
void kc_yaml_emit(const struct kc_locmap *locs, const cJSON *node, struct strbuf *out);

#endif
