/* API keys. The supervisor puts the key variables of its own environment,
 * and the path of the .env file beside the config (KYLECODE_DOTENV: the
 * supervisor never reads that file), into this worker's environment only;
 * at start-up the worker moves its whole environment into a private store
 * and wipes the values from the environment block, then reads the .env
 * into the same store, so no later code path (a library reading getenv,
 * /proc/PID/environ) sees a key. A key is then looked up by the variable
 * name a model entry says (api_key_env) or its default. */
#ifndef KC_WORKER_LLM_KEYS_H
#define KC_WORKER_LLM_KEYS_H

#include <stddef.h>

/* Move every variable of envp into the store; wipe and unset all but the
 * harmless names in keep (NULL-terminated, may be NULL). */
void llm_keys_load(char **envp, const char *const *keep);
/* A copy of the variable `name` (caller frees with llm_key_free), or NULL
 * when unset or empty. */
char *llm_key_get(const char *name);
void llm_key_free(char *key);
/* Add the variables of a .env file (lines NAME=value, optional `export `,
 * quotes, # comments) to the store, never to the environment; a name
 * already set (from the environment) keeps its value. Refuses a file that
 * is not a regular file owned by root or the effective uid, or that others
 * may write. 0, or -1 with err (never quoting a value). */
int llm_keys_load_dotenv(const char *path, char *err, size_t errlen);
/* Wipe and free the store. */
void llm_keys_clear(void);

#endif
