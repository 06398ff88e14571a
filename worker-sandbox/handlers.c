/*
 * handlers.c — the sandbox worker's IPC handlers: SBX_EXEC, SBX_DOCTOR,
 * SBX_PROBE, SBX_MIRROR (bodies in docs/IPC.md, section worker-sandbox).
 *
 * Everything in a request body is checked before use: types, sizes, and
 * that names and paths stay inside what the worker was started for. The
 * command's output is arbitrary bytes; it travels as JSON text (invalid
 * UTF-8 and NUL become U+FFFD), so nothing a command prints can be mistaken
 * for a frame of the protocol.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/log.h"
#include "lib/core/xmalloc.h"
#include "worker-sandbox/handlers.h"
#include "worker-sandbox/sbx_int.h"

#define H_MAX_ARGV 4096
#define H_MAX_ARGBYTES (1u << 20)
#define H_MAX_ENV 256
#define H_DEADLINE_MARGIN_MS 500       /* to reply before the supervisor gives up */
#define H_MAX_OUTPUT (16u << 20)       /* per stream: 2 streams << IPC_MAX_BODY */
#define H_MAX_TIMEOUT_MS (86400000ull) /* one day */

struct h_stream {
	struct ipc_req *req;
	int stream_events;
};

static void
h_on_output(int stream, const char *data, size_t len, void *arg)
{
	struct h_stream *hs = arg;
	cJSON *ev;
	char *text;

	if (!hs->stream_events)
		return;
	text = sbx_text_sanitize(data, len);
	ev = cJSON_CreateObject();
	cJSON_AddStringToObject(ev, "kind", "output");
	cJSON_AddStringToObject(ev, "stream", stream == 1 ? "stdout" : "stderr");
	cJSON_AddStringToObject(ev, "data", text);
	free(text);
	ipc_req_event(hs->req, ev);
}

/* A NULL-terminated copy of a JSON array of strings, or NULL. */
static char **
h_strv(const cJSON *arr, size_t max, size_t *bytes)
{
	const cJSON *it;
	size_t n = 0, i = 0;
	char **v;

	if (!cJSON_IsArray(arr))
		return NULL;
	n = (size_t)cJSON_GetArraySize(arr);
	if (n > max)
		return NULL;
	v = xcalloc(n + 1, sizeof *v);
	cJSON_ArrayForEach(it, arr)
	{
		if (!cJSON_IsString(it) || (*bytes += strlen(it->valuestring)) > H_MAX_ARGBYTES) {
			sbx_strv_free(v);
			return NULL;
		}
		v[i++] = xstrdup(it->valuestring);
	}
	return v;
}

static char **
h_env(const cJSON *obj)
{
	const cJSON *it;
	size_t n = 0;
	char **v;

	if (obj == NULL)
		return NULL;
	if (!cJSON_IsObject(obj) || cJSON_GetArraySize(obj) > H_MAX_ENV)
		return NULL;
	v = xcalloc((size_t)cJSON_GetArraySize(obj) + 1, sizeof *v);
	cJSON_ArrayForEach(it, obj)
	{
		if (!cJSON_IsString(it) || strchr(it->string, '=') != NULL) {
			sbx_strv_free(v);
			return NULL;
		}
		v[n++] = xasprintf("%s=%s", it->string, it->valuestring);
	}
	return v;
}

/* A non-negative number no larger than max, else def. */
static uint64_t
h_num_max(const cJSON *obj, const char *key, uint64_t def, uint64_t max)
{
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (!cJSON_IsNumber(n) || n->valuedouble < 0)
		return def;
	return n->valuedouble >= (double)max ? max : (uint64_t)n->valuedouble;
}

/* "cpus": cores as a number (0.5 = half a core, as docker --cpus), in
 * thousandths of a core; 0 (no quota) when absent or not positive. */
static uint32_t
h_cpus_milli(const cJSON *obj)
{
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(obj, "cpus");

	if (!cJSON_IsNumber(c) || !(c->valuedouble > 0))
		return 0;
	return c->valuedouble >= 1024.0 ? 1024000u : (uint32_t)(c->valuedouble * 1000.0 + 0.5);
}

static const char *
h_str(const cJSON *obj, const char *key)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(s) ? s->valuestring : NULL;
}

