/* worker-llm entry point after argument parsing. */
#ifndef KC_WORKER_LLM_SERVE_H
#define KC_WORKER_LLM_SERVE_H

#include "ipc/wargs.h"

/* Load keys from envp (and wipe them there), harden, serve IPC until
 * SHUTDOWN or the supervisor is gone. Returns the exit status. */
int llm_main(const struct worker_args *wa, char **envp);

#endif
