/* Provider-native calls (the LLM worker's neutral form). */
#include "tests/unit/dialect_testutil.h"

static void
native(struct parsed *p, const char *reg, const char *calls_json)
{
	cJSON *calls = cJSON_Parse(calls_json);

	cr_assert_not_null(calls);
	p->reg = cJSON_Parse(reg);
	dialect_result_init(&p->r);
	cr_assert_eq(dialect_parse_native(calls, p->reg, &p->r), 0);
	cJSON_Delete(calls);
}

Test(dialect_native, keeps_provider_ids_and_parses_arguments)
{
	struct parsed p;

	native(&p, REG_DEFS,
	       "[{\"id\":\"call_abc\",\"name\":\"read_file\",\"arguments\":\"{\\\"path\\\":\\\"a."
	       "c\\\"}\"},"
	       " {\"id\":\"\",\"name\":\"edit\",\"arguments\":{\"file_name\":\"x\"}},"
	       " {\"id\":\"call_z\",\"name\":\"mark_task_complete\",\"arguments\":\"\"}]");
	cr_assert_eq(nerrors(&p), 0);
	cr_assert_eq(ncalls(&p), 3);
	cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(call_at(&p, 0), "id")),
	                 "call_abc");
	cr_assert_str_eq(call_sarg(&p, 0, "path"), "a.c");
	cr_assert_str_eq(call_name(&p, 1), "apply_search_replace", "aliases resolve");
	cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(call_at(&p, 1), "id")), "call_2");
	cr_assert(cJSON_IsNull(cJSON_GetObjectItem(call_at(&p, 0), "line")));
	parsed_free(&p);
}

Test(dialect_native, bad_json_arguments_give_line_and_column)
{
	struct parsed p;

	native(&p, REG_DEFS,
	       "[{\"id\":\"call_1\",\"name\":\"read_file\",\"arguments\":\"{\\\"path\\\":\\n "
	       "\\\"a.c\\\"\"},"
	       " {\"id\":\"call_2\",\"name\":\"read_file\",\"arguments\":\"[1,2]\"},"
	       " {\"id\":\"call_3\",\"arguments\":\"{}\"}]");
	cr_assert_eq(ncalls(&p), 0);
	cr_assert_eq(nerrors(&p), 3);
	cr_assert_str_eq(err_msg(&p, 0),
	                 "native call 1 'read_file' (id call_1): arguments are not valid "
	                 "JSON at line 2 col 7");
	cr_assert_str_eq(err_msg(&p, 1),
	                 "native call 2 'read_file' (id call_2): arguments must be a "
	                 "JSON object of parameter names to values");
	cr_assert_str_eq(err_msg(&p, 2),
	                 "native call 3 '?' (id call_3): the call has no tool name");
	parsed_free(&p);
}

Test(dialect_native, arguments_of_wrong_type)
{
	struct parsed p;

	native(&p, REG_DEFS, "[{\"id\":\"c\",\"name\":\"read_file\",\"arguments\":5}]");
	cr_assert_eq(ncalls(&p), 0);
	cr_assert_str_eq(err_msg(&p, 0),
	                 "native call 1 'read_file' (id c): arguments must be a JSON "
	                 "object (as text)");
	parsed_free(&p);
}

Test(dialect_native, shell_call_running_apply_patch_becomes_the_patch)
{
	struct parsed p;

	native(
	    &p, REG_OC,
	    "[{\"id\":\"fc_1\",\"name\":\"bash\",\"arguments\":\"{\\\"command\\\":\\\"apply_patch "
	    "<<'EOF'\\\\n*** Begin Patch\\\\n*** Delete File: a\\\\n*** End Patch\\\\nEOF\\\"}\"},"
	    " {\"id\":\"fc_2\",\"name\":\"bash\",\"arguments\":{\"command\":[\"apply_patch\","
	    "\"*** Begin Patch\\n*** Add File: b\\n+x\\n*** End Patch\"]}},"
	    " {\"id\":\"fc_3\",\"name\":\"bash\",\"arguments\":{\"command\":\"apply_patch <<EOF\\n"
	    "*** Begin Patch\\n*** Add File: c\\nno plus\\n*** End Patch\\nEOF\"}},"
	    " {\"id\":\"fc_4\",\"name\":\"bash\",\"arguments\":{\"command\":\"make "
	    "apply_patch\"}}]");
	cr_assert_eq(ncalls(&p), 3);
	cr_assert_str_eq(call_name(&p, 0), "patch");
	cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(call_at(&p, 0), "id")), "fc_1");
	cr_assert_str_eq(call_sarg(&p, 0, "patchText"),
	                 "*** Begin Patch\n*** Delete File: a\n*** End Patch\n");
	cr_assert_str_eq(call_name(&p, 1), "patch");
	cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(call_at(&p, 1), "id")), "fc_2");
	cr_assert_str_eq(call_name(&p, 2), "bash",
	                 "a command that only mentions apply_patch stays");
	cr_assert_eq(nerrors(&p), 1);
	assert_contains(err_msg(&p, 0), "every line of an added file must start with '+'");
	cr_assert_str_eq(
	    cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(p.r.errors, 0), "id")),
	    "fc_3");
	parsed_free(&p);
}
