/*
 * cmd_exec.c — `kylecode exec [--driver D] [--workspace D] [--timeout S]
 * -- CMD [ARG...]`: one command, jailed by kylecode-sandbox, its output
 * streamed live.
 *
 * Exit status (DESIGN §7): the command's own; 124 when it hit the timeout;
 * 125 when the sandbox could not be set up (or the worker could not be
 * started); 126/127 when the command cannot run / was not found, as a shell
 * says; 2 on a usage error.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "supervisor/cmd.h"
#include "supervisor/proc.h"

#define EXEC_EXIT_TIMEOUT 124
#define EXEC_EXIT_SETUP 125
#define EXEC_DEFAULT_TIMEOUT_S 600
#define EXEC_IPC_MARGIN_MS 30000 /* runsc/docker start-up on top of the command's time */

struct exec_opts {
	const char *driver;
	const char *workspace;
	const char *runtime; /* docker: runc | runsc */
	double timeout_s;
	double cpus; /* cgroup CPU quota in cores; 0 = none */
	char **argv;
};

struct exec_stream {
	size_t shown[2]; /* bytes of stdout/stderr written from events */
};

static void
exec_usage(FILE *f)
{
	fprintf(
	    f, "usage: kylecode exec [--driver jail|runsc|docker|process] [--workspace DIR]\n"
	       "                     [--timeout SECONDS] [--cpus N] [--runtime runc|runsc]\n"
	       "                     -- CMD [ARG...]\n");
	if (f != stdout)
		return;
	fprintf(f, "\nRuns one command in the sandbox (default driver: jail) with the workspace\n"
	           "(default: the current directory) at /workspace, and streams its output.\n\n"
	           "  --driver D      jail (default), runsc (gVisor), docker, or process\n"
	           "                  (development only: NO isolation)\n"
	           "  --workspace D   the directory the command may write (default: .)\n"
	           "  --timeout S     wall-clock limit in seconds (default 600); the whole\n"
	           "                  process tree is killed when it passes\n"
	           "  --cpus N        at most N cores of CPU time (e.g. 0.5), by a cgroup\n"
	           "                  quota where the host offers the cpu controller\n"
	           "  --runtime R     docker driver only: runc (default) or runsc (gVisor)\n\n"
	           "Exit status: the command's; 124 timeout; 125 sandbox setup failed;\n"
	           "126 not executable; 127 not found; 2 usage.\n");
}

static int
exec_parse(int argc, char **argv, struct exec_opts *o)
{
	static const struct option opts[] = {
	    {"driver", required_argument, NULL, 'd'},  {"workspace", required_argument, NULL, 'w'},
	    {"timeout", required_argument, NULL, 't'}, {"runtime", required_argument, NULL, 'r'},
	    {"cpus", required_argument, NULL, 'c'},    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	char *end;
	int c;

	memset(o, 0, sizeof *o);
	o->driver = "jail";
	o->workspace = ".";
	o->timeout_s = EXEC_DEFAULT_TIMEOUT_S;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			o->driver = optarg;
			break;
		case 'w':
			o->workspace = optarg;
			break;
		case 'r':
			if (strcmp(optarg, "runc") != 0 && strcmp(optarg, "runsc") != 0) {
				fprintf(stderr, "kylecode exec: --runtime %s: want runc or runsc\n",
				        optarg);
				return -1;
			}
			o->runtime = optarg;
			break;
		case 't':
			errno = 0;
			o->timeout_s = strtod(optarg, &end);
			if (errno != 0 || *end != '\0' || !(o->timeout_s > 0) ||
			    o->timeout_s > 86400) {
				fprintf(stderr,
				        "kylecode exec: --timeout %s: want seconds in (0, 86400]\n",
				        optarg);
				return -1;
			}
			break;
		case 'c':
			errno = 0;
			o->cpus = strtod(optarg, &end);
			if (errno != 0 || *end != '\0' || !(o->cpus > 0) || o->cpus > 1024) {
				fprintf(stderr, "kylecode exec: --cpus %s: want cores in (0, 1024]\n",
				        optarg);
				return -1;
			}
			break;
		case 'h':
			exec_usage(stdout);
			exit(KC_EXIT_OK);
		default:
			exec_usage(stderr);
			return -1;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "kylecode exec: no command given (put it after --)\n");
		exec_usage(stderr);
		return -1;
	}
	if (strcmp(o->driver, "jail") != 0 && strcmp(o->driver, "runsc") != 0 &&
	    strcmp(o->driver, "docker") != 0 && strcmp(o->driver, "process") != 0) {
		fprintf(stderr,
		        "kylecode exec: unknown driver '%s' (jail, runsc, docker, process)\n",
		        o->driver);
		return -1;
	}
	o->argv = argv + optind;
	return 0;
}

