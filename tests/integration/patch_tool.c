/* kc-tool-run: runs one file/edit tool of the tools worker (tool_run) on
 * a workspace, for the conformance, security and bench scripts.
 *
 *   kc-tool-run --workspace D [--config JSON] [--stdin-arg NAME] TOOL [ARGS_JSON]
 *
 * --stdin-arg NAME puts all of stdin into the string argument NAME (a
 * patch, say). Prints the result JSON; exit 0 when ok, 1 when the tool
 * failed, 2 on usage errors, 3 on internal errors. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/core/strbuf.h"
#include "worker-tools/tools.h"

static void
usage(FILE *f)
{
	fprintf(f, "usage: kc-tool-run --workspace DIR [--config JSON] [--stdin-arg NAME] TOOL "
	           "[ARGS_JSON]\n");
}

static char *
read_stdin(void)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[65536];
	ssize_t n;

	while ((n = read(0, buf, sizeof(buf))) > 0 || (n == -1 && errno == EINTR))
		if (n > 0)
			strbuf_add(&sb, buf, (size_t)n);
	return strbuf_detach(&sb, NULL);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {{"workspace", required_argument, NULL, 'w'},
	                                         {"config", required_argument, NULL, 'c'},
	                                         {"stdin-arg", required_argument, NULL, 's'},
	                                         {"help", no_argument, NULL, 'h'},
	                                         {NULL, 0, NULL, 0}};
	const char *ws = NULL, *cfgtext = "{}", *stdin_arg = NULL;
	struct tool_ctx ctx;
	cJSON *args, *cfg, *res = NULL;
	char *out, *in;
	int c, rc;

	while ((c = getopt_long(argc, argv, "w:c:s:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'w':
			ws = optarg;
			break;
		case 'c':
			cfgtext = optarg;
			break;
		case 's':
			stdin_arg = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (ws == NULL || optind >= argc || argc - optind > 2) {
		usage(stderr);
		return 2;
	}
	args = cJSON_Parse(argc - optind == 2 ? argv[optind + 1] : "{}");
	cfg = cJSON_Parse(cfgtext);
	if (args == NULL || cfg == NULL) {
		fprintf(stderr, "kc-tool-run: ARGS_JSON and --config must be JSON objects\n");
		return 2;
	}
	if (stdin_arg != NULL) {
		in = read_stdin();
		cJSON_AddStringToObject(args, stdin_arg, in);
		free(in);
	}
	ctx.ws_path = ws;
	ctx.config = cfg;
	ctx.deadline_ms = 0;
	if ((ctx.ws_fd = open(ws, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		fprintf(stderr, "kc-tool-run: %s: %s\n", ws, strerror(errno));
		return 2;
	}
	if (tool_run(&ctx, argv[optind], args, &res) == -1) {
		fprintf(stderr, "kc-tool-run: internal error\n");
		return 3;
	}
	out = cJSON_Print(res);
	printf("%s\n", out);
	rc = cJSON_IsTrue(cJSON_GetObjectItem(res, "ok")) ? 0 : 1;
	free(out);
	cJSON_Delete(res);
	cJSON_Delete(args);
	cJSON_Delete(cfg);
	close(ctx.ws_fd);
	return rc;
}
