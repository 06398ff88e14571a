/* A Jinja2-compatible template engine (the subset the prototype's
 * templates use; docs/TEMPLATES.md lists it). Output matches Jinja2 3.x
 * byte for byte with trim_blocks=True, lstrip_blocks=True,
 * undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False.
 *
 * Errors are written into err (errlen bytes, always NUL-terminated when
 * errlen > 0) as "name:line: message" and the call returns NULL or -1.
 * Rendering is bounded (recursion depth, loop iterations, output size) so
 * that hostile templates fail with an error instead of hanging. */
#ifndef KC_LIB_TEMPLATE_TEMPLATE_H
#define KC_LIB_TEMPLATE_TEMPLATE_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "lib/core/strbuf.h"

struct kc_tpl;

/* Parses src (len bytes, need not be NUL-terminated); name is used in
 * error messages and copied. Returns a template the caller frees with
 * kc_tpl_free(), or NULL with err set. */
struct kc_tpl *kc_tpl_parse(const char *src, size_t len, const char *name, char *err, size_t errlen);

/* Renders t with data (an object, or NULL for no variables), appending
 * to out. Returns 0, or -1 with err set (out then holds partial output
 * that the caller should discard). t is not modified and may be rendered
 * concurrently from several threads. */
int kc_tpl_render(const struct kc_tpl *t, const cJSON *data, struct strbuf *out, char *err, size_t errlen);

void kc_tpl_free(struct kc_tpl *t);

/* Template data converted once for many renders (kc_tpl_render converts
 * data on every call). data: a JSON object, or NULL for no variables; it
 * is copied, so the caller may free it afterwards. Returns NULL with err
 * set ("template data: ...") for a non-object or a tree too deep or too
 * large. Read-only once made: renders may share it between threads. */
struct kc_tpl_data;
struct kc_tpl_data *kc_tpl_data_new(const cJSON *data, char *err, size_t errlen);
void kc_tpl_data_free(struct kc_tpl_data *d);
/* kc_tpl_render with converted data (d may be NULL: no variables). */
int kc_tpl_render_data(const struct kc_tpl *t, const struct kc_tpl_data *d, struct strbuf *out, char *err,
		       size_t errlen);

/* Reads, parses and renders the file at path (its path names errors). */
int kc_tpl_render_file(const char *path, const cJSON *data, struct strbuf *out, char *err, size_t errlen);

#endif
