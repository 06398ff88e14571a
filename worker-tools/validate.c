/* The turn validator and the concurrency planner (see validate.h). */
#include <ctype.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/core/log.h"
#include "lib/core/strbuf.h"
#include "lib/core/xmalloc.h"
#include "worker-tools/validate.h"

static cJSON *
nn(cJSON *p)
{
	if (p == NULL)
		fatalx("validate: out of memory building JSON");
	return p;
}

static const cJSON *
get(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

/* 1 when name matches one of the names/globs of the array (or string). */
static int
list_matches(const cJSON *list, const char *name)
{
	const cJSON *e;

	if (cJSON_IsString(list))
		return fnmatch(list->valuestring, name, 0) == 0;
	cJSON_ArrayForEach(e, list) if (cJSON_IsString(e) &&
	                                fnmatch(e->valuestring, name, 0) == 0) return 1;
	return 0;
}

const cJSON *
tool_def_find(const cJSON *config, const char *name)
{
	const cJSON *t;

	cJSON_ArrayForEach(t, get(config, "tools"))
	{
		const char *n = cJSON_GetStringValue(get(t, "name"));

		if (n != NULL && name != NULL && strcmp(n, name) == 0)
			return t;
	}
	return NULL;
}

/* A field of a def, either at the top (normalized) or under execution. */
static const cJSON *
def_field(const cJSON *def, const char *k)
{
	const cJSON *v = get(def, k);

	return v ? v : get(get(def, "execution"), k);
}

static int
has_manipulation(const cJSON *def, const char *prefix)
{
	const cJSON *m;

	cJSON_ArrayForEach(m, get(def, "manipulations")) if (cJSON_IsString(m) &&
	                                                     strncmp(m->valuestring, prefix,
	                                                             strlen(prefix)) == 0) return 1;
	return 0;
}

static int
name_in(const char *name, const char *const *set)
{
	for (; *set != NULL; set++)
		if (strcmp(name, *set) == 0)
			return 1;
	return 0;
}

const char *
tool_call_kind(const cJSON *config, const char *name)
{
	static const char *const shell[] = {"run_shell", "bash", "shell", NULL};
	static const char *const edit[] = {"apply_unified_patch",
	                                   "apply_search_replace",
	                                   "create_file",
	                                   "create_file_from_block",
	                                   "write",
	                                   "edit",
	                                   "patch",
	                                   NULL};
	static const char *const file[] = {"read_file", "list_dir", "read", "list",
	                                   "glob",      "grep",     NULL};
	const cJSON *def = tool_def_find(config, name);

	/* The name decides for the reference tools; manipulations decide for
	 * tools a config adds. Shell is checked first: it must never be sent
	 * to this worker's file tools by mistake. */
	if (name_in(name, shell) || has_manipulation(def, "shell."))
		return "shell";
	if (strcmp(name, "mark_task_complete") == 0 || has_manipulation(def, "session.complete"))
		return "complete";
	if (name_in(name, edit) || has_manipulation(def, "diff.") ||
	    has_manipulation(def, "file.write"))
		return "edit";
	if (name_in(name, file) || has_manipulation(def, "file.") ||
	    has_manipulation(def, "search."))
		return "file";
	return "other";
}

int
tool_call_blocking(const cJSON *config, const char *name)
{
	const cJSON *def = tool_def_find(config, name), *b;

	/* A tool listed in concurrency.nonblocking_tools, or declared
	 * blocking: false, may share a batch; anything else (including a tool
	 * that says nothing) runs alone: the safe default for writes. */
	if (list_matches(get(get(config, "concurrency"), "nonblocking_tools"), name))
		return 0;
	b = def_field(def, "blocking");
	return !(cJSON_IsBool(b) && cJSON_IsFalse(b));
}

static void add_violation(cJSON *viol, int call, const char *rule, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
add_violation(cJSON *viol, int call, const char *rule, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	cJSON *v = nn(cJSON_CreateObject());
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	cJSON_AddItemToObject(v, "call", nn(cJSON_CreateNumber(call)));
	cJSON_AddItemToObject(v, "rule", nn(cJSON_CreateString(rule)));
	cJSON_AddItemToObject(v, "message", nn(cJSON_CreateString(strbuf_str(&sb))));
	cJSON_AddItemToArray(viol, v);
	strbuf_free(&sb);
}

/* 1 when name, or an alias the config maps to it, matches the list: a
 * mode may name a tool by its alias (tools_enabled: [edit]). */
static int
list_matches_tool(const struct tool_turn *t, const cJSON *list, const char *name)
{
	const cJSON *a;

	if (list_matches(list, name))
		return 1;
	cJSON_ArrayForEach(a,
	                   get(t->config, "aliases")) if (cJSON_IsString(a) &&
	                                                  strcmp(a->valuestring, name) == 0 &&
	                                                  list_matches(list, a->string)) return 1;
	return 0;
}

static int
tool_enabled(const struct tool_turn *t, const char *name)
{
	return (t->enabled == NULL || list_matches_tool(t, t->enabled, name)) &&
	       !list_matches_tool(t, t->disabled, name);
}

/* "a, b, c" of the tools the turn may use (for messages). */
static void
usable_names(const struct tool_turn *t, struct strbuf *sb)
{
	const cJSON *d;
	int n = 0;

	cJSON_ArrayForEach(d, get(t->config, "tools"))
	{
		const char *nm = cJSON_GetStringValue(get(d, "name"));

		if (nm == NULL || !tool_enabled(t, nm))
			continue;
		strbuf_addf(sb, "%s%s", n++ ? ", " : "", nm);
	}
	if (n == 0)
		strbuf_adds(sb, "none");
}

/* name lowercased without '_', '-', '.' (readFile ~ read_file), <= 63. */
static void
name_fold(const char *name, char *out)
{
	size_t n = 0;

	for (; *name != '\0' && n < 63; name++)
		if (*name != '_' && *name != '-' && *name != '.')
			out[n++] = (char)tolower((unsigned char)*name);
	out[n] = '\0';
}

static int
min3(int a, int b, int c)
{
	int m = a < b ? a : b;

	return m < c ? m : c;
}

/* Edit distance of two short strings (bounded by their 63-byte folds). */
static int
edit_distance(const char *a, const char *b)
{
	int row[64], i, j, prev, tmp, la = (int)strlen(a), lb = (int)strlen(b);

	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			tmp = row[j];
			row[j] = a[i - 1] == b[j - 1] ? prev : 1 + min3(prev, row[j], row[j - 1]);
			prev = tmp;
		}
	}
	return row[lb];
}

