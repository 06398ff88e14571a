/* Anthropic adapter: request building (system, merged tool results,
 * tool_use input objects, tool_choice mapping) and response parsing. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "worker-llm/adapter.h"

static void
assert_json_eq(const cJSON *got, const char *want_text)
{
	cJSON *want = cJSON_Parse(want_text);
	char *g = cJSON_PrintUnformatted(got);

	cr_assert_not_null(want, "expected JSON parses");
	cr_assert(cJSON_Compare(got, want, 1), "got:\n%s\nwant:\n%s", g, want_text);
	free(g);
	cJSON_Delete(want);
}

Test(llm_anthropic_build, system_blocks_tool_use_and_merged_results)
{
	cJSON *req = cJSON_Parse(
	    "{\"messages\":["
	    "{\"role\":\"system\",\"content\":\"sys A\"},{\"role\":\"system\",\"content\":\"sys "
	    "B\"},"
	    "{\"role\":\"user\",\"content\":\"go\"},"
	    "{\"role\":\"assistant\",\"content\":\"ok\",\"tool_calls\":["
	    "{\"id\":\"t1\",\"name\":\"read_file\",\"arguments\":\"{\\\"path\\\":\\\"a\\\"}\"},"
	    "{\"id\":\"t2\",\"name\":\"list_dir\",\"arguments\":\"not json\"}]},"
	    "{\"role\":\"tool\",\"tool_call_id\":\"t1\",\"content\":\"A\"},"
	    "{\"role\":\"tool\",\"tool_call_id\":\"t2\",\"content\":\"B\"},"
	    "{\"role\":\"user\",\"content\":\"more\"}],"
	    "\"tools\":[{\"name\":\"read_file\",\"description\":\"Read\",\"parameters\":{\"type\":"
	    "\"object\"}}],"
	    "\"tool_choice\":\"required\"}");
	cJSON *params =
	    cJSON_Parse("{\"temperature\":0.1,\"parallel_tools\":false,\"stop\":\"END\"}");
	struct llm_wire w = {"claude-3-7-sonnet", 1, 1, params};
	char err[128] = "";
	cJSON *out = llm_anthropic_build(&w, req, err, sizeof(err));

	cr_assert_not_null(out, "%s", err);
	assert_json_eq(
	    out, "{\"model\":\"claude-3-7-sonnet\",\"system\":\"sys A\\n\\nsys B\",\"messages\":["
	         "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"go\"}]},"
	         "{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"ok\"},"
	         "{\"type\":\"tool_use\",\"id\":\"t1\",\"name\":\"read_file\",\"input\":{\"path\":"
	         "\"a\"}},"
	         "{\"type\":\"tool_use\",\"id\":\"t2\",\"name\":\"list_dir\",\"input\":{}}]},"
	         "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"t1\","
	         "\"content\":\"A\"},"
	         "{\"type\":\"tool_result\",\"tool_use_id\":\"t2\",\"content\":\"B\"},"
	         "{\"type\":\"text\",\"text\":\"more\"}]}],"
	         "\"tools\":[{\"name\":\"read_file\",\"description\":\"Read\",\"input_schema\":{"
	         "\"type\":\"object\"}}],"
	         "\"tool_choice\":{\"type\":\"any\",\"disable_parallel_tool_use\":true},"
	         "\"temperature\":0.1,\"max_tokens\":4096,\"stop_sequences\":[\"END\"],\"stream\":"
	         "true}");
	cJSON_Delete(out);
	cJSON_Delete(req);
	cJSON_Delete(params);
}

Test(llm_anthropic_build, tool_choice_mapping)
{
	static const char *cases[][2] = {
	    {"\"auto\"", "{\"type\":\"auto\"}"},
	    {"\"none\"", "{\"type\":\"none\"}"},
	    {"{\"name\":\"f\"}", "{\"type\":\"tool\",\"name\":\"f\"}"},
	    {"\"f\"", "{\"type\":\"tool\",\"name\":\"f\"}"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[512], err[128];
		cJSON *req, *out;
		struct llm_wire w = {"m", 0, 1, NULL};

		snprintf(buf, sizeof(buf),
		         "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tools\":[{"
		         "\"name\":\"f\"}],\"tool_choice\":%s}",
		         cases[i][0]);
		req = cJSON_Parse(buf);
		out = llm_anthropic_build(&w, req, err, sizeof(err));
		cr_assert_not_null(out);
		assert_json_eq(cJSON_GetObjectItem(out, "tool_choice"), cases[i][1]);
		cJSON_Delete(out);
		cJSON_Delete(req);
	}
}

Test(llm_anthropic_parse, text_and_tool_use_blocks)
{
	static const char body[] =
	    "{\"id\":\"msg\",\"type\":\"message\",\"role\":\"assistant\",\"content\":["
	    "{\"type\":\"text\",\"text\":\"Let me look.\"},"
	    "{\"type\":\"tool_use\",\"id\":\"toolu_9\",\"name\":\"read_file\",\"input\":{\"path\":"
	    "\"x.c\"}}],"
	    "\"stop_reason\":\"tool_use\",\"usage\":{\"input_tokens\":11,\"output_tokens\":7}}";
	struct llm_result r;

	llm_result_init(&r);
	cr_assert_eq(llm_anthropic_parse(body, sizeof(body) - 1, &r), LLM_EV_OK);
	cr_assert_str_eq(strbuf_str(&r.content), "Let me look.");
	cr_assert_eq(r.ncalls, 1);
	cr_assert_str_eq(r.calls[0].id, "toolu_9");
	cr_assert_str_eq(strbuf_str(&r.calls[0].args), "{\"path\":\"x.c\"}");
	cr_assert_str_eq(r.finish, "tool_calls");
	cr_assert_eq(r.prompt_tokens, 11);
	cr_assert_eq(r.completion_tokens, 7);
	llm_result_free(&r);
}

Test(llm_anthropic_parse, stop_reasons_map_to_neutral)
{
	static const char *cases[][2] = {{"end_turn", "stop"},
	                                 {"max_tokens", "length"},
	                                 {"stop_sequence", "stop"},
	                                 {"refusal", "content_filter"}};
	size_t i;

	for (i = 0; i < 4; i++) {
		char body[256];
		struct llm_result r;

		snprintf(body, sizeof(body), "{\"content\":[],\"stop_reason\":\"%s\"}",
		         cases[i][0]);
		llm_result_init(&r);
		cr_assert_eq(llm_anthropic_parse(body, strlen(body), &r), LLM_EV_OK);
		cr_assert_str_eq(r.finish, cases[i][1]);
		llm_result_free(&r);
	}
}

Test(llm_anthropic_parse, error_and_malformed)
{
	static const char err_body[] = "{\"type\":\"error\",\"error\":{\"type\":\"authentication_"
	                               "error\",\"message\":\"invalid x-api-key\"}}";
	static const char *bad[] = {"", "{}", "{\"content\":5}", "[1]", "{\"content\":[", NULL};
	struct llm_result r;
	int i;

	llm_result_init(&r);
	cr_assert_eq(llm_anthropic_parse(err_body, sizeof(err_body) - 1, &r), LLM_EV_PROVIDER);
	cr_assert_str_eq(r.error, "invalid x-api-key");
	llm_result_free(&r);
	for (i = 0; bad[i]; i++) {
		llm_result_init(&r);
		cr_assert_eq(llm_anthropic_parse(bad[i], strlen(bad[i]), &r), LLM_EV_MALFORMED,
		             "%s", bad[i]);
		llm_result_free(&r);
	}
}

Test(llm_anthropic_build, openai_style_content_arrays_become_text_blocks)
{
	cJSON *req = cJSON_Parse(
	    "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"a\"},"
	    "{\"type\":\"image_url\",\"image_url\":{}},{\"type\":\"text\",\"text\":\"b\"}]}]}");
	struct llm_wire w = {"m", 0, 1, NULL};
	char err[128];
	cJSON *out = llm_anthropic_build(&w, req, err, sizeof(err));

	assert_json_eq(cJSON_GetObjectItem(out, "messages"),
	               "[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"a\"},"
	               "{\"type\":\"text\",\"text\":\"b\"}]}]");
	cJSON_Delete(out);
	cJSON_Delete(req);
}
