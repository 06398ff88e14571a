/* Retry policy (see retry.h). */
#include "worker-llm/retry.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

int
llm_retry_status_retryable(long status)
{
	/* 408 request timeout, 409 conflict (OpenAI's "try again" lock
	 * error), 429 rate limit, every 5xx. 400/401/403/404/422 would fail
	 * the same way again. */
	return status == 408 || status == 409 || status == 429 || (status >= 500 && status <= 599);
}

long
llm_retry_after_ms(const char *value, time_t now)
{
	const char *p;
	char *end;
	long secs;
	time_t t;

	if (value == NULL)
		return -1;
	while (isspace((unsigned char)*value))
		value++;
	if (*value == '\0')
		return -1;
	for (p = value; isdigit((unsigned char)*p); p++)
		;
	if (p != value) { /* delta-seconds: digits, then nothing but space */
		while (isspace((unsigned char)*p))
			p++;
		if (*p != '\0')
			return -1;
		errno = 0;
		secs = strtol(value, &end, 10);
		if (errno == ERANGE || secs > 86400L * 365)
			secs = 86400L * 365; /* absurd values are capped by the caller */
		return secs * 1000;
	}
	/* HTTP-date (IMF-fixdate, RFC 850 or asctime): curl_getdate parses
	 * all three and is already linked. */
	t = curl_getdate(value, NULL);
	if (t == (time_t)-1)
		return -1;
	return t <= now ? 0 : (long)(t - now) * 1000;
}

long
llm_retry_backoff_ms(const struct llm_retry_policy *p, int attempt, uint32_t rnd)
{
	long d = p->base_ms > 0 ? p->base_ms : 1;
	int i;

	for (i = 2; i < attempt && d < p->max_ms; i++)
		d *= 2;
	if (d > p->max_ms)
		d = p->max_ms;
	return d / 2 + (long)(rnd % (uint32_t)(d - d / 2 + 1));
}

long
llm_retry_delay_ms(const struct llm_retry_policy *p, int attempt, long retry_after_ms, uint32_t rnd)
{
	/* The server knows its own load: wait what it says, whatever max_ms;
	 * the caller gives up when that is past its deadline. */
	if (retry_after_ms >= 0)
		return retry_after_ms;
	return llm_retry_backoff_ms(p, attempt, rnd);
}
