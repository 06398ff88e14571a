/*
 * run_start.c — the run directory and the workers of a run, and their
 * teardown. The `logging:` keys: enabled, root_dir, redact, include_raw,
 * include_events, retention.max_runs.
 */
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/config/config.h"
#include "lib/core/fsutil.h"
#include "lib/core/log.h"
#include "lib/core/xmalloc.h"
#include "lib/tpsl/tpsl.h"
#include "supervisor/conductor.h"
#include "supervisor/proc.h"
#include "supervisor/runlog.h"

#define RUN_MAX_ENV 32

/* Names of the variables holding API keys: the providers' defaults and
 * every api_key_env the config names. NULL-terminated, static storage
 * borrowed from the config tree. */
static size_t
run_key_envs(const struct cond *c, const char **out, size_t max)
{
	static const char *const defaults[] = {"OPENAI_API_KEY", "ANTHROPIC_API_KEY",
	                                       "OPENROUTER_API_KEY"};
	const cJSON *m;
	const char *k;
	size_t n = 0, i;

	for (i = 0; i < 3 && n + 1 < max; i++)
		out[n++] = defaults[i];
	cJSON_ArrayForEach(m, kc_cfg_get(c->root, "providers.models"))
	{
		k = kc_cfg_str(m, "api_key_env", NULL);
		if (k != NULL && n + 1 < max)
			out[n++] = k;
	}
	k = kc_cfg_str(c->model_entry, "api_key_env", NULL);
	if (k != NULL && n + 1 < max)
		out[n++] = k;
	out[n] = NULL;
	return n;
}

int
run_setup_log(struct cond *c, const char *resume_dir, char *err, size_t errlen)
{
	const char *envs[RUN_MAX_ENV];
	struct runlog_opts o = {0};
	size_t n = run_key_envs(c, envs, RUN_MAX_ENV), ngood;
	long torn;

	o.root_dir =
	    c->o->log_dir ? c->o->log_dir : kc_cfg_str(c->root, "logging.root_dir", "logging");
	if (!kc_cfg_bool(c->root, "logging.enabled", 1) && resume_dir == NULL &&
	    c->replay_src == NULL) {
		/* The loop needs its checkpoint and trace while it runs; with
		 * logging off they live in a private directory removed at the end. */
		char tmpl[] = "/tmp/kylecode-nolog.XXXXXX";

		if (mkdtemp(tmpl) == NULL) {
			snprintf(err, errlen, "mkdtemp: %s", strerror(errno));
			return -1;
		}
		c->nolog_root = xstrdup(tmpl);
		o.root_dir = c->nolog_root;
	}
	o.redact = kc_cfg_bool(c->root, "logging.redact", 1);
	o.include_raw = kc_cfg_bool(c->root, "logging.include_raw", 1);
	o.include_events = kc_cfg_bool(c->root, "logging.include_events", 1);
	o.max_runs = (int)kc_cfg_num(c->root, "logging.retention.max_runs", 0);
	o.secret_env = envs;
	o.nsecret_env = n;
	if (resume_dir != NULL) {
		c->rl = runlog_reopen(resume_dir, &o, &c->recorded, err, errlen);
		return c->rl ? 0 : -1;
	}
	c->rl = runlog_create(&o, err, errlen);
	if (c->rl == NULL)
		return -1;
	if (c->replay_src != NULL) {
		char *p = xasprintf("%s/raw/events/trace.jsonl", c->replay_src);
		int rc = runlog_trace_verify(p, &ngood, &torn, &c->recorded, err, errlen);

		free(p);
		return rc;
	}
	return 0;
}

static int
run_workspace(struct cond *c, char *err, size_t errlen)
{
	const char *ws = c->o->workspace;
	char real[PATH_MAX], tmpl[] = "/tmp/kylecode-replay.XXXXXX";

	if (ws == NULL && c->replay_src != NULL) {
		/* Replay starts from a fresh, empty workspace: the run's own
		 * edits are what it replays. */
		ws = mkdtemp(tmpl);
		if (ws == NULL) {
			snprintf(err, errlen, "mkdtemp: %s", strerror(errno));
			return -1;
		}
	}
	if (ws == NULL)
		ws = kc_cfg_str(c->root, "workspace.root", "./agent_ws");
	if (kc_mkdir_p(ws, 0755) < 0 || realpath(ws, real) == NULL) {
		snprintf(err, errlen, "workspace %s: %s", ws, strerror(errno));
		return -1;
	}
	c->workspace = xstrdup(real);
	return 0;
}

