/* policy.h — the sandbox worker's own confinement. */
#ifndef KC_WORKER_SANDBOX_POLICY_H
#define KC_WORKER_SANDBOX_POLICY_H

#include "worker-sandbox/sbx.h"

/* Closes stray descriptors, clears the environment, drops every
 * capability but those the jail needs (all kept for runsc), sets
 * RLIMIT_CORE 0 and no_new_privs, loads the worker's seccomp deny-list.
 * Fatal on any failure. Call before opening the IPC sockets. */
void sbx_worker_confine(enum sbx_driver_id driver);

#endif
