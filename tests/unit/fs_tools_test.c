/* Every tool through tool_run: parameters as the reference defs name them. */
#include "edit_testutil.h"
#include "worker-tools/fs/fs_tools.h"

Test(fs_tools, read_oc_numbers_lines_and_pages)
{
	struct tws w;
	cJSON *r;

	tws_init(&w);
	tws_puts(&w, "f.txt", "a\nb\r\nc\n");
	r = tws_run(&w, NULL, "read", "{\"filePath\":\"f.txt\"}");
	cr_assert(res_ok(r));
	cr_assert_str_eq(res_str(r, "output"), "<file>\n00001| a\n00002| b\n00003| c\n</file>");
	cJSON_Delete(r);
	r = tws_run(&w, NULL, "read", "{\"filePath\":\"f.txt\",\"offset\":1,\"limit\":1}");
	cr_assert(strstr(res_str(r, "output"), "00002| b\n"));
	cr_assert(strstr(res_str(r, "output"), "beyond line 2"));
	cJSON_Delete(r);
	tws_fini(&w);
}

Test(fs_tools, read_file_offset_limit_lines)
{
	struct tws w;
	cJSON *r;

	tws_init(&w);
	tws_puts(&w, "f.txt", "1\n2\n3\n4\n");
	r = tws_run(&w, NULL, "read_file", "{\"path\":\"f.txt\",\"offset\":2,\"limit\":2}");
	cr_assert_str_eq(res_str(r, "output"), "2\n3\n");
	cJSON_Delete(r);
	tws_fini(&w);
}

Test(fs_tools, read_binary_reported_not_shown)
{
	struct tws w;
	cJSON *r;

	tws_init(&w);
	tws_put(&w, "b.bin",
	        "\x7f"
	        "ELF\0\0\1",
	        7);
	r = tws_run(&w, NULL, "read_file", "{\"path\":\"b.bin\"}");
	cr_assert(!res_ok(r));
	cr_assert(strstr(res_str(r, "error"), "binary file (7 bytes"), "%s", res_str(r, "error"));
	cJSON_Delete(r);
	tws_fini(&w);
}

Test(fs_tools, list_dir_and_list_ignore)
{
	struct tws w;
	cJSON *r;

	tws_init(&w);
	tws_puts(&w, "src/a.c", "");
	tws_puts(&w, "node_modules/x.js", "");
	tws_puts(&w, "build.log", "");
	r = tws_run(&w, NULL, "list_dir", "{\"path\":\".\",\"depth\":2}");
	cr_assert(strstr(res_str(r, "output"), "  src/\n    a.c\n"), "%s", res_str(r, "output"));
	cr_assert(strstr(res_str(r, "output"), "node_modules/"));
	cJSON_Delete(r);
	r = tws_run(&w, NULL, "list", "{\"ignore\":[\"*.log\"]}");
	cr_assert(strstr(res_str(r, "output"), "a.c"));
	cr_assert_null(strstr(res_str(r, "output"), "node_modules"));
	cr_assert_null(strstr(res_str(r, "output"), "build.log"));
	cJSON_Delete(r);
	tws_fini(&w);
}

Test(fs_tools, glob_braces_and_double_star)
{
	struct tws w;
	cJSON *r;

	tws_init(&w);
	tws_puts(&w, "a/b/c.ts", "");
	tws_puts(&w, "a/d.tsx", "");
	tws_puts(&w, "e.js", "");
	r = tws_run(&w, NULL, "glob", "{\"pattern\":\"**/*.{ts,tsx}\"}");
	cr_assert(strstr(res_str(r, "output"), "a/b/c.ts"));
	cr_assert(strstr(res_str(r, "output"), "a/d.tsx"));
	cr_assert_null(strstr(res_str(r, "output"), "e.js"));
	cJSON_Delete(r);
	cr_assert(tool_fs_glob_match("src/**/x.c", "src/x.c"));
	cr_assert(tool_fs_glob_match("src/*/x.c", "src/a/x.c"));
	cr_assert(!tool_fs_glob_match("src/*/x.c", "src/a/b/x.c"));
	cr_assert(tool_fs_glob_match("[a-c]?.txt", "d/b1.txt"));
	tws_fini(&w);
}

