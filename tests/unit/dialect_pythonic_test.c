/* The pythonic <TOOL_CALL> dialect: Python literal syntax, several calls
 * per block, positional arguments, and the errors models need to fix. */
#include <stdio.h>

#include "tests/unit/dialect_testutil.h"

Test(dialect_pythonic, reads_keyword_call_and_keeps_prose)
{
	struct parsed p;

	parse_with(&p, REG_DEFS, "pythonic",
	           "Let me look at the entry point.\n"
	           "<TOOL_CALL> read_file(path=\"src/main.c\", offset=10) </TOOL_CALL>\n"
	           "Then I will fix it.");
	cr_assert_eq(nerrors(&p), 0);
	cr_assert_eq(ncalls(&p), 1);
	cr_assert_str_eq(call_name(&p, 0), "read_file");
	cr_assert_str_eq(call_sarg(&p, 0, "path"), "src/main.c");
	cr_assert_eq(cJSON_GetNumberValue(call_arg(&p, 0, "offset")), 10);
	cr_assert_eq(call_line(&p, 0), 2);
	cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(call_at(&p, 0), "id")), "call_1");
	cr_assert_str_eq(message(&p), "Let me look at the entry point.\n\nThen I will fix it.");
	parsed_free(&p);
}

Test(dialect_pythonic, several_calls_in_one_block_and_positional_args)
{
	struct parsed p;

	parse_with(&p, REG_DEFS, "pythonic",
	           "<TOOL_CALL>\nlist_dir(\".\", 2)\nread_file('Makefile'); "
	           "read_file(\"a.h\",)\n</TOOL_CALL>");
	cr_assert_eq(nerrors(&p), 0, "%s", err_msg(&p, 0));
	cr_assert_eq(ncalls(&p), 3);
	cr_assert_str_eq(call_sarg(&p, 0, "path"), ".");
	cr_assert_eq(cJSON_GetNumberValue(call_arg(&p, 0, "depth")), 2);
	cr_assert_str_eq(call_sarg(&p, 1, "path"), "Makefile");
	cr_assert_str_eq(call_sarg(&p, 2, "path"), "a.h");
	cr_assert_eq(call_line(&p, 2), 3);
	parsed_free(&p);
}

Test(dialect_pythonic, string_escapes_and_quote_forms)
{
	struct parsed p;

	parse_with(
	    &p, REG_DEFS, "pythonic",
	    "<TOOL_CALL> create_file_from_block(file_name='a.txt', content=\"\"\"it's \"quoted\"\n"
	    "\\tT\\x41\\u00e9\\U0001F600\\\\\\'\\\"\"\"\" 'x' r\"raw\\n\" '\\101\\q') "
	    "</TOOL_CALL>");
	cr_assert_eq(nerrors(&p), 0, "%s", err_msg(&p, 0));
	cr_assert_str_eq(call_sarg(&p, 0, "content"),
	                 "it's \"quoted\"\n\tTA\xc3\xa9\xf0\x9f\x98\x80\\'\"xraw\\nA\\q");
	parsed_free(&p);
}

Test(dialect_pythonic, surrogate_pair_escape_joins)
{
	struct parsed p;

	parse_with(&p, REG_DEFS, "pythonic",
	           "<TOOL_CALL> create_file(path=\"\\ud83d\\ude00.txt\") </TOOL_CALL>");
	cr_assert_eq(nerrors(&p), 0);
	cr_assert_str_eq(call_sarg(&p, 0, "path"), "\xf0\x9f\x98\x80.txt");
	parsed_free(&p);
}

Test(dialect_pythonic, numbers_constants_lists_tuples_dicts)
{
	struct parsed p;
	const cJSON *v;

	parse_with(
	    &p, REG_OC, "pythonic",
	    "<TOOL_CALL> list(path=None, ignore=['*.o', (\"a\", -1.5e2), {'k': [True, False]},"
	    " 0x1F, -7, 1_000, .5, ],) </TOOL_CALL>");
	cr_assert_eq(nerrors(&p), 0, "%s", err_msg(&p, 0));
	cr_assert(cJSON_IsNull(call_arg(&p, 0, "path")));
	v = call_arg(&p, 0, "ignore");
	cr_assert_eq(cJSON_GetArraySize(v), 7);
	cr_assert_str_eq(cJSON_GetArrayItem(v, 0)->valuestring, "*.o");
	cr_assert_eq(cJSON_GetArrayItem(cJSON_GetArrayItem(v, 1), 1)->valuedouble, -150.0);
	cr_assert(cJSON_IsTrue(
	    cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetArrayItem(v, 2), "k"), 0)));
	cr_assert_eq(cJSON_GetArrayItem(v, 3)->valuedouble, 31);
	cr_assert_eq(cJSON_GetArrayItem(v, 4)->valuedouble, -7);
	cr_assert_eq(cJSON_GetArrayItem(v, 5)->valuedouble, 1000);
	cr_assert_eq(cJSON_GetArrayItem(v, 6)->valuedouble, 0.5);
	parsed_free(&p);
}

