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
	load_cfg("modes: [{name: build}]\ntools:\n  registry: {paths: [defs, more], include: "
	         "['s*', w]}\n"
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
	cr_expect_str_eq(
	    cJSON_GetArrayItem(cJSON_GetObjectItem(t, "preferred_formats"), 0)->valuestring,
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
	cr_expect_str_eq(
	    s, "{\"name\":\"write\",\"description\":\"Write a file\",\"parameters\":"
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
	cr_expect(strstr(diag.items[1].msg, "prompts.packs.base.system: no/such.md: not found") !=
	              NULL,
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

/* ---- the prompt compiler ---- */

#define PROMPT_BASE                                                                                \
	"modes:\n  - {name: build, prompt: '@pack(base).builder'}\n  - {name: plan}\n"             \
	"tools: {registry: {paths: [defs]}}\n"

static void
prompt_fixture(void)
{
	tools_fixture();
	put("p/system.md", "SYSTEM TEXT\n\n");
	put("p/builder.md", "BUILDER TEXT\n");
	put("t/a_sys.j2",
	    "A-SYS {{ dialect }}/{{ detail }}:{% for t in tools %} {{ t.name }}{% endfor %}\n");
	put("t/a_sys_med.j2", "A-SYS-MEDIUM\n");
	put("t/a_pt.j2", "A-PT{% for t in tools %} {{ t.display_name }}{% endfor %}\n");
	put("t/b_sys.j2", "B-SYS\n");
	put("t/b_pt_long.j2", "B-PT-LONG\n");
}

static void
compile_ok(const char *mode, const char *model, struct kc_prompts *out)
{
	cr_assert_eq(kc_prompts_compile(cfg, mode, model, out, err, sizeof(err)), 0, "%s", err);
}

Test(tpsl, system_prompt_follows_system_order_and_cache_markers)
{
	struct kc_prompts out = {0};
	const cJSON *chunks;

	prompt_fixture();
	load_cfg(PROMPT_BASE
	         "prompts:\n  packs: {base: {system: p/system.md, builder: p/builder.md}}\n"
	         "  injection:\n    system_order: ['@pack(base).system', "
	         "'[CACHE] @pack(base).builder']\n    per_turn_order: [mode_specific]\n");
	compile_ok("build", NULL, &out);
	cr_expect_str_eq(out.system, "SYSTEM TEXT\n\nBUILDER TEXT");
	/* builder is already in the system prompt: not repeated per turn */
	cr_expect_str_eq(out.per_turn, "");
	chunks = cJSON_GetObjectItem(out.catalog_manifest, "system");
	cr_expect(!cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetArrayItem(chunks, 0), "cache")));
	cr_expect(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetArrayItem(chunks, 1), "cache")));
	cr_expect_str_eq(out.mode, "build");
	cr_expect_eq(strlen(out.cache_key), 64);
	kc_prompts_free(&out);
}

Test(tpsl, mode_specific_and_the_mode_prompt_fill_the_per_turn_text)
{
	struct kc_prompts out = {0};

	prompt_fixture();
	load_cfg(PROMPT_BASE
	         "prompts:\n  packs: {base: {system: p/system.md, builder: p/builder.md}}\n"
	         "  injection: {system_order: ['@pack(base).system']}\n");
	compile_ok("build", NULL, &out);
	cr_expect_str_eq(out.per_turn, "BUILDER TEXT"); /* from the mode's prompt */
	kc_prompts_free(&out);
}

#define TPSL_CFG(sel, detail)                                                                      \
	PROMPT_BASE "prompts:\n  packs: {base: {system: p/system.md}}\n"                           \
	            "  injection: {system_order: ['@pack(base).system']}\n"                        \
	            "  tool_prompt_synthesis:\n    enabled: true\n"                                \
	            "    dialects:\n      fam_a: {system_full: t/a_sys.j2, system_medium: "        \
	            "t/a_sys_med.j2, per_turn_short: t/a_pt.j2}\n"                                 \
	            "      fam_b: {system_short: t/b_sys.j2, per_turn_long: t/b_pt_long.j2}\n"     \
	            "    selection: " sel "\n    detail: " detail "\n"