Test(fs_tools, grep_posix_regex_with_include)
{
	struct tws w;
	cJSON *r;

	tws_init(&w);
	tws_puts(&w, "a.c", "int main(void)\n{\n\treturn 0;\n}\n");
	tws_puts(&w, "b.h", "int main_like;\n");
	r = tws_run(&w, NULL, "grep", "{\"pattern\":\"ma(in|x)\\\\(\",\"include\":\"*.c\"}");
	cr_assert(res_ok(r));
	cr_assert(strstr(res_str(r, "output"), "Found 1 matches"), "%s", res_str(r, "output"));
	cr_assert(strstr(res_str(r, "output"), "a.c:\n  Line 1: int main(void)"));
	cJSON_Delete(r);
	r = tws_run(&w, NULL, "grep", "{\"pattern\":\"(\"}");
	cr_assert(!res_ok(r));
	cJSON_Delete(r);
	r = tws_run(&w, NULL, "grep", "{\"pattern\":\"(a*)*\\\\1\"}");
	cr_assert(!res_ok(r));
	cr_assert(strstr(res_str(r, "error"), "backreferences"), "%s", res_str(r, "error"));
	cJSON_Delete(r);
	r = tws_run(&w, NULL, "grep", "{\"pattern\":\"\\\\(void\"}");
	cr_assert(res_ok(r), "an escaped parenthesis is fine");
	cJSON_Delete(r);
	tws_fini(&w);
}

Test(fs_tools, write_and_edit_return_diffs)
{
	struct tws w;
	cJSON *r;
	char args[512];

	tws_init(&w);
	snprintf(args, sizeof(args),
	         "{\"filePath\":\"%s/n/x.py\",\"content\":\"a = 1\\nb = 2\\n\"}", w.path);
	r = tws_run(&w, NULL, "write", args);
	cr_assert(res_ok(r), "%s", res_str(r, "error"));
	cr_assert_str_eq(
	    cJSON_GetArrayItem(cJSON_GetObjectItem(r, "changed_files"), 0)->valuestring, "n/x.py");
	cJSON_Delete(r);
	r = tws_run(&w, NULL, "edit",
	            "{\"filePath\":\"n/x.py\",\"oldString\":\"b = 2\",\"newString\":\"b = 3\"}");
	cr_assert(res_ok(r), "%s", res_str(r, "error"));
	cr_assert(strstr(res_str(r, "diff"), "-b = 2\n+b = 3\n"), "%s", res_str(r, "diff"));
	cJSON_Delete(r);
	tws_expect(&w, "n/x.py", "a = 1\nb = 3\n");
	r = tws_run(&w, NULL, "edit",
	            "{\"filePath\":\"n/x.py\",\"oldString\":\"a\",\"newString\":\"a\"}");
	cr_assert(!res_ok(r));
	cJSON_Delete(r);
	tws_fini(&w);
}

Test(fs_tools, create_file_touches_and_create_from_block_writes)
{
	struct tws w;
	cJSON *r;

	tws_init(&w);
	tws_puts(&w, "keep.txt", "content");
	r = tws_run(&w, NULL, "create_file", "{\"path\":\"keep.txt\"}");
	cr_assert(res_ok(r));
	cJSON_Delete(r);
	tws_expect(&w, "keep.txt", "content");
	r = tws_run(&w, NULL, "create_file", "{\"path\":\"empty.txt\"}");
	cJSON_Delete(r);
	tws_expect(&w, "empty.txt", "");
	r = tws_run(&w, NULL, "create_file_from_block",
	            "{\"file_name\":\"b/c.txt\",\"content\":\"hi\\n\"}");
	cJSON_Delete(r);
	tws_expect(&w, "b/c.txt", "hi\n");
	tws_fini(&w);
}

Test(fs_tools, search_replace_create_append_and_policy)
{
	struct tws w;
	cJSON *r;

	tws_init(&w);
	r = tws_run(&w, NULL, "apply_search_replace",
	            "{\"file_name\":\"n.py\",\"search\":\"\",\"replace\":\"x = 1\\n\"}");
	cr_assert(res_ok(r));
	cJSON_Delete(r);
	r = tws_run(&w, NULL, "apply_search_replace",
	            "{\"file_name\":\"n.py\",\"search\":\"\",\"replace\":\"y = 2\\n\"}");
	cJSON_Delete(r);
	tws_expect(&w, "n.py", "x = 1\ny = 2\n");
	r = tws_run(
	    &w,
	    "{\"create_file_policy\":{\"aider_search_replace\":{\"prefer_write_file_tool\":true}}}",
	    "apply_search_replace", "{\"file_name\":\"m.py\",\"search\":\"\",\"replace\":\"z\"}");
	cr_assert(!res_ok(r));
	cr_assert(strstr(res_str(r, "error"), "create_file_from_block"));
	cJSON_Delete(r);
	tws_fini(&w);
}

