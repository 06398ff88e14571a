/*
 * The dialect driver: one pass over the message that asks each enabled
 * dialect for its next block, parses whichever starts first, keeps the
 * text between blocks as the assistant message, and goes on after the
 * block. A dialect's answer is cached until the scan passes its start, so
 * each dialect scans the text about once.
 *
 * The order of the table breaks ties between blocks that start at the
 * same offset: XML before <BASH> (a <bash><command> call is XML), and
 * OpenCode patches before Aider and unified diffs (their fences may hold
 * each other's markers).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/xmalloc.h"
#include "worker-tools/dialects/dlg_internal.h"

static const struct dlg_ops *const dlg_table[] = {
    &dlg_pythonic_ops, &dlg_xml_ops,          &dlg_bash_block_ops, &dlg_opencode_patch_ops,
    &dlg_aider_ops,    &dlg_unified_diff_ops, &dlg_json_block_ops, &dlg_yaml_ops,
};
#define NDIALECTS (sizeof(dlg_table) / sizeof(dlg_table[0]))

const char *const dialect_names[] = {"pythonic",
                                     "xml",
                                     "bash_block",
                                     "opencode_patch",
                                     "aider_search_replace",
                                     "unified_diff",
                                     "json_block",
                                     "yaml_command",
                                     NULL};

/* Short names people type (kylecode apply --dialect diff). */
static const struct {
	const char *alias, *name;
} dlg_aliases[] = {
    {"python", "pythonic"},
    {"tool_call", "pythonic"},
    {"bash", "bash_block"},
    {"diff", "unified_diff"},
    {"udiff", "unified_diff"},
    {"aider", "aider_search_replace"},
    {"search_replace", "aider_search_replace"},
    {"opencode", "opencode_patch"},
    {"apply_patch", "opencode_patch"},
    {"anthropic_xml", "xml"},
    {"json", "json_block"},
    {"yaml", "yaml_command"},
};

static const struct dlg_ops *
ops_lookup(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(dlg_aliases) / sizeof(dlg_aliases[0]); i++)
		if (strcmp(name, dlg_aliases[i].alias) == 0)
			name = dlg_aliases[i].name;
	for (i = 0; i < NDIALECTS; i++)
		if (strcmp(dlg_table[i]->name, name) == 0)
			return dlg_table[i];
	return NULL;
}

static int
is_native_name(const char *name)
{
	return strcmp(name, "provider_native") == 0 || strcmp(name, "native") == 0 ||
	       strcmp(name, "native_function_calling") == 0;
}

int
dialect_is_known(const char *name)
{
	return name != NULL && (ops_lookup(name) != NULL || is_native_name(name));
}

/* A copy of text with CR LF read as LF: every parser then sees one kind
 * of line end. (Escapes such as "\r\n" inside literals still give CR.) */
static char *
text_normalize(const char *text, size_t *len)
{
	size_t n = strlen(text), i, o = 0;
	char *t = xmalloc(n + 1);

	for (i = 0; i < n; i++)
		if (!(text[i] == '\r' && text[i + 1] == '\n'))
			t[o++] = text[i];
	t[o] = '\0';
	*len = o;
	return t;
}

/* The message is what is left between blocks: trimmed, and runs of blank
 * lines left by removed blocks folded into one. */
static void
message_tidy(struct strbuf *m)
{
	struct strbuf t = STRBUF_INIT;
	size_t i, a = 0, b = m->len;
	int nl = 0;

	while (a < b && isspace((unsigned char)m->buf[a]))
		a++;
	while (b > a && isspace((unsigned char)m->buf[b - 1]))
		b--;
	for (i = a; i < b; i++) {
		nl = m->buf[i] == '\n' ? nl + 1 : (m->buf[i] == ' ' || m->buf[i] == '\t') ? nl : 0;
		if (nl <= 2 || m->buf[i] != '\n')
			strbuf_addc(&t, m->buf[i]);
	}
	strbuf_free(m);
	*m = t;
}

