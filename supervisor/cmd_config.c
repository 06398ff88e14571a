/* kylecode config show F [--json] [--effective] | config check F...
 *
 * show: the merged document exactly as loaded (extends applied, nothing
 * added), as YAML or JSON; --effective adds the defaults and resolves the
 * paths. check: loads and validates each file (schema, then what needs the
 * tool registry and the named files); exit 0, or 3 with every problem as
 * "file:line:col: key.path: what is wrong" on stderr. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/config/config.h"
#include "lib/core/strbuf.h"
#include "lib/tpsl/tpsl.h"
#include "supervisor/cmd.h"

#define CMD_CONFIG_USAGE                                                                           \
	"usage: kylecode config show FILE [--json] [--effective]\n"                                \
	"       kylecode config check FILE...\n"

static void
cmd_config_help(void)
{
	printf(CMD_CONFIG_USAGE
	       "\n"
	       "show   print the config with `extends` resolved and merged: exactly the\n"
	       "       merged document (YAML; --json for JSON as Python's json.dumps\n"
	       "       writes it). --effective adds the defaults kylecode applies and\n"
	       "       resolves every path the config names (tool registry, prompt packs,\n"
	       "       templates) by the lookup in docs/CONFIG.md.\n"
	       "check  validate each FILE: schema v2, tool names, the files it names, and\n"
	       "       the prompts of every mode compile. Errors and warnings go to stderr\n"
	       "       as file:line:col: key.path: message.\n"
	       "\n"
	       "Exit: 0 valid, 2 usage, 3 config error.\n");
}

static int
cmd_config_usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "kylecode config: %s%s\n" CMD_CONFIG_USAGE, what, arg ? arg : "");
	return KC_EXIT_USAGE;
}

static int
cmd_config_show(const char *file, int json, int effective)
{
	struct kc_diag_list d = {0};
	struct strbuf out = STRBUF_INIT;
	struct kc_locmap *locs = NULL;
	struct kc_config *c;
	cJSON *eff = NULL;
	int rc = KC_EXIT_CONFIG;

	c = kc_config_load(file, &d);
	if (c == NULL)
		goto out;
	if (effective) {
		locs = kc_locmap_new();
		eff = kc_config_effective(c, locs, &d);
		if (eff == NULL)
			goto out;
	}
	if (json) {
		kc_json_emit(eff ? locs : kc_config_locs(c), eff ? eff : kc_config_root(c), &out);
		strbuf_addc(&out, '\n');
	} else {
		kc_yaml_emit(eff ? locs : kc_config_locs(c), eff ? eff : kc_config_root(c), &out);
	}
	fwrite(out.buf, 1, out.len, stdout);
	rc = fflush(stdout) == 0 ? KC_EXIT_OK : KC_EXIT_FAIL;
out:
	kc_diag_print(&d, stderr);
	kc_diag_list_free(&d);
	strbuf_free(&out);
	cJSON_Delete(eff);
	kc_locmap_free(locs);
	kc_config_free(c);
	return rc;
}

/* Compiles the prompts of every mode (for the default model): what only
 * rendering shows (a missing system template, an undefined variable in a
 * template) is then found by `check`, not by the first run. */
static void
cmd_config_check_prompts(const struct kc_config *c, struct kc_diag_list *d)
{
	const cJSON *m;
	char err[4096];

	cJSON_ArrayForEach(m, kc_cfg_get(kc_config_root(c), "modes"))
	{
		struct kc_prompts p = {0};
		const char *name = kc_cfg_str(m, "name", NULL);

		if (name == NULL)
			continue;
		if (kc_prompts_compile(c, name, NULL, &p, err, sizeof(err)) != 0)
			kc_diag_add(d, KC_DIAG_ERROR, "%s (compiling the prompts of mode %s)", err,
			            name);
		kc_prompts_free(&p);
	}
}

/* One file: schema, then the checks that need the registry and files. */
static int
cmd_config_check_one(const char *file)
{
	struct kc_diag_list d = {0};
	struct kc_config *c;
	int ok;

	c = kc_config_load(file, &d);
	if (c != NULL && kc_config_validate(c, &d) == 0 && kc_tools_check_config(c, &d) == 0)
		cmd_config_check_prompts(c, &d);
	ok = c != NULL && d.nerrors == 0;
	fflush(stdout);
	kc_diag_print(&d, stderr);
	fflush(stderr);
	if (ok)
		printf("%s: ok (%zu warning%s)\n", file, d.nwarnings, d.nwarnings == 1 ? "" : "s");
	else
		printf("%s: %zu error%s\n", file, d.nerrors, d.nerrors == 1 ? "" : "s");
	fflush(stdout);
	kc_diag_list_free(&d);
	kc_config_free(c);
	return ok ? 0 : -1;
}

static int
cmd_config_check(int argc, char **argv)
{
	int i, bad = 0, nfiles = 0;

	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			cmd_config_help();
			return KC_EXIT_OK;
		}
		if (argv[i][0] == '-' && argv[i][1] != '\0')
			return cmd_config_usage_error("check: unknown option ", argv[i]);
	}
	for (i = 2; i < argc; i++, nfiles++)
		if (cmd_config_check_one(argv[i]) != 0)
			bad = 1;
	if (nfiles == 0)
		return cmd_config_usage_error("check: no FILE given", NULL);
	fflush(stdout);
	return bad ? KC_EXIT_CONFIG : KC_EXIT_OK;
}

static int
cmd_config_show_args(int argc, char **argv)
{
	const char *file = NULL;
	int i, json = 0, effective = 0;

	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "--effective") == 0)
			effective = 1;
		else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			cmd_config_help();
			return KC_EXIT_OK;
		} else if (argv[i][0] == '-' && argv[i][1] != '\0')
			return cmd_config_usage_error("show: unknown option ", argv[i]);
		else if (file != NULL)
			return cmd_config_usage_error("show: one FILE only; extra argument ",
			                              argv[i]);
		else
			file = argv[i];
	}
	if (file == NULL)
		return cmd_config_usage_error("show: no FILE given", NULL);
	return cmd_config_show(file, json, effective);
}

int
cmd_config(int argc, char **argv)
{
	if (argc < 2)
		return cmd_config_usage_error("missing subcommand (show or check)", NULL);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		cmd_config_help();
		return KC_EXIT_OK;
	}
	if (strcmp(argv[1], "show") == 0)
		return cmd_config_show_args(argc, argv);
	if (strcmp(argv[1], "check") == 0)
		return cmd_config_check(argc, argv);
	return cmd_config_usage_error("unknown subcommand (want show or check): ", argv[1]);
}
