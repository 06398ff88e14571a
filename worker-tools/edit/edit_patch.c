/* Applying a parsed patch to the workspace: all files or none.
 *
 * Every file patch is applied in memory to a view of the files it names
 * (read once, then updated as later sections of the same patch touch them
 * again); only when every section applied is the set committed with
 * tool_fs_txn_commit, which is itself all-or-none. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/xmalloc.h"
#include "worker-tools/edit/edit.h"
#include "worker-tools/edit/edit_match.h"
#include "worker-tools/fs/fs.h"

struct pv_file {
	char *rel;
	int orig_exists, exists, touched;
	char *orig;
	size_t orig_len;
	char *data;
	size_t len;
	mode_t mode;
	struct tool_edit_region *r; /* regions of the last edit, for the diff */
	size_t nr;
	int edits;
	char *moved_from; /* for the diff header */
};
struct pv {
	const struct tool_fs *fs;
	struct pv_file *f;
	size_t n, cap;
	int levels_used;
};

static void
pv_free(struct pv *v)
{
	size_t i;

	for (i = 0; i < v->n; i++) {
		free(v->f[i].rel);
		free(v->f[i].orig);
		free(v->f[i].data);
		free(v->f[i].r);
		free(v->f[i].moved_from);
	}
	free(v->f);
}

/* The view of rel, read from disk on first use. NULL with err when it
 * cannot be read (a missing file is not an error: exists = 0). */
static struct pv_file *
pv_get(struct pv *v, const char *rel, char *err, size_t errlen)
{
	struct tool_fs_file ff;
	struct pv_file *f;
	size_t i;
	int missing;

	for (i = 0; i < v->n; i++)
		if (strcmp(v->f[i].rel, rel) == 0)
			return &v->f[i];
	if (tool_fs_file_read(v->fs, rel, &ff, &missing, err, errlen) == -1 && !missing)
		return NULL;
	if (!missing && ff.binary) {
		snprintf(err, errlen,
		         "%s is a binary file (it contains NUL bytes); patches to binary files are "
		         "refused",
		         rel);
		tool_fs_file_free(&ff);
		return NULL;
	}
	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 8;
		v->f = xreallocarray(v->f, v->cap, sizeof(*v->f));
	}
	f = &v->f[v->n++];
	memset(f, 0, sizeof(*f));
	f->rel = xstrdup(rel);
	f->orig_exists = f->exists = !missing;
	if (!missing) {
		f->orig = ff.data;
		f->orig_len = ff.len;
		f->data = xmalloc(ff.len + 1);
		memcpy(f->data, ff.data, ff.len + 1);
		f->len = ff.len;
		f->mode = ff.mode;
	}
	return f;
}

static void
pv_set(struct pv_file *f, char *data, size_t len)
{
	free(f->data);
	f->data = data;
	f->len = len;
	f->exists = 1;
	f->touched = 1;
}

/* The content of an added file: its '+' lines. */
static char *
patch_add_content(const struct tool_filepatch *fp, size_t *len)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i, j;
	int no_eol = 0;

	for (i = 0; i < fp->nhunks; i++) {
		for (j = 0; j < fp->hunks[i].n; j++) {
			strbuf_adds(&sb, fp->hunks[i].l[j].text);
			strbuf_addc(&sb, '\n');
		}
		no_eol = fp->hunks[i].new_no_eol;
	}
	if (no_eol && sb.len > 0)
		sb.len--, sb.buf[sb.len] = '\0';
	return strbuf_detach(&sb, len);
}

static int
patch_hunks_only(const struct tool_filepatch *fp, char kind)
{
	size_t i, j;

	for (i = 0; i < fp->nhunks; i++)
		for (j = 0; j < fp->hunks[i].n; j++)
			if (fp->hunks[i].l[j].kind != kind)
				return 0;
	return 1;
}

static int
patch_do_move(struct pv *v, struct pv_file *f, const char *to_raw, char *err, size_t errlen)
{
	char *to = tool_fs_path_normalize(v->fs, to_raw, err, errlen), *copy;
	struct pv_file *d;
	size_t idx = (size_t)(f - v->f);

	if (to == NULL)
		return -1;
	if (strcmp(to, f->rel) == 0) {
		free(to);
		return 0;
	}
	d = pv_get(v, to, err, errlen);
	f = &v->f[idx]; /* pv_get may have moved the array */
	if (d == NULL || d->exists) {
		if (d != NULL)
			snprintf(
			    err, errlen,
			    "%s: cannot move %s there: the destination exists (delete it first, or "
			    "update it instead)",
			    to, f->rel);
		free(to);
		return -1;
	}
	copy = xmalloc(f->len + 1);
	memcpy(copy, f->data, f->len + 1);
	pv_set(d, copy, f->len);
	d->mode = f->mode;
	d->moved_from = xstrdup(f->rel);
	f->exists = 0;
	f->touched = 1;
	free(to);
	return 0;
}

