/*
 * validate.h — the turn validator and the concurrency planner.
 *
 * Before anything of a turn runs, every parsed call is checked in order
 * against: the registry (unknown tool), the mode (enabled_tools globs,
 * disabled_tools), its required arguments, the tool's max_per_turn and the
 * config's at_most_one_of sets. A call that breaks a rule is not run and
 * gets one violation {call, rule, message} that tells the model why; the
 * turn's other calls still run. Counting for max_per_turn/at_most_one_of
 * takes only calls that passed the earlier checks, in call order: with
 * max_per_turn 1, the first run_shell runs and each later one is refused
 * (as the prototype's sequence validator refused the violating calls).
 *
 * The planner then orders the valid calls into batches: if any is
 * blocking, one call per batch in call order; otherwise consecutive calls
 * share a batch while no concurrency group exceeds its max_parallel, and a
 * call named by a group's barrier_after closes its batch.
 */
#ifndef KC_WORKER_TOOLS_VALIDATE_H
#define KC_WORKER_TOOLS_VALIDATE_H

#include <cjson/cJSON.h>

/* What the calls of a turn may do; all borrowed. */
struct tool_turn {
	const cJSON *config;   /* TOOLS_CONFIGURE body: tools, concurrency, ... */
	const cJSON *enabled;  /* array of names/globs; NULL = every tool */
	const cJSON *disabled; /* array of names/globs; NULL = none */
	const char *mode;      /* for messages; may be NULL */
};

/* The registry's definition of name (exact name), or NULL. */
const cJSON *tool_def_find(const cJSON *config, const char *name);
/* "shell", "file", "edit", "complete" or "other". */
const char *tool_call_kind(const cJSON *config, const char *name);
/* 1 when a call of name must run alone (see validate.c for the rule). */
int tool_call_blocking(const cJSON *config, const char *name);

/* Validates calls (array of {id,name,args,...}) in place: adds "blocking"
 * and "kind" to each, and returns the violations array (caller owns). */
cJSON *tool_turn_validate(const struct tool_turn *t, cJSON *calls);

/* The execution plan of the calls that have no violation: an array of
 * batches, each an array of call indices. Caller owns it. */
cJSON *tool_turn_plan(const cJSON *config, const cJSON *calls, const cJSON *violations);

#endif
