/*
 * ipc.h — the one wire protocol between the supervisor and its workers.
 *
 * Transport: NNG. Per worker, one REQ/REP pair (supervisor = REQ, dialer;
 * worker = REP, listener) at "ipc://<rundir>/<role>.req", used through NNG
 * contexts so several requests are in flight at once; and one PUSH/PULL
 * pair at "ipc://<rundir>/<role>.ev" (worker = PUSH) for progress events
 * (streamed model tokens, command output) that belong to a request id.
 *
 * Message = fixed 32-byte header (little-endian) + JSON body (cJSON).
 * Every message is size-capped and validated on receipt (magic, version,
 * type known and allowed in this direction, body length == payload length,
 * body parses as a JSON object). A malformed message is answered with
 * IPC_T_ERROR and logged; it never crashes the receiver.
 *
 * Message bodies are documented in docs/IPC.md (one section per type).
 */
#ifndef KC_IPC_IPC_H
#define KC_IPC_IPC_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#define IPC_MAGIC 0x5043434bu /* "KCCP" little-endian */
#define IPC_VERSION 1
#define IPC_HDR_LEN 32
#define IPC_MAX_BODY (64u * 1024u * 1024u) /* hard cap: 64 MiB */

/* Requests are odd, their replies are the next even number; IPC_T_ERROR
 * answers any request. Append new types at the end of their group: the
 * numbers are part of the wire format. */
enum ipc_type {
	IPC_T_ERROR = 2, /* {"code": "...", "error": "..."} */
	IPC_T_EVENT = 4, /* worker -> supervisor on the event channel */

	IPC_T_PING = 11, IPC_T_PONG = 12,
	IPC_T_SHUTDOWN = 13, IPC_T_SHUTDOWN_OK = 14,

	IPC_T_LLM_COMPLETE = 101, IPC_T_LLM_COMPLETE_OK = 102,

	IPC_T_TOOLS_CONFIGURE = 201, IPC_T_TOOLS_CONFIGURE_OK = 202,
	IPC_T_TOOLS_PARSE = 203, IPC_T_TOOLS_PARSE_OK = 204,
	IPC_T_TOOLS_EXEC = 205, IPC_T_TOOLS_EXEC_OK = 206,
	IPC_T_TOOLS_APPLY = 207, IPC_T_TOOLS_APPLY_OK = 208,
	IPC_T_TOOLS_SNAPSHOT = 209, IPC_T_TOOLS_SNAPSHOT_OK = 210,

	IPC_T_SBX_EXEC = 301, IPC_T_SBX_EXEC_OK = 302,
	IPC_T_SBX_PROBE = 303, IPC_T_SBX_PROBE_OK = 304,
	IPC_T_SBX_DOCTOR = 305, IPC_T_SBX_DOCTOR_OK = 306,
	IPC_T_SBX_MIRROR = 307, IPC_T_SBX_MIRROR_OK = 308,
};

/* Header flags. Bits 0..7 are flag bits (unknown ones are rejected);
 * bits 8..31 of a reply's flags carry the number of events the worker
 * pushed for that request (saturating), so that the caller can wait for
 * all of them before ipc_call returns: the event channel is a separate
 * socket and gives no ordering against the reply. */
#define IPC_F_IDEMPOTENT 0x1u /* safe to re-send after a worker restart */
#define IPC_F_MASK 0xffu
#define IPC_F_EVCOUNT_SHIFT 8
#define IPC_F_EVCOUNT_MAX 0xffffffu

struct ipc_hdr {
	uint32_t magic;
	uint16_t version;
	uint16_t type;
	uint32_t flags;
	uint32_t body_len;
	uint64_t req_id;
	uint32_t deadline_ms; /* relative budget the sender allows; 0 = none */
	uint32_t reserved;    /* must be 0 */
};

/* Return codes of the ipc_* calls. */
enum ipc_rc {
	IPC_OK = 0,
	IPC_E_SYS = -1,     /* local failure (see err text) */
	IPC_E_TIMEOUT = -2, /* deadline passed */
	IPC_E_REMOTE = -3,  /* peer answered IPC_T_ERROR; *reply holds its body */
	IPC_E_CLOSED = -4,  /* peer gone (worker died / restarting) */
	IPC_E_PROTO = -5,   /* malformed or unexpected message */
};

