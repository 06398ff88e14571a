/*
 * dialect.h — the tool-call dialect parsers of the tools worker.
 *
 * A model writes tool calls as text in one of several syntaxes (the ones
 * the reference TPSL templates teach): pythonic <TOOL_CALL>, <BASH> blocks,
 * unified diffs, Aider SEARCH/REPLACE, OpenCode patches, Anthropic-style
 * XML, JSON blocks and YAML commands; providers also return native calls.
 * Every parser has the same shape: it turns the blocks it recognises into
 * calls {id, name, args, dialect, line}, keeps the text outside the blocks
 * as the assistant message, and reports each malformed block as a precise
 * message the model can act on (which call, which line, what was expected).
 *
 * The registry argument is the TOOLS_CONFIGURE body (or any object with
 * "tools": [normalized tool defs] and "aliases": {alias: canonical}); a
 * bare array is read as the tool list. Names are resolved through it and
 * positional arguments mapped to each tool's parameter order. Unknown
 * names are kept as written: the turn validator reports them.
 */
#ifndef KC_WORKER_TOOLS_DIALECTS_DIALECT_H
#define KC_WORKER_TOOLS_DIALECTS_DIALECT_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "lib/core/strbuf.h"

struct dialect_result {
	cJSON *calls;          /* [{id, name, args, dialect, line}] */
	struct strbuf message; /* the text outside every call block */
	cJSON *errors;         /* [{call: null, line, dialect, message}] */
};

/* Names of every dialect, in the order dialect_parse_all() tries them
 * when two blocks start at the same offset. NULL-terminated. */
extern const char *const dialect_names[];

void dialect_result_init(struct dialect_result *r);
void dialect_result_free(struct dialect_result *r);

/* 1 when name is a dialect this module knows ("provider_native" too). */
int dialect_is_known(const char *name);

/* Parses text with one dialect. Returns 0, or -1 when the dialect name is
 * unknown (out is left initialised and empty then). */
int dialect_parse(const char *name, const char *text, const cJSON *registry,
                  struct dialect_result *out);

/* Scans text once and parses each enabled dialect's blocks in text order
 * (enabled NULL = every dialect). Returns 0, or -1 when an enabled name is
 * unknown. Text calls are numbered call_1, call_2, ... */
int dialect_parse_all(const char *text, const char *const *enabled, const cJSON *registry,
                      struct dialect_result *out);

/* Appends provider-native calls ([{id, name, arguments: "<json text>"}])
 * to out after the text calls. Bad JSON arguments become an error naming
 * the call, its id and the line/column in the arguments. Returns 0. */
int dialect_parse_native(const cJSON *native_calls, const cJSON *registry,
                         struct dialect_result *out);

#endif
