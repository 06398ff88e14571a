/* Loading a config: one YAML file, its `extends:` bases (relative to the
 * file that names them, recursively, several merged in order before the
 * child), deep-merged the prototype's way (v2_loader._deep_merge): maps
 * merge key by key, anything else of the child replaces; `extends` is
 * dropped. Unlike the prototype, the bases' own `extends` are resolved
 * too (DESIGN §3: multi-level), and a cycle is an error naming the chain.
 *
 * Nodes move from the file trees into the merged tree (never copied), so
 * the location table stays valid; a replaced subtree is forgotten from the
 * table before it is freed. */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/config/config_int.h"
#include "lib/core/log.h"
#include "lib/core/strbuf.h"
#include "lib/core/xmalloc.h"

struct kc_config {
	cJSON *root;
	struct kc_locmap *locs;
	char *path; /* absolute */
	char *dir;
	char **files;
	size_t nfiles;
};

/* The chain of files being loaded, for cycle detection and messages. */
struct cfg_chain {
	const char *files[KC_CONFIG_MAX_EXTENDS_DEPTH + 1];
	int n;
};

static cJSON *cfg_load_file(struct kc_config *c, const char *path, struct cfg_chain *chain,
                            const char *from, struct kc_diag_list *d);

cJSON *
kc_json_dup_loc(const cJSON *node, const struct kc_locmap *src, struct kc_locmap *dst)
{
	cJSON *copy, *ch_copy;
	const cJSON *ch;

	if (cJSON_IsObject(node) || cJSON_IsArray(node)) {
		copy = cJSON_IsObject(node) ? cJSON_CreateObject() : cJSON_CreateArray();
		for (ch = node->child; ch != NULL; ch = ch->next) {
			ch_copy = kc_json_dup_loc(ch, src, dst);
			if (cJSON_IsObject(node))
				cJSON_AddItemToObject(copy, ch->string, ch_copy);
			else
				cJSON_AddItemToArray(copy, ch_copy);
		}
	} else {
		copy = cJSON_Duplicate(node, 0);
		if (copy == NULL)
			fatalx("kc_json_dup_loc: out of memory");
		/* cJSON_Duplicate copies the key too; the caller re-keys. */
		if (copy->string != NULL && !(copy->type & cJSON_StringIsConst))
			cJSON_free(copy->string);
		copy->string = NULL;
	}
	kc_locmap_copy(dst, copy, src, node);
	return copy;
}

/* Moves src's members into dst (both objects), consuming src. */
static void
cfg_merge_into(struct kc_config *c, cJSON *dst, cJSON *src)
{
	struct kc_keyset keys;
	cJSON *it, *old;

	kc_keyset_init(&keys);
	kc_keyset_index(&keys, dst);
	while ((it = src->child) != NULL) {
		cJSON_DetachItemViaPointer(src, it);
		old = (cJSON *)kc_keyset_find(&keys, it->string);
		if (old == NULL) {
			cJSON_AddItemToObject(dst, it->string, it);
			kc_keyset_put(&keys, it);
			continue;
		}
		if (cJSON_IsObject(old) && cJSON_IsObject(it)) {
			cfg_merge_into(c, old, it);
			continue;
		}
		/* Replacement keeps the base's position, as dict assignment does. */
		kc_keyset_put(&keys, it); /* before `old` and its key are freed */
		kc_locmap_forget_tree(c->locs, old);
		cJSON_ReplaceItemViaPointer(dst, old, it);
	}
	kc_keyset_free(&keys);
	kc_locmap_forget_tree(c->locs, src);
	cJSON_Delete(src);
}

static char *
cfg_dirname(const char *path)
{
	char *tmp = xstrdup(path), *out;

	out = xstrdup(dirname(tmp));
	free(tmp);
	return out;
}

