/* Tool Prompt Synthesis: the registry (order, normalization, include
 * globs, aliases, overlays), what a mode may use, native schemas, the
 * config checks that need the registry, sha256, and the prompt compiler
 * (pack order, [CACHE], dedupe, template family selection and fall-back). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "lib/config/config.h"
#include "lib/tpsl/tpsl.h"

static char dir[PATH_MAX];
static struct kc_diag_list diag;
static struct kc_config *cfg;
static char err[4096];

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/kc_tpsl_XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	kc_diag_list_init(&diag);
	cfg = NULL;
	err[0] = '\0';
}

static void
teardown(void)
{
	char cmd[PATH_MAX + 16];

	kc_config_free(cfg);
	kc_diag_list_free(&diag);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(tpsl, .init = setup, .fini = teardown);

static void
put(const char *name, const char *text)
{
	char path[PATH_MAX * 2], *slash;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	for (slash = path + strlen(dir) + 1; (slash = strchr(slash, '/')) != NULL; slash++) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	f = fopen(path, "w");
	cr_assert_not_null(f, "%s", path);
	fputs(text, f);
	fclose(f);
}

static void
tools_fixture(void)
{
	put("defs/b_write.yaml", "id: write\nname: write\ndescription: Write a file\n"
				 "parameters:\n  - {name: path, type: string, required: true}\n"
				 "  - {name: mode, type: integer, default: 420}\n"
				 "execution: {blocking: true, max_per_turn: 1}\n");
	put("defs/a_read.yaml", "id: read\nname: read\ndescription: Read a file\n"
				"parameters: [{name: path, type: string, description: where}]\n"
				"execution: {blocking: false}\n");
	put("defs/notes.txt", "not a tool\n");
	put("more/c_shell.yml", "id: shell\nname: shell\ndescription: Run\nparameters: []\n"
				"preferred_formats: [json_block]\n");
	put("more/read_dup.yaml", "id: read\nname: read\ndescription: shadowed\nparameters: []\n");
}

static void
load_cfg(const char *extra)
{
	char text[8192];

	snprintf(text, sizeof(text),
		 "version: 2\nworkspace: {}\n"
		 "providers: {default_model: m/x, models: [{id: m/x, adapter: openai}]}\n%s%s",
		 strstr(extra, "loop:") ? "" : "loop: {sequence: [{mode: build}]}\n", extra);
	put("cfg.yaml", text);
	snprintf(text, sizeof(text), "%s/cfg.yaml", dir);
	cfg = kc_config_load(text, &diag);
	cr_assert_not_null(cfg, "%s", diag.n ? diag.items[0].msg : "");
}

static const char *
name_at(const cJSON *arr, int i)
{
	return kc_cfg_str(cJSON_GetArrayItem(arr, i), "name", "?");
}

Test(tpsl, registry_reads_paths_in_order_and_files_by_name)
{
	cJSON *reg;

	tools_fixture();
	load_cfg("modes: [{name: build}]\ntools: {registry: {paths: [defs, more]}}\n");
	reg = kc_tools_load(cfg, err, sizeof(err));
	cr_assert_not_null(reg, "%s", err);
	cr_assert_eq(cJSON_GetArraySize(reg), 3);
	cr_expect_str_eq(name_at(reg, 0), "read");
	cr_expect_str_eq(name_at(reg, 1), "write");
	cr_expect_str_eq(name_at(reg, 2), "shell");
	/* the first definition of a name wins */
	cr_expect_str_eq(kc_cfg_str(cJSON_GetArrayItem(reg, 0), "description", ""), "Read a file");
	cJSON_Delete(reg);
}

