/* The matching ladder, ambiguity, tie-break, line endings. */
#include "edit_testutil.h"

static char err[8192];

#define HDR "--- a/f\n+++ b/f\n"

Test(edit_match, exact_match_applies)
{
	char *r = apply_unified_text("a\nb\nc\n", HDR "@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n", err,
	                             sizeof(err));
	cr_assert_str_eq(r, "a\nB\nc\n");
	free(r);
}

Test(edit_match, trailing_whitespace_ignored_and_file_lines_kept)
{
	char *r = apply_unified_text("a  \nb\nc\t\n", HDR "@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n", err,
	                             sizeof(err));
	cr_assert_str_eq(r, "a  \nB\nc\t\n");
	free(r);
}

Test(edit_match, indentation_offset_reindents_added_lines)
{
	const char *f = "class A:\n    def f(self):\n        x = 1\n        return x\n";
	char *r = apply_unified_text(
	    f, HDR "@@ -1,3 +1,4 @@\n def f(self):\n     x = 1\n+    x += 1\n     return x\n", err,
	    sizeof(err));
	cr_assert_not_null(r, "%s", err);
	cr_assert_str_eq(
	    r, "class A:\n    def f(self):\n        x = 1\n        x += 1\n        return x\n");
	free(r);
}

Test(edit_match, over_indented_hunk_is_dedented)
{
	const char *f = "def f():\n    return 1\n";
	char *r = apply_unified_text(
	    f, HDR "@@ -1,2 +1,2 @@\n     def f():\n-        return 1\n+        return 2\n", err,
	    sizeof(err));
	cr_assert_not_null(r, "%s", err);
	cr_assert_str_eq(r, "def f():\n    return 2\n");
	free(r);
}

Test(edit_match, inner_whitespace_runs_compare_equal)
{
	char *r = apply_unified_text(
	    "x  =  1\ny = 2\n", HDR "@@ -1,2 +1,2 @@\n x = 1\n-y = 2\n+y = 3\n", err, sizeof(err));
	cr_assert_str_eq(r, "x  =  1\ny = 3\n");
	free(r);
}

Test(edit_match, unicode_quotes_dashes_nbsp_fold)
{
	const char *f = "s = \"it's\"\n# a -- b\nv = 1\n";
	char *r = apply_unified_text(
	    f,
	    HDR "@@ -1,3 +1,3 @@\n s = \u201cit\u2019s\u201d\n # a\u00a0\u2014 b\n-v = 1\n+v = 2\n",
	    err, sizeof(err));
	cr_assert_not_null(r, "%s", err);
	cr_assert_str_eq(r, "s = \"it's\"\n# a -- b\nv = 2\n");
	free(r);
}

Test(edit_match, elision_skips_lines_and_keeps_them)
{
	const char *f = "def f():\n    a = 1\n    b = 2\n    c = 3\n    return a\n";
	char *r = apply_unified_text(
	    f, HDR "@@\n def f():\n ...\n-    return a\n+    return a + b\n", err, sizeof(err));
	cr_assert_not_null(r, "%s", err);
	cr_assert_str_eq(r, "def f():\n    a = 1\n    b = 2\n    c = 3\n    return a + b\n");
	free(r);
}

Test(edit_match, literal_dots_line_matches_before_elision)
{
	char *r = apply_unified_text("x\n...\ny\n", HDR "@@ -1,3 +1,3 @@\n x\n ...\n-y\n+z\n", err,
	                             sizeof(err));
	cr_assert_str_eq(r, "x\n...\nz\n");
	free(r);
}

Test(edit_match, ambiguous_context_is_refused_with_lines)
{
	char *r = apply_unified_text("x\ny\nq\nx\ny\n", HDR "@@ -30,2 +30,2 @@\n x\n-y\n+z\n", err,
	                             sizeof(err));
	cr_assert_null(r);
	cr_assert(strstr(err, "ambiguous") != NULL, "%s", err);
	cr_assert(strstr(err, "lines 1, 4") != NULL, "%s", err);
}

Test(edit_match, hint_breaks_tie_only_when_exact)
{
	char *r = apply_unified_text("x\ny\nq\nx\ny\n", HDR "@@ -4,2 +4,2 @@\n x\n-y\n+z\n", err,
	                             sizeof(err));
	cr_assert_str_eq(r, "x\ny\nq\nx\nz\n");
	free(r);
}

Test(edit_match, stale_context_is_refused_with_suggestion)
{
	char *r = apply_unified_text("alpha\nbeta gamma\ndelta\n",
	                             HDR "@@ -1,3 +1,3 @@\n alpha\n-beta gamme\n+beta\n delta\n",
	                             err, sizeof(err));
	cr_assert_null(r);
	cr_assert(strstr(err, "does not apply") != NULL, "%s", err);
	cr_assert(strstr(err, "closest lines in the file are 1-3") != NULL, "%s", err);
}

Test(edit_match, hunks_are_located_in_order)
{
	/* the second hunk's context also occurs before the first: the one
	 * after the first hunk is taken */
	char *r = apply_unified_text(
	    "k\nm\nk\nz\nk\nm\n", HDR "@@ -3,2 +3,2 @@\n k\n-z\n+Z\n@@ -5,2 +5,2 @@\n k\n-m\n+M\n",
	    err, sizeof(err));
	cr_assert_not_null(r, "%s", err);
	cr_assert_str_eq(r, "k\nm\nk\nZ\nk\nM\n");
	free(r);
}

