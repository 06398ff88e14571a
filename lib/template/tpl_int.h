/* Internals of the template engine, shared by its source files only:
 * tokens, the AST, runtime values, and the render context. */
#ifndef KC_LIB_TEMPLATE_TPL_INT_H
#define KC_LIB_TEMPLATE_TPL_INT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "lib/core/strbuf.h"
#include "lib/template/template.h"

/* Limits that keep hostile templates from crashing or hanging the
 * process. Jinja2 itself has none of these (beyond Python's recursion
 * limit); they are far above what any prompt template needs. */
#define TPL_MAX_SOURCE (16u << 20)       /* template bytes */
#define TPL_MAX_NEST 200                 /* parser nesting (exprs + blocks) */
#define TPL_MAX_CALL_DEPTH 100           /* macro / caller recursion */
#define TPL_MAX_OUTPUT (64u << 20)       /* bytes rendered, incl. strings built */
#define TPL_MAX_ARENA (256u << 20)       /* render working memory */
#define TPL_MAX_STEPS 5000000ull         /* loop iterations + calls per render */
#define TPL_MAX_RANGE 10000000ll         /* items in one range() */

/* ---- arena: every allocation of a parse or a render, freed at once ---- */
struct tpl_chunk;
struct tpl_arena {
	struct tpl_chunk *head;
	size_t used;  /* total bytes handed out */
	size_t limit; /* 0 = none */
	int over;     /* set when limit was hit */
};
void tpl_arena_init(struct tpl_arena *a, size_t limit);
void tpl_arena_free(struct tpl_arena *a);
/* NULL only when the limit is hit (never on a size that fits). */
void *tpl_arena_alloc(struct tpl_arena *a, size_t n);
char *tpl_arena_strndup(struct tpl_arena *a, const char *s, size_t n);

/* A set of interned strings (the parser's names, the data's keys): equal
 * strings get one pointer, so that hot lookups compare pointers. */
struct tpl_strset {
	const char **slot; /* open addressing, mask + 1 slots; xmalloc'd */
	size_t mask, n;
};
size_t tpl_hash(const char *p, size_t n);
/* The interned string equal to s[0..n): an existing one, else s itself
 * (copy == 0: s must be NUL-terminated at n and outlive the set's users)
 * or its copy in a. NULL only when a's limit is hit. */
const char *tpl_intern(struct tpl_strset *set, struct tpl_arena *a, const char *s, size_t n, int copy);
void tpl_strset_free(struct tpl_strset *set);

/* ---- tokens ---- */
enum tpl_tok_type {
	TK_EOF,
	TK_DATA,
	TK_VAR_BEGIN,
	TK_VAR_END,
	TK_BLOCK_BEGIN,
	TK_BLOCK_END,
	TK_NAME,
	TK_STRING,
	TK_INT,
	TK_FLOAT,
	TK_OP,
};

enum tpl_op {
	OP_NONE,
	OP_ADD,
	OP_SUB,
	OP_DIV,
	OP_FLOORDIV,
	OP_MUL,
	OP_MOD,
	OP_POW,
	OP_TILDE,
	OP_LBRACKET,
	OP_RBRACKET,
	OP_LPAREN,
	OP_RPAREN,
	OP_LBRACE,
	OP_RBRACE,
	OP_EQ,
	OP_NE,
	OP_GT,
	OP_GTEQ,
	OP_LT,
	OP_LTEQ,
	OP_ASSIGN,
	OP_DOT,
	OP_COLON,
	OP_PIPE,
	OP_COMMA,
	OP_SEMICOLON,
	/* comparison-only pseudo operators */
	OP_IN,
	OP_NOTIN,
};

struct tpl_tok {
	uint8_t type;
	uint8_t op;
	int line;
	const char *p; /* data, name, string value (unescaped), raw number text */
	size_t n;
	long long ival;
	double fval;
};

struct tpl_toks {
	struct tpl_tok *v;
	size_t n, cap;
};