Test(tpsl, registry_normalizes_tools_for_templates)
{
	const cJSON *w, *p;
	cJSON *reg;
	char *s;

	tools_fixture();
	load_cfg("modes: [{name: build}]\ntools: {registry: {paths: [defs]}}\n");
	reg = kc_tools_load(cfg, err, sizeof(err));
	cr_assert_not_null(reg, "%s", err);
	w = cJSON_GetArrayItem(reg, 1);
	cr_expect_str_eq(kc_cfg_str(w, "display_name", ""), "write");
	cr_expect(cJSON_IsTrue(cJSON_GetObjectItem(w, "blocking")));
	cr_expect_eq(kc_cfg_num(w, "max_per_turn", 0), 1);
	cr_expect(cJSON_IsNull(cJSON_GetObjectItem(w, "return_type")));
	p = cJSON_GetArrayItem(cJSON_GetObjectItem(w, "parameters"), 1);
	s = cJSON_PrintUnformatted(p);
	cr_expect_str_eq(s, "{\"name\":\"mode\",\"type\":\"integer\",\"default\":420,"
			    "\"required\":false,\"description\":null}");
	free(s);
	cr_expect(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetArrayItem(reg, 0), "max_per_turn")));
	cJSON_Delete(reg);
}

Test(tpsl, include_globs_and_aliases_filter_the_registry)
{
	cJSON *reg;

	tools_fixture();
	load_cfg("modes: [{name: build}]\ntools:\n  registry: {paths: [defs, more], include: ['s*', w]}\n"
		 "  aliases: {w: write}\n");
	reg = kc_tools_load(cfg, err, sizeof(err));
	cr_assert_not_null(reg, "%s", err);
	cr_assert_eq(cJSON_GetArraySize(reg), 2);
	cr_expect_str_eq(name_at(reg, 0), "write");
	cr_expect_str_eq(name_at(reg, 1), "shell");
	cr_expect_str_eq(kc_tools_resolve_alias(cfg, reg, "w"), "write");
	cr_expect_str_eq(kc_tools_resolve_alias(cfg, reg, "shell"), "shell");
	cr_expect_null(kc_tools_resolve_alias(cfg, reg, "read"));
	cJSON_Delete(reg);
}

Test(tpsl, overlays_rename_describe_and_promote_a_syntax_style)
{
	const cJSON *t;
	cJSON *reg;

	tools_fixture();
	load_cfg("modes: [{name: build}]\ntools:\n  registry: {paths: [more]}\n  overlays:\n"
		 "    - rename: {shell: bash}\n      descriptions: {shell: Run a command}\n"
		 "      syntax_style: {shell: bash_block}\n"
		 "      provider_preference: {shell: {openai: {native_primary: true, "
		 "fallbacks: [json_block]}}}\n");
	reg = kc_tools_load(cfg, err, sizeof(err));
	cr_assert_not_null(reg, "%s", err);
	t = cJSON_GetArrayItem(reg, 0);
	cr_expect_str_eq(kc_cfg_str(t, "name", ""), "bash");
	cr_expect_str_eq(kc_cfg_str(t, "description", ""), "Run a command");
	cr_expect_str_eq(kc_cfg_str(t, "syntax_style", ""), "bash_block");
	cr_expect_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(t, "preferred_formats"), 0)->valuestring,
			 "bash_block");
	cr_expect_eq(cJSON_GetArraySize(cJSON_GetObjectItem(t, "preferred_formats")), 2);
	cr_expect(kc_cfg_bool(t, "provider_routing.openai.native_primary", 0));
	cJSON_Delete(reg);
}

Test(tpsl, a_broken_definition_is_reported_with_its_file)
{
	put("defs/bad.yaml", "id: x\nname: x\nparameters: []\n");
	load_cfg("modes: [{name: build}]\ntools: {registry: {paths: [defs]}}\n");
	cr_expect_null(kc_tools_load(cfg, err, sizeof(err)));
	cr_expect(strstr(err, "defs/bad.yaml:1:1: description: missing") != NULL, "%s", err);
}

Test(tpsl, a_missing_registry_path_says_where_it_looked)
{
	load_cfg("modes: [{name: build}]\ntools: {registry: {paths: [nowhere]}}\n");
	cr_expect_null(kc_tools_load(cfg, err, sizeof(err)));
	cr_expect(strstr(err, "cfg.yaml:6:") != NULL, "%s", err);
	cr_expect(strstr(err, "nowhere: not found; looked in") != NULL, "%s", err);
}

