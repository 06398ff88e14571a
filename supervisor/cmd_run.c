/*
 * cmd_run.c — `kylecode run`, `kylecode resume RUN_DIR` and
 * `kylecode replay RUN_DIR [--check]`: argument handling; the run itself
 * is supervisor/conductor.c.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/config/config.h"
#include "lib/core/fsutil.h"
#include "lib/core/strbuf.h"
#include "lib/core/xmalloc.h"
#include "supervisor/cmd.h"
#include "supervisor/conductor.h"
#include "supervisor/run_snapshot.h"

#define RUN_USAGE                                                                                  \
	"usage: kylecode run [--config F] [--task F | --task-text T] [-m N] [--model ID]\n"        \
	"                    [--workspace D] [--log-dir D] [--driver D] [--quiet] [--json]\n"

static void
cmd_run_help(void)
{
	printf(
	    RUN_USAGE
	    "\nRuns the agent on a task: the model (via kylecode-llm) proposes tool calls,\n"
	    "kylecode-tools parses and validates them, kylecode-sandbox runs commands in\n"
	    "the jail; results go back to the model until the task is complete or N steps.\n\n"
	    "  --config F       the agent config (default: $KYLECODE_CONFIG, ./kylecode.yaml,\n"
	    "                   then the shipped configs/default.yaml)\n"
	    "  --task F         the task, from a file      --task-text T   the task, inline\n"
	    "  -m N             at most N turns (default: loop.max_steps or 20)\n"
	    "  --model ID       a model of providers.models (default: default_model)\n"
	    "  --workspace D    where the agent works (default: workspace.root)\n"
	    "  --log-dir D      the run log root (default: logging.root_dir or ./logging)\n"
	    "  --driver D       sandbox driver: process|jail|runsc|docker\n"
	    "  --quiet          print only errors and the run log path\n"
	    "  --json           one JSON event per line on stdout\n\n"
	    "Exit: 0 task completed; 1 not completed (-m reached, interrupted, a step\n"
	    "failed); 2 usage; 3 config error. The run log (Logging V2) is printed at the end.\n");
}

static int
cmd_run_int(const char *s, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < 1 || v > 100000)
		return -1;
	*out = (int)v;
	return 0;
}

int
cmd_run(int argc, char **argv)
{
	static const struct option lo[] = {{"config", required_argument, NULL, 'c'},
	                                   {"task", required_argument, NULL, 't'},
	                                   {"task-text", required_argument, NULL, 'T'},
	                                   {"model", required_argument, NULL, 'M'},
	                                   {"workspace", required_argument, NULL, 'w'},
	                                   {"log-dir", required_argument, NULL, 'l'},
	                                   {"driver", required_argument, NULL, 'd'},
	                                   {"quiet", no_argument, NULL, 'q'},
	                                   {"json", no_argument, NULL, 'j'},
	                                   {"help", no_argument, NULL, 'h'},
	                                   {NULL, 0, NULL, 0}};
	struct cond_opts o = {0};
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "m:h", lo, NULL)) != -1) {
		switch (ch) {
		case 'c':
			o.config_path = optarg;
			break;
		case 't':
			o.task_file = optarg;
			break;
		case 'T':
			o.task_text = optarg;
			break;
		case 'M':
			o.model = optarg;
			break;
		case 'w':
			o.workspace = optarg;
			break;
		case 'l':
			o.log_dir = optarg;
			break;
		case 'd':
			o.driver = optarg;
			break;
		case 'q':
			o.quiet = 1;
			break;
		case 'j':
			o.json = 1;
			break;
		case 'h':
			cmd_run_help();
			return KC_EXIT_OK;
		case 'm':
			if (cmd_run_int(optarg, &o.max_steps) == 0)
				break;
			fprintf(stderr, "kylecode run: -m: expected a number of turns >= 1\n");
			return KC_EXIT_USAGE;
		default:
			fputs(RUN_USAGE, stderr);
			return KC_EXIT_USAGE;
		}
	}
	if (optind != argc || (o.task_file != NULL && o.task_text != NULL) ||
	    (o.task_file == NULL && o.task_text == NULL)) {
		fprintf(stderr, "kylecode run: %s\n",
		        optind != argc ? "unexpected argument"
		                       : "give one of --task or --task-text");
		fputs(RUN_USAGE, stderr);
		return KC_EXIT_USAGE;
	}
	return cond_run(&o);
}

/* meta/run_meta.json of a recorded run, for resume and replay. */
static cJSON *
cmd_run_meta(const char *dir)
{
	char *p = xasprintf("%s/meta/run_meta.json", dir), *m, err[512];
	cJSON *j = kc_json_file_load(p, err, sizeof(err));

	if (j == NULL && access(p, F_OK) == 0) {
		fprintf(stderr, "kylecode: %s\n", err);
	} else if (j == NULL) {
		m = xasprintf("%s/meta", dir);
		if (access(m, F_OK) == 0)
			fprintf(stderr,
			        "kylecode: %s: missing: the run stopped before it started "
			        "(nothing was sent to a model); start it again with kylecode run\n",
			        p);
		else
			fprintf(stderr,
			        "kylecode: %s: cannot read (is %s a kylecode run directory?)\n", p,
			        dir);
		free(m);
	}
	free(p);
	return j;
}

