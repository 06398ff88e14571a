/* Edit application: parsers for unified diffs and OpenCode patches, Aider
 * search/replace, and the one matching engine all three use.
 *
 * A patch is parsed into file patches made of hunks (context, removed,
 * added lines). Each hunk is located in the file by a ladder of matchers,
 * from strict to tolerant (see docs/PATCH.md):
 *   0 exact, 1 trailing whitespace ignored, 2 indentation offset (the
 *   replacement is re-indented by the offset found), 3 whitespace runs
 *   ignored, 4 Unicode look-alikes folded (dashes, curly quotes, odd
 *   spaces), 5 "..." lines in the context stand for skipped lines.
 * The first level with exactly one match wins; several matches at one
 * level are "ambiguous" (the hunk's line number breaks the tie only when
 * exactly one candidate starts exactly there); no match at any level is
 * an error carrying the closest lines found (a suggestion, never applied).
 * All hunks of a file are located in the original text, in order, then
 * applied together; nothing is written unless every file of a patch
 * applies (tool_patch_apply). */
#ifndef KC_WORKER_TOOLS_EDIT_EDIT_H
#define KC_WORKER_TOOLS_EDIT_EDIT_H

#include <stddef.h>
#include <stdint.h>

#include "lib/core/strbuf.h"

struct tool_fs;

/* ---- text split in lines (pointers into the caller's buffer) ---- */
enum { EDIT_EOL_NONE = 0, EDIT_EOL_LF = 1, EDIT_EOL_CRLF = 2 };
struct tool_text {
	const char *data;
	size_t len;
	size_t n;           /* number of lines */
	size_t *off, *llen; /* line i: data + off[i], llen[i] bytes without its eol */
	unsigned char *eol; /* EDIT_EOL_* of each line */
	int crlf;           /* CRLF is the dominant line ending */
};
void tool_edit_text_split(const char *data, size_t len, struct tool_text *t);
void tool_edit_text_free(struct tool_text *t);

/* ---- hunks and patches ---- */
enum { EDIT_CTX = ' ', EDIT_DEL = '-', EDIT_ADD = '+' };
struct tool_hunk_line {
	char kind;  /* EDIT_CTX, EDIT_DEL, EDIT_ADD */
	char *text; /* without eol (a trailing CR is kept: CRLF patches) */
};
struct tool_hunk {
	struct tool_hunk_line *l;
	size_t n, cap;
	long old_start; /* line in the original from "@@ -a,b": 1-based; 0 means
	                 * "before line 1"; -1 unknown (garbled "@@", OpenCode) */
	char **anchors; /* OpenCode "@@ class Foo" lines, outermost first */
	size_t nanchors;
	int at_eof;     /* must end at the end of the file */
	int old_no_eol; /* "\ No newline at end of file" after old side */
	int new_no_eol; /* ... after the new side */
	int lineno;     /* line of the patch text where the hunk starts */
};
enum tool_fp_op { TOOL_FP_UPDATE, TOOL_FP_ADD, TOOL_FP_DELETE };
struct tool_filepatch {
	enum tool_fp_op op;
	char *path;     /* as the patch names it (normalized later) */
	char *move_to;  /* rename target, or NULL */
	char *alt_path; /* plain "--- x.orig / +++ x": the other name, or NULL */
	struct tool_hunk *hunks;
	size_t nhunks, cap;
	int lineno;
};
struct tool_patch {
	struct tool_filepatch *f;
	size_t n, cap;
};

void tool_hunk_add(struct tool_hunk *h, char kind, const char *text, size_t len);
struct tool_hunk *tool_filepatch_new_hunk(struct tool_filepatch *fp, int lineno);
struct tool_filepatch *tool_patch_new_file(struct tool_patch *p, enum tool_fp_op op,
                                           const char *path, int lineno);
void tool_patch_free(struct tool_patch *p);

/* Parsers: 0, or -1 with a message naming the patch line. */
int tool_patch_parse_unified(const char *text, size_t len, struct tool_patch *out, char *err,
                             size_t errlen);
int tool_patch_parse_opencode(const char *text, size_t len, struct tool_patch *out, char *err,
                              size_t errlen);

/* ---- applying hunks to one text ---- */
struct tool_edit_region { /* a changed run, in line indices */
	size_t old_start, old_n, new_start, new_n;
};
struct tool_edit_out {
	char *data;
	size_t len;
	struct tool_edit_region *r;
	size_t nr, cap;
	int levels_used; /* bit i set: ladder level i was needed */
};
void tool_edit_out_free(struct tool_edit_out *o);

enum {
	EDIT_LEVEL_EXACT,
	EDIT_LEVEL_RSTRIP,
	EDIT_LEVEL_INDENT,
	EDIT_LEVEL_WS,
	EDIT_LEVEL_UNICODE,
	EDIT_LEVEL_ELISION,
	EDIT_NLEVELS
};
/* Locates every hunk in text (in order, each after the previous one) and
 * builds the new text. 0, or -1 with a message for the model naming the
 * file, the hunk and why, with the closest lines when nothing matched. */
int tool_edit_apply_hunks(const char *path, const char *data, size_t len, struct tool_hunk *h,
                          size_t nh, struct tool_edit_out *out, char *err, size_t errlen);

/* Aider/OpenCode search-and-replace on text: exact substring first (a
 * unique occurrence, or all with replace_all), else the line ladder. */
int tool_edit_replace(const char *path, const char *data, size_t len, const char *search,
                      const char *replace, int replace_all, struct tool_edit_out *out, char *err,
                      size_t errlen);

/* Appends a unified diff (git style with a/ b/ when git_style) of old ->
 * new, using the regions of o (or, if o->nr == 0 and texts differ, the
 * span between common prefix and suffix). */
void tool_edit_diff(struct strbuf *sb, const char *oldpath, const char *newpath, const char *old,
                    size_t oldlen, const char *newd, size_t newlen, const struct tool_edit_out *o,
                    int git_style);

/* ---- whole patches against the workspace ---- */
struct tool_patch_opts {
	int use_dev_null; /* unified: creating a file needs --- /dev/null */
	int git_style;    /* diffs in the result use git headers */
};
struct tool_patch_result {
	struct strbuf out;  /* text for the model */
	struct strbuf diff; /* unified diff of what changed */
	char **changed;     /* normalized paths */
	size_t nchanged;
};
/* Applies p: every file or none. 0 when applied, -1 with err. */
int tool_patch_apply(const struct tool_fs *fs, struct tool_patch *p,
                     const struct tool_patch_opts *o, struct tool_patch_result *res, char *err,
                     size_t errlen);
void tool_patch_result_free(struct tool_patch_result *r);

/* Internals shared by the edit files. */
uint64_t tool_edit_hash(const char *s, size_t n);
size_t tool_edit_normalize(int level, const char *s, size_t n, struct strbuf *sb);
int tool_edit_is_elision(const char *s, size_t n);

#endif
