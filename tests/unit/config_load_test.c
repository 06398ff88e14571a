/* Loading configs: extends (relative, several, multi-level), the
 * prototype's deep merge, cycles reported with the chain, locations of
 * merged nodes, and the DESIGN §3 path lookup. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "lib/config/config_int.h"
#include "lib/core/strbuf.h"

static char dir[PATH_MAX];
static struct kc_diag_list diag;

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/kc_cfgload_XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	kc_diag_list_init(&diag);
}

static void
teardown(void)
{
	char cmd[PATH_MAX + 16];

	kc_diag_list_free(&diag);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(config_load, .init = setup, .fini = teardown);

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

static struct kc_config *
load(const char *name)
{
	char path[PATH_MAX * 2];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return kc_config_load(path, &diag);
}

static char *
json_of(const struct kc_config *c)
{
	return cJSON_PrintUnformatted(kc_config_root(c));
}

static int
diag_has(const char *needle)
{
	size_t i;

	for (i = 0; i < diag.n; i++)
		if (strstr(diag.items[i].msg, needle) != NULL)
			return 1;
	return 0;
}

Test(config_load, deep_merges_maps_and_replaces_lists_and_scalars)
{
	struct kc_config *c;
	char *s;

	put("base.yaml", "a: 1\nm: {x: 1, y: {p: 1, q: 2}}\nl: [1, 2]\nz: keep\n");
	put("child.yaml", "extends: base.yaml\nm: {y: {q: 3}, w: 4}\nl: [9]\na: null\nnew: 5\n");
	c = load("child.yaml");
	cr_assert_not_null(c);
	s = json_of(c);
	/* base key order, replaced values in place, new keys appended */
	cr_expect_str_eq(s, "{\"a\":null,\"m\":{\"x\":1,\"y\":{\"p\":1,\"q\":3},\"w\":4},\"l\":[9],"
	                    "\"z\":\"keep\",\"new\":5}");
	free(s);
	kc_config_free(c);
}

Test(config_load, merges_several_bases_in_order_before_the_child)
{
	struct kc_config *c;
	char *s;

	put("b1.yaml", "k: 1\nm: {a: 1}\n");
	put("b2.yaml", "k: 2\nm: {b: 2}\n");
	put("c.yaml", "extends: [b1.yaml, b2.yaml]\nm: {c: 3}\n");
	c = load("c.yaml");
	cr_assert_not_null(c);
	s = json_of(c);
	cr_expect_str_eq(s, "{\"k\":2,\"m\":{\"a\":1,\"b\":2,\"c\":3}}");
	free(s);
	kc_config_free(c);
}

Test(config_load, resolves_extends_relative_to_the_file_that_says_it_recursively)
{
	struct kc_config *c;
	char *s;

	put("root.yaml", "r: 0\nx: root\n");
	put("sub/mid.yaml", "extends: ../root.yaml\nx: mid\n");
	put("sub/deeper/leaf.yaml", "extends: ../mid.yaml\ny: leaf\n");
	c = load("sub/deeper/leaf.yaml");
	cr_assert_not_null(c, "%s", diag.n ? diag.items[0].msg : "");
	s = json_of(c);
	cr_expect_str_eq(s, "{\"r\":0,\"x\":\"mid\",\"y\":\"leaf\"}");
	free(s);
	cr_expect_null(cJSON_GetObjectItem(kc_config_root(c), "extends"));
	kc_config_free(c);
}

Test(config_load, reports_a_cycle_with_its_chain_and_location)
{
	put("a.yaml", "extends: b.yaml\n");
	put("b.yaml", "x: 1\nextends: a.yaml\n");
	cr_expect_null(load("a.yaml"));
	cr_expect(diag_has("b.yaml:2:10: extends: cycle: "), "%s", diag.items[0].msg);
	cr_expect(diag_has("a.yaml -> "), "%s", diag.items[0].msg);
	cr_expect(diag_has("b.yaml -> "), "%s", diag.items[0].msg);
}

