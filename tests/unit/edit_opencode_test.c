/* OpenCode / Codex patch parser. */
#include "edit_testutil.h"

static char err[4096];

static int
parse(const char *t, struct tool_patch *p)
{
	return tool_patch_parse_opencode(t, strlen(t), p, err, sizeof(err));
}

Test(edit_opencode, sections_and_move)
{
	struct tool_patch p;

	cr_assert_eq(parse("*** Begin Patch\n*** Add File: a.txt\n+x\n+y\n*** Delete File: "
	                   "b.txt\n*** Update File: c.txt\n"
	                   "*** Move to: d/c.txt\n@@ def f():\n-  a\n+  b\n*** End Patch\n",
	                   &p),
	             0, "%s", err);
	cr_assert_eq(p.n, 3);
	cr_assert_eq(p.f[0].op, TOOL_FP_ADD);
	cr_assert_eq(p.f[0].hunks[0].n, 2);
	cr_assert_eq(p.f[1].op, TOOL_FP_DELETE);
	cr_assert_str_eq(p.f[2].move_to, "d/c.txt");
	cr_assert_eq(p.f[2].hunks[0].nanchors, 1);
	cr_assert_str_eq(p.f[2].hunks[0].anchors[0], "def f():");
	tool_patch_free(&p);
}

Test(edit_opencode, nested_anchors_and_end_of_file)
{
	struct tool_patch p;

	cr_assert_eq(parse("*** Begin Patch\n*** Update File: m.py\n@@ class A:\n@@ def "
	                   "f(self):\n-x\n+y\n*** End of File\n"
	                   "*** End Patch",
	                   &p),
	             0, "%s", err);
	cr_assert_eq(p.f[0].nhunks, 1);
	cr_assert_eq(p.f[0].hunks[0].nanchors, 2);
	cr_assert(p.f[0].hunks[0].at_eof);
	tool_patch_free(&p);
}

Test(edit_opencode, heredoc_and_padding_accepted)
{
	struct tool_patch p;

	cr_assert_eq(parse("apply_patch <<'EOF'\n  *** Begin Patch \n  *** Update File: "
	                   "f\n@@\n-a\n+b\n *** End Patch\nEOF\n",
	                   &p),
	             0, "%s", err);
	cr_assert_str_eq(p.f[0].path, "f");
	tool_patch_free(&p);
}

Test(edit_opencode, blank_line_is_empty_context)
{
	struct tool_patch p;

	cr_assert_eq(
	    parse("*** Begin Patch\n*** Update File: f\n@@\n a\n\n-b\n*** End Patch\n", &p), 0,
	    "%s", err);
	cr_assert_eq(p.f[0].hunks[0].n, 3);
	cr_assert_str_eq(p.f[0].hunks[0].l[1].text, "");
	tool_patch_free(&p);
}

Test(edit_opencode, errors_name_the_line)
{
	struct tool_patch p;

	cr_assert_eq(parse("no patch here", &p), -1);
	cr_assert(strstr(err, "Begin Patch"));
	cr_assert_eq(parse("*** Begin Patch\n*** End Patch\n", &p), -1);
	cr_assert(strstr(err, "empty"));
	cr_assert_eq(parse("*** Begin Patch\n*** Frob File: x\n*** End Patch\n", &p), -1);
	cr_assert(strstr(err, "patch line 2"), "%s", err);
	cr_assert_eq(parse("*** Begin Patch\n*** Update File: x\n*** End Patch\n", &p), -1);
	cr_assert_eq(parse("*** Begin Patch\n*** Add File: x\nno plus\n*** End Patch\n", &p), -1);
	cr_assert(strstr(err, "patch line 3"), "%s", err);
	cr_assert_eq(parse("*** Begin Patch\n*** Update File: x\n@@\n-a\n", &p), -1);
	cr_assert(strstr(err, "End Patch"));
	cr_assert_eq(
	    parse("*** Begin Patch\n*** Update File: x\n@@\n-a\n?? bad\n*** End Patch\n", &p), -1);
	cr_assert(strstr(err, "unexpected line"), "%s", err);
	cr_assert_eq(parse("*** Begin Patch\n*** Add File: \n+x\n*** End Patch\n", &p), -1);
}

Test(edit_opencode, malformed_input_never_crashes)
{
	const char *junk[] = {"*** Begin Patch", "*** Begin Patch\n***",
	                      "*** Begin Patch\n*** Update File:\n@@\n@@\n@@",
	                      "*** Begin Patch\n*** Update File: a\n*** Move to:\n*** End Patch",
	                      "\r\n\r\n*** Begin Patch\r\n"};
	struct tool_patch p;
	size_t i;

	for (i = 0; i < sizeof(junk) / sizeof(junk[0]); i++)
		if (parse(junk[i], &p) == 0)
			tool_patch_free(&p);
}

Test(edit_opencode, shortened_anchor_matches_line_prefix)
{
	struct tool_patch p;
	struct tool_edit_out o;
	const char *f = "class Foo(Base):\n    x = 1\nclass Bar(Base):\n    x = 1\n";

	cr_assert_eq(parse("*** Begin Patch\n*** Update File: m.py\n@@ class Bar\n-    x = 1\n+    "
	                   "x = 2\n*** End Patch\n",
	                   &p),
	             0);
	cr_assert_eq(tool_edit_apply_hunks("m.py", f, strlen(f), p.f[0].hunks, p.f[0].nhunks, &o,
	                                   err, sizeof(err)),
	             0, "%s", err);
	cr_assert_str_eq(o.data, "class Foo(Base):\n    x = 1\nclass Bar(Base):\n    x = 2\n");
	tool_edit_out_free(&o);
	tool_patch_free(&p);
}
