/* ipc_msg_test.c — the wire format: encode/decode round trip and every
 * rejection rule of ipc_msg_decode(). */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ipc/ipc.h"

static unsigned char *
msg_make(uint16_t type, const char *json, size_t *len)
{
	struct ipc_hdr h = {0};
	cJSON *b = json != NULL ? cJSON_Parse(json) : NULL;
	unsigned char *buf;

	h.type = type;
	h.req_id = 0x1122334455667788ull;
	h.deadline_ms = 5000;
	h.flags = IPC_F_IDEMPOTENT;
	buf = ipc_msg_encode(&h, b, len);
	cJSON_Delete(b);
	cr_assert_not_null(buf);
	return buf;
}

static void
put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

Test(ipc_msg, round_trip_keeps_header_and_body)
{
	struct ipc_hdr h;
	size_t len;
	char err[256] = "";
	unsigned char *buf = msg_make(IPC_T_PING, "{\"a\":[1,2,{\"b\":\"c\"}]}", &len);
	cJSON *j = ipc_msg_decode(buf, len, &h, err, sizeof(err));

	cr_assert_not_null(j, "%s", err);
	cr_assert_eq(h.type, IPC_T_PING);
	cr_assert_eq(h.req_id, 0x1122334455667788ull);
	cr_assert_eq(h.deadline_ms, 5000);
	cr_assert_eq(h.flags, IPC_F_IDEMPOTENT);
	cr_assert_eq(h.body_len, len - IPC_HDR_LEN);
	cr_assert_str_eq(
	    cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "a"), 2), "b")
	        ->valuestring,
	    "c");
	cJSON_Delete(j);
	free(buf);
}

Test(ipc_msg, header_is_little_endian_on_the_wire)
{
	size_t len;
	unsigned char *buf = msg_make(IPC_T_SBX_EXEC, "{}", &len);

	cr_assert_eq(memcmp(buf, "KCCP", 4), 0);
	cr_assert_eq(buf[4], IPC_VERSION);
	cr_assert_eq(buf[6], IPC_T_SBX_EXEC & 0xff);
	cr_assert_eq(buf[7], IPC_T_SBX_EXEC >> 8);
	cr_assert_eq(buf[16], 0x88);
	cr_assert_eq(buf[23], 0x11);
	free(buf);
}

Test(ipc_msg, null_body_encodes_as_empty_object)
{
	struct ipc_hdr h;
	size_t len;
	unsigned char *buf = msg_make(IPC_T_PING, NULL, &len);
	cJSON *j = ipc_msg_decode(buf, len, &h, NULL, 0);

	cr_assert(cJSON_IsObject(j));
	cr_assert_eq(len, IPC_HDR_LEN + 2);
	cJSON_Delete(j);
	free(buf);
}

Test(ipc_msg, rejects_truncated_header)
{
	struct ipc_hdr h;
	size_t len, i;
	char err[256];
	unsigned char *buf = msg_make(IPC_T_PING, "{}", &len);

	for (i = 0; i < IPC_HDR_LEN; i++)
		cr_assert_null(ipc_msg_decode(buf, i, &h, err, sizeof(err)), "len %zu", i);
	cr_assert(strstr(err, "truncated") != NULL, "%s", err);
	cr_assert_null(ipc_msg_decode(NULL, 0, &h, err, sizeof(err)));
	free(buf);
}

Test(ipc_msg, rejects_wrong_magic)
{
	struct ipc_hdr h;
	size_t len;
	char err[256];
	unsigned char *buf = msg_make(IPC_T_PING, "{}", &len);

	buf[0] ^= 0xff;
	cr_assert_null(ipc_msg_decode(buf, len, &h, err, sizeof(err)));
	cr_assert(strstr(err, "magic") != NULL, "%s", err);
	free(buf);
}

Test(ipc_msg, rejects_other_version)
{
	struct ipc_hdr h;
	size_t len;
	char err[256];
	unsigned char *buf = msg_make(IPC_T_PING, "{}", &len);

	buf[4] = IPC_VERSION + 1;
	cr_assert_null(ipc_msg_decode(buf, len, &h, err, sizeof(err)));
	cr_assert(strstr(err, "version") != NULL, "%s", err);
	free(buf);
}

Test(ipc_msg, rejects_unknown_type)
{
	struct ipc_hdr h;
	size_t len;
	char err[256];
	unsigned char *buf = msg_make(IPC_T_PING, "{}", &len);

	buf[6] = 99;
	cr_assert_null(ipc_msg_decode(buf, len, &h, err, sizeof(err)));
	cr_assert(strstr(err, "unknown message type 99") != NULL, "%s", err);
	free(buf);
}

Test(ipc_msg, rejects_reserved_bits)
{
	struct ipc_hdr h;
	size_t len;
	unsigned char *buf = msg_make(IPC_T_PING, "{}", &len);

	buf[28] = 1;
	cr_assert_null(ipc_msg_decode(buf, len, &h, NULL, 0));
	buf[28] = 0;
	buf[8] = 0x80; /* an undefined flag bit */
	cr_assert_null(ipc_msg_decode(buf, len, &h, NULL, 0));
	free(buf);
}

Test(ipc_msg, rejects_body_len_mismatch)
{
	struct ipc_hdr h;
	size_t len;
	char err[256];
	unsigned char *buf = msg_make(IPC_T_PING, "{\"x\":1}", &len);

	put32(buf + 12, (uint32_t)(len - IPC_HDR_LEN + 1));
	cr_assert_null(ipc_msg_decode(buf, len, &h, err, sizeof(err)));
	cr_assert(strstr(err, "body_len") != NULL, "%s", err);
	put32(buf + 12, (uint32_t)(len - IPC_HDR_LEN - 1));
	cr_assert_null(ipc_msg_decode(buf, len, &h, err, sizeof(err)));
	/* the header is still reported so that the request id can be answered */
	cr_assert_eq(h.req_id, 0x1122334455667788ull);
	free(buf);
}

