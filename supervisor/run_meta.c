/*
 * run_meta.c — meta/run_meta.json (what ran, how it ended, what it cost)
 * and meta/checkpoint.json, the state at the end of the last complete
 * turn, from which `kylecode resume` continues. Both are whole-file
 * writes through the runlog, so either the old or the new one is on disk.
 */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/config/config.h"
#include "lib/core/fsutil.h"
#include "lib/core/strbuf.h"
#include "lib/core/xmalloc.h"
#include "supervisor/conductor.h"
#include "supervisor/run_snapshot.h"
#include "supervisor/runlog.h"

static void
run_iso_now(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void
run_meta_fill(struct cond *c, cJSON *m, const char *status)
{
	cJSON *tok, *v;
	char now[32];

	run_iso_now(now, sizeof(now));
	cJSON_AddStringToObject(m, "run_id", strrchr(runlog_dir(c->rl), '/') + 1);
	cJSON_AddStringToObject(m, "status", status);
	cJSON_AddStringToObject(m, "config_path", kc_config_path(c->cfg));
	cJSON_AddStringToObject(m, "config_hash", c->config_hash ? c->config_hash : "");
	cJSON_AddStringToObject(m, "model", c->model_id);
	v = cJSON_AddObjectToObject(m, "versions");
	cJSON_AddStringToObject(v, "kylecode", KC_VERSION);
	cJSON_AddStringToObject(m, "workspace", c->workspace ? c->workspace : "");
	cJSON_AddStringToObject(
	    m, "driver",
	    c->o->driver ? c->o->driver : kc_cfg_str(c->root, "workspace.sandbox.driver", "jail"));
	cJSON_AddStringToObject(m, "task", c->task);
	if (c->warnings != NULL)
		cJSON_AddItemToObject(m, "warnings", cJSON_Duplicate(c->warnings, 1));
	cJSON_AddNumberToObject(m, "max_steps", c->max_steps);
	cJSON_AddStringToObject(m, "updated_at", now);
	cJSON_AddNumberToObject(m, "turns", c->turn);
	cJSON_AddStringToObject(m, "completion_reason", c->reason);
	tok = cJSON_AddObjectToObject(m, "tokens");
	cJSON_AddNumberToObject(tok, "prompt", (double)c->prompt_tokens);
	cJSON_AddNumberToObject(tok, "completion", (double)c->completion_tokens);
	cJSON_AddNumberToObject(tok, "total", (double)(c->prompt_tokens + c->completion_tokens));
	cJSON_AddNumberToObject(m, "cost_usd", c->cost_usd);
	cJSON_AddNumberToObject(m, "tool_calls", c->tool_calls_total);
	cJSON_AddNumberToObject(m, "tool_failures", c->tool_failures);
	cJSON_AddBoolToObject(m, "native_tools", c->native);
	cJSON_AddItemToObject(m, "dialects", cJSON_Duplicate(c->dialects, 1));
	if (c->replay_src != NULL)
		cJSON_AddStringToObject(m, "replay_of", c->replay_src);
}

/* started_at is kept from the first write so resume does not reset it. */
int
run_meta_write(struct cond *c, const char *status)
{
	cJSON *m = cJSON_CreateObject();
	char now[32];
	int rc;

	run_iso_now(now, sizeof(now));
	if (c->started_at[0] == '\0')
		snprintf(c->started_at, sizeof(c->started_at), "%s", now);
	run_meta_fill(c, m, status);
	cJSON_AddStringToObject(m, "started_at", c->started_at);
	if (strcmp(status, "running") != 0)
		cJSON_AddStringToObject(m, "ended_at", now);
	rc = runlog_write_json(c->rl, "meta/run_meta.json", m);
	cJSON_Delete(m);
	return rc;
}

int
run_checkpoint_write(struct cond *c)
{
	cJSON *k = cJSON_CreateObject();
	int rc;

	cJSON_AddNumberToObject(k, "turn", c->turn);
	cJSON_AddStringToObject(k, "mode", c->mode);
	cJSON_AddNumberToObject(k, "plan_turns", c->plan_turns);
	cJSON_AddItemToObject(k, "messages", cJSON_Duplicate(c->messages, 1));
	if (c->pending != NULL)
		cJSON_AddStringToObject(k, "pending", c->pending);
	cJSON_AddBoolToObject(k, "relayed_native", c->relayed_native);
	cJSON_AddNumberToObject(k, "idle_turns", c->idle_turns);
	cJSON_AddNumberToObject(k, "no_tool_turns", c->no_tool_turns);
	cJSON_AddBoolToObject(k, "completed", c->completed);
	cJSON_AddStringToObject(k, "reason", c->reason);
	cJSON_AddNumberToObject(k, "prompt_tokens", (double)c->prompt_tokens);
	cJSON_AddNumberToObject(k, "completion_tokens", (double)c->completion_tokens);
	cJSON_AddNumberToObject(k, "cost_usd", c->cost_usd);
	cJSON_AddNumberToObject(k, "tool_calls", c->tool_calls_total);
	cJSON_AddNumberToObject(k, "tool_failures", c->tool_failures);
	rc = runlog_write_json(c->rl, "meta/checkpoint.json", k);
	cJSON_Delete(k);
	if (rc == 0)
		rc = run_meta_write(c, "running");
	return rc;
}

/* Loads the last complete turn's state; no checkpoint = resume from the
 * start (a crash during turn 1). */
int
run_checkpoint_load(struct cond *c, const char *dir, char *err, size_t errlen)
{
	char *p = xasprintf("%s/meta/run_meta.json", dir), lerr[512];
	/* a missing or unreadable file is "nothing recorded yet" here */
	cJSON *k = kc_json_file_load(p, lerr, sizeof(lerr));

	free(p);
	snprintf(c->started_at, sizeof(c->started_at), "%s", kc_cfg_str(k, "started_at", ""));
	cJSON_Delete(k);
	p = xasprintf("%s/meta/checkpoint.json", dir);
	k = kc_json_file_load(p, lerr, sizeof(lerr));
	free(p);
	if (k == NULL)
		return 0;
	if (!cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(k, "messages"))) {
		snprintf(err, errlen, "%s/meta/checkpoint.json: no messages", dir);
		cJSON_Delete(k);
		return -1;
	}
	c->turn = (int)kc_cfg_num(k, "turn", 0);
	snprintf(c->mode, sizeof(c->mode), "%s", kc_cfg_str(k, "mode", ""));
	c->plan_turns = (int)kc_cfg_num(k, "plan_turns", 0);
	cJSON_Delete(c->messages);
	c->messages = cJSON_DetachItemFromObjectCaseSensitive(k, "messages");
	free(c->pending);
	c->pending = kc_cfg_str(k, "pending", NULL) ? xstrdup(kc_cfg_str(k, "pending", "")) : NULL;
	c->relayed_native = kc_cfg_bool(k, "relayed_native", 0);
	c->idle_turns = (int)kc_cfg_num(k, "idle_turns", 0);
	c->no_tool_turns = (int)kc_cfg_num(k, "no_tool_turns", 0);
	c->completed = kc_cfg_bool(k, "completed", 0);
	snprintf(c->reason, sizeof(c->reason), "%s", kc_cfg_str(k, "reason", ""));
	c->prompt_tokens = (long)kc_cfg_num(k, "prompt_tokens", 0);
	c->completion_tokens = (long)kc_cfg_num(k, "completion_tokens", 0);
	c->cost_usd = kc_cfg_num(k, "cost_usd", 0);
	c->tool_calls_total = (int)kc_cfg_num(k, "tool_calls", 0);
	c->tool_failures = (int)kc_cfg_num(k, "tool_failures", 0);
	cJSON_Delete(k);
	return 0;
}

