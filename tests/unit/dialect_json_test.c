/* The ```json block dialect. */
#include "tests/unit/dialect_testutil.h"

Test(dialect_json, tool_args_shape)
{
	struct parsed p;

	parse_with(&p, REG_DEFS, "json_block",
	           "Next:\n```json\n{\"tool\": \"read_file\", \"args\": {\"path\": \"a.c\", "
	           "\"limit\": 3}}\n```\n");
	cr_assert_eq(nerrors(&p), 0, "%s", err_msg(&p, 0));
	cr_assert_str_eq(call_name(&p, 0), "read_file");
	cr_assert_eq(cJSON_GetNumberValue(call_arg(&p, 0, "limit")), 3);
	cr_assert_eq(call_line(&p, 0), 2);
	cr_assert_str_eq(message(&p), "Next:");
	parsed_free(&p);
}

Test(dialect_json, openai_shapes_with_string_arguments_and_lists)
{
	struct parsed p;

	parse_with(
	    &p, REG_DEFS, "json_block",
	    "```json\n[{\"name\": \"list_dir\", \"arguments\": \"{\\\"path\\\": \\\"src\\\"}\"},\n"
	    " {\"type\": \"function\", \"function\": {\"name\": \"mark_task_complete\", "
	    "\"arguments\": \"\"}}]\n```\n"
	    "```json\n{\"tool_calls\": [{\"tool\": \"read_file\", \"parameters\": {\"path\": "
	    "\"x\"}}]}\n```");
	cr_assert_eq(nerrors(&p), 0, "%s", err_msg(&p, 0));
	cr_assert_eq(ncalls(&p), 3);
	cr_assert_str_eq(call_sarg(&p, 0, "path"), "src");
	cr_assert_str_eq(call_name(&p, 1), "mark_task_complete");
	cr_assert_str_eq(call_sarg(&p, 2, "path"), "x");
	parsed_free(&p);
}

Test(dialect_json, data_fence_is_left_in_the_message)
{
	struct parsed p;

	parse_with(&p, REG_DEFS, "json_block",
	           "```json\n{\"name\": \"my-package\", \"version\": \"1.0\"}\n```");
	cr_assert_eq(ncalls(&p), 0);
	cr_assert_eq(nerrors(&p), 0);
	assert_contains(message(&p), "my-package");
	parsed_free(&p);
}

Test(dialect_json, error_invalid_json_gives_position)
{
	struct parsed p;

	parse_with(&p, REG_DEFS, "json_block",
	           "x\n```json\n{\"tool\": \"read_file\",\n \"args\": {\"path\": \"a\",}}\n```");
	cr_assert_eq(ncalls(&p), 0);
	cr_assert_str_eq(err_msg(&p, 0),
	                 "JSON block at line 2: invalid JSON at line 4 col 24 (check "
	                 "quotes, commas and braces; strings need \\n for newlines)");
	parsed_free(&p);
}

Test(dialect_json, error_arguments_not_an_object_and_no_name)
{
	struct parsed p;

	parse_with(&p, REG_DEFS, "json_block",
	           "```json\n{\"tool\": \"read_file\", \"args\": [1]}\n```\n```json\n{\"tool\": 5, "
	           "\"args\": {}}\n```");
	cr_assert_eq(ncalls(&p), 0);
	cr_assert_eq(nerrors(&p), 2);
	assert_contains(err_msg(&p, 0), "the arguments of 'read_file' must be a JSON object");
	assert_contains(err_msg(&p, 1), "a call needs \"tool\" (or \"name\")");
	parsed_free(&p);
}

Test(dialect_json, error_list_entry_not_an_object)
{
	struct parsed p;

	parse_with(&p, REG_DEFS, "json_block", "```json\n{\"tool_calls\": [\"read_file\"]}\n```");
	cr_assert_eq(ncalls(&p), 0);
	cr_assert_str_eq(err_msg(&p, 0), "JSON block at line 1: each call must be a JSON object");
	parsed_free(&p);
}
