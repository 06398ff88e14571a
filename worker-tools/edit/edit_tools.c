/* Writing tools: write, create_file, create_file_from_block,
 * apply_unified_patch, patch, apply_search_replace, edit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/xmalloc.h"
#include "worker-tools/edit/edit.h"
#include "worker-tools/edit/edit_match.h"
#include "worker-tools/fs/fs_tools.h"

static char *
et_path(const struct tool_fs *fs, const cJSON *args, const char *name, struct tool_res *r)
{
	char err[TOOL_FS_ERRLEN];
	const char *p;
	char *rel;

	if (tool_arg_str(args, name, 1, &p, r) == -1)
		return NULL;
	if ((rel = tool_fs_path_normalize(fs, p, err, sizeof(err))) == NULL)
		tool_res_fail(r, "%s", err);
	return rel;
}

/* Reads rel for editing: 0 (exists), 1 (missing), -1 (failed). */
static int
et_read(const struct tool_fs *fs, const char *rel, struct tool_fs_file *f, struct tool_res *r)
{
	char err[TOOL_FS_ERRLEN];
	int missing;

	if (tool_fs_file_read(fs, rel, f, &missing, err, sizeof(err)) == 0)
		return 0;
	if (missing)
		return 1;
	tool_res_fail(r, "%s", err);
	return -1;
}

/* Replaces rel with data (ownership taken) atomically; adds the diff. */
static int
et_commit(const struct tool_fs *fs, const struct tool_opts *o, const char *rel,
          const struct tool_fs_file *old, char *data, size_t len,
          const struct tool_edit_out *regions, struct tool_res *r)
{
	struct tool_fs_txn txn = {0};
	char err[TOOL_FS_ERRLEN];

	tool_edit_diff(&r->diff, old ? rel : NULL, rel, old ? old->data : NULL, old ? old->len : 0,
	               data, len, regions, o->git_style);
	tool_fs_txn_write(&txn, rel, data, len, 0);
	if (tool_fs_txn_commit(fs, &txn, err, sizeof(err)) == -1) {
		tool_res_fail(r, "%s", err);
		strbuf_reset(&r->diff);
		tool_fs_txn_free(&txn);
		return -1;
	}
	tool_fs_txn_free(&txn);
	tool_res_changed(r, rel);
	r->ok = 1;
	return 0;
}

static void
et_write_whole(const struct tool_fs *fs, const struct tool_opts *o, const char *rel,
               const char *content, struct tool_res *r)
{
	struct tool_fs_file old;
	char err[TOOL_FS_ERRLEN];
	size_t len = strlen(content);
	int st;

	if (tool_fs_check_writable(fs, rel, err, sizeof(err)) == -1) {
		tool_res_fail(r, "%s", err);
		return;
	}
	if ((st = et_read(fs, rel, &old, r)) == -1)
		return;
	if (et_commit(fs, o, rel, st == 0 ? &old : NULL, xstrdup(content), len, NULL, r) == 0)
		strbuf_addf(&r->out, "%s %s (%zu bytes)\n", st == 0 ? "Wrote" : "Created", rel,
		            len);
	if (st == 0)
		tool_fs_file_free(&old);
}

void
tool_edit_write(const struct tool_fs *fs, const struct tool_opts *o, const cJSON *args,
                struct tool_res *r)
{
	const char *content;
	char *rel = et_path(fs, args, "filePath", r);

	if (rel != NULL && tool_arg_str(args, "content", 1, &content, r) == 0)
		et_write_whole(fs, o, rel, content, r);
	free(rel);
}

void
tool_edit_create_from_block(const struct tool_fs *fs, const struct tool_opts *o, const cJSON *args,
                            struct tool_res *r)
{
	const char *content;
	char *rel = et_path(fs, args, "file_name", r);

	if (rel != NULL && tool_arg_str(args, "content", 1, &content, r) == 0)
		et_write_whole(fs, o, rel, content, r);
	free(rel);
}

