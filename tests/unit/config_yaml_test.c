/* The YAML loader: structure, locations, anchors/aliases/merge keys as
 * PyYAML builds them, and every hostile or malformed input refused with
 * "name:line:col: what" (never a crash). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <criterion/criterion.h>
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#else
#define RUNNING_ON_VALGRIND 0
#endif

#include "lib/config/config_int.h"
#include "lib/core/strbuf.h"

static struct kc_diag_list diag;
static struct kc_locmap *locs;

static void
setup(void)
{
	kc_diag_list_init(&diag);
	locs = kc_locmap_new();
}

static void
teardown(void)
{
	kc_diag_list_free(&diag);
	kc_locmap_free(locs);
}

TestSuite(config_yaml, .init = setup, .fini = teardown);

static cJSON *
parse(const char *s)
{
	return kc_yaml_parse(s, strlen(s), "t.yaml", locs, &diag);
}

/* The JSON text of a tree (compact) for whole-structure comparisons. */
static char *
json(const cJSON *n)
{
	return cJSON_PrintUnformatted(n);
}

static void
expect_error(const char *src, const char *where, const char *what)
{
	cJSON *r = parse(src);

	cr_assert_null(r, "accepted: %s", src);
	cr_assert_geq(diag.n, 1);
	cr_expect(strstr(diag.items[0].msg, where) != NULL, "'%s' lacks '%s'", diag.items[0].msg,
	          where);
	cr_expect(strstr(diag.items[0].msg, what) != NULL, "'%s' lacks '%s'", diag.items[0].msg,
	          what);
}

Test(config_yaml, builds_maps_lists_and_typed_scalars)
{
	cJSON *r = parse("a: 1\nb: [x, 'yes', yes]\nc:\n  d: ~\n  e: 0.5\n");
	char *s = json(r);

	cr_expect_str_eq(s, "{\"a\":1,\"b\":[\"x\",\"yes\",true],\"c\":{\"d\":null,\"e\":0.5}}");
	free(s);
	cJSON_Delete(r);
}

Test(config_yaml, records_key_and_value_locations)
{
	cJSON *r = parse("top:\n  inner:   42\n");
	const cJSON *n = cJSON_GetObjectItem(cJSON_GetObjectItem(r, "top"), "inner");
	struct kc_loc l;

	cr_assert_eq(kc_locmap_get(locs, n, &l), 0);
	cr_expect_str_eq(l.file, "t.yaml");
	cr_expect_eq(l.key_line, 2);
	cr_expect_eq(l.key_col, 3);
	cr_expect_eq(l.line, 2);
	cr_expect_eq(l.col, 12);
	cJSON_Delete(r);
}

Test(config_yaml, flags_floats_so_one_point_zero_stays_a_float)
{
	cJSON *r = parse("f: 1.0\ni: 1\n");

	cr_expect(kc_locmap_is_float(locs, cJSON_GetObjectItem(r, "f")));
	cr_expect(!kc_locmap_is_float(locs, cJSON_GetObjectItem(r, "i")));
	cJSON_Delete(r);
}

Test(config_yaml, quoted_and_block_scalars_are_strings)
{
	cJSON *r = parse("a: \"1\"\nb: 'null'\nc: |\n  on\nd: >-\n  12\n");
	char *s = json(r);

	cr_expect_str_eq(s, "{\"a\":\"1\",\"b\":\"null\",\"c\":\"on\\n\",\"d\":\"12\"}");
	free(s);
	cJSON_Delete(r);
}

Test(config_yaml, aliases_copy_the_anchored_node)
{
	cJSON *r = parse("a: &x {k: [1, 2]}\nb: *x\n");
	char *s = json(r);

	cr_expect_str_eq(s, "{\"a\":{\"k\":[1,2]},\"b\":{\"k\":[1,2]}}");
	cr_expect(cJSON_GetObjectItem(r, "a") != cJSON_GetObjectItem(r, "b"));
	free(s);
	cJSON_Delete(r);
}

/* PyYAML flatten_mapping: merged keys first; of a list of maps, the
 * earlier one wins; explicit keys win over merged ones (the order below
 * is what yaml.safe_load gives). */
