/*
 * mock_script.c — load and validate a mock script. Validation is strict
 * (unknown keys are errors) because a typo in a test script should fail
 * loudly at start, not silently play a different conversation.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/xmalloc.h"
#include "mockllm/mock.h"

static const char *const mock_turn_keys[] = {
    "text",        "content", "tool_calls",  "finish_reason", "delay_ms", "chunk_delay_ms",
    "chunk_bytes", "fault",   "retry_after", "stall_ms",      "usage",    "expect",
    "__line",      NULL};

struct mock_pctx {
	const char *name;
	char *err;
	size_t errlen;
	size_t turn_no;
	int line;
};

static int mock_turn_fill(struct mock_pctx *p, const cJSON *j, struct mock_turn *t);

static int
mock_line_of(const cJSON *j, int fallback)
{
	const cJSON *l = cJSON_GetObjectItemCaseSensitive(j, "__line");

	return cJSON_IsNumber(l) ? l->valueint : fallback;
}

static int
mock_fail(struct mock_pctx *p, const cJSON *where, const char *what, const char *key)
{
	snprintf(p->err, p->errlen, "%s:%d: turn %zu: %s%s%s", p->name,
	         mock_line_of(where, p->line), p->turn_no, key ? key : "", key ? ": " : "", what);
	return -1;
}

static int
mock_get_int(struct mock_pctx *p, const cJSON *t, const char *key, int lo, int hi, int *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(t, key);

	if (v == NULL || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsNumber(v) || v->valuedouble < lo || v->valuedouble > hi ||
	    v->valuedouble != (double)(long long)v->valuedouble) {
		char msg[96];

		snprintf(msg, sizeof(msg), "must be an integer in [%d, %d]", lo, hi);
		return mock_fail(p, t, msg, key);
	}
	*out = v->valueint;
	return 0;
}

static int
mock_fault_parse(struct mock_pctx *p, const cJSON *t, struct mock_turn *out)
{
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(t, "fault");
	const char *s;
	char *end;
	long st;

	if (f == NULL || cJSON_IsNull(f))
		return 0;
	if (cJSON_IsNumber(f)) {
		/* range first: the cast of a huge double is undefined */
		st = f->valuedouble >= 0 && f->valuedouble < 1000 ? (long)f->valuedouble : -1;
	} else if (cJSON_IsString(f)) {
		s = f->valuestring;
		if (strcmp(s, "none") == 0)
			return 0;
		if (strcmp(s, "stall") == 0 || strcmp(s, "drop") == 0 ||
		    strcmp(s, "malformed") == 0) {
			out->fault = s[0] == 's'   ? MOCK_FAULT_STALL
			             : s[0] == 'd' ? MOCK_FAULT_DROP
			                           : MOCK_FAULT_MALFORMED;
			return 0;
		}
		st = strtol(s, &end, 10);
		if (*end != '\0')
			st = 0;
	} else {
		st = 0;
	}
	if (st < 400 || st > 599)
		return mock_fail(p, t,
		                 "unknown fault (expected none|429|500|<any 4xx/5xx>|stall|drop|"
		                 "malformed)",
		                 "fault");
	out->fault = MOCK_FAULT_STATUS;
	out->status = (int)st;
	return 0;
}

static int
mock_call_fill(struct mock_pctx *p, const cJSON *c, struct mock_tool_call *out)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(c, "id");
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(c, "name");
	const cJSON *args = cJSON_GetObjectItemCaseSensitive(c, "arguments");
	cJSON *dup;

	if (!cJSON_IsObject(c))
		return mock_fail(p, c, "each tool call must be a mapping", "tool_calls");
	if (!cJSON_IsString(name) || name->valuestring[0] == '\0')
		return mock_fail(p, c, "a tool call needs a non-empty 'name'", "tool_calls");
	if (id != NULL && !cJSON_IsString(id))
		return mock_fail(p, c, "'id' must be a string", "tool_calls");
	out->id = id ? xstrdup(id->valuestring) : NULL;
	out->name = xstrdup(name->valuestring);
	if (args == NULL || cJSON_IsNull(args)) {
		out->arguments = xstrdup("{}");
	} else if (cJSON_IsString(args)) {
		/* A string is sent verbatim: lets a script send broken JSON. */
		out->arguments = xstrdup(args->valuestring);
	} else if (cJSON_IsObject(args)) {
		dup = cJSON_Duplicate(args, 1);
		mock_json_strip_lines(dup);
		out->arguments = cJSON_PrintUnformatted(dup);
		cJSON_Delete(dup);
	} else {
		return mock_fail(p, c, "'arguments' must be a mapping or a JSON string",
		                 "tool_calls");
	}
	return 0;
}

static int
mock_calls_fill(struct mock_pctx *p, const cJSON *t, struct mock_turn *out)
{
	const cJSON *calls = cJSON_GetObjectItemCaseSensitive(t, "tool_calls"), *c;
	size_t i = 0;

	if (calls == NULL || cJSON_IsNull(calls))
		return 0;
	if (!cJSON_IsArray(calls))
		return mock_fail(p, t, "must be a list", "tool_calls");
	out->ncalls = (size_t)cJSON_GetArraySize(calls);
	out->calls = xcalloc(out->ncalls ? out->ncalls : 1, sizeof(*out->calls));
	cJSON_ArrayForEach(c, calls)
	{
		if (mock_call_fill(p, c, &out->calls[i++]) < 0)
			return -1;
	}
	return 0;
}

