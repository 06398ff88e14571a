/* YAML -> cJSON with libyaml's event parser. The result is what PyYAML's
 * safe_load gives the prototype (scalar typing in scalar.c, merge keys,
 * anchors and aliases), with these deliberate refusals, each reported as
 * "file:line:col: what":
 *   - a second document (the prototype's safe_load refused it too);
 *   - duplicate keys (PyYAML silently keeps the last one: a config that
 *     says the same thing twice is a mistake worth a message);
 *   - tags SafeLoader cannot construct, complex keys, recursive aliases;
 *   - input beyond the limits in config.h (size, nesting, alias expansion).
 *
 * Rationale (hostile input): the parser never recurses deeper than
 * KC_YAML_MAX_DEPTH and never creates more than KC_YAML_MAX_ALIAS_NODES
 * nodes by expanding aliases, so a small file cannot make it use
 * exponential memory or overflow the stack ("billion laughs"). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml.h>

#include "lib/config/config_int.h"
#include "lib/core/fsutil.h"
#include "lib/core/log.h"
#include "lib/core/strbuf.h"
#include "lib/core/xmalloc.h"

#define YL_TAG_PREFIX "tag:yaml.org,2002:"

struct yl_anchor {
	char *name;
	cJSON *node; /* owned by the tree being built */
};

struct yl {
	yaml_parser_t parser;
	const char *name;
	const char *buf;
	size_t len;
	struct kc_locmap *locs;
	uint32_t file;
	struct kc_diag_list *d;
	struct yl_anchor *anchors;
	size_t nanchors;
	size_t alias_nodes;
	size_t nodes, max_nodes;
	int depth;
	int failed;
	/* Nodes consumed by merge keys. An anchor may name one (`<<: &m {..}`)
	 * and a later alias copy it, so they live until the parse ends. */
	cJSON *graveyard;
};

/* A mapping member being read: key text and marks. */
struct yl_key {
	char *text;
	int line, col;
};

static cJSON *yl_node(struct yl *y, yaml_event_t *ev, const struct yl_key *key);

static void
yl_error(struct yl *y, int line, int col, const char *fmt, const char *arg)
{
	if (y->failed)
		return; /* one error per file: the rest would be consequences */
	y->failed = 1;
	kc_diag_add(y->d, KC_DIAG_ERROR, "%s:%d:%d: %s%s", y->name, line, col, fmt, arg ? arg : "");
}

static void
yl_error_at(struct yl *y, const yaml_mark_t *m, const char *what, const char *arg)
{
	yl_error(y, (int)m->line + 1, (int)m->column + 1, what, arg);
}

/* line/col of a byte offset (for reader errors, which carry no mark). */
static void
yl_offset_pos(const struct yl *y, size_t off, int *line, int *col)
{
	size_t i;

	*line = 1;
	*col = 1;
	for (i = 0; i < off && i < y->len; i++) {
		if (y->buf[i] == '\n') {
			(*line)++;
			*col = 1;
		} else if (((unsigned char)y->buf[i] & 0xC0) != 0x80) {
			(*col)++;
		}
	}
}

static void
yl_parser_error(struct yl *y)
{
	yaml_parser_t *p = &y->parser;
	char msg[512];
	int line, col;

	if (p->error == YAML_READER_ERROR) {
		yl_offset_pos(y, p->problem_offset, &line, &col);
		snprintf(msg, sizeof(msg), "%s (the file must be UTF-8 text)",
		         p->problem ? p->problem : "unreadable input");
		yl_error(y, line, col, msg, NULL);
		return;
	}
	if (p->error == YAML_MEMORY_ERROR) {
		yl_error(y, 1, 1, "out of memory while parsing", NULL);
		return;
	}
	line = (int)p->problem_mark.line + 1;
	col = (int)p->problem_mark.column + 1;
	snprintf(msg, sizeof(msg), "%s%s%s", p->problem ? p->problem : "syntax error",
	         p->context ? " " : "", p->context ? p->context : "");
	if (p->problem_mark.index < y->len && y->buf[p->problem_mark.index] == '\t')
		strncat(msg, "; tabs cannot indent YAML, use spaces",
		        sizeof(msg) - strlen(msg) - 1);
	yl_error(y, line, col, msg, NULL);
}

