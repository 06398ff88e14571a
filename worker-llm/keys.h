/* API keys. The supervisor puts them (from its environment or the .env
 * beside the config) into this worker's environment only; at start-up the
 * worker moves every key-like variable into a private store and wipes it
 * from the environment block, so no later code path (a library reading
 * getenv, /proc/PID/environ, a core file's env area) sees it. */
#ifndef KC_WORKER_LLM_KEYS_H
#define KC_WORKER_LLM_KEYS_H

#include <stddef.h>

/* Move key-like variables (*_API_KEY, *_KEY, *_TOKEN) out of environ. */
void llm_keys_load(char **envp);
/* A copy of the key named `name` (caller frees with llm_key_free), or
 * NULL. */
char *llm_key_get(const char *name);
void llm_key_free(char *key);
/* Wipe and free the store. */
void llm_keys_clear(void);
/* 1 if a variable name is key-like. */
int llm_keys_is_secret_name(const char *name, size_t len);

#endif
