/*
 * cmd_apply.c — `kylecode apply [--workspace D] [--dialect NAME]
 * [--config F] [--json] < TEXT`: reads a model's answer (or a patch a
 * person wrote) on stdin, has kylecode-tools parse it in every dialect (or
 * the one named) and apply the file and edit calls beneath the workspace,
 * and prints what happened.
 *
 * Tool set: with --config, the config's registry (tools.registry), aliases
 * and concurrency, as `kylecode run` sends them. Without, a built-in copy
 * of the reference implementations/tools/defs set (read_file, list_dir,
 * create_file, create_file_from_block, apply_unified_patch,
 * apply_search_replace, run_shell, mark_task_complete) with base_v2.yaml's
 * aliases (edit -> apply_search_replace, patch -> apply_unified_patch), so
 * unified diffs, Aider blocks, OpenCode patches and pythonic calls all
 * find a tool. Shell calls are reported, never run (use `kylecode exec`).
 *
 * Exit status: 0 when there was at least one call and every one applied;
 * 1 when anything failed to parse, was refused or did not apply, or the
 * input held no call; 2 usage; 3 config error.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "lib/config/config.h"
#include "lib/core/strbuf.h"
#include "lib/tpsl/tpsl.h"
#include "supervisor/cmd.h"
#include "supervisor/proc.h"

#define APPLY_MAX_INPUT (16u * 1024u * 1024u)
#define APPLY_TIMEOUT_MS 120000

struct apply_opts {
	const char *workspace;
	const char *dialect;
	const char *config;
	int json;
};

/* The built-in tool set (see the header comment). */
static const char APPLY_BUILTIN_TOOLS[] =
    "{\"tools\":["
    "{\"name\":\"read_file\",\"blocking\":false,\"parameters\":[{\"name\":\"path\",\"type\":"
    "\"string\","
    "\"required\":true},{\"name\":\"offset\",\"type\":\"integer\"},{\"name\":\"limit\",\"type\":"
    "\"integer\"}]},"
    "{\"name\":\"list_dir\",\"blocking\":false,\"parameters\":[{\"name\":\"path\",\"type\":"
    "\"string\","
    "\"required\":true},{\"name\":\"depth\",\"type\":\"integer\",\"default\":1}]},"
    "{\"name\":\"create_file\",\"blocking\":true,\"parameters\":[{\"name\":\"path\",\"type\":"
    "\"string\","
    "\"required\":true}]},"
    "{\"name\":\"create_file_from_block\",\"blocking\":true,\"parameters\":[{\"name\":\"file_"
    "name\","
    "\"type\":\"string\",\"required\":true},{\"name\":\"content\",\"type\":\"string\",\"required\":"
    "true}]},"
    "{\"name\":\"apply_unified_patch\",\"blocking\":true,\"parameters\":[{\"name\":\"patch\","
    "\"type\":\"string\",\"required\":true}]},"
    "{\"name\":\"apply_search_replace\",\"blocking\":true,\"parameters\":[{\"name\":\"file_name\","
    "\"type\":\"string\",\"required\":true},{\"name\":\"search\",\"type\":\"string\",\"required\":"
    "true},"
    "{\"name\":\"replace\",\"type\":\"string\",\"required\":true}]},"
    "{\"name\":\"run_shell\",\"blocking\":true,\"max_per_turn\":1,\"manipulations\":[\"shell."
    "exec\"],"
    "\"parameters\":[{\"name\":\"command\",\"type\":\"string\",\"required\":true},"
    "{\"name\":\"timeout\",\"type\":\"integer\",\"default\":60}]},"
    "{\"name\":\"mark_task_complete\",\"blocking\":true,\"max_per_turn\":1,\"parameters\":[]}],"
    "\"aliases\":{\"edit\":\"apply_search_replace\",\"patch\":\"apply_unified_patch\"},"
    "\"concurrency\":{},\"create_file_policy\":{},\"allow_network_tools\":false,"
    "\"git_writable\":false}";

