/* failpoint.c — parser and evaluator of KYLECODE_FAILPOINTS (see the header
 * for the grammar). The table is parsed once (pthread_once) and evaluated
 * under one mutex: failpoints are for tests, simplicity beats speed, and a
 * site with no failpoint configured costs one lookup in a short list. */
#include "lib/failpoint/failpoint.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/core/log.h"

#define FP_MAX_POINTS 64
#define FP_MAX_TERMS 8
#define FP_NAME_MAX 64

struct fp_term {
	int action;
	long arg;
	long count; /* hits this term is used for; -1 = for ever */
	int pct;    /* probability in percent */
};

struct fp_point {
	char name[FP_NAME_MAX];
	struct fp_term terms[FP_MAX_TERMS];
	int nterms;
	int cur;
};

static struct fp_point fp_points[FP_MAX_POINTS];
static int fp_npoints;
static uint64_t fp_rng;
static pthread_mutex_t fp_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t fp_once = PTHREAD_ONCE_INIT;

static const struct {
	const char *name;
	int action;
} fp_actions[] = {
    {"off", FP_OFF},     {"crash", FP_CRASH}, {"hang", FP_HANG}, {"pause", FP_PAUSE},
    {"delay", FP_DELAY}, {"error", FP_ERROR}, {"torn", FP_TORN},
};

static const struct {
	const char *name;
	int no;
} fp_errnos[] = {
    {"EIO", EIO},
    {"ENOSPC", ENOSPC},
    {"EINTR", EINTR},
    {"EAGAIN", EAGAIN},
    {"ENOMEM", ENOMEM},
    {"EPIPE", EPIPE},
    {"EACCES", EACCES},
    {"EPERM", EPERM},
    {"ETIMEDOUT", ETIMEDOUT},
    {"ECONNRESET", ECONNRESET},
};

static void fp_seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
fp_seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int
fp_parse_arg(const char *s, size_t n, int action, long *out)
{
	char buf[32], *end;
	size_t i;

	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (action == FP_ERROR && isalpha((unsigned char)buf[0])) {
		for (i = 0; i < sizeof(fp_errnos) / sizeof(fp_errnos[0]); i++)
			if (strcmp(buf, fp_errnos[i].name) == 0) {
				*out = fp_errnos[i].no;
				return 0;
			}
		return -1;
	}
	errno = 0;
	*out = strtol(buf, &end, 10);
	return (errno != 0 || *end != '\0' || *out < 0) ? -1 : 0;
}

/* One term: [p%][N*]action[(arg)] in s[0..n). */
static int
fp_parse_term(const char *s, size_t n, struct fp_term *t)
{
	const char *e = s + n, *p, *open;
	char *end;
	size_t i, alen;

	t->pct = 100;
	t->count = -1;
	t->arg = 0;
	if ((p = memchr(s, '%', n)) != NULL) {
		t->pct = (int)strtol(s, &end, 10);
		if (end != p || t->pct < 0 || t->pct > 100)
			return -1;
		s = p + 1;
	}
	if ((p = memchr(s, '*', (size_t)(e - s))) != NULL) {
		t->count = strtol(s, &end, 10);
		if (end != p || t->count < 0)
			return -1;
		s = p + 1;
	}
	open = memchr(s, '(', (size_t)(e - s));
	alen = (size_t)((open != NULL ? open : e) - s);
	for (i = 0; i < sizeof(fp_actions) / sizeof(fp_actions[0]); i++)
		if (strlen(fp_actions[i].name) == alen && memcmp(fp_actions[i].name, s, alen) == 0)
			break;
	if (i == sizeof(fp_actions) / sizeof(fp_actions[0]))
		return -1;
	t->action = fp_actions[i].action;
	if (t->action == FP_ERROR)
		t->arg = EIO;
	if (open == NULL)
		return (t->action == FP_DELAY || t->action == FP_TORN) ? -1 : 0;
	if (e[-1] != ')')
		return -1;
	return fp_parse_arg(open + 1, (size_t)(e - open - 2), t->action, &t->arg);
}

/* One entry: name=term[->term]... in s[0..n). */
static int
fp_parse_entry(const char *s, size_t n, struct fp_point *pt, char *err, size_t errlen)
{
	const char *eq = memchr(s, '=', n), *e = s + n, *t, *arrow;

	memset(pt, 0, sizeof(*pt));
	if (eq == NULL || eq == s || (size_t)(eq - s) >= FP_NAME_MAX) {
		fp_seterr(err, errlen, "'%.*s': want name=action", (int)n, s);
		return -1;
	}
	memcpy(pt->name, s, (size_t)(eq - s));
	for (t = eq + 1;; t = arrow + 2) { /* an empty term (a=, a=off->) fails */
		arrow = strstr(t, "->");
		if (arrow == NULL || arrow > e)
			arrow = e;
		if (pt->nterms == FP_MAX_TERMS ||
		    fp_parse_term(t, (size_t)(arrow - t), &pt->terms[pt->nterms]) < 0) {
			fp_seterr(err, errlen,
			          "'%.*s': bad term '%.*s' (want [p%%][N*]off|crash|hang|pause|"
			          "delay(ms)|error[(ERRNO)]|torn(bytes))",
			          (int)n, s, (int)(arrow - t), t);
			return -1;
		}
		pt->nterms++;
		if (arrow == e)
			break;
	}
	return 0;
}