static int
patch_do_update(struct pv *v, const struct tool_filepatch *fp, const char *rel,
                const struct tool_patch_opts *o, char *err, size_t errlen)
{
	struct pv_file *f = pv_get(v, rel, err, errlen);
	struct tool_edit_out out;
	size_t i;
	int creates = 1;

	if (f == NULL)
		return -1;
	for (i = 0; i < fp->nhunks; i++)
		creates &= fp->hunks[i].old_start == 0;
	if (!f->exists) {
		/* "--- a/new.c +++ b/new.c @@ -0,0 +1,3 @@": git refuses it;
		 * with use_dev_null off it is taken as the creation it means. */
		if (creates && patch_hunks_only(fp, EDIT_ADD) && !o->use_dev_null) {
			size_t len;
			char *data = patch_add_content(fp, &len);
			pv_set(f, data, len);
			return 0;
		}
		snprintf(err, errlen, "%s: no such file to update%s", rel,
		         creates
		             ? " (a new file is created with \"--- /dev/null\" / \"*** Add File:\")"
		             : "");
		return -1;
	}
	if (tool_edit_apply_hunks(rel, f->data, f->len, fp->hunks, fp->nhunks, &out, err, errlen) ==
	    -1)
		return -1;
	free(f->r);
	f->r = out.r;
	f->nr = out.nr;
	f->edits++;
	v->levels_used |= out.levels_used;
	pv_set(f, out.data, out.len);
	return fp->move_to ? patch_do_move(v, f, fp->move_to, err, errlen) : 0;
}

/* Plain headers naming two files ("--- main.c.orig" / "+++ main.c"):
 * the one that exists; when both do, the shorter name (as GNU patch). */
static char *
patch_pick_name(const struct tool_fs *fs, char *rel, const char *alt_raw)
{
	char err[TOOL_FS_ERRLEN], *alt = tool_fs_path_normalize(fs, alt_raw, err, sizeof(err));
	int e1, e2;

	if (alt == NULL)
		return rel;
	e1 = tool_fs_exists(fs, rel);
	e2 = tool_fs_exists(fs, alt);
	if ((e2 && !e1) || (e1 && e2 && strlen(alt) < strlen(rel))) {
		free(rel);
		return alt;
	}
	free(alt);
	return rel;
}

static int
patch_do_file(struct pv *v, const struct tool_filepatch *fp, const struct tool_patch_opts *o,
              char *err, size_t errlen)
{
	char *rel = tool_fs_path_normalize(v->fs, fp->path, err, errlen), *data;
	struct pv_file *f;
	struct tool_edit_out out;
	size_t len;
	int rc = -1;

	if (rel != NULL && fp->alt_path != NULL)
		rel = patch_pick_name(v->fs, rel, fp->alt_path);
	if (rel == NULL || tool_fs_check_writable(v->fs, rel, err, errlen) == -1)
		goto out;
	if (fp->op == TOOL_FP_UPDATE) {
		rc = patch_do_update(v, fp, rel, o, err, errlen);
		goto out;
	}
	if ((f = pv_get(v, rel, err, errlen)) == NULL)
		goto out;
	if (fp->op == TOOL_FP_ADD) {
		/* Stricter than Codex (which overwrites): an "add" of a file
		 * that exists is refused, as git apply refuses it. */
		if (f->exists) {
			snprintf(err, errlen,
			         "%s already exists; update it instead (or delete it first)", rel);
			goto out;
		}
		data = patch_add_content(fp, &len);
		pv_set(f, data, len);
		rc = 0;
		goto out;
	}
	if (!f->exists) {
		snprintf(err, errlen, "%s: no such file to delete", rel);
		goto out;
	}
	if (fp->nhunks > 0) { /* a unified delete shows the content: check it */
		if (tool_edit_apply_hunks(rel, f->data, f->len, fp->hunks, fp->nhunks, &out, err,
		                          errlen) == -1)
			goto out;
		len = out.len;
		tool_edit_out_free(&out);
		if (len != 0) {
			snprintf(
			    err, errlen,
			    "%s: the deletion does not remove the whole file (it changed since the "
			    "patch was made); nothing was changed",
			    rel);
			goto out;
		}
	}
	f->exists = 0;
	f->touched = 1;
	rc = 0;
out:
	free(rel);
	return rc;
}

