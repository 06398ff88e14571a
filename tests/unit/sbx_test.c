/* Unit tests of the sandbox engine's pure parts and of the process driver
 * (no isolation needed): path normalization, output sanitizing, the
 * rebuilt environment, limits, capture caps and timeouts, mirroring, the
 * factory's errors, the seccomp programs. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "worker-sandbox/sbx_int.h"

static int
norm(const char *in, const char *ws, char *out)
{
	return sbx_path_normalize(in, ws, out, 256);
}

Test(sbx_path, collapses_dot_and_slashes)
{
	char out[256];

	cr_assert_eq(norm("a//b/./c/", NULL, out), 0);
	cr_assert_str_eq(out, "a/b/c");
	cr_assert_eq(norm("/x/y", NULL, out), 0);
	cr_assert_str_eq(out, "x/y");
	cr_assert_eq(norm("", NULL, out), 0);
	cr_assert_str_eq(out, "");
}

Test(sbx_path, rejects_dotdot_even_when_it_stays_inside)
{
	char out[256];

	cr_assert_eq(norm("../etc", NULL, out), -1);
	cr_assert_eq(norm("a/../b", NULL, out), -1);
	cr_assert_eq(norm("a/..", NULL, out), -1);
}

Test(sbx_path, never_duplicates_the_workspace_segment)
{
	char out[256];

	cr_assert_eq(norm("agent_ws/src/main.c", "agent_ws", out), 0);
	cr_assert_str_eq(out, "src/main.c");
	/* only the first segment, and not when it is the whole path */
	cr_assert_eq(norm("agent_ws", "agent_ws", out), 0);
	cr_assert_str_eq(out, "agent_ws");
	cr_assert_eq(norm("src/agent_ws/x", "agent_ws", out), 0);
	cr_assert_str_eq(out, "src/agent_ws/x");
}

Test(sbx_path, rejects_too_long)
{
	char out[8];

	cr_assert_eq(sbx_path_normalize("abcdefghijkl", NULL, out, sizeof out), -1);
}