struct slot {
	const struct dlg_ops *ops;
	size_t start, end;
	int state; /* 0 = ask, 1 = found, 2 = no more blocks */
};

/* The slot whose next block starts first at or after pos, or -1. */
static int
next_block(struct dlg_ctx *c, struct slot *sl, size_t n, size_t pos)
{
	size_t i;
	int best = -1;

	for (i = 0; i < n; i++) {
		if (sl[i].state == 1 && sl[i].start < pos)
			sl[i].state = 0;
		if (sl[i].state == 0) {
			c->floor = pos;
			sl[i].state = sl[i].ops->find(c, pos, &sl[i].start, &sl[i].end) ? 1 : 2;
			if (sl[i].state == 1 && (sl[i].start < pos || sl[i].end <= sl[i].start))
				sl[i].state = 2; /* a finder bug must not loop */
		}
		if (sl[i].state == 1 && (best < 0 || sl[i].start < sl[best].start))
			best = (int)i;
	}
	return best;
}

static void
scan(struct dlg_ctx *c, struct slot *sl, size_t n)
{
	size_t pos = 0;
	int b;

	while ((b = next_block(c, sl, n, pos)) >= 0) {
		strbuf_add(&c->out->message, c->text + pos, sl[b].start - pos);
		sl[b].ops->parse(c, sl[b].start, sl[b].end);
		pos = sl[b].end;
	}
	strbuf_add(&c->out->message, c->text + pos, c->len - pos);
	message_tidy(&c->out->message);
}

/* 1 when the table entry o is named (directly or by alias) in enabled. */
static int
is_enabled(const struct dlg_ops *o, const char *const *enabled)
{
	size_t i;

	for (i = 0; enabled[i] != NULL; i++)
		if (ops_lookup(enabled[i]) == o)
			return 1;
	return 0;
}

int
dialect_parse_all(const char *text, const char *const *enabled, const cJSON *registry,
                  struct dialect_result *out)
{
	struct slot sl[NDIALECTS];
	struct dlg_ctx c;
	size_t n = 0, i;
	char *t;

	memset(&c, 0, sizeof(c));
	for (i = 0; enabled != NULL && enabled[i] != NULL; i++)
		if (!dialect_is_known(enabled[i]))
			return -1;
	/* The table's order among the enabled ones breaks ties. */
	for (i = 0; i < NDIALECTS; i++)
		if (enabled == NULL || is_enabled(dlg_table[i], enabled))
			sl[n++] = (struct slot){dlg_table[i], 0, 0, 0};
	t = text_normalize(text ? text : "", &c.len);
	c.text = t;
	c.tools = cJSON_IsArray(registry) ? registry
	                                  : cJSON_GetObjectItemCaseSensitive(registry, "tools");
	c.aliases = cJSON_GetObjectItemCaseSensitive(registry, "aliases");
	c.out = out;
	c.line_no = 1;
	c.next_id = cJSON_GetArraySize(out->calls);
	scan(&c, sl, n);
	if (c.errors_dropped > 0) {
		cJSON *e = dlg_nn(cJSON_CreateObject());
		char msg[128];

		snprintf(msg, sizeof(msg), "... and %d more errors like these", c.errors_dropped);
		cJSON_AddItemToObject(e, "call", dlg_nn(cJSON_CreateNull()));
		cJSON_AddItemToObject(e, "line", dlg_nn(cJSON_CreateNull()));
		cJSON_AddItemToObject(e, "message", dlg_nn(cJSON_CreateString(msg)));
		cJSON_AddItemToArray(out->errors, e);
	}
	free(c.aider_file);
	free(t);
	return 0;
}

int
dialect_parse(const char *name, const char *text, const cJSON *registry, struct dialect_result *out)
{
	const char *one[2] = {name, NULL};

	if (name == NULL || ops_lookup(name) == NULL)
		return -1;
	return dialect_parse_all(text, one, registry, out);
}
