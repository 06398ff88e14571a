/*
 * conductor.c — the run from start to end: setup, the turn loop, the end
 * of the run (reason, meta, summary) and the exit code (DESIGN §7: 0 the
 * task was completed, 1 it was not or a step failed, 3 config error).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/config/config.h"
#include "lib/core/log.h"
#include "lib/core/xmalloc.h"
#include "lib/tpsl/tpsl.h"
#include "supervisor/cmd.h"
#include "supervisor/conductor.h"
#include "supervisor/proc.h"
#include "supervisor/runlog.h"

static void
cond_config_hash(struct cond *c)
{
	char *text = cJSON_PrintUnformatted(c->root), hex[65];

	kc_sha256_hex(text, strlen(text), hex);
	c->config_hash = xstrdup(hex);
	free(text);
}

static void
cond_start_event(struct cond *c, int resumed)
{
	cJSON *f = cJSON_CreateObject();
	char *t;

	cJSON_AddStringToObject(f, "run_dir", runlog_dir(c->rl));
	cJSON_AddStringToObject(f, "model", c->model_id);
	cJSON_AddStringToObject(f, "workspace", c->workspace);
	cJSON_AddBoolToObject(f, "native_tools", c->native);
	cJSON_AddBoolToObject(f, "resumed", resumed);
	cJSON_AddNumberToObject(f, "from_turn", c->turn);
	run_ui_event(&c->ui, "run_start", cJSON_Duplicate(f, 1));
	runlog_event(c->rl, resumed ? "run_resume" : "run_start", f);
	run_ui_line(&c->ui, "1", "kylecode %s · model %s · %s tools · workspace %s",
	            resumed         ? "resume"
	            : c->replay_src ? "replay"
	                            : "run",
	            c->model_id, c->native ? "native" : "text", c->workspace);
	if (c->nolog_root == NULL)
		run_ui_line(&c->ui, "2", "run log: %s", runlog_dir(c->rl));
	if (!resumed) {
		t = xasprintf("%s", c->task);
		runlog_write_file(c->rl, "prompts/task.md", t, strlen(t));
		free(t);
	}
}

static int
cond_setup(struct cond *c, char *err, size_t errlen)
{
	int resumed = c->o->resume_dir != NULL;

	if (run_setup_config(c, err, errlen) < 0)
		return KC_EXIT_CONFIG;
	cond_config_hash(c);
	if (run_setup_log(c, c->o->resume_dir, err, errlen) < 0)
		return KC_EXIT_FAIL;
	c->messages = cJSON_CreateArray();
	if (resumed && run_checkpoint_load(c, c->o->resume_dir, err, errlen) < 0)
		return KC_EXIT_FAIL;
	if (c->turn == 0) {
		free(c->pending);
		c->pending = xstrdup(c->task);
	}
	if (run_setup_workers(c, err, errlen) < 0)
		return KC_EXIT_FAIL;
	if (strcmp(c->o->driver ? c->o->driver
	                        : kc_cfg_str(c->root, "workspace.sandbox.driver", "jail"),
	           "process") == 0)
		run_warn(c, "driver process: no isolation: the model's commands run on this host "
		            "with your rights (development only; use jail, runsc or docker)");
	/* A fresh run starts from the mirrored project; a resumed one keeps
	 * the workspace as the crash left it. */
	if (!resumed && run_mirror(c, "in", err, errlen) < 0)
		return KC_EXIT_FAIL;
	if (!resumed && run_workspace_record(c) < 0) {
		snprintf(err, errlen, "run log: %s", runlog_last_error(c->rl));
		return KC_EXIT_FAIL;
	}
	if (c->replay_src != NULL)
		run_workspace_compare(c);
	if (run_meta_write(c, "running") < 0) {
		snprintf(err, errlen, "run log: %s", runlog_last_error(c->rl));
		return KC_EXIT_FAIL;
	}
	cond_start_event(c, resumed);
	return KC_EXIT_OK;
}

/* The loop; returns how it ended: "completed", "incomplete" (-m reached),
 * "interrupted" or "failed". */