Test(sbx_text, keeps_valid_utf8_and_replaces_the_rest)
{
	char *t;

	t = sbx_text_sanitize("h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80", 15);
	cr_assert_str_eq(t, "h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80");
	free(t);
	t = sbx_text_sanitize("a\0b", 3);
	cr_assert_str_eq(t, "a\xef\xbf\xbd"
	                    "b");
	free(t);
	t = sbx_text_sanitize("\xff\xc0\x80", 3); /* invalid, overlong */
	cr_assert_str_eq(t, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	free(t);
	t = sbx_text_sanitize("\xed\xa0\x80", 3); /* surrogate */
	cr_assert_eq(strncmp(t, "\xef\xbf\xbd", 3), 0);
	free(t);
	t = sbx_text_sanitize("ok\xe2\x82", 4); /* truncated at the end */
	cr_assert_str_eq(t, "ok\xef\xbf\xbd\xef\xbf\xbd");
	free(t);
}

static char **
env_of(char *const *extra, char *const *allow)
{
	struct sbx s;
	struct sbx_req req;

	memset(&s, 0, sizeof s);
	memset(&req, 0, sizeof req);
	s.env_allow = (char **)allow;
	req.env = extra;
	return sbx_env_build(&s, &req, "/tmp");
}

static const char *
env_get(char **v, const char *name)
{
	size_t n = strlen(name);

	for (; *v != NULL; v++)
		if (strncmp(*v, name, n) == 0 && (*v)[n] == '=')
			return *v + n + 1;
	return NULL;
}

Test(sbx_env, never_carries_the_callers_environment)
{
	char **v;

	setenv("KC_UNIT_SECRET", "s3cr3t", 1);
	v = env_of(NULL, NULL);
	cr_assert_null(env_get(v, "KC_UNIT_SECRET"));
	cr_assert_str_eq(env_get(v, "HOME"), "/tmp");
	cr_assert_not_null(env_get(v, "PATH"));
	sbx_strv_free(v);
}

Test(sbx_env, passes_only_allowlisted_names)
{
	char *extra[] = {"LANG=de_DE.UTF-8", "OPENAI_API_KEY=x", "CC=clang", "=bad", "NOEQ", NULL};
	char *allow[] = {"CC", NULL};
	char **v = env_of(extra, allow);

	cr_assert_str_eq(env_get(v, "LANG"), "de_DE.UTF-8");
	cr_assert_str_eq(env_get(v, "CC"), "clang");
	cr_assert_null(env_get(v, "OPENAI_API_KEY"));
	sbx_strv_free(v);
}

Test(sbx_cwd, stays_inside_the_workspace)
{
	char *c;

	c = sbx_cwd_rel(NULL);
	cr_assert_str_eq(c, "");
	free(c);
	c = sbx_cwd_rel("/workspace/src/");
	cr_assert_str_eq(c, "src");
	free(c);
	cr_assert_null(sbx_cwd_rel("../.."));
	cr_assert_null(sbx_cwd_rel("/workspace/../etc"));
}

Test(sbx_limits, defaults_fill_zero_fields)
{
	struct sbx_limits in = {.pids = 7}, out;

	sbx_limits_resolve(&in, &out);
	cr_assert_eq(out.pids, 7);
	cr_assert_eq(out.memory_bytes, SBX_DEF_MEMORY);
	cr_assert_eq(out.output_bytes, SBX_DEF_OUTPUT);
}

static char ws_dir[64];

static struct sbx *
process_sbx(void)
{
	struct sbx_config cfg = {0};
	char err[256] = "";
	struct sbx *s;

	strcpy(ws_dir, "/tmp/kc-sbx-unit-XXXXXX");
	cr_assert_not_null(mkdtemp(ws_dir));
	cfg.workspace = ws_dir;
	cfg.driver = SBX_PROCESS;
	s = sbx_factory_create(&cfg, err, sizeof err);
	cr_assert_not_null(s, "%s", err);
	return s;
}

static int
run_sh(struct sbx *s, const char *script, struct sbx_req *req, struct sbx_result *res)
{
	char *argv[] = {"/bin/sh", "-c", (char *)script, NULL};

	req->argv = argv;
	sbx_result_init(res);
	return sbx_run(s, req, res);
}

Test(sbx_capture, caps_output_and_counts_the_dropped_bytes)
{
	struct sbx *s = process_sbx();
	struct sbx_req req = {.lim = {.output_bytes = 100}, .timeout_ms = 10000};
	struct sbx_result res;

	cr_assert_eq(run_sh(s, "head -c 5000 /dev/zero | tr '\\0' x; echo e >&2", &req, &res), 0);
	cr_assert_eq(res.out.len, 100);
	cr_assert_eq(res.out_dropped, 4900);
	cr_assert_str_eq(strbuf_str(&res.err), "e\n");
	cr_assert_eq(res.exit_code, 0);
	sbx_result_free(&res);
	sbx_free(s);
	rmdir(ws_dir);
}

Test(sbx_capture, kills_the_process_group_at_the_deadline)
{
	struct sbx *s = process_sbx();
	struct sbx_req req = {.timeout_ms = 300};
	struct sbx_result res;

	cr_assert_eq(run_sh(s, "sleep 30 & sleep 30", &req, &res), 0);
	cr_assert(res.timed_out);
	cr_assert_eq(res.exit_code, 124);
	cr_assert_str_eq(res.killed_reason, "timeout");
	cr_assert_lt(res.duration_ms, 5000);
	sbx_result_free(&res);
	sbx_free(s);
	rmdir(ws_dir);
}

Test(sbx_capture, reports_exit_status_and_signals_as_a_shell)
{
	struct sbx *s = process_sbx();
	struct sbx_req req = {.timeout_ms = 10000};
	struct sbx_result res;

	run_sh(s, "exit 42", &req, &res);
	cr_assert_eq(res.exit_code, 42);
	sbx_result_free(&res);
	run_sh(s, "kill -TERM $$", &req, &res);
	cr_assert_eq(res.signal, 15);
	cr_assert_eq(res.exit_code, 143);
	sbx_result_free(&res);
	sbx_free(s);
	rmdir(ws_dir);
}

Test(sbx_factory, names_a_missing_workspace)
{
	struct sbx_config cfg = {.workspace = "/nonexistent/kc-ws", .driver = SBX_JAIL};
	char err[256] = "";

	cr_assert_null(sbx_factory_create(&cfg, err, sizeof err));
	cr_assert_not_null(strstr(err, "/nonexistent/kc-ws"));
}

Test(sbx_factory, refuses_an_empty_command)
{
	struct sbx *s = process_sbx();
	char *argv[] = {NULL};
	struct sbx_req req = {.argv = argv};
	struct sbx_result res;

	sbx_result_init(&res);
	cr_assert_eq(sbx_run(s, &req, &res), -1);
	cr_assert(res.setup_failed);
	cr_assert_eq(res.exit_code, 125);
	sbx_result_free(&res);
	sbx_free(s);
	rmdir(ws_dir);
}

Test(sbx_driver, names_round_trip)
{
	int i;

	for (i = 0; i < SBX_NDRIVERS; i++)
		cr_assert_eq(sbx_driver_parse(sbx_driver_name(i)), i);
	cr_assert_eq(sbx_driver_parse("chroot"), -1);
	cr_assert_eq(sbx_driver_parse(NULL), -1);
}

Test(sbx_seccomp, builds_a_program_and_an_oci_profile)
{
	struct sock_fprog p = {0};
	char err[128] = "";
	cJSON *prof = jail_seccomp_oci(0);
	char *txt = cJSON_PrintUnformatted(prof);

	cr_assert_eq(jail_seccomp_build(&p, err, sizeof err), 0, "%s", err);
	cr_assert_gt(p.len, 20);
	free(p.filter);
	cr_assert_not_null(strstr(txt, "\"ptrace\""));
	cr_assert_not_null(strstr(txt, "\"io_uring_setup\""));
	cr_assert_not_null(strstr(txt, "SCMP_CMP_MASKED_EQ"));
	free(txt);
	cJSON_Delete(prof);
}

static void
write_file(const char *dir, const char *rel, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, rel);
	f = fopen(path, "w");
	cr_assert_not_null(f, "%s", path);
	fputs(text, f);
	fclose(f);
}

