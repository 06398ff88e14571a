#include "lib/core/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *log_role = "kylecode";
static int log_verbosity;
static pthread_mutex_t log_mtx = PTHREAD_MUTEX_INITIALIZER;

static void log_vemit(const char *level, int with_errno, int saved_errno, const char *fmt,
		      va_list ap) __attribute__((format(printf, 4, 0)));

void
log_init(const char *role, int verbosity)
{
	if (role != NULL)
		log_role = role;
	log_verbosity = verbosity;
}

void
log_setverbose(int verbosity)
{
	log_verbosity = verbosity;
}

int
log_getverbose(void)
{
	return log_verbosity;
}

/* One fprintf per line under a lock so that lines of concurrent threads do
 * not interleave in the supervisor's pipe. */
static void
log_vemit(const char *level, int with_errno, int saved_errno, const char *fmt, va_list ap)
{
	char msg[2048];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	pthread_mutex_lock(&log_mtx);
	if (with_errno)
		fprintf(stderr, "%s: %s%s: %s\n", log_role, level, msg, strerror(saved_errno));
	else
		fprintf(stderr, "%s: %s%s\n", log_role, level, msg);
	fflush(stderr);
	pthread_mutex_unlock(&log_mtx);
}

void
log_warn(const char *fmt, ...)
{
	int e = errno;
	va_list ap;

	va_start(ap, fmt);
	log_vemit("", 1, e, fmt, ap);
	va_end(ap);
	errno = e;
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit("", 0, 0, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	if (log_verbosity < 1)
		return;
	va_start(ap, fmt);
	log_vemit("", 0, 0, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (log_verbosity < 2)
		return;
	va_start(ap, fmt);
	log_vemit("debug: ", 0, 0, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	int e = errno;
	va_list ap;

	va_start(ap, fmt);
	log_vemit("fatal: ", 1, e, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit("fatal: ", 0, 0, fmt, ap);
	va_end(ap);
	exit(1);
}
