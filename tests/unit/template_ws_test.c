/* Whitespace rules of trim_blocks + lstrip_blocks + "-"/"+" modifiers and
 * keep_trailing_newline=False; every expectation was checked against
 * Jinja2 3.1. */
#include "tests/unit/template_testutil.h"

Test(template_ws, trim_blocks_removes_one_newline_after_a_block_tag)
{
	tt_expect("{% if true %}\n\nA{% endif %}\n", NULL, "\nA");
}

Test(template_ws, lstrip_blocks_removes_indentation_before_a_block_tag)
{
	tt_expect("x\n    {% if true %}\n    y\n    {% endif %}\nz", NULL, "x\n    y\nz");
}

Test(template_ws, lstrip_blocks_leaves_text_before_a_tag_mid_line)
{
	tt_expect("a  {% if true %}b{% endif %}", NULL, "a  b");
}

Test(template_ws, lstrip_blocks_does_not_apply_to_variables)
{
	tt_expect("  {{ 1 }}", NULL, "  1");
}

Test(template_ws, lstrip_blocks_counts_text_after_a_trimmed_tag_as_line_start)
{
	tt_expect("{% if true %}\n  {% if true %}x{% endif %}{% endif %}", NULL, "x");
	tt_expect("{{ 1 }}  {% if true %}x{% endif %}", NULL, "1  x");
}

Test(template_ws, minus_strips_all_whitespace_both_ways)
{
	tt_expect("a \n\t {%- if true -%} \n\n b {%- endif %}", NULL, "ab");
	tt_expect("a  {{- 1 -}}  \n b", NULL, "a1b");
}

Test(template_ws, plus_disables_lstrip_and_trim)
{
	tt_expect("  {%+ if true %}x{% endif %}", NULL, "  x");
	tt_expect("{% if true +%}\nx{% endif %}", NULL, "\nx");
}

Test(template_ws, comments_follow_the_block_rules)
{
	tt_expect("a\n   {# c #}\nb", NULL, "a\nb");
	tt_expect("a {#- c -#} b", NULL, "ab");
}

Test(template_ws, raw_keeps_newline_after_begin_but_endraw_trims)
{
	tt_expect("{% raw %}\n{{ x }}{% endraw %}\nz", NULL, "\n{{ x }}z");
}

Test(template_ws, only_one_trailing_newline_is_dropped)
{
	tt_expect("a\n\n", NULL, "a\n");
	tt_expect("a\n", NULL, "a");
}

Test(template_ws, crlf_and_cr_become_lf)
{
	tt_expect("a\r\nb\rc\r\n", NULL, "a\nb\nc");
	tt_expect("{% if true %}\r\nx{% endif %}", NULL, "x");
}

Test(template_ws, minus_strips_unicode_whitespace)
{
	tt_expect("a\xe3\x80\x80\xc2\xa0{{- 1 }}", NULL, "a1");
}