Test(tpsl, by_mode_selects_the_family_and_templates_see_the_mode_tools)
{
	struct kc_prompts out = {0};

	prompt_fixture();
	load_cfg(TPSL_CFG("{by_mode: {build: fam_a}}", "{system: full, per_turn: short}"));
	compile_ok("build", NULL, &out);
	cr_expect_str_eq(out.system, "SYSTEM TEXT\n\nA-SYS fam_a/full: read write");
	cr_expect_str_eq(out.per_turn, "A-PT read write");
	cr_expect_str_eq(out.tpsl_dialect, "fam_a");
	cr_expect_eq(cJSON_GetArraySize(out.native_tools), 2);
	kc_prompts_free(&out);
}

Test(tpsl, falls_back_within_a_family_in_the_prototype_order)
{
	struct kc_prompts out = {0};

	prompt_fixture();
	/* fam_b has no system_full/medium -> system_short; no per_turn_short
	 * or medium -> per_turn_long */
	load_cfg(TPSL_CFG("{by_mode: {build: fam_b}}", "{system: full, per_turn: short}"));
	compile_ok("build", NULL, &out);
	cr_expect_str_eq(out.system, "SYSTEM TEXT\n\nB-SYS");
	cr_expect_str_eq(out.per_turn, "B-PT-LONG");
	kc_prompts_free(&out);
	kc_config_free(cfg);
	/* medium asked, present: taken before full */
	load_cfg(TPSL_CFG("{by_mode: {build: fam_a}}", "{system: medium, per_turn: short}"));
	compile_ok("build", NULL, &out);
	cr_expect_str_eq(out.system, "SYSTEM TEXT\n\nA-SYS-MEDIUM");
	kc_prompts_free(&out);
}

Test(tpsl, by_model_globs_pick_the_family_when_the_mode_has_none)
{
	struct kc_prompts out = {0};

	prompt_fixture();
	load_cfg(TPSL_CFG("{by_model: {'vendor/*': fam_b, '*': fam_a}}",
	                  "{system: full, per_turn: short}"));
	compile_ok("build", "vendor/model-1", &out);
	cr_expect_str_eq(out.tpsl_dialect, "fam_b");
	kc_prompts_free(&out);
	compile_ok("build", "other/model", &out);
	cr_expect_str_eq(out.tpsl_dialect, "fam_a");
	kc_prompts_free(&out);
}

Test(tpsl, a_missing_per_turn_template_gives_an_empty_section_not_a_system_one)
{
	struct kc_prompts out = {0};

	prompt_fixture();
	put("t/c_sys.j2", "C-SYS\n");
	load_cfg(PROMPT_BASE "prompts:\n  tool_prompt_synthesis:\n    enabled: true\n"
	                     "    dialects: {pythonic: {system_full: t/c_sys.j2}}\n");
	compile_ok("plan", NULL, &out);
	cr_expect_str_eq(out.system, "C-SYS");
	cr_expect_str_eq(out.per_turn, "");
	kc_prompts_free(&out);
}

Test(tpsl, a_missing_system_template_is_a_compile_error)
{
	struct kc_prompts out = {0};

	prompt_fixture();
	load_cfg(PROMPT_BASE "prompts:\n  tool_prompt_synthesis:\n    enabled: true\n"
	                     "    dialects: {fam_x: {per_turn_short: t/a_pt.j2}}\n"
	                     "    selection: {by_mode: {build: fam_x}}\n");
	cr_expect_eq(kc_prompts_compile(cfg, "build", NULL, &out, err, sizeof(err)), -1);
	cr_expect(strstr(err, "no system template (system_full") != NULL, "%s", err);
	cr_expect(strstr(err, "[\"fam_x\",\"pythonic\"]") != NULL, "%s", err);
}