Test(config_load, reports_a_file_extending_itself)
{
	put("self.yaml", "extends: self.yaml\n");
	cr_expect_null(load("self.yaml"));
	cr_expect(diag_has("cycle"));
}

Test(config_load, reports_a_missing_base_where_it_is_named)
{
	put("c.yaml", "a: 1\nextends:\n  - nope.yaml\n");
	cr_expect_null(load("c.yaml"));
	cr_expect(diag_has("c.yaml:3:5: extends: "), "%s", diag.items[0].msg);
	cr_expect(diag_has("No such file"));
}

Test(config_load, refuses_extends_that_is_not_a_path)
{
	put("c.yaml", "extends: 3\n");
	cr_expect_null(load("c.yaml"));
	cr_expect(diag_has("c.yaml:1:10: extends: must be a path or a list of paths"), "%s",
	          diag.items[0].msg);
}

Test(config_load, refuses_a_top_level_that_is_not_a_mapping)
{
	put("l.yaml", "- a\n- b\n");
	cr_expect_null(load("l.yaml"));
	cr_expect(diag_has("l.yaml:1:1: the top level of a config must be a mapping"));
}

Test(config_load, an_empty_file_is_an_empty_mapping)
{
	struct kc_config *c;

	put("e.yaml", "");
	c = load("e.yaml");
	cr_assert_not_null(c);
	cr_expect(cJSON_IsObject(kc_config_root(c)));
	cr_expect_null(kc_config_root(c)->child);
	kc_config_free(c);
}

Test(config_load, refuses_an_overlong_extends_chain)
{
	char name[32], text[64];
	int i;

	for (i = 0; i < KC_CONFIG_MAX_EXTENDS_DEPTH + 5; i++) {
		snprintf(name, sizeof(name), "c%d.yaml", i);
		snprintf(text, sizeof(text), "extends: c%d.yaml\nv%d: 1\n", i + 1, i);
		put(name, text);
	}
	put("c40.yaml", "end: 1\n");
	cr_expect_null(load("c0.yaml"));
	cr_expect(diag_has("deeper than"));
}

Test(config_load, locates_merged_nodes_in_the_file_they_came_from)
{
	struct kc_config *c;
	struct kc_loc l;
	const cJSON *root;

	put("base.yaml", "keep:\n  deep: 1\nover: 1\n");
	put("child.yaml", "extends: base.yaml\n\nover: 2\n");
	c = load("child.yaml");
	cr_assert_not_null(c);
	root = kc_config_root(c);
	cr_assert_eq(kc_config_where(c, kc_cfg_get(root, "keep.deep"), &l), 0);
	cr_expect(strstr(l.file, "/base.yaml") != NULL);
	cr_expect_eq(l.key_line, 2);
	cr_assert_eq(kc_config_where(c, kc_cfg_get(root, "over"), &l), 0);
	cr_expect(strstr(l.file, "/child.yaml") != NULL);
	cr_expect_eq(l.key_line, 3);
	kc_config_free(c);
}

Test(config_load, yaml_errors_in_a_base_name_the_base)
{
	put("base.yaml", "a: [1\n");
	put("child.yaml", "extends: base.yaml\n");
	cr_expect_null(load("child.yaml"));
	cr_expect(diag_has("/base.yaml:"), "%s", diag.items[0].msg);
}

