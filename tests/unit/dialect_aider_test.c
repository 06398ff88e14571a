/* The Aider SEARCH/REPLACE dialect. */
#include "tests/unit/dialect_testutil.h"

Test(dialect_aider, fenced_block_with_file_name_before_the_fence)
{
	struct parsed p;

	parse_with(
	    &p, REG_DEFS, "aider_search_replace",
	    "I'll change the return value.\n\nsrc/foo.py\n```python\n<<<<<<< SEARCH\ndef a():\n"
	    "    pass\n=======\ndef a():\n    return 1\n>>>>>>> REPLACE\n```\nDone.");
	cr_assert_eq(nerrors(&p), 0, "%s", err_msg(&p, 0));
	cr_assert_eq(ncalls(&p), 1);
	cr_assert_str_eq(call_name(&p, 0), "apply_search_replace");
	cr_assert_str_eq(call_sarg(&p, 0, "file_name"), "src/foo.py");
	cr_assert_str_eq(call_sarg(&p, 0, "search"), "def a():\n    pass\n");
	cr_assert_str_eq(call_sarg(&p, 0, "replace"), "def a():\n    return 1\n");
	cr_assert_eq(call_line(&p, 0), 3);
	cr_assert_str_eq(message(&p), "I'll change the return value.\n\nDone.");
	parsed_free(&p);
}

Test(dialect_aider, name_inside_fence_decorated_and_several_blocks)
{
	struct parsed p;

	parse_with(&p, REG_OC, "aider_search_replace",
	           "```c\n**lib/a.c**\n<<<<<<< SEARCH\nint x;\n=======\nlong x;\n>>>>>>> REPLACE\n"
	           "<<<<<<< SEARCH\nint y;\n=======\n>>>>>>> REPLACE\n```\n");
	cr_assert_eq(nerrors(&p), 0, "%s", err_msg(&p, 0));
	cr_assert_eq(ncalls(&p), 2);
	cr_assert_str_eq(call_name(&p, 0), "edit");
	cr_assert_str_eq(call_sarg(&p, 0, "filePath"), "lib/a.c");
	cr_assert_str_eq(call_sarg(&p, 0, "oldString"), "int x;\n");
	cr_assert_str_eq(call_sarg(&p, 1, "filePath"), "lib/a.c", "second block reuses the file");
	cr_assert_str_eq(call_sarg(&p, 1, "newString"), "");
	cr_assert_str_eq(message(&p), "");
	parsed_free(&p);
}

Test(dialect_aider, empty_search_creates_file_and_miscounted_markers)
{
	struct parsed p;

	parse_with(&p, REG_DEFS, "aider_search_replace",
	           "new.txt\n<<<<<< SEARCH\n========\nhello\n>>>>>>>> REPLACE\n");
	cr_assert_eq(nerrors(&p), 0, "%s", err_msg(&p, 0));
	cr_assert_str_eq(call_sarg(&p, 0, "search"), "");
	cr_assert_str_eq(call_sarg(&p, 0, "replace"), "hello\n");
	parsed_free(&p);
}

Test(dialect_aider, conflict_markers_in_content_are_kept)
{
	struct parsed p;

	parse_with(&p, REG_DEFS, "aider_search_replace",
	           "a.md\n<<<<<<< SEARCH\nx = \"=======\"\n=======\ny\n>>>>>>> REPLACE\n");
	cr_assert_str_eq(call_sarg(&p, 0, "search"), "x = \"=======\"\n");
	parsed_free(&p);
}

Test(dialect_aider, error_missing_divider)
{
	struct parsed p;

	parse_with(&p, REG_DEFS, "aider_search_replace",
	           "a.c\n<<<<<<< SEARCH\nx\n>>>>>>> REPLACE\n");
	cr_assert_eq(ncalls(&p), 0);
	cr_assert_str_eq(err_msg(&p, 0),
	                 "SEARCH/REPLACE block at line 2: missing '======='; a block is "
	                 "'<<<<<<< SEARCH', the old lines, '=======', the new lines, "
	                 "'>>>>>>> REPLACE'");
	parsed_free(&p);
}

Test(dialect_aider, error_missing_replace_marker)
{
	struct parsed p;

	parse_with(&p, REG_DEFS, "aider_search_replace", "a.c\n<<<<<<< SEARCH\nx\n=======\ny\n");
	assert_contains(err_msg(&p, 0), "missing '>>>>>>> REPLACE'");
	parsed_free(&p);
}

Test(dialect_aider, error_no_file_name)
{
	struct parsed p;

	parse_with(&p, REG_DEFS, "aider_search_replace",
	           "Change this:\n\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n");
	cr_assert_eq(ncalls(&p), 0);
	assert_contains(err_msg(&p, 0), "SEARCH/REPLACE block at line 3: no file name");
	parsed_free(&p);
}
