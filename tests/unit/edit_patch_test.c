/* Whole patches against a workspace: atomicity, creates, deletes, moves. */
#include "edit_testutil.h"

static cJSON *
unified(struct tws *w, const char *cfg, const char *patch)
{
	cJSON *a = cJSON_CreateObject(), *r;
	char *txt;

	cJSON_AddStringToObject(a, "patch", patch);
	txt = cJSON_PrintUnformatted(a);
	r = tws_run(w, cfg, "apply_unified_patch", txt);
	free(txt);
	cJSON_Delete(a);
	return r;
}

static cJSON *
opencode(struct tws *w, const char *patch)
{
	cJSON *a = cJSON_CreateObject(), *r;
	char *txt;

	cJSON_AddStringToObject(a, "patchText", patch);
	txt = cJSON_PrintUnformatted(a);
	r = tws_run(w, NULL, "patch", txt);
	free(txt);
	cJSON_Delete(a);
	return r;
}

Test(edit_patch, failing_hunk_leaves_every_file_untouched)
{
	struct tws w;
	cJSON *r;

	tws_init(&w);
	tws_puts(&w, "a.txt", "1\n2\n3\n");
	tws_puts(&w, "b.txt", "x\ny\n");
	r = unified(&w, NULL,
	            "--- a/a.txt\n+++ b/a.txt\n@@ -1,3 +1,3 @@\n 1\n-2\n+two\n 3\n--- "
	            "/dev/null\n+++ b/c.txt\n@@ -0,0 +1 @@\n+c\n"
	            "--- a/b.txt\n+++ b/b.txt\n@@ -1,2 +1,2 @@\n x\n-nope\n+z\n");
	cr_assert(!res_ok(r));
	cr_assert(strstr(res_str(r, "error"), "b.txt: hunk #1"), "%s", res_str(r, "error"));
	cJSON_Delete(r);
	tws_expect(&w, "a.txt", "1\n2\n3\n");
	cr_assert_null(tws_get(&w, "c.txt"));
	tws_fini(&w);
}

Test(edit_patch, rollback_when_a_rename_fails_midway)
{
	struct tws w;
	cJSON *r;

	tws_init(&w);
	tws_puts(&w, "a.txt", "a\n");
	tws_puts(&w, "b.txt", "b\n");
	tool_fs_fail_rename_at = 2;
	r = unified(&w, NULL,
	            "--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-a\n+A\n--- a/b.txt\n+++ b/b.txt\n@@ "
	            "-1 +1 @@\n-b\n+B\n");
	tool_fs_fail_rename_at = 0;
	cr_assert(!res_ok(r));
	cJSON_Delete(r);
	tws_expect(&w, "a.txt", "a\n");
	tws_expect(&w, "b.txt", "b\n");
	tws_fini(&w);
}

Test(edit_patch, create_requires_dev_null_when_policy_says)
{
	struct tws w;
	const char *p = "--- a/n.txt\n+++ b/n.txt\n@@ -0,0 +1 @@\n+n\n";
	cJSON *r;

	tws_init(&w);
	r = unified(&w, "{\"create_file_policy\":{\"unified_diff\":{\"use_dev_null\":true}}}", p);
	cr_assert(!res_ok(r));
	cr_assert(strstr(res_str(r, "error"), "/dev/null"));
	cJSON_Delete(r);
	r = unified(&w, "{}", p);
	cr_assert(res_ok(r), "%s", res_str(r, "error"));
	cJSON_Delete(r);
	tws_expect(&w, "n.txt", "n\n");
	tws_fini(&w);
}

Test(edit_patch, opencode_move_add_delete)
{
	struct tws w;
	cJSON *r;

	tws_init(&w);
	tws_puts(&w, "src/old.py", "def f():\n    return 1\n");
	tws_puts(&w, "junk.txt", "j\n");
	r = opencode(
	    &w,
	    "*** Begin Patch\n*** Update File: src/old.py\n*** Move to: lib/new.py\n@@ def f():\n- "
	    "   return 1\n"
	    "+    return 2\n*** Delete File: junk.txt\n*** Add File: README\n+hi\n*** End Patch\n");
	cr_assert(res_ok(r), "%s", res_str(r, "error"));
	cr_assert(strstr(res_str(r, "output"), "R src/old.py -> lib/new.py"), "%s",
	          res_str(r, "output"));
	cr_assert(strstr(res_str(r, "diff"), "rename from src/old.py"), "%s", res_str(r, "diff"));
	cJSON_Delete(r);
	cr_assert_null(tws_get(&w, "src/old.py"));
	cr_assert_null(tws_get(&w, "junk.txt"));
	tws_expect(&w, "lib/new.py", "def f():\n    return 2\n");
	tws_expect(&w, "README", "hi\n");
	tws_fini(&w);
}

Test(edit_patch, binary_file_not_patched)
{
	struct tws w;
	cJSON *r;

	tws_init(&w);
	tws_put(&w, "b.dat", "a\0b\n", 4);
	r = unified(&w, NULL, "--- a/b.dat\n+++ b/b.dat\n@@ -1 +1 @@\n-a\n+c\n");
	cr_assert(!res_ok(r));
	cr_assert(strstr(res_str(r, "error"), "binary"));
	cJSON_Delete(r);
	tws_fini(&w);
}

Test(edit_patch, two_sections_for_one_file_compose)
{
	struct tws w;
	cJSON *r;

	tws_init(&w);
	tws_puts(&w, "f", "a\nb\nc\n");
	r = unified(&w, NULL,
	            "--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+A\n--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n "
	            "A\n b\n-c\n+C\n");
	cr_assert(res_ok(r), "%s", res_str(r, "error"));
	cJSON_Delete(r);
	tws_expect(&w, "f", "A\nb\nC\n");
	tws_fini(&w);
}
