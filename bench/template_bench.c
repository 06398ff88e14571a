/* kc-template-bench: renders templates N times with kylecode's engine and
 * prints one line per template:
 *   kylecode <path> renders <N> seconds <s> bytes <bytes per render>
 * The template is parsed once (as Jinja2's compiled template is), then
 * rendered N times into a reused buffer, in 3 rounds of which the fastest
 * counts (noise from other processes only ever adds time);
 * scripts/bench_templates.sh runs
 * Python Jinja2 the same way and prints the ratio. Time is the process's
 * CPU time (Python: time.process_time), because the build machine is
 * shared and wall time measures the neighbours as much as the code. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "lib/core/strbuf.h"
#include "lib/template/template.h"

static char *
bench_read(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	struct strbuf sb = STRBUF_INIT;
	char buf[65536];
	size_t n;

	if (fp == NULL) {
		perror(path);
		exit(1);
	}
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		strbuf_add(&sb, buf, n);
	fclose(fp);
	return strbuf_detach(&sb, len);
}

static double
bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
bench_one(const char *path, const cJSON *data, long n)
{
	struct strbuf out = STRBUF_INIT;
	char err[512], *src;
	size_t len, bytes = 0;
	struct kc_tpl *t;
	double t0, t1, best;
	long i;
	int round;

	src = bench_read(path, &len);
	t = kc_tpl_parse(src, len, path, err, sizeof(err));
	free(src);
	if (t == NULL) {
		fprintf(stderr, "kc-template-bench: %s\n", err);
		return -1;
	}
	best = -1;
	for (round = 0; round < 3; round++) {
		t0 = bench_now();
		for (i = 0; i < n; i++) {
			strbuf_reset(&out);
			if (kc_tpl_render(t, data, &out, err, sizeof(err)) < 0) {
				fprintf(stderr, "kc-template-bench: %s\n", err);
				kc_tpl_free(t);
				strbuf_free(&out);
				return -1;
			}
			bytes = out.len;
		}
		t1 = bench_now();
		if (best < 0 || t1 - t0 < best)
			best = t1 - t0;
	}
	printf("kylecode %s renders %ld seconds %.6f bytes %zu\n", path, n, best, bytes);
	kc_tpl_free(t);
	strbuf_free(&out);
	return 0;
}

int
main(int argc, char **argv)
{
	long n = 10000;
	char *json;
	size_t len;
	cJSON *data;
	int i, rc = 0;

	if (argc < 3 || strcmp(argv[1], "--help") == 0) {
		fprintf(argc < 3 ? stderr : stdout,
			"usage: kc-template-bench [-n N] DATA_JSON TEMPLATE...\n"
			"Renders each TEMPLATE N times (default 10000) with DATA_JSON.\n");
		return argc < 3 ? 2 : 0;
	}
	i = 1;
	if (strcmp(argv[i], "-n") == 0 && i + 1 < argc) {
		n = strtol(argv[i + 1], NULL, 10);
		i += 2;
	}
	if (n <= 0 || i >= argc) {
		fprintf(stderr, "usage: kc-template-bench [-n N] DATA_JSON TEMPLATE...\n");
		return 2;
	}
	json = bench_read(argv[i++], &len);
	data = cJSON_ParseWithLength(json, len);
	free(json);
	if (data == NULL) {
		fprintf(stderr, "kc-template-bench: invalid JSON data\n");
		return 1;
	}
	for (; i < argc; i++)
		if (bench_one(argv[i], data, n) < 0)
			rc = 1;
	cJSON_Delete(data);
	return rc;
}
