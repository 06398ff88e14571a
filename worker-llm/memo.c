/* What the probes learned about endpoints, for the process lifetime:
 * endpoints that cannot stream and endpoints that reject native tools. */
#include "worker-llm/memo.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/xmalloc.h"

#define MEMO_MAX 64

struct memo_entry {
	char *key;
	int flags;
};

static struct memo_entry memo[MEMO_MAX];
static size_t nmemo;
static pthread_mutex_t memo_lock = PTHREAD_MUTEX_INITIALIZER;

int
llm_memo_get(const char *key)
{
	int flags = 0;
	size_t i;

	pthread_mutex_lock(&memo_lock);
	for (i = 0; i < nmemo; i++)
		if (strcmp(memo[i].key, key) == 0)
			flags = memo[i].flags;
	pthread_mutex_unlock(&memo_lock);
	return flags;
}

void
llm_memo_set(const char *key, int flag)
{
	size_t i;

	pthread_mutex_lock(&memo_lock);
	for (i = 0; i < nmemo; i++) {
		if (strcmp(memo[i].key, key) == 0) {
			memo[i].flags |= flag;
			pthread_mutex_unlock(&memo_lock);
			return;
		}
	}
	if (nmemo < MEMO_MAX) { /* full: forget nothing, learn no more */
		memo[nmemo].key = xstrdup(key);
		memo[nmemo++].flags = flag;
	}
	pthread_mutex_unlock(&memo_lock);
}

void
llm_memo_reset(void)
{
	size_t i;

	pthread_mutex_lock(&memo_lock);
	for (i = 0; i < nmemo; i++)
		free(memo[i].key);
	nmemo = 0;
	pthread_mutex_unlock(&memo_lock);
}