void
tool_edit_create_file(const struct tool_fs *fs, const struct tool_opts *o, const cJSON *args,
                      struct tool_res *r)
{
	char *rel = et_path(fs, args, "path", r);

	if (rel == NULL)
		return;
	if (tool_fs_exists(fs, rel)) { /* touch: an existing file is left as it is */
		strbuf_addf(&r->out, "%s already exists; left unchanged\n", rel);
		r->ok = 1;
	} else
		et_write_whole(fs, o, rel, "", r);
	free(rel);
}

static int
et_looks_opencode(const char *t)
{
	return strstr(t, "*** Begin Patch") != NULL;
}

static int
et_looks_unified(const char *t)
{
	return strstr(t, "\n+++ ") != NULL || strncmp(t, "diff --git", 10) == 0 ||
	       strstr(t, "\ndiff --git") != NULL;
}

/* Parses text in the tool's own format, or the other one when the model
 * sent that instead (what it meant is unambiguous from the markers). */
static int
et_parse_patch(const char *text, int opencode_first, struct tool_patch *p, struct tool_res *r)
{
	char err[2048], err2[2048];
	size_t len = strlen(text);

	if (opencode_first ? tool_patch_parse_opencode(text, len, p, err, sizeof(err)) == 0
	                   : tool_patch_parse_unified(text, len, p, err, sizeof(err)) == 0)
		return 0;
	if (opencode_first && !et_looks_opencode(text) && et_looks_unified(text) &&
	    tool_patch_parse_unified(text, len, p, err2, sizeof(err2)) == 0)
		return 0;
	if (!opencode_first && et_looks_opencode(text) &&
	    tool_patch_parse_opencode(text, len, p, err2, sizeof(err2)) == 0)
		return 0;
	tool_res_fail(r, "the patch could not be parsed: %s", err);
	return -1;
}

static void
et_apply_patch(const struct tool_fs *fs, const struct tool_opts *o, const char *text, int opencode,
               struct tool_res *r)
{
	struct tool_patch p;
	struct tool_patch_opts po = {.use_dev_null = o->use_dev_null, .git_style = o->git_style};
	struct tool_patch_result res;
	char err[8192];
	size_t i;

	if (et_parse_patch(text, opencode, &p, r) == -1)
		return;
	if (tool_patch_apply(fs, &p, &po, &res, err, sizeof(err)) == -1) {
		tool_res_fail(r, "%s", err);
		tool_patch_free(&p);
		return;
	}
	strbuf_addf(&r->out, "Applied the patch (%zu file%s changed):\n%s", res.nchanged,
	            res.nchanged == 1 ? "" : "s", strbuf_str(&res.out));
	strbuf_adds(&r->diff, strbuf_str(&res.diff));
	for (i = 0; i < res.nchanged; i++)
		tool_res_changed(r, res.changed[i]);
	r->ok = 1;
	tool_patch_result_free(&res);
	tool_patch_free(&p);
}

void
tool_edit_unified(const struct tool_fs *fs, const struct tool_opts *o, const cJSON *args,
                  struct tool_res *r)
{
	const char *text;

	if (tool_arg_str(args, "patch", 1, &text, r) == 0)
		et_apply_patch(fs, o, text, 0, r);
}

void
tool_edit_opencode_patch(const struct tool_fs *fs, const struct tool_opts *o, const cJSON *args,
                         struct tool_res *r)
{
	const char *text;

	if (tool_arg_str(args, "patchText", 1, &text, r) == 0)
		et_apply_patch(fs, o, text, 1, r);
}

