/* Small filesystem helpers shared by the supervisor's modules. */
#ifndef KC_LIB_CORE_FSUTIL_H
#define KC_LIB_CORE_FSUTIL_H

#include <sys/types.h>

/* mkdir -p: makes every missing component of path with mode (before the
 * umask). Returns 0, or -1 with errno of the first component that could
 * not be made (an existing one is fine). */
int kc_mkdir_p(const char *path, mode_t mode);

#endif
