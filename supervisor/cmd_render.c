/* Placeholder until its issue lands: says so and fails. */
#include <stdio.h>

#include "supervisor/cmd.h"

int
cmd_render(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "kylecode render: not implemented yet\n");
	return KC_EXIT_FAIL;
}
