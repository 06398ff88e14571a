/* Tool Prompt Synthesis (DESIGN §4) and the system prompt compiler.
 *
 * The tool registry is read from the YAML tool definitions a config names
 * (tools.registry.paths, include globs, aliases, overlays) and normalized
 * into the shape the prototype's templates see. Prompts are compiled from
 * packs (`@pack(name).key`) in injection order plus the TPSL catalogs
 * rendered with lib/template (Jinja2-compatible). docs/CONFIG.md states
 * the selection and fall-back rules. */
#ifndef KC_LIB_TPSL_TPSL_H
#define KC_LIB_TPSL_TPSL_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

struct kc_config;
struct kc_diag_list;

/* The normalized registry: a cJSON array, one object per tool, in the
 * prototype's order (registry paths in order, files sorted by name):
 *   {name, id, display_name, description, type_id, blocking, max_per_turn,
 *    parameters: [{name, type, default, required, description}],
 *    return_type, syntax_style, manipulations, syntax_formats_supported,
 *    preferred_formats, provider_routing, source}
 * Absent values are JSON null (the templates test `is not none`).
 * Returns NULL with "file:line:col: what" in err on error; caller frees. */
cJSON *kc_tools_load(const struct kc_config *c, char *err, size_t errlen);

/* The tools a mode may use: tools_enabled ("*" = all; names go through
 * tools.aliases) minus tools_disabled. mode NULL = all. Returns a new
 * array (deep copies); caller frees. Unknown mode: NULL and err. */
cJSON *kc_tools_for_mode(const struct kc_config *c, const cJSON *registry, const char *mode,
                         char *err, size_t errlen);

/* Name lookup through tools.aliases: the canonical tool name for `name`,
 * or NULL when neither a tool nor an alias of one. */
const char *kc_tools_resolve_alias(const struct kc_config *c, const cJSON *registry,
                                   const char *name);

/* The checks of a config that need its tool registry and the files it
 * names (run by `kylecode config check` after kc_config_validate): the
 * registry loads; names in modes[].tools_enabled/tools_disabled,
 * concurrency and completion.tool_finish are tools (after aliases); prompt
 * packs and TPSL templates exist. A tool name that is not in the registry
 * is a warning, not an error: the reference base_v2.yaml lists glob and
 * grep for its plan mode while its registry has neither, and the
 * prototype ignored them. Returns the number of errors added to d. */
int kc_tools_check_config(const struct kc_config *c, struct kc_diag_list *d);

/* Provider JSON-schema tool definitions for native tool calling:
 * [{name, description, parameters: {type: "object", properties, required}}].
 * Caller frees. */
cJSON *kc_tools_native_schemas(const cJSON *tools);

/* A compiled prompt set for one (mode, model). */
struct kc_prompts {
	char *system;            /* the system prompt */
	char *per_turn;          /* appended to each user turn ("" if none) */
	cJSON *catalog_manifest; /* what was rendered from where (see CONFIG.md) */
	cJSON *tools;            /* normalized tools of the mode */
	cJSON *native_tools;     /* kc_tools_native_schemas(tools) */
	char mode[64];           /* the mode compiled for */
	char tpsl_dialect[64];   /* the template family chosen ("" if TPSL off) */
	char cache_key[65];      /* sha256 hex of config + prompts + toolset */
};

/* Compiles the prompts. mode NULL: the first mode the loop sequence runs
 * (as the prototype resolved it); model_id NULL: providers.default_model.
 * 0, or -1 with a message naming the file/template in err. On success the
 * caller frees with kc_prompts_free (also safe on a zeroed struct). */
int kc_prompts_compile(const struct kc_config *c, const char *mode, const char *model_id,
                       struct kc_prompts *out, char *err, size_t errlen);
void kc_prompts_free(struct kc_prompts *p);

/* The mode the loop starts in (loop.sequence, features.* conditions), or
 * the first mode; NULL if the config has none. Points into the config. */
const char *kc_prompts_start_mode(const struct kc_config *c);

/* SHA-256 (FIPS 180-4), for cache keys; hex is 64 chars + NUL. */
struct kc_sha256 {
	uint32_t h[8];
	uint8_t buf[64];
	uint64_t len;
	size_t nbuf;
};
void kc_sha256_init(struct kc_sha256 *s);
void kc_sha256_update(struct kc_sha256 *s, const void *data, size_t n);
void kc_sha256_final_hex(struct kc_sha256 *s, char hex[65]);
void kc_sha256_hex(const void *data, size_t n, char hex[65]);

#endif
