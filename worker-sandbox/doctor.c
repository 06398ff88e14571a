/*
 * doctor.c — which drivers work on this host, and why not (SBX_DOCTOR).
 *
 * Each driver is checked by doing the real thing: /bin/true through a
 * sandbox made by the factory on a scratch workspace. A static check
 * ("runsc is installed") would say yes on hosts where it cannot run.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/harden/harden.h"
#include "worker-sandbox/handlers.h"
#include "worker-sandbox/sbx_int.h"
#include "worker-sandbox/spawn.h"

int
sbx_driver_check(enum sbx_driver_id id, char *why, size_t whylen)
{
	char dir[] = "/tmp/kc-doctor-XXXXXX", *argv[] = {"/bin/true", NULL};
	struct sbx_config cfg;
	struct sbx_req req;
	struct sbx_result res;
	struct sbx *s;
	int ok = 0;

	if (mkdtemp(dir) == NULL) {
		snprintf(why, whylen, "scratch workspace: %s", strerror(errno));
		return 0;
	}
	memset(&cfg, 0, sizeof cfg);
	cfg.workspace = dir;
	cfg.driver = id;
	s = sbx_factory_create(&cfg, why, whylen);
	if (s != NULL) {
		memset(&req, 0, sizeof req);
		req.argv = argv;
		req.timeout_ms = 30000;
		sbx_result_init(&res);
		sbx_run(s, &req, &res);
		ok = !res.setup_failed && res.exit_code == 0;
		if (res.setup_failed)
			snprintf(why, whylen, "%s", res.error);
		else if (!ok)
			snprintf(why, whylen, "/bin/true exited %d: %.300s", res.exit_code,
			         strbuf_str(&res.err));
		else if (id == SBX_PROCESS)
			snprintf(why, whylen, "works, but gives NO isolation (development only)");
		else
			snprintf(why, whylen, "works (/bin/true in %lld ms)",
			         (long long)res.duration_ms);
		sbx_result_free(&res);
		sbx_free(s);
	}
	rmdir(dir);
	return ok;
}

static cJSON *
doctor_features(void)
{
	cJSON *f = cJSON_CreateObject();
	char why[256];

	cJSON_AddNumberToObject(f, "landlock_abi", harden_landlock_abi());
	cJSON_AddBoolToObject(f, "cgroup_limits", jail_cgroup_available(why, sizeof why));
	cJSON_AddStringToObject(f, "cgroup", why);
	cJSON_AddBoolToObject(f, "root", geteuid() == 0);
	cJSON_AddStringToObject(f, "jail_identity",
	                        geteuid() == 0 ? "command runs as host uid 65534 (inside 1000), "
	                                         "workspace id-mapped"
	                                       : "command runs as the caller's uid (mapped to 0 "
	                                         "inside), without capabilities");
	return f;
}

/* runsc needs the capabilities a worker of another driver has dropped
 * (policy.c): there, say what is installed and how to check for real. */
static int
doctor_runsc_elsewhere(const struct sbx_worker *w, char *why, size_t whylen)
{
	char path[256];

	if (sbx_which("runsc", path, sizeof path) != 0) {
		snprintf(why, whylen, "runsc is not installed (apt-get install runsc)");
		return 0;
	}
	snprintf(why, whylen,
	         "installed (%s); not run from this worker (driver %s), which dropped the "
	         "capabilities runsc needs: check with a worker started with --driver runsc",
	         path, sbx_driver_name(w->driver));
	return 1;
}

cJSON *
sbx_doctor_json(const struct sbx_worker *w)
{
	cJSON *r = cJSON_CreateObject(), *d = cJSON_AddObjectToObject(r, "drivers"), *e;
	char why[512];
	int i;

	for (i = 0; i < SBX_NDRIVERS; i++) {
		e = cJSON_AddObjectToObject(d, sbx_driver_name(i));
		why[0] = '\0';
		if (i == SBX_RUNSC && w->driver != SBX_RUNSC)
			cJSON_AddBoolToObject(e, "ok", doctor_runsc_elsewhere(w, why, sizeof why));
		else
			cJSON_AddBoolToObject(e, "ok", sbx_driver_check(i, why, sizeof why));
		cJSON_AddBoolToObject(e, "run_here", i != SBX_RUNSC || w->driver == SBX_RUNSC);
		cJSON_AddStringToObject(e, "why", why);
		cJSON_AddBoolToObject(e, "isolation", i != SBX_PROCESS);
	}
	cJSON_AddItemToObject(r, "features", doctor_features());
	cJSON_AddStringToObject(r, "worker_driver", sbx_driver_name(w->driver));
	return r;
}