/* The usable tool closest to a wrong name (at most 2 edits once case and
 * separators are ignored), or NULL: "did you mean" for the model. */
static const char *
closest_tool(const struct tool_turn *t, const char *name)
{
	char fa[64], fb[64];
	const cJSON *d;
	const char *best = NULL;
	int bd = 3;

	name_fold(name, fa);
	cJSON_ArrayForEach(d, get(t->config, "tools"))
	{
		const char *nm = cJSON_GetStringValue(get(d, "name"));
		int dist;

		if (nm == NULL || !tool_enabled(t, nm))
			continue;
		name_fold(nm, fb);
		if ((dist = edit_distance(fa, fb)) < bd) {
			bd = dist;
			best = nm;
		}
	}
	return best;
}

/* Names of the def's required parameters that args lacks, into sb. */
static int
missing_args(const cJSON *def, const cJSON *args, struct strbuf *sb)
{
	const cJSON *p, *params = get(def, "parameters"), *req = NULL;
	int n = 0;

	if (cJSON_IsObject(params)) { /* JSON Schema form */
		req = get(params, "required");
		params = get(params, "properties");
	}
	cJSON_ArrayForEach(p, params)
	{
		const char *nm = p->string ? p->string : cJSON_GetStringValue(get(p, "name"));
		int required = p->string ? list_matches(req, nm) : cJSON_IsTrue(get(p, "required"));

		if (nm != NULL && required && get(args, nm) == NULL)
			strbuf_addf(sb, "%s'%s'", n++ ? ", " : "", nm);
	}
	return n;
}

/* Checks of one call that need no other call: unknown, disabled,
 * bad_args. Returns 1 when it passed. */
