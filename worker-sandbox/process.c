/*
 * process.c — the `process` driver: development only. The command runs as
 * the worker, on the host, in the real workspace directory, with rlimits,
 * the rebuilt environment, its own process group and the timeout. There is
 * NO isolation: it can read and write anything the worker can. The factory
 * and doctor say so loudly.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/core/xmalloc.h"
#include "worker-sandbox/sbx_int.h"
#include "worker-sandbox/spawn.h"

static int
process_run(struct sbx *s, const struct sbx_req *req, struct sbx_result *res)
{
	struct sbx_proc proc = {.pid = -1, .pidfd = -1};
	struct sbx_limits lim;
	struct spawn_opts o;
	char path[4096], *rel = sbx_cwd_rel(req->cwd), *cwd;
	char **envp;
	int rc;

	if (rel == NULL) {
		sbx_fail(res, "cwd %s leaves the workspace", req->cwd);
		return -1;
	}
	cwd = xasprintf("%s/%s", s->workspace, rel);
	free(rel);
	envp = sbx_env_build(s, req, s->workspace);
	sbx_limits_resolve(&req->lim, &lim);
	memset(&o, 0, sizeof o);
	o.argv = req->argv;
	o.envp = envp;
	o.cwd = cwd;
	o.lim = &lim;
	o.path = req->argv[0];
	if (strchr(req->argv[0], '/') == NULL) {
		o.path = path;
		if (sbx_which(req->argv[0], path, sizeof path) != 0) {
			res->exit_code = 127;
			strbuf_addf(&res->err, "kylecode: %s: command not found\n", req->argv[0]);
			rc = 0;
			goto out;
		}
	}
	rc = sbx_spawn(&o, &proc, res);
	if (rc == 0) {
		proc.kill = sbx_kill_group;
		rc = sbx_capture_run(&proc, req, res);
	}
out:
	free(cwd);
	sbx_strv_free(envp);
	return rc;
}

const struct sbx_driver_ops sbx_process_ops = {SBX_PROCESS, process_run};