static void
h_limits(const cJSON *l, struct sbx_limits *lim)
{
	memset(lim, 0, sizeof *lim);
	if (!cJSON_IsObject(l))
		return;
	/* Bounded so that nothing overflows (RLIMIT_AS is 4x memory) and the
	 * reply (both streams) stays well under IPC_MAX_BODY. */
	lim->memory_bytes = h_num_max(l, "memory_bytes", 0, 1ull << 50);
	lim->pids = (uint32_t)h_num_max(l, "pids", 0, 1u << 22);
	lim->cpu_ms = h_num_max(l, "cpu_ms", 0, 1ull << 40);
	lim->cpu_milli = h_cpus_milli(l);
	lim->output_bytes = (size_t)h_num_max(l, "output_bytes", 0, H_MAX_OUTPUT);
	lim->fsize_bytes = h_num_max(l, "fsize_bytes", 0, 1ull << 50);
	lim->nofile = (uint32_t)h_num_max(l, "nofile", 0, 1u << 20);
	lim->tmp_bytes = h_num_max(l, "tmp_bytes", 0, 1ull << 40);
}

cJSON *
sbx_result_json(const struct sbx_result *res, const char *driver)
{
	cJSON *r = cJSON_CreateObject();
	char *t;

	cJSON_AddNumberToObject(r, "exit_code", res->exit_code);
	cJSON_AddNumberToObject(r, "signal", res->signal);
	cJSON_AddBoolToObject(r, "timed_out", res->timed_out);
	cJSON_AddStringToObject(r, "killed_reason", res->killed_reason);
	t = sbx_text_sanitize(res->out.buf ? res->out.buf : "", res->out.len);
	cJSON_AddStringToObject(r, "stdout", t);
	free(t);
	t = sbx_text_sanitize(res->err.buf ? res->err.buf : "", res->err.len);
	cJSON_AddStringToObject(r, "stderr", t);
	free(t);
	cJSON_AddNumberToObject(r, "stdout_dropped", (double)res->out_dropped);
	cJSON_AddNumberToObject(r, "stderr_dropped", (double)res->err_dropped);
	cJSON_AddNumberToObject(r, "duration_ms", (double)res->duration_ms);
	cJSON_AddStringToObject(r, "driver", driver);
	cJSON_AddBoolToObject(r, "setup_failed", res->setup_failed);
	if (res->error[0] != '\0')
		cJSON_AddStringToObject(r, "error", res->error);
	return r;
}

static int
h_exec(struct ipc_req *r, const cJSON *body, cJSON **reply, void *arg)
{
	struct sbx_worker *w = arg;
	const cJSON *opts = cJSON_GetObjectItemCaseSensitive(body, "driver_opts");
	const cJSON *envj = cJSON_GetObjectItemCaseSensitive(body, "env");
	struct h_stream hs = {r, !cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(body, "stream"))};
	struct sbx_req req;
	struct sbx_result res;
	size_t bytes = 0;
	char **argv, **env, **allow = NULL;
	int64_t left = ipc_req_remaining_ms(r);

	argv = h_strv(cJSON_GetObjectItemCaseSensitive(body, "argv"), H_MAX_ARGV, &bytes);
	env = h_env(envj);
	if (cJSON_GetObjectItemCaseSensitive(body, "env_allow") != NULL)
		allow =
		    h_strv(cJSON_GetObjectItemCaseSensitive(body, "env_allow"), H_MAX_ENV, &bytes);
	if (argv == NULL || argv[0] == NULL || (envj != NULL && env == NULL) ||
	    (cJSON_GetObjectItemCaseSensitive(body, "env_allow") != NULL && allow == NULL)) {
		ipc_req_seterr(
		    r, "bad_request",
		    "SBX_EXEC: argv must be a non-empty array of strings (<= %d, <= 1 MiB), "
		    "env an object of strings, env_allow an array of names",
		    H_MAX_ARGV);
		sbx_strv_free(argv);
		sbx_strv_free(env);
		sbx_strv_free(allow);
		return -1;
	}
	memset(&req, 0, sizeof req);
	req.argv = argv;
	req.env = env;
	req.env_allow = allow;
	req.cwd = h_str(body, "cwd");
	req.timeout_ms = (int)h_num_max(body, "timeout_ms", 0, H_MAX_TIMEOUT_MS);
	if (left > 0 && (req.timeout_ms <= 0 || req.timeout_ms > left - H_DEADLINE_MARGIN_MS))
		req.timeout_ms = left > 2 * H_DEADLINE_MARGIN_MS
		                     ? (int)(left - H_DEADLINE_MARGIN_MS)
		                     : (int)(left / 2 + 1);
	h_limits(cJSON_GetObjectItemCaseSensitive(body, "limits"), &req.lim);
	req.git_writable = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(opts, "git_writable"));
	req.image = h_str(opts, "image");
	req.runtime = h_str(opts, "runtime");
	if (req.runtime != NULL && strcmp(req.runtime, "runc") != 0 &&
	    strcmp(req.runtime, "runsc") != 0)
		req.runtime = NULL;
	req.on_output = h_on_output;
	req.arg = &hs;
	sbx_result_init(&res);
	sbx_run(w->sbx, &req, &res);
	if (res.setup_failed)
		log_warnx("sbx: request %llu: sandbox setup failed: %s",
		          (unsigned long long)ipc_req_id(r), res.error);
	*reply = sbx_result_json(&res, sbx_driver_name(w->driver));
	sbx_result_free(&res);
	sbx_strv_free(argv);
	sbx_strv_free(env);
	sbx_strv_free(allow);
	return 0;
}

