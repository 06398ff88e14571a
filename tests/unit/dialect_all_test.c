/* dialect_parse_all: one pass over a message in several dialects, calls in
 * text order, the message without them, and the enabled list. */
#include <time.h>

#include "tests/unit/dialect_testutil.h"

static const char MIXED[] =
    "I'll read the file first.\n"
    "<TOOL_CALL> read_file(path=\"src/main.c\") </TOOL_CALL>\n"
    "```diff\n--- a/x.c\n+++ b/x.c\n@@ -1 +1 @@\n-old\n+new\n```\n"
    "src/foo.py\n```python\n<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE\n```\n"
    "*** Begin Patch\n*** Delete File: gone.txt\n*** End Patch\n"
    "```json\n{\"tool\": \"list_dir\", \"args\": {\"path\": \"src\"}}\n```\n"
    "<BASH>make test</BASH>\n"
    "Done.";

Test(dialect_all, calls_come_in_text_order_with_their_dialects)
{
	static const char *const want[][2] = {
	    {"read_file", "pythonic"},
	    {"apply_unified_patch", "unified_diff"},
	    {"apply_search_replace", "aider_search_replace"},
	    {"apply_unified_patch", "opencode_patch"},
	    {"list_dir", "json_block"},
	    {"run_shell", "bash_block"},
	};
	struct parsed p;
	char id[16];
	int i;

	parse_with(&p, REG_DEFS, NULL, MIXED);
	cr_assert_eq(nerrors(&p), 0, "%s", err_msg(&p, 0));
	cr_assert_eq(ncalls(&p), 6);
	for (i = 0; i < 6; i++) {
		cr_assert_str_eq(call_name(&p, i), want[i][0], "call %d", i);
		cr_assert_str_eq(
		    cJSON_GetStringValue(cJSON_GetObjectItem(call_at(&p, i), "dialect")),
		    want[i][1], "call %d", i);
		snprintf(id, sizeof(id), "call_%d", i + 1);
		cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(call_at(&p, i), "id")),
		                 id);
	}
	cr_assert_eq(call_line(&p, 5), 24);
	cr_assert_str_eq(message(&p), "I'll read the file first.\n\nDone.");
	parsed_free(&p);
}

Test(dialect_all, only_enabled_dialects_are_parsed)
{
	const char *const only[] = {"bash", "pythonic", NULL};
	struct parsed p;

	p.reg = cJSON_Parse(REG_DEFS);
	dialect_result_init(&p.r);
	cr_assert_eq(dialect_parse_all(MIXED, only, p.reg, &p.r), 0);
	cr_assert_eq(ncalls(&p), 2);
	cr_assert_str_eq(call_name(&p, 0), "read_file");
	cr_assert_str_eq(call_name(&p, 1), "run_shell");
	assert_contains(message(&p), "*** Begin Patch");
	parsed_free(&p);
}

Test(dialect_all, unknown_dialect_name_is_refused)
{
	const char *const bad[] = {"pythonic", "klingon", NULL};
	struct dialect_result r;

	dialect_result_init(&r);
	cr_assert_eq(dialect_parse_all("x", bad, NULL, &r), -1);
	cr_assert_eq(dialect_parse("klingon", "x", NULL, &r), -1);
	cr_assert(dialect_is_known("provider_native"));
	cr_assert(dialect_is_known("aider"));
	dialect_result_free(&r);
}

Test(dialect_all, crlf_message_keeps_lines_and_values)
{
	struct parsed p;

	parse_with(&p, REG_DEFS, NULL,
	           "a\r\nb\r\n<TOOL_CALL> "
	           "read_file(path=\"x\\r\\n\")\r\n</TOOL_CALL>\r\n<BASH>\r\nls\r\n</BASH>\r\n");
	cr_assert_eq(nerrors(&p), 0);
	cr_assert_eq(call_line(&p, 0), 3);
	cr_assert_str_eq(call_sarg(&p, 0, "path"), "x\r\n", "escapes still give CR");
	cr_assert_str_eq(call_sarg(&p, 1, "command"), "ls");
	cr_assert_str_eq(message(&p), "a\nb");
	parsed_free(&p);
}