static char *
cfg_loc_str(const struct kc_config *c, const cJSON *n, const char *fallback)
{
	struct kc_loc l;

	/* The value: for `extends: x.yaml` that is where x.yaml is written. */
	if (kc_locmap_get(c->locs, n, &l) == 0)
		return xasprintf("%s:%d:%d", l.file, l.line, l.col);
	return xasprintf("%s:1:1", fallback);
}

static void
cfg_note_file(struct kc_config *c, const char *path)
{
	size_t i;

	for (i = 0; i < c->nfiles; i++)
		if (strcmp(c->files[i], path) == 0)
			return;
	c->files = xreallocarray(c->files, c->nfiles + 1, sizeof(*c->files));
	c->files[c->nfiles++] = xstrdup(path);
}

/* The bases a file names: a path or a list of paths. */
static int
cfg_extends_list(struct kc_config *c, const cJSON *ext, const char *file, const cJSON ***out,
                 size_t *n, struct kc_diag_list *d)
{
	const cJSON *it;
	char *where;

	*n = 0;
	*out = NULL;
	if (cJSON_IsNull(ext))
		return 0;
	if (cJSON_IsString(ext)) {
		*out = xcalloc(1, sizeof(**out));
		(*out)[(*n)++] = ext;
		return 0;
	}
	if (cJSON_IsArray(ext)) {
		*out = xcalloc((size_t)cJSON_GetArraySize(ext) + 1, sizeof(**out));
		for (it = ext->child; it != NULL; it = it->next) {
			if (!cJSON_IsString(it))
				goto bad;
			(*out)[(*n)++] = it;
		}
		return 0;
	}
	it = ext;
bad:
	where = cfg_loc_str(c, it, file);
	kc_diag_add(d, KC_DIAG_ERROR, "%s: extends: must be a path or a list of paths", where);
	free(where);
	free(*out);
	*out = NULL;
	return -1;
}

static char *
cfg_chain_str(const struct cfg_chain *chain, const char *last)
{
	struct strbuf sb = STRBUF_INIT;
	int i;

	for (i = 0; i < chain->n; i++)
		strbuf_addf(&sb, "%s -> ", chain->files[i]);
	strbuf_adds(&sb, last);
	return strbuf_detach(&sb, NULL);
}

/* Loads one base named at `ref` (relative to dir) and merges it into
 * *merged. */
static int
cfg_load_base(struct kc_config *c, const cJSON *ref, const char *file, struct cfg_chain *chain,
              cJSON **merged, struct kc_diag_list *d)
{
	char *dir = cfg_dirname(file), *where = cfg_loc_str(c, ref, file);
	const char *rel = ref->valuestring;
	char *path;
	cJSON *base;

	path = rel[0] == '/' ? xstrdup(rel) : xasprintf("%s/%s", dir, rel);
	base = cfg_load_file(c, path, chain, where, d);
	free(path);
	free(dir);
	free(where);
	if (base == NULL)
		return -1;
	if (*merged == NULL)
		*merged = base;
	else
		cfg_merge_into(c, *merged, base);
	return 0;
}

/* Resolves doc's extends: the bases merged in order, then doc. Consumes
 * doc; returns the merged tree or NULL. */
static cJSON *
cfg_resolve_extends(struct kc_config *c, cJSON *doc, const char *file, struct cfg_chain *chain,
                    struct kc_diag_list *d)
{
	cJSON *ext = cJSON_DetachItemFromObjectCaseSensitive(doc, "extends");
	cJSON *merged = NULL;
	const cJSON **refs = NULL;
	size_t n, i;
	int rc = 0;

	if (ext == NULL)
		return doc;
	rc = cfg_extends_list(c, ext, file, &refs, &n, d);
	for (i = 0; rc == 0 && i < n; i++)
		rc = cfg_load_base(c, refs[i], file, chain, &merged, d);
	free(refs);
	kc_locmap_forget_tree(c->locs, ext);
	cJSON_Delete(ext);
	if (rc != 0) {
		kc_locmap_forget_tree(c->locs, merged);
		cJSON_Delete(merged);
		kc_locmap_forget_tree(c->locs, doc);
		cJSON_Delete(doc);
		return NULL;
	}
	if (merged == NULL)
		return doc;
	kc_locmap_copy(c->locs, merged, c->locs, doc);
	cfg_merge_into(c, merged, doc);
	return merged;
}

