/* Drives the real kylecode-tools binary over IPC (started by the
 * supervisor's process manager, confined as in production): CONFIGURE,
 * PARSE, EXEC of file tools, and the refusals. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "supervisor/proc.h"

/* The reference defs/ tools (as lib/tpsl normalizes them) and base_v2's
 * concurrency section. */
static const char CONFIG[] =
    "{\"tools\":["
    "{\"name\":\"read_file\",\"blocking\":false,\"parameters\":[{\"name\":\"path\",\"required\":"
    "true},"
    "{\"name\":\"offset\"},{\"name\":\"limit\"}]},"
    "{\"name\":\"list_dir\",\"blocking\":false,\"parameters\":[{\"name\":\"path\",\"required\":"
    "true},"
    "{\"name\":\"depth\"}]},"
    "{\"name\":\"create_file_from_block\",\"blocking\":true,\"parameters\":[{\"name\":\"file_"
    "name\","
    "\"required\":true},{\"name\":\"content\",\"required\":true}]},"
    "{\"name\":\"apply_unified_patch\",\"blocking\":true,\"parameters\":[{\"name\":\"patch\","
    "\"required\":true}]},"
    "{\"name\":\"run_shell\",\"blocking\":true,\"max_per_turn\":1,\"parameters\":[{\"name\":"
    "\"command\","
    "\"required\":true}]},"
    "{\"name\":\"webfetch\",\"blocking\":false,\"parameters\":[{\"name\":\"url\",\"required\":true}"
    "]}],"
    "\"aliases\":{\"patch\":\"apply_unified_patch\"},"
    "\"concurrency\":{\"groups\":[{\"name\":\"fs_reads\",\"match_tools\":[\"read_file\",\"list_"
    "dir\"],"
    "\"max_parallel\":2}],\"nonblocking_tools\":[\"read_file\",\"list_dir\"]},"
    "\"allow_network_tools\":false}";

static struct sup *sup;
static char ws[64];

static void
start(int configure)
{
	struct sup_opts o = {0};
	char err[512];
	cJSON *cfg;

	strcpy(ws, "/tmp/kc_tools_it_XXXXXX");
	cr_assert_not_null(mkdtemp(ws));
	o.workspace = ws;
	sup = sup_start(SUP_ROLE_BIT(SUP_TOOLS), &o, err, sizeof(err));
	cr_assert_not_null(sup, "sup_start: %s", err);
	if (configure) {
		cfg = cJSON_Parse(CONFIG);
		sup_set_init_msg(sup, SUP_TOOLS, IPC_T_TOOLS_CONFIGURE, cfg);
		cJSON_Delete(cfg);
	}
}

static void
stop(void)
{
	char cmd[128];

	sup_stop(sup);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", ws);
	cr_assert_eq(system(cmd), 0);
}

static int
call(uint16_t type, const char *body_json, cJSON **reply)
{
	cJSON *body = cJSON_Parse(body_json);
	char err[512];
	int rc;

	cr_assert_not_null(body, "test body is JSON");
	*reply = NULL;
	rc = sup_call(sup, SUP_TOOLS, type, body, 20000, 1, reply, NULL, NULL, err, sizeof(err));
	cJSON_Delete(body);
	return rc;
}

static const char *
jstr(const cJSON *o, const char *k)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k));
}

static void
setup_conf(void)
{
	start(1);
}

Test(tools_worker, parse_returns_calls_kinds_violations_and_plan, .init = setup_conf, .fini = stop)
{
	cJSON *rep;
	char *plan;

	cr_assert_eq(
	    call(IPC_T_TOOLS_PARSE,
	         "{\"text\":\"Look:\\n<TOOL_CALL> read_file(path=\\\"a.c\\\") </TOOL_CALL>\\n"
	         "<TOOL_CALL> list_dir(\\\".\\\") </TOOL_CALL>\\n<BASH>make</BASH>\\n<BASH>make "
	         "test</BASH>\\n"
	         "<TOOL_CALL> read_file(path=) </TOOL_CALL>\","
	         "\"native_calls\":[{\"id\":\"n1\",\"name\":\"read_file\",\"arguments\":\"{"
	         "\\\"path\\\":\\\"b\\\"}\"}],"
	         "\"mode\":\"build\"}",
	         &rep),
	    IPC_OK);
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(rep, "calls")), 5);
	cr_assert_str_eq(jstr(cJSON_GetArrayItem(cJSON_GetObjectItem(rep, "calls"), 2), "kind"),
	                 "shell");
	cr_assert_str_eq(jstr(cJSON_GetArrayItem(cJSON_GetObjectItem(rep, "calls"), 4), "id"),
	                 "n1");
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(rep, "errors")), 1);
	cr_assert_str_eq(
	    jstr(cJSON_GetArrayItem(cJSON_GetObjectItem(rep, "violations"), 0), "rule"),
	    "max_per_turn");
	plan = cJSON_PrintUnformatted(cJSON_GetObjectItem(rep, "batches"));
	cr_assert_str_eq(plan, "[[0],[1],[2],[4]]",
	                 "a blocking shell call makes the turn sequential");
	cr_assert_str_eq(jstr(rep, "message"), "Look:");
	free(plan);
	cJSON_Delete(rep);
}