Test(tpsl, modes_enable_and_disable_tools_through_aliases)
{
	cJSON *reg, *t;

	tools_fixture();
	load_cfg("modes:\n  - {name: build, tools_enabled: ['*'], tools_disabled: [sh]}\n"
		 "  - {name: plan, tools_enabled: [read, w]}\n  - {name: none, tools_enabled: []}\n"
		 "  - {name: all}\n"
		 "tools: {registry: {paths: [defs, more]}, aliases: {sh: shell, w: write}}\n");
	reg = kc_tools_load(cfg, err, sizeof(err));
	cr_assert_not_null(reg, "%s", err);
	t = kc_tools_for_mode(cfg, reg, "build", err, sizeof(err));
	cr_expect_eq(cJSON_GetArraySize(t), 2);
	cJSON_Delete(t);
	t = kc_tools_for_mode(cfg, reg, "plan", err, sizeof(err));
	cr_expect_eq(cJSON_GetArraySize(t), 2);
	cr_expect_str_eq(name_at(t, 1), "write");
	cJSON_Delete(t);
	t = kc_tools_for_mode(cfg, reg, "none", err, sizeof(err));
	cr_expect_eq(cJSON_GetArraySize(t), 0);
	cJSON_Delete(t);
	t = kc_tools_for_mode(cfg, reg, "all", err, sizeof(err));
	cr_expect_eq(cJSON_GetArraySize(t), 3);
	cJSON_Delete(t);
	cr_expect_null(kc_tools_for_mode(cfg, reg, "nope", err, sizeof(err)));
	cr_expect(strstr(err, "no mode named 'nope'") != NULL);
	cJSON_Delete(reg);
}

Test(tpsl, native_schemas_are_json_schema_objects)
{
	cJSON *reg, *nat;
	char *s;

	tools_fixture();
	load_cfg("modes: [{name: build}]\ntools: {registry: {paths: [defs]}}\n");
	reg = kc_tools_load(cfg, err, sizeof(err));
	cr_assert_not_null(reg, "%s", err);
	nat = kc_tools_native_schemas(reg);
	s = cJSON_PrintUnformatted(cJSON_GetArrayItem(nat, 1));
	cr_expect_str_eq(s, "{\"name\":\"write\",\"description\":\"Write a file\",\"parameters\":"
			    "{\"type\":\"object\",\"properties\":{\"path\":{\"type\":\"string\"},"
			    "\"mode\":{\"type\":\"integer\",\"default\":420}},\"required\":[\"path\"]}}");
	free(s);
	cJSON_Delete(nat);
	cJSON_Delete(reg);
}

Test(tpsl, check_config_warns_about_unknown_tool_names_and_missing_packs)
{
	tools_fixture();
	load_cfg("modes: [{name: build, tools_enabled: [read, grep]}]\n"
		 "tools: {registry: {paths: [defs]}}\n"
		 "prompts: {packs: {base: {system: no/such.md, off_key: null}}}\n");
	cr_expect_eq(kc_tools_check_config(cfg, &diag), 1);
	cr_expect_eq(diag.nwarnings, 1);
	cr_expect(strstr(diag.items[0].msg, "modes[0].tools_enabled[1]: 'grep' is neither") != NULL,
		  "%s", diag.items[0].msg);
	cr_expect(strstr(diag.items[1].msg, "cfg.yaml:7:") != NULL, "%s", diag.items[1].msg);
	cr_expect(strstr(diag.items[1].msg, "prompts.packs.base.system: no/such.md: not found") != NULL,
		  "%s", diag.items[1].msg);
}

Test(tpsl, start_mode_follows_the_loop_and_features)
{
	load_cfg("modes: [{name: plan}, {name: build}]\nfeatures: {plan: false}\n"
		 "loop: {sequence: [{if: features.plan, then: {mode: plan}}, {mode: build}]}\n");
	cr_expect_str_eq(kc_prompts_start_mode(cfg), "build");
}

Test(tpsl, sha256_matches_fips_vectors)
{
	struct kc_sha256 s;
	char hex[65];
	int i;

	kc_sha256_hex("", 0, hex);
	cr_expect_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	kc_sha256_hex("abc", 3, hex);
	cr_expect_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	kc_sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, hex);
	cr_expect_str_eq(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	kc_sha256_init(&s);
	for (i = 0; i < 1000000; i++)
		kc_sha256_update(&s, "a", 1);
	kc_sha256_final_hex(&s, hex);
	cr_expect_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}
