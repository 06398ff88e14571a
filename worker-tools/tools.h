/* File and edit tools of the tools worker: every tool that reads or writes
 * beneath the workspace root (read_file, list_dir, create_file,
 * create_file_from_block, apply_unified_patch, apply_search_replace,
 * mark_task_complete; OpenCode's read, write, list, glob, grep, edit, patch,
 * task, lsp-diagnostics, webfetch). Shell tools are not here: they are
 * forwarded to the sandbox worker by the IPC handlers. */
#ifndef KC_WORKER_TOOLS_TOOLS_H
#define KC_WORKER_TOOLS_TOOLS_H

#include <stdint.h>

#include <cjson/cJSON.h>

struct tool_ctx {
	int ws_fd;           /* directory fd of the workspace root (O_PATH is fine) */
	const char *ws_path; /* its absolute path (to strip from absolute args) */
	const cJSON *config; /* TOOLS_CONFIGURE body: tools, aliases,
	                      * create_file_policy, git_writable,
	                      * allow_network_tools (NULL: defaults) */
	int64_t deadline_ms; /* kc_mono_ms() by which to answer (0: none):
	                      * directory walks stop there with a partial result */
};

/* Runs one file/edit tool beneath the workspace.
 * *result = {"ok":bool,"output":"text for the model","error":"...",
 *            "changed_files":[...],"diff":"unified diff of what changed",
 *            "complete":bool}; the caller owns it (cJSON_Delete).
 * Returns 0 (even when the tool failed: ok=false), -1 only on internal
 * error (then *result is NULL). An unknown name is ok=false, not -1.
 * Thread-safe: no shared state, so calls of one turn may run in parallel
 * (two writes of the same file race like any two writers; the validator
 * keeps writes, which are blocking tools, sequential). */
int tool_run(struct tool_ctx *ctx, const char *name, const cJSON *args, cJSON **result);

/* 1 when name is a tool tool_run() implements (after no alias mapping). */
int tool_is_file_tool(const char *name);

#endif