static int
yl_next(struct yl *y, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&y->parser, ev)) {
		yl_parser_error(y);
		return -1;
	}
	return 0;
}

static void
yl_put_loc(struct yl *y, const cJSON *n, const yaml_mark_t *m, const struct yl_key *key,
           int is_float)
{
	int line = (int)m->line + 1, col = (int)m->column + 1;

	kc_locmap_put(y->locs, n, y->file, line, col, key ? key->line : line, key ? key->col : col,
	              is_float);
}

static int
yl_tag_is(const yaml_char_t *tag, const char *what)
{
	return tag != NULL &&
	       strncmp((const char *)tag, YL_TAG_PREFIX, strlen(YL_TAG_PREFIX)) == 0 &&
	       strcmp((const char *)tag + strlen(YL_TAG_PREFIX), what) == 0;
}

static void
yl_anchor_add(struct yl *y, const yaml_char_t *name, cJSON *node)
{
	size_t i;

	if (name == NULL)
		return;
	/* A redefined anchor replaces the old one for later aliases. */
	for (i = 0; i < y->nanchors; i++) {
		if (strcmp(y->anchors[i].name, (const char *)name) == 0) {
			y->anchors[i].node = node;
			return;
		}
	}
	y->anchors = xreallocarray(y->anchors, y->nanchors + 1, sizeof(*y->anchors));
	y->anchors[y->nanchors].name = xstrdup((const char *)name);
	y->anchors[y->nanchors].node = node;
	y->nanchors++;
}

static size_t
yl_count_nodes(const cJSON *n)
{
	size_t c = 1;
	const cJSON *ch;

	for (ch = n->child; ch != NULL; ch = ch->next)
		c += yl_count_nodes(ch);
	return c;
}

static cJSON *
yl_alias(struct yl *y, yaml_event_t *ev)
{
	const char *name = (const char *)ev->data.alias.anchor;
	size_t i;

	for (i = y->nanchors; i-- > 0;) {
		if (strcmp(y->anchors[i].name, name) != 0)
			continue;
		y->alias_nodes += yl_count_nodes(y->anchors[i].node);
		if (y->alias_nodes > KC_YAML_MAX_ALIAS_NODES) {
			yl_error_at(y, &ev->start_mark,
			            "aliases expand to too many nodes (a \"billion laughs\" "
			            "document?); the limit is 100000, at alias *",
			            name);
			return NULL;
		}
		return kc_json_dup_loc(y->anchors[i].node, y->locs, y->locs);
	}
	yl_error_at(y, &ev->start_mark,
	            "unknown anchor (aliases must follow their anchor and cannot refer "
	            "to an enclosing node): *",
	            name);
	return NULL;
}

/* A tagged scalar: the constructors of SafeLoader for the core tags. */
static cJSON *
yl_tagged_scalar(struct yl *y, yaml_event_t *ev, const char *v, int *is_float)
{
	const yaml_char_t *tag = ev->data.scalar.tag;
	size_t n = ev->data.scalar.length;
	enum kc_scalar_kind k;
	double num = 0;
	char *end;

	if (yl_tag_is(tag, "str") || strcmp((const char *)tag, "!") == 0)
		return cJSON_CreateString(v);
	if (yl_tag_is(tag, "null"))
		return cJSON_CreateNull();
	if (yl_tag_is(tag, "bool")) {
		if (strcasecmp(v, "yes") == 0 || strcasecmp(v, "true") == 0 ||
		    strcasecmp(v, "on") == 0)
			return cJSON_CreateTrue();
		if (strcasecmp(v, "no") == 0 || strcasecmp(v, "false") == 0 ||
		    strcasecmp(v, "off") == 0)
			return cJSON_CreateFalse();
	} else if (yl_tag_is(tag, "int")) {
		k = kc_yaml_resolve_plain(v, n, &num);
		if (k == KC_SCALAR_INT)
			return cJSON_CreateNumber(num);
	} else if (yl_tag_is(tag, "float")) {
		k = kc_yaml_resolve_plain(v, n, &num);
		if (k != KC_SCALAR_INT && k != KC_SCALAR_FLOAT) {
			num = strtod(v, &end);
			k = (*v != '\0' && *end == '\0') ? KC_SCALAR_FLOAT : KC_SCALAR_STR;
		}
		if (k == KC_SCALAR_INT || k == KC_SCALAR_FLOAT) {
			*is_float = 1;
			return cJSON_CreateNumber(num);
		}
	} else {
		yl_error_at(y, &ev->start_mark,
		            "unsupported tag (the prototype's safe_load "
		            "could not load it either): ",
		            (const char *)tag);
		return NULL;
	}
	yl_error_at(y, &ev->start_mark, "value does not fit its tag ", (const char *)tag);
	return NULL;
}

