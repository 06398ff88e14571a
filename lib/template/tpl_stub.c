/* Temporary: the engine lands in the next commits; this keeps the
 * published interface linkable. */
#include <stdio.h>

#include "lib/template/template.h"

struct kc_tpl *
kc_tpl_parse(const char *src, size_t len, const char *name, char *err, size_t errlen)
{
	(void)src;
	(void)len;
	if (errlen > 0)
		snprintf(err, errlen, "%s:1: template engine not built yet", name ? name : "<template>");
	return NULL;
}

int
kc_tpl_render(const struct kc_tpl *t, const cJSON *data, struct strbuf *out, char *err, size_t errlen)
{
	(void)t;
	(void)data;
	(void)out;
	if (errlen > 0)
		snprintf(err, errlen, "template engine not built yet");
	return -1;
}

void
kc_tpl_free(struct kc_tpl *t)
{
	(void)t;
}

int
kc_tpl_render_file(const char *path, const cJSON *data, struct strbuf *out, char *err, size_t errlen)
{
	(void)data;
	(void)out;
	if (errlen > 0)
		snprintf(err, errlen, "%s:1: template engine not built yet", path);
	return -1;
}
