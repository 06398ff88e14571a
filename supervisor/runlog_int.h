/* runlog_int.h — what the runlog_*.c files share; not for other modules. */
#ifndef KC_SUPERVISOR_RUNLOG_INT_H
#define KC_SUPERVISOR_RUNLOG_INT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <cjson/cJSON.h>

#include "lib/core/strbuf.h"
#include "supervisor/runlog.h"

#define RUNLOG_TMP_SUFFIX ".kctmp"
#define RUNLOG_TRACE "raw/events/trace.jsonl"
#define RUNLOG_REDACTION "meta/redaction.log"
#define RUNLOG_MIN_SECRET 8 /* shorter env values would redact ordinary words */

struct runlog_secret {
	char *name;  /* env var name */
	char *value; /* wiped on close */
	size_t len;
};

struct runlog {
	pthread_mutex_t mtx; /* tool threads log concurrently */
	char *dir;
	int trace_fd;     /* -1 when include_events is off */
	int redaction_fd; /* meta/redaction.log, append */
	uint64_t seq;
	int failed;
	char err[512];
	int redact, include_raw, include_events;
	struct runlog_secret *secrets;
	size_t nsecrets;
	struct strbuf md; /* conversation.md, written whole by runlog_flush */
	cJSON *index;     /* conversation/index.json entries */
	int dirty;
	long crash_at; /* KYLECODE_CRASH_AT_STEP, 0 = off */
	long steps;
};

/* runlog_io.c: the durable primitives; each counts one step. */
int runlog_io_write_all(int fd, const void *buf, size_t len);
int runlog_io_fsync_dir(const char *dir);
int runlog_io_mkdirs(struct runlog *rl, const char *rel_dir);
int runlog_io_whole(struct runlog *rl, const char *rel, const char *data, size_t len);
int runlog_io_whole_mode(struct runlog *rl, const char *rel, const char *data, size_t len,
                         mode_t mode);
int runlog_io_append(struct runlog *rl, int fd, const char *what, const char *rec, size_t len);
void runlog_io_step(struct runlog *rl, int fd, const char *rec, size_t len);
int runlog_fail(struct runlog *rl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* runlog_redact.c */
void runlog_secrets_load(struct runlog *rl, const struct runlog_opts *o);
void runlog_secrets_wipe(struct runlog *rl);
/* Redacts into a new string (caller frees); appends to redaction.log. */
char *runlog_redact_locked(struct runlog *rl, const char *text, size_t len, const char *where,
                           size_t *outlen);

/* runlog_trace.c */
int runlog_trace_open(struct runlog *rl, int verify, cJSON **events, char *err, size_t errlen);
int runlog_event_locked(struct runlog *rl, const char *kind, cJSON *fields);

#endif