static const char *
cond_loop(struct cond *c, char *err, size_t errlen)
{
	int rc;

	if (c->completed)
		return "completed"; /* resumed after the last turn */
	while (c->turn < c->max_steps) {
		if (sup_interrupted())
			return "interrupted";
		rc = run_turn(c, err, errlen);
		if (rc == 1)
			return "completed";
		if (rc == -2)
			return "interrupted";
		if (rc < 0)
			return "failed";
	}
	snprintf(c->reason, sizeof(c->reason), "max_steps");
	return "incomplete";
}

static int
cond_finish(struct cond *c, const char *status, const char *err)
{
	cJSON *f = cJSON_CreateObject();
	int code = strcmp(status, "completed") == 0 ? KC_EXIT_OK : KC_EXIT_FAIL;
	char mirr[1024];

	if (c->reason[0] == '\0')
		snprintf(c->reason, sizeof(c->reason), "%s", status);
	if (c->check_diffs > 0)
		code = KC_EXIT_FAIL;
	/* Changed files go back to the project only when the task was done. */
	if (code == KC_EXIT_OK && run_mirror(c, "out", mirr, sizeof(mirr)) < 0) {
		fprintf(stderr, "kylecode: %s\n", mirr);
		cJSON_AddStringToObject(f, "mirror_error", mirr);
		code = KC_EXIT_FAIL;
	}
	cJSON_AddStringToObject(f, "status", status);
	cJSON_AddStringToObject(f, "reason", c->reason);
	cJSON_AddNumberToObject(f, "turns", c->turn);
	cJSON_AddNumberToObject(f, "exit_code", code);
	if (err[0] != '\0')
		cJSON_AddStringToObject(f, "error", err);
	if (c->replay_src != NULL && c->o->check)
		cJSON_AddNumberToObject(f, "check_differences", c->check_diffs);
	run_ui_event(&c->ui, "run_end", cJSON_Duplicate(f, 1));
	runlog_event(c->rl, "run_end", f);
	run_meta_write(c, status);
	runlog_flush(c->rl);
	if (err[0] != '\0')
		fprintf(stderr, "kylecode: %s\n", err);
	run_ui_line(&c->ui, code == 0 ? "1;32" : "1;31",
	            "%s after %d turn(s): %s · tokens %ld · $%.4f · %d tool call(s), %d failed",
	            status, c->turn, c->reason, c->prompt_tokens + c->completion_tokens,
	            c->cost_usd, c->tool_calls_total, c->tool_failures);
	if (c->replay_src != NULL && c->o->check)
		run_ui_line(&c->ui, c->check_diffs ? "1;31" : "1;32",
		            "replay --check: %d difference(s) from the recorded run",
		            c->check_diffs);
	if (!c->ui.json && c->nolog_root == NULL)
		fprintf(c->ui.quiet ? stderr : stdout, "run log: %s\n", runlog_dir(c->rl));
	if (runlog_last_error(c->rl) != NULL) {
		if (strstr(err, runlog_last_error(c->rl)) == NULL)
			fprintf(stderr, "kylecode: run log: %s\n", runlog_last_error(c->rl));
		code = KC_EXIT_FAIL;
	}
	return code;
}

int
cond_run(const struct cond_opts *o)
{
	struct cond c;
	char err[2048] = "";
	const char *status;
	int code;

	memset(&c, 0, sizeof(c));
	c.o = o;
	c.replay_src = o->replay_dir;
	run_ui_init(&c.ui, o->quiet, o->json);
	code = cond_setup(&c, err, sizeof(err));
	if (code != KC_EXIT_OK) {
		fprintf(stderr, "kylecode run: %s\n", err);
		if (c.rl != NULL) {
			cJSON *f = cJSON_CreateObject();

			cJSON_AddStringToObject(f, "error", err);
			runlog_event(c.rl, "run_error", f);
			run_meta_write(&c, "failed");
		}
		run_teardown(&c);
		return code;
	}
	status = cond_loop(&c, err, sizeof(err));
	code = cond_finish(&c, status, err);
	run_teardown(&c);
	return code;
}
