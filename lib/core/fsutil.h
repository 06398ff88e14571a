/* Small filesystem helpers shared by the supervisor's modules and lib/config. */
#ifndef KC_LIB_CORE_FSUTIL_H
#define KC_LIB_CORE_FSUTIL_H

#include <stddef.h>
#include <sys/types.h>

#include <cjson/cJSON.h>

/* mkdir -p: makes every missing component of path with mode (before the
 * umask). Returns 0, or -1 with errno of the first component that could
 * not be made (an existing one is fine). */
int kc_mkdir_p(const char *path, mode_t mode);

/* Reads a whole regular file of at most max bytes (NUL-terminated; *lenp,
 * if not NULL, is its size). A FIFO or device is refused without blocking.
 * NULL with "path: why" in err. Caller frees. */
char *kc_file_read(const char *path, size_t max, size_t *lenp, char *err, size_t errlen);

/* A JSON file of the run directory (at most KC_JSON_FILE_MAX bytes),
 * parsed; NULL with "path: why" in err ("not valid JSON" when it was read
 * but does not parse). Caller deletes. */
#define KC_JSON_FILE_MAX (256u << 20)
cJSON *kc_json_file_load(const char *path, char *err, size_t errlen);

/* Whether rel is a plain relative path: names joined by '/', none empty,
 * "." or "..", no leading '/'. */
int kc_path_rel_ok(const char *rel);

#endif
