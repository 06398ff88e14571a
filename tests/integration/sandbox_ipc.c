/*
 * sandbox_ipc — starts the real kylecode-sandbox through the supervisor's
 * process manager and sends it one request; prints the reply body (or the
 * error body) as JSON on stdout. Used by tests/integration/sandbox_worker.sh.
 *   sandbox_ipc --workspace DIR [--driver D] [--parallel N] TYPE JSON_BODY
 * --parallel N sends the request from N threads at once (one worker) and
 * prints N reply lines.
 * TYPE: exec | doctor | probe | mirror. Exit 0 on a reply, 3 on an error
 * reply (body printed), 1 on a transport failure, 2 on usage.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "supervisor/proc.h"

static void
print_event(const cJSON *ev, void *arg)
{
	char *t = cJSON_PrintUnformatted(ev);

	(void)arg;
	fprintf(stderr, "event: %s\n", t);
	free(t);
}

struct par {
	struct sup *s;
	uint16_t type;
	const cJSON *body;
	cJSON *reply;
	int rc;
};

static void *
par_call(void *arg)
{
	struct par *p = arg;
	char err[256];

	p->rc = sup_call(p->s, SUP_SANDBOX, p->type, p->body, 120000, 0, &p->reply, NULL, NULL, err,
	                 sizeof err);
	return NULL;
}

/* n requests at once; prints each reply; 0 if all were answered. */
static int
par_run(struct sup *s, uint16_t type, const cJSON *body, int n)
{
	struct par p[16];
	pthread_t th[16];
	char *t;
	int i, rc = 0;

	for (i = 0; i < n; i++) {
		p[i] = (struct par){s, type, body, NULL, 0};
		pthread_create(&th[i], NULL, par_call, &p[i]);
	}
	for (i = 0; i < n; i++) {
		pthread_join(th[i], NULL);
		t = p[i].reply ? cJSON_PrintUnformatted(p[i].reply) : NULL;
		printf("%s\n", t ? t : "null");
		free(t);
		cJSON_Delete(p[i].reply);
		if (p[i].rc != IPC_OK)
			rc = 1;
	}
	return rc;
}

int
main(int argc, char **argv)
{
	struct sup_opts o = {0};
	const char *type_s, *json;
	uint16_t type;
	cJSON *body, *reply = NULL;
	struct sup *s;
	char err[1024], *t;
	int i, rc, npar = 0;

	for (i = 1; i + 1 < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
		if (strcmp(argv[i], "--workspace") == 0)
			o.workspace = argv[i + 1];
		else if (strcmp(argv[i], "--driver") == 0)
			o.driver = argv[i + 1];
		else if (strcmp(argv[i], "--parallel") == 0)
			npar = atoi(argv[i + 1]);
		else
			break;
	}
	if (argc - i != 2 || o.workspace == NULL || npar < 0 || npar > 16) {
		fprintf(stderr, "usage: sandbox_ipc --workspace DIR [--driver D] "
		                "exec|doctor|probe|mirror JSON\n");
		return 2;
	}
	type_s = argv[i];
	json = argv[i + 1];
	type = strcmp(type_s, "exec") == 0     ? IPC_T_SBX_EXEC
	       : strcmp(type_s, "doctor") == 0 ? IPC_T_SBX_DOCTOR
	       : strcmp(type_s, "probe") == 0  ? IPC_T_SBX_PROBE
	       : strcmp(type_s, "mirror") == 0 ? IPC_T_SBX_MIRROR
	                                       : 0;
	body = cJSON_Parse(json);
	if (type == 0 || body == NULL) {
		fprintf(stderr, "sandbox_ipc: bad type or JSON\n");
		return 2;
	}
	s = sup_start(SUP_ROLE_BIT(SUP_SANDBOX), &o, err, sizeof err);
	if (s == NULL) {
		fprintf(stderr, "sandbox_ipc: %s\n", err);
		return 1;
	}
	if (npar > 0) {
		rc = par_run(s, type, body, npar);
		cJSON_Delete(body);
		sup_stop(s);
		return rc;
	}
	rc = sup_call(s, SUP_SANDBOX, type, body, 120000, 0, &reply, print_event, NULL, err,
	              sizeof err);
	if (reply != NULL) {
		t = cJSON_PrintUnformatted(reply);
		printf("%s\n", t);
		free(t);
	} else {
		fprintf(stderr, "sandbox_ipc: %s\n", err);
	}
	cJSON_Delete(reply);
	cJSON_Delete(body);
	sup_stop(s);
	return rc == IPC_OK ? 0 : rc == IPC_E_REMOTE ? 3 : 1;
}
