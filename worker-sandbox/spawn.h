/* spawn.h — starting host programs for the process, runsc and docker drivers. */
#ifndef KC_WORKER_SANDBOX_SPAWN_H
#define KC_WORKER_SANDBOX_SPAWN_H

#include <stddef.h>

#include "worker-sandbox/sbx_int.h"

struct spawn_opts {
	const char *path; /* absolute program path */
	char *const *argv;
	char *const *envp;
	const char *cwd;              /* or NULL */
	const struct sbx_limits *lim; /* rlimits for the child, or NULL */
	int newpid;                   /* 1: pid 1 of a new pid namespace */
};

/* Starts o->path in its own process group; fills proc (kill not set). */
int sbx_spawn(const struct spawn_opts *o, struct sbx_proc *proc, struct sbx_result *res);
/* A sbx_proc kill function: SIGKILL to the whole process group. */
void sbx_kill_group(struct sbx_proc *p, void *arg);
/* Finds prog in the usual system directories; 0 or -1. */
int sbx_which(const char *prog, char *out, size_t outlen);

#endif
