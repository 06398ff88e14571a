/* Request deadlines in worker-tools (DESIGN §1: every request has one): a
 * directory walk (list, glob, grep) stops at the deadline and says the
 * result is partial; a call that has not started by then is not run,
 * least of all a write; without a deadline nothing changes. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "lib/core/clock.h"
#include "worker-tools/handlers.h"
#include "worker-tools/tools.h"

#define TD_FILES 300

static char td_dir[64];
static int td_fd = -1;
static struct tool_server *td_ts;

static void
td_setup(void)
{
	char path[128];
	cJSON *cfg, *reply = NULL;
	const char *code;
	char err[256];
	int i, fd;

	strcpy(td_dir, "/tmp/kc-deadline-test.XXXXXX");
	cr_assert_not_null(mkdtemp(td_dir));
	snprintf(path, sizeof path, "%s/src", td_dir);
	cr_assert_eq(mkdir(path, 0755), 0);
	for (i = 0; i < TD_FILES; i++) {
		snprintf(path, sizeof path, "%s/src/f%03d.c", td_dir, i);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		cr_assert(fd >= 0);
		cr_assert_eq(write(fd, "needle\n", 7), 7);
		close(fd);
	}
	td_fd = open(td_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cr_assert(td_fd >= 0);
	td_ts = tool_server_new(td_fd, td_dir);
	cfg = cJSON_Parse("{\"tools\": [{\"name\": \"glob\"}, {\"name\": \"grep\"}, {\"name\": \"list\"},"
	                  " {\"name\": \"write\"}]}");
	cr_assert_eq(tool_do_configure(td_ts, cfg, &reply, &code, err, sizeof err), 0, "%s", err);
	cJSON_Delete(reply);
	cJSON_Delete(cfg);
}

static void
td_teardown(void)
{
	char cmd[128];

	tool_server_free(td_ts);
	close(td_fd);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", td_dir);
	cr_expect_eq(system(cmd), 0);
}

/* TOOLS_EXEC of one call with a deadline; returns the reply. */
static cJSON *
td_exec(const char *call_json, int64_t deadline_ms)
{
	cJSON *body = cJSON_CreateObject(), *reply = NULL;
	const char *code;
	char err[256];

	cJSON_AddItemToObject(body, "call", cJSON_Parse(call_json));
	cr_assert_eq(tool_do_exec(td_ts, body, deadline_ms, &reply, &code, err, sizeof err), 0, "%s", err);
	cJSON_Delete(body);
	cr_assert_not_null(reply);
	return reply;
}

static const char *
td_str(const cJSON *r, const char *k)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItem(r, k));

	return s ? s : "";
}

static int
td_count(const char *s, const char *needle)
{
	int n = 0;

	while ((s = strstr(s, needle)) != NULL) {
		n++;
		s += strlen(needle);
	}
	return n;
}

TestSuite(tools_deadline, .init = td_setup, .fini = td_teardown);

Test(tools_deadline, no_deadline_walks_everything)
{
	cJSON *r = td_exec("{\"id\": \"1\", \"name\": \"grep\", \"args\": {\"pattern\": \"needle\"}}", 0);

	cr_expect(strstr(td_str(r, "output"), "Found 100 matches") != NULL, "%s", td_str(r, "output"));
	cr_expect_null(strstr(td_str(r, "output"), "time budget"));
	cJSON_Delete(r);
	r = td_exec("{\"id\": \"2\", \"name\": \"list\", \"args\": {}}", kc_mono_ms() + 60000);
	cr_expect_eq(td_count(td_str(r, "output"), ".c\n"), TD_FILES);
	cr_expect_null(strstr(td_str(r, "output"), "time budget"));
	cJSON_Delete(r);
}

/* A deadline that has passed by the walk's first clock read (at its
 * first entry): the walk stops at once and the tool says the result is
 * partial (still ok: what it found is true). */
Test(tools_deadline, walks_stop_at_the_deadline_and_say_so)
{
	static const char *const calls[][2] = {
	    {"grep", "{\"pattern\": \"needle\"}"},
	    {"glob", "{\"pattern\": \"**/*.c\"}"},
	    {"list", "{}"},
	};
	struct tool_ctx ctx = {td_fd, td_dir, NULL, 1};
	cJSON *args, *res;
	size_t i;

	for (i = 0; i < sizeof calls / sizeof calls[0]; i++) {
		args = cJSON_Parse(calls[i][1]);
		res = NULL;
		cr_assert_eq(tool_run(&ctx, calls[i][0], args, &res), 0);
		cr_expect(strstr(td_str(res, "output"), "time budget ran out; the results are partial") != NULL,
		          "%s: %s", calls[i][0], td_str(res, "output"));
		cr_expect(cJSON_IsTrue(cJSON_GetObjectItem(res, "ok")), "%s", calls[i][0]);
		cr_expect(strstr(td_str(res, "output"), "f299.c") == NULL, "%s: a late walk went on", calls[i][0]);
		cJSON_Delete(res);
		cJSON_Delete(args);
	}
}

Test(tools_deadline, late_calls_are_not_run)
{
	char path[128];
	cJSON *r = td_exec("{\"id\": \"w1\", \"name\": \"write\", \"args\": {\"filePath\": \"late.txt\","
	                   " \"content\": \"x\"}}",
	                   kc_mono_ms() - 1);

	cr_expect(cJSON_IsFalse(cJSON_GetObjectItem(r, "ok")));
	cr_expect(strstr(td_str(r, "error"), "deadline had passed") != NULL, "%s", td_str(r, "error"));
	cr_expect_str_eq(td_str(r, "id"), "w1");
	cJSON_Delete(r);
	snprintf(path, sizeof path, "%s/late.txt", td_dir);
	cr_expect_neq(access(path, F_OK), 0, "a late write was run");
	/* the same write in time is run */
	r = td_exec("{\"id\": \"w2\", \"name\": \"write\", \"args\": {\"filePath\": \"late.txt\","
	            " \"content\": \"x\"}}",
	            kc_mono_ms() + 60000);
	cr_expect(cJSON_IsTrue(cJSON_GetObjectItem(r, "ok")), "%s", td_str(r, "error"));
	cJSON_Delete(r);
	cr_expect_eq(access(path, F_OK), 0);
}
