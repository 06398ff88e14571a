/* bench/patch: applying 1,000 hunks over a 50,000-line file, kylecode
 * (tool_run "apply_unified_patch": parse, locate with the ladder, write
 * atomically with fsync, build the diff) against `git apply` on the same
 * input, in the same run. Prints the median of each and the ratio.
 *
 *   kc-patch-bench [--lines N] [--hunks N] [--runs N] [--keep DIR]
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/core/strbuf.h"
#include "worker-tools/edit/edit.h"
#include "worker-tools/tools.h"

extern char **environ;

struct bench_input {
	struct strbuf file, patch;
};

static double
bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A Python-like file of 10-line functions whose bodies repeat (so the
 * context lines are far from unique), and a patch changing one line in
 * every (functions / hunks)-th function, with 3 lines of context. */
static void
bench_make(struct bench_input *in, int lines, int hunks)
{
	int nf = lines / 10, every = nf / hunks, f, done = 0;

	for (f = 0; f < nf; f++)
		strbuf_addf(&in->file,
		            "def func_%d(x):\n    total = 0\n    for i in range(x):\n        total "
		            "+= i * %d\n"
		            "    if total > %d:\n        return total\n    return 0\n\n\n# ----\n",
		            f, f, f * 7);
	strbuf_adds(&in->patch, "diff --git a/big.py b/big.py\n--- a/big.py\n+++ b/big.py\n");
	for (f = 0; f < nf && done < hunks; f += every, done++)
		strbuf_addf(
		    &in->patch,
		    "@@ -%d,6 +%d,6 @@ def func_%d(x):\n     total = 0\n     for i in range(x):\n"
		    "-        total += i * %d\n+        total += i * %d + 1\n     if total > %d:\n"
		    "         return total\n     return 0\n",
		    f * 10 + 2, f * 10 + 2, f, f, f, f * 7);
}