static void
apply_usage(FILE *f)
{
	fprintf(f, "usage: kylecode apply [--workspace DIR] [--dialect NAME] [--config FILE] "
	           "[--json] < TEXT\n");
	if (f != stdout)
		return;
	fprintf(f, "\nParses tool calls and patches in TEXT (stdin) and applies the file and edit\n"
	           "calls beneath the workspace, all-or-nothing per patch.\n\n"
	           "  --workspace DIR  the directory edits may touch (default: .)\n"
	           "  --dialect NAME   only this dialect (default: auto = all): pythonic,\n"
	           "                   bash_block, unified_diff (diff), aider_search_replace\n"
	           "                   (aider), opencode_patch (opencode), xml, json_block,\n"
	           "                   yaml_command; docs/DIALECTS.md describes each\n"
	           "  --config FILE    take the tool registry, aliases and concurrency from a\n"
	           "                   kylecode config (default: the reference defs/ tools)\n"
	           "  --json           print the worker's reply as JSON\n\n"
	           "Shell calls are listed but never run (use `kylecode exec`).\n"
	           "Exit status: 0 all applied; 1 a call failed, was refused or none was found;\n"
	           "2 usage; 3 config error.\n");
}

static int
apply_parse_args(int argc, char **argv, struct apply_opts *o)
{
	static const struct option lopts[] = {
	    {"workspace", required_argument, NULL, 'w'},
	    {"dialect", required_argument, NULL, 'd'},
	    {"config", required_argument, NULL, 'c'},
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int ch;

	memset(o, 0, sizeof(*o));
	o->workspace = ".";
	o->dialect = "auto";
	optind = 1;
	while ((ch = getopt_long(argc, argv, "w:d:c:jh", lopts, NULL)) != -1) {
		switch (ch) {
		case 'w':
			o->workspace = optarg;
			break;
		case 'd':
			o->dialect = optarg;
			break;
		case 'c':
			o->config = optarg;
			break;
		case 'j':
			o->json = 1;
			break;
		case 'h':
			apply_usage(stdout);
			return 1;
		default:
			apply_usage(stderr);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr,
		        "kylecode apply: unexpected argument '%s' (the text comes on stdin)\n",
		        argv[optind]);
		apply_usage(stderr);
		return -1;
	}
	return 0;
}

/* All of stdin, bounded; NULL with a message on error. */
static char *
apply_read_stdin(void)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[65536];
	size_t n;

	while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0) {
		if (sb.len + n > APPLY_MAX_INPUT) {
			fprintf(stderr, "kylecode apply: input larger than %u MiB; split it\n",
			        APPLY_MAX_INPUT >> 20);
			strbuf_free(&sb);
			return NULL;
		}
		strbuf_add(&sb, buf, n);
	}
	if (ferror(stdin)) {
		fprintf(stderr, "kylecode apply: reading stdin: %s\n", strerror(errno));
		strbuf_free(&sb);
		return NULL;
	}
	if (memchr(strbuf_str(&sb), '\0', sb.len) != NULL) {
		fprintf(stderr, "kylecode apply: input holds NUL bytes; it must be text\n");
		strbuf_free(&sb);
		return NULL;
	}
	return strbuf_detach(&sb, NULL);
}

/* The TOOLS_CONFIGURE body from a config file, as `kylecode run` builds
 * it. NULL after printing why (exit 3). */
static cJSON *
apply_config_body(const char *path)
{
	struct kc_diag_list d = {0};
	struct kc_config *c = kc_config_load(path, &d);
	cJSON *b = NULL, *reg;
	const cJSON *x;
	char err[1024];

	if (c == NULL || d.nerrors > 0) {
		kc_diag_print(&d, stderr);
		goto out;
	}
	if ((reg = kc_tools_load(c, err, sizeof(err))) == NULL) {
		fprintf(stderr, "kylecode apply: %s\n", err);
		goto out;
	}
	b = cJSON_CreateObject();
	cJSON_AddItemToObject(b, "tools", reg);
	x = kc_cfg_get(kc_config_root(c), "tools.aliases");
	cJSON_AddItemToObject(b, "aliases", x ? cJSON_Duplicate(x, 1) : cJSON_CreateObject());
	x = kc_cfg_get(kc_config_root(c), "concurrency");
	cJSON_AddItemToObject(b, "concurrency", x ? cJSON_Duplicate(x, 1) : cJSON_CreateObject());
	x = kc_cfg_get(kc_config_root(c), "tools.dialects.create_file_policy");
	cJSON_AddItemToObject(b, "create_file_policy",
	                      x ? cJSON_Duplicate(x, 1) : cJSON_CreateObject());
	cJSON_AddBoolToObject(b, "allow_network_tools", 0);
	cJSON_AddBoolToObject(b, "git_writable", 0);
out:
	kc_diag_list_free(&d);
	kc_config_free(c);
	return b;
}

