/* failpoint_test.c — the KYLECODE_FAILPOINTS grammar (DESIGN §9): terms,
 * counts, probabilities with a reproducible seed, actions, role-qualified
 * names, and the errors a malformed spec produces. */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/failpoint/failpoint.h"

static void
config(const char *spec)
{
	char err[256] = "";

	cr_assert_eq(fp_configure(spec, err, sizeof(err)), 0, "%s: %s", spec, err);
}

Test(failpoint, unset_point_is_off)
{
	config("");
	cr_assert_eq(fp_eval("nothing.here", NULL), FP_OFF);
	cr_assert_eq(fp_site_eval("nothing.here"), 0);
}

Test(failpoint, error_defaults_to_eio_and_takes_an_errno_name)
{
	long arg = 0;

	config("a=error,b=error(ENOSPC),c=error(28)");
	cr_assert_eq(fp_eval("a", &arg), FP_ERROR);
	cr_assert_eq(arg, EIO);
	cr_assert_eq(fp_site_eval("b"), ENOSPC);
	cr_assert_eq(fp_site_eval("c"), 28);
}

Test(failpoint, counted_terms_run_in_sequence)
{
	int i;

	config("p=3*off->2*error(EPIPE)->off");
	for (i = 0; i < 3; i++)
		cr_assert_eq(fp_site_eval("p"), 0, "hit %d", i + 1);
	cr_assert_eq(fp_site_eval("p"), EPIPE);
	cr_assert_eq(fp_site_eval("p"), EPIPE);
	for (i = 0; i < 10; i++)
		cr_assert_eq(fp_site_eval("p"), 0);
}

Test(failpoint, last_term_applies_for_ever)
{
	int i;

	config("p=1*off->error");
	cr_assert_eq(fp_site_eval("p"), 0);
	for (i = 0; i < 100; i++)
		cr_assert_eq(fp_site_eval("p"), EIO);
}

static int
count_hits(const char *seed)
{
	int i, n = 0;

	setenv("KYLECODE_FAULT_SEED", seed, 1);
	config("p=30%error");
	for (i = 0; i < 1000; i++)
		n += fp_site_eval("p") != 0;
	return n;
}

Test(failpoint, probability_is_roughly_right_and_reproducible_from_the_seed)
{
	int a = count_hits("42"), b = count_hits("42"), c = count_hits("7");

	cr_assert(a > 220 && a < 380, "30%% of 1000 hits gave %d", a);
	cr_assert_eq(a, b, "same seed, different outcome");
	cr_assert(c > 220 && c < 380);
	unsetenv("KYLECODE_FAULT_SEED");
}

Test(failpoint, torn_returns_its_byte_count)
{
	long arg = 0;

	config("w=torn(17)");
	cr_assert_eq(fp_eval("w", &arg), FP_TORN);
	cr_assert_eq(arg, 17);
}

Test(failpoint, delay_sleeps_at_least_that_long)
{
	struct timespec a, b;
	long ms;

	config("d=delay(120)");
	clock_gettime(CLOCK_MONOTONIC, &a);
	cr_assert_eq(fp_eval("d", NULL), FP_OFF);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
	cr_assert_geq(ms, 120);
}

Test(failpoint, crash_is_sigkill_on_itself)
{
	int st;
	pid_t pid;

	config("boom=crash");
	pid = fork();
	if (pid == 0) {
		fp_eval("boom", NULL);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "status 0x%x", st);
}

Test(failpoint, hang_blocks_until_killed)
{
	int st;
	pid_t pid;

	config("h=hang");
	pid = fork();
	if (pid == 0) {
		fp_eval("h", NULL);
		_exit(0);
	}
	usleep(200000);
	cr_assert_eq(waitpid(pid, &st, WNOHANG), 0, "a hung child exited");
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
}

Test(failpoint, role_qualified_name_applies_only_in_that_program)
{
	char spec[256];

	/* this program is not kylecode-tools */
	snprintf(spec, sizeof(spec), "tools:x=error,%s:y=error", program_invocation_short_name);
	config(spec);
	cr_assert_eq(fp_site_eval("x"), 0);
	cr_assert_eq(fp_site_eval("y"), EIO);
}

static void
expect_bad(const char *spec, const char *needle)
{
	char err[256] = "";

	cr_assert_eq(fp_configure(spec, err, sizeof(err)), -1, "accepted '%s'", spec);
	cr_assert(strstr(err, needle) != NULL, "'%s': %s", spec, err);
}

Test(failpoint, malformed_specs_are_refused_with_the_offending_part)
{
	expect_bad("noequals", "want name=action");
	expect_bad("=crash", "want name=action");
	expect_bad("a=explode", "bad term 'explode'");
	expect_bad("a=delay", "bad term 'delay'");
	expect_bad("a=delay(x)", "bad term");
	expect_bad("a=error(EWHAT)", "bad term");
	expect_bad("a=150%error", "bad term");
	expect_bad("a=x*crash", "bad term");
	expect_bad("a=3*off->", "a=3*off->");
	expect_bad("a=crash,b=hang(", "bad term");
}

static int nfound;

static void
count(const char *name, void *arg)
{
	(void)arg;
	if (strcmp(name, "test.site") == 0)
		nfound++;
}

Test(failpoint, sites_are_listed_and_evaluate)
{
	int rc;

#ifndef KC_FAILPOINTS
	cr_skip_test("failpoints are compiled out (-DKC_FAILPOINTS=OFF)");
#endif
	config("test.site=error(EACCES)");
	rc = FAILPOINT("test.site");
	cr_assert_eq(rc, EACCES);
	fp_foreach(count, NULL);
	cr_assert_eq(nfound, 1, "FAILPOINT site not listed");
}
