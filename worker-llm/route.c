/* Model id mapping; the rule is written out in docs/LLM.md. */
#include "worker-llm/route.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/core/xmalloc.h"

struct route_provider {
	const char *prefix; /* "openrouter" in "openrouter/openai/gpt-5-nano" */
	const char *base_url;
	const char *host; /* to recognise the provider behind an explicit base_url */
	const char *key_env;
	enum llm_adapter_kind adapter;
};

static const struct route_provider route_providers[] = {
    {"openrouter", "https://openrouter.ai/api/v1", "openrouter.ai", "OPENROUTER_API_KEY",
     LLM_ADAPTER_OPENAI},
    {"openai", "https://api.openai.com/v1", "api.openai.com", "OPENAI_API_KEY", LLM_ADAPTER_OPENAI},
    {"anthropic", "https://api.anthropic.com/v1", "api.anthropic.com", "ANTHROPIC_API_KEY",
     LLM_ADAPTER_ANTHROPIC},
};
#define ROUTE_NPROVIDERS (sizeof(route_providers) / sizeof(route_providers[0]))

static const struct route_provider *
route_by_prefix(const char *id)
{
	const char *slash = strchr(id, '/');
	size_t i, n;

	if (slash == NULL)
		return NULL;
	n = (size_t)(slash - id);
	for (i = 0; i < ROUTE_NPROVIDERS; i++)
		if (strlen(route_providers[i].prefix) == n &&
		    memcmp(id, route_providers[i].prefix, n) == 0)
			return &route_providers[i];
	return NULL;
}

/* The provider whose host the URL names exactly ("https://HOST/" or
 * "https://HOST:port/"), NULL for any other host. */
static const struct route_provider *
route_by_url(const char *url)
{
	const char *h = strstr(url, "://");
	size_t i, n;

	if (h == NULL)
		return NULL;
	h += 3;
	n = strcspn(h, ":/?#");
	for (i = 0; i < ROUTE_NPROVIDERS; i++)
		if (strlen(route_providers[i].host) == n &&
		    strncasecmp(h, route_providers[i].host, n) == 0)
			return &route_providers[i];
	return NULL;
}

static int
route_adapter(const cJSON *entry, const struct route_provider *pv, enum llm_adapter_kind *out,
              char *err, size_t errlen)
{
	const char *a = llm_json_str(entry, "adapter");

	if (a == NULL) {
		*out = pv ? pv->adapter : LLM_ADAPTER_OPENAI;
		return 0;
	}
	if (strcmp(a, "openai") == 0) {
		*out = LLM_ADAPTER_OPENAI;
		return 0;
	}
	if (strcmp(a, "anthropic") == 0) {
		*out = LLM_ADAPTER_ANTHROPIC;
		return 0;
	}
	snprintf(err, errlen, "adapter '%s' is not openai or anthropic", a);
	return -1;
}

static int
route_base(const char *id, const cJSON *entry, const struct route_provider *pv,
           enum llm_adapter_kind ad, const char *force, char **out, char *err, size_t errlen)
{
	const char *b = force ? force : llm_json_str(entry, "base_url");
	size_t n;

	if (b == NULL && pv != NULL)
		b = pv->base_url;
	if (b == NULL && strchr(id, '/') == NULL)
		b = route_providers[ad == LLM_ADAPTER_ANTHROPIC ? 2 : 1].base_url;
	if (b == NULL) {
		snprintf(
		    err, errlen,
		    "'%.*s/' is not a known provider prefix (openrouter/, openai/, anthropic/) "
		    "and the model has no base_url: set providers.models[].base_url",
		    (int)strcspn(id, "/"), id);
		return -1;
	}
	if (strncmp(b, "http://", 7) != 0 && strncmp(b, "https://", 8) != 0) {
		snprintf(err, errlen, "base_url '%s' must start with http:// or https://", b);
		return -1;
	}
	n = strlen(b);
	while (n > 0 && b[n - 1] == '/')
		n--;
	*out = xstrndup(b, n);
	return 0;
}

/* Rationale: a key is only ever sent where it belongs. With an explicit
 * api_key_env the user chose; otherwise the provider's default variable is
 * used only when the request goes to that provider's own host, so pointing
 * base_url at a local or third-party server never leaks OPENAI_API_KEY. */
static char *
route_key_env(const cJSON *entry, const char *base_url)
{
	const char *k = llm_json_str(entry, "api_key_env");
	const struct route_provider *host = route_by_url(base_url);

	if (k != NULL && *k)
		return xstrdup(k);
	return host ? xstrdup(host->key_env) : NULL;
}

int
llm_route_resolve(const cJSON *entry, const char *force_base_url, struct llm_endpoint *ep,
                  char *err, size_t errlen)
{
	const char *id = cJSON_IsString(entry) ? entry->valuestring : llm_json_str(entry, "id");
	const struct route_provider *pv;

	memset(ep, 0, sizeof(*ep));
	if (id == NULL || *id == '\0') {
		snprintf(err, errlen, "model entry has no id");
		return -1;
	}
	pv = route_by_prefix(id);
	if (route_adapter(entry, pv, &ep->adapter, err, errlen) < 0 ||
	    route_base(id, entry, pv, ep->adapter, force_base_url, &ep->base_url, err, errlen) < 0)
		return -1;
	ep->id = xstrdup(id);
	/* The provider prefix is routing, not part of the model's name. */
	ep->wire_model = xstrdup(pv ? strchr(id, '/') + 1 : id);
	ep->key_env = route_key_env(entry, ep->base_url);
	return 0;
}

void
llm_endpoint_free(struct llm_endpoint *ep)
{
	free(ep->id);
	free(ep->base_url);
	free(ep->wire_model);
	free(ep->key_env);
	memset(ep, 0, sizeof(*ep));
}

char *
llm_route_url(const struct llm_endpoint *ep)
{
	return xasprintf("%s%s", ep->base_url,
	                 ep->adapter == LLM_ADAPTER_ANTHROPIC ? "/messages" : "/chat/completions");
}

/* Rationale: a key sent over plain http to another machine can be read by
 * anyone on the path. Local servers (llama.cpp, Ollama, the mock) are on
 * loopback and need no TLS; anything else gets the key only over https. */
int
llm_route_key_safe(const struct llm_endpoint *ep)
{
	const char *h;
	size_t n, i;

	if (strncmp(ep->base_url, "https://", 8) == 0)
		return 1;
	h = ep->base_url + 7; /* "http://", checked by route_base */
	n = strcspn(h, ":/?#");
	if (strncmp(h, "[::1]", 5) == 0 && (h[5] == '\0' || strchr(":/?#", h[5]) != NULL))
		return 1;
	if (n == 9 && strncasecmp(h, "localhost", 9) == 0)
		return 1;
	if (n < 4 || strncmp(h, "127.", 4) != 0)
		return 0;
	for (i = 4; i < n; i++) /* a numeric 127.x.y.z, not a name like 127.evil.com */
		if (!isdigit((unsigned char)h[i]) && h[i] != '.')
			return 0;
	return 1;
}
