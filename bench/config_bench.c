/* bench/config: loading configs (YAML parse, PyYAML typing, extends,
 * deep merge) and compiling prompts, beside the prototype's loader
 * (PyYAML safe_load + _deep_merge, tests/integration/config_oracle.py) run
 * by python3 in the same invocation on the same files.
 *
 * Run: kc-config-bench [--reps N] [--src DIR] CONFIG...
 * Prints, per file: kylecode loads/s, the prototype's loads/s, ratio.
 * CPU time (clock_gettime(CLOCK_PROCESS_CPUTIME_ID) here, time.process_time
 * in Python), so the shared machine's load does not skew the ratio. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/config/config.h"
#include "lib/tpsl/tpsl.h"

static double
bench_cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* kylecode: seconds of CPU for reps loads (0 on a load error). */
static double
bench_kc_load(const char *file, int reps)
{
	struct kc_diag_list d = {0};
	double t0 = bench_cpu_now();
	int i;

	for (i = 0; i < reps; i++) {
		struct kc_config *c = kc_config_load(file, &d);

		if (c == NULL) {
			kc_diag_print(&d, stderr);
			kc_diag_list_free(&d);
			return 0;
		}
		kc_config_free(c);
	}
	return bench_cpu_now() - t0;
}

static double
bench_kc_prompts(const char *file, int reps)
{
	struct kc_diag_list d = {0};
	struct kc_config *c = kc_config_load(file, &d);
	char err[4096];
	double t0;
	int i;

	kc_diag_list_free(&d);
	if (c == NULL)
		return 0;
	t0 = bench_cpu_now();
	for (i = 0; i < reps; i++) {
		struct kc_prompts p = {0};

		if (kc_prompts_compile(c, NULL, NULL, &p, err, sizeof(err)) != 0) {
			fprintf(stderr, "%s\n", err);
			kc_config_free(c);
			return 0;
		}
		kc_prompts_free(&p);
	}
	t0 = bench_cpu_now() - t0;
	kc_config_free(c);
	return t0;
}

/* The prototype: CPU seconds reported by python3 for reps loads. */
static double
bench_py_load(const char *src, const char *file, int reps)
{
	char cmd[8192], out[128];
	double secs = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd),
	         "python3 -c 'import sys, time; sys.path.insert(0, sys.argv[1]); "
	         "from config_oracle import load; t = time.process_time(); "
	         "[load(sys.argv[2]) for _ in range(int(sys.argv[3]))]; "
	         "print(time.process_time() - t)' '%s/tests/integration' '%s' %d",
	         src, file, reps);
	p = popen(cmd, "r");
	if (p == NULL)
		return 0;
	if (fgets(out, sizeof(out), p) != NULL)
		secs = strtod(out, NULL);
	pclose(p);
	return secs;
}

int
main(int argc, char **argv)
{
	const char *src = KC_SRC_DIR;
	int reps = 200, i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc)
			reps = atoi(argv[++i]);
		else if (strcmp(argv[i], "--src") == 0 && i + 1 < argc)
			src = argv[++i];
		else {
			fprintf(stderr,
			        "usage: kc-config-bench [--reps N] [--src DIR] CONFIG...\n");
			return strcmp(argv[i], "--help") == 0 ? 0 : 2;
		}
	}
	if (i == argc || reps <= 0) {
		fprintf(stderr, "usage: kc-config-bench [--reps N] [--src DIR] CONFIG...\n");
		return 2;
	}
	printf("%-36s %12s %12s %8s %14s\n", "config", "kc loads/s", "py loads/s", "ratio",
	       "kc prompts/s");
	for (; i < argc; i++) {
		const char *name = strrchr(argv[i], '/') ? strrchr(argv[i], '/') + 1 : argv[i];
		double kc = bench_kc_load(argv[i], reps), py = bench_py_load(src, argv[i], reps);
		double pr = bench_kc_prompts(argv[i], reps);

		if (kc <= 0 || py <= 0) {
			printf("%-36s  (failed: kc %.3fs, python %.3fs)\n", name, kc, py);
			continue;
		}
		printf("%-36s %12.0f %12.0f %7.1fx %14.0f\n", name, reps / kc, reps / py, py / kc,
		       pr > 0 ? reps / pr : 0.0);
	}
	return 0;
}
