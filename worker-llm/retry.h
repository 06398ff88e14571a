/* Retry policy: which failures are retried, and after how long. */
#ifndef KC_WORKER_LLM_RETRY_H
#define KC_WORKER_LLM_RETRY_H

#include <stdint.h>
#include <time.h>

struct llm_retry_policy {
	int max_attempts; /* per model, >= 1 */
	long base_ms;     /* first backoff */
	long max_ms;      /* cap on one backoff (and on an honoured Retry-After) */
};

#define LLM_RETRY_DEFAULT_ATTEMPTS 4
#define LLM_RETRY_DEFAULT_BASE_MS 500
#define LLM_RETRY_DEFAULT_MAX_MS 30000

/* 1 when an HTTP status is worth retrying: 408, 409, 429, 5xx. */
int llm_retry_status_retryable(long status);
/* Retry-After value -> milliseconds from now (delta-seconds or HTTP-date
 * relative to now); -1 when absent or unparseable. A date in the past is 0. */
long llm_retry_after_ms(const char *value, time_t now);
/* Backoff before attempt `attempt` (2 = first retry): exponential from
 * base_ms, capped at max_ms, with "equal jitter" from rnd: the delay lies in
 * [d/2, d], so retries of many workers spread out but never fire at once. */
long llm_retry_backoff_ms(const struct llm_retry_policy *p, int attempt, uint32_t rnd);
/* The delay to use: Retry-After when the server gave one (not capped:
 * the caller compares it with its deadline), else the backoff. */
long llm_retry_delay_ms(const struct llm_retry_policy *p, int attempt, long retry_after_ms,
                        uint32_t rnd);

#endif
