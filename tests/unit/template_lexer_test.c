/* The template lexer: token kinds, literals, line numbers, and the
 * lexical errors. Uses the engine's internal tokenizer directly. */
#include <string.h>

#include <criterion/criterion.h>

#include "lib/template/tpl_int.h"

static struct tpl_arena lx_arena;
static struct tpl_toks lx_toks;
static char lx_err[256];

static int
lex(const char *src)
{
	tpl_arena_free(&lx_arena);
	tpl_arena_init(&lx_arena, 0);
	memset(&lx_toks, 0, sizeof(lx_toks));
	lx_err[0] = '\0';
	return tpl_lex(src, strlen(src), "t", &lx_arena, &lx_toks, lx_err, sizeof(lx_err));
}

static void
lx_fini(void)
{
	tpl_arena_free(&lx_arena);
}

TestSuite(template_lexer, .fini = lx_fini);

Test(template_lexer, splits_data_and_expression_tokens)
{
	static const int want[] = {TK_DATA, TK_VAR_BEGIN, TK_NAME, TK_OP, TK_NAME, TK_OP, TK_NAME, TK_OP,
				   TK_INT, TK_OP, TK_STRING, TK_OP, TK_VAR_END, TK_DATA, TK_EOF};
	size_t i;

	cr_assert_eq(lex("a {{ x.y|f(1, 'z') }} b"), 0, "%s", lx_err);
	cr_assert_eq(lx_toks.n, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < lx_toks.n; i++)
		cr_expect_eq(lx_toks.v[i].type, want[i], "token %zu", i);
	cr_expect_eq(lx_toks.v[3].op, OP_DOT);
	cr_expect_eq(lx_toks.v[5].op, OP_PIPE);
}

Test(template_lexer, reads_integer_literals_like_python)
{
	cr_assert_eq(lex("{{ 0x1F 0o17 0b101 1_000 0 }}"), 0, "%s", lx_err);
	cr_expect_eq(lx_toks.v[1].ival, 31);
	cr_expect_eq(lx_toks.v[2].ival, 15);
	cr_expect_eq(lx_toks.v[3].ival, 5);
	cr_expect_eq(lx_toks.v[4].ival, 1000);
	cr_expect_eq(lx_toks.v[5].ival, 0);
}

Test(template_lexer, reads_prefix_without_digits_as_zero_then_name)
{
	/* found by the fuzzer: "0x" with no hex digit used to loop forever */
	cr_assert_eq(lex("{{ 0xg 0b }}"), 0, "%s", lx_err);
	cr_expect_eq(lx_toks.v[1].type, TK_INT);
	cr_expect_eq(lx_toks.v[1].ival, 0);
	cr_expect_eq(lx_toks.v[2].type, TK_NAME);
	cr_expect_eq(lx_toks.v[3].type, TK_INT);
	cr_expect_eq(lx_toks.v[4].type, TK_NAME);
}

Test(template_lexer, reads_float_literals_but_not_after_a_dot)
{
	cr_assert_eq(lex("{{ 1.5 2e3 x.1.5 }}"), 0, "%s", lx_err);
	cr_expect_eq(lx_toks.v[1].type, TK_FLOAT);
	cr_expect_float_eq(lx_toks.v[1].fval, 1.5, 1e-12);
	cr_expect_eq(lx_toks.v[2].type, TK_FLOAT);
	cr_expect_float_eq(lx_toks.v[2].fval, 2000.0, 1e-9);
	/* x . 1 . 5: Jinja2's float rule refuses to start after a dot */
	cr_expect_eq(lx_toks.v[5].type, TK_INT);
	cr_expect_eq(lx_toks.v[7].type, TK_INT);
}

Test(template_lexer, unescapes_strings_like_python)
{
	cr_assert_eq(lex("{{ 'a\\n\\t\\x41\\u00e9\\\\\\'q' \"d\\\"\" 'keep\\d' }}"), 0, "%s", lx_err);
	cr_expect_str_eq(lx_toks.v[1].p, "a\n\tA\xc3\xa9\\'q");
	cr_expect_str_eq(lx_toks.v[2].p, "d\"");
	cr_expect_str_eq(lx_toks.v[3].p, "keep\\d");
}

Test(template_lexer, counts_lines_through_comments_and_strings)
{
	cr_assert_eq(lex("a\n{# c\nc #}\n{{ 'x\ny' }}\n{{ z }}"), 0, "%s", lx_err);
	/* the comment ends on line 3 and eats its newline; the string
	 * spans lines 4-5; z is on line 6 */
	size_t i;
	for (i = 0; i < lx_toks.n; i++)
		if (lx_toks.v[i].type == TK_NAME)
			break;
	cr_assert_lt(i, lx_toks.n);
	cr_expect_eq(lx_toks.v[i].line, 6);
}

Test(template_lexer, keeps_brace_pairs_inside_expressions)
{
	cr_assert_eq(lex("{{ {'a': {'b': 1}} }}"), 0, "%s", lx_err);
	cr_expect_eq(lx_toks.v[lx_toks.n - 2].type, TK_VAR_END);
}

Test(template_lexer, rejects_unterminated_string_with_line)
{
	cr_expect_eq(lex("\n\n{{ 'abc }}"), -1);
	cr_expect(strstr(lx_err, "t:3:") == lx_err, "%s", lx_err);
}

Test(template_lexer, rejects_unbalanced_brackets)
{
	cr_expect_eq(lex("{{ (1] }}"), -1);
	cr_expect(strstr(lx_err, "unexpected ']', expected ')'") != NULL, "%s", lx_err);
	cr_expect_eq(lex("{% ) %}"), -1);
}

Test(template_lexer, rejects_unknown_characters_and_unclosed_comments)
{
	cr_expect_eq(lex("{{ a ! b }}"), -1);
	cr_expect(strstr(lx_err, "unexpected char '!'") != NULL, "%s", lx_err);
	cr_expect_eq(lex("{# open"), -1);
	cr_expect(strstr(lx_err, "Missing end of comment tag") != NULL, "%s", lx_err);
	cr_expect_eq(lex("{% raw %}open"), -1);
	cr_expect(strstr(lx_err, "Missing end of raw directive") != NULL, "%s", lx_err);
}

Test(template_lexer, rejects_integer_overflow_instead_of_wrapping)
{
	cr_expect_eq(lex("{{ 99999999999999999999 }}"), -1);
	cr_expect(strstr(lx_err, "too large") != NULL, "%s", lx_err);
}
