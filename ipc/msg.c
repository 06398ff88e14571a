/* msg.c — the wire format: type table, header encode/decode, validation.
 *
 * The header is written and read byte by byte in little-endian order so
 * that the format does not depend on struct layout or host byte order.
 * ipc_msg_decode() is the only place where bytes from another process are
 * interpreted; everything it accepts has been checked here. */
#include "ipc/ipc.h"
#include "ipc/json.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ipc_type_info {
	uint16_t type;
	const char *name;
};

static const struct ipc_type_info ipc_types[] = {
    {IPC_T_ERROR, "ERROR"},
    {IPC_T_EVENT, "EVENT"},
    {IPC_T_PING, "PING"},
    {IPC_T_PONG, "PONG"},
    {IPC_T_SHUTDOWN, "SHUTDOWN"},
    {IPC_T_SHUTDOWN_OK, "SHUTDOWN_OK"},
    {IPC_T_LLM_COMPLETE, "LLM_COMPLETE"},
    {IPC_T_LLM_COMPLETE_OK, "LLM_COMPLETE_OK"},
    {IPC_T_TOOLS_CONFIGURE, "TOOLS_CONFIGURE"},
    {IPC_T_TOOLS_CONFIGURE_OK, "TOOLS_CONFIGURE_OK"},
    {IPC_T_TOOLS_PARSE, "TOOLS_PARSE"},
    {IPC_T_TOOLS_PARSE_OK, "TOOLS_PARSE_OK"},
    {IPC_T_TOOLS_EXEC, "TOOLS_EXEC"},
    {IPC_T_TOOLS_EXEC_OK, "TOOLS_EXEC_OK"},
    {IPC_T_TOOLS_APPLY, "TOOLS_APPLY"},
    {IPC_T_TOOLS_APPLY_OK, "TOOLS_APPLY_OK"},
    {IPC_T_TOOLS_SNAPSHOT, "TOOLS_SNAPSHOT"},
    {IPC_T_TOOLS_SNAPSHOT_OK, "TOOLS_SNAPSHOT_OK"},
    {IPC_T_SBX_EXEC, "SBX_EXEC"},
    {IPC_T_SBX_EXEC_OK, "SBX_EXEC_OK"},
    {IPC_T_SBX_PROBE, "SBX_PROBE"},
    {IPC_T_SBX_PROBE_OK, "SBX_PROBE_OK"},
    {IPC_T_SBX_DOCTOR, "SBX_DOCTOR"},
    {IPC_T_SBX_DOCTOR_OK, "SBX_DOCTOR_OK"},
    {IPC_T_SBX_MIRROR, "SBX_MIRROR"},
    {IPC_T_SBX_MIRROR_OK, "SBX_MIRROR_OK"},
};

static void msg_seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

const char *
ipc_type_name(uint16_t type)
{
	size_t i;

	for (i = 0; i < sizeof(ipc_types) / sizeof(ipc_types[0]); i++)
		if (ipc_types[i].type == type)
			return ipc_types[i].name;
	return NULL;
}

/* Requests are the odd numbers of the table; ERROR and EVENT are even. */
int
ipc_type_is_request(uint16_t type, uint16_t *reply_type)
{
	if (ipc_type_name(type) == NULL || (type & 1u) == 0)
		return 0;
	if (ipc_type_name((uint16_t)(type + 1)) == NULL)
		return 0;
	if (reply_type != NULL)
		*reply_type = (uint16_t)(type + 1);
	return 1;
}

