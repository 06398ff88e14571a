/*
 * runlog_redact.c — secrets never reach the run directory.
 *
 * Security: a run directory is meant to be shared (bug reports, regression
 * tests), so anything key-like is removed before it is written, whatever
 * the source: the values of the API-key variables the config names (and
 * the usual defaults), "Bearer <token>", and "sk-..." style keys. What was
 * removed is logged to meta/redaction.log by kind and destination, never
 * the value. The supervisor reads the key variables' values only to
 * recognise them; they are wiped on close and never sent anywhere.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "lib/core/strbuf.h"
#include "lib/core/xmalloc.h"
#include "supervisor/runlog_int.h"

#define RUNLOG_MASK "[REDACTED]"

static const char *const runlog_default_env[] = {"OPENAI_API_KEY", "ANTHROPIC_API_KEY",
                                                 "OPENROUTER_API_KEY", NULL};

static void
runlog_secret_add(struct runlog *rl, const char *name)
{
	const char *v = getenv(name);
	size_t i;

	if (v == NULL || strlen(v) < RUNLOG_MIN_SECRET)
		return;
	for (i = 0; i < rl->nsecrets; i++)
		if (strcmp(rl->secrets[i].name, name) == 0)
			return;
	rl->secrets = xreallocarray(rl->secrets, rl->nsecrets + 1, sizeof(*rl->secrets));
	rl->secrets[rl->nsecrets].name = xstrdup(name);
	rl->secrets[rl->nsecrets].value = xstrdup(v);
	rl->secrets[rl->nsecrets].len = strlen(v);
	rl->nsecrets++;
}

void
runlog_secrets_load(struct runlog *rl, const struct runlog_opts *o)
{
	size_t i;

	for (i = 0; runlog_default_env[i] != NULL; i++)
		runlog_secret_add(rl, runlog_default_env[i]);
	for (i = 0; i < o->nsecret_env; i++)
		if (o->secret_env[i] != NULL)
			runlog_secret_add(rl, o->secret_env[i]);
}

void
runlog_secrets_wipe(struct runlog *rl)
{
	size_t i;

	for (i = 0; i < rl->nsecrets; i++) {
		freezero_str(rl->secrets[i].value);
		free(rl->secrets[i].name);
	}
	free(rl->secrets);
	rl->secrets = NULL;
	rl->nsecrets = 0;
}

static int
runlog_tokchar(int c)
{
	return isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '+' || c == '/' ||
	       c == '=';
}

/* Length of a secret-looking token at p (0: none); kind says which. */
static size_t
runlog_pattern_at(const char *p, const char *start, const char **kind, size_t *keep)
{
	size_t n;

	*keep = 0;
	if (strncasecmp(p, "bearer ", 7) == 0 && (p == start || !isalnum((unsigned char)p[-1]))) {
		for (n = 7; p[n] == ' '; n++)
			;
		*keep = n;
		while (runlog_tokchar((unsigned char)p[n]))
			n++;
		if (n - *keep >= RUNLOG_MIN_SECRET && strncmp(p + *keep, RUNLOG_MASK, 10) != 0) {
			*kind = "bearer";
			return n;
		}
	}
	if (p[0] == 's' && p[1] == 'k' && p[2] == '-' &&
	    (p == start || !isalnum((unsigned char)p[-1]))) {
		for (n = 3; isalnum((unsigned char)p[n]) || p[n] == '-' || p[n] == '_'; n++)
			;
		if (n >= 3 + 16) {
			*kind = "sk-key";
			return n;
		}
	}
	return 0;
}

static void
runlog_redaction_note(struct runlog *rl, const char *kind, const char *where, int count)
{
	char line[512];
	int n;

	if (rl->redaction_fd < 0)
		return;
	n = snprintf(line, sizeof(line),
	             "{\"ts\":%ld,\"kind\":\"%s\",\"where\":\"%s\",\"count\":%d}\n",
	             (long)time(NULL), kind, where, count);
	if (n > 0 && (size_t)n < sizeof(line))
		(void)runlog_io_append(rl, rl->redaction_fd, RUNLOG_REDACTION, line, (size_t)n);
}

/* Fast path: most text holds nothing to redact, and the byte-by-byte
 * scan below is the slow part of writing a large transcript. */
static int
runlog_maybe_secret(const struct runlog *rl, const char *text, size_t len)
{
	size_t k;

	if (memmem(text, len, "sk-", 3) != NULL || memmem(text, len, "earer", 5) != NULL ||
	    memmem(text, len, "EARER", 5) != NULL)
		return 1;
	for (k = 0; k < rl->nsecrets; k++)
		if (memmem(text, len, rl->secrets[k].value, rl->secrets[k].len) != NULL)
			return 1;
	return 0;
}

/* Env values first (exact), then the generic patterns. */
char *
runlog_redact_locked(struct runlog *rl, const char *text, size_t len, const char *where,
                     size_t *outlen)
{
	struct strbuf sb = STRBUF_INIT;
	int *counts, nb = 0, nsk = 0;
	const char *kind;
	size_t i, k, tok, keep;

	if (!rl->redact || !runlog_maybe_secret(rl, text, len)) {
		strbuf_add(&sb, text, len);
		return strbuf_detach(&sb, outlen);
	}
	counts = xcalloc(rl->nsecrets + 1, sizeof(*counts));
	for (i = 0; i < len;) {
		for (k = 0; k < rl->nsecrets; k++)
			if (len - i >= rl->secrets[k].len &&
			    memcmp(text + i, rl->secrets[k].value, rl->secrets[k].len) == 0)
				break;
		if (k < rl->nsecrets) {
			strbuf_adds(&sb, RUNLOG_MASK);
			i += rl->secrets[k].len;
			counts[k]++;
			continue;
		}
		tok = runlog_pattern_at(text + i, text, &kind, &keep);
		if (tok > 0) {
			strbuf_add(&sb, text + i, keep);
			strbuf_adds(&sb, RUNLOG_MASK);
			i += tok;
			*(kind[0] == 'b' ? &nb : &nsk) += 1;
			continue;
		}
		strbuf_addc(&sb, text[i++]);
	}
	for (k = 0; k < rl->nsecrets; k++)
		if (counts[k] > 0) {
			char kname[160];

			snprintf(kname, sizeof(kname), "env:%s", rl->secrets[k].name);
			runlog_redaction_note(rl, kname, where, counts[k]);
		}
	free(counts);
	if (nb > 0)
		runlog_redaction_note(rl, "bearer", where, nb);
	if (nsk > 0)
		runlog_redaction_note(rl, "sk-key", where, nsk);
	return strbuf_detach(&sb, outlen);
}
