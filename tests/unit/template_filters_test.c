/* One or more pinned results per builtin filter (values from Jinja2 3.1). */
#include "tests/unit/template_testutil.h"

#define DATA                                                                                         \
	"{\"items\": [3, 1, 2], \"words\": [\"b\", \"A\", \"c\", \"a\"], \"d\": {\"b\": 2, \"a\": 1}, " \
	"\"users\": [{\"n\": \"x\", \"age\": 3, \"on\": true}, {\"n\": \"y\", \"age\": 1, \"on\": false}]}"

Test(template_filters, default_uses_fallback_for_undefined_and_falsy_with_boolean)
{
	tt_expect("{{ nope|default('d') }}|{{ ''|d('e', true) }}|{{ ''|default('e') }}|{{ none|default(1) }}", NULL,
		  "d|e||None");
}

Test(template_filters, length_counts_code_points_items_and_keys)
{
	tt_expect("{{ 'h\xc3\xa9'|length }} {{ items|count }} {{ d|length }}", DATA, "2 3 2");
}

Test(template_filters, join_stringifies_items_and_takes_attribute)
{
	tt_expect("{{ items|join }} {{ [1, none]|join(', ') }} {{ users|join('/', attribute='n') }}", DATA,
		  "312 1, None x/y");
}

Test(template_filters, case_filters)
{
	tt_expect("{{ 'aB'|upper }} {{ 'aB'|lower }} {{ 'hELLO wORLD'|capitalize }} {{ 'a-b c(d'|title }}", NULL,
		  "AB ab Hello world A-B C(D");
}

Test(template_filters, trim_and_replace)
{
	tt_expect("[{{ ' \t x \n'|trim }}] {{ 'xxax'|trim('x') }} {{ 'aaa'|replace('a', 'b', 2) }} {{ 'ab'|replace('', '-') }}",
		  NULL, "[x] a bba -a-b-");
}

Test(template_filters, indent_follows_jinja2_3_signature)
{
	tt_expect("{{ 'a\\nb\\n\\nc'|indent(2) }}", NULL, "a\n  b\n\n  c");
	tt_expect("{{ 'a\\nb\\n\\nc'|indent(2, true, true) }}", NULL, "  a\n  b\n  \n  c");
	tt_expect("{{ 'a\\nb'|indent('> ', first=true) }}", NULL, "> a\n> b");
	tt_expect("{{ 'a\\n'|indent }}", NULL, "a\n");
}

Test(template_filters, first_and_last)
{
	tt_expect("{{ items|first }} {{ items|last }} {{ 'xyz'|last }} {{ ([]|first) is defined }}", DATA,
		  "3 2 z False");
}

Test(template_filters, sort_is_case_insensitive_stable_and_takes_attribute)
{
	tt_expect("{{ words|sort }} {{ words|sort(case_sensitive=true) }} {{ items|sort(reverse=true) }}", DATA,
		  "['A', 'a', 'b', 'c'] ['A', 'a', 'b', 'c'] [3, 2, 1]");
	tt_expect("{{ users|sort(attribute='age')|map(attribute='n')|join }}", DATA, "yx");
}

Test(template_filters, dictsort_by_key_or_value)
{
	tt_expect("{{ d|dictsort }} {{ d|dictsort(by='value', reverse=true) }}", DATA,
		  "[('a', 1), ('b', 2)] [('b', 2), ('a', 1)]");
}

Test(template_filters, map_by_attribute_or_filter)
{
	tt_expect("{{ users|map(attribute='n')|list }} {{ words|map('upper')|join }} {{ users|map(attribute='z', default=0)|list }}",
		  DATA, "['x', 'y'] BACA [0, 0]");
}

Test(template_filters, select_reject_and_attr_variants)
{
	tt_expect("{{ items|select('odd')|list }} {{ items|reject('odd')|list }} {{ [0, 1, '']|select|list }}", DATA,
		  "[3, 1] [2] [1]");
	tt_expect("{{ users|selectattr('on')|map(attribute='n')|join }} {{ users|rejectattr('age', 'gt', 2)|map(attribute='n')|join }}",
		  DATA, "x y");
}

Test(template_filters, sum_max_min)
{
	tt_expect("{{ items|sum }} {{ users|sum(attribute='age') }} {{ items|max }} {{ words|min }} {{ (users|max(attribute='age')).n }}",
		  DATA, "6 4 3 A x");
}

Test(template_filters, tojson_sorts_keys_and_escapes_html)
{
	tt_expect("{{ {'b': 1, 'a': '<&>\\''}|tojson }}", NULL,
		  "{\"a\": \"\\u003c\\u0026\\u003e\\u0027\", \"b\": 1}");
	tt_expect("{{ ['\xc3\xa9', 1.0, none]|tojson }}", NULL, "[\"\\u00e9\", 1.0, null]");
	tt_expect("{{ {'a': [1]}|tojson(indent=2) }}", NULL, "{\n  \"a\": [\n    1\n  ]\n}");
}

Test(template_filters, format_is_python_percent_formatting)
{
	tt_expect("{{ '%s=%05.1f|%-3d|%x|%r'|format('a', 2.25, 7, 255, 'q') }}", NULL, "a=002.2|7  |ff|'q'");
	tt_expect("{{ '%(k)s'|format(k=1) }} {{ '%d%%' % 50 }}", NULL, "1 50%");
}

Test(template_filters, int_and_float_conversions)
{
	tt_expect("{{ '42'|int }} {{ '4.7'|int }} {{ 'x'|int(7) }} {{ '0x1f'|int(base=16) }} {{ 3.9|int }}", NULL,
		  "42 4 7 31 3");
	tt_expect("{{ '2.5'|float }} {{ 'x'|float }} {{ 3|float }} {{ '1e3'|float }}", NULL, "2.5 0.0 3.0 1000.0");
}

Test(template_filters, string_list_items)
{
	tt_expect("{{ 1|string ~ 2 }} {{ 'ab'|list }} {{ d|list }} {{ d|items|list }}", DATA,
		  "12 ['a', 'b'] ['b', 'a'] [('b', 2), ('a', 1)]");
}

Test(template_filters, abs_round)
{
	tt_expect("{{ -3|abs }} {{ 2.5|round }} {{ 3.5|round }} {{ 2.675|round(2) }} {{ 42|round }} {{ 4.21|round(1, 'ceil') }}",
		  NULL, "3 2.0 4.0 2.67 42 4.3");
}

Test(template_filters, unique_batch_reverse)
{
	tt_expect("{{ words|unique|list }} {{ [1, 2, 3]|batch(2, 0)|list }} {{ 'abc'|reverse }} {{ items|reverse|list }}",
		  DATA, "['b', 'A', 'c'] [[1, 2], [3, 0]] cba [2, 1, 3]");
}

Test(template_filters, escape_center_wordcount)
{
	tt_expect("{{ '<a & \"b\">'|e }} [{{ 'ab'|center(5) }}] {{ 'a b  c'|wordcount }}", NULL,
		  "&lt;a &amp; &#34;b&#34;&gt; [  ab ] 3");
}

Test(template_filters, unknown_filter_is_a_parse_error)
{
	tt_expect_err("\n{{ 1|nope }}", NULL, "t.j2:2: No filter named 'nope'.");
}
