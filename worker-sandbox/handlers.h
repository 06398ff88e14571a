/* handlers.h — the sandbox worker's IPC handler table and what it uses. */
#ifndef KC_WORKER_SANDBOX_HANDLERS_H
#define KC_WORKER_SANDBOX_HANDLERS_H

#include <stddef.h>

#include "ipc/ipc.h"
#include "worker-sandbox/sbx.h"

/* The handlers' shared state (the arg of ipc_worker_serve). */
struct sbx_worker {
	struct sbx *sbx; /* the worker's sandbox (its --driver) */
	enum sbx_driver_id driver;
	const char *workspace;
};

extern const struct ipc_handler sbx_handlers[];
extern const size_t sbx_nhandlers;

/* The SBX_EXEC reply body for res. */
cJSON *sbx_result_json(const struct sbx_result *res, const char *driver);
/* SBX_DOCTOR reply: which drivers work here and why not. */
cJSON *sbx_doctor_json(const struct sbx_worker *w);
/* SBX_PROBE reply for driver d, or NULL with err. */
cJSON *sbx_probe_json(const struct sbx_worker *w, enum sbx_driver_id d, char *err, size_t errlen);

#endif
