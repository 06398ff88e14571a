/* kylecode: the supervisor's command line. Each subcommand is one function
 * in its own file (supervisor/cmd_*.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/log.h"
#include "supervisor/cmd.h"

struct sup_cmd {
	const char *name;
	int (*fn)(int, char **);
	const char *synopsis;
};

static const struct sup_cmd sup_cmds[] = {
	{"run", cmd_run, "run [--config F] [--task F | --task-text T] [-m N] [--model ID] "
			 "[--workspace D] [--log-dir D] [--driver D] [--quiet] [--json]"},
	{"resume", cmd_resume, "resume RUN_DIR [--quiet] [--json]"},
	{"replay", cmd_replay, "replay RUN_DIR [--check] [--log-dir D] [--workspace D] [--driver D] [--quiet] [--json]"},
	{"config", cmd_config, "config show F [--json] [--effective] | config check F..."},
	{"prompts", cmd_prompts, "prompts F [--mode M] [--model ID] [--out D]"},
	{"render", cmd_render, "render TEMPLATE [--data JSON_FILE]"},
	{"exec", cmd_exec, "exec [--driver D] [--workspace D] [--timeout S] [--cpus N] [--runtime runc|runsc] -- CMD [ARG...]"},
	{"apply", cmd_apply, "apply [--workspace D] [--dialect NAME] [--config F] [--json] < TEXT"},
	{"doctor", cmd_doctor, "doctor [--probe] [--driver D] [--failpoints]"},
};

static void
sup_usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: kylecode COMMAND [OPTIONS]   (kylecode COMMAND --help for more)\n\n");
	for (i = 0; i < sizeof(sup_cmds) / sizeof(sup_cmds[0]); i++)
		fprintf(f, "  kylecode %s\n", sup_cmds[i].synopsis);
	fprintf(f, "\nExit codes: 0 done; 1 task not completed or a step failed; 2 usage;\n"
		   "3 config error; exec: the command's status, 124 timeout, 125 sandbox\n"
		   "setup failed, 126/127 as a shell.\n");
}

int
main(int argc, char **argv)
{
	size_t i;

	log_init("kylecode", 0);
	if (argc < 2) {
		sup_usage(stderr);
		return KC_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		sup_usage(stdout);
		return KC_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("kylecode %s\n", KC_VERSION);
		return KC_EXIT_OK;
	}
	for (i = 0; i < sizeof(sup_cmds) / sizeof(sup_cmds[0]); i++)
		if (strcmp(argv[1], sup_cmds[i].name) == 0)
			return sup_cmds[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "kylecode: unknown command '%s'\n", argv[1]);
	sup_usage(stderr);
	return KC_EXIT_USAGE;
}
