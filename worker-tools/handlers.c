/* The IPC handlers of kylecode-tools (see handlers.h and docs/IPC.md). */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/clock.h"
#include "lib/core/log.h"
#include "lib/core/xmalloc.h"
#include "worker-tools/dialects/dialect.h"
#include "worker-tools/handlers.h"
#include "worker-tools/tools.h"
#include "worker-tools/validate.h"

#define TOOL_MAX_DIALECTS 32

struct tool_server {
	pthread_rwlock_t lock; /* guards config */
	cJSON *config;         /* last TOOLS_CONFIGURE body, or NULL */
	int ws_fd;
	char *ws_path;
};

static cJSON *
nn(cJSON *p)
{
	if (p == NULL)
		fatalx("tools: out of memory building JSON");
	return p;
}

static const cJSON *
get(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

static int fail(const char **code, const char *c, char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static int
fail(const char **code, const char *c, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	*code = c;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

struct tool_server *
tool_server_new(int ws_fd, const char *ws_path)
{
	struct tool_server *ts = xcalloc(1, sizeof(*ts));

	if (pthread_rwlock_init(&ts->lock, NULL) != 0)
		fatalx("tool_server_new: pthread_rwlock_init failed");
	ts->ws_fd = ws_fd;
	ts->ws_path = xstrdup(ws_path ? ws_path : "");
	return ts;
}

void
tool_server_free(struct tool_server *ts)
{
	if (ts == NULL)
		return;
	cJSON_Delete(ts->config);
	pthread_rwlock_destroy(&ts->lock);
	free(ts->ws_path);
	free(ts);
}

int
tool_do_configure(struct tool_server *ts, const cJSON *body, cJSON **reply, const char **code,
                  char *err, size_t errlen)
{
	cJSON *copy, *old;

	if (!cJSON_IsArray(get(body, "tools")))
		return fail(code, "bad_request", err, errlen,
		            "TOOLS_CONFIGURE: \"tools\" must be an array of tool definitions");
	if (get(body, "aliases") != NULL && !cJSON_IsObject(get(body, "aliases")))
		return fail(code, "bad_request", err, errlen,
		            "TOOLS_CONFIGURE: \"aliases\" must be an object");
	copy = nn(cJSON_Duplicate(body, 1));
	pthread_rwlock_wrlock(&ts->lock);
	old = ts->config;
	ts->config = copy;
	pthread_rwlock_unlock(&ts->lock);
	cJSON_Delete(old);
	*reply = nn(cJSON_CreateObject());
	cJSON_AddItemToObject(*reply, "tools",
	                      nn(cJSON_CreateNumber(cJSON_GetArraySize(get(body, "tools")))));
	log_debug("tools: configured with %d tools", cJSON_GetArraySize(get(body, "tools")));
	return 0;
}

/* The dialect names of a request ("dialects": [...] or "dialect": "x";
 * "auto" or none = all). Returns the count, or -1 after fail(). */
static int
dialect_list(const cJSON *body, const char **names, const char **code, char *err, size_t errlen)
{
	const cJSON *d = get(body, "dialects"), *e;
	const char *one = cJSON_GetStringValue(get(body, "dialect"));
	int n = 0;

	if (one != NULL && strcmp(one, "auto") != 0)
		names[n++] = one;
	cJSON_ArrayForEach(e, d)
	{
		if (!cJSON_IsString(e) || n >= TOOL_MAX_DIALECTS)
			return fail(code, "bad_request", err, errlen,
			            "\"dialects\" must be at most %d names", TOOL_MAX_DIALECTS);
		names[n++] = e->valuestring;
	}
	names[n] = NULL;
	for (int i = 0; i < n; i++)
		if (!dialect_is_known(names[i]))
			return fail(
			    code, "bad_request", err, errlen,
			    "unknown dialect '%s'; known: pythonic, bash_block, unified_diff, "
			    "aider_search_replace, opencode_patch, xml, json_block, yaml_command, "
			    "provider_native",
			    names[i]);
	return n;
}

/* Parses and validates one assistant message under config: the
 * TOOLS_PARSE reply (also the first half of TOOLS_APPLY). */
static int
turn_parse(const cJSON *config, const cJSON *body, cJSON **reply, const char **code, char *err,
           size_t errlen)
{
	const char *names[TOOL_MAX_DIALECTS + 1];
	const cJSON *text = get(body, "text"), *native = get(body, "native_calls");
	const cJSON *en = get(body, "enabled_tools"), *dis = get(body, "disabled_tools");
	struct tool_turn t = {config, cJSON_IsArray(en) ? en : NULL,
	                      cJSON_IsArray(dis) ? dis : NULL,
	                      cJSON_GetStringValue(get(body, "mode"))};
	struct dialect_result r;
	cJSON *viol, *batches;
	int n;

	if ((text != NULL && !cJSON_IsString(text)) || (native != NULL && !cJSON_IsArray(native)) ||
	    (text == NULL && native == NULL))
		return fail(
		    code, "bad_request", err, errlen,
		    "TOOLS_PARSE: needs \"text\" (a string) and/or \"native_calls\" (an array)");
	/* A malformed list must not read as "no list": for enabled_tools that
	 * would enable every tool. */
	if ((en != NULL && !cJSON_IsArray(en)) || (dis != NULL && !cJSON_IsArray(dis)) ||
	    (get(body, "dialects") != NULL && !cJSON_IsArray(get(body, "dialects"))))
		return fail(code, "bad_request", err, errlen,
		            "TOOLS_PARSE: \"enabled_tools\", \"disabled_tools\" and \"dialects\" "
		            "must be arrays");
	if ((n = dialect_list(body, names, code, err, errlen)) < 0)
		return -1;
	dialect_result_init(&r);
	dialect_parse_all(text ? text->valuestring : "", n > 0 ? names : NULL, config, &r);
	if (native != NULL)
		dialect_parse_native(native, config, &r);
	viol = tool_turn_validate(&t, r.calls);
	batches = tool_turn_plan(config, r.calls, viol);
	*reply = nn(cJSON_CreateObject());
	cJSON_AddItemToObject(*reply, "message", nn(cJSON_CreateString(strbuf_str(&r.message))));
	cJSON_AddItemToObject(*reply, "calls", r.calls);
	cJSON_AddItemToObject(*reply, "errors", r.errors);
	cJSON_AddItemToObject(*reply, "violations", viol);
	cJSON_AddItemToObject(*reply, "batches", batches);
	r.calls = r.errors = NULL;
	dialect_result_free(&r);
	return 0;
}

int
tool_do_parse(struct tool_server *ts, const cJSON *body, cJSON **reply, const char **code,
              char *err, size_t errlen)
{
	int rc;

	pthread_rwlock_rdlock(&ts->lock);
	if (ts->config == NULL)
		rc = fail(code, "bad_request", err, errlen, "TOOLS_PARSE before TOOLS_CONFIGURE");
	else
		rc = turn_parse(ts->config, body, reply, code, err, errlen);
	pthread_rwlock_unlock(&ts->lock);
	return rc;
}

/* A TOOLS_EXEC reply that says the call did not run. */
static cJSON *
exec_refused(const char *id, const char *why)
{
	cJSON *r = nn(cJSON_CreateObject());

	cJSON_AddItemToObject(r, "id", nn(cJSON_CreateString(id)));
	cJSON_AddItemToObject(r, "ok", nn(cJSON_CreateFalse()));
	cJSON_AddItemToObject(r, "output", nn(cJSON_CreateString("")));
	cJSON_AddItemToObject(r, "error", nn(cJSON_CreateString(why)));
	cJSON_AddItemToObject(r, "changed_files", nn(cJSON_CreateArray()));
	cJSON_AddItemToObject(r, "diff", nn(cJSON_CreateString("")));
	cJSON_AddItemToObject(r, "complete", nn(cJSON_CreateFalse()));
	return r;
}

/* Runs one call (config read-locked by the caller) that should answer by
 * deadline_ms (kc_mono_ms(); 0: no deadline). */
static int
exec_call(struct tool_server *ts, const cJSON *call, int64_t deadline_ms, cJSON **reply,
          const char **code, char *err, size_t errlen)
{
	const char *name = cJSON_GetStringValue(get(call, "name"));
	const char *id = cJSON_GetStringValue(get(call, "id"));
	const cJSON *args = get(call, "args");
	struct tool_ctx ctx = {ts->ws_fd, ts->ws_path, ts->config, deadline_ms};
	char why[256];

	if (name == NULL || (args != NULL && !cJSON_IsObject(args)))
		return fail(code, "bad_request", err, errlen,
		            "TOOLS_EXEC: \"call\" needs \"name\" and an \"args\" object");
	if (id == NULL)
		id = "";
	/* Shell tools never run here: this worker cannot exec, by design and
	 * by its seccomp filter. The supervisor routes kind "shell" to the
	 * sandbox worker; a shell call arriving here is a routing bug. */
	if (strcmp(tool_call_kind(ts->config, name), "shell") == 0)
		return fail(code, "denied", err, errlen,
		            "TOOLS_EXEC: %s is a shell tool; it runs in kylecode-sandbox", name);
	if (tool_def_find(ts->config, name) == NULL) {
		snprintf(why, sizeof(why), "unknown tool '%s'", name);
		*reply = exec_refused(id, why);
		return 0;
	}
	/* Late already (a long APPLY, a queue of requests): start nothing,
	 * least of all a write, that nobody will wait for. */
	if (deadline_ms != 0 && kc_mono_ms() >= deadline_ms) {
		*reply = exec_refused(id, "not run: the call's deadline had passed before it could start");
		return 0;
	}
	/* webfetch needs the network, which this worker has none of; it is
	 * refused outright unless the config opted in (and then it is the
	 * tool's own business to say it cannot reach anything). */
	if (strcmp(name, "webfetch") == 0 &&
	    !cJSON_IsTrue(get(ts->config, "allow_network_tools"))) {
		*reply =
		    exec_refused(id, "webfetch is disabled: this configuration allows no network "
		                     "access for tools");
		return 0;
	}
	if (tool_run(&ctx, name, args, reply) < 0 || *reply == NULL)
		return fail(code, "internal", err, errlen,
		            "TOOLS_EXEC: %s (id %s) failed internally", name, id);
	cJSON_DeleteItemFromObjectCaseSensitive(*reply, "id");
	cJSON_AddItemToObject(*reply, "id", nn(cJSON_CreateString(id)));
	return 0;
}

int
tool_do_exec(struct tool_server *ts, const cJSON *body, int64_t deadline_ms, cJSON **reply,
             const char **code, char *err, size_t errlen)
{
	const cJSON *call = get(body, "call");
	int rc;

	if (!cJSON_IsObject(call))
		return fail(code, "bad_request", err, errlen,
		            "TOOLS_EXEC: needs a \"call\" object");
	pthread_rwlock_rdlock(&ts->lock);
	if (ts->config == NULL)
		rc = fail(code, "bad_request", err, errlen, "TOOLS_EXEC before TOOLS_CONFIGURE");
	else
		rc = exec_call(ts, call, deadline_ms, reply, code, err, errlen);
	pthread_rwlock_unlock(&ts->lock);
	return rc;
}

static int
violated(const cJSON *viol, int i, const char **msg)
{
	const cJSON *v;

	cJSON_ArrayForEach(v, viol) if ((int)cJSON_GetNumberValue(get(v, "call")) == i)
	{
		*msg = cJSON_GetStringValue(get(v, "message"));
		return 1;
	}
	return 0;
}

/* Runs the parsed calls of an APPLY in order; results into res. */
static void
apply_calls(struct tool_server *ts, const cJSON *parsed, int64_t deadline_ms, cJSON *res)
{
	const cJSON *c, *viol = get(parsed, "violations");
	const char *code, *msg;
	char err[512];
	int i = 0;

	cJSON_ArrayForEach(c, get(parsed, "calls"))
	{
		const char *id = cJSON_GetStringValue(get(c, "id"));
		cJSON *r = NULL;

		if (violated(viol, i++, &msg))
			r = exec_refused(id ? id : "", msg ? msg : "refused by the turn validator");
		else if (cJSON_GetStringValue(get(c, "kind")) != NULL &&
		         strcmp(cJSON_GetStringValue(get(c, "kind")), "shell") == 0)
			r = exec_refused(id ? id : "",
			                 "shell commands are not run by `kylecode apply`; "
			                 "use `kylecode exec`");
		else if (exec_call(ts, c, deadline_ms, &r, &code, err, sizeof(err)) < 0)
			r = exec_refused(id ? id : "", err);
		cJSON_AddItemToArray(res, r);
	}
}

int
tool_do_apply(struct tool_server *ts, const cJSON *body, int64_t deadline_ms, cJSON **reply,
              const char **code, char *err, size_t errlen)
{
	cJSON *parsed = NULL, *res;
	int rc;

	if (!cJSON_IsString(get(body, "text")))
		return fail(code, "bad_request", err, errlen,
		            "TOOLS_APPLY: needs \"text\" (a string)");
	pthread_rwlock_rdlock(&ts->lock);
	if (ts->config == NULL) {
		rc = fail(code, "bad_request", err, errlen, "TOOLS_APPLY before TOOLS_CONFIGURE");
	} else if ((rc = turn_parse(ts->config, body, &parsed, code, err, errlen)) == 0) {
		res = nn(cJSON_CreateArray());
		apply_calls(ts, parsed, deadline_ms, res);
		*reply = nn(cJSON_CreateObject());
		cJSON_AddItemToObject(*reply, "results", res);
		cJSON_AddItemToObject(*reply, "errors",
		                      nn(cJSON_Duplicate(get(parsed, "errors"), 1)));
		cJSON_AddItemToObject(*reply, "violations",
		                      nn(cJSON_Duplicate(get(parsed, "violations"), 1)));
		cJSON_AddItemToObject(*reply, "calls",
		                      nn(cJSON_Duplicate(get(parsed, "calls"), 1)));
		cJSON_AddItemToObject(*reply, "message",
		                      nn(cJSON_Duplicate(get(parsed, "message"), 1)));
	}
	pthread_rwlock_unlock(&ts->lock);
	cJSON_Delete(parsed);
	return rc;
}

/* ---------------- IPC glue ---------------- */

typedef int (*tool_do_fn)(struct tool_server *, const cJSON *, cJSON **, const char **, char *,
                          size_t);
typedef int (*tool_do_dl_fn)(struct tool_server *, const cJSON *, int64_t, cJSON **, const char **,
                             char *, size_t);

/* Calls that touch the workspace answer by the request's deadline minus a
 * margin, so that the reply (partial, or "not run") reaches the
 * supervisor before it gives up waiting. */
#define TOOLS_DEADLINE_MARGIN_MS 500

static int64_t
req_deadline(struct ipc_req *req)
{
	int64_t left = ipc_req_remaining_ms(req), margin = TOOLS_DEADLINE_MARGIN_MS;

	if (left < 0)
		return 0;
	if (margin > left / 10)
		margin = left / 10;
	return kc_mono_ms() + left - margin;
}

static int
serve_result(struct ipc_req *req, int rc, const char *code, const char *err)
{
	if (rc == 0)
		return 0;
	/* Reported once: ipc/ logs the error with the request id and type. */
	ipc_req_seterr(req, code, "%s", err);
	return -1;
}

static int
serve(struct ipc_req *req, const cJSON *body, cJSON **reply, void *arg, tool_do_fn fn)
{
	const char *code = "internal";
	char err[1024];
	int rc = fn((struct tool_server *)arg, body, reply, &code, err, sizeof(err));

	return serve_result(req, rc, code, err);
}

static int
serve_dl(struct ipc_req *req, const cJSON *body, cJSON **reply, void *arg, tool_do_dl_fn fn)
{
	const char *code = "internal";
	char err[1024];
	int rc = fn((struct tool_server *)arg, body, req_deadline(req), reply, &code, err, sizeof(err));

	return serve_result(req, rc, code, err);
}

static int
h_configure(struct ipc_req *req, const cJSON *body, cJSON **reply, void *arg)
{
	return serve(req, body, reply, arg, tool_do_configure);
}

static int
h_parse(struct ipc_req *req, const cJSON *body, cJSON **reply, void *arg)
{
	return serve(req, body, reply, arg, tool_do_parse);
}

static int
h_exec(struct ipc_req *req, const cJSON *body, cJSON **reply, void *arg)
{
	return serve_dl(req, body, reply, arg, tool_do_exec);
}

static int
h_apply(struct ipc_req *req, const cJSON *body, cJSON **reply, void *arg)
{
	return serve_dl(req, body, reply, arg, tool_do_apply);
}

static const struct ipc_handler tool_handler_tab[] = {
    {IPC_T_TOOLS_CONFIGURE, h_configure},
    {IPC_T_TOOLS_PARSE, h_parse},
    {IPC_T_TOOLS_EXEC, h_exec},
    {IPC_T_TOOLS_APPLY, h_apply},
};

const struct ipc_handler *
tool_handlers(size_t *n)
{
	*n = sizeof(tool_handler_tab) / sizeof(tool_handler_tab[0]);
	return tool_handler_tab;
}
