/* Internals shared by the files of lib/tpsl (and its unit tests). */
#ifndef KC_LIB_TPSL_TPSL_INT_H
#define KC_LIB_TPSL_TPSL_INT_H

#include "lib/config/config.h"
#include "lib/tpsl/tpsl.h"

/* Python truthiness of a JSON value (null, false, 0, "", [], {} are false). */
int tpsl_truthy(const cJSON *n);

/* tools.aliases[name] when it is a string, else NULL. */
const char *tpsl_alias_target(const cJSON *aliases, const char *name);

/* The registry with every problem reported into d (warnings included);
 * NULL when there were errors. */
cJSON *tpsl_registry_build(const struct kc_config *c, struct kc_diag_list *d);

/* Reads a prompt or template file (UTF-8 text, at most 4 MB); NULL with
 * "path: why" in err. Caller frees. */
char *tpsl_read_text(const char *path, size_t *len, char *err, size_t errlen);

/* The first error (or "unknown error") of d into err. */
void tpsl_diag_first_error(const struct kc_diag_list *d, char *err, size_t errlen);

#endif