Test(sbx_mirror, copies_in_and_back_without_git_or_symlinks)
{
	char host[] = "/tmp/kc-mirror-host-XXXXXX", ws[] = "/tmp/kc-mirror-ws-XXXXXX", p[600];
	struct strbuf copied = STRBUF_INIT, skipped = STRBUF_INIT;
	char err[256] = "";

	cr_assert_not_null(mkdtemp(host));
	cr_assert_not_null(mkdtemp(ws));
	snprintf(p, sizeof p, "%s/src", host);
	mkdir(p, 0755);
	write_file(host, "src/a.c", "int a;\n");
	cr_assert_eq(sbx_mirror_in(host, ws, NULL, &copied, &skipped, err, sizeof err), 0, "%s",
	             err);
	snprintf(p, sizeof p, "%s/src/a.c", ws);
	cr_assert_eq(access(p, F_OK), 0);
	/* the command changes a file, plants a hook and a symlink */
	write_file(ws, "src/a.c", "int a = 2;\n");
	snprintf(p, sizeof p, "%s/.git", ws);
	mkdir(p, 0755);
	write_file(ws, ".git/config", "[core]\n\tfsmonitor = evil\n");
	snprintf(p, sizeof p, "%s/evil", ws);
	cr_assert_eq(symlink("/etc", p), 0);
	strbuf_reset(&copied);
	strbuf_reset(&skipped);
	cr_assert_eq(sbx_mirror_out(ws, host, NULL, &copied, &skipped, err, sizeof err), 0, "%s",
	             err);
	cr_assert_str_eq(strbuf_str(&copied), "src/a.c");
	snprintf(p, sizeof p, "%s/.git", host);
	cr_assert_neq(access(p, F_OK), 0);
	snprintf(p, sizeof p, "%s/evil", host);
	cr_assert_neq(access(p, F_OK), 0);
	strbuf_free(&copied);
	strbuf_free(&skipped);
	snprintf(p, sizeof p, "rm -rf %s %s", host, ws);
	cr_assert_eq(system(p), 0);
}

Test(sbx_mirror, listed_paths_with_the_workspace_prefix_are_not_duplicated)
{
	char host[] = "/tmp/kc-mirror-host-XXXXXX", ws[] = "/tmp/kc-mirror-ws-XXXXXX", p[600];
	struct strbuf copied = STRBUF_INIT, skipped = STRBUF_INIT;
	const char *name;
	char *paths[3], err[256] = "";

	cr_assert_not_null(mkdtemp(host));
	cr_assert_not_null(mkdtemp(ws));
	name = strrchr(ws, '/') + 1;
	write_file(ws, "f.txt", "x\n");
	snprintf(p, sizeof p, "%s/f.txt", name); /* "kc-mirror-ws-XXXX/f.txt" */
	paths[0] = p;
	paths[1] = "../escape";
	paths[2] = NULL;
	cr_assert_eq(sbx_mirror_out(ws, host, paths, &copied, &skipped, err, sizeof err), 0, "%s",
	             err);
	cr_assert_str_eq(strbuf_str(&copied), "f.txt");
	cr_assert_str_eq(strbuf_str(&skipped), "../escape");
	snprintf(p, sizeof p, "%s/f.txt", host);
	cr_assert_eq(access(p, F_OK), 0);
	strbuf_free(&copied);
	strbuf_free(&skipped);
	snprintf(p, sizeof p, "rm -rf %s %s", host, ws);
	cr_assert_eq(system(p), 0);
}
