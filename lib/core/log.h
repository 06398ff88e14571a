/* Logging for every process: one line per message, prefixed with the
 * process role; log_warn appends strerror(errno). Workers log to stderr,
 * which is a pipe the supervisor owns. */
#ifndef KC_LIB_CORE_LOG_H
#define KC_LIB_CORE_LOG_H

#include <stdarg.h>

void log_init(const char *role, int verbosity);
void log_setverbose(int verbosity);
int log_getverbose(void);
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Start-up and hardening errors: report and exit(1). */
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
