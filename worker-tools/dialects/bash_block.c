/*
 * The bash_block dialect: <BASH> command </BASH> (tags in any letter case)
 * becomes a call of the registry's shell tool (run_shell, or OpenCode's
 * bash) with its command parameter. A ```bash fence inside the tags and a
 * <command>...</command> wrapper are unwrapped. A block that runs
 * `apply_patch <<'EOF'` with an OpenCode patch becomes that patch.
 *
 * Strictness: a block without </BASH> is refused, not run. A command cut
 * off by the model's output limit must never reach a shell half-written.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/core/xmalloc.h"
#include "worker-tools/dialects/dlg_internal.h"

#define DIALECT "bash_block"

static const char *const shell_tools[] = {"run_shell", "bash", "shell", NULL};
static const char *const command_params[] = {"command", "cmd", NULL};

/* An unclosed block is only its <BASH> tag: the text after it is read on
 * (and kept in the message), so no later call is hidden by it. */
static size_t
unclosed_end(size_t at)
{
	return at + 6;
}

static int
bash_find(struct dlg_ctx *c, size_t from, size_t *start, size_t *end)
{
	size_t at = dlg_search(c, dlg_search_ci, "<BASH>", from), e, next;

	if (at == (size_t)-1)
		return 0;
	e = dlg_search(c, dlg_search_ci, "</BASH>", at + 6);
	next = dlg_search(c, dlg_search_ci, "<BASH>", at + 6);
	if (e == (size_t)-1 || (next != (size_t)-1 && next < e))
		e = unclosed_end(at); /* reported by the parser */
	else
		e += 7;
	*start = at;
	*end = e;
	dlg_fence_absorb(c, start, end);
	return 1;
}

/* Trims [*a, *b) to its content: blank edges, a fence, a <command> tag. */
static void
unwrap(const char *s, size_t *a, size_t *b)
{
	size_t la, lb, le, ls;

	while (*a < *b && (s[*a] == ' ' || s[*a] == '\t' || s[*a] == '\n'))
		(*a)++;
	while (*b > *a && (s[*b - 1] == ' ' || s[*b - 1] == '\t' || s[*b - 1] == '\n'))
		(*b)--;
	le = dlg_line_end(s, *b, *a);
	ls = dlg_line_start(s, *b > *a ? *b - 1 : *a);
	if (ls > *a && dlg_fence_open(s, *a, le, &la, &lb) && dlg_fence_close(s, ls, *b)) {
		*a = le + 1;
		*b = ls > *a ? ls - 1 : *a;
	}
	if (*b - *a >= 19 && strncmp(s + *a, "<command>", 9) == 0 &&
	    strncmp(s + *b - 10, "</command>", 10) == 0) {
		*a += 9;
		*b -= 10;
	}
}

static void
bash_parse(struct dlg_ctx *c, size_t start, size_t end)
{
	size_t open = dlg_find_ci(c->text, end, start, "<BASH>");
	size_t a = open + 6, b = end, close = dlg_find_ci(c->text, end, a, "</BASH>");
	const cJSON *def = dlg_tool_pick(c, shell_tools);
	const char *tool =
	    def ? cJSON_GetStringValue(cJSON_GetObjectItem(def, "name")) : "run_shell";
	char *cmd;

	if (close == (size_t)-1) {
		dlg_add_error(c, DIALECT, open,
		              "BASH at line %d: missing </BASH>; the command was not run. Close "
		              "every <BASH> block with </BASH>",
		              dlg_line_at(c, open));
		return;
	}
	b = close;
	unwrap(c->text, &a, &b);
	if (a >= b) {
		dlg_add_error(c, DIALECT, open, "BASH at line %d: empty command",
		              dlg_line_at(c, open));
		return;
	}
	/* `apply_patch <<'EOF'` ... is how Codex-trained models edit through
	 * the shell; there is no apply_patch program in the sandbox, so the
	 * patch goes to the patch tool, checked like any OpenCode patch. */
	if (strncmp(c->text + a, "apply_patch", 11) == 0 &&
	    dlg_find(c->text, b, a, "*** Begin Patch") != (size_t)-1) {
		dlg_opencode_patch_ops.parse(c, a, b);
		return;
	}
	cmd = xstrndup(c->text + a, b - a);
	dlg_add_call(c, tool, dlg_args1(dlg_param_pick(def, command_params, 0), cmd), DIALECT,
	             open);
	free(cmd);
}

const struct dlg_ops dlg_bash_block_ops = {DIALECT, bash_find, bash_parse};
