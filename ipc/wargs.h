/* The command line every worker accepts, so that the supervisor spawns all
 * of them the same way:
 *   kylecode-<role> --ipc URL --events URL [--rundir D] [--workspace D]
 *                   [--driver D] [-v]... [--help]
 */
#ifndef KC_IPC_WARGS_H
#define KC_IPC_WARGS_H

struct worker_args {
	const char *req_url;
	const char *ev_url;
	const char *rundir;
	const char *workspace;
	const char *driver;
	int verbose;
};

/* Parses argv. --help prints usage and exits 0; a bad option prints the
 * usage line to stderr and exits 2. */
void worker_args_parse(int argc, char **argv, const char *role, const char *what,
		       struct worker_args *out);

#endif