/* Tokenizes src (already newline-normalized by the caller). Strings are
 * unescaped into the arena. Returns 0, or -1 with err "name:line: msg". */
int tpl_lex(const char *src, size_t len, const char *name, struct tpl_arena *a, struct tpl_toks *out,
	    char *err, size_t errlen);

/* ---- values ---- */
enum tpl_kind {
	TV_UNDEF,
	TV_NONE,
	TV_BOOL,
	TV_INT,
	TV_FLOAT,
	TV_STR,
	TV_LIST,  /* list or tuple (flags): built by the template or from a JSON array */
	TV_DICT,  /* dict (insertion order): built by the template or from a JSON object */
	TV_MACRO, /* a macro or a call block's caller */
	TV_FUNC,  /* a builtin global function (range, dict, namespace...) */
	TV_METHOD,/* a bound method of a str/dict/list/loop */
	TV_NS,    /* namespace(): a mutable dict */
	TV_LOOP,  /* the loop variable */
};

#define TVF_TUPLE 0x01 /* list prints as a tuple */
#define TVF_GEN 0x02   /* a generator in Jinja2 (map, select...): not printable */
#define TVF_NOPRINT 0x04 /* range(): prints as "range(a, b)" in Python; refused */

/* undefined flavours (aux), for Jinja2's messages */
/* UND_LENIENT is Jinja2's plain Undefined, which "x if c" without else
 * yields even under StrictUndefined: it prints as "" and is false. */
enum { UND_NAME, UND_ATTR, UND_ELEM, UND_MSG, UND_MISSING_ARG, UND_LENIENT };

struct tpl_list;
struct tpl_dict;
struct tpl_macro;
struct tpl_loop;
struct tpl_method;
struct tpl_callargs;
struct tpl_rctx;

struct tv {
	uint8_t kind;
	uint8_t flags;
	uint16_t aux;
	union {
		int b;
		long long i;
		double f;
		struct {
			const char *p;
			size_t n;
		} s;
		struct {
			const char *name; /* NUL-terminated */
			const char *obj;  /* type name for attr/elem, NULL */
		} und;
		struct tpl_list *l;
		struct tpl_dict *d;
		struct tpl_macro *m;
		struct tpl_method *me;
		struct tpl_loop *loop;
		int fn;
	} u;
};

struct tpl_list {
	struct tv *v;
	size_t n, cap;
};

struct tpl_dict {
	struct tv *k;
	struct tv *v;
	size_t n, cap;
};

/* ---- AST ---- */
enum tpl_nkind {
	/* statements */
	N_DATA,
	N_PRINT,
	N_IF,
	N_FOR,
	N_SET,
	N_SETBLOCK,
	N_MACRO,
	N_CALLBLOCK,
	N_FILTERBLOCK,
	N_WITH,
	/* expressions */
	N_CONST,
	N_NAME,
	N_GETATTR,
	N_GETITEM,
	N_SLICE,
	N_LIST,
	N_TUPLE,
	N_DICT,
	N_BINOP,
	N_NEG,
	N_POS,
	N_NOT,
	N_AND,
	N_OR,
	N_COMPARE,
	N_COND,
	N_FILTER,
	N_TEST,
	N_CALL,
	N_KWARG,
	N_PLACEHOLDER, /* the input of a block filter / block set */
};

struct tpl_nvec {
	struct tpl_node **v;
	size_t n;
};

/* Field order: what every evaluation reads comes first (one cache line). */
struct tpl_node {
	uint8_t kind;
	uint8_t op;
	uint8_t flags;
	int line;
	int fn;          /* resolved filter/test index; N_GETATTR: hint slot */
	struct tpl_node *a, *b, *c;
	const char *name; /* NUL-terminated: names, attrs, filters, data text */
	size_t nlen;
	struct tv cval;  /* N_CONST */
	struct tpl_nvec args;   /* positional args, items, params, targets */
	struct tpl_nvec kwargs; /* N_KWARG nodes; N_DICT values */
	struct tpl_nvec body, orelse;
	uint8_t *ops;    /* N_COMPARE: one per args entry */
};

