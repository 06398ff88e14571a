/* libFuzzer target for the template engine: the input is a template;
 * it is parsed and, when it parses, rendered against a small fixed data
 * object that has every kind of value. Errors are fine; crashes, leaks,
 * UB and hangs are not (the engine's work, depth and output bounds keep
 * every input finite). */
#include <stddef.h>
#include <stdint.h>

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

int LLVMFuzzerTestOneInput(const uint8_t *buf, size_t len);

int
LLVMFuzzerTestOneInput(const uint8_t *buf, size_t len)
{
	struct strbuf out = STRBUF_INIT;
	struct kc_tpl *t;
	char err[512];

	if (fz_data == NULL)
		fz_data = cJSON_Parse(fz_data_json);
	t = kc_tpl_parse((const char *)buf, len, "fuzz", err, sizeof(err));
	if (t != NULL) {
		(void)kc_tpl_render(t, fz_data, &out, err, sizeof(err));
		kc_tpl_free(t);
	}
	strbuf_free(&out);
	return 0;
}
