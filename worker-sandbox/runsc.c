/* runsc.c — placeholder, replaced below. */
#include "worker-sandbox/sbx_int.h"

static int
runsc_run(struct sbx *s, const struct sbx_req *req, struct sbx_result *res)
{
	(void)s;
	(void)req;
	sbx_fail(res, "driver runsc: not built yet");
	return -1;
}

const struct sbx_driver_ops sbx_runsc_ops = {SBX_RUNSC, runsc_run};
