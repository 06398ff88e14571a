/*
 * common.c — what every driver shares: limits with defaults, the rebuilt
 * environment, the working directory check, results.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/core/xmalloc.h"
#include "worker-sandbox/sbx_int.h"

void
sbx_limits_resolve(const struct sbx_limits *in, struct sbx_limits *out)
{
	*out = *in;
	if (out->memory_bytes == 0)
		out->memory_bytes = SBX_DEF_MEMORY;
	if (out->pids == 0)
		out->pids = SBX_DEF_PIDS;
	if (out->output_bytes == 0)
		out->output_bytes = SBX_DEF_OUTPUT;
	if (out->fsize_bytes == 0)
		out->fsize_bytes = SBX_DEF_FSIZE;
	if (out->nofile == 0)
		out->nofile = SBX_DEF_NOFILE;
	if (out->tmp_bytes == 0)
		out->tmp_bytes = SBX_DEF_TMP;
}

int
sbx_timeout_ms(const struct sbx_req *req)
{
	return req->timeout_ms > 0 ? req->timeout_ms : SBX_DEF_TIMEOUT_MS;
}

void
sbx_result_init(struct sbx_result *r)
{
	memset(r, 0, sizeof *r);
	strbuf_init(&r->out);
	strbuf_init(&r->err);
}

void
sbx_result_free(struct sbx_result *r)
{
	strbuf_free(&r->out);
	strbuf_free(&r->err);
}

void
sbx_strv_free(char **v)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

/*
 * Rationale: the command must see nothing of the worker's (or the
 * supervisor's) environment — API keys, the runtime directory, NNG URLs.
 * So the environment is built from scratch: a fixed allowlist of names
 * plus the config's, with values only from the request or safe defaults.
 */
static const char *const sbx_env_base[] = {"PATH",     "HOME", "LANG",    "TERM",  "TZ", "LC_ALL",
                                           "LC_CTYPE", "USER", "LOGNAME", "SHELL", NULL};

static int
sbx_name_in(const char *kv, size_t n, char *const *names)
{
	for (; names != NULL && *names != NULL; names++)
		if (strlen(*names) == n && strncmp(kv, *names, n) == 0)
			return 1;
	return 0;
}

static int
sbx_env_allowed(const struct sbx *s, const struct sbx_req *req, const char *kv)
{
	size_t n = strcspn(kv, "=");
	size_t i;

	if (kv[n] != '=' || n == 0)
		return 0;
	for (i = 0; sbx_env_base[i] != NULL; i++)
		if (strlen(sbx_env_base[i]) == n && strncmp(kv, sbx_env_base[i], n) == 0)
			return 1;
	return sbx_name_in(kv, n, s->env_allow) || sbx_name_in(kv, n, req->env_allow);
}

static void
sbx_env_set(char **v, size_t *n, const char *kv)
{
	size_t klen = strcspn(kv, "=") + 1, i;

	for (i = 0; i < *n; i++)
		if (strncmp(v[i], kv, klen) == 0) {
			free(v[i]);
			v[i] = xstrdup(kv);
			return;
		}
	v[(*n)++] = xstrdup(kv);
}

char **
sbx_env_build(const struct sbx *s, const struct sbx_req *req, const char *home)
{
	size_t cap = 16, n = 0, i;
	char **v;

	for (i = 0; req->env != NULL && req->env[i] != NULL; i++)
		cap++;
	v = xcalloc(cap + 1, sizeof *v);
	sbx_env_set(v, &n, "PATH=/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin");
	v[n++] = xasprintf("HOME=%s", home);
	sbx_env_set(v, &n, "LANG=C.UTF-8");
	sbx_env_set(v, &n, "TERM=dumb");
	sbx_env_set(v, &n, "TZ=UTC");
	sbx_env_set(v, &n, "USER=agent");
	sbx_env_set(v, &n, "LOGNAME=agent");
	sbx_env_set(v, &n, "SHELL=/bin/sh");
	for (i = 0; req->env != NULL && req->env[i] != NULL; i++)
		if (sbx_env_allowed(s, req, req->env[i]))
			sbx_env_set(v, &n, req->env[i]);
	v[n] = NULL;
	return v;
}

/* "", or a normalized relative path without "." / ".." segments. */
char *
sbx_cwd_rel(const char *cwd)
{
	char *out;

	if (cwd == NULL || *cwd == '\0')
		return xstrdup("");
	if (strcmp(cwd, SBX_WS_PATH) == 0)
		return xstrdup("");
	if (strncmp(cwd, SBX_WS_PATH "/", sizeof SBX_WS_PATH) == 0)
		cwd += sizeof SBX_WS_PATH;
	out = xmalloc(strlen(cwd) + 1);
	if (sbx_path_normalize(cwd, NULL, out, strlen(cwd) + 1) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

/* Valid UTF-8 without NUL (malloc'ed): every byte that does not start a
 * well-formed sequence (and NUL) becomes U+FFFD. */
char *
sbx_text_sanitize(const char *data, size_t len)
{
	const unsigned char *s = (const unsigned char *)data;
	struct strbuf sb = STRBUF_INIT;
	size_t i = 0, n, k;

	strbuf_grow(&sb, len + 1);
	while (i < len) {
		unsigned c = s[i];

		n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
		if (n == 0 || c == 0 || i + n > len || (n == 2 && c < 0xc2) ||
		    (n == 4 && c > 0xf4)) {
			strbuf_adds(&sb, "\xef\xbf\xbd");
			i++;
			continue;
		}
		for (k = 1; k < n && (s[i + k] & 0xc0) == 0x80; k++)
			;
		if (k < n || (n == 3 && c == 0xe0 && s[i + 1] < 0xa0) ||
		    (n == 3 && c == 0xed && s[i + 1] >= 0xa0) ||
		    (n == 4 && c == 0xf0 && s[i + 1] < 0x90) ||
		    (n == 4 && c == 0xf4 && s[i + 1] >= 0x90)) {
			strbuf_adds(&sb, "\xef\xbf\xbd");
			i++;
			continue;
		}
		strbuf_add(&sb, s + i, n);
		i += n;
	}
	return strbuf_detach(&sb, NULL);
}