Test(fs_tools, aliases_follow_the_arguments)
{
	struct tws w;
	const char *cfg =
	    "{\"aliases\":{\"edit\":\"apply_search_replace\",\"patch\":\"apply_unified_patch\"}}";
	cJSON *r;

	tws_init(&w);
	tws_puts(&w, "f.txt", "one\ntwo\n");
	r = tws_run(&w, cfg, "edit",
	            "{\"file_name\":\"f.txt\",\"search\":\"two\",\"replace\":\"2\"}");
	cr_assert(res_ok(r), "%s", res_str(r, "error"));
	cJSON_Delete(r);
	r = tws_run(&w, cfg, "edit",
	            "{\"filePath\":\"f.txt\",\"oldString\":\"one\",\"newString\":\"1\"}");
	cr_assert(res_ok(r), "%s", res_str(r, "error"));
	cJSON_Delete(r);
	r = tws_run(
	    &w, cfg, "patch",
	    "{\"patch\":\"--- a/f.txt\\n+++ b/f.txt\\n@@ -1,2 +1,2 @@\\n 1\\n-2\\n+3\\n\"}");
	cr_assert(res_ok(r), "%s", res_str(r, "error"));
	cJSON_Delete(r);
	tws_expect(&w, "f.txt", "1\n3\n");
	tws_fini(&w);
}

Test(fs_tools, other_tools_are_honest)
{
	struct tws w;
	cJSON *r;

	tws_init(&w);
	r = tws_run(&w, NULL, "mark_task_complete", "{}");
	cr_assert(res_ok(r));
	cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(r, "complete")));
	cJSON_Delete(r);
	r = tws_run(&w, NULL, "lsp-diagnostics", "{}");
	cr_assert(strstr(res_str(r, "output"), "No LSP server"));
	cJSON_Delete(r);
	r = tws_run(&w, NULL, "webfetch", "{\"url\":\"https://example.com\"}");
	cr_assert(!res_ok(r));
	cr_assert(strstr(res_str(r, "error"), "allow_network_tools is false"));
	cJSON_Delete(r);
	r = tws_run(&w, "{\"allow_network_tools\":true}", "webfetch",
	            "{\"url\":\"https://example.com\"}");
	cr_assert(!res_ok(r));
	cr_assert(strstr(res_str(r, "error"), "not available in this worker"));
	cJSON_Delete(r);
	r = tws_run(&w, NULL, "task", "{\"description\":\"do x\"}");
	cr_assert(res_ok(r));
	cr_assert(strstr(res_str(r, "output"), "do x"));
	cJSON_Delete(r);
	r = tws_run(&w, NULL, "nope", "{}");
	cr_assert(!res_ok(r));
	cJSON_Delete(r);
	r = tws_run(&w, NULL, "read_file", "{\"path\":3}");
	cr_assert(!res_ok(r));
	cr_assert(strstr(res_str(r, "error"), "must be a string"));
	cJSON_Delete(r);
	tws_fini(&w);
}

Test(fs_tools, replies_are_valid_utf8_and_bounded)
{
	struct tws w;
	struct strbuf big = STRBUF_INIT;
	cJSON *a, *r;
	char *txt;
	int i;

	tws_init(&w);
	tws_puts(&w, "latin1.txt", "caf\xe9\n");
	r = tws_run(&w, NULL, "read_file", "{\"path\":\"latin1.txt\"}");
	cr_assert_str_eq(res_str(r, "output"), "caf\xef\xbf\xbd\n");
	cJSON_Delete(r);
	for (i = 0; i < 200000; i++)
		strbuf_addf(&big, "line %d of a big generated file\n", i);
	a = cJSON_CreateObject();
	cJSON_AddStringToObject(a, "filePath", "big.txt");
	cJSON_AddStringToObject(a, "content", strbuf_str(&big));
	txt = cJSON_PrintUnformatted(a);
	r = tws_run(&w, NULL, "write", txt);
	cr_assert(res_ok(r));
	cr_assert_lt(strlen(res_str(r, "diff")), 1100 * 1024);
	cr_assert(strstr(res_str(r, "diff"), "more bytes not shown"));
	cJSON_Delete(r);
	free(txt);
	cJSON_Delete(a);
	strbuf_free(&big);
	tws_fini(&w);
}

Test(fs_tools, missing_file_suggests_similar_names)
{
	struct tws w;
	cJSON *r;

	tws_init(&w);
	tws_puts(&w, "src/Main.py", "");
	tws_puts(&w, "src/main.c", "");
	tws_puts(&w, "src/other.txt", "");
	r = tws_run(&w, NULL, "read", "{\"filePath\":\"src/main.py\"}");
	cr_assert(!res_ok(r));
	cr_assert(strstr(res_str(r, "error"), "did you mean src/Main.py, src/main.c?"), "%s",
	          res_str(r, "error"));
	cJSON_Delete(r);
	tws_fini(&w);
}

Test(fs_tools, pathological_glob_is_bounded, .timeout = 10)
{
	char name[256];

	memset(name, 'a', 200);
	name[200] = '\0';
	cr_assert(!tool_fs_glob_match("*a*a*a*a*a*a*a*a*a*a*a*a*b", name));
	cr_assert(tool_fs_glob_match("*a*a*a", name));
}
