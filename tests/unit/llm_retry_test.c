/* Retry policy: statuses, Retry-After in both forms, backoff bounds. */
#include <criterion/criterion.h>

#include "worker-llm/retry.h"

Test(llm_retry, retryable_statuses)
{
	static const long yes[] = {408, 409, 429, 500, 502, 503, 504, 599};
	static const long no[] = {200, 301, 400, 401, 403, 404, 422, 600};
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		cr_assert(llm_retry_status_retryable(yes[i]), "%ld", yes[i]);
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		cr_assert_not(llm_retry_status_retryable(no[i]), "%ld", no[i]);
}

Test(llm_retry, retry_after_seconds)
{
	cr_assert_eq(llm_retry_after_ms("1", 0), 1000);
	cr_assert_eq(llm_retry_after_ms("  120 ", 0), 120000);
	cr_assert_eq(llm_retry_after_ms("0", 0), 0);
	cr_assert_eq(llm_retry_after_ms(NULL, 0), -1);
	cr_assert_eq(llm_retry_after_ms("", 0), -1);
	cr_assert_eq(llm_retry_after_ms("1.5", 0), -1);
	cr_assert_eq(llm_retry_after_ms("-3", 0), -1);
	cr_assert_eq(llm_retry_after_ms("5x", 0), -1);
	cr_assert_eq(llm_retry_after_ms("99999999999999999999", 0), 86400L * 365 * 1000);
}

Test(llm_retry, retry_after_http_date_forms)
{
	/* 1994-11-06 08:49:37 UTC = 784111777 */
	time_t now = 784111777 - 30;

	cr_assert_eq(llm_retry_after_ms("Sun, 06 Nov 1994 08:49:37 GMT", now), 30000);
	cr_assert_eq(llm_retry_after_ms("Sunday, 06-Nov-94 08:49:37 GMT", now), 30000);
	cr_assert_eq(llm_retry_after_ms("Sun Nov  6 08:49:37 1994", now), 30000);
	cr_assert_eq(llm_retry_after_ms("Sun, 06 Nov 1994 08:49:37 GMT", now + 100), 0,
	             "a date in the past means now");
	cr_assert_eq(llm_retry_after_ms("next tuesday-ish", now), -1);
}

Test(llm_retry, backoff_grows_and_stays_within_equal_jitter_bounds)
{
	struct llm_retry_policy p = {5, 500, 4000};
	static const long full[] = {0, 0, 500, 1000, 2000, 4000, 4000, 4000};
	uint32_t rnd;
	int a;

	for (a = 2; a < 8; a++) {
		for (rnd = 0; rnd < 5000; rnd += 7) {
			long d = llm_retry_backoff_ms(&p, a, rnd * 2654435761u);

			cr_assert_geq(d, full[a] / 2, "attempt %d: %ld", a, d);
			cr_assert_leq(d, full[a], "attempt %d: %ld", a, d);
		}
	}
	cr_assert_eq(llm_retry_backoff_ms(&p, 3, 0), 500);
	cr_assert_eq(llm_retry_backoff_ms(&p, 3, 500), 1000);
}

Test(llm_retry, retry_after_beats_backoff_and_is_not_capped)
{
	struct llm_retry_policy p = {5, 500, 4000};

	cr_assert_eq(llm_retry_delay_ms(&p, 2, 1000, 0), 1000);
	cr_assert_eq(llm_retry_delay_ms(&p, 2, 60000, 0), 60000);
	cr_assert_eq(llm_retry_delay_ms(&p, 2, -1, 0), 250);
}
