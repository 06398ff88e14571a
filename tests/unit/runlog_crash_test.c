/* KYLECODE_CRASH_AT_STEP: a kill at every durable boundary of a run leaves
 * a directory that reopens, whose files are each whole, and whose trace
 * holds a prefix of the events with no gap. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <ftw.h>
#include <signal.h>
#include <sys/wait.h>

#include "supervisor/runlog.h"
#include "tests/unit/runlog_testutil.h"

#define RT_EVENTS 6

static struct runlog_opts
rt_opts(const char *root)
{
	struct runlog_opts o = {
	    .root_dir = root, .redact = 1, .include_raw = 1, .include_events = 1};

	return o;
}

/* What a short run writes, in the conductor's order. */
static void
rt_workload(const char *root)
{
	struct runlog_opts o = rt_opts(root);
	char err[256], rel[128];
	struct runlog *rl = runlog_create(&o, err, sizeof(err));
	cJSON *j;
	int t;

	if (rl == NULL)
		_exit(3);
	runlog_write_file(rl, "prompts/compiled_system.md", "system\n", 7);
	runlog_section_add(rl, RUNLOG_SEC_SYSTEM, 0, "system", "prompts/compiled_system.md");
	for (t = 1; t <= RT_EVENTS / 2; t++) {
		j = cJSON_CreateObject();
		cJSON_AddNumberToObject(j, "turn", t);
		snprintf(rel, sizeof(rel), "raw/requests/turn_%d.request.json", t);
		runlog_write_json(rl, rel, j);
		runlog_event(rl, "tool_dispatch", cJSON_Duplicate(j, 1));
		runlog_event(rl, "tool_result", cJSON_Duplicate(j, 1));
		runlog_section_add(rl, RUNLOG_SEC_ASSISTANT, t, "text Bearer abcdefghijklmnopq",
		                   NULL);
		runlog_flush(rl);
		cJSON_Delete(j);
	}
	runlog_close(rl);
	_exit(0);
}

static int
rt_check_file(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	const char *base = path + ftw->base;
	char *text;
	cJSON *j;

	(void)st;
	if (flag != FTW_F)
		return 0;
	cr_assert_null(strstr(base, ".kctmp"), "temp file survived reopen: %s", path);
	if (strstr(base, ".json") != NULL && strstr(base, ".jsonl") == NULL) {
		text = rt_slurp(path);
		j = cJSON_Parse(text);
		cr_assert_not_null(j, "a half-written file: %s", path);
		cJSON_Delete(j);
		free(text);
	}
	return 0;
}

static char *
rt_find_run(const char *root)
{
	DIR *d = opendir(root);
	struct dirent *e;
	char *p = NULL;

	while (d != NULL && (e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			cr_assert(asprintf(&p, "%s/%s", root, e->d_name) > 0);
	if (d != NULL)
		closedir(d);
	return p;
}

static void
rt_check_run(const char *root, int step)
{
	struct runlog_opts o = rt_opts(root);
	char *dir = rt_find_run(root), err[512];
	struct runlog *rl;
	cJSON *ev = NULL;
	int i;

	if (dir == NULL)
		return; /* killed before the directory existed */
	rl = runlog_reopen(dir, &o, &ev, err, sizeof(err));
	cr_assert_not_null(rl, "step %d: reopen failed: %s", step, err);
	for (i = 0; i < cJSON_GetArraySize(ev); i++)
		cr_assert_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(ev, i), "seq")->valueint, i + 1,
		             "step %d: gap in seq", step);
	/* The run goes on after the crash. */
	cr_assert_eq(runlog_event(rl, "resumed", NULL), 0);
	runlog_close(rl);
	nftw(dir, rt_check_file, 16, FTW_PHYS);
	cJSON_Delete(ev);
	free(dir);
}

Test(runlog_crash, every_step_leaves_a_readable_run, .timeout = 120)
{
	int step, status, killed = 0;
	pid_t pid;
	char *root;

	for (step = 1; step < 200; step++) {
		root = rt_tmpdir();
		pid = fork();
		cr_assert_neq(pid, -1);
		if (pid == 0) {
			char n[16];

			snprintf(n, sizeof(n), "%d", step);
			setenv("KYLECODE_CRASH_AT_STEP", n, 1);
			fclose(stderr); /* the crash message is expected */
			rt_workload(root);
		}
		cr_assert_eq(waitpid(pid, &status, 0), pid);
		unsetenv("KYLECODE_CRASH_AT_STEP");
		if (WIFEXITED(status)) {
			cr_assert_eq(WEXITSTATUS(status), 0);
			rt_rmrf(root);
			free(root);
			break; /* every boundary of the workload has been crashed at */
		}
		cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
		killed++;
		rt_check_run(root, step);
		rt_rmrf(root);
		free(root);
	}
	/* 1 system file, 3x(request + 2 events + 2 transcript files) = 16
	 * boundaries, plus the redaction.log appends. */
	cr_assert_geq(killed, 16, "only %d boundaries seen", killed);
}