/* N_MACRO flags: what the body refers to (Jinja2 only accepts extra
 * arguments when it does). */
#define NF_VARARGS 0x01
#define NF_KWARGS 0x02
#define NF_CALLER 0x04
#define NF_RECURSIVE 0x08 /* N_FOR */
#define NF_NOMETHOD 0x10  /* N_GETATTR: the name is no method name (fast path) */
#define NF_NEGCONST 0x20  /* N_CONST: a folded negative number (see p_fold_sign) */

/* N_GETATTR op: which loop attribute the name is (resolved at parse time) */
enum { LA_NONE, LA_INDEX, LA_INDEX0, LA_REVINDEX, LA_REVINDEX0, LA_FIRST, LA_LAST, LA_LENGTH, LA_DEPTH,
       LA_DEPTH0, LA_PREVITEM, LA_NEXTITEM };
int tpl_loop_attr_code(const char *name, size_t n);
int tpl_loop_attr_coded(struct tpl_rctx *rc, int line, const struct tv *obj, int code, const char *name, size_t n,
			struct tv *out);

struct kc_tpl {
	char *name;
	char *src; /* normalized source: data tokens point into it */
	size_t srclen;
	struct tpl_arena arena;
	struct tpl_nvec body;
	int nattr; /* N_GETATTR nodes with a hint slot (n->fn) */
	const char *name_loop; /* the interned "loop" (parser names are interned) */
};

int tpl_parse_tokens(struct kc_tpl *t, const struct tpl_toks *toks, char *err, size_t errlen);

/* ---- rendering ---- */
struct tpl_var {
	const char *name;
	size_t n;
	struct tv v;
};

struct tpl_frame {
	struct tpl_frame *parent;
	struct tpl_var *vars;
	size_t n, cap;
	struct tpl_var inl[4];
};

struct tpl_macro {
	const struct tpl_node *def; /* N_MACRO or N_CALLBLOCK */
	struct tpl_frame *scope;
	struct tv caller; /* TV_UNDEF when none */
};

struct tpl_loop {
	struct tv *items;
	size_t n;
	size_t i;
	int depth;
	const struct tpl_node *forn; /* for loop(...) in recursive loops */
	struct tpl_frame *frame;
};

struct tpl_method {
	struct tv self;
	int id;
};

/* Where an N_GETATTR node found its key last time: the index in the
 * dict and the key's string (data keys are interned by tpl_data.c, so
 * the next dict's key at that index is usually the same pointer). */
struct tpl_attr_hint {
	const char *key;
	size_t idx;
};

struct tpl_rctx {
	const struct kc_tpl *t;
	const struct tpl_dict *data; /* the variables; NULL: none */
	struct tpl_arena arena;
	struct strbuf *out;
	char *err;
	size_t errlen;
	int failed;
	int depth;       /* macro call depth */
	unsigned long long steps;
	size_t produced; /* bytes of strings built, for the output bound */
	/* Per N_GETATTR node (n->fn). Objects in a list usually share their
	 * key order, so the hint turns most attribute reads into one pointer
	 * compare. Per render: the template itself stays read-only and
	 * shareable between threads. */
	struct tpl_attr_hint *attr_hint;
};

