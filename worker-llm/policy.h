/* worker-llm confinement: fds, capabilities, limits, no_new_privs and the
 * seccomp allowlist, in that order (STYLE.md rule 5). */
#ifndef KC_WORKER_LLM_POLICY_H
#define KC_WORKER_LLM_POLICY_H

#include <stddef.h>

#include "ipc/wargs.h"

/* The environment variables kept after the drop (none is secret: the
 * TLS trust store override, the time zone, and the test-build failpoints). */
extern const char *const llm_env_keep[];

/* Confine this process. Every failing step is fatal. */
void llm_policy_apply(const struct worker_args *wa);
/* Only the seccomp step (for tests that fork and probe the filter).
 * Returns 0 or -errno. */
int llm_policy_install_seccomp(void);

/* The NSS services of an nsswitch.conf "hosts:" line that are shared
 * objects to load (not "files"/"dns", built into the C library; not
 * "[...]" actions). Returns how many were written to names. */
size_t llm_policy_nss_hosts(const char *line, char names[][32], size_t max);

#endif