static void
run_worker_event(const char *what, enum sup_role r, int status, void *arg)
{
	struct cond *c = arg;
	cJSON *f = cJSON_CreateObject();

	cJSON_AddStringToObject(f, "worker", sup_role_name(r));
	cJSON_AddStringToObject(f, "what", what);
	cJSON_AddNumberToObject(f, "status", status);
	run_ui_line(&c->ui, "33", "[worker %s %s]", sup_role_name(r), what);
	runlog_event(c->rl, "worker", f);
}

static cJSON *
run_tools_configure(const struct cond *c)
{
	cJSON *b = cJSON_CreateObject();
	const cJSON *x;

	cJSON_AddItemToObject(b, "tools", cJSON_Duplicate(c->registry, 1));
	x = kc_cfg_get(c->root, "tools.aliases");
	cJSON_AddItemToObject(b, "aliases", x ? cJSON_Duplicate(x, 1) : cJSON_CreateObject());
	x = kc_cfg_get(c->root, "concurrency");
	cJSON_AddItemToObject(b, "concurrency", x ? cJSON_Duplicate(x, 1) : cJSON_CreateObject());
	x = kc_cfg_get(c->root, "tools.dialects.create_file_policy");
	cJSON_AddItemToObject(b, "create_file_policy",
	                      x ? cJSON_Duplicate(x, 1) : cJSON_CreateObject());
	cJSON_AddBoolToObject(b, "allow_network_tools", 0);
	cJSON_AddBoolToObject(b, "git_writable",
	                      kc_cfg_bool(c->root, "workspace.sandbox.allow_git_writes", 0) ||
	                          kc_cfg_bool(c->root, "workspace.sandbox.git_writable", 0));
	return b;
}

/* <config dir>/.env if it exists: its path (never its contents) goes to
 * worker-llm, which reads the keys itself and refuses a file someone else
 * could have written (DESIGN §1: the supervisor holds no key). The same
 * check is made here from the file's metadata only, so that the run stops
 * at once with one clear message instead of a worker failing 5 times.
 * 0 with *out (NULL: none), or -1 with err. */
static int
run_dotenv_path(const struct cond *c, char **out, char *err, size_t errlen)
{
	struct stat st;
	char *p;

	*out = NULL;
	if (c->cfg == NULL || kc_config_dir(c->cfg) == NULL)
		return 0;
	p = xasprintf("%s/.env", kc_config_dir(c->cfg));
	if (lstat(p, &st) != 0) {
		free(p);
		return 0;
	}
	if (!S_ISREG(st.st_mode))
		snprintf(err, errlen, "%s: not a regular file; refusing to read keys from it", p);
	else if (st.st_uid != 0 && st.st_uid != geteuid())
		snprintf(err, errlen,
		         "%s: owned by uid %u, not by you or root; refusing to read keys from it",
		         p, (unsigned)st.st_uid);
	else if (st.st_mode & S_IWOTH)
		snprintf(err, errlen,
		         "%s: writable by others (mode %03o); refusing to read keys from it (chmod "
		         "o-w %s)",
		         p, (unsigned)(st.st_mode & 0777), p);
	else {
		*out = p;
		return 0;
	}
	free(p);
	return -1;
}

/* A loud warning: on the terminal (stderr, whatever the UI mode), as a
 * `warning` event in the trace and in run_meta.json "warnings". */
void
run_warn(struct cond *c, const char *msg)
{
	cJSON *f = cJSON_CreateObject();

	if (c->warnings == NULL)
		c->warnings = cJSON_CreateArray();
	cJSON_AddItemToArray(c->warnings, cJSON_CreateString(msg));
	fprintf(stderr, "%skylecode: WARNING: %s%s\n", isatty(2) ? "\033[1;31m" : "", msg,
	        isatty(2) ? "\033[0m" : "");
	cJSON_AddStringToObject(f, "message", msg);
	runlog_event(c->rl, "warning", f);
}

/* Commands never get a network: every driver gives them an empty network
 * namespace. A config asking for one (workspace.sandbox.network, or
 * resources.network) is told so loudly rather than silently ignored. */
