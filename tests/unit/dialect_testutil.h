/* Shared fixtures of the dialect tests: the reference registries (defs/
 * and defs_oc/ as lib/tpsl normalizes them, trimmed to what parsing
 * reads) and a parse helper. */
#ifndef KC_TESTS_UNIT_DIALECT_TESTUTIL_H
#define KC_TESTS_UNIT_DIALECT_TESTUTIL_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "worker-tools/dialects/dialect.h"

/* implementations/tools/defs with base_v2.yaml's aliases. */
static const char REG_DEFS[] =
    "{\"tools\":["
    "{\"name\":\"apply_search_replace\",\"blocking\":true,\"parameters\":["
    "{\"name\":\"file_name\",\"type\":\"string\",\"required\":true},"
    "{\"name\":\"search\",\"type\":\"string\",\"required\":true},"
    "{\"name\":\"replace\",\"type\":\"string\",\"required\":true}]},"
    "{\"name\":\"apply_unified_patch\",\"blocking\":true,\"parameters\":["
    "{\"name\":\"patch\",\"type\":\"string\",\"required\":true}]},"
    "{\"name\":\"create_file\",\"blocking\":true,\"parameters\":["
    "{\"name\":\"path\",\"type\":\"string\",\"required\":true}]},"
    "{\"name\":\"create_file_from_block\",\"blocking\":true,\"parameters\":["
    "{\"name\":\"file_name\",\"type\":\"string\",\"required\":true},"
    "{\"name\":\"content\",\"type\":\"string\",\"required\":true}]},"
    "{\"name\":\"list_dir\",\"blocking\":false,\"parameters\":["
    "{\"name\":\"path\",\"type\":\"string\",\"required\":true},"
    "{\"name\":\"depth\",\"type\":\"integer\",\"required\":false,\"default\":1}]},"
    "{\"name\":\"mark_task_complete\",\"blocking\":true,\"max_per_turn\":1,\"parameters\":[]},"
    "{\"name\":\"read_file\",\"blocking\":false,\"parameters\":["
    "{\"name\":\"path\",\"type\":\"string\",\"required\":true},"
    "{\"name\":\"offset\",\"type\":\"integer\",\"required\":false},"
    "{\"name\":\"limit\",\"type\":\"integer\",\"required\":false}]},"
    "{\"name\":\"run_shell\",\"blocking\":true,\"max_per_turn\":1,\"parameters\":["
    "{\"name\":\"command\",\"type\":\"string\",\"required\":true},"
    "{\"name\":\"timeout\",\"type\":\"integer\",\"required\":false,\"default\":60}]}"
    "],\"aliases\":{\"edit\":\"apply_search_replace\",\"patch\":\"apply_unified_patch\"}}";