Test(tpsl, a_named_template_that_is_missing_is_an_error_at_its_key)
{
	struct kc_prompts out = {0};

	prompt_fixture();
	load_cfg(PROMPT_BASE "prompts:\n  tool_prompt_synthesis:\n    enabled: true\n"
	                     "    dialects: {pythonic: {system_full: t/none.j2}}\n");
	cr_expect_eq(kc_prompts_compile(cfg, "build", NULL, &out, err, sizeof(err)), -1);
	cr_expect(strstr(err, "cfg.yaml:12:27: prompts.tool_prompt_synthesis.dialects.pythonic."
	                      "system_full: t/none.j2: not found") != NULL,
	          "%s", err);
}

Test(tpsl, template_errors_name_the_template_and_line)
{
	struct kc_prompts out = {0};

	prompt_fixture();
	put("t/bad.j2", "line one\n{{ tools | nosuchfilter }}\n");
	load_cfg(PROMPT_BASE "prompts:\n  tool_prompt_synthesis:\n    enabled: true\n"
	                     "    dialects: {pythonic: {system_full: t/bad.j2}}\n");
	cr_expect_eq(kc_prompts_compile(cfg, "build", NULL, &out, err, sizeof(err)), -1);
	cr_expect(strstr(err, "t/bad.j2:2") != NULL, "%s", err);
}

Test(tpsl, tool_prompt_mode_decides_which_catalogs_are_rendered)
{
	static const struct {
		const char *extra, *system, *per_turn;
	} cases[] = {
	    {"  tool_prompt_mode: system_once\n", "A-SYS fam_a/full: read write", ""},
	    {"  tool_prompt_mode: per_turn_append\n", "", "A-PT read write"},
	    {"  tool_prompt_mode: none\n", "", ""},
	    {"", "A-SYS fam_a/full: read write", "A-PT read write"},
	};
	struct kc_prompts out = {0};
	char text[4096];
	size_t i;

	prompt_fixture();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text),
		         PROMPT_BASE
		         "prompts:\n%s  tool_prompt_synthesis:\n    enabled: true\n"
		         "    dialects: {fam_a: {system_full: t/a_sys.j2, per_turn_short: "
		         "t/a_pt.j2}}\n    selection: {by_mode: {build: fam_a}}\n",
		         cases[i].extra);
		kc_config_free(cfg);
		load_cfg(text);
		compile_ok("build", NULL, &out);
		cr_expect_str_eq(out.system, cases[i].system, "case %zu", i);
		cr_expect_str_eq(out.per_turn, cases[i].per_turn, "case %zu", i);
		kc_prompts_free(&out);
	}
}

Test(tpsl, native_tools_without_suppression_move_the_catalog_per_turn)
{
	struct kc_prompts out = {0};

	prompt_fixture();
	load_cfg(PROMPT_BASE "provider_tools: {use_native: true, suppress_prompts: false}\n"
	                     "prompts:\n  tool_prompt_synthesis:\n    enabled: true\n"
	                     "    dialects: {pythonic: {system_full: t/a_sys.j2, per_turn_short: "
	                     "t/a_pt.j2}}\n");
	compile_ok("build", NULL, &out);
	cr_expect_str_eq(out.system, "");
	cr_expect_str_eq(out.per_turn, "A-PT read write");
	kc_prompts_free(&out);
}

Test(tpsl, cache_key_is_stable_and_follows_the_toolset)
{
	struct kc_prompts a = {0}, b = {0};

	prompt_fixture();
	load_cfg(TPSL_CFG("{by_mode: {build: fam_a}}", "{system: full, per_turn: short}"));
	compile_ok("build", NULL, &a);
	compile_ok("build", NULL, &b);
	cr_expect_str_eq(a.cache_key, b.cache_key);
	kc_prompts_free(&b);
	put("defs/a_read.yaml", "id: read\nname: read\ndescription: Read it all\nparameters: []\n");
	compile_ok("build", NULL, &b);
	cr_expect_str_neq(a.cache_key, b.cache_key);
	kc_prompts_free(&a);
	kc_prompts_free(&b);
}