Test(dialect_all, no_calls_keeps_the_whole_message)
{
	struct parsed p;

	parse_with(&p, REG_DEFS, NULL, "  All tests pass.\n\n\n\nTASK COMPLETE  \n");
	cr_assert_eq(ncalls(&p), 0);
	cr_assert_eq(nerrors(&p), 0);
	cr_assert_str_eq(message(&p), "All tests pass.\n\nTASK COMPLETE");
	parsed_free(&p);
}

Test(dialect_all, errors_and_calls_mix_without_losing_either)
{
	struct parsed p;

	parse_with(&p, REG_DEFS, NULL,
	           "<TOOL_CALL> read_file(path=) "
	           "</TOOL_CALL>\n<BASH>ls</BASH>\n```json\n{\"tool\": }\n```\n");
	cr_assert_eq(ncalls(&p), 1);
	cr_assert_eq(nerrors(&p), 2);
	cr_assert_eq(err_line(&p, 0), 1);
	cr_assert_eq(err_line(&p, 1), 3);
	parsed_free(&p);
}

Test(dialect_all, binary_and_huge_input_do_not_crash)
{
	struct parsed p;
	size_t n = 1 << 20, i;
	char *big = malloc(n + 1);

	for (i = 0; i < n; i++)
		big[i] = "<TOOL_CALL>(\"'[{\n*-+@`"[i % 21];
	big[n] = '\0';
	parse_with(&p, REG_DEFS, NULL, big);
	cr_assert(nerrors(&p) >= 0);
	parsed_free(&p);
	free(big);
}

Test(dialect_all, errors_are_capped_and_counted)
{
	struct parsed p;
	char *text = malloc(200 * 8 + 1);
	int i;

	for (i = 0; i < 200; i++)
		memcpy(text + i * 8, "<BASH>x\n", 8);
	text[200 * 8] = '\0';
	parse_with(&p, REG_DEFS, NULL, text);
	cr_assert_eq(nerrors(&p), 65);
	cr_assert_str_eq(err_msg(&p, 64), "... and 136 more errors like these");
	parsed_free(&p);
	free(text);
}

Test(dialect_all, many_unclosed_blocks_stay_linear)
{
	static const char *const units[] = {"<BASH> ls\n", "*** Begin Patch\n", "<read_file><path>",
	                                    "<TOOL_CALL> read_file(path='x) \n",
	                                    "<invoke name=\"a\">"};
	size_t n = 512 * 1024, k, i;
	char *text = malloc(n + 64);
	time_t t0 = time(NULL);

	/* 512 KB of each: quadratic scanning would take minutes. */
	for (k = 0; k < sizeof(units) / sizeof(units[0]); k++) {
		struct parsed p;
		size_t ul = strlen(units[k]);

		for (i = 0; i + ul <= n; i += ul)
			memcpy(text + i, units[k], ul);
		text[i] = '\0';
		parse_with(&p, REG_DEFS, NULL, text);
		cr_assert_eq(nerrors(&p), 65, "unit %zu", k);
		parsed_free(&p);
	}
	free(text);
	cr_assert_lt(time(NULL) - t0, 30, "2.5 MB of unclosed blocks took over 30 s");
}