static cJSON *
yl_scalar(struct yl *y, yaml_event_t *ev, int *is_float)
{
	const char *v = (const char *)ev->data.scalar.value;
	double num = 0;

	*is_float = 0;
	if (ev->data.scalar.tag != NULL && !ev->data.scalar.plain_implicit &&
	    !ev->data.scalar.quoted_implicit)
		return yl_tagged_scalar(y, ev, v, is_float);
	if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE || !ev->data.scalar.plain_implicit)
		return cJSON_CreateString(v);
	switch (kc_yaml_resolve_plain(v, ev->data.scalar.length, &num)) {
	case KC_SCALAR_NULL:
		return cJSON_CreateNull();
	case KC_SCALAR_TRUE:
		return cJSON_CreateTrue();
	case KC_SCALAR_FALSE:
		return cJSON_CreateFalse();
	case KC_SCALAR_FLOAT:
		*is_float = 1;
		return cJSON_CreateNumber(num);
	case KC_SCALAR_INT:
		return cJSON_CreateNumber(num);
	case KC_SCALAR_VALUE:
	case KC_SCALAR_MERGE:
		/* "=" and "<<" are YAML 1.1 special keys: PyYAML's SafeLoader
		 * refuses them as values. */
		yl_error_at(y, &ev->start_mark, "cannot be a plain value (quote it): ", v);
		return NULL;
	case KC_SCALAR_BAD_INT:
		yl_error_at(y, &ev->start_mark, "integer without digits: ", v);
		return NULL;
	case KC_SCALAR_STR:
		break;
	}
	return cJSON_CreateString(v);
}

static cJSON *
yl_sequence(struct yl *y)
{
	cJSON *arr = cJSON_CreateArray();
	yaml_event_t ev;
	cJSON *item;

	for (;;) {
		if (yl_next(y, &ev) != 0)
			goto fail;
		if (ev.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&ev);
			return arr;
		}
		item = yl_node(y, &ev, NULL);
		yaml_event_delete(&ev);
		if (item == NULL)
			goto fail;
		cJSON_AddItemToArray(arr, item);
	}
fail:
	kc_locmap_forget_tree(y->locs, arr);
	cJSON_Delete(arr);
	return NULL;
}

/* A key as Python's json.dumps writes a non-string dict key. */
static char *
yl_key_text(struct yl *y, yaml_event_t *ev, int *is_merge)
{
	char buf[64];
	int is_float = 0;
	cJSON *k;
	char *out;

	*is_merge = 0;
	if (ev->type != YAML_SCALAR_EVENT) {
		yl_error_at(y, &ev->start_mark,
		            "a mapping key must be a scalar (complex keys are not supported)",
		            NULL);
		return NULL;
	}
	if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && ev->data.scalar.plain_implicit &&
	    strcmp((const char *)ev->data.scalar.value, "<<") == 0) {
		*is_merge = 1;
		return xstrdup("<<");
	}
	k = yl_scalar(y, ev, &is_float);
	if (k == NULL)
		return NULL;
	if (cJSON_IsString(k))
		out = xstrdup(k->valuestring);
	else if (cJSON_IsNull(k))
		out = xstrdup("null");
	else if (cJSON_IsBool(k))
		out = xstrdup(cJSON_IsTrue(k) ? "true" : "false");
	else {
		if (is_float)
			kc_py_float_repr(k->valuedouble, buf, sizeof(buf));
		else
			snprintf(buf, sizeof(buf), "%.0f", k->valuedouble);
		out = xstrdup(buf);
	}
	cJSON_Delete(k);
	return out;
}

