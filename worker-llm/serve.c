/* worker-llm's IPC side: the table of messages this worker accepts and the
 * adapter from ipc_req to llm_complete. */
#include "worker-llm/serve.h"

#include <curl/curl.h>
#include <stdio.h>

#include "ipc/ipc.h"
#include "lib/core/log.h"
#include "worker-llm/http.h"
#include "worker-llm/keys.h"
#include "worker-llm/llm.h"
#include "worker-llm/policy.h"

/* Model calls are slow and independent; a few run at once (the supervisor
 * may run a subagent beside the main loop). */
#define LLM_SERVE_THREADS 4

static void
serve_event(cJSON *ev, void *arg)
{
	(void)ipc_req_event(arg, ev); /* a dropped event is never fatal */
}

static int
serve_complete(struct ipc_req *r, const cJSON *body, cJSON **reply, void *arg)
{
	struct llm_sink sink = {serve_event, r};
	const char *code = LLM_CODE_PROVIDER;
	char err[4096];

	(void)arg;
	if (llm_complete(body, ipc_req_remaining_ms(r), &sink, reply, &code, err, sizeof(err)) <
	    0) {
		ipc_req_seterr(r, code, "request %llu: %s", (unsigned long long)ipc_req_id(r), err);
		return -1;
	}
	return 0;
}

/* The .env beside the config, whose path the supervisor passed in
 * KYLECODE_DOTENV (it never reads the file itself: DESIGN §1). Read before
 * the confinement, which leaves no way to open it. A file that is refused
 * stops the worker: running on without the keys the user put there would
 * only fail later with a less clear message. */
static void
llm_dotenv_load(void)
{
	char *path = llm_key_get("KYLECODE_DOTENV"), err[1024];

	if (path == NULL)
		return;
	if (llm_keys_load_dotenv(path, err, sizeof(err)) < 0)
		fatalx("llm: .env: %s", err);
	log_debug("llm: keys read from %s", path);
	llm_key_free(path);
}

/* Messages this role accepts; PING and SHUTDOWN are built into ipc. */
static const struct ipc_handler llm_handlers[] = {
    {IPC_T_LLM_COMPLETE, serve_complete},
};

int
llm_main(const struct worker_args *wa, char **envp)
{
	int rc;

	/* Process settings first, then keys leave the environment before any
	 * library can read it. */
	llm_init();
	llm_keys_load(envp, llm_env_keep);
	llm_dotenv_load();
	/* curl's global state (TLS library, CA paths) is set up before the
	 * seccomp filter, which does not allow everything it touches once. */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		fatalx("llm: curl_global_init failed");
	llm_http_init();
	llm_policy_apply(wa);
	rc = ipc_worker_serve(wa->req_url, wa->ev_url, llm_handlers,
	                      sizeof(llm_handlers) / sizeof(llm_handlers[0]), NULL,
	                      LLM_SERVE_THREADS);
	llm_http_cleanup();
	curl_global_cleanup();
	llm_keys_clear();
	return rc == 0 ? 0 : 1;
}
