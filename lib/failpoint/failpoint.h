/* failpoint.h — named fault-injection points (DESIGN §9).
 *
 *   KYLECODE_FAILPOINTS="name=term[->term]...,name2=..."
 *   term   = [p%][N*]action[(arg)]
 *   action = off | crash | hang | pause | delay(ms) | error[(ERRNO)] | torn(bytes)
 *
 * A name "role:point" applies only in kylecode-<role> (the program name
 * without "kylecode-"); a plain "point" applies in every process.
 * "3*off->crash" does nothing for 3 hits and crashes on the 4th;
 * "5%error(EIO)" fails 5% of the hits. A term with a count is used for that
 * many hits, then the next term applies; the last term applies for ever.
 * Probabilities draw from KYLECODE_FAULT_SEED (logged when failpoints are
 * set) so that every failure reproduces. crash is raise(SIGKILL), like an
 * outside kill -9; hang and pause block the calling thread for ever; delay
 * sleeps. error and torn are returned to the site, which decides what
 * failing means there.
 *
 * In a build without KC_FAILPOINTS, FAILPOINT(name) is the constant 0 and
 * no name is compiled in. A malformed KYLECODE_FAILPOINTS is fatal: a test
 * with a typo must not pass silently.
 */
#ifndef KC_LIB_FAILPOINT_FAILPOINT_H
#define KC_LIB_FAILPOINT_FAILPOINT_H

#include <stddef.h>

enum fp_action {
	FP_OFF = 0,
	FP_CRASH,
	FP_HANG,
	FP_PAUSE,
	FP_DELAY,
	FP_ERROR,
	FP_TORN,
};

/* Evaluates the failpoint: performs crash/hang/pause/delay itself; returns
 * FP_ERROR or FP_TORN (with *arg = errno / byte count) for the site to act
 * on, otherwise FP_OFF. arg may be NULL. */
int fp_eval(const char *name, long *arg);

/* Re-reads the configuration from spec (NULL: the environment). Returns 0,
 * or -1 with a message in err. For tests. */
int fp_configure(const char *spec, char *err, size_t errlen);

/* Calls fn for every failpoint name compiled into this executable. */
void fp_foreach(void (*fn)(const char *name, void *arg), void *arg);

#ifdef KC_FAILPOINTS
/* Each site also leaves its name in the section "kc_failpoints" so that
 * `kylecode doctor --failpoints` can list what is compiled in. The value of
 * the expression: 0 (nothing to do), or the errno to fail with for
 * error(ERRNO). */
#define FAILPOINT(name)                                                                            \
	__extension__({                                                                            \
		static const char *const kc_fp_name_                                               \
		    __attribute__((section("kc_failpoints"), used)) = (name);                      \
		fp_site_eval(kc_fp_name_);                                                         \
	})
#define FAILPOINT_ARG(name, argp)                                                                  \
	__extension__({                                                                            \
		static const char *const kc_fp_name_                                               \
		    __attribute__((section("kc_failpoints"), used)) = (name);                      \
		fp_eval(kc_fp_name_, (argp));                                                      \
	})
#else
#define FAILPOINT(name) 0
#define FAILPOINT_ARG(name, argp) FP_OFF
#endif

/* FAILPOINT's helper: the errno for an error action, else 0. */
int fp_site_eval(const char *name);

#endif
