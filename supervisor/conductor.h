/*
 * conductor.h — the agent loop (DESIGN §7-8, `kylecode run`): compile the
 * prompts, then turns of model call (worker-llm) -> parse and validate
 * (worker-tools) -> execute (worker-tools / worker-sandbox) -> relay the
 * results, until a completion signal or the step limit. Every artifact
 * goes through supervisor/runlog.h; resume and replay re-enter the same
 * loop from a recorded run.
 */
#ifndef KC_SUPERVISOR_CONDUCTOR_H
#define KC_SUPERVISOR_CONDUCTOR_H

#include <pthread.h>
#include <stddef.h>

#include <cjson/cJSON.h>

struct kc_config;
struct kc_prompts;
struct runlog;
struct sup;
struct run_llm_job;
struct run_batch;

struct cond_opts {
	const char *config_path; /* NULL: the default config */
	const char *task_file;
	const char *task_text;
	int max_steps; /* 0: from the config or the default */
	const char *model;
	const char *workspace;
	const char *log_dir;
	const char *driver;
	int quiet;
	int json;
	const char *resume_dir;   /* resume: the run to continue */
	const char *replay_dir;   /* replay: the run whose responses to play */
	int check;                /* replay --check */
	int restored;             /* replay: the recorded start state is in the workspace */
	const char *restore_note; /* replay: why it is not (static text), or NULL */
};

/* Runs to completion; returns the exit code (DESIGN §7). */
int cond_run(const struct cond_opts *o);

/* ---- internals shared by supervisor/conductor.c and run_*.c ---- */

#define COND_DEFAULT_STEPS 20
#define COND_MAX_MODES 16

/* Terminal output (run_ui.c): human, quiet or one JSON object per line. */
struct run_ui {
	pthread_mutex_t mtx;
	int quiet, json, color;
	int mid_line;    /* streamed text left the cursor mid-line */
	size_t streamed; /* bytes of model text shown for the current request */
};

struct cond_mode {
	char name[64];
	struct kc_prompts *prompts; /* compiled on first use */
	cJSON *enabled;             /* array of tool names */
};

/* One executed (or refused) call of a turn. */
struct cond_result {
	char *id; /* the call id (native id, or call_<n>) */
	char *name;
	int native;
	int ok;
	int complete;    /* the finish tool was called */
	int interrupted; /* dispatched before a crash: never re-run */
	char *output;    /* text for the model */
	char *diff;      /* unified diff of what changed, or NULL */
	long duration_ms;
};

struct cond {
	const struct cond_opts *o;
	struct kc_config *cfg;
	const cJSON *root; /* the merged config */
	cJSON *registry;   /* normalized tools (kc_tools_load) */
	char *model_id;
	cJSON *model_entry; /* LLM_COMPLETE "model" */
	cJSON *fallbacks;
	int native;      /* provider-native tools for this model */
	cJSON *dialects; /* text dialects for TOOLS_PARSE */
	struct cond_mode modes[COND_MAX_MODES];
	size_t nmodes;
	char *workspace;
	char *task;
	int max_steps;
	long context_window;

	/* loop state (checkpointed each turn) */
	int turn;
	char mode[64];
	int plan_turns;
	cJSON *messages;    /* neutral LLM_COMPLETE messages */
	char *pending;      /* user text for the next turn (task, results, errors) */
	int relayed_native; /* the last turn's results went back as tool messages */
	int idle_turns, no_tool_turns;
	int completed;
	char reason[64];
	long prompt_tokens, completion_tokens;
	double cost_usd;
	int tool_calls_total, tool_failures;
	char last_finish[32];

	/* infrastructure */
	struct sup *sup;
	struct runlog *rl;
	struct run_ui ui;
	char started_at[32];    /* kept across resume */
	char *nolog_root;       /* logging.enabled: false: a private root, removed at the end */
	cJSON *recorded;        /* resume/replay: trace events of the recorded run */
	const char *replay_src; /* replay: run dir whose responses are played */
	int check_diffs;        /* replay --check: results that differ */
	char *config_hash;
	const char *key_envs[32];          /* API-key variable names (borrowed), NULL-terminated */
	struct run_llm_job *llm_abandoned; /* a model call left running at SIGINT */
	struct run_batch *exec_abandoned;  /* tool calls left running at SIGINT */
	int stopping;                      /* interrupted: stop printing streamed text */
	cJSON *sbx_base;      /* SBX_EXEC fields from workspace.sandbox (run_start.c) */
	int shell_timeout_ms; /* workspace.sandbox.resources.timeout_s, or 0 */
	cJSON *warnings;      /* run_meta.json "warnings" (strings) */
};

/* run_setup.c */
int run_setup_config(struct cond *c, char *err, size_t errlen);
int run_setup_log(struct cond *c, const char *resume_dir, char *err, size_t errlen);
int run_setup_workers(struct cond *c, char *err, size_t errlen);
struct cond_mode *run_mode_get(struct cond *c, const char *name, char *err, size_t errlen);
void run_teardown(struct cond *c);
void run_warn(struct cond *c, const char *msg);
int run_mirror(struct cond *c, const char *op, char *err, size_t errlen);

/* run_loop.c */
const char *run_loop_next_mode(struct cond *c);
int run_needs_compact(const struct cond *c);
int run_compact(struct cond *c, char *err, size_t errlen);
long run_tokens_estimate(const cJSON *messages);

/* run_turn.c: one turn. 0 go on, 1 done, -1 failed, -2 interrupted. */
void run_llm_abandoned_reap(struct cond *c);
int run_turn(struct cond *c, char *err, size_t errlen);
cJSON *run_llm_call(struct cond *c, const char *mode, cJSON *messages, int with_tools, char *err,
                    size_t errlen);

/* run_exec.c: 0, or -2 when SIGINT stopped the batch (the calls in flight
 * are left to end when the workers stop; run_teardown reaps them). */
int run_exec_calls(struct cond *c, const cJSON *parse, const cJSON *native_calls,
                   struct cond_result **out, size_t *nout, char *err, size_t errlen);
void run_results_free(struct cond_result *r, size_t n);
void run_exec_abandoned_reap(struct cond *c);

/* run_complete.c */
int run_completion_check(struct cond *c, const char *content, size_t ncalls,
                         const struct cond_result *res, size_t nres, const char *finish);

/* run_meta.c */
int run_meta_write(struct cond *c, const char *status);
int run_checkpoint_write(struct cond *c);
int run_checkpoint_load(struct cond *c, const char *dir, char *err, size_t errlen);
int run_workspace_record(struct cond *c);
void run_workspace_compare(struct cond *c);
const cJSON *run_recorded_result(const struct cond *c, int turn, const char *call_id,
                                 int *dispatched);

/* run_ui.c */
void run_ui_init(struct run_ui *ui, int quiet, int json);
void run_ui_event(struct run_ui *ui, const char *event, cJSON *fields); /* takes fields */
void run_ui_text(struct run_ui *ui, const char *text);                  /* streamed tokens */
void run_ui_retry(struct run_ui *ui, const cJSON *ev); /* worker-llm `retry`: text so far void */
void run_ui_line(struct run_ui *ui, const char *color, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