Test(tools_worker, exec_writes_and_reads_beneath_the_workspace, .init = setup_conf, .fini = stop)
{
	cJSON *rep;
	char path[128], buf[64] = "";
	FILE *f;

	cr_assert_eq(call(IPC_T_TOOLS_EXEC,
	                  "{\"call\":{\"id\":\"call_1\",\"name\":\"create_file_from_block\","
	                  "\"args\":{\"file_name\":\"src/hello.txt\",\"content\":\"hi\\n\"}}}",
	                  &rep),
	             IPC_OK);
	cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(rep, "ok")), "%s", jstr(rep, "error"));
	cr_assert_str_eq(jstr(rep, "id"), "call_1");
	cJSON_Delete(rep);
	snprintf(path, sizeof(path), "%s/src/hello.txt", ws);
	cr_assert_not_null(f = fopen(path, "r"));
	cr_assert_not_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	cr_assert_str_eq(buf, "hi\n");
	cr_assert_eq(call(IPC_T_TOOLS_EXEC,
	                  "{\"call\":{\"id\":\"c2\",\"name\":\"read_file\",\"args\":{\"path\":"
	                  "\"src/hello.txt\"}}}",
	                  &rep),
	             IPC_OK);
	cr_assert(strstr(jstr(rep, "output"), "hi") != NULL);
	cJSON_Delete(rep);
}

Test(tools_worker, exec_refuses_paths_out_of_the_workspace, .init = setup_conf, .fini = stop)
{
	cJSON *rep;

	cr_assert_eq(call(IPC_T_TOOLS_EXEC,
	                  "{\"call\":{\"id\":\"x\",\"name\":\"create_file_from_block\","
	                  "\"args\":{\"file_name\":\"../kc_escape.txt\",\"content\":\"x\"}}}",
	                  &rep),
	             IPC_OK);
	cr_assert(cJSON_IsFalse(cJSON_GetObjectItem(rep, "ok")));
	cJSON_Delete(rep);
	cr_assert_eq(access("/tmp/kc_escape.txt", F_OK), -1);
	cr_assert_eq(call(IPC_T_TOOLS_EXEC,
	                  "{\"call\":{\"id\":\"y\",\"name\":\"read_file\",\"args\":{\"path\":\"/"
	                  "etc/passwd\"}}}",
	                  &rep),
	             IPC_OK);
	cr_assert(cJSON_IsFalse(cJSON_GetObjectItem(rep, "ok")));
	cJSON_Delete(rep);
}

Test(tools_worker, shell_and_webfetch_never_run_here, .init = setup_conf, .fini = stop)
{
	cJSON *rep;

	cr_assert_eq(
	    call(IPC_T_TOOLS_EXEC,
	         "{\"call\":{\"id\":\"s\",\"name\":\"run_shell\",\"args\":{\"command\":\"id\"}}}",
	         &rep),
	    IPC_E_REMOTE);
	cr_assert_str_eq(jstr(rep, "code"), "denied");
	cJSON_Delete(rep);
	cr_assert_eq(call(IPC_T_TOOLS_EXEC,
	                  "{\"call\":{\"id\":\"w\",\"name\":\"webfetch\",\"args\":{\"url\":\"http:/"
	                  "/127.0.0.1/\"}}}",
	                  &rep),
	             IPC_OK);
	cr_assert(cJSON_IsFalse(cJSON_GetObjectItem(rep, "ok")));
	cr_assert(strstr(jstr(rep, "error"), "webfetch is disabled") != NULL);
	cJSON_Delete(rep);
}

Test(tools_worker, bad_requests_are_answered_not_fatal, .init = setup_conf, .fini = stop)
{
	cJSON *rep;

	cr_assert_eq(call(IPC_T_TOOLS_PARSE, "{\"text\": 5}", &rep), IPC_E_REMOTE);
	cr_assert_str_eq(jstr(rep, "code"), "bad_request");
	cJSON_Delete(rep);
	cr_assert_eq(
	    call(IPC_T_TOOLS_PARSE, "{\"text\": \"x\", \"dialects\": [\"klingon\"]}", &rep),
	    IPC_E_REMOTE);
	cr_assert(strstr(jstr(rep, "error"), "unknown dialect 'klingon'") != NULL);
	cJSON_Delete(rep);
	cr_assert_eq(
	    call(IPC_T_TOOLS_PARSE, "{\"text\": \"x\", \"enabled_tools\": \"read_file\"}", &rep),
	    IPC_E_REMOTE);
	cr_assert_str_eq(jstr(rep, "code"), "bad_request",
	                 "a malformed list never enables everything");
	cJSON_Delete(rep);
	cr_assert_eq(call(IPC_T_TOOLS_EXEC, "{\"call\": []}", &rep), IPC_E_REMOTE);
	cJSON_Delete(rep);
	cr_assert_eq(call(IPC_T_TOOLS_PARSE, "{\"text\": \"still alive\"}", &rep), IPC_OK);
	cJSON_Delete(rep);
	cr_assert_eq(sup_worker_starts(sup, SUP_TOOLS), 1, "the worker never restarted");
}

static void
setup_bare(void)
{
	start(0);
}

Test(tools_worker, parse_before_configure_is_a_bad_request, .init = setup_bare, .fini = stop)
{
	cJSON *rep;

	cr_assert_eq(call(IPC_T_TOOLS_PARSE, "{\"text\": \"x\"}", &rep), IPC_E_REMOTE);
	cr_assert_str_eq(jstr(rep, "code"), "bad_request");
	cJSON_Delete(rep);
	cr_assert_eq(call(IPC_T_TOOLS_CONFIGURE, "{\"tools\": {}}", &rep), IPC_E_REMOTE);
	cJSON_Delete(rep);
}
