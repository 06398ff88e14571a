/* Template data converted once (kc_tpl_data_new): Python's dict semantics
 * for duplicate keys, limits on hostile trees, ownership (the cJSON tree
 * may go away), and attribute reads whose hint misses. */
#include "tests/unit/template_testutil.h"

/* Renders src with d; returns the output (caller frees) or NULL. */
static char *
td_render(const char *src, const struct kc_tpl_data *d)
{
	struct strbuf out = STRBUF_INIT;
	struct kc_tpl *t = kc_tpl_parse(src, strlen(src), "t.j2", tt_err, sizeof(tt_err));
	char *res = NULL;

	cr_assert_not_null(t, "%s", tt_err);
	if (kc_tpl_render_data(t, d, &out, tt_err, sizeof(tt_err)) == 0)
		res = strbuf_detach(&out, NULL);
	strbuf_free(&out);
	kc_tpl_free(t);
	return res;
}

Test(template_data, duplicate_keys_keep_the_last_value_at_the_first_place)
{
	/* json.loads('{"a": 1, "b": 2, "a": 3}') == {'a': 3, 'b': 2} */
	tt_expect("{{ x }} {{ x.a }} {{ x|length }}", "{\"x\": {\"a\": 1, \"b\": 2, \"a\": 3}}", "{'a': 3, 'b': 2} 3 2");
}

Test(template_data, duplicate_keys_in_large_objects_use_the_hash_path)
{
	struct strbuf js = STRBUF_INIT, want = STRBUF_INIT;
	int i;

	/* 40 keys k0..k39, then k5 again: past the linear-scan threshold */
	strbuf_adds(&js, "{\"x\": {");
	for (i = 0; i < 40; i++)
		strbuf_addf(&js, "\"k%d\": %d, ", i, i);
	strbuf_adds(&js, "\"k5\": \"again\"}}");
	strbuf_adds(&want, "40 again k39");
	tt_expect("{{ x|length }} {{ x.k5 }} {{ (x|list)[-1] }}", strbuf_str(&js), strbuf_str(&want));
	strbuf_free(&js);
	strbuf_free(&want);
}

Test(template_data, hint_misses_when_key_order_differs)
{
	tt_expect("{% for o in l %}{{ o.b }}{{ o.a }},{% endfor %}",
		  "{\"l\": [{\"a\": 1, \"b\": 2}, {\"b\": 3, \"a\": 4}, {\"c\": 0, \"a\": 5, \"b\": 6}]}", "21,34,65,");
	tt_expect_err("{% for o in l %}{{ o.a }}{% endfor %}", "{\"l\": [{\"a\": 1}, {\"b\": 2}]}",
		      "t.j2:1: 'dict object' has no attribute 'a'");
}

Test(template_data, same_name_different_length_keys_do_not_match)
{
	/* "ab" then "a": the hint points at index 0 for both objects */
	tt_expect("{% for o in l %}{{ o.a is defined }}{% endfor %}", "{\"l\": [{\"a\": 1}, {\"ab\": 2}]}",
		  "TrueFalse");
}

Test(template_data, data_outlives_its_json)
{
	cJSON *j = cJSON_Parse("{\"name\": \"kylecode\", \"n\": [1, 2.5, true, null]}");
	struct kc_tpl_data *d;
	char *got;

	cr_assert_not_null(j);
	d = kc_tpl_data_new(j, tt_err, sizeof(tt_err));
	cr_assert_not_null(d, "%s", tt_err);
	cJSON_Delete(j); /* the data owns copies of every string */
	got = td_render("{{ name }} {{ n }}", d);
	cr_assert_not_null(got, "%s", tt_err);
	cr_expect_str_eq(got, "kylecode [1, 2.5, True, None]");
	free(got);
	/* one converted data, many templates and renders */
	got = td_render("{{ name|upper }}", d);
	cr_expect_str_eq(got, "KYLECODE");
	free(got);
	kc_tpl_data_free(d);
}

Test(template_data, null_data_means_no_variables)
{
	struct kc_tpl_data *d = kc_tpl_data_new(NULL, tt_err, sizeof(tt_err));
	char *got;

	cr_assert_not_null(d);
	got = td_render("{{ 1 + 1 }}", d);
	cr_expect_str_eq(got, "2");
	free(got);
	cr_expect_null(td_render("{{ x }}", d));
	cr_expect_str_eq(tt_err, "t.j2:1: 'x' is undefined");
	kc_tpl_data_free(d);
	got = td_render("{{ 3 }}", NULL);
	cr_expect_str_eq(got, "3");
	free(got);
}

Test(template_data, non_objects_are_refused)
{
	cJSON *j = cJSON_Parse("[1, 2]");

	cr_expect_null(kc_tpl_data_new(j, tt_err, sizeof(tt_err)));
	cr_expect_str_eq(tt_err, "template data: template data must be a JSON object");
	cJSON_Delete(j);
}

Test(template_data, deep_trees_fail_cleanly)
{
	cJSON *root = cJSON_CreateObject(), *cur = root, *next;
	int i;

	/* deeper than cJSON's parser allows, built by hand */
	for (i = 0; i < 1500; i++) {
		next = cJSON_CreateArray();
		cJSON_AddItemToObject(cur, "x", next);
		cur = cJSON_CreateObject();
		cJSON_AddItemToArray(next, cur);
	}
	cr_expect_null(kc_tpl_data_new(root, tt_err, sizeof(tt_err)));
	cr_expect(strstr(tt_err, "nested too deeply") != NULL, "%s", tt_err);
	cJSON_Delete(root);
}
