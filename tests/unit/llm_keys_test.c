/* Key store: the environment moves into private memory and its bytes are
 * wiped in place. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

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
