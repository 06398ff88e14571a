/* Search/replace (Aider, OpenCode edit). */
#include "edit_testutil.h"

static char err[8192];

static char *
rep(const char *text, const char *s, const char *r, int all)
{
	struct tool_edit_out o;
	char *out = NULL;

	if (tool_edit_replace("f", text, strlen(text), s, r, all, &o, err, sizeof(err)) == 0)
		out = o.data, o.data = NULL;
	tool_edit_out_free(&o);
	return out;
}

Test(edit_replace, unique_substring_replaced)
{
	char *r = rep("int x = 1;\nint y = 2;\n", "y = 2", "y = 3", 0);
	cr_assert_str_eq(r, "int x = 1;\nint y = 3;\n");
	free(r);
}

Test(edit_replace, several_occurrences_refused_unless_all)
{
	char *r = rep("a\nb\na\n", "a\n", "c\n", 0);
	cr_assert_null(r);
	cr_assert(strstr(err, "occurs 2 times") != NULL, "%s", err);
	cr_assert(strstr(err, "lines 1 and 3") != NULL, "%s", err);
	r = rep("a\nb\na\n", "a\n", "c\n", 1);
	cr_assert_str_eq(r, "c\nb\nc\n");
	free(r);
}

Test(edit_replace, falls_back_to_line_ladder)
{
	char *r =
	    rep("def f():\n    if x:\n        g()\n", "if x:\n    g()\n", "if x:\n    h()\n", 0);
	cr_assert_str_eq(r, "def f():\n    if x:\n        h()\n");
	free(r);
}

Test(edit_replace, elision_pairs_search_and_replace)
{
	char *r = rep("a\nb\nc\nd\n", "a\n...\nd\n", "A\n...\nD\n", 0);
	cr_assert_str_eq(r, "A\nb\nc\nD\n");
	free(r);
}

Test(edit_replace, not_found_names_closest)
{
	char *r = rep("alpha = 1\nbeta = 2\n", "betta = 2\n", "beta = 3\n", 0);
	cr_assert_null(r);
	cr_assert(strstr(err, "closest") != NULL, "%s", err);
}

Test(edit_replace, empty_search_is_an_error)
{
	cr_assert_null(rep("x", "", "y", 0));
}
