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
		f = cJSON_CreateObject();
		cJSON_AddStringToObject(f, "text", text);
		run_ui_event(ui, "token", f);
		return;
	}
	pthread_mutex_lock(&ui->mtx);
	fputs(text, stdout);
	ui->mid_line = text[strlen(text) - 1] != '\n';
	fflush(stdout);
	pthread_mutex_unlock(&ui->mtx);
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
