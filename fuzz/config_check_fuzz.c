/* libFuzzer target for what `kylecode config check/show` does after the
 * YAML parse: load (through a file, as the command does), validate the
 * schema, build the effective config, print. Any tree the parser accepts
 * must be walked without crashing. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "lib/config/config_int.h"
#include "lib/core/strbuf.h"

static char fz_path[64];

static void
fz_cleanup(void)
{
	unlink(fz_path);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kc_diag_list d = {0};
	struct strbuf out = STRBUF_INIT;
	struct kc_config *c;
	cJSON *eff;
	FILE *f;

	if (fz_path[0] == '\0') {
		snprintf(fz_path, sizeof(fz_path), "/tmp/kc_fuzz_cfg_%ld.yaml", (long)getpid());
		atexit(fz_cleanup);
	}
	f = fopen(fz_path, "wb");
	if (f == NULL)
		abort();
	fwrite(data, 1, size, f);
	fclose(f);
	c = kc_config_load(fz_path, &d);
	if (c == NULL && d.nerrors == 0)
		abort();
	if (c != NULL) {
		kc_config_validate(c, &d);
		eff = kc_config_effective(c, NULL, &d);
		kc_json_emit(kc_config_locs(c), kc_config_root(c), &out);
		kc_yaml_emit(kc_config_locs(c), kc_config_root(c), &out);
		cJSON_Delete(eff);
	}
	kc_config_free(c);
	kc_diag_list_free(&d);
	strbuf_free(&out);
	return 0;
}
