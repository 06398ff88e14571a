/* API keys. The supervisor puts them (from its environment or the .env
 * beside the config) into this worker's environment only; at start-up the
 * worker moves its whole environment into a private store and wipes the
 * values from the environment block, so no later code path (a library
 * reading getenv, /proc/PID/environ) sees a key. A key is then looked up by
 * the variable name a model entry says (api_key_env) or its default. */
#ifndef KC_WORKER_LLM_KEYS_H
#define KC_WORKER_LLM_KEYS_H

/* Move every variable of envp into the store; wipe and unset all but the
 * harmless names in keep (NULL-terminated, may be NULL). */
void llm_keys_load(char **envp, const char *const *keep);
/* A copy of the variable `name` (caller frees with llm_key_free), or NULL
 * when unset or empty. */
char *llm_key_get(const char *name);
void llm_key_free(char *key);
/* Wipe and free the store. */
void llm_keys_clear(void);

#endif
