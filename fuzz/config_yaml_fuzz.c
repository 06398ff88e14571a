/* libFuzzer target for the YAML loader (lib/config): arbitrary bytes must
 * either parse or be refused with a message, never crash, leak or hang.
 * What parses is printed back as YAML and JSON; the YAML must parse again
 * to the same tree (the printers and the PyYAML typing agree). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/config/config_int.h"
#include "lib/core/strbuf.h"

static void
fz_roundtrip(struct kc_locmap *locs, const cJSON *root)
{
	struct kc_diag_list d = {0};
	struct strbuf y = STRBUF_INIT, j1 = STRBUF_INIT, j2 = STRBUF_INIT;
	cJSON *back;

	kc_yaml_emit(locs, root, &y);
	kc_json_emit(locs, root, &j1);
	back = kc_yaml_parse(y.buf, y.len, "emitted", locs, &d);
	if (back == NULL) {
		/* Only the limits may refuse what we printed ourselves. */
		if (d.n == 0 || strstr(d.items[0].msg, "deeper") == NULL)
			abort();
	} else {
		kc_json_emit(locs, back, &j2);
		if (strcmp(strbuf_str(&j1), strbuf_str(&j2)) != 0)
			abort();
	}
	cJSON_Delete(back);
	kc_diag_list_free(&d);
	strbuf_free(&y);
	strbuf_free(&j1);
	strbuf_free(&j2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kc_diag_list d = {0};
	struct kc_locmap *locs = kc_locmap_new();
	cJSON *root;

	root = kc_yaml_parse((const char *)data, size, "fuzz.yaml", locs, &d);
	if (root == NULL && d.nerrors == 0)
		abort(); /* a refusal always says why */
	if (root != NULL)
		fz_roundtrip(locs, root);
	cJSON_Delete(root);
	kc_locmap_free(locs);
	kc_diag_list_free(&d);
	return 0;
}
