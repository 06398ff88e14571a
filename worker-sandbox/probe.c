/*
 * probe.c — the built-in containment probes (SBX_PROBE, `kylecode doctor
 * --probe`): escape attempts that must fail and controls that must
 * succeed, run inside a driver on this very host, so a user sees what the
 * sandbox really holds on their machine before trusting it.
 *
 * Each probe is a short shell script that exits 0 when the expectation
 * holds (escape contained / control worked). They run in a scratch
 * workspace (with a .git directory) so the user's workspace is untouched.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/core/xmalloc.h"
#include "worker-sandbox/handlers.h"
#include "worker-sandbox/sbx_int.h"

#define PROBE_TIMEOUT_MS 20000

struct probe {
	const char *name;
	const char *kind; /* "escape" | "control" */
	const char *script;
};

static const struct probe probes[] = {
    {"write_etc", "escape", "! touch /etc/kc_probe 2>/dev/null"},
    {"write_usr", "escape", "! touch /usr/bin/kc_probe 2>/dev/null"},
    {"write_root", "escape", "! touch /kc_probe 2>/dev/null"},
    {"read_shadow", "escape", "! cat /etc/shadow >/dev/null 2>&1"},
    {"capabilities", "escape", "grep -Eq '^CapEff:[[:space:]]*0+$' /proc/self/status"},
    {"host_processes", "escape",
     "! grep -qs 'kylecod[e]-' /proc/[0-9]*/cmdline && [ $(ls -d /proc/[0-9]* | wc -l) -lt 32 ]"},
    {"mount", "escape",
     "! mount -t tmpfs kc /mnt 2>/dev/null && ! mount -t tmpfs kc /tmp 2>/dev/null"},
    {"unshare_user", "escape", "! unshare -U true 2>/dev/null"},
    {"unshare_mount", "escape", "! unshare -m true 2>/dev/null"},
    {"chroot", "escape", "! chroot / true 2>/dev/null"},
    {"network_interfaces", "escape", "[ $(tail -n +3 /proc/net/dev | grep -vc ' lo:') -eq 0 ]"},
    {"hostname", "escape", "! hostname kc-probe 2>/dev/null"},
    {"proc_sys_write", "escape", "! sh -c 'echo kc > /proc/sys/kernel/hostname' 2>/dev/null"},
    {"proc_kcore", "escape", "[ $(head -c 16 /proc/kcore 2>/dev/null | wc -c) -eq 0 ]"},
    {"git_hook", "escape", "! sh -c 'echo x > .git/hooks/pre-commit' 2>/dev/null"},
    {"env_secrets", "escape",
     "! { env; cat /proc/[0-9]*/environ; } 2>/dev/null | tr '\\0' '\\n' | "
     "grep -Eq '^(KYLECODE|NNG|[A-Z_]*(API_KEY|TOKEN|SECRET))'"},
    {"inherited_fds", "escape", "[ $(ls /proc/self/fd | wc -l) -le 4 ]"},
    {"ptrace", "escape",
     "python3 -c 'import ctypes,sys; l=ctypes.CDLL(None); sys.exit(0 if l.ptrace(0,0,0,0)!=0 else "
     "1)'"},
    {"bpf", "escape",
     "python3 -c 'import ctypes,sys; l=ctypes.CDLL(None,use_errno=True); r=l.syscall(321,0,0,0); "
     "sys.exit(0 if r==-1 and ctypes.get_errno() in (1,38) else 1)'"},
    {"keyctl", "escape",
     "python3 -c 'import ctypes,sys; l=ctypes.CDLL(None,use_errno=True); r=l.syscall(250,0,0,0,0); "
     "sys.exit(0 if r==-1 and ctypes.get_errno() in (1,38) else 1)'"},
    {"control_shell", "control", "echo ok >/dev/null"},
    {"control_write_workspace", "control",
     "echo x > kc_probe_file && cat kc_probe_file >/dev/null && rm kc_probe_file"},
    {"control_write_tmp", "control", "echo x > /tmp/kc_probe && rm /tmp/kc_probe"},
    {"control_threads", "control",
     "python3 -c 'import threading; t = threading.Thread(target=print); t.start(); t.join()'"},
    {"control_python3", "control", "python3 -c 'print(1)' >/dev/null"},
    {"control_cc", "control",
     "printf 'int main(void){return 0;}\\n' > /tmp/p.c && cc /tmp/p.c -o /tmp/p && /tmp/p"},
    {"control_loopback", "control",
     "python3 -c 'import socket; s=socket.socket(); s.bind((\"127.0.0.1\",0)); s.listen(1); "
     "c=socket.create_connection(s.getsockname()); c.close()'"},
};