static int
mock_expect_fill(struct mock_pctx *p, const cJSON *t, struct mock_turn *out)
{
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(t, "expect"), *c, *it;
	size_t n = 0;

	if (e == NULL || cJSON_IsNull(e))
		return 0;
	c = cJSON_GetObjectItemCaseSensitive(e, "contains");
	if (!cJSON_IsObject(e) || c == NULL)
		return mock_fail(p, t, "must be a mapping with 'contains'", "expect");
	if (cJSON_IsString(c)) {
		out->expect = xcalloc(1, sizeof(char *));
		out->expect[0] = xstrdup(c->valuestring);
		out->nexpect = 1;
		return 0;
	}
	if (!cJSON_IsArray(c))
		return mock_fail(p, e, "must be a string or a list of strings", "expect.contains");
	out->expect = xcalloc((size_t)cJSON_GetArraySize(c) + 1, sizeof(char *));
	cJSON_ArrayForEach(it, c)
	{
		if (!cJSON_IsString(it))
			return mock_fail(p, e, "must be a list of strings", "expect.contains");
		out->expect[n++] = xstrdup(it->valuestring);
		out->nexpect = n;
	}
	return 0;
}

static int
mock_usage_fill(struct mock_pctx *p, const cJSON *t, struct mock_turn *out)
{
	const cJSON *u = cJSON_GetObjectItemCaseSensitive(t, "usage");
	int pt = -1, ct = -1;

	if (u == NULL || cJSON_IsNull(u))
		return 0;
	if (!cJSON_IsObject(u))
		return mock_fail(p, t, "must be a mapping", "usage");
	if (mock_get_int(p, u, "prompt_tokens", 0, 1000000000, &pt) < 0 ||
	    mock_get_int(p, u, "completion_tokens", 0, 1000000000, &ct) < 0)
		return -1;
	out->prompt_tokens = pt;
	out->completion_tokens = ct;
	return 0;
}

static int
mock_turn_keys_check(struct mock_pctx *p, const cJSON *j)
{
	const cJSON *it;
	size_t i;

	cJSON_ArrayForEach(it, j)
	{
		for (i = 0; mock_turn_keys[i] != NULL; i++)
			if (strcmp(it->string, mock_turn_keys[i]) == 0)
				break;
		if (mock_turn_keys[i] == NULL)
			return mock_fail(p, j,
			                 "unknown key (known: text, tool_calls, finish_reason, "
			                 "delay_ms, chunk_delay_ms, chunk_bytes, fault, "
			                 "retry_after, stall_ms, usage, expect)",
			                 it->string);
	}
	return 0;
}

static int
mock_turn_fill(struct mock_pctx *p, const cJSON *j, struct mock_turn *t)
{
	const cJSON *text, *fr;

	t->retry_after = -1;
	t->stall_ms = MOCK_DEFAULT_STALL_MS;
	t->prompt_tokens = t->completion_tokens = -1;
	if (!cJSON_IsObject(j))
		return mock_fail(p, j, "a turn must be a mapping", NULL);
	t->line = mock_line_of(j, p->line);
	if (mock_turn_keys_check(p, j) < 0)
		return -1;
	text = cJSON_GetObjectItemCaseSensitive(j, "text");
	if (text == NULL)
		text = cJSON_GetObjectItemCaseSensitive(j, "content");
	if (text != NULL && !cJSON_IsNull(text) && !cJSON_IsString(text))
		return mock_fail(p, j, "must be a string (quote it)", "text");
	t->text = xstrdup(cJSON_IsString(text) ? text->valuestring : "");
	fr = cJSON_GetObjectItemCaseSensitive(j, "finish_reason");
	if (fr != NULL && !cJSON_IsString(fr))
		return mock_fail(p, j, "must be a string", "finish_reason");
	t->finish_reason = fr ? xstrdup(fr->valuestring) : NULL;
	if (mock_get_int(p, j, "delay_ms", 0, 3600000, &t->delay_ms) < 0 ||
	    mock_get_int(p, j, "chunk_delay_ms", 0, 600000, &t->chunk_delay_ms) < 0 ||
	    mock_get_int(p, j, "chunk_bytes", 0, 1 << 24, &t->chunk_bytes) < 0 ||
	    mock_get_int(p, j, "retry_after", 0, 86400, &t->retry_after) < 0 ||
	    mock_get_int(p, j, "stall_ms", 0, 3600000, &t->stall_ms) < 0)
		return -1;
	if (mock_fault_parse(p, j, t) < 0 || mock_calls_fill(p, j, t) < 0 ||
	    mock_expect_fill(p, j, t) < 0 || mock_usage_fill(p, j, t) < 0)
		return -1;
	return 0;
}

