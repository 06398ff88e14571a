/*
 * run_ui.c — what `kylecode run` shows while it works: the turn and mode,
 * the model's text as it streams, each tool call and its outcome, tokens
 * and cost. --quiet shows nothing but errors; --json writes one JSON
 * object per line on stdout for scripts. Colour only on a TTY and when
 * NO_COLOR is unset (https://no-color.org).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/core/xmalloc.h"
#include "supervisor/conductor.h"

void
run_ui_init(struct run_ui *ui, int quiet, int json)
{
	const char *nc = getenv("NO_COLOR");

	memset(ui, 0, sizeof(*ui));
	pthread_mutex_init(&ui->mtx, NULL);
	ui->quiet = quiet;
	ui->json = json;
	ui->color = !json && isatty(STDOUT_FILENO) && (nc == NULL || nc[0] == '\0');
}

static void
run_ui_endline(struct run_ui *ui)
{
	if (ui->mid_line) {
		fputc('\n', stdout);
		ui->mid_line = 0;
	}
}

/* One event: a JSON line in --json mode; nothing in human mode (the
 * caller prints its own line with run_ui_line). */
void
run_ui_event(struct run_ui *ui, const char *event, cJSON *fields)
{
	char *s;

	if (!ui->json) {
		cJSON_Delete(fields);
		return;
	}
	if (fields == NULL)
		fields = cJSON_CreateObject();
	cJSON_AddStringToObject(fields, "event", event);
	s = cJSON_PrintUnformatted(fields);
	pthread_mutex_lock(&ui->mtx);
	fputs(s, stdout);
	fputc('\n', stdout);
	fflush(stdout);
	pthread_mutex_unlock(&ui->mtx);
	free(s);
	cJSON_Delete(fields);
}

void
run_ui_text(struct run_ui *ui, const char *text)
{
	cJSON *f;

	if (ui->quiet || text == NULL || text[0] == '\0')
		return;
	if (ui->json) {
		pthread_mutex_lock(&ui->mtx);
		ui->streamed += strlen(text);
		pthread_mutex_unlock(&ui->mtx);
		f = cJSON_CreateObject();
		cJSON_AddStringToObject(f, "text", text);
		run_ui_event(ui, "token", f);
		return;
	}
	pthread_mutex_lock(&ui->mtx);
	fputs(text, stdout);
	ui->streamed += strlen(text);
	ui->mid_line = text[strlen(text) - 1] != '\n';
	fflush(stdout);
	pthread_mutex_unlock(&ui->mtx);
}

/* A `retry` event of worker-llm means the text streamed so far for the
 * request is void: the next attempt streams the whole answer again
 * (docs/IPC.md). The terminal cannot take it back, so it says so; the
 * recorded answer is the reply's content, which is only the successful
 * attempt's. JSON mode: a `retry` event with `void_chars`. */
void
run_ui_retry(struct run_ui *ui, const cJSON *ev)
{
	const cJSON *r = cJSON_GetObjectItemCaseSensitive(ev, "reason");
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(ev, "attempt");
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(ev, "delay_ms");
	const char *reason = cJSON_IsString(r) ? r->valuestring : "?";
	double att = cJSON_IsNumber(a) ? a->valuedouble : 0;
	double delay = cJSON_IsNumber(d) ? d->valuedouble : 0;
	size_t n;
	cJSON *f;

	pthread_mutex_lock(&ui->mtx);
	n = ui->streamed;
	ui->streamed = 0;
	pthread_mutex_unlock(&ui->mtx);
	if (ui->json) {
		f = cJSON_CreateObject();
		cJSON_AddStringToObject(f, "reason", reason);
		cJSON_AddNumberToObject(f, "attempt", att);
		cJSON_AddNumberToObject(f, "delay_ms", delay);
		cJSON_AddNumberToObject(f, "void_chars", (double)n);
		run_ui_event(ui, "retry", f);
		return;
	}
	if (n > 0)
		run_ui_line(
		    ui, "33",
		    "(retrying: %s) attempt %d in %d ms; the %zu byte(s) of answer above are void",
		    reason, (int)att, (int)delay, n);
	else
		run_ui_line(ui, "33", "(retrying: %s) attempt %d in %d ms", reason, (int)att,
		            (int)delay);
}

/* A status line; color is an SGR code ("1;34") or NULL. */
void
run_ui_line(struct run_ui *ui, const char *color, const char *fmt, ...)
{
	va_list ap;

	if (ui->quiet || ui->json)
		return;
	pthread_mutex_lock(&ui->mtx);
	run_ui_endline(ui);
	if (ui->color && color != NULL)
		printf("\033[%sm", color);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (ui->color && color != NULL)
		fputs("\033[0m", stdout);
	fputc('\n', stdout);
	fflush(stdout);
	pthread_mutex_unlock(&ui->mtx);
}
