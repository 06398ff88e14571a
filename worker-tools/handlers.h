/*
 * handlers.h — the IPC requests kylecode-tools answers (docs/IPC.md,
 * "worker-tools"): TOOLS_CONFIGURE, TOOLS_PARSE, TOOLS_EXEC, TOOLS_APPLY.
 * The handlers run on several service threads at once; the configuration
 * is swapped under a lock so a request sees one configuration throughout.
 */
#ifndef KC_WORKER_TOOLS_HANDLERS_H
#define KC_WORKER_TOOLS_HANDLERS_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "ipc/ipc.h"

struct tool_server;

/* ws_fd (O_PATH|O_DIRECTORY of the workspace) stays owned by the caller. */
struct tool_server *tool_server_new(int ws_fd, const char *ws_path);
void tool_server_free(struct tool_server *ts);

/* The handler table for ipc_worker_serve (arg = the tool_server). */
const struct ipc_handler *tool_handlers(size_t *n);

/* The request bodies, callable without IPC (unit tests, kylecode apply's
 * in-process checks). Each returns 0 with *reply set (caller owns), or -1
 * with a code ("bad_request", "denied", ...) and a message in err.
 * deadline_ms (kc_mono_ms(); 0: none): a call not yet started by then is
 * refused ("not run"), a directory walk under way stops there with a
 * partial result; a write that has started is never cut short. */
int tool_do_configure(struct tool_server *ts, const cJSON *body, cJSON **reply, const char **code,
                      char *err, size_t errlen);
int tool_do_parse(struct tool_server *ts, const cJSON *body, cJSON **reply, const char **code,
                  char *err, size_t errlen);
int tool_do_exec(struct tool_server *ts, const cJSON *body, int64_t deadline_ms, cJSON **reply,
                 const char **code, char *err, size_t errlen);
int tool_do_apply(struct tool_server *ts, const cJSON *body, int64_t deadline_ms, cJSON **reply,
                  const char **code, char *err, size_t errlen);

#endif
