/* The ```yaml command dialect. */
#include "tests/unit/dialect_testutil.h"

Test(dialect_yaml, tool_args_with_typed_scalars)
{
	struct parsed p;

	parse_with(&p, REG_DEFS, "yaml_command",
	           "```yaml\ntool: run_shell\nargs:\n  command: make test\n  timeout: 30\n```\n");
	cr_assert_eq(nerrors(&p), 0, "%s", err_msg(&p, 0));
	cr_assert_str_eq(call_name(&p, 0), "run_shell");
	cr_assert_str_eq(call_sarg(&p, 0, "command"), "make test");
	cr_assert(cJSON_IsNumber(call_arg(&p, 0, "timeout")));
	parsed_free(&p);
}

Test(dialect_yaml, block_scalar_quoted_number_and_short_form)
{
	struct parsed p;

	parse_with(&p, REG_DEFS, "yaml_command",
	           "```yml\n- tool: create_file_from_block\n  args:\n    file_name: \"007\"\n    "
	           "content: |\n"
	           "      line 1\n      line 2\n- name: read_file\n  arguments: {path: a.c}\n```\n"
	           "```yaml\nlist_dir:\n  path: src\n  depth: 2\n```");
	cr_assert_eq(nerrors(&p), 0, "%s", err_msg(&p, 0));
	cr_assert_eq(ncalls(&p), 3);
	cr_assert_str_eq(call_sarg(&p, 0, "file_name"), "007");
	cr_assert_str_eq(call_sarg(&p, 0, "content"), "line 1\nline 2\n");
	cr_assert_str_eq(call_sarg(&p, 1, "path"), "a.c");
	cr_assert_str_eq(call_name(&p, 2), "list_dir");
	parsed_free(&p);
}

Test(dialect_yaml, ci_config_is_data_not_a_call)
{
	struct parsed p;

	parse_with(&p, REG_DEFS, "yaml_command", "```yaml\nname: build\non: [push]\n```");
	cr_assert_eq(ncalls(&p), 0);
	cr_assert_eq(nerrors(&p), 0);
	parsed_free(&p);
}

Test(dialect_yaml, error_bad_indentation_gives_position)
{
	struct parsed p;

	parse_with(&p, REG_DEFS, "yaml_command",
	           "```yaml\ntool: run_shell\nargs:\n  command: a\n command2: b\n```");
	cr_assert_eq(ncalls(&p), 0);
	assert_contains(err_msg(&p, 0), "YAML block at line 1: ");
	assert_contains(err_msg(&p, 0), "at line 5 col");
	parsed_free(&p);
}

Test(dialect_yaml, alias_bomb_is_an_error)
{
	struct parsed p;

	parse_with(
	    &p, REG_DEFS, "yaml_command",
	    "```yaml\ntool: run_shell\na: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, "
	    "*a, *a, *a, *a, *a, *a, *a]\n"
	    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, "
	    "*c, *c, *c]\n"
	    "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nargs: {command: [*e, *e]}\n```");
	cr_assert_eq(ncalls(&p), 0);
	assert_contains(err_msg(&p, 0), "expands to too many nodes");
	parsed_free(&p);
}

Test(dialect_yaml, error_short_form_arguments_not_a_mapping)
{
	struct parsed p;

	parse_with(&p, REG_DEFS, "yaml_command", "```yaml\nlist_dir: [a, b]\n```");
	cr_assert_eq(ncalls(&p), 0);
	cr_assert_str_eq(err_msg(&p, 0),
	                 "YAML block at line 1: the arguments of 'list_dir' must be a "
	                 "mapping of parameter names to values");
	parsed_free(&p);
}