/* Adds, or replaces in place (a key keeps its first position), a member. */
static void
yl_obj_set(struct yl *y, cJSON *obj, struct kc_keyset *keys, const char *key, cJSON *val)
{
	cJSON *old = (cJSON *)kc_keyset_find(keys, key);

	if (old == NULL) {
		cJSON_AddItemToObject(obj, key, val);
		kc_keyset_put(keys, val);
		return;
	}
	if (val->string == NULL) /* ReplaceItemViaPointer sets no key */
		val->string = xstrdup(key);
	/* Re-point the index before `old` is freed (it reads keys). */
	kc_keyset_put(keys, val);
	kc_locmap_forget_tree(y->locs, old);
	cJSON_ReplaceItemViaPointer(obj, old, val);
}

/* PyYAML flatten_mapping: the merged maps come first (of a list of maps,
 * the earlier ones win), the mapping's own keys override them, and a key
 * keeps the position where it first appeared. */
static cJSON *
yl_apply_merges(struct yl *y, cJSON *obj, cJSON *merges)
{
	cJSON *out = cJSON_CreateObject(), *src, *it, *next;
	struct kc_keyset keys;

	kc_keyset_init(&keys);
	for (src = merges->child; src != NULL; src = src->next)
		for (it = src->child; it != NULL; it = it->next)
			yl_obj_set(y, out, &keys, it->string,
			           kc_json_dup_loc(it, y->locs, y->locs));
	for (it = obj->child; it != NULL; it = next) {
		next = it->next;
		cJSON_DetachItemViaPointer(obj, it);
		yl_obj_set(y, out, &keys, it->string, it);
	}
	kc_keyset_free(&keys);
	kc_locmap_copy(y->locs, out, y->locs, obj);
	kc_locmap_forget_tree(y->locs, obj);
	cJSON_Delete(obj); /* emptied above; never anchored (anchors come after) */
	cJSON_AddItemToArray(y->graveyard, merges);
	return out;
}

/* The value of a "<<" key: a map, or a list of maps (earlier ones win,
 * so they are queued last). */
static int
yl_queue_merge(struct yl *y, cJSON *merges, cJSON *val, const yaml_mark_t *m)
{
	cJSON *it, **items;
	size_t n = 0;

	if (cJSON_IsObject(val)) {
		cJSON_AddItemToArray(merges, val);
		return 0;
	}
	if (!cJSON_IsArray(val))
		goto bad;
	for (it = val->child; it != NULL; it = it->next, n++)
		if (!cJSON_IsObject(it))
			goto bad;
	/* Queued reversed, as references: the list itself stays whole in the
	 * graveyard (an alias of it must still see its maps). */
	items = xcalloc(n + 1, sizeof(*items));
	for (n = 0, it = val->child; it != NULL; it = it->next)
		items[n++] = it;
	while (n-- > 0)
		cJSON_AddItemToArray(merges, cJSON_CreateObjectReference(items[n]->child));
	free(items);
	cJSON_AddItemToArray(y->graveyard, val); /* may be anchored: `<<: &l [..]` */
	return 0;
bad:
	yl_error_at(y, m, "a merge key (<<) needs a mapping or a list of mappings", NULL);
	cJSON_AddItemToArray(y->graveyard, val);
	return -1;
}

/* Reads one key/value pair; 1 at the end of the mapping, 0 on a pair, -1
 * on error. */
static int
yl_mapping_pair(struct yl *y, cJSON *obj, cJSON *merges, struct kc_keyset *keys)
{
	yaml_event_t kev, vev;
	struct yl_key key;
	int is_merge, rc = -1;
	cJSON *val;

	if (yl_next(y, &kev) != 0)
		return -1;
	if (kev.type == YAML_MAPPING_END_EVENT) {
		yaml_event_delete(&kev);
		return 1;
	}
	key.line = (int)kev.start_mark.line + 1;
	key.col = (int)kev.start_mark.column + 1;
	key.text = yl_key_text(y, &kev, &is_merge);
	if (key.text == NULL)
		goto out;
	if (!is_merge && kc_keyset_find(keys, key.text) != NULL) {
		yl_error_at(y, &kev.start_mark, "duplicate key: ", key.text);
		goto out;
	}
	if (yl_next(y, &vev) != 0)
		goto out;
	val = yl_node(y, &vev, &key);
	if (val != NULL && is_merge)
		rc = yl_queue_merge(y, merges, val, &vev.start_mark);
	else if (val != NULL) {
		cJSON_AddItemToObject(obj, key.text, val);
		kc_keyset_put(keys, val);
		rc = 0;
	}
	yaml_event_delete(&vev);
out:
	free(key.text);
	yaml_event_delete(&kev);
	return rc;
}