static int
check_alone(const struct tool_turn *t, const cJSON *call, int i, cJSON *viol)
{
	const char *name = cJSON_GetStringValue(get(call, "name"));
	const cJSON *def = tool_def_find(t->config, name ? name : "");
	struct strbuf sb = STRBUF_INIT;
	int ok = 0;

	if (def == NULL) {
		const char *near = closest_tool(t, name ? name : "");

		usable_names(t, &sb);
		add_violation(viol, i, "unknown",
		              "unknown tool '%s'%s%s%s; the tools you can call are: %s",
		              name ? name : "", near ? " (did you mean '" : "", near ? near : "",
		              near ? "'?)" : "", strbuf_str(&sb));
	} else if (!tool_enabled(t, name)) {
		usable_names(t, &sb);
		add_violation(viol, i, "disabled",
		              "tool '%s' is not available in %s%s%s mode; use one of: %s", name,
		              t->mode ? "'" : "this", t->mode ? t->mode : "", t->mode ? "'" : "",
		              strbuf_str(&sb));
	} else if (missing_args(def, get(call, "args"), &sb) > 0) {
		add_violation(viol, i, "bad_args", "%s: missing required argument%s %s", name,
		              strchr(strbuf_str(&sb), ',') ? "s" : "", strbuf_str(&sb));
	} else {
		ok = 1;
	}
	strbuf_free(&sb);
	return ok;
}

/* Number of earlier passed calls (valid[j] set, j < i) named by set. */
static int
count_before(const cJSON *calls, const char *valid, int i, const cJSON *set, const char *exact)
{
	int j, n = 0;

	for (j = 0; j < i; j++) {
		const char *nm;

		if (!valid[j])
			continue;
		nm = cJSON_GetStringValue(get(cJSON_GetArrayItem(calls, j), "name"));
		if (nm != NULL && (exact ? strcmp(nm, exact) == 0 : list_matches(set, nm)))
			n++;
	}
	return n;
}

/* The at_most_one_of set that name belongs to and an earlier call already
 * used, or NULL. The config holds one set (a list of names) or several
 * (a list of lists). */
static const cJSON *
one_of_clash(const cJSON *config, const cJSON *calls, const char *valid, int i, const char *name)
{
	const cJSON *sets = get(get(config, "concurrency"), "at_most_one_of"), *s;

	if (!cJSON_IsArray(sets))
		return NULL;
	if (cJSON_IsString(cJSON_GetArrayItem(sets, 0)))
		return list_matches(sets, name) && count_before(calls, valid, i, sets, NULL) > 0
		           ? sets
		           : NULL;
	cJSON_ArrayForEach(s, sets) if (list_matches(s, name) &&
	                                count_before(calls, valid, i, s, NULL) > 0) return s;
	return NULL;
}

/* Checks that count earlier calls: max_per_turn, at_most_one_of. */
/* A limit from the configuration (max_per_turn, max_parallel) as an int:
 * a config's 1e300 must not overflow the conversion (undefined behaviour);
 * anything past INT_MAX is no limit in practice. */
static int
json_limit(const cJSON *v)
{
	double d = v->valuedouble;

	return !(d >= 0) ? 0 : d >= (double)INT_MAX ? INT_MAX : (int)d;
}

static int
check_counts(const struct tool_turn *t, const cJSON *calls, const char *valid, int i, cJSON *viol)
{
	const char *name = cJSON_GetStringValue(get(cJSON_GetArrayItem(calls, i), "name"));
	const cJSON *max = def_field(tool_def_find(t->config, name), "max_per_turn"), *set;
	char *flat;

	if (cJSON_IsNumber(max) && max->valuedouble >= 0 &&
	    count_before(calls, valid, i, NULL, name) >= json_limit(max)) {
		add_violation(viol, i, "max_per_turn",
		              "%s may be called at most %d time%s per turn; "
		              "this call was not run: send it in your next turn",
		              name, json_limit(max), json_limit(max) == 1 ? "" : "s");
		return 0;
	}
	if ((set = one_of_clash(t->config, calls, valid, i, name)) != NULL) {
		flat = cJSON_PrintUnformatted(set);
		add_violation(viol, i, "at_most_one_of",
		              "only one call of %s per turn; this %s call was "
		              "not run: send it in your next turn",
		              flat ? flat : "this group", name);
		free(flat);
		return 0;
	}
	return 1;
}

