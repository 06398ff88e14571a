/* Errors carry "name:line: message" with Jinja2's line and wording. */
#include <unistd.h>

#include "tests/unit/template_testutil.h"

Test(template_errors, undefined_variable_names_line)
{
	tt_expect_err("a\nb\n{{ nope }}", "{}", "t.j2:3: 'nope' is undefined");
}

Test(template_errors, undefined_attribute_names_the_type)
{
	tt_expect_err("{{ d.x }}", "{\"d\": {}}", "t.j2:1: 'dict object' has no attribute 'x'");
}

Test(template_errors, undefined_is_fine_for_defined_test_and_default)
{
	tt_expect("{{ nope is defined }} {{ nope|default('x') }} {{ d.x is undefined }}", "{\"d\": {}}",
		  "False x True");
}

Test(template_errors, strict_undefined_fails_in_conditions_and_loops)
{
	tt_expect_err("{% if nope %}{% endif %}", NULL, "'nope' is undefined");
	tt_expect_err("{% for x in nope %}{% endfor %}", NULL, "'nope' is undefined");
	tt_expect_err("{{ nope == 1 }}", NULL, "'nope' is undefined");
}

Test(template_errors, inline_if_without_else_gives_a_lenient_undefined)
{
	tt_expect("[{{ 1 if false }}]", NULL, "[]");
}

Test(template_errors, syntax_errors_name_line)
{
	tt_expect_err("ok\n{% if %}", NULL, "t.j2:2: Expected an expression");
	tt_expect_err("{% for x in y %}\n\n", NULL, "t.j2:2: Unexpected end of template");
	tt_expect_err("\n\n{% bogus %}", NULL, "t.j2:3: Encountered unknown tag 'bogus'.");
	tt_expect_err("{{ 1 + }}", NULL, "t.j2:1: unexpected 'end of print statement'");
}

Test(template_errors, unsupported_tags_say_so)
{
	tt_expect_err("{% include 'x' %}", NULL, "not supported");
}

Test(template_errors, runtime_type_errors_match_python)
{
	tt_expect_err("{{ 1 + 'a' }}", NULL, "unsupported operand type(s) for +: 'int' and 'str'");
	tt_expect_err("{{ 1 / 0 }}", NULL, "division by zero");
	tt_expect_err("{{ [1, 'a']|sort }}", NULL, "'<' not supported between instances of 'str' and 'int'");
}

Test(template_errors, generators_cannot_be_printed)
{
	tt_expect_err("{{ [1]|map('string') }}", NULL, "cannot print a generator");
}

Test(template_errors, error_buffer_is_truncated_safely)
{
	char small[8];
	struct kc_tpl *t = kc_tpl_parse("{{ nope }}", 10, "a-very-long-template-name", small, sizeof(small));
	struct strbuf out = STRBUF_INIT;

	cr_assert_not_null(t);
	cr_expect_eq(kc_tpl_render(t, NULL, &out, small, sizeof(small)), -1);
	cr_expect_eq(strlen(small), sizeof(small) - 1);
	strbuf_free(&out);
	kc_tpl_free(t);
}

Test(template_errors, non_object_data_is_rejected)
{
	struct kc_tpl *t = kc_tpl_parse("x", 1, "t", tt_err, sizeof(tt_err));
	struct strbuf out = STRBUF_INIT;
	cJSON *arr = cJSON_CreateArray();

	cr_assert_not_null(t);
	cr_expect_eq(kc_tpl_render(t, arr, &out, tt_err, sizeof(tt_err)), -1);
	cr_expect(strstr(tt_err, "must be a JSON object") != NULL, "%s", tt_err);
	cJSON_Delete(arr);
	strbuf_free(&out);
	kc_tpl_free(t);
}

Test(template_errors, render_file_names_the_path)
{
	char path[] = "/tmp/kc_tpl_test_XXXXXX";
	int fd = mkstemp(path);
	struct strbuf out = STRBUF_INIT;

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, "a\n{{ nope }}\n", 13), 13);
	close(fd);
	cr_expect_eq(kc_tpl_render_file(path, NULL, &out, tt_err, sizeof(tt_err)), -1);
	cr_expect(strncmp(tt_err, path, strlen(path)) == 0 && strstr(tt_err, ":2: ") != NULL, "%s", tt_err);
	unlink(path);
	cr_expect_eq(kc_tpl_render_file(path, NULL, &out, tt_err, sizeof(tt_err)), -1);
	cr_expect(strstr(tt_err, "cannot open") != NULL, "%s", tt_err);
	strbuf_free(&out);
}

Test(template_errors, parsed_template_renders_repeatedly_with_different_data)
{
	struct kc_tpl *t = kc_tpl_parse("{{ x }}", 7, "t", tt_err, sizeof(tt_err));
	struct strbuf out = STRBUF_INIT;
	cJSON *a = cJSON_Parse("{\"x\": 1}"), *b = cJSON_Parse("{\"x\": \"two\"}");

	cr_assert_not_null(t);
	cr_expect_eq(kc_tpl_render(t, a, &out, tt_err, sizeof(tt_err)), 0);
	cr_expect_eq(kc_tpl_render(t, b, &out, tt_err, sizeof(tt_err)), 0);
	cr_expect_str_eq(strbuf_str(&out), "1two");
	cJSON_Delete(a);
	cJSON_Delete(b);
	strbuf_free(&out);
	kc_tpl_free(t);
}