Test(config_yaml, merge_keys_follow_pyyaml_precedence_and_order)
{
	cJSON *r = parse("a: &a {x: 1, y: 1}\n"
	                 "b: &b {y: 2, z: 2}\n"
	                 "c:\n  w: 0\n  <<: [*a, *b]\n  x: 9\n");
	char *s = json(cJSON_GetObjectItem(r, "c"));

	cr_expect_str_eq(s, "{\"y\":1,\"z\":2,\"x\":9,\"w\":0}");
	free(s);
	cJSON_Delete(r);
}

/* Three maps, and a second `<<` key (later merges win over earlier ones,
 * as PyYAML gives: {"x": 5, "y": 2, "z": 3, "w": 4}). */
Test(config_yaml, several_merge_keys_and_lists_match_pyyaml)
{
	cJSON *r = parse("a: &a {x: 1}\nb: &b {x: 2, y: 2}\nc: &c {x: 3, y: 3, z: 3}\n"
	                 "d:\n  <<: [*a, *b, *c]\n  <<: {w: 4, x: 5}\n");
	char *s;

	cr_assert_not_null(r, "%s", diag.n ? diag.items[0].msg : "");
	s = json(cJSON_GetObjectItem(r, "d"));
	cr_expect_str_eq(s, "{\"x\":5,\"y\":2,\"z\":3,\"w\":4}");
	free(s);
	cJSON_Delete(r);
}

Test(config_yaml, merge_key_needs_a_mapping)
{
	expect_error("a:\n  <<: 3\n", "t.yaml:2:7", "merge key");
}

Test(config_yaml, refuses_billion_laughs)
{
	struct strbuf sb = STRBUF_INIT;
	int i, j;

	strbuf_adds(&sb, "l0: &l0 [a, a, a, a, a, a, a, a, a, a]\n");
	for (i = 1; i < 10; i++) {
		strbuf_addf(&sb, "l%d: &l%d [", i, i);
		for (j = 0; j < 10; j++)
			strbuf_addf(&sb, "%s*l%d", j ? ", " : "", i - 1);
		strbuf_adds(&sb, "]\n");
	}
	expect_error(sb.buf, "t.yaml:", "too many nodes");
	strbuf_free(&sb);
}

Test(config_yaml, refuses_unknown_and_recursive_aliases)
{
	expect_error("a: *nope\n", "t.yaml:1:4", "unknown anchor");
	kc_diag_list_free(&diag);
	expect_error("a: &r [*r]\n", "t.yaml:1:8", "unknown anchor");
}

Test(config_yaml, refuses_a_second_document)
{
	expect_error("a: 1\n---\nb: 2\n", "t.yaml:2:1", "second YAML document");
}

Test(config_yaml, reports_duplicate_keys_where_they_repeat)
{
	expect_error("a: 1\nb: 2\na: 3\n", "t.yaml:3:1", "duplicate key: a");
}

Test(config_yaml, explains_tab_indentation)
{
	expect_error("a:\n\tb: 1\n", "t.yaml:2:", "tabs cannot indent");
}

Test(config_yaml, skips_a_utf8_bom)
{
	cJSON *r = parse("\xEF\xBB\xBF"
	                 "a: 1\n");

	cr_assert_not_null(r);
	cr_expect_eq(cJSON_GetObjectItem(r, "a")->valueint, 1);
	cJSON_Delete(r);
}

Test(config_yaml, refuses_utf16)
{
	cJSON *r = kc_yaml_parse("\xFF\xFE"
	                         "a\0:\0",
	                         6, "t.yaml", locs, &diag);

	cr_expect_null(r);
	cr_expect(strstr(diag.items[0].msg, "UTF-16") != NULL);
}

Test(config_yaml, refuses_invalid_utf8_with_its_line)
{
	expect_error("a: 1\nb: \xC3\x28\n", "t.yaml:2:", "UTF-8");
}

Test(config_yaml, refuses_nul_bytes)
{
	cJSON *r = kc_yaml_parse("a: 1\nb\0: 2\n", 11, "t.yaml", locs, &diag);

	cr_expect_null(r);
	cr_expect_geq(diag.nerrors, 1);
}

Test(config_yaml, empty_and_comment_only_files_are_null)
{
	cJSON *a = parse(""), *b = parse("# nothing\n\n");

	cr_expect(cJSON_IsNull(a));
	cr_expect(cJSON_IsNull(b));
	cJSON_Delete(a);
	cJSON_Delete(b);
}

