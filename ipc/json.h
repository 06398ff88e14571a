/* json.h — the writer of IPC message bodies (internal to ipc/). */
#ifndef KC_IPC_JSON_H
#define KC_IPC_JSON_H

#include <stddef.h>

#include <cjson/cJSON.h>

/* Prints item as compact JSON, byte-identical to cJSON_PrintUnformatted(),
 * after `prefix` bytes left free at the start of the returned buffer (room
 * for a header: no copy). *len is the JSON's length. The buffer is not
 * NUL-terminated; the caller frees it. NULL when out of memory or nested
 * deeper than 1000. */
char *ipc_json_print(const cJSON *item, size_t prefix, size_t *len);

/* Parses exactly one JSON value from s[0..n) (whitespace around it
 * allowed). Stricter than cJSON: see json.c. NULL with a message naming
 * the byte offset on error. Deleted with cJSON_Delete(). */
cJSON *ipc_json_parse(const char *s, size_t n, char *err, size_t errlen);

#endif
