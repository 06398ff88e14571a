/* kc-llm-bench: what worker-llm adds to a streamed model response.
 *
 * One run, three ways of consuming the same 1 MB text streamed by
 * kylecode-mockllm (16-byte deltas, one SSE event each), interleaved per
 * repetition so machine noise hits all alike:
 *   curl     libcurl POST, body thrown away (baseline: HTTP only)
 *   parse    llm_complete() in this process: SSE + JSON + events, no IPC
 *   worker   the real kylecode-llm over IPC; events counted on this side
 *            (mock -> worker -> supervisor event), as the supervisor sees it
 * Reported: median time, MB/s of streamed text, and the time added per
 * chunk (event) against the curl baseline. Target: worker < 50 us/chunk. */
#include <curl/curl.h>
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ipc/ipc.h"
#include "lib/core/strbuf.h"
#include "lib/core/xmalloc.h"
#include "worker-llm/llm.h"

#define BENCH_MAX_REPS 15

enum { M_CURL, M_PARSE, M_WORKER, M_N };
static const char *const mode_name[M_N] = {"curl", "parse", "worker"};

struct bench {
	char bindir[PATH_MAX];
	char tmp[64];
	int port;
	pid_t mock;
	size_t text_bytes;
	double t[M_N][BENCH_MAX_REPS];
	long chunks[M_N];
	size_t wire_bytes;
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* JSONL script: one turn per request of the run, each the same text. */
static void
bench_script(struct bench *b, int turns, const char *path)
{
	static const char words[] = "lorem ipsum dolor sit amet consectetur adipiscing elit ";
	FILE *f = fopen(path, "w");
	size_t i;
	int t;

	if (f == NULL) {
		perror(path);
		exit(1);
	}
	for (t = 0; t < turns; t++) {
		fputs("{\"text\": \"", f);
		for (i = 0; i < b->text_bytes; i++)
			fputc(words[i % (sizeof(words) - 1)], f);
		fputs("\", \"usage\": {\"prompt_tokens\": 10, \"completion_tokens\": 250000}}\n",
		      f);
	}
	fclose(f);
}

/* Start the mock and read its "listening on http://127.0.0.1:PORT" line
 * from a pipe: waiting on the line, not on a timer. */
static void
bench_mock_start(struct bench *b, const char *script)
{
	char *mock = xasprintf("%s/kylecode-mockllm", b->bindir), line[256];
	int fd[2];
	FILE *f;

	if (pipe(fd) == -1 || (b->mock = fork()) == -1) {
		perror("mock");
		exit(1);
	}
	if (b->mock == 0) {
		dup2(fd[1], 1);
		close(fd[0]);
		execl(mock, mock, "--script", script, "--quiet", (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	f = fdopen(fd[0], "r");
	if (f == NULL || fgets(line, sizeof(line), f) == NULL ||
	    sscanf(line, "listening on http://127.0.0.1:%d", &b->port) != 1) {
		fprintf(stderr, "kc-llm-bench: %s did not start\n", mock);
		exit(1);
	}
	fclose(f);
	free(mock);
}

static size_t
curl_sink(char *p, size_t size, size_t n, void *arg)
{
	*(size_t *)arg += size * n;
	return size * n;
}

static double
run_curl(struct bench *b)
{
	char *url = xasprintf("http://127.0.0.1:%d/v1/chat/completions", b->port);
	const char *body =
	    "{\"model\":\"mock/dev\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
	    "\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}";
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	CURL *c = curl_easy_init();
	size_t got = 0;
	double t0 = now_s(), t;

	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, curl_sink);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &got);
	curl_easy_setopt(c, CURLOPT_PROXY, "");
	if (curl_easy_perform(c) != CURLE_OK || got < b->text_bytes) {
		fprintf(stderr, "kc-llm-bench: curl baseline failed\n");
		exit(1);
	}
	t = now_s() - t0;
	b->wire_bytes = got;
	curl_easy_cleanup(c);
	curl_slist_free_all(h);
	free(url);
	return t;
}

static char *
bench_request(const struct bench *b)
{
	return xasprintf(
	    "{\"model\":{\"id\":\"mock/dev\",\"adapter\":\"openai\","
	    "\"base_url\":\"http://127.0.0.1:%d/v1\",\"routing\":{\"max_attempts\":1}},"
	    "\"stream\":true,\"timeout_ms\":60000,"
	    "\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}",
	    b->port);
}

struct counter {
	long tokens;
	size_t bytes;
};

static void
count_sink(cJSON *ev, void *arg)
{
	struct counter *c = arg;
	const cJSON *t = cJSON_GetObjectItem(ev, "text");

	if (cJSON_IsString(t)) {
		c->tokens++;
		c->bytes += strlen(t->valuestring);
	}
	cJSON_Delete(ev);
}

static void
count_ipc(const cJSON *ev, void *arg)
{
	struct counter *c = arg;
	const cJSON *t = cJSON_GetObjectItem(ev, "text");

	if (cJSON_IsString(t)) {
		c->tokens++;
		c->bytes += strlen(t->valuestring);
	}
}

static void
check_text(const struct bench *b, const struct counter *c, const char *mode)
{
	if (c->bytes != b->text_bytes) {
		fprintf(stderr, "kc-llm-bench: %s: streamed %zu bytes of text, expected %zu\n",
		        mode, c->bytes, b->text_bytes);
		exit(1);
	}
}

static double
run_parse(struct bench *b)
{
	char *js = bench_request(b), err[512];
	cJSON *req = cJSON_Parse(js), *reply = NULL;
	struct counter c = {0, 0};
	struct llm_sink sink = {count_sink, &c};
	const char *code;
	double t0 = now_s(), t;

	if (llm_complete(req, -1, &sink, &reply, &code, err, sizeof(err)) < 0) {
		fprintf(stderr, "kc-llm-bench: parse: %s\n", err);
		exit(1);
	}
	t = now_s() - t0;
	check_text(b, &c, "parse");
	b->chunks[M_PARSE] = c.tokens;
	cJSON_Delete(reply);
	cJSON_Delete(req);
	free(js);
	return t;
}

struct worker {
	pid_t pid;
	struct ipc_client *c;
};

static void
worker_start(struct bench *b, struct worker *w)
{
	char *bin = xasprintf("%s/kylecode-llm", b->bindir), err[256];
	char *req = xasprintf("ipc://%s/llm.req", b->tmp),
	     *ev = xasprintf("ipc://%s/llm.ev", b->tmp);
	cJSON *ping = cJSON_CreateObject(), *reply = NULL;
	int i;

	if ((w->pid = fork()) == 0) {
		execl(bin, bin, "--ipc", req, "--events", ev, (char *)NULL);
		_exit(127);
	}
	if ((w->c = ipc_client_open(req, ev, err, sizeof(err))) == NULL) {
		fprintf(stderr, "kc-llm-bench: %s\n", err);
		exit(1);
	}
	/* PING until the worker listens (each call waits up to 100 ms). */
	for (i = 0; i < 100; i++) {
		if (ipc_call(w->c, IPC_T_PING, 0, ping, 100, &reply, NULL, NULL, err,
		             sizeof(err)) == IPC_OK)
			break;
	}
	cJSON_Delete(reply);
	cJSON_Delete(ping);
	if (i == 100) {
		fprintf(stderr, "kc-llm-bench: worker did not answer\n");
		exit(1);
	}
	free(bin);
	free(req);
	free(ev);
}

static void
worker_stop(struct worker *w)
{
	cJSON *body = cJSON_CreateObject(), *reply = NULL;
	char err[256];
	int st;

	ipc_call(w->c, IPC_T_SHUTDOWN, 0, body, 2000, &reply, NULL, NULL, err, sizeof(err));
	cJSON_Delete(reply);
	cJSON_Delete(body);
	waitpid(w->pid, &st, 0);
	ipc_client_close(w->c);
}

static double
run_worker(struct bench *b, struct worker *w)
{
	char *js = bench_request(b), err[512];
	cJSON *req = cJSON_Parse(js), *reply = NULL;
	struct counter c = {0, 0};
	double t0 = now_s(), t;

	if (ipc_call(w->c, IPC_T_LLM_COMPLETE, IPC_F_IDEMPOTENT, req, 60000, &reply, count_ipc, &c,
	             err, sizeof(err)) != IPC_OK) {
		fprintf(stderr, "kc-llm-bench: worker: %s\n", err);
		exit(1);
	}
	t = now_s() - t0;
	check_text(b, &c, "worker");
	b->chunks[M_WORKER] = c.tokens;
	cJSON_Delete(reply);
	cJSON_Delete(req);
	free(js);
	return t;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, int n)
{
	double s[BENCH_MAX_REPS];

	memcpy(s, v, sizeof(double) * (size_t)n);
	qsort(s, (size_t)n, sizeof(double), cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

static void
bench_report(struct bench *b, int reps)
{
	double base = median(b->t[M_CURL], reps), mb = (double)b->text_bytes / 1e6;
	long chunks = (long)((b->text_bytes + 15) / 16); /* the mock's 16-byte deltas */
	int m;

	printf("kc-llm-bench: %.2f MB of text in %ld chunks (16-byte deltas, one SSE event each), "
	       "%.2f MB on the wire, %d reps, medians\n",
	       mb, chunks, (double)b->wire_bytes / 1e6, reps);
	printf(
	    "token events seen by the supervisor: %ld (deltas of one network read are batched)\n",
	    b->chunks[M_WORKER]);
	printf("%-8s %10s %10s %12s %16s\n", "mode", "time_ms", "text_MB/s", "vs_curl",
	       "added_us/chunk");
	for (m = 0; m < M_N; m++) {
		double t = median(b->t[m], reps);

		printf("%-8s %10.1f %10.2f %11.2fx %16.2f\n", mode_name[m], t * 1e3, mb / t,
		       t / base, m == M_CURL ? 0.0 : (t - base) * 1e6 / (double)chunks);
	}
	printf("target: worker adds < 50 us per chunk: %s\n",
	       (median(b->t[M_WORKER], reps) - base) * 1e6 / (double)chunks < 50.0 ? "met"
	                                                                           : "NOT met");
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {{"reps", required_argument, NULL, 'r'},
	                                     {"mb", required_argument, NULL, 'm'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	struct bench b;
	struct worker w;
	char script[128], exe[PATH_MAX];
	int reps = 5, ch, i;
	ssize_t n;

	memset(&b, 0, sizeof(b));
	b.text_bytes = 1 << 20;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'r':
			reps = atoi(optarg);
			break;
		case 'm':
			b.text_bytes = (size_t)atoi(optarg) << 20;
			break;
		case 'h':
			printf("usage: kc-llm-bench [--reps N (1..%d)] [--mb N]\n"
			       "Streams N MB (default 1) from kylecode-mockllm three ways (curl "
			       "baseline,\n"
			       "in-process parser, kylecode-llm over IPC) and prints medians.\n",
			       BENCH_MAX_REPS);
			return 0;
		default:
			fprintf(stderr, "usage: kc-llm-bench [--reps N] [--mb N]\n");
			return 2;
		}
	}
	if (reps < 1 || reps > BENCH_MAX_REPS || b.text_bytes == 0 || optind != argc) {
		fprintf(stderr, "usage: kc-llm-bench [--reps N] [--mb N]\n");
		return 2;
	}
	if ((n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) < 0)
		return 1;
	exe[n] = '\0';
	snprintf(b.bindir, sizeof(b.bindir), "%s", dirname(exe));
	snprintf(b.tmp, sizeof(b.tmp), "/tmp/kc-llm-bench.XXXXXX");
	if (mkdtemp(b.tmp) == NULL)
		return 1;
	snprintf(script, sizeof(script), "%s/script.jsonl", b.tmp);
	bench_script(&b, reps * M_N, script);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	bench_mock_start(&b, script);
	worker_start(&b, &w);
	for (i = 0; i < reps; i++) {
		b.t[M_CURL][i] = run_curl(&b);
		b.t[M_PARSE][i] = run_parse(&b);
		b.t[M_WORKER][i] = run_worker(&b, &w);
	}
	worker_stop(&w);
	kill(b.mock, SIGTERM);
	waitpid(b.mock, NULL, 0);
	unlink(script);
	rmdir(b.tmp);
	bench_report(&b, reps);
	curl_global_cleanup();
	return 0;
}
