/* Private key store; see keys.h for why keys leave the environment. */
#include "worker-llm/keys.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/xmalloc.h"

#define KEYS_MAX 64

struct llm_key {
	char *name;
	char *value;
};

static struct llm_key keys[KEYS_MAX];
static size_t nkeys;
static pthread_mutex_t keys_lock = PTHREAD_MUTEX_INITIALIZER;

static int
keys_endswith(const char *s, size_t n, const char *suffix)
{
	size_t m = strlen(suffix);

	return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

int
llm_keys_is_secret_name(const char *name, size_t len)
{
	return keys_endswith(name, len, "_API_KEY") || keys_endswith(name, len, "_KEY") ||
	       keys_endswith(name, len, "_TOKEN");
}

/* Rationale: the environment block of a process is readable by the same
 * uid in /proc/PID/environ for the process lifetime, and unsetenv() does
 * not erase the original bytes on the stack. So the value is copied out
 * and the original bytes are overwritten in place; then the variable is
 * removed so getenv() (curl reads a few variables) cannot find it. */
void
llm_keys_load(char **envp)
{
	char *eq, **e;
	size_t nlen;

	pthread_mutex_lock(&keys_lock);
	for (e = envp; e != NULL && *e != NULL; e++) {
		if ((eq = strchr(*e, '=')) == NULL)
			continue;
		nlen = (size_t)(eq - *e);
		if (!llm_keys_is_secret_name(*e, nlen) || nkeys >= KEYS_MAX)
			continue;
		keys[nkeys].name = xstrndup(*e, nlen);
		keys[nkeys].value = xstrdup(eq + 1);
		explicit_bzero(eq + 1, strlen(eq + 1));
		nkeys++;
	}
	pthread_mutex_unlock(&keys_lock);
	for (size_t i = 0; i < nkeys; i++)
		unsetenv(keys[i].name);
}

char *
llm_key_get(const char *name)
{
	char *v = NULL;
	size_t i;

	if (name == NULL)
		return NULL;
	pthread_mutex_lock(&keys_lock);
	for (i = 0; i < nkeys; i++) {
		if (strcmp(keys[i].name, name) == 0 && keys[i].value[0] != '\0') {
			v = xstrdup(keys[i].value);
			break;
		}
	}
	pthread_mutex_unlock(&keys_lock);
	/* A name that is not key-like (api_key_env: MY_SECRET) was left in
	 * the environment by llm_keys_load. */
	if (v == NULL && !llm_keys_is_secret_name(name, strlen(name)) && getenv(name) != NULL &&
	    *getenv(name) != '\0')
		v = xstrdup(getenv(name));
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
		keys[i].name = keys[i].value = NULL;
	}
	nkeys = 0;
	pthread_mutex_unlock(&keys_lock);
}
