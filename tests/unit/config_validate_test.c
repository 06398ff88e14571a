/* Schema-v2 validation: every message is "file:line:col: key.path: what",
 * errors for what the schema requires, warnings for unknown keys, and the
 * reference configs validate cleanly. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "lib/config/config.h"

static char dir[PATH_MAX];
static char file[PATH_MAX + 32];
static struct kc_diag_list diag;
static struct kc_config *cfg;

#define VALID_BASE                                                                                 \
	"version: 2\n"                                                                             \
	"workspace: {root: ./ws}\n"                                                                \
	"providers:\n"                                                                             \
	"  default_model: m/one\n"                                                                 \
	"  models:\n"                                                                              \
	"    - {id: m/one, adapter: openai, base_url: 'http://127.0.0.1:1/v1', api_key_env: K}\n"  \
	"modes:\n"                                                                                 \
	"  - {name: build, tools_enabled: ['*']}\n"                                                \
	"loop:\n"                                                                                  \
	"  sequence:\n"                                                                            \
	"    - mode: build\n"

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/kc_cfgval_XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/c.yaml", dir);
	kc_diag_list_init(&diag);
	cfg = NULL;
}

static void
teardown(void)
{
	kc_config_free(cfg);
	kc_diag_list_free(&diag);
	unlink(file);
	rmdir(dir);
}

TestSuite(config_validate, .init = setup, .fini = teardown);

/* Loads text and validates it; returns the number of errors. */
static int
check(const char *text)
{
	FILE *f = fopen(file, "w");

	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	cfg = kc_config_load(file, &diag);
	cr_assert_not_null(cfg, "%s", diag.n ? diag.items[0].msg : "");
	return kc_config_validate(cfg, &diag);
}

/* A message that contains "c.yaml:<where>: <rest>". */
static void
expect_msg(enum kc_diag_sev sev, const char *where, const char *rest)
{
	char want[512];
	size_t i;

	snprintf(want, sizeof(want), "c.yaml:%s: %s", where, rest);
	for (i = 0; i < diag.n; i++)
		if (diag.items[i].sev == sev && strstr(diag.items[i].msg, want) != NULL)
			return;
	for (i = 0; i < diag.n; i++)
		fprintf(stderr, "  got: %s\n", diag.items[i].msg);
	cr_expect_fail("no message with '%s'", want);
}

Test(config_validate, accepts_a_minimal_valid_config_with_base_url_and_api_key_env)
{
	cr_expect_eq(check(VALID_BASE), 0);
	cr_expect_eq(diag.nwarnings, 0, "%s", diag.n ? diag.items[0].msg : "");
}

Test(config_validate, rejects_version_other_than_2_at_its_line)
{
	const char *text = "version: 3\n"
	                   "workspace: {root: ./ws}\n"
	                   "providers: {default_model: a, models: [{id: a, adapter: openai}]}\n"
	                   "modes: [{name: b}]\nloop: {sequence: [{mode: b}]}\n";

	cr_expect_eq(check(text), 1);
	expect_msg(KC_DIAG_ERROR, "1:1", "version: must be 2");
}

Test(config_validate, reports_missing_required_sections)
{
	cr_expect_eq(check("version: 2\n"), 4);
	expect_msg(KC_DIAG_ERROR, "1:1", "workspace: missing (required)");
	expect_msg(KC_DIAG_ERROR, "1:1", "loop: missing (required)");
}

Test(config_validate, reports_model_entries_without_id_or_adapter)
{
	const char *text = "version: 2\nworkspace: {}\n"
	                   "providers:\n  default_model: a\n  models:\n    - {id: a, adapter: x}\n"
	                   "    - id: b\n"
	                   "modes: [{name: b}]\nloop: {sequence: [{mode: b}]}\n";

	cr_expect_eq(check(text), 1);
	expect_msg(KC_DIAG_ERROR, "7:7", "providers.models[1].adapter: missing (required)");
}

Test(config_validate, requires_the_default_model_to_be_listed)
{
	const char *text = "version: 2\nworkspace: {}\n"
	                   "providers: {default_model: zz, models: [{id: a, adapter: x}]}\n"
	                   "modes: [{name: b}]\nloop: {sequence: [{mode: b}]}\n";

	cr_expect_eq(check(text), 1);
	expect_msg(KC_DIAG_ERROR, "3:13", "providers.default_model: is not the id of any entry");
}

