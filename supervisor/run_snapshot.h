/*
 * run_snapshot.h — the workspace a run started from, copied into the run
 * directory (workspace_start/, described by the "snapshot" object of
 * meta/workspace_start.json) so that `kylecode replay` starts from the
 * same files. docs/RUNLOG.md describes the format and the limits.
 */
#ifndef KC_SUPERVISOR_RUN_SNAPSHOT_H
#define KC_SUPERVISOR_RUN_SNAPSHOT_H

#include <stddef.h>

#include <cjson/cJSON.h>

struct cond;

#define RUN_SNAPSHOT_DIR "workspace_start"
#define RUN_SNAPSHOT_MAX_BYTES (64L * 1024 * 1024) /* logging.snapshot_max_bytes */
#define RUN_SNAPSHOT_MAX_FILES 10000L              /* logging.snapshot_max_files */

/* Copies c->workspace into the run directory and returns the manifest
 * (caller owns): {status, files, bytes, max_bytes, max_files, entries,
 * skipped}. status "complete" is the only one replay restores from; the
 * others ("disabled", "over_cap", "failed") say why there is none.
 * A run-log write failure returns NULL (the run log is then failed). */
cJSON *run_snapshot_take(struct cond *c);

/* Restores the snapshot of run_dir into workspace (created if missing).
 * 1 restored; 0 nothing restored (no complete snapshot, or the workspace
 * is not empty: *why says which); -1 error (err says what and where). */
int run_snapshot_restore(const char *run_dir, const char *workspace, const char **why, char *err,
                         size_t errlen);

#endif
