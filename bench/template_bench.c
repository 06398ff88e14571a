/* kc-template-bench: renders templates N times with kylecode's engine and
 * prints one line per template:
 *   kylecode <path> renders <N> seconds <s> bytes <bytes per render>
 * Each template is parsed once (as Jinja2's compiled template is), then
 * rendered N times into a reused buffer. That is one round; 5 rounds go
 * over all templates in turn and the fastest round of each template
 * counts: noise from other processes only ever adds time, and taking the
 * rounds in turn keeps a slow spell of the machine (frequency ramp-up,
 * a neighbour's burst) from landing on one template's every round.
 * scripts/bench_templates.sh runs Python Jinja2 the same way and prints
 * the ratio. Time is the process's CPU time (Python: time.process_time),
 * because the build machine is shared and wall time measures the
 * neighbours as much as the code. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/core/xmalloc.h"

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

/* Default: the data is converted once (kc_tpl_data_new) as the Python
 * side builds its dicts once with json.load; --per-call converts it in
 * every render (kc_tpl_render), the path of one-off renders. */
static int bench_per_call;

static int
bench_render(const struct kc_tpl *t, const cJSON *json, const struct kc_tpl_data *data, struct strbuf *out,
	     char *err, size_t errlen)
{
	if (bench_per_call)
		return kc_tpl_render(t, json, out, err, errlen);
	return kc_tpl_render_data(t, data, out, err, errlen);
}

#define BENCH_ROUNDS 5

struct bench_tpl {
	const char *path;
	struct kc_tpl *t;
	double best; /* seconds for n renders, < 0 before the first round */
	size_t bytes;
};

/* One round: n renders of b->t; keeps the fastest. */
static int
bench_round(struct bench_tpl *b, const cJSON *json, const struct kc_tpl_data *data, long n, struct strbuf *out)
{
	char err[512];
	double t0, t1;
	long i;

	t0 = bench_now();
	for (i = 0; i < n; i++) {
		strbuf_reset(out);
		if (bench_render(b->t, json, data, out, err, sizeof(err)) < 0) {
			fprintf(stderr, "kc-template-bench: %s\n", err);
			return -1;
		}
	}
	t1 = bench_now();
	b->bytes = out->len;
	if (b->best < 0 || t1 - t0 < b->best)
		b->best = t1 - t0;
	return 0;
}

static int
bench_all(char **paths, int npaths, const cJSON *json, const struct kc_tpl_data *data, long n)
{
	struct bench_tpl *b = xcalloc((size_t)npaths, sizeof(*b));
	struct strbuf out = STRBUF_INIT;
	char err[512], *src;
	size_t len;
	int i, round, rc = 0;

	for (i = 0; i < npaths && rc == 0; i++) {
		b[i].path = paths[i];
		b[i].best = -1;
		src = bench_read(paths[i], &len);
		if ((b[i].t = kc_tpl_parse(src, len, paths[i], err, sizeof(err))) == NULL) {
			fprintf(stderr, "kc-template-bench: %s\n", err);
			rc = 1;
		}
		free(src);
	}
	for (round = 0; round < BENCH_ROUNDS && rc == 0; round++)
		for (i = 0; i < npaths && rc == 0; i++)
			if (bench_round(&b[i], json, data, n, &out) < 0)
				rc = 1;
	for (i = 0; i < npaths && rc == 0; i++)
		printf("kylecode %s renders %ld seconds %.6f bytes %zu\n", b[i].path, n, b[i].best, b[i].bytes);
	for (i = 0; i < npaths; i++)
		kc_tpl_free(b[i].t);
	free(b);
	strbuf_free(&out);
	return rc;
}

int
main(int argc, char **argv)
{
	long n = 10000;
	char *text, err[512];
	size_t len;
	cJSON *json;
	struct kc_tpl_data *data;
	int i, rc = 0;

	if (argc < 3 || strcmp(argv[1], "--help") == 0) {
		fprintf(argc < 3 ? stderr : stdout,
			"usage: kc-template-bench [-n N] [--per-call] DATA_JSON TEMPLATE...\n"
			"Renders each TEMPLATE N times (default 10000) with DATA_JSON, converted\n"
			"once for all renders (--per-call: converted in every render).\n");
		return argc < 3 ? 2 : 0;
	}
	i = 1;
	if (strcmp(argv[i], "-n") == 0 && i + 1 < argc) {
		n = strtol(argv[i + 1], NULL, 10);
		i += 2;
	}
	if (i < argc && strcmp(argv[i], "--per-call") == 0) {
		bench_per_call = 1;
		i++;
	}
	if (n <= 0 || i >= argc) {
		fprintf(stderr, "usage: kc-template-bench [-n N] [--per-call] DATA_JSON TEMPLATE...\n");
		return 2;
	}
	text = bench_read(argv[i++], &len);
	json = cJSON_ParseWithLength(text, len);
	free(text);
	if (json == NULL) {
		fprintf(stderr, "kc-template-bench: invalid JSON data\n");
		return 1;
	}
	if ((data = kc_tpl_data_new(json, err, sizeof(err))) == NULL) {
		fprintf(stderr, "kc-template-bench: %s\n", err);
		cJSON_Delete(json);
		return 1;
	}
	rc = bench_all(argv + i, argc - i, json, data, n);
	kc_tpl_data_free(data);
	cJSON_Delete(json);
	return rc;
}