Test(config_validate, requires_non_empty_models_and_sequence)
{
	const char *text = "version: 2\nworkspace: {}\n"
	                   "providers: {default_model: a, models: []}\n"
	                   "modes: [{name: b}]\nloop: {sequence: []}\n";

	cr_expect_eq(check(text), 3);
	expect_msg(KC_DIAG_ERROR, "3:31", "providers.models: must not be empty");
	expect_msg(KC_DIAG_ERROR, "5:8", "loop.sequence: must not be empty");
}

Test(config_validate, names_the_expected_and_actual_types)
{
	cr_expect_eq(
	    check(VALID_BASE "completion: {text_sentinels: done, confidence_threshold: high}\n"),
	    2);
	expect_msg(KC_DIAG_ERROR, "12:14",
	           "completion.text_sentinels: expected a list, got a string");
	expect_msg(KC_DIAG_ERROR, "12:36",
	           "completion.confidence_threshold: expected a number, got a string");
}

Test(config_validate, warns_about_unknown_keys_at_any_depth)
{
	cr_expect_eq(
	    check(VALID_BASE "tols: {}\nconcurrency: {groups: [{name: g, max_paralel: 2}]}\n"), 0);
	expect_msg(KC_DIAG_WARN, "12:1", "tols: unknown key (ignored)");
	expect_msg(KC_DIAG_WARN, "13:34", "concurrency.groups[0].max_paralel: unknown key");
}

Test(config_validate, checks_enumerated_values)
{
	cr_expect_eq(check(VALID_BASE "prompts: {tool_prompt_mode: sometimes}\n"), 1);
	expect_msg(KC_DIAG_ERROR, "12:11", "prompts.tool_prompt_mode: 'sometimes' is not one of:");
}

Test(config_validate, loop_steps_must_name_existing_modes)
{
	cr_expect_eq(check(VALID_BASE "    - if: features.plan\n      then: {mode: plan}\n"), 1);
	expect_msg(KC_DIAG_ERROR, "13:14",
	           "loop.sequence[1].then.mode: no mode (in modes) is named plan");
}

Test(config_validate, tpsl_selection_must_name_a_defined_family)
{
	cr_expect_eq(check(VALID_BASE "prompts:\n  tool_prompt_synthesis:\n    enabled: true\n"
	                              "    dialects: {pythonic: {system_full: x.j2.md}}\n"
	                              "    selection: {by_mode: {build: unified_diff}}\n"),
	             1);
	expect_msg(
	    KC_DIAG_ERROR, "16:27",
	    "prompts.tool_prompt_synthesis.selection.by_mode.build: names a template family");
}

Test(config_validate, mode_names_are_unique)
{
	const char *text = "version: 2\nworkspace: {}\n"
	                   "providers: {default_model: a, models: [{id: a, adapter: x}]}\n"
	                   "modes: [{name: b}, {name: b}]\nloop: {sequence: [{mode: b}]}\n";

	cr_expect_eq(check(text), 1);
	expect_msg(KC_DIAG_ERROR, "4:21", "modes[1].name: a second mode with this name: b");
}

Test(config_validate, reference_configs_validate_without_errors)
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
		cr_assert_not_null(c);
		cr_expect_eq(kc_config_validate(c, &diag), 0, "%s: %s", names[i],
		             diag.n ? diag.items[0].msg : "");
		/* every key they use is known to the schema */
		cr_expect_eq(diag.nwarnings, 0, "%s: %s", names[i],
		             diag.n ? diag.items[0].msg : "");
		kc_config_free(c);
	}
}

#define VERSION_FMT                                                                                \
	"version: %s\nworkspace: {}\n"                                                             \
	"providers: {default_model: a, models: [{id: a, adapter: x}]}\n"                          \
	"modes: [{name: b}]\nloop: {sequence: [{mode: b}]}\n"

Test(config_validate, huge_and_float_versions_are_checked_by_value)
{
	char text[512];

	snprintf(text, sizeof(text), VERSION_FMT, "1.0e+300");
	cr_expect_eq(check(text), 1);
	expect_msg(KC_DIAG_ERROR, "1:1", "version: must be 2");
	kc_config_free(cfg);
	kc_diag_list_free(&diag);
	snprintf(text, sizeof(text), VERSION_FMT, "2.0"); /* the prototype did int(version) == 2 */
	cr_expect_eq(check(text), 0);
}
