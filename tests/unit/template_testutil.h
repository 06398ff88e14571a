/* Helpers for the template engine's unit tests: render a template string
 * with JSON data and get the output or the error message. */
#ifndef KC_TESTS_UNIT_TEMPLATE_TESTUTIL_H
#define KC_TESTS_UNIT_TEMPLATE_TESTUTIL_H

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <criterion/criterion.h>

#include "lib/core/strbuf.h"
#include "lib/core/xmalloc.h"
#include "lib/template/template.h"

static char tt_err[1024];

/* The same render through kc_tpl_data_new + kc_tpl_render_data (data
 * converted once, as the bench and repeated renders do): it must give
 * the same output, or the same error, as kc_tpl_render. */
static void
tt_check_data_path(const struct kc_tpl *t, const cJSON *data, const char *want, const char *want_err)
{
	struct strbuf out = STRBUF_INIT;
	char err[1024] = "", derr[1024] = "";
	struct kc_tpl_data *d = kc_tpl_data_new(data, derr, sizeof(derr));

	if (d == NULL) {
		/* data kc_tpl_render refuses too (not an object) */
		cr_expect_not_null(want_err, "kc_tpl_data_new failed (%s) where kc_tpl_render worked", derr);
		return;
	}
	if (kc_tpl_render_data(t, d, &out, err, sizeof(err)) == 0) {
		cr_expect_not_null(want, "render_data worked where kc_tpl_render failed with %s", want_err);
		if (want != NULL)
			cr_expect_str_eq(strbuf_str(&out), want, "kc_tpl_render_data differs from kc_tpl_render");
	} else {
		cr_expect_null(want, "render_data failed (%s) where kc_tpl_render worked", err);
		if (want_err != NULL)
			cr_expect_str_eq(err, want_err, "kc_tpl_render_data's error differs");
	}
	strbuf_free(&out);
	kc_tpl_data_free(d);
}

/* Renders src with data (a JSON object text or NULL). Returns the output
 * (caller frees) or NULL with tt_err set. Every render also goes through
 * the converted-data path (tt_check_data_path). */
static char *
tt_render(const char *src, const char *json)
{
	struct strbuf out = STRBUF_INIT;
	cJSON *data = json ? cJSON_Parse(json) : NULL;
	struct kc_tpl *t;
	char *res = NULL;

	tt_err[0] = '\0';
	if (json != NULL)
		cr_assert_not_null(data, "bad test JSON: %s", json);
	t = kc_tpl_parse(src, strlen(src), "t.j2", tt_err, sizeof(tt_err));
	if (t != NULL && kc_tpl_render(t, data, &out, tt_err, sizeof(tt_err)) == 0)
		res = strbuf_detach(&out, NULL);
	if (t != NULL)
		tt_check_data_path(t, data, res, res == NULL ? tt_err : NULL);
	strbuf_free(&out);
	kc_tpl_free(t);
	cJSON_Delete(data);
	return res;
}

#define tt_expect(src, json, want)                                                                   \
	do {                                                                                         \
		char *got_ = tt_render((src), (json));                                               \
		cr_assert_not_null(got_, "render failed: %s", tt_err);                               \
		cr_expect_str_eq(got_, (want), "template %s", (src));                                \
		free(got_);                                                                          \
	} while (0)

/* Expects an error whose message contains want. */
#define tt_expect_err(src, json, want)                                                               \
	do {                                                                                         \
		char *got_ = tt_render((src), (json));                                               \
		cr_expect_null(got_, "template %s rendered '%s', want error", (src), got_ ? got_ : ""); \
		free(got_);                                                                          \
		cr_expect(strstr(tt_err, (want)) != NULL, "error '%s' lacks '%s'", tt_err, (want));   \
	} while (0)

#endif
