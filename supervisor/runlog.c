/*
 * runlog.c — the run directory: creation, reopening for resume/replay,
 * whole-file artifacts, the transcript (conversation.md + index.json) and
 * retention. The durable primitives are in runlog_io.c, the trace in
 * runlog_trace.c, redaction in runlog_redact.c.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/core/fsutil.h"
#include "lib/core/log.h"
#include "lib/core/xmalloc.h"
#include "supervisor/runlog_int.h"

static const char *const runlog_layout[] = {"conversation",
                                            "raw/requests",
                                            "raw/responses",
                                            "raw/events",
                                            "prompts/per_turn",
                                            "prompts/catalogs",
                                            "provider_native/tools_provided",
                                            "provider_native/tool_calls",
                                            "provider_native/tool_results",
                                            "artifacts/tool_results",
                                            "artifacts/diffs",
                                            "meta",
                                            NULL};

static const char *const runlog_titles[] = {
    [RUNLOG_SEC_SYSTEM] = "System",
    [RUNLOG_SEC_USER] = "User",
    [RUNLOG_SEC_TOOLS_PROMPT] = "Tools Available Prompt",
    [RUNLOG_SEC_NATIVE_PROVIDED] = "Tools Provided via Provider API Tool Schema",
    [RUNLOG_SEC_NATIVE_CALLS] = "Model Called Provider Schema-Native Tools",
    [RUNLOG_SEC_NATIVE_RESULTS] = "Provider Schema-Native Tool Call Results",
    [RUNLOG_SEC_ASSISTANT] = "Assistant",
    [RUNLOG_SEC_TOOL_RESULTS] = "Tool Results (Text-Based Execution)",
};

const char *
runlog_section_title(enum runlog_section sec)
{
	return runlog_titles[sec];
}

static struct runlog *
runlog_new(const struct runlog_opts *o)
{
	struct runlog *rl = xcalloc(1, sizeof(*rl));
	const char *crash = getenv("KYLECODE_CRASH_AT_STEP");

	pthread_mutex_init(&rl->mtx, NULL);
	rl->trace_fd = rl->redaction_fd = -1;
	rl->redact = o->redact;
	rl->include_raw = o->include_raw;
	rl->include_events = o->include_events;
	rl->crash_at = crash ? strtol(crash, NULL, 10) : 0;
	strbuf_init(&rl->md);
	rl->index = cJSON_CreateArray();
	runlog_secrets_load(rl, o);
	return rl;
}

/* <root>/<YYYYmmdd-HHMMSS>_<6 hex>; a collision just draws another id. */
static char *
runlog_make_dir(const char *root, char *err, size_t errlen)
{
	char stamp[32], *dir;
	time_t now = time(NULL);
	struct tm tm;
	unsigned char rnd[3];
	int tries;

	if (kc_mkdir_p(root, 0755) < 0) {
		snprintf(err, errlen, "log root %s: %s", root, strerror(errno));
		return NULL;
	}
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	for (tries = 0; tries < 16; tries++) {
		if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
			memset(rnd, tries, sizeof(rnd));
		dir = xasprintf("%s/%s_%02x%02x%02x", root, stamp, rnd[0], rnd[1], rnd[2]);
		if (mkdir(dir, 0755) == 0) {
			if (runlog_io_fsync_dir(root) == 0)
				return dir;
			snprintf(err, errlen, "fsync %s: %s", root, strerror(errno));
			free(dir);
			return NULL;
		}
		if (errno != EEXIST) {
			snprintf(err, errlen, "mkdir %s: %s", dir, strerror(errno));
			free(dir);
			return NULL;
		}
		free(dir);
	}
	snprintf(err, errlen, "mkdir in %s: no free run id", root);
	return NULL;
}

static int
runlog_open_redaction(struct runlog *rl, char *err, size_t errlen)
{
	char *p = xasprintf("%s/%s", rl->dir, RUNLOG_REDACTION);

	rl->redaction_fd = open(p, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (rl->redaction_fd < 0)
		snprintf(err, errlen, "open %s: %s", p, strerror(errno));
	free(p);
	return rl->redaction_fd < 0 ? -1 : 0;
}

static int
runlog_layout_make(struct runlog *rl, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; runlog_layout[i] != NULL; i++)
		if (runlog_io_mkdirs(rl, runlog_layout[i]) < 0) {
			snprintf(err, errlen, "%s", rl->err);
			return -1;
		}
	if (runlog_open_redaction(rl, err, errlen) < 0)
		return -1;
	if (rl->include_events && runlog_trace_open(rl, 0, NULL, err, errlen) < 0)
		return -1;
	return 0;
}

static void runlog_retention(const char *root, int max_runs, const char *keep);

struct runlog *
runlog_create(const struct runlog_opts *o, char *err, size_t errlen)
{
	struct runlog *rl;
	char *dir = runlog_make_dir(o->root_dir, err, errlen);

	if (dir == NULL)
		return NULL;
	rl = runlog_new(o);
	rl->dir = dir;
	if (runlog_layout_make(rl, err, errlen) < 0) {
		runlog_close(rl);
		return NULL;
	}
	if (o->max_runs > 0)
		runlog_retention(o->root_dir, o->max_runs, dir);
	return rl;
}

