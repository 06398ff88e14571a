/* libFuzzer target for the template engine: the input is a template;
 * it is parsed and, when it parses, rendered against a small fixed data
 * object that has every kind of value. Errors are fine; crashes, leaks,
 * UB and hangs are not (the engine's work, depth and output bounds keep
 * every input finite). It is rendered three times: with the JSON converted
 * per call (kc_tpl_render), then twice with the data converted once
 * (kc_tpl_render_data); all three must agree, which also catches a render
 * that changes the shared data. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "lib/core/strbuf.h"
#include "lib/template/template.h"

static const char fz_data_json[] =
	"{\"s\": \"h\\u00e9llo <w>\", \"n\": 3, \"f\": 2.5, \"neg\": -1, \"b\": true, \"z\": null,"
	" \"items\": [3, 1, 2], \"words\": [\"b\", \"A\"], \"d\": {\"b\": 2, \"a\": 1},"
	" \"tools\": [{\"name\": \"read_file\", \"display_name\": null, \"description\": \"Read\","
	" \"blocking\": false, \"max_per_turn\": null, \"parameters\": [{\"name\": \"path\","
	" \"type\": \"string\", \"default\": null, \"required\": true, \"description\": \"p\"}]}]}";

static cJSON *fz_data;
static struct kc_tpl_data *fz_conv;

int LLVMFuzzerTestOneInput(const uint8_t *buf, size_t len);

static void
fz_same(int r1, const struct strbuf *o1, int r2, const struct strbuf *o2)
{
	if (r1 != r2 || (r1 == 0 && (o1->len != o2->len || memcmp(strbuf_str(o1), strbuf_str(o2), o1->len) != 0)))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *buf, size_t len)
{
	struct strbuf out = STRBUF_INIT, out2 = STRBUF_INIT, out3 = STRBUF_INIT;
	struct kc_tpl *t;
	char err[512];
	int r1, r2, r3;

	if (fz_data == NULL) {
		fz_data = cJSON_Parse(fz_data_json);
		fz_conv = kc_tpl_data_new(fz_data, err, sizeof(err));
		if (fz_conv == NULL)
			abort();
	}
	t = kc_tpl_parse((const char *)buf, len, "fuzz", err, sizeof(err));
	if (t != NULL) {
		r1 = kc_tpl_render(t, fz_data, &out, err, sizeof(err));
		r2 = kc_tpl_render_data(t, fz_conv, &out2, err, sizeof(err));
		r3 = kc_tpl_render_data(t, fz_conv, &out3, err, sizeof(err));
		fz_same(r1, &out, r2, &out2);
		fz_same(r2, &out2, r3, &out3);
		kc_tpl_free(t);
	}
	strbuf_free(&out);
	strbuf_free(&out2);
	strbuf_free(&out3);
	return 0;
}