static struct mock_script *
mock_script_from_turns(const cJSON *turns, const char *name, char *err, size_t errlen)
{
	struct mock_script *s = xcalloc(1, sizeof(*s));
	struct mock_pctx p = {name, err, errlen, 0, 1};
	const cJSON *t;

	s->path = xstrdup(name);
	s->nturns = (size_t)cJSON_GetArraySize(turns);
	s->turns = xcalloc(s->nturns ? s->nturns : 1, sizeof(*s->turns));
	cJSON_ArrayForEach(t, turns)
	{
		p.line = mock_line_of(t, p.line);
		if (mock_turn_fill(&p, t, &s->turns[p.turn_no++]) < 0) {
			mock_script_free(s);
			return NULL;
		}
	}
	if (s->nturns == 0) {
		snprintf(err, errlen, "%s:1: the script has no turns (expected 'turns: [...]')",
		         name);
		mock_script_free(s);
		return NULL;
	}
	return s;
}

/* JSONL: one turn object per non-blank line; '#' starts a comment line. */
static cJSON *
mock_jsonl_parse(const char *buf, size_t len, const char *name, char *err, size_t errlen)
{
	cJSON *arr = cJSON_CreateArray(), *t;
	const char *line = buf, *nl, *end = buf + len, *perr;
	char *copy;
	int lineno = 0;

	for (; line < end; line = nl + 1) {
		nl = memchr(line, '\n', (size_t)(end - line));
		if (nl == NULL)
			nl = end;
		lineno++;
		copy = xstrndup(line, (size_t)(nl - line));
		if (copy[strspn(copy, " \t\r")] == '\0' || copy[strspn(copy, " \t")] == '#') {
			free(copy);
			continue;
		}
		t = cJSON_ParseWithOpts(copy, &perr, 0);
		if (t == NULL || !cJSON_IsObject(t)) {
			snprintf(err, errlen,
			         "%s:%d:%ld: invalid JSON (each line must be one turn "
			         "object)",
			         name, lineno, t ? 1L : (long)(perr - copy) + 1);
			cJSON_Delete(t);
			free(copy);
			cJSON_Delete(arr);
			return NULL;
		}
		free(copy);
		cJSON_DeleteItemFromObjectCaseSensitive(t, "__line");
		cJSON_AddNumberToObject(t, "__line", lineno);
		cJSON_AddItemToArray(arr, t);
	}
	return arr;
}

struct mock_script *
mock_script_parse(const char *buf, size_t len, const char *name, int jsonl, char *err,
                  size_t errlen)
{
	char yerr[512];
	cJSON *doc, *turns;
	struct mock_script *s;

	if (jsonl) {
		doc = mock_jsonl_parse(buf, len, name, err, errlen);
		if (doc == NULL)
			return NULL;
		turns = doc;
	} else {
		doc = mock_yaml_parse(buf, len, yerr, sizeof(yerr));
		if (doc == NULL) {
			snprintf(err, errlen, "%s:%s", name, yerr);
			return NULL;
		}
		turns = cJSON_IsObject(doc) ? cJSON_GetObjectItemCaseSensitive(doc, "turns") : doc;
		if (!cJSON_IsArray(turns)) {
			snprintf(err, errlen,
			         "%s:%d: expected 'turns:' with a list of turns (or a "
			         "bare list)",
			         name, mock_line_of(doc, 1));
			cJSON_Delete(doc);
			return NULL;
		}
	}
	s = mock_script_from_turns(turns, name, err, errlen);
	cJSON_Delete(doc);
	return s;
}

static int
mock_has_suffix(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);

	return a >= b && strcmp(s + a - b, suf) == 0;
}

struct mock_script *
mock_script_load(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;
	struct mock_script *s;

	if (f == NULL) {
		snprintf(err, errlen, "%s: cannot open the script: %s", path, strerror(errno));
		return NULL;
	}
	buf = xmalloc(MOCK_MAX_SCRIPT + 1);
	n = fread(buf, 1, MOCK_MAX_SCRIPT + 1, f);
	if (ferror(f) || n > MOCK_MAX_SCRIPT) {
		snprintf(err, errlen, "%s: %s", path,
		         ferror(f) ? "read error" : "script larger than 16 MiB");
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	buf[n] = '\0';
	s = mock_script_parse(buf, n, path,
	                      mock_has_suffix(path, ".jsonl") || mock_has_suffix(path, ".ndjson"),
	                      err, errlen);
	free(buf);
	return s;
}

void
mock_script_free(struct mock_script *s)
{
	size_t i, j;
	struct mock_turn *t;

	if (s == NULL)
		return;
	for (i = 0; i < s->nturns; i++) {
		t = &s->turns[i];
		free(t->text);
		free(t->finish_reason);
		for (j = 0; j < t->ncalls; j++) {
			free(t->calls[j].id);
			free(t->calls[j].name);
			free(t->calls[j].arguments);
		}
		free(t->calls);
		for (j = 0; j < t->nexpect; j++)
			free(t->expect[j]);
		free(t->expect);
	}
	free(s->turns);
	free(s->path);
	free(s);
}