static int
runlog_tmp_remove(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	const char *base = path + ftw->base;
	size_t n = strlen(base), s = strlen(RUNLOG_TMP_SUFFIX);

	(void)st;
	/* Only our own temp files: ".<name>.kctmp". Resume never destroys. */
	if (flag == FTW_F && base[0] == '.' && n > s &&
	    strcmp(base + n - s, RUNLOG_TMP_SUFFIX) == 0) {
		if (unlink(path) == 0)
			log_info("runlog: removed stale temp file %s", path);
	}
	return 0;
}

/* The transcript as it was, so resume appends to it. */
static void
runlog_transcript_load(struct runlog *rl)
{
	char *p = xasprintf("%s/conversation/conversation.md", rl->dir), *text, err[512];
	size_t len;
	cJSON *idx;

	text = kc_file_read(p, SIZE_MAX, &len, err, sizeof(err));
	if (text != NULL)
		strbuf_add(&rl->md, text, len);
	free(text);
	free(p);
	p = xasprintf("%s/conversation/index.json", rl->dir);
	text = kc_file_read(p, KC_JSON_FILE_MAX, &len, err, sizeof(err));
	idx = text ? cJSON_ParseWithLength(text, len) : NULL;
	if (cJSON_IsArray(idx)) {
		cJSON_Delete(rl->index);
		rl->index = idx;
	} else {
		if (text != NULL)
			log_warnx("runlog: %s is unreadable; starting a new index", p);
		cJSON_Delete(idx);
	}
	free(text);
	free(p);
}

struct runlog *
runlog_reopen(const char *run_dir, const struct runlog_opts *o, cJSON **events, char *err,
              size_t errlen)
{
	struct runlog *rl;
	struct stat st;
	char *meta = xasprintf("%s/meta", run_dir);

	if (stat(meta, &st) != 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: not a kylecode run directory (no meta/)", run_dir);
		free(meta);
		return NULL;
	}
	free(meta);
	rl = runlog_new(o);
	rl->dir = xstrdup(run_dir);
	rl->include_events = 1; /* resume depends on the trace */
	nftw(run_dir, runlog_tmp_remove, 16, FTW_PHYS);
	if (runlog_open_redaction(rl, err, errlen) < 0 ||
	    runlog_trace_open(rl, 1, events, err, errlen) < 0) {
		runlog_close(rl);
		return NULL;
	}
	runlog_transcript_load(rl);
	return rl;
}

void
runlog_close(struct runlog *rl)
{
	if (rl == NULL)
		return;
	if (rl->dirty && !rl->failed)
		runlog_flush(rl);
	if (rl->trace_fd >= 0)
		close(rl->trace_fd);
	if (rl->redaction_fd >= 0)
		close(rl->redaction_fd);
	runlog_secrets_wipe(rl);
	strbuf_free(&rl->md);
	cJSON_Delete(rl->index);
	pthread_mutex_destroy(&rl->mtx);
	free(rl->dir);
	free(rl);
}

const char *
runlog_dir(const struct runlog *rl)
{
	return rl->dir;
}

const char *
runlog_last_error(const struct runlog *rl)
{
	return rl->failed ? rl->err : NULL;
}

uint64_t
runlog_last_seq(const struct runlog *rl)
{
	return rl->seq;
}

int
runlog_write_file(struct runlog *rl, const char *rel, const char *data, size_t len)
{
	char *red;
	size_t rlen;
	int rc;

	pthread_mutex_lock(&rl->mtx);
	red = runlog_redact_locked(rl, data, len, rel, &rlen);
	rc = runlog_io_whole(rl, rel, red, rlen);
	free(red);
	pthread_mutex_unlock(&rl->mtx);
	return rc;
}

int
runlog_write_verbatim(struct runlog *rl, const char *rel, const char *data, size_t len, mode_t mode)
{
	int rc;

	pthread_mutex_lock(&rl->mtx);
	if (!kc_path_rel_ok(rel))
		rc = runlog_fail(rl, "refusing path outside the run directory: %s", rel);
	else
		rc = runlog_io_whole_mode(rl, rel, data, len, mode & 0755);
	pthread_mutex_unlock(&rl->mtx);
	return rc;
}

int
runlog_write_json(struct runlog *rl, const char *rel, const cJSON *j)
{
	char *text = cJSON_Print(j);
	int rc;

	if (text == NULL)
		return runlog_fail(rl, "%s: cannot serialize", rel);
	rc = runlog_write_file(rl, rel, text, strlen(text));
	free(text);
	return rc;
}

int
runlog_write_raw(struct runlog *rl, const char *rel, const cJSON *j)
{
	return rl->include_raw ? runlog_write_json(rl, rel, j) : 0;
}

int
runlog_event(struct runlog *rl, const char *kind, cJSON *fields)
{
	int rc;

	if (!rl->include_events) {
		cJSON_Delete(fields);
		return 0;
	}
	pthread_mutex_lock(&rl->mtx);
	rc = runlog_event_locked(rl, kind, fields);
	pthread_mutex_unlock(&rl->mtx);
	return rc;
}

