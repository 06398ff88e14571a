/*
 * sbx_run — a test driver that calls the sandbox engine directly (no
 * supervisor, no IPC): the security suite runs each hostile command through
 * it and through `kylecode exec`.
 *   sbx_run [--driver D] [--workspace DIR] [--timeout MS] [--git-writable]
 *           [--output-bytes N] [--memory N] [--pids N] -- CMD [ARG...]
 * Exit status as `kylecode exec`: the command's, 124 timeout, 125 setup.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/core/log.h"
#include "worker-sandbox/sbx.h"

static void
run_stream(int stream, const char *data, size_t len, void *arg)
{
	(void)arg;
	fwrite(data, 1, len, stream == 1 ? stdout : stderr);
	fflush(stream == 1 ? stdout : stderr);
}

static void
run_usage(FILE *f)
{
	fprintf(f, "usage: sbx_run [--driver D] [--workspace DIR] [--timeout MS] [--git-writable]\n"
	           "              [--output-bytes N] [--memory N] [--pids N] [--runtime R]\n"
	           "              [--report] -- CMD [ARG...]\n");
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {{"driver", required_argument, NULL, 'd'},
	                                     {"workspace", required_argument, NULL, 'w'},
	                                     {"timeout", required_argument, NULL, 't'},
	                                     {"git-writable", no_argument, NULL, 'g'},
	                                     {"output-bytes", required_argument, NULL, 'o'},
	                                     {"memory", required_argument, NULL, 'm'},
	                                     {"pids", required_argument, NULL, 'p'},
	                                     {"runtime", required_argument, NULL, 'r'},
	                                     {"report", no_argument, NULL, 'R'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	struct sbx_config cfg = {.workspace = ".", .driver = SBX_JAIL};
	struct sbx_req req;
	struct sbx_result res;
	struct sbx *s;
	char err[512];
	int c, d, report = 0;

	memset(&req, 0, sizeof req);
	log_init("sbx_run", 0);
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if ((d = sbx_driver_parse(optarg)) < 0) {
				fprintf(stderr, "sbx_run: unknown driver %s\n", optarg);
				return 2;
			}
			cfg.driver = (enum sbx_driver_id)d;
			break;
		case 'w':
			cfg.workspace = optarg;
			break;
		case 't':
			req.timeout_ms = atoi(optarg);
			break;
		case 'g':
			req.git_writable = 1;
			break;
		case 'o':
			req.lim.output_bytes = strtoull(optarg, NULL, 0);
			break;
		case 'm':
			req.lim.memory_bytes = strtoull(optarg, NULL, 0);
			break;
		case 'p':
			req.lim.pids = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'r':
			cfg.runtime = optarg;
			break;
		case 'R':
			report = 1;
			break;
		case 'h':
			run_usage(stdout);
			return 0;
		default:
			run_usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		run_usage(stderr);
		return 2;
	}
	s = sbx_factory_create(&cfg, err, sizeof err);
	if (s == NULL) {
		fprintf(stderr, "sbx_run: %s\n", err);
		return 125;
	}
	req.argv = argv + optind;
	req.on_output = run_stream;
	sbx_result_init(&res);
	if (sbx_run(s, &req, &res) != 0)
		fprintf(stderr, "sbx_run: %s\n", res.error);
	if (report)
		fprintf(stderr,
		        "sbx_run: exit=%d signal=%d timed_out=%d reason=%s out_dropped=%llu "
		        "err_dropped=%llu ms=%lld\n",
		        res.exit_code, res.signal, res.timed_out, res.killed_reason,
		        (unsigned long long)res.out_dropped, (unsigned long long)res.err_dropped,
		        (long long)res.duration_ms);
	c = res.exit_code;
	sbx_result_free(&res);
	sbx_free(s);
	return c;
}
