/* Placeholder until its issue lands: says so and fails. */
#include <stdio.h>

#include "supervisor/cmd.h"

int
cmd_apply(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "kylecode apply: not implemented yet\n");
	return KC_EXIT_FAIL;
}
