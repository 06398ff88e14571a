/*
 * policy.h — how kylecode-tools confines itself before it serves a
 * request: no network (a fresh network namespace with no interfaces), no
 * capabilities, no_new_privs, Landlock limiting file access to the
 * workspace (and socket creation in the runtime dir) where the kernel
 * offers it, and a default-deny seccomp allowlist without execve.
 */
#ifndef KC_WORKER_TOOLS_POLICY_H
#define KC_WORKER_TOOLS_POLICY_H

#include <stddef.h>

#include "ipc/wargs.h"

/* Applies every step in order; any failure is fatal (Landlock missing from
 * the kernel is logged, not fatal: seccomp and the openat2 checks of the
 * file tools still hold). ws_fd: the workspace directory. */
void tool_policy_apply(const struct worker_args *wa, int ws_fd);

/* The seccomp filter alone (tests/policy forks and calls it). Returns 0
 * or a negative errno. */
int tool_policy_install_seccomp(void);

/* Landlock alone: 1 applied, 0 not offered by the kernel, -1 failed
 * (err says why). */
int tool_policy_landlock(int ws_fd, const char *rundir, char *err, size_t errlen);

#endif