char *
runlog_redact(struct runlog *rl, const char *text, const char *where)
{
	size_t n;
	char *out;

	pthread_mutex_lock(&rl->mtx);
	out = runlog_redact_locked(rl, text, strlen(text), where, &n);
	pthread_mutex_unlock(&rl->mtx);
	return out;
}

/* A fence longer than any backtick run in body, so a prompt full of
 * markdown cannot end the block or forge a section header. */
static void
runlog_md_fenced(struct strbuf *sb, const char *body)
{
	size_t run = 0, best = 0, i;

	for (i = 0; body[i] != '\0'; i++) {
		run = body[i] == '`' ? run + 1 : 0;
		if (run > best)
			best = run;
	}
	best = best < 3 ? 3 : best + 1;
	for (i = 0; i < best; i++)
		strbuf_addc(sb, '`');
	strbuf_adds(sb, "text\n");
	strbuf_adds(sb, body);
	if (body[0] != '\0' && body[strlen(body) - 1] != '\n')
		strbuf_addc(sb, '\n');
	for (i = 0; i < best; i++)
		strbuf_addc(sb, '`');
	strbuf_adds(sb, "\n\n");
}

void
runlog_section_add(struct runlog *rl, enum runlog_section sec, int turn, const char *body,
                   const char *link)
{
	cJSON *e = cJSON_CreateObject();
	size_t at;

	pthread_mutex_lock(&rl->mtx);
	if (rl->md.len == 0)
		strbuf_addf(&rl->md, "# kylecode run %s\n\n", strrchr(rl->dir, '/') + 1);
	at = rl->md.len;
	strbuf_addf(&rl->md, "## %s\n\n", runlog_titles[sec]);
	if (turn > 0)
		strbuf_addf(&rl->md, "Turn %d", turn);
	if (link != NULL)
		strbuf_addf(&rl->md, "%sArtifact: [%s](../%s)", turn > 0 ? " · " : "", link, link);
	if (turn > 0 || link != NULL)
		strbuf_adds(&rl->md, "\n\n");
	if (body != NULL)
		runlog_md_fenced(&rl->md, body);
	cJSON_AddStringToObject(e, "section", runlog_titles[sec]);
	cJSON_AddNumberToObject(e, "turn", turn);
	if (link != NULL)
		cJSON_AddStringToObject(e, "artifact", link);
	else
		cJSON_AddNullToObject(e, "artifact");
	cJSON_AddNumberToObject(e, "md_offset", (double)at); /* where the header starts */
	cJSON_AddItemToArray(rl->index, e);
	rl->dirty = 1;
	pthread_mutex_unlock(&rl->mtx);
}

int
runlog_flush(struct runlog *rl)
{
	char *idx, *red;
	size_t rlen;
	int rc;

	pthread_mutex_lock(&rl->mtx);
	red = runlog_redact_locked(rl, rl->md.buf ? rl->md.buf : "", rl->md.len,
	                           "conversation/conversation.md", &rlen);
	rc = runlog_io_whole(rl, "conversation/conversation.md", red, rlen);
	free(red);
	idx = cJSON_Print(rl->index);
	if (rc == 0)
		rc = runlog_io_whole(rl, "conversation/index.json", idx, strlen(idx));
	free(idx);
	if (rc == 0)
		rl->dirty = 0;
	pthread_mutex_unlock(&rl->mtx);
	return rc;
}

/* ---- retention ---------------------------------------------------------- */

static int
runlog_is_run_name(const char *n)
{
	size_t i;

	if (strlen(n) != 22 || n[8] != '-' || n[15] != '_')
		return 0;
	for (i = 0; i < 22; i++)
		if (i != 8 && i != 15 &&
		    !((n[i] >= '0' && n[i] <= '9') || (i > 15 && n[i] >= 'a' && n[i] <= 'f')))
			return 0;
	return 1;
}

static int
runlog_rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	if (remove(path) != 0)
		log_warn("runlog: retention: remove %s", path);
	return 0;
}

static int
runlog_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Keeps the newest max_runs runs under root. Only directories named like
 * a run and holding meta/ are candidates: retention must never delete
 * something that merely lives in the same root. */
static void
runlog_retention(const char *root, int max_runs, const char *keep)
{
	DIR *d = opendir(root);
	struct dirent *e;
	char **names = NULL, *p;
	size_t n = 0, i;
	struct stat st;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		p = xasprintf("%s/%s/meta", root, e->d_name);
		if (runlog_is_run_name(e->d_name) && stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
			names = xreallocarray(names, n + 1, sizeof(*names));
			names[n++] = xstrdup(e->d_name);
		}
		free(p);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), runlog_name_cmp);
	for (i = 0; i + (size_t)max_runs < n; i++) {
		p = xasprintf("%s/%s", root, names[i]);
		if (strcmp(p, keep) != 0)
			nftw(p, runlog_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
		free(p);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}
