/* Key store: the environment moves into private memory and its bytes are
 * wiped in place. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "worker-llm/keys.h"

Test(llm_keys, load_moves_values_out_and_wipes_the_original_bytes)
{
	char a[] = "OPENAI_API_KEY=sk-test-123";
	char b[] = "MY_ODD_SECRET=hunter2";
	char c[] = "TZ=UTC";
	char *envp[] = {a, b, c, NULL};
	static const char *const keep[] = {"TZ", NULL};
	char *k;

	llm_keys_load(envp, keep);
	k = llm_key_get("OPENAI_API_KEY");
	cr_assert_str_eq(k, "sk-test-123");
	llm_key_free(k);
	k = llm_key_get("MY_ODD_SECRET");
	cr_assert_str_eq(k, "hunter2", "any name can hold a key (api_key_env)");
	llm_key_free(k);
	cr_assert_str_eq(a, "OPENAI_API_KEY=", "value bytes zeroed in place");
	cr_assert_eq(a[sizeof(a) - 2], '\0');
	cr_assert_str_eq(b, "MY_ODD_SECRET=");
	cr_assert_str_eq(c, "TZ=UTC", "kept names are left alone");
	llm_keys_clear();
	cr_assert_null(llm_key_get("OPENAI_API_KEY"));
}

Test(llm_keys, real_environment_is_scrubbed)
{
	extern char **environ;

	setenv("KC_TEST_API_KEY", "s3cret-value", 1);
	llm_keys_load(environ, NULL);
	cr_assert_null(getenv("KC_TEST_API_KEY"));
	{
		char *k = llm_key_get("KC_TEST_API_KEY");

		cr_assert_str_eq(k, "s3cret-value");
		llm_key_free(k);
	}
	llm_keys_clear();
}

Test(llm_keys, empty_and_unknown_are_unset)
{
	char a[] = "KC_EMPTY_SECRET=";
	char *envp[] = {a, NULL};

	llm_keys_load(envp, NULL);
	cr_assert_null(llm_key_get("KC_EMPTY_SECRET"));
	cr_assert_null(llm_key_get("KC_NEVER_SET"));
	cr_assert_null(llm_key_get(NULL));
	llm_keys_clear();
}

static char *
dotenv_write(const char *text, mode_t mode)
{
	static char path[] = "/tmp/kc-dotenv-test.XXXXXX";
	int fd;

	strcpy(path, "/tmp/kc-dotenv-test.XXXXXX");
	fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	cr_assert_eq(fchmod(fd, mode), 0);
	close(fd);
	return path;
}

static void
key_is(const char *name, const char *want)
{
	char *k = llm_key_get(name);

	if (want == NULL)
		cr_assert_null(k, "%s should be unset", name);
	else
		cr_assert_str_eq(k ? k : "(null)", want, "%s", name);
	llm_key_free(k);
}

Test(llm_keys, dotenv_syntax_export_quotes_comments)
{
	char *p = dotenv_write("# comment\n"
	                       "\n"
	                       "A_KEY=plain-value\n"
	                       "export B_KEY='single # quoted'\n"
	                       "  C_KEY = \"dq \\\"x\\\" # kept\"  # dropped\n"
	                       "D_KEY=bare # comment\r\n"
	                       "E_KEY=\n"
	                       "F_KEY=last-without-newline",
	                       0600);
	char err[512] = "";

	cr_assert_eq(llm_keys_load_dotenv(p, err, sizeof(err)), 0, "%s", err);
	key_is("A_KEY", "plain-value");
	key_is("B_KEY", "single # quoted");
	key_is("C_KEY", "dq \"x\" # kept");
	key_is("D_KEY", "bare");
	key_is("E_KEY", NULL);
	key_is("F_KEY", "last-without-newline");
	cr_assert_null(getenv("A_KEY"), "never put into the environment");
	unlink(p);
	llm_keys_clear();
}

Test(llm_keys, dotenv_environment_wins)
{
	char a[] = "G_KEY=from-env";
	char *envp[] = {a, NULL};
	char *p = dotenv_write("G_KEY=from-file\nH_KEY=only-file\n", 0600);
	char err[512] = "";

	llm_keys_load(envp, NULL);
	cr_assert_eq(llm_keys_load_dotenv(p, err, sizeof(err)), 0, "%s", err);
	key_is("G_KEY", "from-env");
	key_is("H_KEY", "only-file");
	unlink(p);
	llm_keys_clear();
}

Test(llm_keys, dotenv_refuses_writable_by_others_and_bad_lines)
{
	char *p = dotenv_write("I_KEY=x\n", 0602);
	char err[512] = "";

	cr_assert_eq(llm_keys_load_dotenv(p, err, sizeof(err)), -1);
	cr_assert(strstr(err, "writable by others") != NULL, "%s", err);
	key_is("I_KEY", NULL);
	unlink(p);
	p = dotenv_write("J_KEY=ok\nnot a line with the secret-value\n", 0600);
	cr_assert_eq(llm_keys_load_dotenv(p, err, sizeof(err)), -1);
	cr_assert(strstr(err, ":2: ") != NULL, "%s", err);
	cr_assert(strstr(err, "secret-value") == NULL, "the line is never quoted");
	unlink(p);
	p = dotenv_write("K_KEY='unterminated\n", 0600);
	cr_assert_eq(llm_keys_load_dotenv(p, err, sizeof(err)), -1);
	unlink(p);
	cr_assert_eq(llm_keys_load_dotenv("/nonexistent/.env", err, sizeof(err)), -1);
	llm_keys_clear();
}