static void
patch_report(struct pv *v, const struct tool_patch_opts *o, struct tool_patch_result *res)
{
	size_t i, k;
	struct pv_file *f, *src;

	for (i = 0; i < v->n; i++) {
		f = &v->f[i];
		if (!f->touched || (f->exists == f->orig_exists && f->exists &&
		                    f->len == f->orig_len && memcmp(f->data, f->orig, f->len) == 0))
			continue;
		res->changed = xreallocarray(res->changed, res->nchanged + 1, sizeof(char *));
		res->changed[res->nchanged++] = xstrdup(f->rel);
		if (f->moved_from != NULL) {
			for (src = NULL, k = 0; k < v->n; k++)
				if (strcmp(v->f[k].rel, f->moved_from) == 0)
					src = &v->f[k];
			strbuf_addf(&res->out, "R %s -> %s\n", f->moved_from, f->rel);
			tool_edit_diff(&res->diff, f->moved_from, f->rel, src ? src->orig : "",
			               src ? src->orig_len : 0, f->data, f->len, NULL,
			               o->git_style);
		} else if (!f->exists) {
			int moved = 0;
			for (k = 0; k < v->n; k++)
				moved |= v->f[k].moved_from &&
				         strcmp(v->f[k].moved_from, f->rel) == 0 && v->f[k].exists;
			if (!moved) {
				strbuf_addf(&res->out, "D %s\n", f->rel);
				tool_edit_diff(&res->diff, f->rel, NULL, f->orig, f->orig_len, NULL,
				               0, NULL, o->git_style);
			}
		} else {
			struct tool_edit_out ro = {.r = f->r, .nr = f->edits == 1 ? f->nr : 0};
			strbuf_addf(&res->out, "%s %s\n", f->orig_exists ? "M" : "A", f->rel);
			tool_edit_diff(&res->diff, f->orig_exists ? f->rel : NULL, f->rel, f->orig,
			               f->orig_len, f->data, f->len, &ro, o->git_style);
		}
	}
}

int
tool_patch_apply(const struct tool_fs *fs, struct tool_patch *p, const struct tool_patch_opts *o,
                 struct tool_patch_result *res, char *err, size_t errlen)
{
	struct pv v;
	struct tool_fs_txn txn;
	size_t i;
	int lvl, rc = -1;

	memset(&v, 0, sizeof(v));
	memset(&txn, 0, sizeof(txn));
	memset(res, 0, sizeof(*res));
	v.fs = fs;
	for (i = 0; i < p->n; i++)
		if (patch_do_file(&v, &p->f[i], o, err, errlen) == -1)
			goto out;
	for (i = 0; i < v.n; i++) {
		struct pv_file *f = &v.f[i];
		if (!f->touched)
			continue;
		if (f->exists) {
			char *copy = xmalloc(f->len + 1);
			memcpy(copy, f->data, f->len + 1);
			tool_fs_txn_write(&txn, f->rel, copy, f->len, f->mode);
		} else if (f->orig_exists)
			tool_fs_txn_delete(&txn, f->rel);
	}
	if (tool_fs_txn_commit(fs, &txn, err, errlen) == -1)
		goto out;
	patch_report(&v, o, res);
	for (lvl = EDIT_LEVEL_INDENT; lvl < EDIT_NLEVELS; lvl++)
		if (v.levels_used & (1 << lvl))
			strbuf_addf(&res->out, "note: a hunk was located with %s matching\n",
			            edit_level_name(lvl));
	rc = 0;
out:
	tool_fs_txn_free(&txn);
	pv_free(&v);
	return rc;
}

void
tool_patch_result_free(struct tool_patch_result *r)
{
	size_t i;

	if (r == NULL)
		return;
	strbuf_free(&r->out);
	strbuf_free(&r->diff);
	for (i = 0; i < r->nchanged; i++)
		free(r->changed[i]);
	free(r->changed);
	memset(r, 0, sizeof(*r));
}