static void
run_sbx_network(struct cond *c, const cJSON *sb, const cJSON *res)
{
	const char *net = kc_cfg_str(sb, "network", NULL);
	char msg[256];

	if (net == NULL)
		net = kc_cfg_str(res, "network", NULL);
	if (net == NULL || strcmp(net, "none") == 0)
		return;
	snprintf(msg, sizeof msg,
	         "workspace.sandbox.network: %s is not supported: commands run without a network", net);
	run_warn(c, msg);
}

/* The SBX_EXEC fields every command of the run carries, from
 * workspace.sandbox: `resources` (mem_gb or memory_mb, pids, cpus,
 * output_bytes, timeout_s), `env_allow` (names whose values are taken from
 * kylecode's environment: never an API-key variable), `allow_git_writes`
 * (or `git_writable`), docker `image` and `runtime`. */
static void
run_sbx_base(struct cond *c)
{
	const cJSON *sb = kc_cfg_get(c->root, "workspace.sandbox"), *res, *n;
	cJSON *b = cJSON_CreateObject(), *lim, *env, *allow, *opts;
	double mem = 0;
	size_t i;
	int key;

	res = kc_cfg_get(sb, "resources");
	run_sbx_network(c, sb, res);
	if (kc_cfg_num(res, "mem_gb", 0) > 0)
		mem = kc_cfg_num(res, "mem_gb", 0) * 1073741824.0;
	if (kc_cfg_num(res, "memory_mb", 0) > 0)
		mem = kc_cfg_num(res, "memory_mb", 0) * 1048576.0;
	lim = cJSON_AddObjectToObject(b, "limits");
	if (mem > 0)
		cJSON_AddNumberToObject(lim, "memory_bytes", mem);
	if (kc_cfg_num(res, "pids", 0) > 0)
		cJSON_AddNumberToObject(lim, "pids", kc_cfg_num(res, "pids", 0));
	if (kc_cfg_num(res, "cpus", 0) > 0)
		cJSON_AddNumberToObject(lim, "cpus", kc_cfg_num(res, "cpus", 0));
	if (kc_cfg_num(res, "output_bytes", 0) > 0)
		cJSON_AddNumberToObject(lim, "output_bytes", kc_cfg_num(res, "output_bytes", 0));
	c->shell_timeout_ms = (int)(kc_cfg_num(res, "timeout_s", 0) * 1000);
	env = cJSON_AddObjectToObject(b, "env");
	allow = cJSON_AddArrayToObject(b, "env_allow");
	cJSON_ArrayForEach(n, kc_cfg_get(sb, "env_allow"))
	{
		if (!cJSON_IsString(n))
			continue;
		for (key = 0, i = 0; c->key_envs[i] != NULL; i++)
			key |= strcmp(c->key_envs[i], n->valuestring) == 0;
		if (key) { /* DESIGN §1: keys stay in worker-llm */
			log_warnx(
			    "run: workspace.sandbox.env_allow: %s holds an API key; not passed",
			    n->valuestring);
			continue;
		}
		cJSON_AddItemToArray(allow, cJSON_CreateString(n->valuestring));
		if (getenv(n->valuestring) != NULL)
			cJSON_AddStringToObject(env, n->valuestring, getenv(n->valuestring));
	}
	opts = cJSON_AddObjectToObject(b, "driver_opts");
	cJSON_AddBoolToObject(opts, "git_writable",
	                      kc_cfg_bool(sb, "allow_git_writes", 0) ||
	                          kc_cfg_bool(sb, "git_writable", 0));
	if (kc_cfg_str(sb, "image", NULL) != NULL)
		cJSON_AddStringToObject(opts, "image", kc_cfg_str(sb, "image", NULL));
	if (kc_cfg_str(sb, "runtime", NULL) != NULL)
		cJSON_AddStringToObject(opts, "runtime", kc_cfg_str(sb, "runtime", NULL));
	c->sbx_base = b;
}

/* workspace.mirror: op "in" copies mirror.path into the workspace, "out"
 * copies changed files back (worker-sandbox/mirror.c). Recorded as a
 * `mirror` trace event. 0 when mirroring is off or done, -1 with err. */
