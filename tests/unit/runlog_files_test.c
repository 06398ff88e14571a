/* Run directory layout, whole-file writes, the transcript, retention. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <sys/stat.h>

#include "supervisor/runlog.h"
#include "tests/unit/runlog_testutil.h"

static struct runlog *
rt_create(const char *root, int max_runs)
{
	struct runlog_opts o = {.root_dir = root,
	                        .redact = 1,
	                        .include_raw = 1,
	                        .include_events = 1,
	                        .max_runs = max_runs};
	char err[256] = "";
	struct runlog *rl = runlog_create(&o, err, sizeof(err));

	cr_assert_not_null(rl, "%s", err);
	return rl;
}

static int
rt_isdir(const char *dir, const char *rel)
{
	char p[1024];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

Test(runlog_files, creates_the_logging_v2_layout_named_by_time_and_id)
{
	char *root = rt_tmpdir();
	struct runlog *rl = rt_create(root, 0);
	const char *dir = runlog_dir(rl), *base = strrchr(dir, '/') + 1;
	static const char *const dirs[] = {"conversation",
	                                   "raw/requests",
	                                   "raw/responses",
	                                   "raw/events",
	                                   "prompts/per_turn",
	                                   "prompts/catalogs",
	                                   "provider_native/tools_provided",
	                                   "provider_native/tool_calls",
	                                   "provider_native/tool_results",
	                                   "artifacts/tool_results",
	                                   "artifacts/diffs",
	                                   "meta"};
	size_t i;

	cr_assert_eq(strlen(base), 22, "%s", base);
	cr_assert_eq(base[8], '-');
	cr_assert_eq(base[15], '_');
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		cr_assert(rt_isdir(dir, dirs[i]), "missing %s", dirs[i]);
	runlog_close(rl);
	rt_rmrf(root);
	free(root);
}

Test(runlog_files, whole_file_write_creates_parents_and_leaves_no_temp)
{
	char *root = rt_tmpdir(), p[1024], *text;
	struct runlog *rl = rt_create(root, 0);
	cJSON *j = cJSON_CreateObject();
	DIR *d;
	struct dirent *e;

	cJSON_AddStringToObject(j, "k", "v");
	cr_assert_eq(runlog_write_json(rl, "artifacts/diffs/turn_3/001_a.patch.json", j), 0);
	cr_assert_eq(runlog_write_file(rl, "prompts/compiled_system.md", "hello\n", 6), 0);
	cr_assert_eq(runlog_write_file(rl, "prompts/compiled_system.md", "again\n", 6), 0);
	snprintf(p, sizeof(p), "%s/prompts/compiled_system.md", runlog_dir(rl));
	text = rt_slurp(p);
	cr_assert_str_eq(text, "again\n");
	free(text);
	snprintf(p, sizeof(p), "%s/prompts", runlog_dir(rl));
	d = opendir(p);
	while ((e = readdir(d)) != NULL)
		cr_assert_null(strstr(e->d_name, "kctmp"), "temp file left: %s", e->d_name);
	closedir(d);
	/* Paths outside the run directory are refused. */
	cr_assert_eq(runlog_write_file(rl, "../escape.txt", "x", 1), -1);
	cr_assert_not_null(runlog_last_error(rl));
	cJSON_Delete(j);
	runlog_close(rl);
	rt_rmrf(root);
	free(root);
}