static int
h_doctor(struct ipc_req *r, const cJSON *body, cJSON **reply, void *arg)
{
	(void)r;
	(void)body;
	*reply = sbx_doctor_json(arg);
	return 0;
}

static int
h_probe(struct ipc_req *r, const cJSON *body, cJSON **reply, void *arg)
{
	struct sbx_worker *w = arg;
	const char *name = h_str(body, "driver");
	int d = name ? sbx_driver_parse(name) : (int)w->driver;
	char err[512];

	if (d < 0) {
		ipc_req_seterr(r, "bad_request", "SBX_PROBE: unknown driver '%s'", name);
		return -1;
	}
	*reply = sbx_probe_json(w, (enum sbx_driver_id)d, err, sizeof err);
	if (*reply == NULL) {
		ipc_req_seterr(r, "unsupported", "SBX_PROBE %s: %s", sbx_driver_name(d), err);
		return -1;
	}
	return 0;
}

static cJSON *
h_list(const struct strbuf *sb)
{
	cJSON *a = cJSON_CreateArray();
	size_t off = 0;

	while (sb->buf != NULL && off < sb->len) {
		cJSON_AddItemToArray(a, cJSON_CreateString(sb->buf + off));
		off += strlen(sb->buf + off) + 1;
	}
	return a;
}

static int
h_mirror(struct ipc_req *r, const cJSON *body, cJSON **reply, void *arg)
{
	struct sbx_worker *w = arg;
	const char *op = h_str(body, "op"), *host = h_str(body, "host_path");
	const cJSON *pj = cJSON_GetObjectItemCaseSensitive(body, "paths");
	struct strbuf copied = STRBUF_INIT, skipped = STRBUF_INIT;
	char **paths = NULL, err[512] = "";
	size_t bytes = 0;
	int rc;

	if (pj != NULL && !cJSON_IsNull(pj) && (paths = h_strv(pj, 100000, &bytes)) == NULL) {
		ipc_req_seterr(r, "bad_request", "SBX_MIRROR: paths must be an array of strings");
		return -1;
	}
	if (op == NULL || host == NULL || host[0] != '/' ||
	    (strcmp(op, "in") != 0 && strcmp(op, "out") != 0)) {
		ipc_req_seterr(r, "bad_request",
		               "SBX_MIRROR: need op \"in\"|\"out\" and an absolute host_path");
		sbx_strv_free(paths);
		return -1;
	}
	if (strcmp(op, "in") == 0)
		rc = sbx_mirror_in(host, sbx_workspace(w->sbx), paths, &copied, &skipped, err,
		                   sizeof err);
	else
		rc = sbx_mirror_out(sbx_workspace(w->sbx), host, paths, &copied, &skipped, err,
		                    sizeof err);
	sbx_strv_free(paths);
	if (rc != 0) {
		ipc_req_seterr(r, "internal", "SBX_MIRROR %s: %s", op, err);
		strbuf_free(&copied);
		strbuf_free(&skipped);
		return -1;
	}
	*reply = cJSON_CreateObject();
	cJSON_AddItemToObject(*reply, "copied", h_list(&copied));
	cJSON_AddItemToObject(*reply, "skipped", h_list(&skipped));
	strbuf_free(&copied);
	strbuf_free(&skipped);
	return 0;
}

const struct ipc_handler sbx_handlers[] = {
    {IPC_T_SBX_EXEC, h_exec},
    {IPC_T_SBX_DOCTOR, h_doctor},
    {IPC_T_SBX_PROBE, h_probe},
    {IPC_T_SBX_MIRROR, h_mirror},
};
const size_t sbx_nhandlers = sizeof sbx_handlers / sizeof sbx_handlers[0];
