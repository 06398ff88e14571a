#include "ipc/wargs.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/failpoint/failpoint.h"

static void
wargs_fp_print(const char *name, void *arg)
{
	(void)arg;
	printf("%s\n", name);
}

static void
worker_usage(FILE *f, const char *role, const char *what)
{
	fprintf(f,
		"usage: kylecode-%s --ipc URL --events URL [--rundir DIR] [--workspace DIR]\n"
		"       [--driver NAME] [-v] [--help]\n",
		role);
	if (f == stdout)
		fprintf(f,
			"\n%s\n\n"
			"This is a kylecode worker process. The supervisor (`kylecode`) starts it;\n"
			"it is not meant to be run by hand.\n\n"
			"  --ipc URL        NNG REP address to serve requests on (ipc://...)\n"
			"  --events URL     NNG PUSH address for progress events\n"
			"  --rundir DIR     the supervisor's private runtime directory\n"
			"  --workspace DIR  the agent workspace root\n"
			"  --driver NAME    sandbox driver (sandbox worker only)\n"
			"  -v               more logging (repeat for debug)\n"
			"  --list-failpoints  print the failpoints compiled into this program\n",
			what);
}

void
worker_args_parse(int argc, char **argv, const char *role, const char *what,
		  struct worker_args *out)
{
	static const struct option opts[] = {
		{"ipc", required_argument, NULL, 'i'},
		{"events", required_argument, NULL, 'e'},
		{"rundir", required_argument, NULL, 'r'},
		{"workspace", required_argument, NULL, 'w'},
		{"driver", required_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},
		{"list-failpoints", no_argument, NULL, 'F'},
		{NULL, 0, NULL, 0},
	};
	int c;

	memset(out, 0, sizeof(*out));
	optind = 1;
	while ((c = getopt_long(argc, argv, "v", opts, NULL)) != -1) {
		switch (c) {
		case 'i': out->req_url = optarg; break;
		case 'e': out->ev_url = optarg; break;
		case 'r': out->rundir = optarg; break;
		case 'w': out->workspace = optarg; break;
		case 'd': out->driver = optarg; break;
		case 'v': out->verbose++; break;
		case 'h': worker_usage(stdout, role, what); exit(0);
		case 'F': fp_foreach(wargs_fp_print, NULL); exit(0);
		default: worker_usage(stderr, role, what); exit(2);
		}
	}
	if (optind != argc || out->req_url == NULL || out->ev_url == NULL) {
		fprintf(stderr, "kylecode-%s: --ipc and --events are required\n", role);
		worker_usage(stderr, role, what);
		exit(2);
	}
}