/* Sets the render error (first one wins) as "name:line: msg"; returns -1. */
int tpl_fail(struct tpl_rctx *rc, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int tpl_fail_undef(struct tpl_rctx *rc, int line, const struct tv *u);
/* Counts one unit of work; fails once the budget is spent. */
int tpl_step(struct tpl_rctx *rc, int line, unsigned long long n);

/* values: tpl_value.c; the constructors are inline (hot paths) */
static inline struct tv
tv_none(void)
{
	struct tv v;

	v.kind = TV_NONE;
	v.flags = 0;
	v.aux = 0;
	v.u.und.name = NULL;
	v.u.und.obj = NULL;
	return v;
}

static inline struct tv
tv_bool(int b)
{
	struct tv v = tv_none();

	v.kind = TV_BOOL;
	v.u.b = b != 0;
	return v;
}

static inline struct tv
tv_int(long long i)
{
	struct tv v = tv_none();

	v.kind = TV_INT;
	v.u.i = i;
	return v;
}

static inline struct tv
tv_float(double f)
{
	struct tv v = tv_none();

	v.kind = TV_FLOAT;
	v.u.f = f;
	return v;
}

static inline struct tv
tv_str(const char *p, size_t n)
{
	struct tv v = tv_none();

	v.kind = TV_STR;
	v.u.s.p = p;
	v.u.s.n = n;
	return v;
}
struct tv tv_undef_name(const char *name);
struct tv tv_undef_msg(const char *msg);
/* Appends to the output: a copy when the buffer has room, else strbuf_add
 * (which grows it). Output appends are the most frequent call of a render. */
static inline void
tpl_out(struct strbuf *sb, const char *p, size_t n)
{
	if (sb->buf != NULL && sb->cap - sb->len > n) {
		char *d = sb->buf + sb->len;
		size_t i;

		/* most pieces are a few bytes: a plain loop beats memcpy's
		 * size dispatch */
		if (n <= 16) {
			for (i = 0; i < n; i++)
				d[i] = p[i];
		} else {
			memcpy(d, p, n);
		}
		sb->len += n;
		sb->buf[sb->len] = '\0';
	} else {
		strbuf_add(sb, p, n);
	}
}

/* The hot path of `x.attr` (n an N_GETATTR node with a hint slot): obj is
 * a dict whose key at the index this node hit last is the same interned
 * string. 1 with *out set, else 0 (tv_getattr_data then searches). */
static inline int
tpl_attr_hint_hit(const struct tpl_rctx *rc, const struct tpl_node *n, const struct tv *obj, struct tv *out)
{
	const struct tpl_attr_hint *h = &rc->attr_hint[n->fn];
	const struct tpl_dict *d;

	if (obj->kind != TV_DICT)
		return 0;
	d = obj->u.d;
	if (h->idx >= d->n || d->k[h->idx].kind != TV_STR || d->k[h->idx].u.s.p != h->key ||
	    d->k[h->idx].u.s.n != n->nlen)
		return 0;
	*out = d->v[h->idx];
	return 1;
}

/* Whether NUL-terminated key equals name[0..n): a short inline loop, as
 * the keys and names of templates are short and libc's vector compares
 * cost more to set up than they save. */
static inline int
tpl_key_eq(const char *key, const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (key[i] != name[i])
			return 0;
	return key[n] == '\0';
}

/* name[0..n) == other[0..n) for short names. */
static inline int
tpl_name_eq(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

struct tpl_list *tv_list_new(struct tpl_rctx *rc, size_t cap);
int tv_list_push(struct tpl_rctx *rc, struct tpl_list *l, struct tv v);
struct tv tv_list_val(struct tpl_list *l, uint8_t flags);
struct tpl_dict *tv_dict_new(struct tpl_rctx *rc, size_t cap);
int tv_dict_set(struct tpl_rctx *rc, struct tpl_dict *d, struct tv k, struct tv v);
const char *tv_type_name(const struct tv *v);
int tv_is_str(const struct tv *v);
int tv_is_num(const struct tv *v);
int tv_is_seq(const struct tv *v);
int tv_is_map(const struct tv *v);
double tv_num(const struct tv *v);
/* Python truthiness; -1 (with error) for undefined. */
int tv_truth(struct tpl_rctx *rc, int line, const struct tv *v);
/* Appends Python str(v) / repr(v). -1 with error for undefined. */
int tv_write_str(struct tpl_rctx *rc, int line, const struct tv *v, struct strbuf *sb);
int tv_write_repr(struct tpl_rctx *rc, int line, const struct tv *v, struct strbuf *sb);
void tv_write_float(double f, struct strbuf *sb);
/* str(v) as a value (strings pass through without copying). */
int tv_to_str(struct tpl_rctx *rc, int line, const struct tv *v, struct tv *out);
/* The items of an iterable (list, tuple, JSON array, dict keys, string
 * characters), materialized in the arena. -1 with error otherwise. */
int tv_items(struct tpl_rctx *rc, int line, const struct tv *v, struct tv **items, size_t *n);
int tv_length(struct tpl_rctx *rc, int line, const struct tv *v, long long *n);
/* Python ==. */
int tv_equal(const struct tv *a, const struct tv *b);
/* Python <: returns 0 ok with *res; -1 error (unorderable). */
int tv_compare(struct tpl_rctx *rc, int line, const struct tv *a, const struct tv *b, int *res);
int tv_contains(struct tpl_rctx *rc, int line, const struct tv *hay, const struct tv *needle, int *res);
int tv_binop(struct tpl_rctx *rc, int line, int op, const struct tv *a, const struct tv *b, struct tv *out);
/* Jinja2's getattr / getitem; missing gives an undefined value. */
int tv_getattr(struct tpl_rctx *rc, int line, const struct tv *obj, const char *name, size_t n, struct tv *out);
/* The same, for a name known not to be a method name. */
int tv_getattr_data(struct tpl_rctx *rc, const struct tpl_node *n, const struct tv *obj, struct tv *out);
int tv_getitem(struct tpl_rctx *rc, int line, const struct tv *obj, const struct tv *key, struct tv *out);
/* Dict-like pairs: dicts, JSON objects, namespaces. */
int tv_dict_pairs(struct tpl_rctx *rc, int line, const struct tv *v, struct tv **keys, struct tv **vals, size_t *n);
char *tv_strdup(struct tpl_rctx *rc, const char *p, size_t n);
/* Finishes a string built in sb as an arena value, counting its size. */
int tv_from_sb(struct tpl_rctx *rc, int line, struct strbuf *sb, struct tv *out);
int tv_charge(struct tpl_rctx *rc, int line, size_t n);

/* eval: tpl_eval.c */
int tpl_eval(struct tpl_rctx *rc, struct tpl_frame *f, const struct tpl_node *n, struct tv *out);
int tpl_lookup(struct tpl_rctx *rc, struct tpl_frame *f, const char *name, size_t n, struct tv *out);
int tpl_frame_set(struct tpl_rctx *rc, struct tpl_frame *f, const char *name, size_t n, struct tv v);
struct tpl_frame *tpl_frame_new(struct tpl_rctx *rc, struct tpl_frame *parent);
int tpl_call_value(struct tpl_rctx *rc, int line, const struct tv *callee, struct tv *args, size_t nargs,
		   const char **kwn, struct tv *kwv, size_t nkw, struct tv *out);
int tpl_apply_filter(struct tpl_rctx *rc, struct tpl_frame *f, const struct tpl_node *n, struct tv in,
		     struct tv *out);

/* exec: tpl_exec.c */
int tpl_loop_call(struct tpl_rctx *rc, int line, const struct tv *loop, const struct tpl_callargs *ca, struct tv *out);
int tpl_loop_attr(struct tpl_rctx *rc, int line, const struct tv *obj, const char *name, size_t n, struct tv *out);
int tpl_exec_body(struct tpl_rctx *rc, struct tpl_frame *f, const struct tpl_nvec *body, struct strbuf *sb);
int tpl_call_macro(struct tpl_rctx *rc, int line, const struct tpl_macro *m, struct tv *args, size_t nargs,
		   const char **kwn, struct tv *kwv, size_t nkw, struct tv *out);

/* filters and tests: tpl_filters.c, tpl_tests.c */
struct tpl_callargs {
	struct tv *pos;
	size_t npos;
	const char **kwn;
	struct tv *kwv;
	size_t nkw;
};
typedef int (*tpl_filter_fn)(struct tpl_rctx *rc, int line, struct tv in, const struct tpl_callargs *ca,
			     struct tv *out);
typedef int (*tpl_test_fn)(struct tpl_rctx *rc, int line, const struct tv *in, const struct tpl_callargs *ca,
			   int *res);
struct tpl_filter_def {
	const char *name;
	tpl_filter_fn fn;
};
extern const struct tpl_filter_def tpl_filter_defs_a[];
extern const struct tpl_filter_def tpl_filter_defs_b[];
int tpl_str_replace(struct tpl_rctx *rc, int line, const struct tv *s, const struct tv *old, const struct tv *nw,
		    long long count, struct tv *out);
int tpl_filter_find(const char *name);
tpl_filter_fn tpl_filter_get(int id);
int tpl_test_find(const char *name);
tpl_test_fn tpl_test_get(int id);
/* Binds positional and keyword arguments to names (Python style); unset
 * slots stay TV_UNDEF with aux UND_MISSING_ARG. */
int tpl_bind(struct tpl_rctx *rc, int line, const char *what, const struct tpl_callargs *ca,
	     const char *const *names, size_t nnames, struct tv *slots);
int tv_missing(const struct tv *v);
/* Sort helper shared by sort/dictsort/unique/min/max. */
int tpl_sort_values(struct tpl_rctx *rc, int line, struct tv *v, struct tv *keys, size_t n, int reverse);
int tv_case_key(struct tpl_rctx *rc, const struct tv *v, int case_sensitive, struct tv *out);
int tpl_item_key(struct tpl_rctx *rc, int line, const struct tv *item, const struct tv *attr, int cs, int multi,
		 struct tv *out);
int tpl_py_int(const char *s, size_t n, int base, long long *out, int *overflow);
int tpl_py_float(const char *s, size_t n, double *out);
int tpl_attr_path(struct tpl_rctx *rc, int line, const struct tv *obj, const struct tv *attr, struct tv *out);

/* builtin functions and methods: tpl_funcs.c */
int tpl_func_find(const char *name, size_t n);
int tpl_func_call(struct tpl_rctx *rc, int line, int fn, const struct tpl_callargs *ca, struct tv *out);
int tpl_method_find(const struct tv *self, const char *name, size_t n);
/* Whether any value kind has a method of that name (decided at parse time). */
int tpl_method_name(const char *name, size_t n);
int tpl_method_call(struct tpl_rctx *rc, int line, const struct tpl_method *me, const struct tpl_callargs *ca,
		    struct tv *out);

/* data: tpl_data.c. Converts a JSON object into a dict in arena a;
 * copy: strings are copied (else they point into the cJSON tree, which
 * must then outlive the dict). Returns NULL with err "what: msg". */
struct tpl_dict *tpl_data_convert(struct tpl_arena *a, const cJSON *j, int copy, const char *what, char *err,
				  size_t errlen);
const struct tpl_dict *tpl_data_root(const struct kc_tpl_data *d);

/* formatting: tpl_format.c */
int tpl_percent_format(struct tpl_rctx *rc, int line, const struct tv *fmt, const struct tpl_callargs *ca,
		       struct strbuf *sb);
int tpl_tojson(struct tpl_rctx *rc, int line, const struct tv *v, int indent, int level, struct strbuf *sb);

/* unicode helpers: tpl_utf8.c */
size_t utf8_decode(const char *s, size_t n, uint32_t *cp);
int utf8_encode(uint32_t cp, char *out);
int uc_is_space(uint32_t cp);
int uc_is_linebreak(uint32_t cp);
/* Length of Unicode whitespace at the start / end of s. */
size_t uc_space_prefix(const char *s, size_t n);
size_t uc_space_suffix(const char *s, size_t n);
size_t utf8_count(const char *s, size_t n);
/* Byte offset of the i-th code point (i <= count). */
size_t utf8_offset(const char *s, size_t n, size_t i);
uint32_t uc_upper(uint32_t cp);
uint32_t uc_lower(uint32_t cp);
int uc_is_alpha(uint32_t cp);

#endif
