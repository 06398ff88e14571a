/* Tool dispatch for the file/edit tools (see tools.h). Work in progress:
 * the table is filled in as the tools land. */
#include <string.h>

#include "worker-tools/tools.h"

int
tool_is_file_tool(const char *name)
{
	(void)name;
	return 0;
}

int
tool_run(struct tool_ctx *ctx, const char *name, const cJSON *args, cJSON **result)
{
	cJSON *r;

	(void)ctx;
	(void)args;
	*result = NULL;
	if ((r = cJSON_CreateObject()) == NULL)
		return -1;
	cJSON_AddBoolToObject(r, "ok", 0);
	cJSON_AddStringToObject(r, "output", "");
	cJSON_AddStringToObject(r, "error", name ? "tool not implemented yet" : "no tool name");
	cJSON_AddArrayToObject(r, "changed_files");
	cJSON_AddStringToObject(r, "diff", "");
	cJSON_AddBoolToObject(r, "complete", 0);
	*result = r;
	return 0;
}
