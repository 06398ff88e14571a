/* kylecode-mockllm: argument handling; the server is mock_main(). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/log.h"
#include "mockllm/mock.h"

static void
mock_usage(FILE *f)
{
	fprintf(f, "usage: kylecode-mockllm --script FILE [--listen ADDR] [--port-file F]\n"
	           "                        [--record DIR] [--chunk-bytes N] [--allow-remote]\n"
	           "                        [--check] [--quiet]\n");
}

static void
mock_help(void)
{
	mock_usage(stdout);
	printf("\nA scripted OpenAI- and Anthropic-compatible model server. Each request to\n"
	       "POST .../chat/completions (OpenAI) or POST .../messages (Anthropic) plays the\n"
	       "next turn of the script, streamed (SSE) when the request says \"stream\": true.\n\n"
	       "  --script FILE     YAML ({turns: [...]}) or JSONL (one turn per line, .jsonl)\n"
	       "  --listen ADDR     HOST:PORT, default 127.0.0.1:0 (port 0: any free port)\n"
	       "  --port-file F     write the bound port to F once listening\n"
	       "  --record DIR      write each request as DIR/request_<n>.json\n"
	       "  --chunk-bytes N   split streamed bodies into writes of N bytes\n"
	       "  --allow-remote    allow a non-loopback listen address\n"
	       "  --check           validate the script and exit (0 ok, 3 bad script)\n"
	       "  --quiet           no informational messages on stderr\n\n"
	       "Prints \"listening on http://HOST:PORT\" on stdout when ready. GET\n"
	       "/_mock/requests returns every request received (credentials shown as\n"
	       "\"<present>\"); GET /_mock/health returns turn counters.\n\n"
	       "Turn keys: text, tool_calls [{id, name, arguments}], finish_reason,\n"
	       "delay_ms, chunk_delay_ms, chunk_bytes, fault (none|429|500|<4xx/5xx>|stall|\n"
	       "drop|malformed), retry_after, stall_ms, usage {prompt_tokens,\n"
	       "completion_tokens}, expect {contains: TEXT | [TEXT...]}. A fault consumes its\n"
	       "turn; an exhausted script answers 500.\n");
}

static int
mock_check(const char *path)
{
	char err[1024];
	struct mock_script *s = mock_script_load(path, err, sizeof(err));

	if (s == NULL) {
		fprintf(stderr, "kylecode-mockllm: %s\n", err);
		return 3;
	}
	printf("%s: ok, %zu turns\n", path, s->nturns);
	mock_script_free(s);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"script", required_argument, NULL, 's'},
	    {"listen", required_argument, NULL, 'l'},
	    {"port-file", required_argument, NULL, 'p'},
	    {"record", required_argument, NULL, 'r'},
	    {"chunk-bytes", required_argument, NULL, 'c'},
	    {"allow-remote", no_argument, NULL, 'A'},
	    {"check", no_argument, NULL, 'k'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct mock_opts o = {.listen = "127.0.0.1:0"};
	int ch, check = 0;
	char *end;
	long n;

	log_init("kylecode-mockllm", 0);
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 's':
			o.script_path = optarg;
			break;
		case 'l':
			o.listen = optarg;
			break;
		case 'p':
			o.port_file = optarg;
			break;
		case 'r':
			o.record_dir = optarg;
			break;
		case 'A':
			o.allow_remote = 1;
			break;
		case 'k':
			check = 1;
			break;
		case 'q':
			o.quiet = 1;
			break;
		case 'h':
			mock_help();
			return 0;
		case 'c':
			n = strtol(optarg, &end, 10);
			if (*end != '\0' || n < 1 || n > (1 << 24)) {
				fprintf(stderr,
				        "kylecode-mockllm: --chunk-bytes: expected 1..16777216\n");
				return 2;
			}
			o.chunk_bytes = (int)n;
			break;
		default:
			mock_usage(stderr);
			return 2;
		}
	}
	if (optind != argc || o.script_path == NULL) {
		if (o.script_path == NULL)
			fprintf(stderr, "kylecode-mockllm: --script FILE is required\n");
		mock_usage(stderr);
		return 2;
	}
	if (check)
		return mock_check(o.script_path);
	return mock_main(&o);
}