int
fp_configure(const char *spec, char *err, size_t errlen)
{
	struct fp_point pts[FP_MAX_POINTS];
	const char *s, *comma, *seed;
	int n = 0;

	if (spec == NULL)
		spec = getenv("KYLECODE_FAILPOINTS");
	for (s = spec; s != NULL && *s != '\0'; s = comma + 1) {
		comma = strchr(s, ',');
		if (comma == NULL)
			comma = s + strlen(s);
		if (comma > s) {
			if (n == FP_MAX_POINTS) {
				fp_seterr(err, errlen, "more than %d failpoints", FP_MAX_POINTS);
				return -1;
			}
			if (fp_parse_entry(s, (size_t)(comma - s), &pts[n++], err, errlen) < 0)
				return -1;
		}
		if (*comma == '\0')
			break;
	}
	pthread_mutex_lock(&fp_mu);
	memcpy(fp_points, pts, sizeof(pts[0]) * (size_t)n);
	fp_npoints = n;
	seed = getenv("KYLECODE_FAULT_SEED");
	fp_rng =
	    seed != NULL ? strtoull(seed, NULL, 10) : (uint64_t)time(NULL) ^ (uint64_t)getpid();
	if (fp_rng == 0)
		fp_rng = 0x9e3779b97f4a7c15ull;
	pthread_mutex_unlock(&fp_mu);
	/* Always printed (DESIGN §9): a failure reproduces from the seed. */
	if (n > 0)
		fprintf(stderr, "%s: failpoints: %d set, KYLECODE_FAULT_SEED=%llu\n",
		        program_invocation_short_name, n, (unsigned long long)fp_rng);
	return 0;
}

/* Blocks for ever on a futex: a syscall every worker's seccomp policy
 * allows (pause() may not be). */
static void __attribute__((noreturn)) fp_hang(void)
{
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	pthread_cond_t c = PTHREAD_COND_INITIALIZER;

	pthread_mutex_lock(&m);
	for (;;)
		pthread_cond_wait(&c, &m);
}

static void
fp_init(void)
{
	char err[256];

	if (fp_configure(NULL, err, sizeof(err)) < 0)
		fatalx("KYLECODE_FAILPOINTS: %s", err);
}

#ifdef KC_FAILPOINTS
/* Read the configuration before main(): workers scrub their environment
 * as they confine themselves, long before their first failpoint. (A build
 * without failpoints ignores KYLECODE_FAILPOINTS altogether.) */
__attribute__((constructor)) static void
fp_init_early(void)
{
	pthread_once(&fp_once, fp_init);
}
#endif

/* xorshift64: reproducible from the seed, no libc state shared. */
static int
fp_roll(void)
{
	fp_rng ^= fp_rng << 13;
	fp_rng ^= fp_rng >> 7;
	fp_rng ^= fp_rng << 17;
	return (int)(fp_rng % 100u);
}

/* "name" matches in every process; "role:name" only in kylecode-<role>
 * (all workers share one environment, a test often targets one of them). */
static int
fp_name_match(const char *entry, const char *name)
{
	const char *colon = strchr(entry, ':');
	const char *prog = program_invocation_short_name;

	if (colon == NULL)
		return strcmp(entry, name) == 0;
	if (strncmp(prog, "kylecode-", 9) == 0)
		prog += 9;
	return strlen(prog) == (size_t)(colon - entry) &&
	       strncmp(prog, entry, (size_t)(colon - entry)) == 0 && strcmp(colon + 1, name) == 0;
}

/* Picks this hit's action under the lock; performs nothing. */
static int
fp_pick(const char *name, long *arg)
{
	struct fp_point *pt;
	struct fp_term *t;
	int i;

	for (i = 0; i < fp_npoints; i++)
		if (fp_name_match(fp_points[i].name, name))
			break;
	if (i == fp_npoints)
		return FP_OFF;
	pt = &fp_points[i];
	t = &pt->terms[pt->cur];
	while (t->count == 0 && pt->cur + 1 < pt->nterms)
		t = &pt->terms[++pt->cur];
	if (t->count == 0)
		return FP_OFF;
	if (t->count > 0)
		t->count--;
	if (t->pct < 100 && fp_roll() >= t->pct)
		return FP_OFF;
	*arg = t->arg;
	return t->action;
}

int
fp_eval(const char *name, long *argp)
{
	struct timespec ts;
	long arg = 0;
	int a;

	pthread_once(&fp_once, fp_init);
	pthread_mutex_lock(&fp_mu);
	a = fp_pick(name, &arg);
	pthread_mutex_unlock(&fp_mu);
	switch (a) {
	case FP_CRASH:
		log_warnx("failpoint %s: crash", name);
		raise(SIGKILL);
		break;
	case FP_HANG:
	case FP_PAUSE:
		log_warnx("failpoint %s: hang", name);
		fp_hang();
	case FP_DELAY:
		ts.tv_sec = arg / 1000;
		ts.tv_nsec = (arg % 1000) * 1000000L;
		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
		return FP_OFF;
	case FP_ERROR:
	case FP_TORN:
		log_info("failpoint %s: %s(%ld)", name, a == FP_ERROR ? "error" : "torn", arg);
		if (argp != NULL)
			*argp = arg;
		return a;
	}
	return FP_OFF;
}

int
fp_site_eval(const char *name)
{
	long arg = 0;

	if (fp_eval(name, &arg) == FP_ERROR)
		return arg > 0 ? (int)arg : EIO;
	return 0;
}

/* The linker provides these for a section whose name is a C identifier;
 * weak so that an executable without any failpoint still links. */
extern const char *const __start_kc_failpoints[] __attribute__((weak));
extern const char *const __stop_kc_failpoints[] __attribute__((weak));

void
fp_foreach(void (*fn)(const char *name, void *arg), void *arg)
{
	const char *const *p;

	if (__start_kc_failpoints == NULL)
		return;
	for (p = __start_kc_failpoints; p < __stop_kc_failpoints; p++)
		fn(*p, arg);
}
