/* worker-llm request dispatch: one LLM_COMPLETE request -> the model (or
 * its fallbacks) with retries -> one LLM_COMPLETE_OK body. */
#ifndef KC_WORKER_LLM_LLM_H
#define KC_WORKER_LLM_LLM_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

/* Where progress events go (ipc_req_event in the worker; a test or the
 * bench may collect them). event takes ownership of ev. */
struct llm_sink {
	void (*event)(cJSON *ev, void *arg);
	void *arg;
};

/* Error codes of llm_complete (docs/IPC.md). */
#define LLM_CODE_BAD_REQUEST "bad_request"
#define LLM_CODE_PROVIDER "provider"
#define LLM_CODE_TIMEOUT "timeout"

/* Serve one LLM_COMPLETE body. budget_ms is the IPC deadline (-1 = none).
 * Returns 0 with *reply (caller owns), or -1 with *code and err set. */
int llm_complete(const cJSON *req, int64_t budget_ms, const struct llm_sink *sink, cJSON **reply,
                 const char **code, char *err, size_t errlen);

/* Forget what the probes learned (endpoints that cannot stream or take
 * tools); for tests. */
void llm_memo_reset(void);

/* Start-up: read the process-wide settings (KYLECODE_LLM_BASE_URL, and
 * SSL_CERT_FILE: a CA bundle to trust instead of the system's). */
void llm_init(void);

#endif
