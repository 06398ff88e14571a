/* Key store: keys leave the environment and its bytes are wiped. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "worker-llm/keys.h"

Test(llm_keys, secret_names)
{
	cr_assert(llm_keys_is_secret_name("OPENAI_API_KEY", 14));
	cr_assert(llm_keys_is_secret_name("GH_TOKEN", 8));
	cr_assert(llm_keys_is_secret_name("X_KEY", 5));
	cr_assert_not(llm_keys_is_secret_name("PATH", 4));
	cr_assert_not(llm_keys_is_secret_name("KEYBOARD", 8));
}

Test(llm_keys, load_moves_keys_out_and_wipes_the_original_bytes)
{
	char a[] = "OPENAI_API_KEY=sk-test-123";
	char b[] = "HOME=/root";
	char *envp[] = {a, b, NULL};
	char *k;

	llm_keys_load(envp);
	k = llm_key_get("OPENAI_API_KEY");
	cr_assert_str_eq(k, "sk-test-123");
	llm_key_free(k);
	cr_assert_str_eq(a, "OPENAI_API_KEY=", "value bytes zeroed in place");
	cr_assert_eq(a[sizeof(a) - 2], '\0');
	cr_assert_str_eq(b, "HOME=/root");
	llm_keys_clear();
	cr_assert_null(llm_key_get("OPENAI_API_KEY"));
}

Test(llm_keys, real_environment_is_scrubbed)
{
	extern char **environ;

	setenv("KC_TEST_API_KEY", "s3cret-value", 1);
	llm_keys_load(environ);
	cr_assert_null(getenv("KC_TEST_API_KEY"));
	{
		char *k = llm_key_get("KC_TEST_API_KEY");

		cr_assert_str_eq(k, "s3cret-value");
		llm_key_free(k);
	}
	llm_keys_clear();
}

Test(llm_keys, other_names_fall_back_to_getenv_and_empty_is_unset)
{
	char *k;

	setenv("KC_ODD_SECRET", "v", 1);
	k = llm_key_get("KC_ODD_SECRET");
	cr_assert_str_eq(k, "v");
	llm_key_free(k);
	setenv("KC_EMPTY_SECRET", "", 1);
	cr_assert_null(llm_key_get("KC_EMPTY_SECRET"));
	cr_assert_null(llm_key_get(NULL));
}