static cJSON *
yl_mapping(struct yl *y)
{
	cJSON *obj = cJSON_CreateObject(), *merges = cJSON_CreateArray();
	struct kc_keyset keys;
	int rc;

	kc_keyset_init(&keys);
	while ((rc = yl_mapping_pair(y, obj, merges, &keys)) == 0)
		;
	kc_keyset_free(&keys);
	if (rc < 0) {
		kc_locmap_forget_tree(y->locs, obj);
		kc_locmap_forget_tree(y->locs, merges);
		cJSON_Delete(obj);
		cJSON_Delete(merges);
		return NULL;
	}
	if (merges->child == NULL) {
		cJSON_Delete(merges);
		return obj;
	}
	return yl_apply_merges(y, obj, merges);
}

static int
yl_collection_tag_ok(struct yl *y, yaml_event_t *ev, const yaml_char_t *tag, int implicit,
                     const char *want)
{
	if (tag == NULL || implicit || strcmp((const char *)tag, "!") == 0 || yl_tag_is(tag, want))
		return 1;
	yl_error_at(y, &ev->start_mark,
	            "unsupported tag (the prototype's safe_load could not load it either): ",
	            (const char *)tag);
	return 0;
}

static cJSON *
yl_node(struct yl *y, yaml_event_t *ev, const struct yl_key *key)
{
	const yaml_char_t *anchor = NULL;
	cJSON *n = NULL;
	int is_float = 0;

	if (y->depth >= KC_YAML_MAX_DEPTH) {
		yl_error_at(y, &ev->start_mark, "nesting is deeper than 200 levels", NULL);
		return NULL;
	}
	if (++y->nodes > y->max_nodes) {
		char msg[80];

		snprintf(msg, sizeof(msg), "more than %zu nodes in one file", y->max_nodes);
		yl_error_at(y, &ev->start_mark, msg, NULL);
		return NULL;
	}
	y->depth++;
	switch (ev->type) {
	case YAML_ALIAS_EVENT:
		n = yl_alias(y, ev);
		break;
	case YAML_SCALAR_EVENT:
		anchor = ev->data.scalar.anchor;
		n = yl_scalar(y, ev, &is_float);
		break;
	case YAML_SEQUENCE_START_EVENT:
		anchor = ev->data.sequence_start.anchor;
		if (yl_collection_tag_ok(y, ev, ev->data.sequence_start.tag,
		                         ev->data.sequence_start.implicit, "seq"))
			n = yl_sequence(y);
		break;
	case YAML_MAPPING_START_EVENT:
		anchor = ev->data.mapping_start.anchor;
		if (yl_collection_tag_ok(y, ev, ev->data.mapping_start.tag,
		                         ev->data.mapping_start.implicit, "map"))
			n = yl_mapping(y);
		break;
	default:
		yl_error_at(y, &ev->start_mark, "unexpected YAML event", NULL);
		break;
	}
	y->depth--;
	if (n == NULL)
		return NULL;
	/* An alias copy keeps the locations of its anchor (where the text is);
	 * everything else is located here. */
	if (ev->type != YAML_ALIAS_EVENT)
		yl_put_loc(y, n, &ev->start_mark, key, is_float);
	yl_anchor_add(y, anchor, n);
	return n;
}

