/* Placeholder until its issue lands: says so and fails. */
#include <stdio.h>

#include "supervisor/cmd.h"

int
cmd_run(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "kylecode run: not implemented yet\n");
	return KC_EXIT_FAIL;
}

int
cmd_resume(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "kylecode resume: not implemented yet\n");
	return KC_EXIT_FAIL;
}

int
cmd_replay(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "kylecode replay: not implemented yet\n");
	return KC_EXIT_FAIL;
}
