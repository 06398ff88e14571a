/* Helpers for the edit/fs unit tests: a temporary workspace, files in it,
 * and tool_run with JSON text arguments. Header-only (static) so each test
 * binary stays one file. */
#ifndef KC_TESTS_UNIT_EDIT_TESTUTIL_H
#define KC_TESTS_UNIT_EDIT_TESTUTIL_H

#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "worker-tools/edit/edit.h"
#include "worker-tools/fs/fs.h"
#include "worker-tools/tools.h"

struct tws {
	char path[64];
	struct tool_fs fs;
};

static inline void
tws_init(struct tws *w)
{
	strcpy(w->path, "/tmp/kc-edit-test.XXXXXX");
	cr_assert_not_null(mkdtemp(w->path));
	w->fs.root_fd = open(w->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cr_assert(w->fs.root_fd >= 0);
	w->fs.root_path = w->path;
	w->fs.git_writable = 0;
	w->fs.deadline_ms = 0;
}

static inline void
tws_fini(struct tws *w)
{
	char cmd[128];

	close(w->fs.root_fd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", w->path);
	cr_assert_eq(system(cmd), 0);
}

/* Writes rel (directories made) with len bytes of data. */
static inline void
tws_put(struct tws *w, const char *rel, const char *data, size_t len)
{
	char p[512], cmd[600];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", w->path, rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", p);
	cr_assert_eq(system(cmd), 0);
	cr_assert_not_null(f = fopen(p, "wb"));
	cr_assert_eq(fwrite(data, 1, len, f), len);
	fclose(f);
}

static inline void
tws_puts(struct tws *w, const char *rel, const char *data)
{
	tws_put(w, rel, data, strlen(data));
}

/* The content of rel (caller frees), or NULL when it does not exist. */
static inline char *
tws_get(struct tws *w, const char *rel)
{
	char p[512], *buf;
	FILE *f;
	long n;

	snprintf(p, sizeof(p), "%s/%s", w->path, rel);
	if ((f = fopen(p, "rb")) == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static inline void
tws_expect(struct tws *w, const char *rel, const char *want)
{
	char *got = tws_get(w, rel);

	cr_assert_not_null(got, "%s does not exist", rel);
	cr_assert_str_eq(got, want, "%s", rel);
	free(got);
}

/* tool_run(name, args_json) on the workspace with config_json. */
static inline cJSON *
tws_run(struct tws *w, const char *config_json, const char *name, const char *args_json)
{
	struct tool_ctx ctx;
	cJSON *args = cJSON_Parse(args_json), *cfg = cJSON_Parse(config_json ? config_json : "{}"),
	      *res = NULL;

	cr_assert_not_null(args, "bad test JSON: %s", args_json);
	ctx.ws_fd = w->fs.root_fd;
	ctx.ws_path = w->path;
	ctx.config = cfg;
	ctx.deadline_ms = w->fs.deadline_ms;
	cr_assert_eq(tool_run(&ctx, name, args, &res), 0);
	cr_assert_not_null(res);
	cJSON_Delete(args);
	cJSON_Delete(cfg);
	return res;
}

static inline int
res_ok(const cJSON *r)
{
	return cJSON_IsTrue(cJSON_GetObjectItem(r, "ok"));
}

static inline const char *
res_str(const cJSON *r, const char *k)
{
	return cJSON_GetStringValue(cJSON_GetObjectItem(r, k));
}

/* Applies hunks parsed from a unified diff to text. */
static inline char *
apply_unified_text(const char *text, const char *patch, char *err, size_t errlen)
{
	struct tool_patch p;
	struct tool_edit_out o;
	char *r = NULL;

	if (tool_patch_parse_unified(patch, strlen(patch), &p, err, errlen) == -1)
		return NULL;
	if (tool_edit_apply_hunks("f", text, strlen(text), p.f[0].hunks, p.f[0].nhunks, &o, err,
	                          errlen) == 0)
		r = o.data, o.data = NULL;
	tool_edit_out_free(&o);
	tool_patch_free(&p);
	return r;
}

#endif
