/* sbx_int.h — what the sandbox worker's files share among themselves. */
#ifndef KC_WORKER_SANDBOX_SBX_INT_H
#define KC_WORKER_SANDBOX_SBX_INT_H

#include <linux/filter.h>
#include <stdint.h>
#include <sys/types.h>

#include "worker-sandbox/sbx.h"

struct sbx_driver_ops {
	enum sbx_driver_id id;
	int (*run)(struct sbx *s, const struct sbx_req *req, struct sbx_result *res);
};

struct sbx {
	const struct sbx_driver_ops *ops;
	char *workspace;  /* absolute, resolved */
	char *image;      /* docker */
	char *runtime;    /* docker */
	char **env_allow; /* extra allowed names, NULL-terminated */
	int git_writable;
	uint32_t host_uid; /* the command's host uid (jail) */
	/* jail state, prepared once by the factory */
	struct sock_fprog seccomp;
	int idmap_userns_fd;          /* maps the workspace owner to host_uid, or -1 */
	unsigned long seq;            /* per-command counter (cgroup names) */
	char *private_dir;            /* the worker's scratch dir (docker seccomp profile) */
	char *seccomp_profile;        /* docker: path of the profile file, or NULL */
	char *seccomp_profile_gvisor; /* docker --runtime runsc: the same for gVisor */
};

/* Records the jail's processes send the worker on the status pipe. The
 * child cannot allocate or use stdio, so the record is fixed-size. */
enum { JAIL_MSG_SETUP = 1, JAIL_MSG_EXEC = 2, JAIL_MSG_STATUS = 3 };
struct jail_msg {
	int32_t kind;
	int32_t code; /* errno (SETUP, EXEC) or wait status (STATUS) */
	char text[248];
};

/* A started command, as capture.c drives it. */
struct sbx_proc {
	pid_t pid;  /* what the worker waits for */
	int out_fd; /* read ends, owned: closed by sbx_capture_run */
	int err_fd;
	int status_fd; /* jail status records, or -1 */
	int pidfd;     /* set by sbx_capture_run; valid while kill may be called */
	/* called once at the deadline; must make pid exit */
	void (*kill)(struct sbx_proc *p, void *arg);
	void *kill_arg;
};

/* Drains the pipes with the cap, streams chunks, kills at the deadline,
 * reaps pid and fills res. Returns 0, or -1 on setup failure. */
int sbx_capture_run(struct sbx_proc *p, const struct sbx_req *req, struct sbx_result *res);
void sbx_fail(struct sbx_result *res, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The effective limits with defaults applied. */
void sbx_limits_resolve(const struct sbx_limits *in, struct sbx_limits *out);
int sbx_timeout_ms(const struct sbx_req *req);
/* Builds the command's environment from the allowlist: PATH, HOME, LANG,
 * TERM, TZ, LC_* and the config's names; values from req->env or fixed
 * defaults, never from the worker's own environment. NULL-terminated,
 * caller frees with sbx_strv_free. */
char **sbx_env_build(const struct sbx *s, const struct sbx_req *req, const char *home);
void sbx_strv_free(char **v);
/* Validates and normalizes req->cwd: returns "" or "a/b", or NULL. */
char *sbx_cwd_rel(const char *cwd);
/* 0: argv[0] may run; 1: it cannot (missing: 127, not executable: 126),
 * res filled as a shell would. For the gVisor runtimes, which report
 * these as their own failures. */
int sbx_prog_precheck(const struct sbx *s, const struct sbx_req *req, struct sbx_result *res);

/* Drivers. */
extern const struct sbx_driver_ops sbx_jail_ops, sbx_runsc_ops, sbx_docker_ops, sbx_process_ops;

/* Jail pieces (jail_*.c). */
int jail_seccomp_build(struct sock_fprog *out, char *err, size_t errlen);
/* The deny-list as an OCI/Docker seccomp profile (caller deletes);
 * gvisor: for runsc, which ignores errnoRet (see jail_seccomp.c). */
struct cJSON;
struct cJSON *jail_seccomp_oci(int gvisor);
/* The personality(2) filter, loaded in addition to the built one. */
extern const struct sock_fprog jail_persona_prog;
int jail_idmap_userns(uid_t owner, gid_t group, uint32_t host_uid, char *err, size_t errlen);

/* The per-command plan the jail's child follows; built by the worker,
 * read-only in the child (which must not allocate). */
struct jail_plan {
	const struct sbx *s;
	char *const *argv;
	char **envp;
	char **argv_copy;  /* owns argv's strings */
	char cwd[4096];    /* absolute inside the jail */
	char tmp_opts[64]; /* tmpfs options of /tmp */
	int ws_mnt_fd;     /* the workspace's (idmapped) detached mount */
	int git_ro;        /* bind .git read-only */
	int out_w, err_w, status_w, go_r;
	struct sbx_limits lim;
	uint32_t in_uid; /* uid/gid of the command inside the jail */
};

/* jail_child.c: the jail's pid 1; never returns. */
void jail_child_main(const struct jail_plan *p) __attribute__((noreturn));
/* jail_mount.c: builds the root at /tmp/kcroot-less path and pivots. */
int jail_mount_root(const struct jail_plan *p, struct jail_msg *m);
/* jail_landlock.c: restricts writes to /workspace, /tmp, /dev. */
int jail_landlock_apply(struct jail_msg *m);
/* jail_cgroup.c */
struct jail_cgroup {
	char mem[256];
	char pids[256];
	char cpu[256];
	int have_mem, have_pids, have_cpu;
};
int jail_cgroup_create(struct jail_cgroup *cg, const char *name, const struct sbx_limits *lim);
int jail_cgroup_attach(const struct jail_cgroup *cg, pid_t pid);
/* "memory" / "pids" if the cgroup hit its limit, else "". */
const char *jail_cgroup_reason(const struct jail_cgroup *cg);
void jail_cgroup_destroy(struct jail_cgroup *cg);
/* Makes the parent cgroups (needs the worker's capabilities: call it
 * before the drop) and removes empty kc-<pid>-* cgroups of workers that no
 * longer exist. */
void jail_cgroup_sweep(void);
int jail_cgroup_available(char *why, size_t whylen);

/* Child-side reporting helper (async-signal-safe). */
void jail_msg_set(struct jail_msg *m, int kind, int code, const char *what);

#endif