static const char *
jstr(const cJSON *o, const char *k)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k));

	return s ? s : "";
}

/* Prints the reply for a person (unless quiet); returns the exit status
 * it means. */
static int
apply_report(const cJSON *rep, int quiet)
{
	const cJSON *e, *calls = cJSON_GetObjectItemCaseSensitive(rep, "calls");
	int bad = 0, i = 0, n = 0, nfail = 0;

	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(rep, "errors"))
	{
		if (!quiet)
			printf("error: %s\n", jstr(e, "message"));
		bad++;
	}
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(rep, "results"))
	{
		const cJSON *c = cJSON_GetArrayItem(calls, i++);
		int ok = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "ok"));
		const char *out = ok ? jstr(e, "output") : jstr(e, "error");

		int olen = (int)strlen(out);

		while (olen > 0 && (out[olen - 1] == '\n' || out[olen - 1] == ' '))
			olen--;
		if (!quiet)
			printf(
			    "%s %s %s (%s, line %d)%s%.*s\n", ok ? "ok  " : "FAIL", jstr(e, "id"),
			    jstr(c, "name"), jstr(c, "dialect"),
			    (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(c, "line")),
			    olen > 0 ? ": " : "", olen, out);
		bad += !ok;
		nfail += !ok;
		n++;
	}
	if (n == 0 && bad == 0) {
		if (!quiet)
			printf("nothing to apply: no tool call or patch found in the input\n");
		return KC_EXIT_FAIL;
	}
	if (!quiet)
		printf("%d of %d call%s applied\n", n - nfail, n, n == 1 ? "" : "s");
	return bad ? KC_EXIT_FAIL : KC_EXIT_OK;
}

/* Starts kylecode-tools, configures it, sends the text; *reply on 0. */
static int
apply_send(const struct apply_opts *o, const cJSON *cfg, const char *text, cJSON **reply)
{
	struct sup_opts so = {0};
	struct sup *s;
	cJSON *body;
	char err[1024];
	int rc;

	so.workspace = o->workspace;
	if ((s = sup_start(SUP_ROLE_BIT(SUP_TOOLS), &so, err, sizeof(err))) == NULL) {
		fprintf(stderr, "kylecode apply: %s\n", err);
		return -1;
	}
	sup_set_init_msg(s, SUP_TOOLS, IPC_T_TOOLS_CONFIGURE, cfg);
	body = cJSON_CreateObject();
	cJSON_AddStringToObject(body, "text", text);
	cJSON_AddStringToObject(body, "dialect", o->dialect);
	rc = sup_call(s, SUP_TOOLS, IPC_T_TOOLS_APPLY, body, APPLY_TIMEOUT_MS, 0, reply, NULL, NULL,
	              err, sizeof(err));
	cJSON_Delete(body);
	if (rc != IPC_OK) {
		const char *why = rc == IPC_E_REMOTE ? jstr(*reply, "error") : err;

		fprintf(stderr, "kylecode apply: %s\n", why[0] ? why : "the tools worker failed");
		cJSON_Delete(*reply);
		*reply = NULL;
	}
	sup_stop(s);
	return rc == IPC_OK ? 0 : -1;
}

int
cmd_apply(int argc, char **argv)
{
	struct apply_opts o;
	struct stat st;
	cJSON *cfg = NULL, *rep = NULL;
	char *text = NULL, *js;
	int rc;

	if ((rc = apply_parse_args(argc, argv, &o)) != 0)
		return rc > 0 ? KC_EXIT_OK : KC_EXIT_USAGE;
	if (stat(o.workspace, &st) == -1 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "kylecode apply: workspace %s is not a directory\n", o.workspace);
		return KC_EXIT_USAGE;
	}
	cfg = o.config ? apply_config_body(o.config) : cJSON_Parse(APPLY_BUILTIN_TOOLS);
	if (cfg == NULL)
		return KC_EXIT_CONFIG;
	rc = KC_EXIT_FAIL;
	if ((text = apply_read_stdin()) == NULL || apply_send(&o, cfg, text, &rep) < 0)
		goto out;
	if (o.json) {
		js = cJSON_Print(rep);
		printf("%s\n", js ? js : "{}");
		free(js);
	}
	rc = apply_report(rep, o.json);
out:
	cJSON_Delete(cfg);
	cJSON_Delete(rep);
	free(text);
	return rc;
}
