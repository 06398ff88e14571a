/* kylecode-sandbox: runs commands jailed (namespaces, seccomp, no
 * capabilities, limits), or delegated to runsc / Docker. */
#include <stdio.h>
#include <stdlib.h>

#include "ipc/ipc.h"
#include "ipc/wargs.h"
#include "lib/core/log.h"
#include "worker-sandbox/handlers.h"
#include "worker-sandbox/policy.h"
#include "worker-sandbox/sbx.h"

int
main(int argc, char **argv)
{
	struct worker_args wa;
	struct sbx_config cfg = {0};
	struct sbx_worker w = {0};
	char err[512];
	int d, rc;

	worker_args_parse(argc, argv, "sandbox",
	                  "kylecode-sandbox: runs commands jailed (namespaces, seccomp, no "
	                  "capabilities, limits), or under runsc / Docker.",
	                  &wa);
	log_init("sandbox", wa.verbose);
	d = sbx_driver_parse(wa.driver ? wa.driver : "jail");
	if (d < 0) {
		fprintf(stderr,
		        "kylecode-sandbox: unknown driver '%s' (jail, runsc, docker, process)\n",
		        wa.driver);
		return 2;
	}
	if (wa.workspace == NULL) {
		fprintf(stderr, "kylecode-sandbox: --workspace DIR is required\n");
		return 2;
	}
	sbx_worker_confine((enum sbx_driver_id)d);
	cfg.workspace = wa.workspace;
	cfg.driver = (enum sbx_driver_id)d;
	w.sbx = sbx_factory_create(&cfg, err, sizeof err);
	if (w.sbx == NULL)
		fatalx("sandbox: %s", err);
	w.driver = (enum sbx_driver_id)d;
	w.workspace = wa.workspace;
	/* Several commands may run at once (parallel nonblocking tools). */
	rc = ipc_worker_serve(wa.req_url, wa.ev_url, sbx_handlers, sbx_nhandlers, &w, 4);
	sbx_free(w.sbx);
	return rc == 0 ? 0 : 1;
}
