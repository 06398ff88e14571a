/* Unified diff parser: headers, counts, malformed input. */
#include "edit_testutil.h"

static char err[4096];

static struct tool_patch
parse_ok(const char *t)
{
	struct tool_patch p;

	cr_assert_eq(tool_patch_parse_unified(t, strlen(t), &p, err, sizeof(err)), 0, "%s", err);
	return p;
}

Test(edit_unified, git_headers_add_delete_rename)
{
	struct tool_patch p = parse_ok(
	    "diff --git a/n.c b/n.c\nnew file mode 100644\nindex 0000000..1111111\n--- /dev/null\n"
	    "+++ b/n.c\n@@ -0,0 +1 @@\n+x\n"
	    "diff --git a/o.c b/o.c\ndeleted file mode 100644\n--- a/o.c\n+++ /dev/null\n@@ -1 "
	    "+0,0 @@\n-y\n"
	    "diff --git a/r1 b/r2\nsimilarity index 100%\nrename from r1\nrename to r2\n");
	cr_assert_eq(p.n, 3);
	cr_assert_eq(p.f[0].op, TOOL_FP_ADD);
	cr_assert_str_eq(p.f[0].path, "n.c");
	cr_assert_eq(p.f[1].op, TOOL_FP_DELETE);
	cr_assert_str_eq(p.f[1].path, "o.c");
	cr_assert_eq(p.f[2].op, TOOL_FP_UPDATE);
	cr_assert_str_eq(p.f[2].path, "r1");
	cr_assert_str_eq(p.f[2].move_to, "r2");
	tool_patch_free(&p);
}

Test(edit_unified, wrong_counts_are_recounted)
{
	struct tool_patch p = parse_ok("--- a/f\n+++ b/f\n@@ -1,9 +1,1 @@\n a\n-b\n+c\n d\n\n\n");
	cr_assert_eq(p.f[0].nhunks, 1);
	cr_assert_eq(p.f[0].hunks[0].n, 4, "trailing bare blank lines are not context");
	tool_patch_free(&p);
}

Test(edit_unified, correct_counts_end_the_hunk_before_a_dash_line)
{
	/* "--- x" inside the body is a removed "-- x" when the counts say so */
	struct tool_patch p = parse_ok("--- a/f\n+++ b/f\n@@ -1,2 +1,1 @@\n a\n--- x\n");
	cr_assert_eq(p.f[0].hunks[0].n, 2);
	cr_assert_eq(p.f[0].hunks[0].l[1].kind, EDIT_DEL);
	cr_assert_str_eq(p.f[0].hunks[0].l[1].text, "-- x");
	tool_patch_free(&p);
}

Test(edit_unified, garbled_hunk_header_has_no_line_hint)
{
	struct tool_patch p = parse_ok("--- a/f\n+++ b/f\n@@ garbage @@\n-a\n+b\n");
	cr_assert_eq(p.f[0].hunks[0].old_start, -1);
	tool_patch_free(&p);
	p = parse_ok("--- a/f\n+++ b/f\n@@ -7 +7 @@\n-a\n+b\n");
	cr_assert_eq(p.f[0].hunks[0].old_start, 7);
	tool_patch_free(&p);
}

Test(edit_unified, no_newline_marker_sets_flags)
{
	struct tool_patch p =
	    parse_ok("--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+b\n");
	cr_assert(p.f[0].hunks[0].old_no_eol);
	cr_assert(!p.f[0].hunks[0].new_no_eol);
	tool_patch_free(&p);
}

Test(edit_unified, quoted_and_timestamped_paths)
{
	struct tool_patch p = parse_ok("--- \"a/sp ace\\303\\251.txt\"\t2024-01-01\n+++ \"b/sp "
	                               "ace\\303\\251.txt\"\n@@ -1 +1 @@\n-a\n+b\n");
	cr_assert_str_eq(p.f[0].path, "sp ace\xc3\xa9.txt");
	tool_patch_free(&p);
}

Test(edit_unified, crlf_patch_lines_lose_their_cr)
{
	struct tool_patch p = parse_ok("--- a/f\r\n+++ b/f\r\n@@ -1 +1 @@\r\n-a\r\n+b\r\n");
	cr_assert_str_eq(p.f[0].path, "f");
	cr_assert_str_eq(p.f[0].hunks[0].l[0].text, "a");
	tool_patch_free(&p);
}

Test(edit_unified, rejects_binary_and_headerless_and_empty)
{
	struct tool_patch p;
	const char *bad[] = {"diff --git a/x b/x\nGIT binary patch\nliteral 1\n",
	                     "@@ -1 +1 @@\n-a\n+b\n",
	                     "",
	                     "just prose\n",
	                     "--- a/f\n+++ b/f\n",
	                     "--- /dev/null\n+++ /dev/null\n@@ -0,0 +1 @@\n+x\n"};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(tool_patch_parse_unified(bad[i], strlen(bad[i]), &p, err, sizeof(err)),
		             -1, "case %zu", i);
		cr_assert_gt(strlen(err), 10);
	}
}

Test(edit_unified, malformed_input_never_crashes)
{
	const char *junk[] = {"--- \n+++ \n@@",
	                      "@@@@\n",
	                      "--- a\n+++ b\n@@ -99999999999999999999,1 +1 @@\n-x\n",
	                      "diff --git \n",
	                      "diff --git a/\"x b/y\n--- \"a/\\\n+++ b/\n@@\n\\\n",
	                      "--- a/f\n+++ b/f\n@@ -1 +1 @@\n\\ x\n"};
	struct tool_patch p;
	size_t i;

	for (i = 0; i < sizeof(junk) / sizeof(junk[0]); i++)
		if (tool_patch_parse_unified(junk[i], strlen(junk[i]), &p, err, sizeof(err)) == 0)
			tool_patch_free(&p);
}

Test(edit_unified, context_line_without_leading_space_kept_when_counts_say_so)
{
	struct tool_patch p = parse_ok("--- a/f\n+++ b/f\n@@ -1,4 +1,4 @@\n a\n-b\n+c\nd\n-e\n+E\n");
	cr_assert_eq(p.f[0].hunks[0].n, 6);
	cr_assert_eq(p.f[0].hunks[0].l[3].kind, EDIT_CTX);
	cr_assert_str_eq(p.f[0].hunks[0].l[3].text, "d");
	tool_patch_free(&p);
	/* counts already satisfied: the line is prose after the diff */
	p = parse_ok("--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n+c\nThis fixes b.\n- and more\n");
	cr_assert_eq(p.f[0].hunks[0].n, 3);
	tool_patch_free(&p);
}