cJSON *
tool_turn_validate(const struct tool_turn *t, cJSON *calls)
{
	cJSON *viol = nn(cJSON_CreateArray()), *call;
	int n = cJSON_GetArraySize(calls), i = 0;
	char *valid = xcalloc((size_t)n + 1, 1);

	cJSON_ArrayForEach(call, calls)
	{
		const char *name = cJSON_GetStringValue(get(call, "name"));

		valid[i] = check_alone(t, call, i, viol) && check_counts(t, calls, valid, i, viol);
		cJSON_DeleteItemFromObjectCaseSensitive(call, "blocking");
		cJSON_DeleteItemFromObjectCaseSensitive(call, "kind");
		cJSON_AddItemToObject(
		    call, "blocking",
		    nn(cJSON_CreateBool(tool_call_blocking(t->config, name ? name : ""))));
		cJSON_AddItemToObject(
		    call, "kind",
		    nn(cJSON_CreateString(tool_call_kind(t->config, name ? name : ""))));
		i++;
	}
	free(valid);
	return viol;
}

/* ---------------- planner ---------------- */

static const char *
call_name(const cJSON *call)
{
	const char *n = cJSON_GetStringValue(get(call, "name"));

	return n ? n : "";
}

static int
violated(const cJSON *violations, int i)
{
	const cJSON *v;

	cJSON_ArrayForEach(v, violations) if (cJSON_IsNumber(get(v, "call")) &&
	                                      (int)get(v, "call")->valuedouble == i) return 1;
	return 0;
}

/* Index of the first group whose match_tools has name, or -1. */
static int
group_of(const cJSON *groups, const char *name)
{
	const cJSON *g;
	int k = 0;

	cJSON_ArrayForEach(g, groups)
	{
		if (list_matches(get(g, "match_tools"), name))
			return k;
		k++;
	}
	return -1;
}

static int
is_barrier(const cJSON *groups, const char *name)
{
	const cJSON *g;

	cJSON_ArrayForEach(g, groups) if (list_matches(get(g, "barrier_after"), name)) return 1;
	return 0;
}

/* Closes the current batch into plan (when it holds calls). */
static void
flush(cJSON *plan, cJSON **cur, int *counts, int ngroups)
{
	if (cJSON_GetArraySize(*cur) > 0) {
		cJSON_AddItemToArray(plan, *cur);
		*cur = nn(cJSON_CreateArray());
	}
	memset(counts, 0, sizeof(int) * (size_t)(ngroups + 1));
}

cJSON *
tool_turn_plan(const cJSON *config, const cJSON *calls, const cJSON *violations)
{
	const cJSON *groups = get(get(config, "concurrency"), "groups"), *call;
	int ng = cJSON_GetArraySize(groups), i = -1, any_blocking = 0;
	int *counts = xcalloc((size_t)ng + 1, sizeof(int));
	cJSON *plan = nn(cJSON_CreateArray()), *cur = nn(cJSON_CreateArray());

	cJSON_ArrayForEach(call, calls) if (!violated(violations, ++i)) any_blocking |=
	    tool_call_blocking(config, call_name(call));
	i = -1;
	cJSON_ArrayForEach(call, calls)
	{
		const char *name = call_name(call);
		int g = group_of(groups, name);
		const cJSON *mp =
		    g >= 0 ? get(cJSON_GetArrayItem(groups, g), "max_parallel") : NULL;

		if (violated(violations, ++i))
			continue;
		/* Any blocking call: the whole turn runs in order, one by one. */
		if (any_blocking || (g >= 0 && cJSON_IsNumber(mp) && mp->valuedouble >= 1 &&
		                     counts[g] >= json_limit(mp)))
			flush(plan, &cur, counts, ng);
		cJSON_AddItemToArray(cur, nn(cJSON_CreateNumber(i)));
		if (g >= 0)
			counts[g]++;
		if (is_barrier(groups, name))
			flush(plan, &cur, counts, ng);
	}
	flush(plan, &cur, counts, ng);
	cJSON_Delete(cur);
	free(counts);
	return plan;
}
