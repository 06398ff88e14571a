/* kylecode-tools: parses and validates tool calls, applies edits beneath
 * the workspace. Start-up only: arguments, the workspace descriptor, the
 * confinement (policy.c), then the IPC handlers (handlers.c). */
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include "ipc/ipc.h"
#include "ipc/wargs.h"
#include "lib/core/log.h"
#include "worker-tools/handlers.h"
#include "worker-tools/policy.h"

/* Service threads: enough for a batch of parallel reads (the reference
 * configs allow max_parallel 4) plus a PARSE arriving meanwhile. */
#define TOOL_THREADS 4

int
main(int argc, char **argv)
{
	struct worker_args wa;
	struct tool_server *ts;
	const struct ipc_handler *tab;
	char ws_path[PATH_MAX];
	size_t ntab;
	int ws_fd, rc;

	worker_args_parse(argc, argv, "tools",
	                  "kylecode-tools: parses and validates tool calls, applies edits beneath "
	                  "the workspace.",
	                  &wa);
	log_init("tools", wa.verbose);
	if (wa.workspace == NULL)
		fatalx("tools: --workspace DIR is required (the directory the tools may touch)");
	if (realpath(wa.workspace, ws_path) == NULL)
		fatal("tools: workspace %s", wa.workspace);
	/* Everything beneath the workspace is reached through this one
	 * descriptor (openat2 RESOLVE_BENEATH), never by path. */
	if ((ws_fd = open(ws_path, O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1)
		fatal("tools: open workspace %s", ws_path);
	tool_policy_apply(&wa, ws_fd);
	ts = tool_server_new(ws_fd, ws_path);
	tab = tool_handlers(&ntab);
	rc = ipc_worker_serve(wa.req_url, wa.ev_url, tab, ntab, ts, TOOL_THREADS);
	tool_server_free(ts);
	close(ws_fd);
	return rc == 0 ? 0 : 1;
}
