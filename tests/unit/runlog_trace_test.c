/* trace.jsonl: CRC32C, strictly increasing seq, torn tail vs corruption. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "supervisor/runlog.h"
#include "tests/unit/runlog_testutil.h"

static struct runlog_opts
rt_opts(const char *root)
{
	struct runlog_opts o = {
	    .root_dir = root, .redact = 1, .include_raw = 1, .include_events = 1};

	return o;
}

static char *
rt_trace_path(struct runlog *rl)
{
	char *p;

	cr_assert(asprintf(&p, "%s/raw/events/trace.jsonl", runlog_dir(rl)) > 0);
	return p;
}

Test(runlog_crc, matches_the_castagnoli_check_value)
{
	/* The standard check value of CRC-32C for "123456789". */
	cr_assert_eq(runlog_crc32c(0, "123456789", 9), 0xe3069283u);
	cr_assert_eq(runlog_crc32c(0, "", 0), 0u);
	/* Incremental == one shot. */
	cr_assert_eq(runlog_crc32c(runlog_crc32c(0, "1234", 4), "56789", 5), 0xe3069283u);
}

Test(runlog_trace, records_have_increasing_seq_and_valid_crc)
{
	char *root = rt_tmpdir(), err[256] = "";
	struct runlog_opts o = rt_opts(root);
	struct runlog *rl = runlog_create(&o, err, sizeof(err));
	cJSON *ev = NULL, *f;
	size_t n;
	long torn;
	int i;

	cr_assert_not_null(rl, "%s", err);
	for (i = 0; i < 5; i++) {
		f = cJSON_CreateObject();
		cJSON_AddNumberToObject(f, "i", i);
		cJSON_AddNumberToObject(f, "seq", 999); /* callers cannot forge seq */
		cr_assert_eq(runlog_event(rl, "test", f), 0);
	}
	cr_assert_eq(runlog_last_seq(rl), 5);
	char *p = rt_trace_path(rl);
	cr_assert_eq(runlog_trace_verify(p, &n, &torn, &ev, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(n, 5);
	cr_assert_eq(torn, -1);
	for (i = 0; i < 5; i++) {
		cJSON *r = cJSON_GetArrayItem(ev, i);

		cr_assert_eq(cJSON_GetObjectItem(r, "seq")->valueint, i + 1);
		cr_assert_eq(cJSON_GetObjectItem(r, "i")->valueint, i);
		cr_assert_str_eq(cJSON_GetObjectItem(r, "kind")->valuestring, "test");
	}
	cJSON_Delete(ev);
	free(p);
	runlog_close(rl);
	rt_rmrf(root);
	free(root);
}

static char *
rt_run_with_events(char **root, int n)
{
	char err[256] = "", *dir;
	struct runlog_opts o;
	struct runlog *rl;
	int i;

	*root = rt_tmpdir();
	o = rt_opts(*root);
	rl = runlog_create(&o, err, sizeof(err));
	cr_assert_not_null(rl, "%s", err);
	for (i = 0; i < n; i++)
		cr_assert_eq(runlog_event(rl, "e", NULL), 0);
	dir = strdup(runlog_dir(rl));
	runlog_close(rl);
	return dir;
}

Test(runlog_trace, torn_tail_is_truncated_on_reopen)
{
	char *root, *dir = rt_run_with_events(&root, 3), *p, err[256] = "", *text;
	struct runlog_opts o = rt_opts(root);
	struct runlog *rl;
	cJSON *ev = NULL;
	struct stat st1, st2;
	FILE *f;

	cr_assert(asprintf(&p, "%s/raw/events/trace.jsonl", dir) > 0);
	stat(p, &st1);
	f = fopen(p, "a");
	fputs("{\"seq\":4,\"ts_ms\":1,\"kind\":\"e\",\"crc3", f); /* a crash mid-write */
	fclose(f);
	rl = runlog_reopen(dir, &o, &ev, err, sizeof(err));
	cr_assert_not_null(rl, "%s", err);
	cr_assert_eq(cJSON_GetArraySize(ev), 3);
	cr_assert_eq(runlog_last_seq(rl), 3);
	stat(p, &st2);
	cr_assert_eq(st1.st_size, st2.st_size, "the torn record was not truncated");
	cr_assert_eq(runlog_event(rl, "after", NULL), 0);
	cr_assert_eq(runlog_last_seq(rl), 4);
	runlog_close(rl);
	text = rt_slurp(p);
	cr_assert_not_null(strstr(text, "\"seq\":4,"));
	cr_assert_null(strstr(text, "crc3\n"));
	free(text);
	cJSON_Delete(ev);
	free(p);
	rt_rmrf(root);
	free(root);
	free(dir);
}

Test(runlog_trace, bad_crc_on_last_line_is_a_torn_tail)
{
	char *root, *dir = rt_run_with_events(&root, 2), *p, err[256] = "", *text;
	size_t n;
	long torn;
	FILE *f;

	cr_assert(asprintf(&p, "%s/raw/events/trace.jsonl", dir) > 0);
	text = rt_slurp(p);
	text[strlen(text) - 4] ^= 1; /* flip a bit in the last CRC */
	f = fopen(p, "w");
	fputs(text, f);
	fclose(f);
	cr_assert_eq(runlog_trace_verify(p, &n, &torn, NULL, err, sizeof(err)), 0);
	cr_assert_eq(n, 1);
	cr_assert_eq((size_t)torn, strchr(text, '\n') - text + 1);
	free(text);
	free(p);
	rt_rmrf(root);
	free(root);
	free(dir);
}

Test(runlog_trace, corruption_mid_file_is_an_error_naming_file_and_offset)
{
	char *root, *dir = rt_run_with_events(&root, 3), *p, err[512] = "", *text, want[64];
	struct runlog_opts o;
	size_t n;
	long torn;
	FILE *f;
	char *second;

	cr_assert(asprintf(&p, "%s/raw/events/trace.jsonl", dir) > 0);
	text = rt_slurp(p);
	second = strchr(text, '\n') + 1;
	second[12] = (char)(second[12] == 'x' ? 'y' : 'x'); /* damage record 2 of 3 */
	f = fopen(p, "w");
	fputs(text, f);
	fclose(f);
	cr_assert_eq(runlog_trace_verify(p, &n, &torn, NULL, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "offset %ld", (long)(second - text));
	cr_assert_not_null(strstr(err, want), "%s", err);
	cr_assert_not_null(strstr(err, "trace.jsonl"), "%s", err);
	/* Reopen refuses, and leaves the file as it was. */
	o = rt_opts(root);
	cr_assert_null(runlog_reopen(dir, &o, NULL, err, sizeof(err)));
	char *after = rt_slurp(p);
	cr_assert_str_eq(after, text);
	free(after);
	free(text);
	free(p);
	rt_rmrf(root);
	free(root);
	free(dir);
}

Test(runlog_trace, a_repeated_seq_is_not_accepted)
{
	char *root, *dir = rt_run_with_events(&root, 2), *p, err[256] = "", *text;
	size_t n;
	long torn;
	FILE *f;

	cr_assert(asprintf(&p, "%s/raw/events/trace.jsonl", dir) > 0);
	text = rt_slurp(p);
	f = fopen(p, "w");
	fputs(text, f);
	fputs(text, f); /* records 1,2,1,2: a replayed write */
	fclose(f);
	cr_assert_eq(runlog_trace_verify(p, &n, &torn, NULL, err, sizeof(err)), -1);
	free(text);
	free(p);
	rt_rmrf(root);
	free(root);
	free(dir);
}

Test(runlog_trace, garbage_file_never_crashes)
{
	char *root = rt_tmpdir(), *p, err[256] = "";
	size_t n;
	long torn;
	FILE *f;
	static const char *const inputs[] = {"",
	                                     "\n",
	                                     "\n\n\n",
	                                     "{}\n",
	                                     "{\"seq\":1}\n",
	                                     ",\"crc32c\":\"\n",
	                                     ",\"crc32c\":\"zzzzzzzz\"}\n",
	                                     "{\"seq\":1,\"crc32c\":\"00000000\"}\n",
	                                     "not json at all",
	                                     NULL};
	int i;

	cr_assert(asprintf(&p, "%s/t.jsonl", root) > 0);
	for (i = 0; inputs[i] != NULL; i++) {
		f = fopen(p, "w");
		fputs(inputs[i], f);
		fclose(f);
		(void)runlog_trace_verify(p, &n, &torn, NULL, err, sizeof(err));
		cr_assert_eq(n, 0);
	}
	free(p);
	rt_rmrf(root);
	free(root);
}