Test(dialect_pythonic, close_tag_inside_a_string_does_not_end_the_block)
{
	struct parsed p;

	parse_with(
	    &p, REG_DEFS, "pythonic",
	    "<TOOL_CALL> create_file_from_block(file_name=\"doc.md\", content=\"use </TOOL_CALL> "
	    "and ```diff fences\") </TOOL_CALL> after");
	cr_assert_eq(nerrors(&p), 0, "%s", err_msg(&p, 0));
	cr_assert_str_eq(call_sarg(&p, 0, "content"), "use </TOOL_CALL> and ```diff fences");
	cr_assert_str_eq(message(&p), "after");
	parsed_free(&p);
}

Test(dialect_pythonic, alias_and_dotted_names_resolve)
{
	struct parsed p;

	parse_with(&p, REG_DEFS, "pythonic",
	           "<tool_call>default_api.patch(patch=\"--- a/x\")</tool_call>");
	cr_assert_eq(nerrors(&p), 0);
	cr_assert_str_eq(call_name(&p, 0), "apply_unified_patch");
	cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(call_at(&p, 0), "written_name")),
	                 "patch");
	parsed_free(&p);
}

Test(dialect_pythonic, unknown_tool_is_kept_for_the_validator)
{
	struct parsed p;

	parse_with(&p, REG_DEFS, "pythonic", "<TOOL_CALL> frobnicate(x=1) </TOOL_CALL>");
	cr_assert_eq(nerrors(&p), 0);
	cr_assert_str_eq(call_name(&p, 0), "frobnicate");
	parsed_free(&p);
}

Test(dialect_pythonic, fence_inside_the_block_is_ignored)
{
	struct parsed p;

	parse_with(&p, REG_DEFS, "pythonic",
	           "<TOOL_CALL>\n```python\nread_file(path=\"x\")\n```\n</TOOL_CALL>");
	cr_assert_eq(nerrors(&p), 0, "%s", err_msg(&p, 0));
	cr_assert_eq(ncalls(&p), 1);
	parsed_free(&p);
}

Test(dialect_pythonic, json_inside_a_tool_call_tag_is_read_as_json)
{
	struct parsed p;

	parse_with(&p, REG_DEFS, "pythonic",
	           "<tool_call>\n{\"name\": \"read_file\", \"arguments\": {\"path\": "
	           "\"a.c\"}}\n</tool_call>");
	cr_assert_eq(nerrors(&p), 0, "%s", err_msg(&p, 0));
	cr_assert_str_eq(call_sarg(&p, 0, "path"), "a.c");
	parsed_free(&p);
}

Test(dialect_pythonic, missing_close_tag_is_tolerated_when_the_call_parses)
{
	struct parsed p;

	parse_with(&p, REG_DEFS, "pythonic", "ok\n<TOOL_CALL> read_file(path=\"x\")");
	cr_assert_eq(nerrors(&p), 0);
	cr_assert_eq(ncalls(&p), 1);
	cr_assert_str_eq(message(&p), "ok");
	parsed_free(&p);
}

Test(dialect_pythonic, error_missing_comma_names_argument_line_and_column)
{
	struct parsed p;

	parse_with(&p, REG_DEFS, "pythonic",
	           "intro\n\n<TOOL_CALL> read_file(path=\"src/main.c\" offset=10) </TOOL_CALL>");
	cr_assert_eq(ncalls(&p), 0);
	cr_assert_eq(nerrors(&p), 1);
	cr_assert_str_eq(err_msg(&p, 0),
	                 "TOOL_CALL at line 3: expected ')' or ',' after argument 'path' (col 41)");
	cr_assert_eq(err_line(&p, 0), 3);
	parsed_free(&p);
}

Test(dialect_pythonic, error_unquoted_name)
{
	struct parsed p;

	parse_with(&p, REG_DEFS, "pythonic", "<TOOL_CALL> read_file(path=src/main.c) </TOOL_CALL>");
	assert_contains(err_msg(&p, 0),
	                "unquoted name 'src' is not a value; put strings in quotes");
	parsed_free(&p);
}

