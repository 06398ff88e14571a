/* Hostile templates end with an error, never a crash or a hang: deep
 * nesting, runaway recursion, huge ranges and strings, endless loops. */
#include "tests/unit/template_testutil.h"

static char *
repeat(const char *unit, size_t times, const char *tail)
{
	size_t ul = strlen(unit), tl = strlen(tail), i;
	char *s = xmalloc(ul * times + tl + 1);

	for (i = 0; i < times; i++)
		memcpy(s + i * ul, unit, ul);
	memcpy(s + ul * times, tail, tl + 1);
	return s;
}

Test(template_hostile, deep_parentheses_fail_cleanly)
{
	char *src = repeat("(", 100000, "1");
	char *full = xasprintf("{{ %s }}", src);

	tt_expect_err(full, NULL, "nested too deeply");
	free(src);
	free(full);
}

Test(template_hostile, deep_block_nesting_fails_cleanly)
{
	char *src = repeat("{% if true %}", 5000, "x");

	tt_expect_err(src, NULL, "nested too deeply");
	free(src);
}

Test(template_hostile, deep_unary_chain_fails_cleanly)
{
	char *src = repeat("-", 50000, "1");
	char *full = xasprintf("{{ %s }}", src);

	tt_expect_err(full, NULL, "nested too deeply");
	free(src);
	free(full);
}

Test(template_hostile, infinite_macro_recursion_is_bounded)
{
	tt_expect_err("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", NULL, "recursion too deep");
}

Test(template_hostile, huge_range_is_refused)
{
	tt_expect_err("{% for i in range(1000000000) %}{% endfor %}", NULL, "range too big");
}

Test(template_hostile, huge_string_repeat_is_refused_before_allocation)
{
	tt_expect_err("{{ 'x' * 10000000000 }}", NULL, "output too large");
	tt_expect_err("{{ [1, 2] * 10000000000 }}", NULL, "output too large");
}

Test(template_hostile, repeating_empty_sequences_a_huge_number_of_times_is_instant)
{
	/* found by the random differential test: this used to spin 2**62 times */
	tt_expect("[{{ '' * 2 ** 62 }}{{ () * 2 ** 62 }}{{ [] * 4611686018427387904 }}]", NULL, "[()[]]");
}

Test(template_hostile, nested_loops_hit_the_work_budget)
{
	tt_expect_err("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", NULL,
		      "too much work");
}

Test(template_hostile, output_growth_hits_the_output_limit)
{
	tt_expect_err("{% for i in range(1000000) %}{{ 'y' * 1000 }}{% endfor %}", NULL, "output too large");
}

Test(template_hostile, doubling_a_string_hits_the_limit)
{
	tt_expect_err("{% set ns = namespace(s='xxxxxxxx') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
		      NULL, "too large");
}

Test(template_hostile, huge_format_width_is_refused)
{
	tt_expect_err("{{ '%999999999d'|format(1) }}", NULL, "width too big");
}

Test(template_hostile, integer_overflow_is_an_error_not_wraparound)
{
	tt_expect_err("{{ 9223372036854775807 + 1 }}", NULL, "integer overflow");
	tt_expect_err("{{ 2 ** 64 }}", NULL, "integer overflow");
}

Test(template_hostile, nul_bytes_and_invalid_utf8_do_not_crash)
{
	static const char src[] = "a\0b{{ '\xff\xfe' }}\xc3";
	struct kc_tpl *t = kc_tpl_parse(src, sizeof(src) - 1, "t", tt_err, sizeof(tt_err));
	struct strbuf out = STRBUF_INIT;

	cr_assert_not_null(t, "%s", tt_err);
	cr_expect_eq(kc_tpl_render(t, NULL, &out, tt_err, sizeof(tt_err)), 0, "%s", tt_err);
	cr_expect_eq(out.len, 6);
	cr_expect(memcmp(out.buf, "a\0b\xff\xfe\xc3", 6) == 0);
	strbuf_free(&out);
	kc_tpl_free(t);
}

Test(template_hostile, deeply_nested_data_prints_or_fails_cleanly)
{
	char *open = repeat("[", 900, "");
	char *close = repeat("]", 900, "");
	char *json = xasprintf("{\"x\": %s%s}", open, close);
	char *got = tt_render("{{ x }}", json);

	/* either printed in full or refused with an error: never a crash */
	cr_expect(got != NULL || strstr(tt_err, "nested too deeply") != NULL, "%s", tt_err);
	free(got);
	free(open);
	free(close);
	free(json);
}