Test(ipc_msg, refuses_100_mib_body)
{
	struct ipc_hdr h = {0};
	size_t big = 100u * 1024u * 1024u, len;
	char err[256];
	unsigned char *buf = calloc(1, IPC_HDR_LEN + big);
	unsigned char *hdr = msg_make(IPC_T_PING, "{}", &len);
	char *s;
	cJSON *j;

	cr_assert_not_null(buf);
	memcpy(buf, hdr, IPC_HDR_LEN);
	put32(buf + 12, (uint32_t)big);
	memset(buf + IPC_HDR_LEN, ' ', big);
	buf[IPC_HDR_LEN] = '{';
	buf[IPC_HDR_LEN + big - 1] = '}';
	cr_assert_null(ipc_msg_decode(buf, IPC_HDR_LEN + big, &h, err, sizeof(err)));
	cr_assert(strstr(err, "cap") != NULL, "%s", err);
	free(buf);
	free(hdr);

	/* and the encoder will not produce one */
	s = malloc(big + 1);
	memset(s, 'a', big);
	s[big] = '\0';
	j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "s", s);
	free(s);
	h.type = IPC_T_PING;
	cr_assert_null(ipc_msg_encode(&h, j, &len));
	cJSON_Delete(j);
}

static void
expect_bad_body(const char *body, size_t blen)
{
	struct ipc_hdr h;
	size_t len;
	char err[256];
	unsigned char *hdr = msg_make(IPC_T_PING, "{}", &len);
	unsigned char *buf = malloc(IPC_HDR_LEN + blen);

	memcpy(buf, hdr, IPC_HDR_LEN);
	memcpy(buf + IPC_HDR_LEN, body, blen);
	put32(buf + 12, (uint32_t)blen);
	cr_assert_null(ipc_msg_decode(buf, IPC_HDR_LEN + blen, &h, err, sizeof(err)),
	               "accepted body '%.*s'", (int)blen, body);
	free(buf);
	free(hdr);
}

Test(ipc_msg, rejects_non_object_json)
{
	expect_bad_body("[1,2]", 5);
	expect_bad_body("42", 2);
	expect_bad_body("\"s\"", 3);
	expect_bad_body("null", 4);
	expect_bad_body("", 0);
}

Test(ipc_msg, rejects_invalid_json_and_trailing_bytes)
{
	expect_bad_body("{", 1);
	expect_bad_body("{\"a\":}", 6);
	expect_bad_body("{} {}", 5);
	expect_bad_body("{}x", 3);
	expect_bad_body("{\"a\":\"\0\"}", 9);
}

Test(ipc_msg, rejects_duplicate_keys_at_any_depth)
{
	expect_bad_body("{\"a\":1,\"a\":2}", 13);
	expect_bad_body("{\"x\":[{\"k\":1,\"j\":0,\"k\":2}]}", 27);
}

Test(ipc_msg, rejects_numbers_that_overflow_a_double)
{
	expect_bad_body("{\"t\":1e999}", 12);
	expect_bad_body("{\"t\":[-1e999]}", 14);
}

Test(ipc_msg, accepts_trailing_whitespace)
{
	struct ipc_hdr h;
	size_t len;
	unsigned char *hdr = msg_make(IPC_T_PING, "{}", &len);
	unsigned char buf[IPC_HDR_LEN + 4];
	cJSON *j;

	memcpy(buf, hdr, IPC_HDR_LEN);
	memcpy(buf + IPC_HDR_LEN, "{}\n ", 4);
	put32(buf + 12, 4);
	j = ipc_msg_decode(buf, sizeof(buf), &h, NULL, 0);
	cr_assert_not_null(j);
	cJSON_Delete(j);
	free(hdr);
}

Test(ipc_msg, survives_random_garbage)
{
	unsigned char buf[512];
	struct ipc_hdr h;
	unsigned int seed = 12345;
	int i;
	size_t j, len;
	cJSON *r;

	for (i = 0; i < 20000; i++) {
		len = (size_t)rand_r(&seed) % sizeof(buf);
		for (j = 0; j < len; j++)
			buf[j] = (unsigned char)rand_r(&seed);
		if (i % 2 == 0 && len >= IPC_HDR_LEN) { /* a valid prefix, garbage after */
			memcpy(buf, "KCCP\x01\x00\x0b\x00\x00\x00\x00\x00", 12);
			put32(buf + 12, (uint32_t)(len - IPC_HDR_LEN));
			memset(buf + 28, 0, 4);
		}
		r = ipc_msg_decode(buf, len, &h, NULL, 0);
		cJSON_Delete(r);
	}
}

Test(ipc_type, names_and_request_pairs)
{
	uint16_t rt = 0;

	cr_assert_str_eq(ipc_type_name(IPC_T_SBX_EXEC_OK), "SBX_EXEC_OK");
	cr_assert_null(ipc_type_name(0));
	cr_assert_null(ipc_type_name(1000));
	cr_assert(ipc_type_is_request(IPC_T_TOOLS_PARSE, &rt));
	cr_assert_eq(rt, IPC_T_TOOLS_PARSE_OK);
	cr_assert_not(ipc_type_is_request(IPC_T_TOOLS_PARSE_OK, &rt));
	cr_assert_not(ipc_type_is_request(IPC_T_ERROR, &rt));
	cr_assert_not(ipc_type_is_request(IPC_T_EVENT, &rt));
	cr_assert_not(ipc_type_is_request(999, &rt));
}