/* STREAM_START [DOCUMENT_START node DOCUMENT_END] STREAM_END */
static cJSON *
yl_document(struct yl *y)
{
	yaml_event_t ev;
	cJSON *root = NULL;

	if (yl_next(y, &ev) != 0)
		return NULL;
	yaml_event_delete(&ev); /* STREAM_START */
	if (yl_next(y, &ev) != 0)
		return NULL;
	if (ev.type == YAML_STREAM_END_EVENT) {
		yaml_event_delete(&ev);
		return cJSON_CreateNull(); /* empty file */
	}
	yaml_event_delete(&ev); /* DOCUMENT_START */
	if (yl_next(y, &ev) != 0)
		return NULL;
	root = yl_node(y, &ev, NULL);
	yaml_event_delete(&ev);
	if (root == NULL)
		return NULL;
	if (yl_next(y, &ev) != 0) /* DOCUMENT_END */
		goto fail;
	yaml_event_delete(&ev);
	if (yl_next(y, &ev) != 0)
		goto fail;
	if (ev.type == YAML_DOCUMENT_START_EVENT) {
		yl_error_at(y, &ev.start_mark,
		            "a second YAML document; a config file holds exactly one "
		            "(remove the '---' separator or split the file)",
		            NULL);
		yaml_event_delete(&ev);
		goto fail;
	}
	yaml_event_delete(&ev);
	return root;
fail:
	kc_locmap_forget_tree(y->locs, root);
	cJSON_Delete(root);
	return NULL;
}

/* Refuses what is not UTF-8 before libyaml sees it: the prototype read
 * configs as UTF-8, and libyaml would otherwise accept UTF-16. */
static int
yl_check_encoding(struct yl *y, const char **buf, size_t *len)
{
	const unsigned char *b = (const unsigned char *)*buf;

	if (*len >= 2 && ((b[0] == 0xFF && b[1] == 0xFE) || (b[0] == 0xFE && b[1] == 0xFF))) {
		yl_error(y, 1, 1, "the file is UTF-16 (or UTF-32); save it as UTF-8", NULL);
		return -1;
	}
	if (*len >= 4 && b[0] == 0 && b[1] == 0 && b[2] == 0xFE && b[3] == 0xFF) {
		yl_error(y, 1, 1, "the file is UTF-32; save it as UTF-8", NULL);
		return -1;
	}
	if (*len >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF) {
		*buf += 3; /* a UTF-8 byte order mark means nothing */
		*len -= 3;
	}
	return 0;
}

cJSON *
kc_yaml_parse(const char *buf, size_t len, const char *name, struct kc_locmap *locs,
              struct kc_diag_list *d)
{
	return kc_yaml_parse_limited(buf, len, name, locs, d, KC_YAML_MAX_NODES);
}

cJSON *
kc_yaml_parse_limited(const char *buf, size_t len, const char *name, struct kc_locmap *locs,
                      struct kc_diag_list *d, size_t max_nodes)
{
	struct kc_locmap *own = NULL;
	struct yl y;
	cJSON *root = NULL;
	size_t i;

	memset(&y, 0, sizeof(y));
	y.name = name ? name : "<input>";
	y.d = d;
	y.max_nodes = max_nodes;
	if (len > KC_YAML_MAX_BYTES) {
		kc_diag_add(d, KC_DIAG_ERROR, "%s: file is larger than %u bytes", y.name,
		            KC_YAML_MAX_BYTES);
		return NULL;
	}
	if (yl_check_encoding(&y, &buf, &len) != 0)
		return NULL;
	if (locs == NULL)
		locs = own = kc_locmap_new();
	y.locs = locs;
	y.file = kc_locmap_file(locs, y.name);
	y.buf = buf;
	y.len = len;
	y.graveyard = cJSON_CreateArray();
	if (!yaml_parser_initialize(&y.parser))
		fatalx("kc_yaml_parse: libyaml initialisation failed");
	yaml_parser_set_encoding(&y.parser, YAML_UTF8_ENCODING);
	yaml_parser_set_input_string(&y.parser, (const unsigned char *)buf, len);
	root = yl_document(&y);
	yaml_parser_delete(&y.parser);
	for (i = 0; i < y.nanchors; i++)
		free(y.anchors[i].name);
	free(y.anchors);
	kc_locmap_forget_tree(locs, y.graveyard);
	cJSON_Delete(y.graveyard);
	kc_locmap_free(own);
	return root;
}

cJSON *
kc_yaml_parse_file(const char *path, struct kc_locmap *locs, struct kc_diag_list *d)
{
	char err[512];
	size_t len;
	char *buf;
	cJSON *root;

	buf = kc_file_read(path, KC_YAML_MAX_BYTES, &len, err, sizeof(err));
	if (buf == NULL) {
		kc_diag_add(d, KC_DIAG_ERROR, "%s", err);
		return NULL;
	}
	root = kc_yaml_parse(buf, len, path, locs, d);
	free(buf);
	return root;
}
