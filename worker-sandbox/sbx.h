/*
 * sbx.h — the sandbox worker's engine: run one command inside a driver
 * (jail, runsc, docker, process) with limits, a wall-clock timeout and
 * captured, capped output.
 *
 * Every code path creates sandboxes through sbx_factory_create() (the
 * prototype's SandboxFactory): it validates the workspace, picks the driver
 * and prepares what the driver needs once (the jail's seccomp program, its
 * id-mapping user namespace), so that per-command work is small.
 */
#ifndef KC_WORKER_SANDBOX_SBX_H
#define KC_WORKER_SANDBOX_SBX_H

#include <stddef.h>
#include <stdint.h>

#include "lib/core/strbuf.h"

/* Defaults (DESIGN §6, issue 7): 1 GiB memory, 256 pids, 10 min, 1 MiB of
 * output per stream. */
#define SBX_DEF_MEMORY (1024ull * 1024 * 1024)
#define SBX_DEF_PIDS 256
#define SBX_DEF_TIMEOUT_MS (10 * 60 * 1000)
#define SBX_DEF_OUTPUT (1024u * 1024u)
#define SBX_DEF_FSIZE (1024ull * 1024 * 1024)
#define SBX_DEF_NOFILE 1024
#define SBX_DEF_TMP (512ull * 1024 * 1024)

/* The fixed path of the workspace inside jail, runsc and docker. */
#define SBX_WS_PATH "/workspace"

enum sbx_driver_id { SBX_JAIL, SBX_RUNSC, SBX_DOCKER, SBX_PROCESS, SBX_NDRIVERS };

struct sbx_limits {
	uint64_t memory_bytes; /* cgroup memory limit; RLIMIT_DATA */
	uint32_t pids;         /* cgroup pids.max; RLIMIT_NPROC */
	uint64_t cpu_ms;       /* RLIMIT_CPU (0 = none) */
	uint32_t cpu_milli;    /* cgroup CPU quota, 1/1000 of a core (0 = none) */
	size_t output_bytes;   /* per stream; beyond it bytes are counted, dropped */
	uint64_t fsize_bytes;  /* RLIMIT_FSIZE */
	uint32_t nofile;       /* RLIMIT_NOFILE */
	uint64_t tmp_bytes;    /* size of the private /tmp tmpfs */
};

/* Chunks of output as they arrive (stream 1 = stdout, 2 = stderr). */
typedef void (*sbx_output_fn)(int stream, const char *data, size_t len, void *arg);

struct sbx_req {
	char *const *argv;       /* NULL-terminated, argv[0] looked up in PATH */
	const char *cwd;         /* relative to the workspace; NULL = its root */
	int timeout_ms;          /* <= 0: SBX_DEF_TIMEOUT_MS */
	char *const *env;        /* extra "NAME=VALUE" (allowlisted names only), or NULL */
	char *const *env_allow;  /* names allowed through for this request too, or NULL */
	struct sbx_limits lim;   /* zero fields take the defaults */
	int git_writable;        /* 1: .git stays writable inside */
	const char *image;       /* docker image (NULL: the factory's) */
	const char *runtime;     /* docker runtime "runc" | "runsc" (NULL: the factory's) */
	sbx_output_fn on_output; /* may be NULL */
	void *arg;
};

struct sbx_result {
	int exit_code;          /* as a shell reports it: status, 128+signal */
	int signal;             /* the signal that ended the command, or 0 */
	int timed_out;          /* 1: killed at the deadline */
	int setup_failed;       /* 1: the sandbox could not be set up (exit 125) */
	char killed_reason[16]; /* "timeout" | "memory" | "pids" | "" */
	struct strbuf out, err;
	uint64_t out_dropped, err_dropped;
	int64_t duration_ms;
	char error[512]; /* why setup failed, or "" */
};

struct sbx_config {
	const char *workspace; /* host directory; must exist */
	enum sbx_driver_id driver;
	const char *image;      /* docker image; default SBX_DOCKER_IMAGE */
	const char *runtime;    /* docker runtime; default "runc" */
	int git_writable;       /* config workspace.sandbox.git_writable */
	char *const *env_allow; /* extra variable names allowed through, or NULL */
	uint32_t host_uid;      /* host uid the jailed command runs as (65534) */
};

#define SBX_DOCKER_IMAGE "kylecode-local:latest"

struct sbx;

/* The one way to make a sandbox. Returns NULL with err filled when the
 * workspace is unusable or the driver cannot work on this host. */
struct sbx *sbx_factory_create(const struct sbx_config *cfg, char *err, size_t errlen);
void sbx_free(struct sbx *s);
const char *sbx_driver_name(enum sbx_driver_id id);
/* -1 if unknown. */
int sbx_driver_parse(const char *name);
const char *sbx_workspace(const struct sbx *s);

/* Runs one command; always fills res (init it with sbx_result_init first).
 * Returns 0 when the command ran (whatever its status), -1 when the
 * sandbox could not be set up (res->setup_failed, res->error). */
int sbx_run(struct sbx *s, const struct sbx_req *req, struct sbx_result *res);
void sbx_result_init(struct sbx_result *r);
void sbx_result_free(struct sbx_result *r);

/* Can this driver work here? 1 yes, 0 no; why says which way and why. */
int sbx_driver_check(enum sbx_driver_id id, char *why, size_t whylen);

/* Valid UTF-8 text without NUL for data (malloc'ed; U+FFFD replaces the
 * rest): how command output travels in JSON. */
char *sbx_text_sanitize(const char *data, size_t len);

/* Workspace mirroring (mirror.c). Copies host_dir into the workspace
 * (op in) or changed files back (op out); paths restricts to those
 * relative paths (NULL: all). Each copied/skipped path is appended to the
 * lists as a NUL-separated strbuf. Returns 0 or -1 with err. */
int sbx_mirror_in(const char *host_dir, const char *ws, char *const *paths, struct strbuf *copied,
                  struct strbuf *skipped, char *err, size_t errlen);
int sbx_mirror_out(const char *ws, const char *host_dir, char *const *paths, struct strbuf *copied,
                   struct strbuf *skipped, char *err, size_t errlen);
/* Normalizes rel (no leading '/', no "." or ".." segments, no duplicated
 * slashes, and strips a leading copy of ws_name so that "ws/a/b" inside
 * workspace "ws" never becomes "ws/ws/a/b"). Returns 0 or -1 when rel
 * escapes. out must hold strlen(rel)+1 bytes. */
int sbx_path_normalize(const char *rel, const char *ws_name, char *out, size_t outlen);

#endif