const cJSON *
run_recorded_result(const struct cond *c, int turn, const char *call_id, int *dispatched)
{
	const cJSON *e;
	const char *kind;

	*dispatched = 0;
	cJSON_ArrayForEach(e, c->recorded)
	{
		if ((int)kc_cfg_num(e, "turn", -1) != turn ||
		    strcmp(kc_cfg_str(e, "call_id", ""), call_id) != 0)
			continue;
		kind = kc_cfg_str(e, "kind", "");
		if (strcmp(kind, "tool_result") == 0)
			return e;
		if (strcmp(kind, "tool_dispatch") == 0)
			*dispatched = 1;
	}
	return NULL;
}

/* ---- the workspace a run started from ---------------------------------- */

#define RUN_WS_MAX_LISTED 200

static cJSON *run_ws_list;
static size_t run_ws_prefix;
static double run_ws_files, run_ws_bytes;

static int
run_ws_visit(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)ftw;
	if (flag != FTW_F && flag != FTW_SL)
		return 0;
	run_ws_files++;
	run_ws_bytes += (double)st->st_size;
	if (cJSON_GetArraySize(run_ws_list) < RUN_WS_MAX_LISTED && strlen(path) > run_ws_prefix)
		cJSON_AddItemToArray(run_ws_list, cJSON_CreateString(path + run_ws_prefix + 1));
	return 0;
}

/* meta/workspace_start.json: what the workspace held when the run began
 * (file count, bytes, the first paths; symlinks are not followed). Replay
 * starts from an empty workspace, so it warns when this was not empty.
 * Main thread only (the walk's state is file-static). */
int
run_workspace_record(struct cond *c)
{
	cJSON *o = cJSON_CreateObject(), *snap;
	int rc;

	run_ws_list = cJSON_CreateArray();
	run_ws_prefix = strlen(c->workspace);
	run_ws_files = run_ws_bytes = 0;
	nftw(c->workspace, run_ws_visit, 16, FTW_PHYS);
	cJSON_AddStringToObject(o, "workspace", c->workspace);
	cJSON_AddNumberToObject(o, "files", run_ws_files);
	cJSON_AddNumberToObject(o, "bytes", run_ws_bytes);
	cJSON_AddItemToObject(o, "paths", run_ws_list);
	run_ws_list = NULL;
	/* The copy first: this file, written last, is what makes it count. */
	snap = run_snapshot_take(c);
	if (snap == NULL) {
		cJSON_Delete(o);
		return -1;
	}
	cJSON_AddItemToObject(o, "snapshot", snap);
	rc = runlog_write_json(c->rl, "meta/workspace_start.json", o);
	cJSON_Delete(o);
	return rc;
}

/* Replay: the recorded run's start state against the replay's. */
void
run_workspace_compare(struct cond *c)
{
	char *p = xasprintf("%s/meta/workspace_start.json", c->replay_src), lerr[512];
	cJSON *rec = kc_json_file_load(p, lerr, sizeof(lerr));
	double files = kc_cfg_num(rec, "files", 0);

	free(p);
	if (c->o->restored)
		run_ui_line(&c->ui, "2",
		            "replay: the recorded start state (%.0f file(s)) restored in %s", files,
		            c->workspace);
	else if (files > 0)
		run_ui_line(&c->ui, "33",
		            "note: the recorded run started from a workspace of %.0f file(s) "
		            "(not restored: %s); this replay starts from %s: results may differ "
		            "(use --workspace with a copy)",
		            files, c->o->restore_note ? c->o->restore_note : "no snapshot",
		            c->workspace);
	cJSON_Delete(rec);
}
