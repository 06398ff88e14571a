/*
 * runlog.h — the run directory (DESIGN §8, Logging V2). This module is the
 * only writer of a run directory; docs/RUNLOG.md describes the layout.
 *
 * Durability: whole files are written to a temp file in the same
 * directory, fsynced, renamed, and the directory fsynced; trace.jsonl is
 * append-only, one write() of a complete record (with seq and CRC32C) and
 * one fsync per event. A failed fsync/rename is final: the handle goes into
 * a failed state and every later write fails with the first error.
 * Secrets are redacted before anything reaches the disk.
 *
 * KYLECODE_CRASH_AT_STEP=N raises SIGKILL at the Nth durable boundary (a
 * file about to be renamed into place, or a trace record half written), so
 * tests can prove a crash at any point leaves a readable run.
 */
#ifndef KC_SUPERVISOR_RUNLOG_H
#define KC_SUPERVISOR_RUNLOG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <cjson/cJSON.h>

struct runlog; /* opaque */

/* Transcript sections of conversation.md, headers exactly as DESIGN §8. */
enum runlog_section {
	RUNLOG_SEC_SYSTEM,
	RUNLOG_SEC_USER,
	RUNLOG_SEC_TOOLS_PROMPT,    /* Tools Available Prompt */
	RUNLOG_SEC_NATIVE_PROVIDED, /* Tools Provided via Provider API Tool Schema */
	RUNLOG_SEC_NATIVE_CALLS,    /* Model Called Provider Schema-Native Tools */
	RUNLOG_SEC_NATIVE_RESULTS,  /* Provider Schema-Native Tool Call Results */
	RUNLOG_SEC_ASSISTANT,
	RUNLOG_SEC_TOOL_RESULTS, /* Tool Results (Text-Based Execution) */
};

struct runlog_opts {
	const char *root_dir; /* the log root; created if missing */
	int redact;           /* default on: turning it off is the caller's explicit choice */
	int include_raw;      /* raw/requests + raw/responses */
	int include_events;   /* raw/events/trace.jsonl (resume needs it) */
	int max_runs;         /* retention: keep at most this many runs; 0 = all */
	/* Names of environment variables whose values are secrets. */
	const char *const *secret_env;
	size_t nsecret_env;
};

/* Creates <root>/<YYYYmmdd-HHMMSS>_<short id>/ and its layout. */
struct runlog *runlog_create(const struct runlog_opts *o, char *err, size_t errlen);

/* Reopens an existing run (resume/replay). Verifies trace.jsonl: a torn
 * last record is truncated (and said so on stderr), a bad record followed
 * by good ones is an error naming file and offset. When events is not
 * NULL it receives the array of good records (caller frees). Removes its
 * own stale temp files and nothing else. */
struct runlog *runlog_reopen(const char *run_dir, const struct runlog_opts *o, cJSON **events,
                             char *err, size_t errlen);

/* Flushes the transcript and closes; secrets are wiped. NULL is a no-op. */
void runlog_close(struct runlog *rl);

const char *runlog_dir(const struct runlog *rl);
const char *runlog_last_error(const struct runlog *rl);
uint64_t runlog_last_seq(const struct runlog *rl);

/* Writes a whole file at rel (parents created), redacted first. 0 or -1. */
int runlog_write_file(struct runlog *rl, const char *rel, const char *data, size_t len);
int runlog_write_json(struct runlog *rl, const char *rel, const cJSON *j);
/* A whole file copied as it is: NOT redacted (the workspace snapshot; the
 * user's own files), with mode & 0755. rel: plain names joined by '/'
 * (any name but "." and ".."); the caller skips names ending in .kctmp,
 * which resume removes as stale temp files. */
int runlog_write_verbatim(struct runlog *rl, const char *rel, const char *data, size_t len,
                          mode_t mode);
/* Raw request/response files obey include_raw (a no-op returning 0 when off). */
int runlog_write_raw(struct runlog *rl, const char *rel, const cJSON *j);

/* Appends one event {seq, ts_ms, kind, ...fields} to trace.jsonl, durable
 * before return. fields (may be NULL) is taken. 0 or -1. */
int runlog_event(struct runlog *rl, const char *kind, cJSON *fields);

/* Adds a transcript section (body may be NULL; link is a path relative to
 * the run directory or NULL) and its index.json entry. The transcript is
 * buffered and written whole by runlog_flush. */
void runlog_section_add(struct runlog *rl, enum runlog_section sec, int turn, const char *body,
                        const char *link);
int runlog_flush(struct runlog *rl);
const char *runlog_section_title(enum runlog_section sec);

/* Redaction for callers that show text elsewhere (summaries, errors).
 * Returns a new string; where names the destination for redaction.log. */
char *runlog_redact(struct runlog *rl, const char *text, const char *where);

/* CRC32C (Castagnoli), for the trace records. */
uint32_t runlog_crc32c(uint32_t crc, const void *data, size_t len);

/* Verifies a trace file without a handle (replay --check, tests).
 * 0: ok (*ngood records, *torn_at = offset of a torn tail or -1).
 * -1: corruption, err names file and offset. Never modifies the file. */
int runlog_trace_verify(const char *path, size_t *ngood, long *torn_at, cJSON **events, char *err,
                        size_t errlen);

#endif