/* "PING", "SBX_EXEC_OK", ...; NULL for a number that is not a type. */
const char *ipc_type_name(uint16_t type);
/* 1 if a request type, and sets *reply_type. */
int ipc_type_is_request(uint16_t type, uint16_t *reply_type);

/* Encode/decode one message. ipc_msg_encode returns a malloc'ed buffer of
 * *len bytes. ipc_msg_decode validates everything listed above and returns
 * the parsed body (caller owns) or NULL with err filled. */
void *ipc_msg_encode(const struct ipc_hdr *h, const cJSON *body, size_t *len);
cJSON *ipc_msg_decode(const void *buf, size_t len, struct ipc_hdr *h, char *err,
		      size_t errlen);

/* ---------------- supervisor side ---------------- */

struct ipc_client;
typedef void (*ipc_event_fn)(const cJSON *event, void *arg);

/* Dial a worker's req and event URLs. The dial does not wait for the
 * worker: NNG keeps retrying in the background and the first ipc_call
 * waits (within its deadline) for the connection. Once the connection to
 * the worker has been up and is lost, the client is "gone": calls in
 * flight and later calls fail with IPC_E_CLOSED. Open a new client for a
 * restarted worker; a request is thus never re-sent by the transport. */
struct ipc_client *ipc_client_open(const char *req_url, const char *ev_url, char *err,
				   size_t errlen);
void ipc_client_close(struct ipc_client *c);

/* One request, waited for up to timeout_ms (0 = the default, 60 s). Thread
 * safe: several threads may call at once (one NNG context each). Events for
 * this request are passed to cb (from the caller's thread, before return).
 * On IPC_OK or IPC_E_REMOTE *reply is set and owned by the caller. */
int ipc_call(struct ipc_client *c, uint16_t type, uint32_t flags, const cJSON *body,
	     int timeout_ms, cJSON **reply, ipc_event_fn cb, void *arg, char *err,
	     size_t errlen);

/* 1 once the connection to the worker was up and is lost. */
int ipc_client_gone(struct ipc_client *c);

/* ---------------- worker side ---------------- */

struct ipc_req; /* one request being served */

/* A handler returns 0 and sets *reply (ownership passes to ipc), or -1 after
 * ipc_req_seterr(). It may run on any of the worker's service threads. */
typedef int (*ipc_handler_fn)(struct ipc_req *req, const cJSON *body, cJSON **reply,
			      void *arg);

struct ipc_handler {
	uint16_t type;	   /* request type accepted */
	ipc_handler_fn fn; /* PING and SHUTDOWN are built in */
};

/* Listen on the URLs and serve until SHUTDOWN or the supervisor is gone.
 * nthreads service threads (>= 1) answer requests concurrently. Returns 0
 * on orderly shutdown, 1 when the supervisor went away, -1 on a setup
 * error (logged). PING (-> PONG {"role","pid","uptime_ms"}) and SHUTDOWN
 * are answered here; a malformed, oversized or unknown message is answered
 * with IPC_T_ERROR. The role in PONG is the program name without its
 * "kylecode-" prefix. */
int ipc_worker_serve(const char *req_url, const char *ev_url, const struct ipc_handler *tab,
		     size_t ntab, void *arg, int nthreads);

void ipc_req_seterr(struct ipc_req *r, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
uint64_t ipc_req_id(const struct ipc_req *r);
/* Milliseconds left before the request's deadline; -1 if none. */
int64_t ipc_req_remaining_ms(const struct ipc_req *r);
/* Send a progress event for this request; takes ownership of ev. The
 * field "req_id" is added. Returns 0 or -1 (event dropped, never fatal).
 * Only while the handler runs (r lives on the service thread's stack);
 * from other threads too, as long as the handler waits for them. */
int ipc_req_event(struct ipc_req *r, cJSON *ev);

#endif
