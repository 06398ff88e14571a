/* Private key store; see keys.h for why the environment is emptied. */
#include "worker-llm/keys.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/xmalloc.h"

struct llm_key {
	char *name;
	char *value;
};

static struct llm_key *keys;
static size_t nkeys;
static pthread_mutex_t keys_lock = PTHREAD_MUTEX_INITIALIZER;

static int
keys_kept(const char *name, size_t len, const char *const *keep)
{
	for (; keep != NULL && *keep != NULL; keep++)
		if (strlen(*keep) == len && memcmp(*keep, name, len) == 0)
			return 1;
	return 0;
}

/* Rationale: the environment block of a process is readable by the same
 * uid in /proc/PID/environ for the process lifetime, and unsetenv() or
 * clearenv() do not erase the original bytes. So each value is copied out
 * and its original bytes are overwritten in place; then the variable is
 * removed so getenv() cannot find it either. Every variable is treated so,
 * not only *_API_KEY: api_key_env may name any variable. */
void
llm_keys_load(char **envp, const char *const *keep)
{
	char *eq, **e;
	size_t nlen, first;

	pthread_mutex_lock(&keys_lock);
	first = nkeys;
	for (e = envp; e != NULL && *e != NULL; e++) {
		if ((eq = strchr(*e, '=')) == NULL)
			continue;
		nlen = (size_t)(eq - *e);
		keys = xreallocarray(keys, nkeys + 1, sizeof(*keys));
		keys[nkeys].name = xstrndup(*e, nlen);
		keys[nkeys].value = xstrdup(eq + 1);
		nkeys++;
		if (!keys_kept(*e, nlen, keep))
			explicit_bzero(eq + 1, strlen(eq + 1));
	}
	pthread_mutex_unlock(&keys_lock);
	for (; first < nkeys; first++)
		if (!keys_kept(keys[first].name, strlen(keys[first].name), keep))
			unsetenv(keys[first].name);
}

char *
llm_key_get(const char *name)
{
	char *v = NULL;
	size_t i;

	if (name == NULL)
		return NULL;
	pthread_mutex_lock(&keys_lock);
	for (i = nkeys; i-- > 0;) { /* the latest load wins */
		if (strcmp(keys[i].name, name) == 0) {
			if (keys[i].value[0] != '\0')
				v = xstrdup(keys[i].value);
			break;
		}
	}
	pthread_mutex_unlock(&keys_lock);
	return v;
}

void
llm_key_free(char *key)
{
	freezero_str(key);
}

void
llm_keys_clear(void)
{
	size_t i;

	pthread_mutex_lock(&keys_lock);
	for (i = 0; i < nkeys; i++) {
		free(keys[i].name);
		freezero_str(keys[i].value);
	}
	free(keys);
	keys = NULL;
	nkeys = 0;
	pthread_mutex_unlock(&keys_lock);
}