Test(config_yaml, refuses_deep_nesting)
{
	struct strbuf sb = STRBUF_INIT;
	int i;

	for (i = 0; i < 1000; i++)
		strbuf_addc(&sb, '[');
	expect_error(sb.buf, "t.yaml:1:", "deeper than");
	strbuf_free(&sb);
}

Test(config_yaml, core_tags_construct_as_safeloader_does)
{
	cJSON *r =
	    parse("a: !!str 12\nb: !!int \"12\"\nc: !!float 1e3\nd: !!bool \"ON\"\ne: !!null x\n");
	char *s = json(r);

	cr_expect_str_eq(s, "{\"a\":\"12\",\"b\":12,\"c\":1000,\"d\":true,\"e\":null}");
	cr_expect(kc_locmap_is_float(locs, cJSON_GetObjectItem(r, "c")));
	free(s);
	cJSON_Delete(r);
}

Test(config_yaml, refuses_tags_safeloader_cannot_construct)
{
	expect_error("a: !!python/object:os.system x\n", "t.yaml:1:4", "unsupported tag");
	kc_diag_list_free(&diag);
	expect_error("a: !custom 1\n", "t.yaml:1:4", "unsupported tag");
	kc_diag_list_free(&diag);
	expect_error("a: !!int abc\n", "t.yaml:1:4", "does not fit its tag");
}

Test(config_yaml, refuses_complex_keys_and_plain_value_indicator)
{
	expect_error("? [a, b]\n: 1\n", "t.yaml:1:3", "must be a scalar");
	kc_diag_list_free(&diag);
	expect_error("a: =\n", "t.yaml:1:4", "quote it");
}

Test(config_yaml, non_string_keys_are_written_as_json_dumps_would)
{
	/* (1 and true are one key to Python; that collision is not pinned.) */
	cJSON *r = parse("2: a\ntrue: b\n~: c\n1.5: d\n");
	char *s = json(r);

	cr_expect_str_eq(s, "{\"2\":\"a\",\"true\":\"b\",\"null\":\"c\",\"1.5\":\"d\"}");
	free(s);
	cJSON_Delete(r);
}

Test(config_yaml, reports_syntax_errors_with_line_and_column)
{
	expect_error("a: [1, 2\nb: 3\n", "t.yaml:", "flow sequence");
}

Test(config_yaml, loads_a_10_mb_mapping_quickly)
{
	struct strbuf sb = STRBUF_INIT;
	struct timespec t0, t1;
	cJSON *r;
	int i;

	for (i = 0; sb.len < 10u * 1024 * 1024; i++)
		strbuf_addf(&sb, "key_%07d: value number %d with some text\n", i, i);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = kc_yaml_parse(sb.buf, sb.len, "big.yaml", locs, &diag);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	cr_assert_not_null(r);
	cr_expect_eq(cJSON_GetArraySize(r), i);
	/* Generous bound (sanitizer builds, a shared 2-core box): the point is
	 * that the duplicate-key check is not quadratic (that takes minutes).
	 * Under valgrind (scripts/valgrind.sh) the parse is ~50x slower: no bound. */
	if (!RUNNING_ON_VALGRIND)
		cr_expect_lt((t1.tv_sec - t0.tv_sec), 30);
	cJSON_Delete(r);
	strbuf_free(&sb);
}

Test(config_yaml, refuses_files_over_the_size_limit)
{
	size_t n = KC_YAML_MAX_BYTES + 1;
	char *big = calloc(1, n);

	memset(big, 'a', n - 1);
	cr_expect_null(kc_yaml_parse(big, n, "huge.yaml", locs, &diag));
	cr_expect(strstr(diag.items[0].msg, "larger than") != NULL);
	free(big);
}

Test(config_yaml, yaml_printer_round_trips_tricky_strings)
{
	cJSON *r = parse("a: 'yes'\nb: '1e3'\nc: '@pack(x).y'\nd: \"two\\nlines\"\ne: ''\n"
	                 "f: '0x10'\ng: 'a: b'\nh: ' lead'\ni: '- x'\nj: 1.0e-7\nk: 2001-12-14\n");
	struct strbuf out = STRBUF_INIT;
	char *s1, *s2;
	cJSON *back;

	kc_yaml_emit(locs, r, &out);
	back = kc_yaml_parse(out.buf, out.len, "emitted.yaml", locs, &diag);
	cr_assert_not_null(back, "emitted YAML does not parse:\n%s", out.buf);
	s1 = json(r);
	s2 = json(back);
	cr_expect_str_eq(s1, s2, "emitted:\n%s", out.buf);
	cr_expect(kc_locmap_is_float(locs, cJSON_GetObjectItem(back, "j")));
	/* what PyYAML would type differently is quoted */
	cr_expect(strstr(out.buf, "k: \"2001-12-14\"") != NULL, "%s", out.buf);
	free(s1);
	free(s2);
	cJSON_Delete(back);
	cJSON_Delete(r);
	strbuf_free(&out);
}