/* Real-looking answers, as the reference configs' models write them. */
Test(dialect_all, gpt_style_build_turn_with_c_code_in_a_python_string)
{
	struct parsed p;

	parse_with(&p, REG_DEFS, NULL,
	           "I'll create the header and a test, then build.\n\n"
	           "<TOOL_CALL>\ncreate_file_from_block(\n    file_name=\"protofilesystem.h\",\n"
	           "    content=\"#ifndef PFS_H\\n#define PFS_H\\nint pfs_init(const char "
	           "*path);\\n#endif\\n\",\n)\n"
	           "create_file_from_block(file_name='test_fs.c', content='''#include <stdio.h>\n"
	           "int main(void) { printf(\"ok\\\\n\"); return 0; }\n''')\n</TOOL_CALL>\n\n"
	           "<BASH>make test</BASH>\n");
	cr_assert_eq(nerrors(&p), 0, "%s", err_msg(&p, 0));
	cr_assert_eq(ncalls(&p), 3);
	cr_assert_str_eq(call_sarg(&p, 0, "content"),
	                 "#ifndef PFS_H\n#define PFS_H\nint pfs_init(const char *path);\n#endif\n");
	cr_assert_str_eq(call_sarg(&p, 1, "content"),
	                 "#include <stdio.h>\nint main(void) { printf(\"ok\\n\"); return 0; }\n");
	cr_assert_str_eq(call_name(&p, 2), "run_shell");
	cr_assert_str_eq(message(&p), "I'll create the header and a test, then build.");
	parsed_free(&p);
}

Test(dialect_all, claude_style_search_replace_in_two_files_then_tests)
{
	struct parsed p;

	parse_with(&p, REG_DEFS, NULL,
	           "The bug is an off-by-one in `fs_read`.\n\nsrc/fs.c\n```c\n<<<<<<< SEARCH\n"
	           "    for (i = 0; i <= n; i++)\n=======\n    for (i = 0; i < n; i++)\n>>>>>>> "
	           "REPLACE\n```\n\n"
	           "tests/test_fs.c\n```c\n<<<<<<< SEARCH\n    assert(n == 3);\n=======\n"
	           "    assert(n == 2);\n>>>>>>> REPLACE\n```\n\nNow run the "
	           "tests:\n\n<BASH>\nmake test\n</BASH>");
	cr_assert_eq(nerrors(&p), 0, "%s", err_msg(&p, 0));
	cr_assert_eq(ncalls(&p), 3);
	cr_assert_str_eq(call_sarg(&p, 0, "file_name"), "src/fs.c");
	cr_assert_str_eq(call_sarg(&p, 1, "file_name"), "tests/test_fs.c");
	cr_assert_str_eq(call_sarg(&p, 1, "replace"), "    assert(n == 2);\n");
	cr_assert_str_eq(message(&p),
	                 "The bug is an off-by-one in `fs_read`.\n\nNow run the tests:");
	parsed_free(&p);
}

Test(dialect_all, codex_style_apply_patch_through_the_shell_fence)
{
	struct parsed p;

	parse_with(&p, REG_OC, NULL,
	           "```bash\napply_patch <<'PATCH'\n*** Begin Patch\n*** Update File: "
	           "src/main.c\n@@ int main(void)\n"
	           "-\treturn 1;\n+\treturn 0;\n*** End Patch\nPATCH\n```\nDone; tests next turn.");
	cr_assert_eq(nerrors(&p), 0, "%s", err_msg(&p, 0));
	cr_assert_eq(ncalls(&p), 1);
	cr_assert_str_eq(call_name(&p, 0), "patch");
	cr_assert_str_eq(call_sarg(&p, 0, "patchText"),
	                 "*** Begin Patch\n*** Update File: src/main.c\n"
	                 "@@ int main(void)\n-\treturn 1;\n+\treturn 0;\n*** End Patch\n");
	cr_assert_str_eq(message(&p), "Done; tests next turn.");
	parsed_free(&p);
}

Test(dialect_all, truncated_answer_applies_nothing_half_written)
{
	struct parsed p;

	parse_with(
	    &p, REG_OC, NULL,
	    "<BASH>make test</BASH>\n*** Begin Patch\n*** Add File: big.c\n+int a;\n+int b;\n+in");
	cr_assert_eq(ncalls(&p), 1, "the complete shell call stays");
	cr_assert_eq(nerrors(&p), 1);
	assert_contains(err_msg(&p, 0), "missing '*** End Patch'");
	parsed_free(&p);
}
