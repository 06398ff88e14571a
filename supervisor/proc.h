/* proc.h — the supervisor's process manager: spawns the workers from a
 * role table, talks to them over ipc/, watches them (SIGCHLD + heartbeat),
 * restarts them with backoff and tears everything down at the end.
 *
 * Every subcommand that needs a worker does:
 *
 *	struct sup *s = sup_start(SUP_ROLE_BIT(SUP_SANDBOX), &opts, err, sizeof(err));
 *	if (s == NULL) { fprintf(stderr, "kylecode exec: %s\n", err); return 1; }
 *	rc = sup_call(s, SUP_SANDBOX, IPC_T_SBX_EXEC, body, 0, 0, &reply, cb, arg,
 *		      err, sizeof(err));
 *	...
 *	sup_stop(s);
 */
#ifndef KC_SUPERVISOR_PROC_H
#define KC_SUPERVISOR_PROC_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "ipc/ipc.h"

enum sup_role { SUP_LLM, SUP_TOOLS, SUP_SANDBOX, SUP_NROLES };
#define SUP_ROLE_BIT(r) (1u << (r))
#define SUP_ROLES_ALL (SUP_ROLE_BIT(SUP_LLM) | SUP_ROLE_BIT(SUP_TOOLS) | SUP_ROLE_BIT(SUP_SANDBOX))

struct sup_opts {
	const char *workspace;
	const char *driver;
	/* NULL-terminated names of env vars worker-llm may receive (API keys) */
	const char *const *llm_env;
	/* Path of a .env file worker-llm reads its keys from (as
	 * KYLECODE_DOTENV in its environment), or NULL. The supervisor never
	 * opens it: only worker-llm holds keys (DESIGN §1). */
	const char *llm_dotenv;
	int verbose;
	/* NULL: next to /proc/self/exe, or $KYLECODE_LIBEXEC */
	const char *libexec;
};

struct sup;

/* Makes the runtime directory, installs the SIGINT/SIGTERM/SIGCHLD
 * handling, spawns the workers named in roles (SUP_ROLE_BIT(...) | ...) and
 * waits until each answers PING. NULL with err filled on failure (nothing
 * is left running then). One struct sup per process. */
struct sup *sup_start(unsigned roles, const struct sup_opts *o, char *err, size_t errlen);

/* Sends body to the role's worker. A dead worker is restarted with backoff;
 * an idempotent request is re-sent once the worker is back; a
 * non-idempotent one returns IPC_E_CLOSED with err "interrupted: <type> was
 * in flight when kylecode-<role> died" and is never re-sent. timeout_ms 0:
 * 60 s. Return codes and *reply as ipc_call(). Thread-safe. */
int sup_call(struct sup *s, enum sup_role r, uint16_t type, const cJSON *body, int timeout_ms,
             int idempotent, cJSON **reply, ipc_event_fn cb, void *arg, char *err, size_t errlen);

/* A message re-sent to the worker after every (re)start before any other
 * request (e.g. TOOLS_CONFIGURE). Copies body. If the worker is running,
 * it is sent at once as well. */
void sup_set_init_msg(struct sup *s, enum sup_role r, uint16_t type, const cJSON *body);

/* Called (from the supervisor's thread) for each worker death/restart, for
 * the run log. what: "died", "restarted", "hung", "policy_violation",
 * "gave_up"; status: the wait status (or 0). */
void sup_set_on_event(struct sup *s,
                      void (*cb)(const char *what, enum sup_role r, int status, void *arg),
                      void *arg);

/* SIGINT/SIGTERM received (or the run stopped on a crash loop): stop at
 * the next safe point and call sup_stop(). A second SIGINT/SIGTERM does
 * not wait for that: every worker and descendant is killed, the runtime
 * directory removed, and the process exits with status 130. */
int sup_interrupted(void);

/* SHUTDOWN each worker, wait briefly, SIGKILL, reap everything (workers and
 * their descendants), remove the runtime dir. NULL is a no-op. */
void sup_stop(struct sup *s);

/* ---- extras (for tests, doctor and the run log) ---- */

/* The directory holding the worker programs (as sup_start finds it:
 * libexec, else $KYLECODE_LIBEXEC, else next to this program or in
 * ../libexec/kylecode). Caller frees; NULL with err filled. */
char *sup_libexec_dir(const char *libexec, char *err, size_t errlen);

/* "llm", "tools", "sandbox". */
const char *sup_role_name(enum sup_role r);
/* The worker's current pid, or -1 while it is down. */
int sup_worker_pid(struct sup *s, enum sup_role r);
/* How many times the worker was (re)started so far (1 after sup_start). */
int sup_worker_starts(struct sup *s, enum sup_role r);
/* The runtime directory (valid until sup_stop). */
const char *sup_rundir(struct sup *s);
/* Non-zero once the run was stopped for good (crash loop); msg says why. */
int sup_failed(struct sup *s, char *msg, size_t msglen);
/* Heartbeat period and the time a worker may take to answer a PING
 * before it counts as hung (ms). Defaults: 2000 and 5000. Also from
 * $KYLECODE_HEARTBEAT_MS / $KYLECODE_HANG_MS (tests). */
void sup_set_heartbeat(struct sup *s, int period_ms, int hang_ms);

#endif