/* Replaces search with replace in rel (the file must exist). */
static void
et_replace(const struct tool_fs *fs, const struct tool_opts *o, const char *rel, const char *search,
           const char *replace, int all, struct tool_res *r)
{
	struct tool_fs_file f;
	struct tool_edit_out out;
	char err[8192];
	int st, lvl;

	if (tool_fs_check_writable(fs, rel, err, sizeof(err)) == -1) {
		tool_res_fail(r, "%s", err);
		return;
	}
	if ((st = et_read(fs, rel, &f, r)) != 0) {
		if (st == 1) {
			struct strbuf sb = STRBUF_INIT;
			tool_fs_suggest(fs, rel, &sb);
			tool_res_fail(r,
			              "%s: no such file%s (to create it, use an empty search text)",
			              rel, strbuf_str(&sb));
			strbuf_free(&sb);
		}
		return;
	}
	if (f.binary) {
		tool_res_fail(r, "%s is a binary file (it contains NUL bytes); edits are refused",
		              rel);
	} else if (tool_edit_replace(rel, f.data, f.len, search, replace, all, &out, err,
	                             sizeof(err)) == -1) {
		tool_res_fail(r, "%s", err);
	} else {
		char *data = out.data;
		out.data = NULL;
		if (et_commit(fs, o, rel, &f, data, out.len, &out, r) == 0) {
			strbuf_addf(&r->out, "Edited %s\n", rel);
			for (lvl = EDIT_LEVEL_INDENT; lvl < EDIT_NLEVELS; lvl++)
				if (out.levels_used & (1 << lvl))
					strbuf_addf(
					    &r->out,
					    "note: the search text was located with %s matching\n",
					    edit_level_name(lvl));
		}
		tool_edit_out_free(&out);
	}
	tool_fs_file_free(&f);
}

void
tool_edit_search_replace(const struct tool_fs *fs, const struct tool_opts *o, const cJSON *args,
                         struct tool_res *r)
{
	struct tool_fs_file f;
	const char *search, *replace;
	char *rel = et_path(fs, args, "file_name", r), *data;
	int st;

	if (rel == NULL || tool_arg_str(args, "search", 1, &search, r) == -1 ||
	    tool_arg_str(args, "replace", 1, &replace, r) == -1)
		goto out;
	if (search[strspn(search, " \t\r\n")] != '\0') {
		et_replace(fs, o, rel, search, replace, 0, r);
		goto out;
	}
	/* An empty SEARCH is Aider's way to create a file, or to append. */
	if ((st = et_read(fs, rel, &f, r)) == -1)
		goto out;
	if (st == 1 && o->sr_prefer_write_tool) {
		tool_res_fail(
		    r,
		    "%s does not exist; create new files with create_file_from_block (config "
		    "create_file_policy.aider_search_replace.prefer_write_file_tool)",
		    rel);
		goto out;
	}
	if (st == 1) {
		et_write_whole(fs, o, rel, replace, r);
		goto out;
	}
	data = xasprintf("%s%s%s", f.data, f.len > 0 && f.data[f.len - 1] != '\n' ? "\n" : "",
	                 replace);
	tool_fs_file_free(&f);
	et_write_whole(fs, o, rel, data, r);
	free(data);
out:
	free(rel);
}

void
tool_edit_oc_edit(const struct tool_fs *fs, const struct tool_opts *o, const cJSON *args,
                  struct tool_res *r)
{
	const cJSON *all = cJSON_GetObjectItemCaseSensitive(args, "replaceAll");
	const char *olds, *news;
	char *rel = et_path(fs, args, "filePath", r);

	if (rel == NULL || tool_arg_str(args, "oldString", 1, &olds, r) == -1 ||
	    tool_arg_str(args, "newString", 1, &news, r) == -1)
		goto out;
	if (strcmp(olds, news) == 0)
		tool_res_fail(r, "oldString and newString are the same; nothing to change");
	else if (*olds == '\0') /* OpenCode: an empty oldString writes the whole file */
		et_write_whole(fs, o, rel, news, r);
	else
		et_replace(fs, o, rel, olds, news, cJSON_IsTrue(all), r);
out:
	free(rel);
}
