/* Model id -> endpoint mapping (the rule of docs/LLM.md). */
#include <criterion/criterion.h>

#include "worker-llm/route.h"

static void
check(const char *entry_json, const char *force, int adapter, const char *url, const char *wire,
      const char *key_env)
{
	cJSON *e = cJSON_Parse(entry_json);
	struct llm_endpoint ep;
	char err[256] = "";
	char *u;

	cr_assert_not_null(e, "%s", entry_json);
	cr_assert_eq(llm_route_resolve(e, force, &ep, err, sizeof(err)), 0, "%s: %s", entry_json,
	             err);
	u = llm_route_url(&ep);
	cr_assert_eq((int)ep.adapter, adapter, "%s", entry_json);
	cr_assert_str_eq(u, url, "%s", entry_json);
	cr_assert_str_eq(ep.wire_model, wire, "%s", entry_json);
	if (key_env == NULL)
		cr_assert_null(ep.key_env, "%s: %s", entry_json, ep.key_env);
	else
		cr_assert_str_eq(ep.key_env, key_env, "%s", entry_json);
	free(u);
	llm_endpoint_free(&ep);
	cJSON_Delete(e);
}

Test(llm_route, known_provider_prefixes)
{
	check("{\"id\":\"openrouter/openai/gpt-5-nano\",\"adapter\":\"openai\"}", NULL,
	      LLM_ADAPTER_OPENAI, "https://openrouter.ai/api/v1/chat/completions",
	      "openai/gpt-5-nano", "OPENROUTER_API_KEY");
	check("{\"id\":\"openai/gpt-4o-mini\"}", NULL, LLM_ADAPTER_OPENAI,
	      "https://api.openai.com/v1/chat/completions", "gpt-4o-mini", "OPENAI_API_KEY");
	check("{\"id\":\"anthropic/claude-3-7-sonnet\",\"adapter\":\"anthropic\"}", NULL,
	      LLM_ADAPTER_ANTHROPIC, "https://api.anthropic.com/v1/messages", "claude-3-7-sonnet",
	      "ANTHROPIC_API_KEY");
	check("{\"id\":\"anthropic/claude-3-7-sonnet\"}", NULL, LLM_ADAPTER_ANTHROPIC,
	      "https://api.anthropic.com/v1/messages", "claude-3-7-sonnet", "ANTHROPIC_API_KEY");
}

Test(llm_route, bare_ids_and_string_entries)
{
	check("\"gpt-4o-mini\"", NULL, LLM_ADAPTER_OPENAI,
	      "https://api.openai.com/v1/chat/completions", "gpt-4o-mini", "OPENAI_API_KEY");
	check("\"openrouter/openai/gpt-4o-mini\"", NULL, LLM_ADAPTER_OPENAI,
	      "https://openrouter.ai/api/v1/chat/completions", "openai/gpt-4o-mini",
	      "OPENROUTER_API_KEY");
	check("{\"id\":\"claude-x\",\"adapter\":\"anthropic\"}", NULL, LLM_ADAPTER_ANTHROPIC,
	      "https://api.anthropic.com/v1/messages", "claude-x", "ANTHROPIC_API_KEY");
}

Test(llm_route, base_url_strips_only_known_prefixes_and_sends_no_foreign_key)
{
	check("{\"id\":\"mock/dev\",\"base_url\":\"http://127.0.0.1:8080/v1/\"}", NULL,
	      LLM_ADAPTER_OPENAI, "http://127.0.0.1:8080/v1/chat/completions", "mock/dev", NULL);
	check("{\"id\":\"openrouter/openai/gpt-5-nano\",\"base_url\":\"http://localhost:9/v1\"}",
	      NULL, LLM_ADAPTER_OPENAI, "http://localhost:9/v1/chat/completions",
	      "openai/gpt-5-nano", NULL);
	check("{\"id\":\"qwen2.5-coder\",\"base_url\":\"https://llm.example.net/"
	      "v1\",\"api_key_env\":\"MY_LLM_KEY\"}",
	      NULL, LLM_ADAPTER_OPENAI, "https://llm.example.net/v1/chat/completions",
	      "qwen2.5-coder", "MY_LLM_KEY");
	check("{\"id\":\"x-ai/grok-4-fast\",\"base_url\":\"https://openrouter.ai/api/v1\"}", NULL,
	      LLM_ADAPTER_OPENAI, "https://openrouter.ai/api/v1/chat/completions",
	      "x-ai/grok-4-fast", "OPENROUTER_API_KEY");
}

Test(llm_route, forced_base_url_wins)
{
	check("{\"id\":\"openai/gpt-4o-mini\",\"base_url\":\"https://elsewhere/v1\"}",
	      "http://127.0.0.1:5/v1", LLM_ADAPTER_OPENAI, "http://127.0.0.1:5/v1/chat/completions",
	      "gpt-4o-mini", NULL);
	check("{\"id\":\"mock/dev\"}", "http://127.0.0.1:5/v1", LLM_ADAPTER_OPENAI,
	      "http://127.0.0.1:5/v1/chat/completions", "mock/dev", NULL);
}

Test(llm_route, errors_say_what_to_do)
{
	static const char *bad[][2] = {
	    {"{\"id\":\"mock/dev\"}", "base_url"},
	    {"{\"adapter\":\"openai\"}", "no id"},
	    {"{\"id\":\"\"}", "no id"},
	    {"{\"id\":\"m\",\"adapter\":\"gemini\"}", "gemini"},
	    {"{\"id\":\"m\",\"base_url\":\"ftp://x\"}", "http"},
	    {"17", "no id"},
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cJSON *e = cJSON_Parse(bad[i][0]);
		struct llm_endpoint ep;
		char err[256] = "";

		cr_assert_eq(llm_route_resolve(e, NULL, &ep, err, sizeof(err)), -1, "%s",
		             bad[i][0]);
		cr_assert(strstr(err, bad[i][1]) != NULL, "%s: %s", bad[i][0], err);
		cJSON_Delete(e);
	}
}

Test(llm_route, keys_travel_only_over_https_or_loopback)
{
	static const struct {
		const char *url;
		int safe;
	} cases[] = {
	    {"https://api.example.com/v1", 1}, {"http://127.0.0.1:8080/v1", 1},
	    {"http://127.1.2.3/v1", 1},        {"http://localhost:11434/v1", 1},
	    {"http://[::1]:9/v1", 1},          {"http://LOCALHOST/v1", 1},
	    {"http://10.0.0.5:8000/v1", 0},    {"http://llm.example.com/v1", 0},
	    {"http://127.evil.com/v1", 0},     {"http://localhost.evil.com/v1", 0},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct llm_endpoint ep = {.base_url = (char *)cases[i].url};

		cr_assert_eq(llm_route_key_safe(&ep), cases[i].safe, "%s", cases[i].url);
	}
}