Test(runlog_files, transcript_has_the_exact_section_headers_and_links)
{
	char *root = rt_tmpdir(), p[1024], *md, *idx;
	struct runlog *rl = rt_create(root, 0);
	static const char *const heads[] = {"## System\n",
	                                    "## User\n",
	                                    "## Tools Available Prompt\n",
	                                    "## Tools Provided via Provider API Tool Schema\n",
	                                    "## Model Called Provider Schema-Native Tools\n",
	                                    "## Provider Schema-Native Tool Call Results\n",
	                                    "## Assistant\n",
	                                    "## Tool Results (Text-Based Execution)\n"};
	int s;
	cJSON *ij;

	for (s = RUNLOG_SEC_SYSTEM; s <= RUNLOG_SEC_TOOL_RESULTS; s++)
		runlog_section_add(rl, (enum runlog_section)s, s == 0 ? 0 : 1,
		                   s == 1 ? "## not a header\n```\nfenced\n```\n" : "body",
		                   s == 0 ? "prompts/compiled_system.md"
		                          : "raw/requests/turn_1.request.json");
	cr_assert_eq(runlog_flush(rl), 0);
	snprintf(p, sizeof(p), "%s/conversation/conversation.md", runlog_dir(rl));
	md = rt_slurp(p);
	for (s = 0; s < 8; s++)
		cr_assert_not_null(strstr(md, heads[s]), "missing %s", heads[s]);
	cr_assert_not_null(
	    strstr(md, "[prompts/compiled_system.md](../prompts/compiled_system.md)"));
	/* A body cannot forge a header: it sits in a longer fence. */
	cr_assert_not_null(strstr(md, "````text\n## not a header\n"));
	snprintf(p, sizeof(p), "%s/conversation/index.json", runlog_dir(rl));
	idx = rt_slurp(p);
	ij = cJSON_Parse(idx);
	cr_assert_eq(cJSON_GetArraySize(ij), 8);
	cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(ij, 6), "section")->valuestring,
	                 "Assistant");
	/* md_offset points at the section's own header. */
	cr_assert_eq(
	    strncmp(md + cJSON_GetObjectItem(cJSON_GetArrayItem(ij, 6), "md_offset")->valueint,
	            "## Assistant\n", 13),
	    0);
	cJSON_Delete(ij);
	free(idx);
	free(md);
	runlog_close(rl);
	rt_rmrf(root);
	free(root);
}

Test(runlog_files, reopen_appends_to_the_transcript)
{
	char *root = rt_tmpdir(), p[1024], *md, *dir, err[256] = "";
	struct runlog *rl = rt_create(root, 0);
	struct runlog_opts o = {.root_dir = root, .redact = 1, .include_events = 1};

	runlog_section_add(rl, RUNLOG_SEC_USER, 1, "first", NULL);
	dir = strdup(runlog_dir(rl));
	runlog_close(rl);
	rl = runlog_reopen(dir, &o, NULL, err, sizeof(err));
	cr_assert_not_null(rl, "%s", err);
	runlog_section_add(rl, RUNLOG_SEC_ASSISTANT, 2, "second", NULL);
	runlog_close(rl);
	snprintf(p, sizeof(p), "%s/conversation/conversation.md", dir);
	md = rt_slurp(p);
	cr_assert(strstr(md, "first") != NULL && strstr(md, "second") != NULL, "%s", md);
	cr_assert(strstr(md, "first") < strstr(md, "second"));
	free(md);
	free(dir);
	rt_rmrf(root);
	free(root);
}

Test(runlog_files, reopen_refuses_a_directory_that_is_not_a_run)
{
	char *root = rt_tmpdir(), err[256] = "";
	struct runlog_opts o = {.root_dir = root};

	cr_assert_null(runlog_reopen(root, &o, NULL, err, sizeof(err)));
	cr_assert_not_null(strstr(err, "not a kylecode run directory"), "%s", err);
	rt_rmrf(root);
	free(root);
}

Test(runlog_files, retention_keeps_the_newest_runs_and_nothing_else_is_touched)
{
	char *root = rt_tmpdir(), p[1024];
	struct runlog *rl;
	struct stat st;
	int i, n = 0;
	DIR *d;
	struct dirent *e;

	snprintf(p, sizeof(p), "%s/20000101-000000_000000", root); /* old, but not a run */
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/20000101-000001_000001", root); /* an old run */
	mkdir(p, 0755);
	strcat(p, "/meta");
	mkdir(p, 0755);
	rl = rt_create(root, 1);
	runlog_close(rl);
	snprintf(p, sizeof(p), "%s/20000101-000001_000001", root);
	cr_assert_neq(stat(p, &st), 0, "the old run was kept");
	snprintf(p, sizeof(p), "%s/20000101-000000_000000", root);
	cr_assert_eq(stat(p, &st), 0, "a directory without meta/ was deleted");
	d = opendir(root);
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	cr_assert_eq(n, 2);
	for (i = 0; i < 2; i++)
		runlog_close(rt_create(root, 2));
	rt_rmrf(root);
	free(root);
}
