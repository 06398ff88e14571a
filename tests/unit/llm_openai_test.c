/* OpenAI adapter: request building compared with expected wire JSON, and
 * whole-response parsing, including malformed and error bodies. */
#include <criterion/criterion.h>
#include <string.h>

#include "worker-llm/adapter.h"

static const char neutral_req[] =
    "{\"messages\":["
    "{\"role\":\"system\",\"content\":\"be brief\"},"
    "{\"role\":\"user\",\"content\":\"list files\"},"
    "{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":[{\"id\":\"c1\",\"name\":\"run_"
    "shell\",\"arguments\":\"{\\\"command\\\":\\\"ls\\\"}\"}]},"
    "{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":\"a.c\"}],"
    "\"tools\":[{\"name\":\"run_shell\",\"description\":\"Run\",\"parameters\":{\"type\":"
    "\"object\",\"properties\":{\"command\":{\"type\":\"string\"}}}}],"
    "\"tool_choice\":\"auto\"}";

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

Test(llm_openai_build, full_request_with_tools_stream_and_params)
{
	cJSON *req = cJSON_Parse(neutral_req);
	cJSON *params = cJSON_Parse("{\"temperature\":0.2,\"top_p\":0.9,\"max_tokens\":100,"
	                            "\"parallel_tools\":true,\"tool_use\":true,"
	                            "\"structured_outputs\":{\"enabled\":true,\"strict\":true}}");
	struct llm_wire w = {"gpt-4o-mini", 1, 1, params};
	char err[128] = "";
	cJSON *out = llm_openai_build(&w, req, err, sizeof(err));

	cr_assert_not_null(out, "%s", err);
	assert_json_eq(out, "{\"model\":\"gpt-4o-mini\",\"messages\":["
	                    "{\"role\":\"system\",\"content\":\"be brief\"},"
	                    "{\"role\":\"user\",\"content\":\"list files\"},"
	                    "{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":[{\"id\":"
	                    "\"c1\",\"type\":\"function\",\"function\":{\"name\":\"run_shell\","
	                    "\"arguments\":\"{\\\"command\\\":\\\"ls\\\"}\"}}]},"
	                    "{\"role\":\"tool\",\"content\":\"a.c\",\"tool_call_id\":\"c1\"}],"
	                    "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"run_"
	                    "shell\",\"description\":\"Run\",\"parameters\":{\"type\":\"object\","
	                    "\"properties\":{\"command\":{\"type\":\"string\"}}}}}],"
	                    "\"tool_choice\":\"auto\",\"parallel_tool_calls\":true,"
	                    "\"temperature\":0.2,\"top_p\":0.9,\"max_tokens\":100,"
	                    "\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
	cJSON_Delete(out);
	cJSON_Delete(req);
	cJSON_Delete(params);
}

Test(llm_openai_build, without_native_tools_flattens_tool_turns_to_text)
{
	cJSON *req = cJSON_Parse(neutral_req);
	struct llm_wire w = {"m", 0, 0, NULL};
	char err[128];
	cJSON *out = llm_openai_build(&w, req, err, sizeof(err));

	cr_assert_not_null(out);
	assert_json_eq(out, "{\"model\":\"m\",\"messages\":["
	                    "{\"role\":\"system\",\"content\":\"be brief\"},"
	                    "{\"role\":\"user\",\"content\":\"list files\"},"
	                    "{\"role\":\"assistant\",\"content\":\"[tool call c1: "
	                    "run_shell({\\\"command\\\":\\\"ls\\\"})]\"},"
	                    "{\"role\":\"user\",\"content\":\"[tool result c1]\\na.c\"}]}");
	cJSON_Delete(out);
	cJSON_Delete(req);
}

Test(llm_openai_build, tool_choice_by_name_and_structured_schema)
{
	cJSON *req = cJSON_Parse("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],"
	                         "\"tools\":[{\"name\":\"f\"}],\"tool_choice\":{\"name\":\"f\"}}");
	cJSON *params = cJSON_Parse("{\"structured_outputs\":{\"enabled\":true,\"strict\":true,"
	                            "\"schema\":{\"type\":\"object\"}}}");
	struct llm_wire w = {"m", 0, 1, params};
	char err[128];
	cJSON *out = llm_openai_build(&w, req, err, sizeof(err));

	assert_json_eq(out,
	               "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],"
	               "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\","
	               "\"parameters\":{\"type\":\"object\",\"properties\":{}}}}],"
	               "\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"f\"}},"
	               "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":"
	               "\"response\",\"schema\":{\"type\":\"object\"},\"strict\":true}}}");
	cJSON_Delete(out);
	cJSON_Delete(req);
	cJSON_Delete(params);
}

Test(llm_openai_build, rejects_bad_role_and_empty_messages)
{
	struct llm_wire w = {"m", 0, 1, NULL};
	char err[128] = "";
	cJSON *req = cJSON_Parse("{\"messages\":[{\"role\":\"wizard\",\"content\":\"x\"}]}");

	cr_assert_null(llm_openai_build(&w, req, err, sizeof(err)));
	cr_assert(strstr(err, "messages[0]") != NULL, "%s", err);
	cJSON_Delete(req);
	req = cJSON_Parse("{\"messages\":[]}");
	cr_assert_null(llm_openai_build(&w, req, err, sizeof(err)));
	cJSON_Delete(req);
}

Test(llm_openai_parse, message_with_tool_calls_and_usage)
{
	static const char body[] =
	    "{\"id\":\"x\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
	    "\"content\":null,"
	    "\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":"
	    "\"read_file\",\"arguments\":\"{\\\"path\\\":\\\"a\\\"}\"}},"
	    "{\"id\":\"call_2\",\"type\":\"function\",\"function\":{\"name\":\"list_dir\","
	    "\"arguments\":{\"path\":\".\"}}}]},"
	    "\"finish_reason\":\"tool_calls\"}],\"usage\":{\"prompt_tokens\":10,\"completion_"
	    "tokens\":5}}";
	struct llm_result r;

	llm_result_init(&r);
	cr_assert_eq(llm_openai_parse(body, sizeof(body) - 1, &r), LLM_EV_OK);
	cr_assert_str_eq(strbuf_str(&r.content), "");
	cr_assert_eq(r.ncalls, 2);
	cr_assert_str_eq(r.calls[0].id, "call_1");
	cr_assert_str_eq(strbuf_str(&r.calls[0].args), "{\"path\":\"a\"}");
	cr_assert_str_eq(strbuf_str(&r.calls[1].args), "{\"path\":\".\"}");
	cr_assert_str_eq(r.finish, "tool_calls");
	cr_assert_eq(r.prompt_tokens, 10);
	cr_assert_eq(r.completion_tokens, 5);
	cr_assert_not_null(r.raw);
	llm_result_free(&r);
}

/* A hostile or broken endpoint's usage: a count past any long (the cast
 * would be undefined; the fuzzer found it), negative, fractional. */
Test(llm_openai_parse, absurd_usage_counts_are_clamped_not_undefined)
{
	static const char body[] =
	    "{\"choices\":[{\"message\":{\"content\":\"hi\"},\"finish_reason\":\"stop\"}],"
	    "\"usage\":{\"prompt_tokens\":1e300,\"completion_tokens\":-5}}";
	static const char body2[] = "{\"choices\":[{\"message\":{\"content\":\"x\"}}],"
	                            "\"usage\":{\"prompt_tokens\":7.9,\"completion_tokens\":\"12\"}}";
	struct llm_result r;

	llm_result_init(&r);
	cr_assert_eq(llm_openai_parse(body, sizeof(body) - 1, &r), LLM_EV_OK);
	cr_expect_eq(r.prompt_tokens, 1000000000000000L);
	cr_expect_eq(r.completion_tokens, -1, "a negative count is no count");
	llm_result_free(&r);
	llm_result_init(&r);
	cr_assert_eq(llm_openai_parse(body2, sizeof(body2) - 1, &r), LLM_EV_OK);
	cr_expect_eq(r.prompt_tokens, 7);
	cr_expect_eq(r.completion_tokens, -1, "a string is no count");
	llm_result_free(&r);
}

Test(llm_openai_parse, text_and_length_finish)
{
	static const char body[] =
	    "{\"choices\":[{\"message\":{\"content\":\"hi\"},\"finish_reason\":\"length\"}]}";
	struct llm_result r;

	llm_result_init(&r);
	cr_assert_eq(llm_openai_parse(body, sizeof(body) - 1, &r), LLM_EV_OK);
	cr_assert_str_eq(strbuf_str(&r.content), "hi");
	cr_assert_str_eq(r.finish, "length");
	cr_assert_eq(r.prompt_tokens, -1);
	llm_result_free(&r);
}

Test(llm_openai_parse, error_body_gives_provider_message)
{
	static const char body[] =
	    "{\"error\":{\"message\":\"Invalid model\",\"type\":\"invalid_request_error\"}}";
	struct llm_result r;

	llm_result_init(&r);
	cr_assert_eq(llm_openai_parse(body, sizeof(body) - 1, &r), LLM_EV_PROVIDER);
	cr_assert_str_eq(r.error, "Invalid model");
	llm_result_free(&r);
}

Test(llm_openai_parse, malformed_bodies_are_rejected_not_crashed)
{
	static const char *bad[] = {"",
	                            "{",
	                            "[]",
	                            "null",
	                            "{\"choices\":[]}",
	                            "{\"choices\":[{\"message\":7}]}",
	                            "{\"choices\":\"x\"}",
	                            "\xff\xfe{}",
	                            NULL};
	struct llm_result r;
	int i;

	for (i = 0; bad[i]; i++) {
		llm_result_init(&r);
		cr_assert_eq(llm_openai_parse(bad[i], strlen(bad[i]), &r), LLM_EV_MALFORMED, "%s",
		             bad[i]);
		cr_assert_not_null(r.error);
		llm_result_free(&r);
	}
}

Test(llm_wire, error_message_shapes)
{
	char *m;

	m = llm_wire_error_message("{\"error\":{\"message\":\"a\"}}", 25);
	cr_assert_str_eq(m, "a");
	free(m);
	m = llm_wire_error_message("{\"error\":\"b\"}", 13);
	cr_assert_str_eq(m, "b");
	free(m);
	m = llm_wire_error_message("{\"message\":\"c\"}", 15);
	cr_assert_str_eq(m, "c");
	free(m);
	cr_assert_null(llm_wire_error_message("<html>502</html>", 16));
}
