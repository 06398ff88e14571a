/* docker.c — placeholder, replaced below. */
#include "worker-sandbox/sbx_int.h"

static int
docker_run(struct sbx *s, const struct sbx_req *req, struct sbx_result *res)
{
	(void)s;
	(void)req;
	sbx_fail(res, "driver docker: not built yet");
	return -1;
}

const struct sbx_driver_ops sbx_docker_ops = {SBX_DOCKER, docker_run};
