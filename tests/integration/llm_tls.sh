#!/bin/bash
# TLS: kylecode-llm (confined: seccomp + Landlock) against a local HTTPS
# server with a certificate from a private CA. Without the CA the call
# fails at once (verification is always on, and not retried); with
# SSL_CERT_FILE pointing at the CA the handshake and the call succeed.
set -u
WORKER="$KC_BIN/kylecode-llm"
DRIVER="$KC_BIN/llm_driver"
[ -x "$WORKER" ] && [ -x "$DRIVER" ] || { echo "skip: binaries not built"; exit 77; }
for c in openssl python3 jq; do
	command -v $c >/dev/null || { echo "skip: $c not installed"; exit 77; }
done
T=$(mktemp -d /tmp/kc-llm-tls.XXXXXX)
SRV_PID=
cleanup() {
	[ -n "$SRV_PID" ] && kill "$SRV_PID" 2>/dev/null && wait "$SRV_PID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/ca.key" -out "$T/ca.pem" -days 2 \
	-subj "/CN=kylecode test CA" 2>/dev/null || fail "CA"
openssl req -newkey rsa:2048 -nodes -keyout "$T/srv.key" -out "$T/srv.csr" \
	-subj "/CN=127.0.0.1" 2>/dev/null || fail "CSR"
printf 'subjectAltName=IP:127.0.0.1\n' >"$T/ext"
openssl x509 -req -in "$T/srv.csr" -CA "$T/ca.pem" -CAkey "$T/ca.key" -CAcreateserial \
	-out "$T/srv.pem" -days 2 -extfile "$T/ext" 2>/dev/null || fail "server cert"

python3 "$KC_SRC/tests/integration/llm_tls_server.py" "$T/srv.pem" "$T/srv.key" "$T/port" &
SRV_PID=$!
for _ in $(seq 1 100); do [ -s "$T/port" ] && break; sleep 0.05; done
[ -s "$T/port" ] || fail "server did not start"
URL="https://127.0.0.1:$(cat "$T/port")/v1"
jq -n --arg u "$URL" '{model:{id:"private-model",base_url:$u,api_key_env:"KC_TLS_API_KEY"},
	stream:false, messages:[{role:"user",content:"hi"}]}' >"$T/req.json"

# 1. The system trust store does not know the private CA: refused, once.
KC_TLS_API_KEY=k "$DRIVER" --worker "$WORKER" --request "$T/req.json" >"$T/1.out" 2>"$T/1.log" ||
	fail "driver: $(tail -3 "$T/1.log")"
jq -e '.ok == false and (.error.error|test("certificate"))' "$T/1.out" >/dev/null ||
	fail "untrusted certificate accepted or unclear: $(cat "$T/1.out")"
jq -e '.error.error|test("attempt 1\\)")' "$T/1.out" >/dev/null &&
	! jq -e '.error.error|test("attempt 2")' "$T/1.out" >/dev/null || fail "retried: $(cat "$T/1.out")"
echo "ok: untrusted certificate refused without retry"

# 2. With the CA as SSL_CERT_FILE the confined worker completes the call.
SSL_CERT_FILE="$T/ca.pem" KC_TLS_API_KEY=k "$DRIVER" --worker "$WORKER" --request "$T/req.json" \
	>"$T/2.out" 2>"$T/2.log" || fail "driver: $(tail -3 "$T/2.log")"
[ "$(jq -r .reply.content "$T/2.out")" = "over tls" ] || fail "no answer over TLS: $(cat "$T/2.out")"
echo "ok: private CA via SSL_CERT_FILE, handshake inside the sandbox"
echo "llm_tls: 2 passed, 0 failed"