Test(dialect_pythonic, error_unterminated_string_points_at_its_start)
{
	struct parsed p;

	parse_with(&p, REG_DEFS, "pythonic",
	           "<TOOL_CALL> read_file(path=\"oops) </TOOL_CALL>\n<TOOL_CALL> "
	           "read_file(path='b') </TOOL_CALL>");
	cr_assert_eq(nerrors(&p), 1);
	cr_assert_str_eq(err_msg(&p, 0),
	                 "TOOL_CALL at line 1: unterminated string literal (col 28)");
	cr_assert_eq(ncalls(&p), 1, "the next block is still read");
	cr_assert_str_eq(call_sarg(&p, 0, "path"), "b");
	parsed_free(&p);
}

Test(dialect_pythonic, error_too_many_positional_arguments)
{
	struct parsed p;

	parse_with(&p, REG_DEFS, "pythonic", "<TOOL_CALL> read_file(\"a\", 1, 2, 3) </TOOL_CALL>");
	assert_contains(err_msg(&p, 0),
	                "read_file takes 3 arguments; got a positional argument number 4");
	parsed_free(&p);
}

Test(dialect_pythonic, error_positional_for_unknown_tool)
{
	struct parsed p;

	parse_with(&p, REG_DEFS, "pythonic", "<TOOL_CALL> nope(\"a\") </TOOL_CALL>");
	assert_contains(err_msg(&p, 0),
	                "positional argument 1 of unknown tool 'nope': write name=value");
	parsed_free(&p);
}

Test(dialect_pythonic, error_duplicate_and_misordered_arguments)
{
	struct parsed p;

	parse_with(&p, REG_DEFS, "pythonic",
	           "<TOOL_CALL> read_file(path=\"a\", path=\"b\") </TOOL_CALL>\n"
	           "<TOOL_CALL> read_file(path=\"a\", 5) </TOOL_CALL>");
	cr_assert_eq(nerrors(&p), 2);
	assert_contains(err_msg(&p, 0), "argument 'path' given twice");
	assert_contains(err_msg(&p, 1), "positional argument follows keyword argument");
	parsed_free(&p);
}

Test(dialect_pythonic, error_empty_block_and_fstring_and_bad_escape)
{
	struct parsed p;

	parse_with(&p, REG_DEFS, "pythonic",
	           "<TOOL_CALL> </TOOL_CALL>\n<TOOL_CALL> read_file(path=f\"{x}\") </TOOL_CALL>\n"
	           "<TOOL_CALL> read_file(path=\"\\x4\") </TOOL_CALL>\n"
	           "<TOOL_CALL> read_file(path=\"a\\x00\") </TOOL_CALL>");
	cr_assert_eq(nerrors(&p), 4);
	assert_contains(err_msg(&p, 0), "empty block");
	assert_contains(err_msg(&p, 1), "f-strings cannot be evaluated");
	assert_contains(err_msg(&p, 2), "\\x needs 2 hex digits");
	assert_contains(err_msg(&p, 3), "NUL characters are not allowed");
	parsed_free(&p);
}

Test(dialect_pythonic, error_missing_close_tag_is_mentioned_when_parse_fails)
{
	struct parsed p;

	parse_with(&p, REG_DEFS, "pythonic", "<TOOL_CALL> read_file(path=\"a\"");
	assert_contains(err_msg(&p, 0), "expected ')' to close the call to read_file");
	assert_contains(err_msg(&p, 0), "the block has no closing </TOOL_CALL>");
	parsed_free(&p);
}

Test(dialect_pythonic, deep_nesting_is_an_error_not_a_crash)
{
	struct parsed p;
	char text[600];
	int i, n = 0;

	n += sprintf(text + n, "<TOOL_CALL> read_file(path=");
	for (i = 0; i < 200; i++)
		text[n++] = '[';
	text[n] = '\0';
	strcat(text, ") </TOOL_CALL>");
	parse_with(&p, REG_DEFS, "pythonic", text);
	assert_contains(err_msg(&p, 0), "nested deeper than");
	parsed_free(&p);
}

Test(dialect_pythonic, a_single_dict_argument_is_spread_as_keywords)
{
	struct parsed p;

	parse_with(&p, REG_DEFS, "pythonic",
	           "<TOOL_CALL> read_file({\"path\": \"a.c\", \"limit\": 5}) </TOOL_CALL>\n"
	           "<TOOL_CALL> read_file(path={\"x\": 1}) </TOOL_CALL>");
	cr_assert_eq(nerrors(&p), 0);
	cr_assert_str_eq(call_sarg(&p, 0, "path"), "a.c");
	cr_assert_eq(cJSON_GetNumberValue(call_arg(&p, 0, "limit")), 5);
	cr_assert(cJSON_IsObject(call_arg(&p, 1, "path")), "a keyword dict stays as written");
	parsed_free(&p);
}
