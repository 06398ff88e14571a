/* Internal to worker-tools/edit: locating hunks in a text. */
#ifndef KC_WORKER_TOOLS_EDIT_EDIT_MATCH_H
#define KC_WORKER_TOOLS_EDIT_EDIT_MATCH_H

#include <stddef.h>
#include <stdint.h>

#include "worker-tools/edit/edit.h"

#define EDIT_MAX_CANDS 16

/* Per-level index of the text's normalized lines (built on first use). */
struct edit_slot {
	uint64_t h;
	uint32_t count;
	uint32_t head; /* last line with this hash + 1; 0: empty slot */
};
struct edit_level {
	int built;
	struct strbuf buf;
	size_t *off, *len;
	uint64_t *h;
	struct edit_slot *tab;
	size_t mask;
	uint32_t *next; /* previous line with the same slot + 1 */
};
struct edit_matcher {
	const struct tool_text *t;
	struct edit_level lv[EDIT_LEVEL_UNICODE + 1];
	uint64_t (*sig)[2]; /* bigram signatures for the fuzzy suggestion */
};

/* Where a hunk's old lines were found. Segments are the runs of old lines
 * between "..." elisions (one segment unless level is ELISION). */
struct edit_match {
	int level;
	size_t start, end; /* file lines [start, end) */
	size_t nseg;
	size_t *seg_old;  /* first old-line index of each segment */
	size_t *seg_len;  /* its length */
	size_t *seg_file; /* file line where it was found */
	int reindent;     /* 0 none, 1 add indent, -1 remove it */
	char *indent;     /* the indentation added or removed */
	/* When no single offset fits (tabs in the file, spaces in the hunk):
	 * each indentation of the hunk's old lines mapped to the file's, and
	 * a width ratio for the ones not seen (0: none). */
	size_t nmap;
	char **map_pat, **map_file;
	char unit_pat, unit_file;
	size_t ratio_num, ratio_den;
};

void edit_matcher_init(struct edit_matcher *m, const struct tool_text *t);
void edit_matcher_free(struct edit_matcher *m);
void edit_match_free(struct edit_match *mt);

/* Locates hunk h at or after file line min_start; drift is the offset of
 * the previous hunk from its stated line (for the tie-break). 0, or -1
 * with a message. */
int edit_match_hunk(struct edit_matcher *m, const struct tool_hunk *h, size_t min_start, long drift,
                    struct edit_match *out, const char *path, size_t hunkno, char *err,
                    size_t errlen);

/* An added line re-indented the way the match says: a new string, or
 * NULL to use it as written. */
char *edit_match_reindent(const struct edit_match *mt, const char *text);

/* "exact", "whitespace-insensitive", ... for messages. */
const char *edit_level_name(int level);

#endif