Test(edit_match, crlf_file_keeps_crlf_for_new_lines)
{
	char *r =
	    apply_unified_text("a\r\nb\r\n", HDR "@@ -1,2 +1,3 @@\n a\n+n\n b\n", err, sizeof(err));
	cr_assert_str_eq(r, "a\r\nn\r\nb\r\n");
	free(r);
}

Test(edit_match, missing_final_newline_preserved_on_append)
{
	char *r = apply_unified_text("a\nb", HDR "@@ -1,2 +1,3 @@\n a\n b\n+c\n", err, sizeof(err));
	cr_assert_str_eq(r, "a\nb\nc");
	free(r);
}

Test(edit_match, no_newline_markers_are_followed)
{
	char *r = apply_unified_text(
	    "a\nb", HDR "@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n", err,
	    sizeof(err));
	cr_assert_str_eq(r, "a\nb\n");
	free(r);
}

Test(edit_match, pure_insertion_at_stated_line)
{
	char *r = apply_unified_text("a\nb\nc\n", HDR "@@ -1,0 +2,1 @@\n+x\n", err, sizeof(err));
	cr_assert_str_eq(r, "a\nx\nb\nc\n");
	free(r);
}

Test(edit_match, insert_into_empty_file)
{
	char *r = apply_unified_text("", HDR "@@ -0,0 +1,2 @@\n+x\n+y\n", err, sizeof(err));
	cr_assert_str_eq(r, "x\ny\n");
	free(r);
}

Test(edit_match, tabs_file_spaces_hunk_maps_indentation)
{
	char *r = apply_unified_text("if x:\n\tif y:\n\t\tf()\n",
	                             HDR "@@\n if x:\n     if y:\n-        f()\n+        g()\n",
	                             err, sizeof(err));
	cr_assert_not_null(r, "%s", err);
	cr_assert_str_eq(r, "if x:\n\tif y:\n\t\tg()\n");
	free(r);
}

Test(edit_match, normalize_levels)
{
	struct strbuf sb = STRBUF_INIT;

	tool_edit_normalize(EDIT_LEVEL_WS, "  a \t b  ", 9, &sb);
	cr_assert_str_eq(strbuf_str(&sb), "a b");
	strbuf_reset(&sb);
	tool_edit_normalize(EDIT_LEVEL_UNICODE, "\u201cx\u201d \u2013\u2014 \u2026",
	                    strlen("\u201cx\u201d \u2013\u2014 \u2026"), &sb);
	cr_assert_str_eq(strbuf_str(&sb), "\"x\" - ...");
	strbuf_free(&sb);
	cr_assert(tool_edit_is_elision("    # ... existing code ...", 27));
	cr_assert(!tool_edit_is_elision("x = 1", 5));
}

Test(edit_match, many_hunks_over_large_text)
{
	struct strbuf text = STRBUF_INIT, patch = STRBUF_INIT;
	char *r;
	int i;

	for (i = 0; i < 20000; i++)
		strbuf_addf(&text, "line %d\n}\n", i);
	strbuf_adds(&patch, HDR);
	for (i = 0; i < 20000; i += 50)
		strbuf_addf(&patch, "@@ -%d,2 +%d,2 @@\n-line %d\n+LINE %d\n }\n", 2 * i + 1,
		            2 * i + 1, i, i);
	r = apply_unified_text(strbuf_str(&text), strbuf_str(&patch), err, sizeof(err));
	cr_assert_not_null(r, "%s", err);
	cr_assert(strstr(r, "LINE 19950\n}\n") != NULL);
	cr_assert(strstr(r, "line 19951\n") != NULL);
	free(r);
	strbuf_free(&text);
	strbuf_free(&patch);
}

/* The diff of a whole-file change is a shortest edit script (Myers) and
 * applies back to give the new text; past the bound it is one region. */
static void
check_diff_roundtrip(const char *old, const char *new, int max_hunks)
{
	struct strbuf d = STRBUF_INIT;
	char *r;
	int hunks = 0;
	const char *p;

	tool_edit_diff(&d, "f", "f", old, strlen(old), new, strlen(new), NULL, 1);
	for (p = strbuf_str(&d); (p = strstr(p, "\n@@ ")) != NULL; p++)
		hunks++;
	cr_assert_leq(hunks, max_hunks, "%s", strbuf_str(&d));
	r = apply_unified_text(old, strbuf_str(&d), err, sizeof(err));
	cr_assert_not_null(r, "%s\n%s", err, strbuf_str(&d));
	cr_assert_str_eq(r, new);
	free(r);
	strbuf_free(&d);
}

Test(edit_match, whole_file_diff_is_minimal_and_applies)
{
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	int i;

	for (i = 0; i < 300; i++) {
		strbuf_addf(&a, "line %d\n", i);
		if (i == 10)
			strbuf_adds(&b, "changed 10\n");
		else if (i == 150)
			strbuf_adds(&b, "inserted\nline 150\n");
		else if (i != 280)
			strbuf_addf(&b, "line %d\n", i);
	}
	check_diff_roundtrip(strbuf_str(&a), strbuf_str(&b), 3);
	strbuf_reset(&b);
	for (i = 0; i < 600; i++) /* every line differs: beyond the bound */
		strbuf_addf(&b, "other %d\n", i);
	check_diff_roundtrip(strbuf_str(&a), strbuf_str(&b), 1);
	strbuf_free(&a);
	strbuf_free(&b);
}