Test(config_yaml, json_printer_writes_like_python_json_dumps)
{
	cJSON *r = parse("a: [1, 2.0, 'x\"\\', {}]\nb: {}\nc: []\nd: \"\\t\\u0001é\"\n");
	struct strbuf out = STRBUF_INIT;

	kc_json_emit(locs, r, &out);
	cr_expect_str_eq(out.buf,
	                 "{\n  \"a\": [\n    1,\n    2.0,\n    \"x\\\"\\\\\",\n    {}\n  ],\n"
	                 "  \"b\": {},\n  \"c\": [],\n  \"d\": \"\\t\\u0001é\"\n}");
	strbuf_reset(&out);
	kc_json_emit_canonical(locs, r, &out);
	cr_expect_str_eq(out.buf, "{\"a\": [1, 2.0, \"x\\\"\\\\\", {}], \"b\": {}, \"c\": [], "
	                          "\"d\": \"\\t\\u0001\\u00e9\"}");
	strbuf_free(&out);
	cJSON_Delete(r);
}

/* Found by fuzz_config_yaml: a C1 control in a string was printed raw,
 * which YAML does not allow; line separators would be folded. */
Test(config_yaml, yaml_printer_escapes_what_yaml_cannot_hold_raw)
{
	cJSON *r = parse("a: \"x\\u009ey\"\nb: \"p\\u2028q\"\nc: \"\\ufeffz\"\nd: \"\\x7f\"\n");
	struct strbuf out = STRBUF_INIT;
	char *s1, *s2;
	cJSON *back;

	cr_assert_not_null(r);
	kc_yaml_emit(locs, r, &out);
	back = kc_yaml_parse(out.buf, out.len, "emitted.yaml", locs, &diag);
	cr_assert_not_null(back, "emitted YAML does not parse:\n%s", out.buf);
	s1 = json(r);
	s2 = json(back);
	cr_expect_str_eq(s1, s2);
	free(s1);
	free(s2);
	cJSON_Delete(back);
	cJSON_Delete(r);
	strbuf_free(&out);
}

/* An anchor on a merge key's own value (`<<: &m {..}`, `<<: &l [..]`)
 * must stay valid for later aliases (it was freed after the merge). */
Test(config_yaml, anchors_on_merge_values_survive_the_merge)
{
	cJSON *r = parse("x:\n  <<: &m {a: 1}\n  b: 2\nz:\n  <<: &l [{c: 1}]\ny: *m\nw: *l\n");
	char *s;

	cr_assert_not_null(r, "%s", diag.n ? diag.items[0].msg : "");
	s = json(r);
	/* as yaml.safe_load gives it */
	cr_expect_str_eq(
	    s, "{\"x\":{\"a\":1,\"b\":2},\"z\":{\"c\":1},\"y\":{\"a\":1},\"w\":[{\"c\":1}]}");
	free(s);
	cJSON_Delete(r);
}

/* The cap itself (2.5M) is too big for a quick test; the same code path
 * with a cap of 1000. */
Test(config_yaml, refuses_too_many_nodes)
{
	struct strbuf sb = STRBUF_INIT;
	cJSON *r;
	size_t i;

	strbuf_addc(&sb, '[');
	for (i = 0; i < 1000; i++)
		strbuf_adds(&sb, "0,");
	strbuf_addc(&sb, ']');
	r = kc_yaml_parse_limited(sb.buf, sb.len, "t.yaml", locs, &diag, 1000);
	cr_expect_null(r);
	cr_expect(strstr(diag.items[0].msg, "t.yaml:1:2000: more than 1000 nodes") != NULL, "%s",
	          diag.items[0].msg);
	kc_diag_list_free(&diag);
	r = kc_yaml_parse_limited(sb.buf, sb.len, "t.yaml", locs, &diag, 1001);
	cr_expect_not_null(r);
	cJSON_Delete(r);
	strbuf_free(&sb);
}