static void
msg_seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static void
put_le(unsigned char *p, uint64_t v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t
get_le(const unsigned char *p, int n)
{
	uint64_t v = 0;
	int i;

	for (i = n - 1; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static void
msg_hdr_write(unsigned char *p, const struct ipc_hdr *h, uint32_t body_len)
{
	put_le(p + 0, IPC_MAGIC, 4);
	put_le(p + 4, IPC_VERSION, 2);
	put_le(p + 6, h->type, 2);
	put_le(p + 8, h->flags, 4);
	put_le(p + 12, body_len, 4);
	put_le(p + 16, h->req_id, 8);
	put_le(p + 24, h->deadline_ms, 4);
	put_le(p + 28, 0, 4);
}

static void
msg_hdr_read(const unsigned char *p, struct ipc_hdr *h)
{
	h->magic = (uint32_t)get_le(p + 0, 4);
	h->version = (uint16_t)get_le(p + 4, 2);
	h->type = (uint16_t)get_le(p + 6, 2);
	h->flags = (uint32_t)get_le(p + 8, 4);
	h->body_len = (uint32_t)get_le(p + 12, 4);
	h->req_id = get_le(p + 16, 8);
	h->deadline_ms = (uint32_t)get_le(p + 24, 4);
	h->reserved = (uint32_t)get_le(p + 28, 4);
}

/* Magic, version, type and version fields, then the length rules. The body
 * is not looked at here. */
static int
msg_hdr_check(const struct ipc_hdr *h, size_t len, char *err, size_t errlen)
{
	if (h->magic != IPC_MAGIC) {
		msg_seterr(err, errlen, "bad magic 0x%08x", (unsigned)h->magic);
		return -1;
	}
	if (h->version != IPC_VERSION) {
		msg_seterr(err, errlen, "unsupported protocol version %u (want %u)",
		           (unsigned)h->version, (unsigned)IPC_VERSION);
		return -1;
	}
	if (ipc_type_name(h->type) == NULL) {
		msg_seterr(err, errlen, "unknown message type %u", (unsigned)h->type);
		return -1;
	}
	if (h->reserved != 0 || (h->flags & IPC_F_MASK & ~IPC_F_IDEMPOTENT) != 0) {
		msg_seterr(err, errlen, "reserved bits set (flags 0x%x, reserved 0x%x)",
		           (unsigned)h->flags, (unsigned)h->reserved);
		return -1;
	}
	if (h->body_len > IPC_MAX_BODY) {
		msg_seterr(err, errlen, "body of %u bytes exceeds the %u byte cap",
		           (unsigned)h->body_len, (unsigned)IPC_MAX_BODY);
		return -1;
	}
	if ((size_t)h->body_len != len - IPC_HDR_LEN) {
		msg_seterr(err, errlen, "body_len %u but %zu bytes follow the header",
		           (unsigned)h->body_len, len - IPC_HDR_LEN);
		return -1;
	}
	return 0;
}

static int
msg_name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Rationale: with a duplicate key, which value counts depends on the
 * reader (cJSON takes the first, others the last); a check made on one
 * and a use of the other is the classic parser-differential hole. Such a
 * body is refused. Sorting keeps this O(n log n) per object. Numbers that
 * overflow a double (1e999) are refused too: they become infinities that
 * later casts to int turn into anything. */
static int
msg_dupkeys(const cJSON *j)
{
	const cJSON *c;
	const char **names;
	size_t n = 0, i;
	int dup = 0;

	for (c = j->child; c != NULL; c = c->next) {
		if ((cJSON_IsObject(c) || cJSON_IsArray(c)) && msg_dupkeys(c))
			return 1;
		if (cJSON_IsNumber(c) && !isfinite(c->valuedouble))
			return 1;
		n++;
	}
	if (!cJSON_IsObject(j) || n < 2)
		return 0;
	if ((names = malloc(n * sizeof(*names))) == NULL)
		return 1;
	for (c = j->child, i = 0; c != NULL; c = c->next)
		names[i++] = c->string != NULL ? c->string : "";
	qsort(names, n, sizeof(*names), msg_name_cmp);
	for (i = 1; i < n && !dup; i++)
		dup = strcmp(names[i - 1], names[i]) == 0;
	free(names);
	return dup;
}

void *
ipc_msg_encode(const struct ipc_hdr *h, const cJSON *body, size_t *len)
{
	cJSON *empty = NULL;
	unsigned char *buf;
	size_t blen;

	if (body == NULL && (body = empty = cJSON_CreateObject()) == NULL)
		return NULL;
	buf = (unsigned char *)ipc_json_print(body, IPC_HDR_LEN, &blen);
	cJSON_Delete(empty);
	if (buf == NULL)
		return NULL;
	if (blen > IPC_MAX_BODY) {
		free(buf);
		return NULL;
	}
	msg_hdr_write(buf, h, (uint32_t)blen);
	*len = IPC_HDR_LEN + blen;
	return buf;
}

/* The header is filled in *h as soon as it could be read, even when the
 * message is then refused, so that a receiver can answer the request id. */
cJSON *
ipc_msg_decode(const void *buf, size_t len, struct ipc_hdr *h, char *err, size_t errlen)
{
	const char *body;
	char jerr[128];
	cJSON *j;

	memset(h, 0, sizeof(*h));
	if (buf == NULL || len < IPC_HDR_LEN) {
		msg_seterr(err, errlen, "truncated header: %zu bytes, need %d", len, IPC_HDR_LEN);
		return NULL;
	}
	msg_hdr_read(buf, h);
	if (msg_hdr_check(h, len, err, errlen) < 0)
		return NULL;
	body = (const char *)buf + IPC_HDR_LEN;
	if (h->body_len == 0) {
		msg_seterr(err, errlen, "body is empty");
		return NULL;
	}
	/* ipc_json_parse, not cJSON: strict (no raw control bytes or NULs, no
	 * \u0000, no lone surrogates) and it copies strings in runs. */
	if ((j = ipc_json_parse(body, h->body_len, jerr, sizeof(jerr))) == NULL) {
		msg_seterr(err, errlen, "body is not valid JSON: %s", jerr);
		return NULL;
	}
	if (!cJSON_IsObject(j)) {
		msg_seterr(err, errlen, "body is not one JSON object");
		cJSON_Delete(j);
		return NULL;
	}
	if (msg_dupkeys(j)) {
		msg_seterr(err, errlen, "body has a duplicate key or a number out of range");
		cJSON_Delete(j);
		return NULL;
	}
	return j;
}
