/* The OpenCode patch dialect: delimiting, wrappers Codex accepts, and the
 * structure checks (stricter than Codex where documented). */
#include "tests/unit/dialect_testutil.h"

static const char PATCH[] =
    "*** Begin Patch\n*** Add File: hello.txt\n+Hello\n+world\n"
    "*** Update File: src/app.py\n*** Move to: src/main.py\n@@ def greet():\n"
    "-print(\"Hi\")\n+print(\"Hello, world!\")\n*** Delete File: obsolete.txt\n"
    "*** End Patch\n";

Test(dialect_opencode, patch_becomes_patch_call_with_patch_text)
{
	struct parsed p;
	char text[1024];

	snprintf(text, sizeof(text), "Applying:\n%sok", PATCH);
	parse_with(&p, REG_OC, "opencode_patch", text);
	cr_assert_eq(nerrors(&p), 0, "%s", err_msg(&p, 0));
	cr_assert_eq(ncalls(&p), 1);
	cr_assert_str_eq(call_name(&p, 0), "patch");
	cr_assert_str_eq(call_sarg(&p, 0, "patchText"), PATCH);
	cr_assert_eq(call_line(&p, 0), 2);
	cr_assert_str_eq(message(&p), "Applying:\nok");
	parsed_free(&p);
}

Test(dialect_opencode, heredoc_wrapper_fence_and_padded_markers)
{
	struct parsed p;

	parse_with(
	    &p, REG_OC, "opencode_patch",
	    "```bash\napply_patch <<'EOF'\n  *** Begin Patch  \n *** Update File: a.c\n@@\n-x\n+y\n"
	    "   *** End Patch\nEOF\n```\nafter");
	cr_assert_eq(nerrors(&p), 0, "%s", err_msg(&p, 0));
	cr_assert_str_eq(call_sarg(&p, 0, "patchText"),
	                 "*** Begin Patch\n*** Update File: a.c\n@@\n-x\n+y\n*** End Patch\n");
	cr_assert_str_eq(message(&p), "after");
	parsed_free(&p);
}

Test(dialect_opencode, defs_registry_routes_to_apply_unified_patch_via_alias)
{
	struct parsed p;

	parse_with(&p, REG_DEFS, "opencode_patch", PATCH);
	cr_assert_str_eq(call_name(&p, 0), "apply_unified_patch");
	cr_assert_str_eq(call_sarg(&p, 0, "patch"), PATCH);
	parsed_free(&p);
}

Test(dialect_opencode, missing_end_patch_is_refused_and_prose_after_kept)
{
	struct parsed p;

	parse_with(&p, REG_OC, "opencode_patch",
	           "*** Begin Patch\n*** Add File: a\n+x\nI could not finish.");
	cr_assert_eq(ncalls(&p), 0);
	cr_assert_str_eq(err_msg(&p, 0),
	                 "OpenCode patch at line 1: missing '*** End Patch'; nothing was "
	                 "applied. If your answer was cut off, send smaller patches");
	cr_assert_str_eq(message(&p), "I could not finish.");
	parsed_free(&p);
}

Test(dialect_opencode, error_bad_first_line)
{
	struct parsed p;

	parse_with(&p, REG_OC, "opencode_patch", "*** Begin Patch\nbad\n*** End Patch\n");
	cr_assert_str_eq(err_msg(&p, 0),
	                 "OpenCode patch at line 2: expected '*** Add File: PATH', "
	                 "'*** Update File: PATH' or '*** Delete File: PATH' (found 'bad')");
	parsed_free(&p);
}

Test(dialect_opencode, error_add_file_line_without_plus)
{
	struct parsed p;

	parse_with(&p, REG_OC, "opencode_patch",
	           "*** Begin Patch\n*** Add File: a.txt\n+ok\nnot plus\n*** End Patch\n");
	cr_assert_str_eq(err_msg(&p, 0),
	                 "OpenCode patch at line 4: every line of an added file must "
	                 "start with '+' (found 'not plus')");
	parsed_free(&p);
}

Test(dialect_opencode, error_empty_update_and_unknown_marker_and_empty_patch)
{
	struct parsed p;

	parse_with(&p, REG_OC, "opencode_patch",
	           "*** Begin Patch\n*** Update File: a\n@@\n*** Delete File: b\n*** End Patch\n"
	           "*** Begin Patch\n*** Update File: a\n-x\n*** Rename File: b\n*** End Patch\n"
	           "*** Begin Patch\n*** End Patch\n");
	cr_assert_eq(ncalls(&p), 0);
	cr_assert_eq(nerrors(&p), 3);
	assert_contains(err_msg(&p, 0), "line 2: this '*** Update File:' section changes nothing");
	assert_contains(err_msg(&p, 1), "line 9: unknown '***' line");
	assert_contains(err_msg(&p, 2), "the patch changes no file");
	parsed_free(&p);
}

Test(dialect_opencode, end_of_file_marker_and_delete_only)
{
	struct parsed p;

	parse_with(
	    &p, REG_OC, "opencode_patch",
	    "*** Begin Patch\n*** Update File: a\n@@\n+tail\n*** End of File\n*** Delete File: b\n"
	    "*** End Patch");
	cr_assert_eq(nerrors(&p), 0, "%s", err_msg(&p, 0));
	cr_assert_eq(ncalls(&p), 1);
	parsed_free(&p);
}

Test(dialect_opencode, error_misplaced_markers_and_bad_lines)
{
	struct parsed p;

	parse_with(&p, REG_OC, "opencode_patch",
	           "*** Begin Patch\n*** Add File: a\n+x\n*** Move to: b\n*** End Patch\n"
	           "*** Begin Patch\n*** Delete File: a\nstray\n*** End Patch\n"
	           "*** Begin Patch\n*** Update File: a\n@@\nx\n*** End Patch\n");
	cr_assert_eq(ncalls(&p), 0);
	cr_assert_eq(nerrors(&p), 3);
	cr_assert_str_eq(err_msg(&p, 0),
	                 "OpenCode patch at line 4: '*** Move to:' and '*** End of File' "
	                 "belong to an '*** Update File:' section (found '*** Move to: b')");
	cr_assert_str_eq(err_msg(&p, 1),
	                 "OpenCode patch at line 8: '*** Delete File:' takes no lines "
	                 "after it (found 'stray')");
	cr_assert_str_eq(err_msg(&p, 2),
	                 "OpenCode patch at line 13: a changed line must start with ' ', "
	                 "'+' or '-' (or be an '@@' header) (found 'x')");
	parsed_free(&p);
}