static void
exec_on_event(const cJSON *ev, void *arg)
{
	struct exec_stream *st = arg;
	const cJSON *kind = cJSON_GetObjectItemCaseSensitive(ev, "kind");
	const cJSON *stream = cJSON_GetObjectItemCaseSensitive(ev, "stream");
	const cJSON *data = cJSON_GetObjectItemCaseSensitive(ev, "data");
	int err;
	size_t n;

	if (!cJSON_IsString(kind) || strcmp(kind->valuestring, "output") != 0 ||
	    !cJSON_IsString(stream) || !cJSON_IsString(data))
		return;
	err = strcmp(stream->valuestring, "stderr") == 0;
	n = strlen(data->valuestring);
	fwrite(data->valuestring, 1, n, err ? stderr : stdout);
	fflush(err ? stderr : stdout);
	st->shown[err] += n;
}

/* Prints what the events did not carry (an event may be dropped). */
static void
exec_print_rest(const cJSON *reply, const char *key, size_t shown, FILE *f)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(reply, key);
	size_t n;

	if (!cJSON_IsString(s))
		return;
	n = strlen(s->valuestring);
	if (n > shown) {
		fwrite(s->valuestring + shown, 1, n - shown, f);
		fflush(f);
	}
}

static double
exec_num(const cJSON *o, const char *key)
{
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(n) ? n->valuedouble : 0;
}

static int
exec_report(const cJSON *reply, const struct exec_opts *o, const struct exec_stream *st)
{
	const cJSON *err = cJSON_GetObjectItemCaseSensitive(reply, "error");
	const cJSON *reason = cJSON_GetObjectItemCaseSensitive(reply, "killed_reason");

	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(reply, "setup_failed"))) {
		fprintf(stderr, "kylecode exec: the %s sandbox could not be set up: %s\n",
		        o->driver, cJSON_IsString(err) ? err->valuestring : "(no reason given)");
		return EXEC_EXIT_SETUP;
	}
	exec_print_rest(reply, "stdout", st->shown[0], stdout);
	exec_print_rest(reply, "stderr", st->shown[1], stderr);
	if (exec_num(reply, "stdout_dropped") > 0 || exec_num(reply, "stderr_dropped") > 0)
		fprintf(stderr,
		        "kylecode exec: output over the cap was dropped "
		        "(stdout %.0f bytes, stderr %.0f bytes)\n",
		        exec_num(reply, "stdout_dropped"), exec_num(reply, "stderr_dropped"));
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(reply, "timed_out"))) {
		fprintf(stderr,
		        "kylecode exec: timed out after %g s; the command and everything "
		        "it started were killed\n",
		        o->timeout_s);
		return EXEC_EXIT_TIMEOUT;
	}
	if (cJSON_IsString(reason) && reason->valuestring[0] != '\0')
		fprintf(stderr, "kylecode exec: killed: %s limit reached\n", reason->valuestring);
	return (int)exec_num(reply, "exit_code");
}

static cJSON *
exec_body(const struct exec_opts *o)
{
	cJSON *body = cJSON_CreateObject(), *av = cJSON_AddArrayToObject(body, "argv");
	int i;

	for (i = 0; o->argv[i] != NULL; i++)
		cJSON_AddItemToArray(av, cJSON_CreateString(o->argv[i]));
	cJSON_AddNumberToObject(body, "timeout_ms", (double)(long long)(o->timeout_s * 1000));
	cJSON_AddBoolToObject(body, "stream", 1);
	if (o->cpus > 0)
		cJSON_AddNumberToObject(cJSON_AddObjectToObject(body, "limits"), "cpus", o->cpus);
	if (o->runtime != NULL)
		cJSON_AddStringToObject(cJSON_AddObjectToObject(body, "driver_opts"), "runtime",
		                        o->runtime);
	return body;
}

int
cmd_exec(int argc, char **argv)
{
	struct exec_opts o;
	struct sup_opts so;
	struct exec_stream st = {{0, 0}};
	struct sup *s;
	cJSON *body, *reply = NULL;
	char err[1024], ws[PATH_MAX];
	int rc;

	if (exec_parse(argc, argv, &o) != 0)
		return KC_EXIT_USAGE;
	if (realpath(o.workspace, ws) == NULL) {
		fprintf(stderr, "kylecode exec: workspace %s: %s (give an existing directory)\n",
		        o.workspace, strerror(errno));
		return EXEC_EXIT_SETUP;
	}
	memset(&so, 0, sizeof so);
	so.workspace = ws;
	so.driver = o.driver;
	s = sup_start(SUP_ROLE_BIT(SUP_SANDBOX), &so, err, sizeof err);
	if (s == NULL) {
		fprintf(stderr, "kylecode exec: cannot start the sandbox worker: %s\n", err);
		return EXEC_EXIT_SETUP;
	}
	body = exec_body(&o);
	rc = sup_call(s, SUP_SANDBOX, IPC_T_SBX_EXEC, body,
	              (int)(o.timeout_s * 1000) + EXEC_IPC_MARGIN_MS, 0, &reply, exec_on_event, &st,
	              err, sizeof err);
	cJSON_Delete(body);
	if (rc == IPC_OK) {
		rc = exec_report(reply, &o, &st);
	} else {
		fprintf(stderr, "kylecode exec: %s\n", err);
		rc = EXEC_EXIT_SETUP;
	}
	cJSON_Delete(reply);
	sup_stop(s);
	return rc;
}
