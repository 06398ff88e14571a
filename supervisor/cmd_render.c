/* kylecode render TEMPLATE [--data JSON_FILE]
 *
 * Renders one Jinja2 template with kylecode's engine (lib/template) and
 * the prototype's settings (trim_blocks, lstrip_blocks, StrictUndefined,
 * no autoescape, no kept trailing newline), writing the result to stdout.
 * The data file holds one JSON object whose keys are the template's
 * variables ("-" reads it from stdin). Errors name the template and line. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "lib/core/strbuf.h"
#include "lib/template/template.h"
#include "supervisor/cmd.h"

#define CMD_RENDER_USAGE "usage: kylecode render TEMPLATE [--data JSON_FILE]\n"
/* Rationale: the data file is read whole into memory; bound it so a wrong
 * path (a device, a huge log) fails cleanly instead of exhausting memory. */
#define CMD_RENDER_MAX_DATA (64u << 20)

static void
cmd_render_help(void)
{
	printf(CMD_RENDER_USAGE
	       "\n"
	       "Render TEMPLATE as Jinja2 3.x would with trim_blocks=True,\n"
	       "lstrip_blocks=True, undefined=StrictUndefined, autoescape=False and\n"
	       "keep_trailing_newline=False, and print the result on stdout.\n"
	       "\n"
	       "  --data JSON_FILE   a JSON object whose keys are the template's\n"
	       "                     variables (\"-\" reads stdin); default: no variables\n"
	       "  --help             this text\n"
	       "\n"
	       "The supported subset of Jinja2 is listed in docs/TEMPLATES.md.\n"
	       "Exit: 0 rendered, 1 template or data error (message names the file and\n"
	       "line), 2 usage.\n");
}

static int
cmd_render_usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "kylecode render: %s%s\n" CMD_RENDER_USAGE, what, arg ? arg : "");
	return KC_EXIT_USAGE;
}

static int
cmd_render_read(const char *path, struct strbuf *sb)
{
	FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	char buf[65536];
	size_t n;
	int rc = 0;

	if (fp == NULL) {
		fprintf(stderr, "kylecode render: %s: cannot open data file: %s\n", path, strerror(errno));
		return -1;
	}
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0) {
		strbuf_add(sb, buf, n);
		if (sb->len > CMD_RENDER_MAX_DATA) {
			fprintf(stderr, "kylecode render: %s: data file larger than %u MiB\n", path,
				CMD_RENDER_MAX_DATA >> 20);
			rc = -1;
			break;
		}
	}
	if (rc == 0 && ferror(fp)) {
		fprintf(stderr, "kylecode render: %s: read error: %s\n", path, strerror(errno));
		rc = -1;
	}
	if (fp != stdin)
		fclose(fp);
	return rc;
}

/* Loads the data object; the JSON parser's position is reported as a
 * line number so that a broken data file is easy to fix. */
static cJSON *
cmd_render_load_data(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	const char *end = NULL, *p;
	cJSON *data;
	int line = 1;

	if (cmd_render_read(path, &sb) < 0) {
		strbuf_free(&sb);
		return NULL;
	}
	data = cJSON_ParseWithLengthOpts(strbuf_str(&sb), sb.len, &end, 0);
	if (data == NULL) {
		for (p = strbuf_str(&sb); end != NULL && p < end; p++)
			line += *p == '\n';
		fprintf(stderr, "kylecode render: %s:%d: invalid JSON\n", path, line);
	} else if (!cJSON_IsObject(data)) {
		fprintf(stderr, "kylecode render: %s: the data must be a JSON object ({...})\n", path);
		cJSON_Delete(data);
		data = NULL;
	}
	strbuf_free(&sb);
	return data;
}

int
cmd_render(int argc, char **argv)
{
	const char *tpl = NULL, *datapath = NULL;
	struct strbuf out = STRBUF_INIT;
	cJSON *data = NULL;
	char err[1024];
	int i, rc;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			cmd_render_help();
			return KC_EXIT_OK;
		} else if (strcmp(argv[i], "--data") == 0) {
			if (++i >= argc)
				return cmd_render_usage_error("--data needs a file", NULL);
			datapath = argv[i];
		} else if (strncmp(argv[i], "--data=", 7) == 0) {
			datapath = argv[i] + 7;
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			return cmd_render_usage_error("unknown option ", argv[i]);
		} else if (tpl == NULL) {
			tpl = argv[i];
		} else {
			return cmd_render_usage_error("unexpected argument ", argv[i]);
		}
	}
	if (tpl == NULL)
		return cmd_render_usage_error("missing TEMPLATE", NULL);
	if (datapath != NULL && (data = cmd_render_load_data(datapath)) == NULL)
		return KC_EXIT_FAIL;
	rc = kc_tpl_render_file(tpl, data, &out, err, sizeof(err));
	cJSON_Delete(data);
	if (rc < 0) {
		fprintf(stderr, "kylecode render: %s\n", err);
		strbuf_free(&out);
		return KC_EXIT_FAIL;
	}
	if (out.len > 0 && fwrite(out.buf, 1, out.len, stdout) != out.len) {
		fprintf(stderr, "kylecode render: write error: %s\n", strerror(errno));
		rc = -1;
	}
	strbuf_free(&out);
	if (fflush(stdout) != 0 && rc == 0) {
		fprintf(stderr, "kylecode render: write error: %s\n", strerror(errno));
		rc = -1;
	}
	return rc < 0 ? KC_EXIT_FAIL : KC_EXIT_OK;
}
