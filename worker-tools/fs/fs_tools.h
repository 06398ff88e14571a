/* The file tools' implementations, behind tool_run() (tools.c). */
#ifndef KC_WORKER_TOOLS_FS_FS_TOOLS_H
#define KC_WORKER_TOOLS_FS_FS_TOOLS_H

#include <cjson/cJSON.h>
#include <sys/stat.h>

#include "lib/core/strbuf.h"
#include "worker-tools/fs/fs.h"

/* What one tool call produced (tools.c turns it into the result JSON). */
struct tool_res {
	int ok;
	struct strbuf out;  /* text for the model */
	struct strbuf diff; /* unified diff of what changed */
	char *error;        /* message for the model when !ok */
	char **changed;
	size_t nchanged;
	int complete;
};
void tool_res_fail(struct tool_res *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tool_res_changed(struct tool_res *r, const char *rel);

/* Settings from TOOLS_CONFIGURE that the tools read. */
struct tool_opts {
	int git_writable;
	int allow_network;
	int use_dev_null;         /* create_file_policy.unified_diff.use_dev_null */
	int git_style;            /* create_file_policy.unified_diff.header_style == git */
	int sr_prefer_write_tool; /* create_file_policy.aider_search_replace.prefer_write_file_tool
	                           */
};

/* Walks rel_dir depth-first in name order, never following symlinks.
 * cb returns 0 to go on, 1 to not descend into this directory, -1 to
 * stop. depth is 1 for the entries of rel_dir. Returns 0, -1 (rel_dir is
 * no directory beneath the root, or cb stopped), or TOOL_FS_WALK_LATE
 * when fs->deadline_ms passed first (what cb saw is a partial result). */
#define TOOL_FS_WALK_LATE (-2)
/* The note a tool adds to a partial result cut short by the deadline. */
#define TOOL_FS_LATE_NOTE "\n(stopped: this call's time budget ran out; the results are partial: narrow the path)\n"
typedef int (*tool_fs_walk_cb)(void *arg, const char *rel, const struct stat *st, int depth);
int tool_fs_walk(const struct tool_fs *fs, const char *rel_dir, int maxdepth, tool_fs_walk_cb cb,
                 void *arg);
/* Glob match of a relative path: '*', '?', '[..]', '**' across
 * directories, '{a,b}' alternatives; a pattern without '/' matches the
 * last component. */
int tool_fs_glob_match(const char *pattern, const char *rel);

/* Appends "; did you mean a.py, A.txt?" with up to 3 names of rel's
 * directory like rel's last component (nothing when none is). */
void tool_fs_suggest(const struct tool_fs *fs, const char *rel, struct strbuf *sb);

/* Argument getters (absent -> default; wrong type -> -1 with message). */
int tool_arg_str(const cJSON *args, const char *name, int required, const char **out,
                 struct tool_res *r);
int tool_arg_int(const cJSON *args, const char *name, long def, long *out, struct tool_res *r);

void tool_fs_read_file(const struct tool_fs *fs, const cJSON *args, struct tool_res *r);
void tool_fs_read_oc(const struct tool_fs *fs, const cJSON *args, struct tool_res *r);
void tool_fs_list_dir(const struct tool_fs *fs, const cJSON *args, struct tool_res *r);
void tool_fs_list_oc(const struct tool_fs *fs, const cJSON *args, struct tool_res *r);
void tool_fs_glob(const struct tool_fs *fs, const cJSON *args, struct tool_res *r);
void tool_fs_grep(const struct tool_fs *fs, const cJSON *args, struct tool_res *r);

void tool_edit_write(const struct tool_fs *fs, const struct tool_opts *o, const cJSON *args,
                     struct tool_res *r);
void tool_edit_create_file(const struct tool_fs *fs, const struct tool_opts *o, const cJSON *args,
                           struct tool_res *r);
void tool_edit_create_from_block(const struct tool_fs *fs, const struct tool_opts *o,
                                 const cJSON *args, struct tool_res *r);
void tool_edit_unified(const struct tool_fs *fs, const struct tool_opts *o, const cJSON *args,
                       struct tool_res *r);
void tool_edit_opencode_patch(const struct tool_fs *fs, const struct tool_opts *o,
                              const cJSON *args, struct tool_res *r);
void tool_edit_search_replace(const struct tool_fs *fs, const struct tool_opts *o,
                              const cJSON *args, struct tool_res *r);
void tool_edit_oc_edit(const struct tool_fs *fs, const struct tool_opts *o, const cJSON *args,
                       struct tool_res *r);

#endif