static int
cfg_chain_check(struct cfg_chain *chain, const char *real, const char *from, struct kc_diag_list *d)
{
	char *s;
	int i;

	for (i = 0; i < chain->n; i++) {
		if (strcmp(chain->files[i], real) != 0)
			continue;
		s = cfg_chain_str(chain, real);
		kc_diag_add(d, KC_DIAG_ERROR, "%s: extends: cycle: %s", from, s);
		free(s);
		return -1;
	}
	if (chain->n >= KC_CONFIG_MAX_EXTENDS_DEPTH) {
		kc_diag_add(d, KC_DIAG_ERROR, "%s: extends: chain deeper than %d files", from,
		            KC_CONFIG_MAX_EXTENDS_DEPTH);
		return -1;
	}
	return 0;
}

static cJSON *
cfg_load_file(struct kc_config *c, const char *path, struct cfg_chain *chain, const char *from,
              struct kc_diag_list *d)
{
	char real[PATH_MAX];
	struct kc_loc l;
	cJSON *doc;

	if (realpath(path, real) == NULL) {
		if (from != NULL)
			kc_diag_add(d, KC_DIAG_ERROR, "%s: extends: %s: %s", from, path,
			            strerror(errno));
		else
			kc_diag_add(d, KC_DIAG_ERROR, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (cfg_chain_check(chain, real, from ? from : path, d) != 0)
		return NULL;
	cfg_note_file(c, real);
	doc = kc_yaml_parse_file(real, c->locs, d);
	if (doc == NULL)
		return NULL;
	if (cJSON_IsNull(doc)) {
		/* An empty file is an empty mapping, as `safe_load(f) or {}`. */
		kc_locmap_forget_tree(c->locs, doc);
		cJSON_Delete(doc);
		doc = cJSON_CreateObject();
		kc_locmap_put(c->locs, doc, kc_locmap_file(c->locs, real), 1, 1, 1, 1, 0);
	}
	if (!cJSON_IsObject(doc)) {
		if (kc_locmap_get(c->locs, doc, &l) != 0)
			l.line = l.col = 1;
		kc_diag_add(d, KC_DIAG_ERROR,
		            "%s:%d:%d: the top level of a config must be a mapping", real, l.line,
		            l.col);
		kc_locmap_forget_tree(c->locs, doc);
		cJSON_Delete(doc);
		return NULL;
	}
	chain->files[chain->n++] = real;
	doc = cfg_resolve_extends(c, doc, real, chain, d);
	chain->n--;
	return doc;
}

struct kc_config *
kc_config_load(const char *path, struct kc_diag_list *d)
{
	struct kc_config *c = xcalloc(1, sizeof(*c));
	struct cfg_chain chain;
	char real[PATH_MAX];

	chain.n = 0;
	c->locs = kc_locmap_new();
	c->root = cfg_load_file(c, path, &chain, NULL, d);
	if (c->root == NULL) {
		kc_config_free(c);
		return NULL;
	}
	if (realpath(path, real) == NULL) { /* raced away */
		kc_diag_add(d, KC_DIAG_ERROR, "%s: %s", path, strerror(errno));
		kc_config_free(c);
		return NULL;
	}
	c->path = xstrdup(real);
	c->dir = cfg_dirname(real);
	return c;
}

void
kc_config_free(struct kc_config *c)
{
	size_t i;

	if (c == NULL)
		return;
	cJSON_Delete(c->root);
	kc_locmap_free(c->locs);
	for (i = 0; i < c->nfiles; i++)
		free(c->files[i]);
	free(c->files);
	free(c->path);
	free(c->dir);
	free(c);
}

const cJSON *
kc_config_root(const struct kc_config *c)
{
	return c->root;
}

const char *
kc_config_path(const struct kc_config *c)
{
	return c->path;
}

const char *
kc_config_dir(const struct kc_config *c)
{
	return c->dir;
}

const char *const *
kc_config_files(const struct kc_config *c, size_t *n)
{
	*n = c->nfiles;
	return (const char *const *)c->files;
}

const struct kc_locmap *
kc_config_locs(const struct kc_config *c)
{
	return c->locs;
}

int
kc_config_where(const struct kc_config *c, const cJSON *node, struct kc_loc *out)
{
	return kc_locmap_get(c->locs, node, out);
}

const char *
kc_config_where_str(const struct kc_config *c, const cJSON *node, char *buf, size_t len)
{
	struct kc_loc l;

	if (kc_locmap_get(c->locs, node, &l) == 0)
		snprintf(buf, len, "%s:%d:%d", l.file, l.key_line, l.key_col);
	else
		snprintf(buf, len, "%s:1:1", c->path);
	return buf;
}

static int
cfg_exists(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0;
}

char *
kc_config_resolve_path(const struct kc_config *c, const char *rel, char *err, size_t errlen)
{
	struct strbuf tried = STRBUF_INIT;
	char cwd[PATH_MAX], *dir, *cand, *slash;

	if (rel == NULL || rel[0] == '\0') {
		snprintf(err, errlen, "empty path");
		return NULL;
	}
	if (rel[0] == '/') {
		if (cfg_exists(rel))
			return xstrdup(rel);
		snprintf(err, errlen, "%s: no such file or directory", rel);
		return NULL;
	}
	if (getcwd(cwd, sizeof(cwd)) != NULL) {
		cand = xasprintf("%s/%s", strcmp(cwd, "/") == 0 ? "" : cwd, rel);
		if (cfg_exists(cand)) {
			strbuf_free(&tried);
			return cand;
		}
		free(cand);
		strbuf_addf(&tried, "%s (working directory)", cwd);
	}
	dir = xstrdup(c->dir);
	for (;;) {
		cand = xasprintf("%s/%s", strcmp(dir, "/") == 0 ? "" : dir, rel);
		if (cfg_exists(cand)) {
			free(dir);
			strbuf_free(&tried);
			return cand;
		}
		free(cand);
		strbuf_addf(&tried, "%s%s", tried.len ? ", " : "", dir);
		slash = strrchr(dir, '/');
		if (slash == NULL || strcmp(dir, "/") == 0)
			break;
		if (slash == dir)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
	free(dir);
	snprintf(err, errlen, "%s: not found; looked in %s", rel, strbuf_str(&tried));
	strbuf_free(&tried);
	return NULL;
}

/* ---- getters ---- */

const cJSON *
kc_cfg_get(const cJSON *root, const char *dotted)
{
	const char *p = dotted, *dot;
	char key[256];
	size_t n;

	while (root != NULL && *p != '\0') {
		dot = strchr(p, '.');
		n = dot ? (size_t)(dot - p) : strlen(p);
		if (n >= sizeof(key) || !cJSON_IsObject(root))
			return NULL;
		memcpy(key, p, n);
		key[n] = '\0';
		root = cJSON_GetObjectItemCaseSensitive(root, key);
		p += n + (dot != NULL);
	}
	return root;
}

const char *
kc_cfg_str(const cJSON *root, const char *dotted, const char *def)
{
	const cJSON *n = kc_cfg_get(root, dotted);

	return cJSON_IsString(n) ? n->valuestring : def;
}

double
kc_cfg_num(const cJSON *root, const char *dotted, double def)
{
	const cJSON *n = kc_cfg_get(root, dotted);

	return cJSON_IsNumber(n) ? n->valuedouble : def;
}

int
kc_cfg_bool(const cJSON *root, const char *dotted, int def)
{
	const cJSON *n = kc_cfg_get(root, dotted);

	return cJSON_IsBool(n) ? cJSON_IsTrue(n) : def;
}