Test(config_load, resolves_paths_from_the_config_dir_and_its_parents)
{
	struct kc_config *c;
	char err[4096] = "", *p;

	put("implementations/tools/defs/x.yaml", "id: x\n");
	put("agent_configs/c.yaml", "a: 1\n");
	c = load("agent_configs/c.yaml");
	cr_assert_not_null(c);
	p = kc_config_resolve_path(c, "implementations/tools/defs", err, sizeof(err));
	cr_assert_not_null(p, "%s", err);
	cr_expect(strstr(p, "/implementations/tools/defs") != NULL);
	cr_expect_eq(strncmp(p, "/", 1), 0);
	free(p);
	p = kc_config_resolve_path(c, "no/such/thing", err, sizeof(err));
	cr_expect_null(p);
	cr_expect(strstr(err, "no/such/thing: not found; looked in ") != NULL, "%s", err);
	cr_expect(strstr(err, "(working directory)") != NULL, "%s", err);
	cr_expect(strstr(err, "/agent_configs") != NULL, "%s", err);
	kc_config_free(c);
}

Test(config_load, effective_adds_defaults_and_resolves_paths)
{
	struct kc_locmap *locs = kc_locmap_new();
	struct kc_config *c;
	cJSON *eff;

	put("prompts/sys.md", "hello\n");
	put("cfg/c.yaml", "prompts:\n  packs:\n    base: {system: prompts/sys.md, gone: null}\n");
	c = load("cfg/c.yaml");
	cr_assert_not_null(c);
	eff = kc_config_effective(c, locs, &diag);
	cr_assert_not_null(eff, "%s", diag.n ? diag.items[0].msg : "");
	cr_expect_str_eq(kc_cfg_str(eff, "workspace.sandbox.driver", ""), "jail");
	cr_expect_str_eq(kc_cfg_str(eff, "prompts.tool_prompt_mode", ""),
	                 "system_compiled_and_persistent_per_turn");
	cr_expect(strstr(kc_cfg_str(eff, "prompts.packs.base.system", ""), "/prompts/sys.md") !=
	          NULL);
	cr_expect(cJSON_IsNull(kc_cfg_get(eff, "prompts.packs.base.gone")));
	/* the merged document itself is untouched */
	cr_expect_null(kc_cfg_get(kc_config_root(c), "workspace"));
	cJSON_Delete(eff);
	kc_locmap_free(locs);
	kc_config_free(c);
}

Test(config_load, effective_reports_a_path_found_nowhere_at_its_key)
{
	struct kc_config *c;

	put("c.yaml", "tools:\n  registry:\n    paths: [missing/defs]\n");
	c = load("c.yaml");
	cr_assert_not_null(c);
	cr_expect_null(kc_config_effective(c, NULL, &diag));
	cr_expect(diag_has("c.yaml:3:13: tools.registry.paths: missing/defs: not found"), "%s",
	          diag.n ? diag.items[0].msg : "");
	kc_config_free(c);
}

/* The reference configs (beside the clone in CI) load and keep what the
 * children say. */
Test(config_load, loads_the_reference_configs)
{
	static const char *const names[] = {"base_v2.yaml", "opencode_gpt5_nano_c_fs_v2.yaml",
	                                    "opencode_grok4fast_c_fs_v2.yaml",
	                                    "opencode_mock_c_fs.yaml"};
	char path[PATH_MAX];
	struct kc_config *c;
	size_t i;

	snprintf(path, sizeof(path), "%s/../shared/reference/kylecode/agent_configs", KC_SRC_DIR);
	if (access(path, R_OK) != 0)
		cr_skip_test("reference configs not found at %s", path);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/../shared/reference/kylecode/agent_configs/%s",
		         KC_SRC_DIR, names[i]);
		c = kc_config_load(path, &diag);
		cr_assert_not_null(c, "%s: %s", names[i], diag.n ? diag.items[0].msg : "");
		cr_expect_eq(kc_cfg_num(kc_config_root(c), "version", 0), 2);
		if (i == 3) {
			cr_expect_str_eq(
			    kc_cfg_str(kc_config_root(c), "providers.default_model", ""),
			    "mock/dev");
			/* two levels up: base_v2's telemetry survives */
			cr_expect_not_null(
			    kc_cfg_get(kc_config_root(c), "telemetry.per_turn_metrics"));
		}
		kc_config_free(c);
	}
}