int
run_mirror(struct cond *c, const char *op, char *err, size_t errlen)
{
	const char *path = kc_cfg_str(c->root, "workspace.mirror.path", NULL);
	char real[PATH_MAX], e[512];
	cJSON *b, *rep = NULL, *f;
	int rc;

	if (!kc_cfg_bool(c->root, "workspace.mirror.enabled", 0) || c->replay_src != NULL)
		return 0;
	if (path == NULL || realpath(path, real) == NULL) {
		snprintf(err, errlen, "workspace.mirror.path %s: %s", path ? path : "(not set)",
		         path ? strerror(errno) : "needed when mirror.enabled is true");
		return -1;
	}
	b = cJSON_CreateObject();
	cJSON_AddStringToObject(b, "op", op);
	cJSON_AddStringToObject(b, "host_path", real);
	rc = sup_call(c->sup, SUP_SANDBOX, IPC_T_SBX_MIRROR, b, 300000, 0, &rep, NULL, NULL, e,
	              sizeof(e));
	cJSON_Delete(b);
	if (rc != IPC_OK) {
		snprintf(err, errlen, "mirror %s %s: %s", op, real,
		         rc == IPC_E_REMOTE ? kc_cfg_str(rep, "error", "?") : e);
		cJSON_Delete(rep);
		return -1;
	}
	f = cJSON_CreateObject();
	cJSON_AddStringToObject(f, "op", op);
	cJSON_AddStringToObject(f, "host_path", real);
	cJSON_AddNumberToObject(f, "copied", cJSON_GetArraySize(kc_cfg_get(rep, "copied")));
	cJSON_AddItemToObject(f, "skipped", cJSON_Duplicate(kc_cfg_get(rep, "skipped"), 1));
	run_ui_line(&c->ui, "2", "mirror %s: %d file(s) %s %s", op,
	            cJSON_GetArraySize(kc_cfg_get(rep, "copied")), strcmp(op, "in") ? "to" : "from",
	            real);
	runlog_event(c->rl, "mirror", f);
	cJSON_Delete(rep);
	return 0;
}

int
run_setup_workers(struct cond *c, char *err, size_t errlen)
{
	struct sup_opts so = {0};
	unsigned roles = SUP_ROLES_ALL;
	cJSON *cfgmsg;
	char *dotenv = NULL;

	if ((c->replay_src == NULL && run_dotenv_path(c, &dotenv, err, errlen) < 0) ||
	    run_workspace(c, err, errlen) < 0) {
		free(dotenv);
		return -1;
	}
	run_key_envs(c, c->key_envs, sizeof(c->key_envs) / sizeof(c->key_envs[0]));
	run_sbx_base(c);
	so.workspace = c->workspace;
	so.driver =
	    c->o->driver ? c->o->driver : kc_cfg_str(c->root, "workspace.sandbox.driver", "jail");
	so.llm_env = c->key_envs;
	so.llm_dotenv = dotenv;
	so.verbose = log_getverbose();
	if (c->replay_src != NULL)
		roles &= ~SUP_ROLE_BIT(SUP_LLM); /* replay never reaches a model */
	c->sup = sup_start(roles, &so, err, errlen);
	free(dotenv);
	if (c->sup == NULL)
		return -1;
	sup_set_on_event(c->sup, run_worker_event, c);
	cfgmsg = run_tools_configure(c);
	sup_set_init_msg(c->sup, SUP_TOOLS, IPC_T_TOOLS_CONFIGURE, cfgmsg);
	cJSON_Delete(cfgmsg);
	return 0;
}

static int
run_rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	if (remove(path) != 0)
		log_warn("run: remove %s", path);
	return 0;
}

void
run_teardown(struct cond *c)
{
	size_t i;

	sup_stop(c->sup); /* ends an abandoned model call, which is then reaped */
	run_llm_abandoned_reap(c);
	run_exec_abandoned_reap(c);
	runlog_close(c->rl);
	if (c->nolog_root != NULL)
		nftw(c->nolog_root, run_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(c->nolog_root);
	for (i = 0; i < c->nmodes; i++) {
		kc_prompts_free(c->modes[i].prompts);
		free(c->modes[i].prompts);
		cJSON_Delete(c->modes[i].enabled);
	}
	kc_config_free(c->cfg);
	cJSON_Delete(c->registry);
	cJSON_Delete(c->model_entry);
	cJSON_Delete(c->fallbacks);
	cJSON_Delete(c->dialects);
	cJSON_Delete(c->messages);
	cJSON_Delete(c->recorded);
	cJSON_Delete(c->sbx_base);
	cJSON_Delete(c->warnings);
	free(c->model_id);
	free(c->workspace);
	free(c->task);
	free(c->pending);
	free(c->config_hash);
}
