/*
 * dlg_internal.h — what the dialect modules share: the parse context, the
 * per-dialect operations, and helpers for lines, fences and the registry.
 * Private to worker-tools/dialects/.
 */
#ifndef KC_WORKER_TOOLS_DIALECTS_DLG_INTERNAL_H
#define KC_WORKER_TOOLS_DIALECTS_DLG_INTERNAL_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "worker-tools/dialects/dialect.h"

/* Bounds on what a model's message may make a parser do, so that hostile
 * input cannot exhaust the stack or memory. */
#define DLG_MAX_DEPTH 64   /* nesting of literals / YAML / JSON */
#define DLG_MAX_CALLS 1024 /* calls per message */
#define DLG_MAX_ERRORS 64  /* errors listed per message; the rest are counted */

/* A remembered search: the first match of key at or after q was r. It
 * answers any later search from f with q <= f <= r (or r none) in O(1),
 * which keeps a message full of unclosed blocks linear, not quadratic. */
struct dlg_ctx;
typedef size_t (*dlg_search_fn)(const struct dlg_ctx *c, size_t from, const char *key);
struct dlg_memo {
	dlg_search_fn fn;
	char key[72];
	size_t q, r;
};
#define DLG_NMEMO 8

struct dlg_ctx {
	const char *text; /* the whole message, LF line ends, NUL-terminated */
	size_t len;
	const cJSON *tools;   /* array of normalized tool defs, may be NULL */
	const cJSON *aliases; /* object alias -> canonical name, may be NULL */
	struct dialect_result *out;
	int next_id;      /* for call_<n> ids */
	char *aider_file; /* last file named by an Aider block (owned) */
	size_t floor;     /* finders must not start a block before it */
	struct dlg_memo memo[DLG_NMEMO];
	int nmemo;
	int overflowed;     /* the DLG_MAX_CALLS error was reported */
	int errors_dropped; /* errors past DLG_MAX_ERRORS */
	size_t line_off;    /* cache for dlg_line_at(): offset ... */
	int line_no;        /* ... and its 1-based line */
	size_t line_begin;  /* ... and where that line starts */
};

/* One dialect: find the next block at or after `from`, then parse it.
 * find returns 1 and the block's [start, end) offsets, or 0 for none. */
struct dlg_ops {
	const char *name;
	int (*find)(struct dlg_ctx *c, size_t from, size_t *start, size_t *end);
	void (*parse)(struct dlg_ctx *c, size_t start, size_t end);
};

extern const struct dlg_ops dlg_pythonic_ops, dlg_bash_block_ops, dlg_unified_diff_ops,
    dlg_aider_ops, dlg_opencode_patch_ops, dlg_xml_ops, dlg_json_block_ops, dlg_yaml_ops;

/* cJSON allocation failure is out of memory: fatal, like xmalloc. */
cJSON *dlg_nn(cJSON *p);

/* ---- lines and text ---- */
int dlg_line_at(struct dlg_ctx *c, size_t off);
int dlg_col_at(struct dlg_ctx *c, size_t off);
size_t dlg_line_end(const char *s, size_t len, size_t off);  /* offset of '\n' or len */
size_t dlg_next_line(const char *s, size_t len, size_t off); /* start of the next line */
size_t dlg_line_start(const char *s, size_t off);            /* start of off's line */
/* 1 when [a, b) holds only blanks. */
int dlg_is_blank(const char *s, size_t a, size_t b);
/* Finds needle in [from, len); returns its offset or (size_t)-1. */
size_t dlg_find(const char *s, size_t len, size_t from, const char *needle);
/* Same, ASCII case-insensitive. */
size_t dlg_find_ci(const char *s, size_t len, size_t from, const char *needle);
/* Trimmed line [a, b) equals lit. */
int dlg_line_is(const char *s, size_t a, size_t b, const char *lit);
/* Fence opener "```lang" (any lang, 3+ backticks or tildes): 1 and the
 * language in [*la, *lb). */
int dlg_fence_open(const char *s, size_t a, size_t b, size_t *la, size_t *lb);
/* A line holding only a closing fence. */
int dlg_fence_close(const char *s, size_t a, size_t b);
/* Grows [*start, *end) to take in a fence around it: when the line before
 * start opens a fence (optionally with one name line between) and the line
 * after end closes it. */
void dlg_fence_absorb(struct dlg_ctx *c, size_t *start, size_t *end);

/* fn(c, from, key) through the memo; fn must return the first match at or
 * after from, or (size_t)-1. Keys longer than the memo's are not cached. */
size_t dlg_search(struct dlg_ctx *c, dlg_search_fn fn, const char *key, size_t from);
/* Search functions for dlg_search: ASCII case-insensitive substring, and
 * a line whose trimmed text equals key. */
size_t dlg_search_ci(const struct dlg_ctx *c, size_t from, const char *key);
size_t dlg_search_line(const struct dlg_ctx *c, size_t from, const char *key);

/* ---- registry ---- */
/* The definition of name (directly or through an alias), or NULL. */
const cJSON *dlg_tool_find(const struct dlg_ctx *c, const char *name);
/* The first of the NULL-terminated candidates the registry has, or NULL. */
const cJSON *dlg_tool_pick(const struct dlg_ctx *c, const char *const *cands);
/* Name of the tool's parameter: the first of cands it declares, else its
 * parameter number idx, else cands[0]. */
const char *dlg_param_pick(const cJSON *def, const char *const *cands, int idx);
/* The parameter list (array) of a def, or NULL. */
const cJSON *dlg_tool_params(const cJSON *def);
/* 1 when the def declares parameter name. */
int dlg_param_has(const cJSON *def, const char *name);
/* The declared type of parameter `name` ("string", "integer", ...) or NULL. */
const char *dlg_param_type(const cJSON *def, const char *name);

/* ---- results ---- */
/* Appends a call; takes ownership of args (an object). name is resolved
 * through the registry. Returns the call's index. */
int dlg_add_call(struct dlg_ctx *c, const char *name, cJSON *args, const char *dialect, size_t off);
void dlg_add_error(struct dlg_ctx *c, const char *dialect, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* An args object {k: v} with one string member. */
cJSON *dlg_args1(const char *k, const char *v);

/* JSON calls in any of the shapes models write; used by json_block and
 * by pythonic when a block holds JSON. Returns the number of calls added,
 * or -1 after reporting why the value is not a call. */
int dlg_json_calls(struct dlg_ctx *c, const cJSON *v, const char *dialect, size_t off,
                   const char *what);

#endif