static void
bench_write(const char *path, const struct strbuf *sb)
{
	FILE *fp = fopen(path, "w");

	if (fp == NULL || fwrite(sb->buf, 1, sb->len, fp) != sb->len || fclose(fp) != 0) {
		fprintf(stderr, "kc-patch-bench: %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

/* Seconds for one kylecode apply on a fresh copy of the file in dir. */
static double
bench_kc(const char *dir, const struct bench_input *in, cJSON *args)
{
	struct tool_ctx ctx = {.ws_path = dir};
	char path[512];
	cJSON *cfg = cJSON_CreateObject(), *res = NULL;
	double t0, t;

	snprintf(path, sizeof(path), "%s/big.py", dir);
	bench_write(path, &in->file);
	ctx.ws_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ctx.config = cfg;
	t0 = bench_now();
	if (tool_run(&ctx, "apply_unified_patch", args, &res) != 0 ||
	    !cJSON_IsTrue(cJSON_GetObjectItem(res, "ok"))) {
		fprintf(stderr, "kc-patch-bench: kylecode failed: %s\n",
		        res ? cJSON_GetStringValue(cJSON_GetObjectItem(res, "error"))
		            : "internal error");
		exit(1);
	}
	t = bench_now() - t0;
	cJSON_Delete(res);
	cJSON_Delete(cfg);
	close(ctx.ws_fd);
	return t;
}

/* Seconds for the in-memory part alone: parse, locate, build the text. */
static double
bench_mem(const struct bench_input *in)
{
	struct tool_patch p;
	struct tool_edit_out o;
	char err[1024];
	double t0 = bench_now(), t;

	if (tool_patch_parse_unified(in->patch.buf, in->patch.len, &p, err, sizeof(err)) != 0 ||
	    tool_edit_apply_hunks("big.py", in->file.buf, in->file.len, p.f[0].hunks, p.f[0].nhunks,
	                          &o, err, sizeof(err)) != 0) {
		fprintf(stderr, "kc-patch-bench: in-memory apply failed: %s\n", err);
		exit(1);
	}
	t = bench_now() - t0;
	tool_edit_out_free(&o);
	tool_patch_free(&p);
	return t;
}

/* Seconds for `git apply` of the same patch on a fresh copy. */
static double
bench_git(const char *dir, const char *patchfile, const struct bench_input *in)
{
	char path[512], *argv[] = {"git", "apply", (char *)patchfile, NULL};
	posix_spawn_file_actions_t fa;
	double t0, t;
	pid_t pid;
	int st;

	snprintf(path, sizeof(path), "%s/big.py", dir);
	bench_write(path, &in->file);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addchdir_np(&fa, dir);
	t0 = bench_now();
	if (posix_spawnp(&pid, "git", &fa, NULL, argv, environ) != 0 ||
	    waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "kc-patch-bench: git apply failed (is git installed?)\n");
		exit(1);
	}
	t = bench_now() - t0;
	posix_spawn_file_actions_destroy(&fa);
	return t;
}

static int
bench_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: kc-patch-bench [--lines N] [--hunks N] [--runs N] [--keep DIR]\n");
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
	    {"lines", required_argument, NULL, 'l'}, {"hunks", required_argument, NULL, 'n'},
	    {"runs", required_argument, NULL, 'r'},  {"keep", required_argument, NULL, 'k'},
	    {"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0}};
	struct bench_input in = {STRBUF_INIT, STRBUF_INIT};
	int lines = 50000, hunks = 1000, runs = 5, c, i;
	char dir[] = "/tmp/kc-patch-bench.XXXXXX", patchfile[600], cmd[700];
	const char *keep = NULL;
	double kc[64], git[64], mem[64];
	cJSON *args;

	while ((c = getopt_long(argc, argv, "l:n:r:k:h", lo, NULL)) != -1) {
		switch (c) {
		case 'l':
			lines = atoi(optarg);
			break;
		case 'n':
			hunks = atoi(optarg);
			break;
		case 'r':
			runs = atoi(optarg);
			break;
		case 'k':
			keep = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (lines < 100 || hunks < 1 || hunks > lines / 20 || runs < 1 || runs > 64) {
		usage(stderr);
		return 2;
	}
	if (mkdtemp(dir) == NULL)
		return 1;
	bench_make(&in, lines, hunks);
	snprintf(patchfile, sizeof(patchfile), "%s/../%s.patch", dir, strrchr(dir, '/') + 1);
	bench_write(patchfile, &in.patch);
	args = cJSON_CreateObject();
	cJSON_AddStringToObject(args, "patch", in.patch.buf);
	for (i = 0; i < runs; i++) {
		kc[i] = bench_kc(dir, &in, args);
		mem[i] = bench_mem(&in);
		git[i] = bench_git(dir, patchfile, &in);
	}
	qsort(kc, (size_t)runs, sizeof(double), bench_cmp);
	qsort(git, (size_t)runs, sizeof(double), bench_cmp);
	qsort(mem, (size_t)runs, sizeof(double), bench_cmp);
	printf("patch: %d hunks over a %d-line file, median of %d runs\n", hunks, lines, runs);
	printf("  kylecode apply_unified_patch: %8.2f ms\n", kc[runs / 2] * 1e3);
	printf("  kylecode in memory only     : %8.2f ms  (parse, locate, build; no I/O)\n",
	       mem[runs / 2] * 1e3);
	printf("  git apply                   : %8.2f ms\n", git[runs / 2] * 1e3);
	printf("  ratio git/kylecode          : %8.2f  (>= 1.00: kylecode at least as fast)\n",
	       git[runs / 2] / kc[runs / 2]);
	if (keep == NULL) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s'", dir, patchfile);
		if (system(cmd) != 0)
			fprintf(stderr, "kc-patch-bench: could not remove %s\n", dir);
	}
	cJSON_Delete(args);
	strbuf_free(&in.file);
	strbuf_free(&in.patch);
	return 0;
}