/* implementations/tools/defs_oc (no aliases). */
static const char REG_OC[] =
    "{\"tools\":["
    "{\"name\":\"bash\",\"blocking\":true,\"max_per_turn\":1,\"parameters\":["
    "{\"name\":\"command\",\"type\":\"string\",\"required\":true},"
    "{\"name\":\"timeout\",\"type\":\"integer\"},{\"name\":\"description\",\"type\":\"string\"}]},"
    "{\"name\":\"edit\",\"blocking\":true,\"parameters\":["
    "{\"name\":\"filePath\",\"type\":\"string\",\"required\":true},"
    "{\"name\":\"oldString\",\"type\":\"string\",\"required\":true},"
    "{\"name\":\"newString\",\"type\":\"string\",\"required\":true},"
    "{\"name\":\"replaceAll\",\"type\":\"boolean\"}]},"
    "{\"name\":\"glob\",\"blocking\":false,\"parameters\":["
    "{\"name\":\"pattern\",\"type\":\"string\",\"required\":true},{\"name\":\"path\",\"type\":"
    "\"string\"}]},"
    "{\"name\":\"grep\",\"blocking\":false,\"parameters\":["
    "{\"name\":\"pattern\",\"type\":\"string\",\"required\":true},{\"name\":\"path\"},{\"name\":"
    "\"include\"}]},"
    "{\"name\":\"list\",\"blocking\":false,\"parameters\":[{\"name\":\"path\"},{\"name\":"
    "\"ignore\",\"type\":\"array\"}]},"
    "{\"name\":\"lsp-diagnostics\",\"blocking\":false,\"parameters\":[]},"
    "{\"name\":\"patch\",\"blocking\":true,\"parameters\":["
    "{\"name\":\"patchText\",\"type\":\"string\",\"required\":true}]},"
    "{\"name\":\"read\",\"blocking\":false,\"parameters\":["
    "{\"name\":\"filePath\",\"type\":\"string\",\"required\":true},"
    "{\"name\":\"offset\",\"type\":\"integer\"},{\"name\":\"limit\",\"type\":\"integer\"}]},"
    "{\"name\":\"task\",\"blocking\":false,\"parameters\":[{\"name\":\"description\",\"required\":"
    "true}]},"
    "{\"name\":\"webfetch\",\"blocking\":false,\"parameters\":[{\"name\":\"url\",\"required\":true}"
    "]},"
    "{\"name\":\"write\",\"blocking\":true,\"parameters\":["
    "{\"name\":\"filePath\",\"type\":\"string\",\"required\":true},"
    "{\"name\":\"content\",\"type\":\"string\",\"required\":true}]}"
    "],\"aliases\":{}}";

struct parsed {
	cJSON *reg;
	struct dialect_result r;
};

/* Parses text with one dialect (NULL: all) against a registry. */
static inline void
parse_with(struct parsed *p, const char *reg, const char *dialect, const char *text)
{
	p->reg = cJSON_Parse(reg);
	cr_assert_not_null(p->reg, "registry fixture is valid JSON");
	dialect_result_init(&p->r);
	if (dialect != NULL)
		cr_assert_eq(dialect_parse(dialect, text, p->reg, &p->r), 0);
	else
		cr_assert_eq(dialect_parse_all(text, NULL, p->reg, &p->r), 0);
}

static inline void
parsed_free(struct parsed *p)
{
	dialect_result_free(&p->r);
	cJSON_Delete(p->reg);
}

static inline int
ncalls(const struct parsed *p)
{
	return cJSON_GetArraySize(p->r.calls);
}

static inline int
nerrors(const struct parsed *p)
{
	return cJSON_GetArraySize(p->r.errors);
}

static inline const cJSON *
call_at(const struct parsed *p, int i)
{
	return cJSON_GetArrayItem(p->r.calls, i);
}

static inline const char *
call_name(const struct parsed *p, int i)
{
	return cJSON_GetStringValue(cJSON_GetObjectItem(call_at(p, i), "name"));
}

static inline const cJSON *
call_arg(const struct parsed *p, int i, const char *k)
{
	return cJSON_GetObjectItem(cJSON_GetObjectItem(call_at(p, i), "args"), k);
}

static inline const char *
call_sarg(const struct parsed *p, int i, const char *k)
{
	return cJSON_GetStringValue(call_arg(p, i, k));
}

static inline int
call_line(const struct parsed *p, int i)
{
	return (int)cJSON_GetNumberValue(cJSON_GetObjectItem(call_at(p, i), "line"));
}

static inline const char *
err_msg(const struct parsed *p, int i)
{
	return cJSON_GetStringValue(
	    cJSON_GetObjectItem(cJSON_GetArrayItem(p->r.errors, i), "message"));
}

static inline int
err_line(const struct parsed *p, int i)
{
	return (int)cJSON_GetNumberValue(
	    cJSON_GetObjectItem(cJSON_GetArrayItem(p->r.errors, i), "line"));
}

static inline const char *
message(const struct parsed *p)
{
	return p->r.message.buf ? p->r.message.buf : "";
}

#define assert_contains(hay, needle)                                                               \
	cr_assert(strstr((hay) ? (hay) : "", (needle)) != NULL, "expected '%s' in '%s'", (needle), \
	          (hay) ? (hay) : "(null)")

#endif