/* Options of the recorded run (config, model, task, workspace, driver). */
static void
cmd_run_from_meta(const cJSON *m, struct cond_opts *o)
{
	o->config_path = kc_cfg_str(m, "config_path", NULL);
	o->model = kc_cfg_str(m, "model", NULL);
	o->task_text = kc_cfg_str(m, "task", "");
	o->driver = kc_cfg_str(m, "driver", NULL);
	o->max_steps = (int)kc_cfg_num(m, "max_steps", 0);
}

static void
cmd_run_recorded_help(const char *usage, int replay)
{
	fputs(usage, stdout);
	printf(replay ? "\nRe-runs a recorded run with its recorded model responses (no model is "
	                "called)\nin a fresh workspace (a temp directory, or --workspace D when "
	                "empty) holding\nthe recorded start state (workspace_start/); a non-empty "
	                "D is used as it is.\n--check fails (exit 1) if any tool result "
	                "differs.\n"
	              : "\nContinues an interrupted run from its last complete turn, in the same "
	                "run\ndirectory: calls with a recorded result are not run again, a call "
	                "that\nwas in flight is reported to the model as interrupted.\n");
}

/* Replay: a fresh workspace (a temp directory unless --workspace) with
 * the recorded run's start state restored before the first turn. */
static int
cmd_run_restore(const char *run_dir, struct cond_opts *o, char *tmpl)
{
	char err[1024];
	int rc;

	if (o->workspace == NULL) {
		if (mkdtemp(tmpl) == NULL) {
			fprintf(stderr, "kylecode replay: mkdtemp %s: %s\n", tmpl, strerror(errno));
			return -1;
		}
		o->workspace = tmpl;
	}
	rc = run_snapshot_restore(run_dir, o->workspace, &o->restore_note, err, sizeof(err));
	if (rc < 0)
		fprintf(stderr, "kylecode replay: restoring the recorded start state: %s\n", err);
	o->restored = rc == 1;
	return rc < 0 ? -1 : 0;
}

static int
cmd_run_recorded(int argc, char **argv, int replay)
{
	static const struct option lo[] = {{"check", no_argument, NULL, 'k'},
	                                   {"quiet", no_argument, NULL, 'q'},
	                                   {"json", no_argument, NULL, 'j'},
	                                   {"log-dir", required_argument, NULL, 'l'},
	                                   {"workspace", required_argument, NULL, 'w'},
	                                   {"driver", required_argument, NULL, 'd'},
	                                   {"help", no_argument, NULL, 'h'},
	                                   {NULL, 0, NULL, 0}};
	const char *usage = replay ? "usage: kylecode replay RUN_DIR [--check] [--log-dir D] "
	                             "[--workspace D] [--driver D] [--quiet] [--json]\n"
	                           : "usage: kylecode resume RUN_DIR [--quiet] [--json]\n";
	struct cond_opts o = {0}, cli = {0};
	char real[PATH_MAX], *parent, tmpl[] = "/tmp/kylecode-replay.XXXXXX";
	cJSON *meta;
	int ch, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (ch) {
		case 'k':
			cli.check = 1;
			break;
		case 'q':
			cli.quiet = 1;
			break;
		case 'j':
			cli.json = 1;
			break;
		case 'l':
			cli.log_dir = optarg;
			break;
		case 'w':
			cli.workspace = optarg;
			break;
		case 'd':
			cli.driver = optarg;
			break;
		case 'h':
			cmd_run_recorded_help(usage, replay);
			return KC_EXIT_OK;
		default:
			fputs(usage, stderr);
			return KC_EXIT_USAGE;
		}
	}
	if (optind + 1 != argc || (!replay && (cli.check || cli.log_dir || cli.workspace))) {
		fputs(usage, stderr);
		return KC_EXIT_USAGE;
	}
	if (realpath(argv[optind], real) == NULL || (meta = cmd_run_meta(real)) == NULL) {
		fprintf(stderr, "kylecode: %s: not a readable run directory\n", argv[optind]);
		return KC_EXIT_FAIL;
	}
	cmd_run_from_meta(meta, &o);
	o.quiet = cli.quiet;
	o.json = cli.json;
	o.check = cli.check;
	parent = xstrdup(real);
	*strrchr(parent, '/') = '\0';
	if (replay) {
		o.replay_dir = real;
		o.log_dir = cli.log_dir ? cli.log_dir : parent;
		o.workspace = cli.workspace;
		if (cli.driver)
			o.driver = cli.driver;
	} else {
		o.resume_dir = real;
		o.workspace = kc_cfg_str(meta, "workspace", NULL);
	}
	rc = replay && cmd_run_restore(real, &o, tmpl) < 0 ? KC_EXIT_FAIL : cond_run(&o);
	free(parent);
	cJSON_Delete(meta);
	return rc;
}

int
cmd_resume(int argc, char **argv)
{
	return cmd_run_recorded(argc, argv, 0);
}

int
cmd_replay(int argc, char **argv)
{
	return cmd_run_recorded(argc, argv, 1);
}
