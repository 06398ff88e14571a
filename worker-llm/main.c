/* kylecode-llm: the only process with API keys and network; talks to model providers. */
#include <stddef.h>

#include "ipc/ipc.h"
#include "ipc/wargs.h"
#include "lib/core/log.h"

int
main(int argc, char **argv)
{
	struct worker_args wa;

	worker_args_parse(argc, argv, "llm", "kylecode-llm: the only process with API keys and network; talks to model providers.", &wa);
	log_init("llm", wa.verbose);
	/* Skeleton: PING and SHUTDOWN only, until the role's handlers land. */
	return ipc_worker_serve(wa.req_url, wa.ev_url, NULL, 0, NULL, 2) == 0 ? 0 : 1;
}
