/* ipc_json_test.c — the strict JSON reader and fast writer of ipc/json.c:
 * what they accept and refuse, UTF-8 from \u escapes, escapes at every
 * position of the 16-byte scan, and byte-identity with cJSON's writer. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "ipc/json.h"

static cJSON *
parse(const char *s)
{
	return ipc_json_parse(s, strlen(s), NULL, 0);
}

static void
refuse(const char *s, const char *why)
{
	char err[128] = "";
	cJSON *j = ipc_json_parse(s, strlen(s), err, sizeof(err));

	cr_assert_null(j, "accepted %s", s);
	cr_assert(strstr(err, why) != NULL, "%s: %s", s, err);
}

Test(ipc_json, reads_every_kind_of_value)
{
	cJSON *j = parse(" {\"s\":\"x\",\"n\":-1.5e2,\"t\":true,\"f\":false,\"z\":null,"
	                 "\"a\":[1,[2,{}]],\"o\":{\"k\":0}} ");

	cr_assert_not_null(j);
	cr_assert_str_eq(cJSON_GetObjectItem(j, "s")->valuestring, "x");
	cr_assert_eq(cJSON_GetObjectItem(j, "n")->valuedouble, -150.0);
	cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(j, "t")));
	cr_assert(cJSON_IsFalse(cJSON_GetObjectItem(j, "f")));
	cr_assert(cJSON_IsNull(cJSON_GetObjectItem(j, "z")));
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "a")), 2);
	cJSON_Delete(j);
}

Test(ipc_json, decodes_escapes_and_surrogate_pairs_to_utf8)
{
	cJSON *j = parse("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\u20ac\\ud83d\\ude00\"");

	cr_assert_not_null(j);
	cr_assert_str_eq(j->valuestring, "a\"b\\c/d\b\f\n\r\t\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
	cJSON_Delete(j);
}

Test(ipc_json, refuses_what_cjson_would_let_through)
{
	refuse("[01]", "bad array"); /* leading zero: 0, then garbage */
	refuse("[1.]", "bad number");
	refuse("[-]", "bad number");
	refuse("[1e]", "bad number");
	refuse("\"a\nb\"", "control character");
	refuse("\"a\\u0000b\"", "bad \\u escape");
	refuse("\"\\ud800\"", "lone surrogate");
	refuse("\"\\udc00\"", "bad \\u escape");
	refuse("\"\\x\"", "bad escape");
	refuse("[1e999]", "out of range");
	refuse("{\"a\" 1}", "bad object");
	refuse("{\"a\":1,}", "bad object");
	refuse("[1,]", "bad number");
	refuse("{} {}", "trailing");
	refuse("\"abc", "unterminated");
	refuse("tru", "unexpected");
	refuse("", "unexpected end");
}

Test(ipc_json, nesting_is_capped)
{
	char *deep = malloc(4002);
	cJSON *j;

	memset(deep, '[', 2000);
	memset(deep + 2000, ']', 2000);
	deep[4000] = '\0';
	refuse(deep, "nested too deep");
	memset(deep, '[', 500);
	memset(deep + 500, ']', 500);
	deep[1000] = '\0';
	j = parse(deep);
	cr_assert_not_null(j);
	cJSON_Delete(j);
	free(deep);
}

/* An escape at every offset around the vector scan's 16-byte steps. */
Test(ipc_json, escapes_at_every_offset_round_trip)
{
	char s[80], *ours, *theirs;
	size_t len;
	int at;

	for (at = 0; at < 40; at++) {
		cJSON *str, *back;

		memset(s, 'a', sizeof(s));
		s[at] = at % 3 == 0 ? '"' : at % 3 == 1 ? '\\' : '\n';
		s[60] = '\0';
		str = cJSON_CreateString(s);
		ours = ipc_json_print(str, 0, &len);
		theirs = cJSON_PrintUnformatted(str);
		cr_assert_eq(len, strlen(theirs), "offset %d", at);
		cr_assert_eq(memcmp(ours, theirs, len), 0, "offset %d", at);
		back = ipc_json_parse(ours, len, NULL, 0);
		cr_assert_not_null(back);
		cr_assert_str_eq(back->valuestring, s, "offset %d", at);
		cJSON_Delete(back);
		cJSON_Delete(str);
		free(ours);
		free(theirs);
	}
}

Test(ipc_json, writer_matches_cjson_on_numbers_and_controls)
{
	const char *src = "{\"n\":[0,-0,1,-1,0.1,1e300,123456789012,1.2345678901234567e+19,"
	                  "3.14159265358979],\"c\":\"\\u0001\\u001f\\u007f\"}";
	cJSON *j = cJSON_Parse(src);
	char *ours, *theirs;
	size_t len;

	ours = ipc_json_print(j, 5, &len);
	theirs = cJSON_PrintUnformatted(j);
	cr_assert_eq(len, strlen(theirs));
	cr_assert_eq(memcmp(ours + 5, theirs, len), 0, "%.*s vs %s", (int)len, ours + 5, theirs);
	free(ours);
	free(theirs);
	cJSON_Delete(j);
}
