/* The unified diff dialect: fenced and bare diffs, where they end, and
 * the shape checks. */
#include "tests/unit/dialect_testutil.h"

static const char DIFF1[] =
    "--- a/src/x.c\n+++ b/src/x.c\n@@ -1,3 +1,3 @@\n int a;\n-int b;\n+long b;\n int c;\n";

Test(dialect_diff, fenced_diff_becomes_apply_unified_patch)
{
	struct parsed p;
	char text[512];

	snprintf(text, sizeof(text), "Here is the fix:\n```diff\n%s```\nDone.", DIFF1);
	parse_with(&p, REG_DEFS, "unified_diff", text);
	cr_assert_eq(nerrors(&p), 0, "%s", err_msg(&p, 0));
	cr_assert_eq(ncalls(&p), 1);
	cr_assert_str_eq(call_name(&p, 0), "apply_unified_patch");
	cr_assert_str_eq(call_sarg(&p, 0, "patch"), DIFF1);
	cr_assert_eq(call_line(&p, 0), 2);
	cr_assert_str_eq(message(&p), "Here is the fix:\nDone.");
	parsed_free(&p);
}

Test(dialect_diff, bare_git_diff_with_dev_null_and_blank_context_lines)
{
	struct parsed p;
	const char *text =
	    "diff --git a/new.c b/new.c\nnew file mode 100644\nindex 0000000..e69de29\n"
	    "--- /dev/null\n+++ b/new.c\n@@ -0,0 +1,3 @@\n+int main(void)\n+{\n+}\n"
	    "diff --git a/old.c b/old.c\n--- a/old.c\n+++ b/old.c\n@@ -1,4 +1,4 @@\n a\n\n-b\n+c\n"
	    "That is all.\n";

	parse_with(&p, REG_DEFS, "unified_diff", text);
	cr_assert_eq(nerrors(&p), 0, "%s", err_msg(&p, 0));
	cr_assert_eq(ncalls(&p), 1, "one diff of two files");
	assert_contains(call_sarg(&p, 0, "patch"), "+++ b/old.c\n@@ -1,4 +1,4 @@\n a\n\n-b\n+c\n");
	cr_assert_null(strstr(call_sarg(&p, 0, "patch"), "That is all"));
	cr_assert_str_eq(message(&p), "That is all.");
	parsed_free(&p);
}

Test(dialect_diff, opencode_registry_uses_patch_text)
{
	struct parsed p;
	char text[512];

	snprintf(text, sizeof(text), "```patch\n%s```", DIFF1);
	parse_with(&p, REG_OC, "unified_diff", text);
	cr_assert_str_eq(call_name(&p, 0), "patch");
	cr_assert_str_eq(call_sarg(&p, 0, "patchText"), DIFF1);
	parsed_free(&p);
}

Test(dialect_diff, prose_with_dashes_is_not_a_diff)
{
	struct parsed p;

	parse_with(&p, REG_DEFS, "unified_diff", "--- notes ---\n- item\n+ plus\n");
	cr_assert_eq(ncalls(&p), 0);
	cr_assert_eq(nerrors(&p), 0);
	parsed_free(&p);
}

Test(dialect_diff, fence_holding_an_opencode_patch_is_left_alone)
{
	struct parsed p;

	parse_with(&p, REG_DEFS, "unified_diff", "```diff\n*** Begin Patch\n*** End Patch\n```");
	cr_assert_eq(ncalls(&p), 0);
	cr_assert_eq(nerrors(&p), 0);
	parsed_free(&p);
}

Test(dialect_diff, error_fence_without_file_header)
{
	struct parsed p;

	parse_with(&p, REG_DEFS, "unified_diff", "x\n```diff\n@@ -1 +1 @@\n-a\n+b\n```");
	cr_assert_eq(ncalls(&p), 0);
	cr_assert_str_eq(err_msg(&p, 0),
	                 "diff at line 2: no file header; start each file with "
	                 "'--- a/PATH' and '+++ b/PATH' lines (--- /dev/null for a new file)");
	parsed_free(&p);
}

Test(dialect_diff, error_file_without_hunk)
{
	struct parsed p;

	parse_with(&p, REG_DEFS, "unified_diff", "```diff\n--- a/x\n+++ b/x\n```");
	assert_contains(err_msg(&p, 0), "diff at line 3: no hunk");
	parsed_free(&p);
}

Test(dialect_diff, crlf_message_is_read_as_lf)
{
	struct parsed p;

	parse_with(&p, REG_DEFS, "unified_diff",
	           "```diff\r\n--- a/x\r\n+++ b/x\r\n@@ -1 +1 @@\r\n-a\r\n+b\r\n```\r\n");
	cr_assert_eq(nerrors(&p), 0);
	cr_assert_str_eq(call_sarg(&p, 0, "patch"), "--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n");
	parsed_free(&p);
}

Test(dialect_diff, bullet_list_after_a_bare_diff_stays_prose)
{
	struct parsed p;

	parse_with(&p, REG_DEFS, "unified_diff",
	           "--- a/x.c\n+++ b/x.c\n@@ -1,3 +1,3 @@\n int a;\n-int b;\n+long b;\n\n"
	           "- widened b\n- kept a\n");
	cr_assert_eq(nerrors(&p), 0);
	/* The header promises one more context line than there is (a common
	 * miscount): the blank line is not taken for it. */
	cr_assert_str_eq(call_sarg(&p, 0, "patch"),
	                 "--- a/x.c\n+++ b/x.c\n@@ -1,3 +1,3 @@\n int a;\n-int b;\n+long b;\n");
	cr_assert_str_eq(message(&p), "- widened b\n- kept a");
	parsed_free(&p);
}

Test(dialect_diff, blank_context_line_inside_a_counted_hunk_is_kept)
{
	struct parsed p;

	parse_with(&p, REG_DEFS, "unified_diff",
	           "--- a/x.c\n+++ b/x.c\n@@ -1,4 +1,4 @@\n a\n\n-b\n+c\n\nThanks.\n");
	cr_assert_str_eq(call_sarg(&p, 0, "patch"),
	                 "--- a/x.c\n+++ b/x.c\n@@ -1,4 +1,4 @@\n a\n\n-b\n+c\n\n");
	cr_assert_str_eq(message(&p), "Thanks.");
	parsed_free(&p);
}

Test(dialect_diff, unprefixed_context_line_inside_a_hunk_stays_in_the_diff)
{
	struct parsed p;
	const char *text = "--- a/k.py\n+++ b/k.py\n@@ -1,4 +1,4 @@\n a = 1\n-b = 2\n+b = 20\n"
	                   "c = 3\n-d = 4\n+d = 40\n";

	parse_with(&p, REG_DEFS, "unified_diff", text);
	cr_assert_eq(nerrors(&p), 0, "%s", err_msg(&p, 0));
	cr_assert_eq(ncalls(&p), 1);
	assert_contains(call_sarg(&p, 0, "patch"), "c = 3\n-d = 4\n+d = 40\n");
	cr_assert_str_eq(message(&p), "");
	parsed_free(&p);
}