static int
probe_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static int
probe_scratch(char *dir)
{
	char path[256];

	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof path, "%s/.git", dir);
	if (mkdir(path, 0755) != 0)
		return -1;
	snprintf(path, sizeof path, "%s/.git/hooks", dir);
	return mkdir(path, 0755);
}

static cJSON *
probe_one(struct sbx *s, const struct probe *p)
{
	char *argv[] = {"/bin/sh", "-c", (char *)p->script, NULL};
	struct sbx_req req;
	struct sbx_result res;
	cJSON *r = cJSON_CreateObject();
	char detail[600];
	int passed;

	memset(&req, 0, sizeof req);
	req.argv = argv;
	req.timeout_ms = PROBE_TIMEOUT_MS;
	sbx_result_init(&res);
	sbx_run(s, &req, &res);
	passed = !res.setup_failed && !res.timed_out && res.exit_code == 0;
	if (res.setup_failed)
		snprintf(detail, sizeof detail, "sandbox setup failed: %s", res.error);
	else
		snprintf(detail, sizeof detail, "exit %d%s%.200s", res.exit_code,
		         res.err.len ? ": " : "", strbuf_str(&res.err));
	cJSON_AddStringToObject(r, "name", p->name);
	cJSON_AddStringToObject(r, "kind", p->kind);
	cJSON_AddBoolToObject(r, "passed", passed);
	cJSON_AddStringToObject(r, "detail", detail);
	sbx_result_free(&res);
	return r;
}

/* The deadline must kill the whole tree: a probe of its own. */
static cJSON *
probe_timeout(struct sbx *s)
{
	char *argv[] = {"/bin/sh", "-c", "sleep 60 & sleep 60", NULL};
	struct sbx_req req;
	struct sbx_result res;
	cJSON *r = cJSON_CreateObject();

	memset(&req, 0, sizeof req);
	req.argv = argv;
	req.timeout_ms = 300;
	sbx_result_init(&res);
	sbx_run(s, &req, &res);
	cJSON_AddStringToObject(r, "name", "timeout_kills_tree");
	cJSON_AddStringToObject(r, "kind", "escape");
	cJSON_AddBoolToObject(r, "passed", res.timed_out && res.duration_ms < 10000);
	cJSON_AddStringToObject(r, "detail",
	                        res.timed_out ? "killed at the deadline" : "not killed");
	sbx_result_free(&res);
	return r;
}

cJSON *
sbx_probe_json(const struct sbx_worker *w, enum sbx_driver_id d, char *err, size_t errlen)
{
	char dir[] = "/tmp/kc-probe-XXXXXX";
	struct sbx_config cfg;
	struct sbx *s;
	cJSON *out, *arr;
	size_t i;

	/* The probes are escape attempts: without isolation they would act
	 * on the host itself (mount over /tmp, write /etc, ...). */
	if (d == SBX_PROCESS) {
		snprintf(err, errlen,
		         "the process driver has no isolation: there is nothing to "
		         "probe, and the escape attempts would act on the host");
		return NULL;
	}
	if (d == SBX_RUNSC && w->driver != SBX_RUNSC) {
		snprintf(err, errlen,
		         "runsc needs the capabilities this worker (driver %s) dropped; "
		         "probe it from a worker started with --driver runsc",
		         sbx_driver_name(w->driver));
		return NULL;
	}
	if (probe_scratch(dir) != 0) {
		snprintf(err, errlen, "scratch workspace: %s", strerror(errno));
		return NULL;
	}
	memset(&cfg, 0, sizeof cfg);
	cfg.workspace = dir;
	cfg.driver = d;
	s = sbx_factory_create(&cfg, err, errlen);
	if (s == NULL) {
		nftw(dir, probe_rm, 8, FTW_DEPTH | FTW_PHYS);
		return NULL;
	}
	out = cJSON_CreateObject();
	cJSON_AddStringToObject(out, "driver", sbx_driver_name(d));
	arr = cJSON_AddArrayToObject(out, "results");
	for (i = 0; i < sizeof probes / sizeof probes[0]; i++)
		cJSON_AddItemToArray(arr, probe_one(s, &probes[i]));
	cJSON_AddItemToArray(arr, probe_timeout(s));
	sbx_free(s);
	nftw(dir, probe_rm, 8, FTW_DEPTH | FTW_PHYS);
	return out;
}
