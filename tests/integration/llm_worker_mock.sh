#!/bin/bash
# kylecode-llm (real binary, over IPC via llm_driver) against
# kylecode-mockllm (real HTTP on 127.0.0.1): both adapters, streamed and
# not, native tool calls, every fault kind, fallback, probes, and the key
# staying out of bodies, logs, replies and the worker's environ.
set -u
WORKER="$KC_BIN/kylecode-llm"
MOCK="$KC_BIN/kylecode-mockllm"
DRIVER="$KC_BIN/llm_driver"
for b in "$WORKER" "$MOCK" "$DRIVER"; do
	[ -x "$b" ] || { echo "skip: $b not built"; exit 77; }
done
command -v jq >/dev/null || { echo "skip: jq not installed"; exit 77; }
T=$(mktemp -d /tmp/kc-llm-it.XXXXXX)
MOCK_PID=
cleanup() {
	if [ -n "$MOCK_PID" ]; then kill "$MOCK_PID" 2>/dev/null; wait "$MOCK_PID" 2>/dev/null; fi
	rm -rf "$T"
}
trap cleanup EXIT
PASS=0
FAIL=0
fail() { echo "FAIL: $CASE: $*" >&2; FAIL=$((FAIL + 1)); return 1; }
ok() { echo "ok: $CASE"; PASS=$((PASS + 1)); }

mock_stop() {
	if [ -n "$MOCK_PID" ]; then kill "$MOCK_PID" 2>/dev/null; wait "$MOCK_PID" 2>/dev/null; fi
	MOCK_PID=
}

# mock_start: the script is read from stdin.
mock_start() {
	mock_stop
	cat >"$T/script.yaml"
	rm -f "$T/port"
	"$MOCK" --script "$T/script.yaml" --port-file "$T/port" --quiet >"$T/mock.out" 2>"$T/mock.err" &
	MOCK_PID=$!
	for _ in $(seq 1 200); do
		[ -s "$T/port" ] && break
		kill -0 "$MOCK_PID" 2>/dev/null || { echo "mock died: $(cat "$T/mock.err")"; exit 1; }
		sleep 0.05
	done
	PORT=$(cat "$T/port")
	BASE="http://127.0.0.1:$PORT/v1"
}

# request NAME ADAPTER STREAM [EXTRA_MODEL_JSON] [EXTRA_REQ_JSON]
request() {
	local model='{"id":"mock/dev","adapter":"'"$2"'","base_url":"'"$BASE"'","routing":{"backoff_base_ms":20,"backoff_max_ms":200}}'
	[ -n "${4:-}" ] && model=$(jq -c --argjson m "$model" -n "\$m * $4")
	jq -n --argjson m "$model" --argjson s "$3" '{model:$m, stream:$s, timeout_ms:30000,
		messages:[{role:"system",content:"You are terse."},{role:"user",content:"Fix the bug."}]}' \
		>"$T/$1.json"
	if [ -n "${5:-}" ]; then jq -c ". * $5" "$T/$1.json" >"$T/$1.tmp" && mv "$T/$1.tmp" "$T/$1.json"; fi
}

# drive OUT REQ...: run the worker; stdout lines -> $T/OUT.out, log -> $T/OUT.log
drive() {
	local out=$1; shift
	local args=()
	for r in "$@"; do args+=(--request "$T/$r.json"); done
	"$DRIVER" --worker "$WORKER" "${args[@]}" >"$T/$out.out" 2>"$T/$out.log"
	local rc=$?
	[ $rc -eq 0 ] || echo "driver exit $rc; log tail: $(tail -5 "$T/$out.log")" >&2
	return $rc
}
reply() { sed -n "${2:-1}p" "$T/$1.out"; }
TOOLS='{"tools":[{"name":"read_file","description":"Read a file","parameters":{"type":"object","properties":{"path":{"type":"string"}}}},{"name":"run_shell","parameters":{"type":"object","properties":{"command":{"type":"string"}}}}],"tool_choice":"auto"}'

case_stream_openai() {
	CASE="openai streamed text and two native tool calls"
	mock_start <<'Y'
turns:
  - text: "Hello wörld — 日本 🙂, streamed in small pieces."
    chunk_bytes: 7
    tool_calls:
      - {id: call_1, name: read_file, arguments: {path: "src/a.c"}}
      - {id: call_2, name: run_shell, arguments: {command: "make test"}}
    usage: {prompt_tokens: 11, completion_tokens: 7}
Y
	request r1 openai true "" "$TOOLS"
	drive s r1 || { fail "driver exit $? $(tail -3 "$T/s.log")"; return; }
	local r; r=$(reply s)
	[ "$(jq -r .ok <<<"$r")" = true ] || { fail "not ok: $r"; return; }
	[ "$(jq -r .reply.content <<<"$r")" = "Hello wörld — 日本 🙂, streamed in small pieces." ] || { fail "content: $(jq .reply.content <<<"$r")"; return; }
	[ "$(jq -r '[.events[]|select(.kind=="token")|.text]|join("")' <<<"$r")" = "Hello wörld — 日本 🙂, streamed in small pieces." ] || { fail "token events do not add up"; return; }
	[ "$(jq -r '.reply.tool_calls|map(.id+":"+.name+":"+(.arguments|fromjson|tostring))|join(",")' <<<"$r")" = 'call_1:read_file:{"path":"src/a.c"},call_2:run_shell:{"command":"make test"}' ] || { fail "tool calls: $(jq -c .reply.tool_calls <<<"$r")"; return; }
	[ "$(jq -r .reply.finish_reason <<<"$r")" = tool_calls ] || { fail "finish"; return; }
	[ "$(jq -r .reply.usage.total_tokens <<<"$r")" = 18 ] || { fail "usage $(jq -c .reply.usage <<<"$r")"; return; }
	local sent; sent=$(curl -s "http://127.0.0.1:$PORT/_mock/requests")
	[ "$(jq -r '.[0].body.stream_options.include_usage' <<<"$sent")" = true ] || { fail "no include_usage in $(jq -c '.[0].body' <<<"$sent")"; return; }
	[ "$(jq -r '.[0].body.tools[0].function.name' <<<"$sent")" = read_file ] || { fail "tools not sent"; return; }
	ok
}

case_plain_openai() {
	CASE="openai non-streamed"
	mock_start <<'Y'
turns:
  - text: "plain answer"
    usage: {prompt_tokens: 3, completion_tokens: 2}
Y
	request r1 openai false
	drive p r1 || { fail "driver"; return; }
	local r; r=$(reply p)
	[ "$(jq -r .reply.content <<<"$r")" = "plain answer" ] || { fail "$r"; return; }
	[ "$(jq -r '.events|length' <<<"$r")" = 0 ] || { fail "events for a plain call"; return; }
	[ "$(jq -r .reply.streamed <<<"$r")" = false ] || { fail "streamed flag"; return; }
	ok
}

case_anthropic() {
	CASE="anthropic streamed and plain, with tool_use"
	mock_start <<'Y'
turns:
  - text: "Grüß dich"
    chunk_bytes: 5
    tool_calls: [{id: toolu_1, name: read_file, arguments: {path: "c.c"}}]
    usage: {prompt_tokens: 9, completion_tokens: 4}
  - text: "second"
    tool_calls: [{id: toolu_2, name: run_shell, arguments: {command: "ls"}}]
Y
	request a1 anthropic true "" "$TOOLS"
	request a2 anthropic false "" "$TOOLS"
	drive a a1 a2 || { fail "driver"; return; }
	local r1 r2; r1=$(reply a 1); r2=$(reply a 2)
	[ "$(jq -r .reply.content <<<"$r1")" = "Grüß dich" ] || { fail "$r1"; return; }
	[ "$(jq -r '.reply.tool_calls[0].id+" "+.reply.tool_calls[0].arguments' <<<"$r1")" = 'toolu_1 {"path":"c.c"}' ] || { fail "stream tool_use: $(jq -c .reply.tool_calls <<<"$r1")"; return; }
	[ "$(jq -r '[.events[]|select(.kind=="tool_call_delta")]|length>0' <<<"$r1")" = true ] || { fail "no tool_call_delta events"; return; }
	[ "$(jq -r '.reply.tool_calls[0].name' <<<"$r2")" = run_shell ] || { fail "$r2"; return; }
	local sent; sent=$(curl -s "http://127.0.0.1:$PORT/_mock/requests")
	[ "$(jq -r '.[0].body.system' <<<"$sent")" = "You are terse." ] || { fail "system not top-level"; return; }
	[ "$(jq -r '.[0].headers["anthropic-version"]' <<<"$sent")" = 2023-06-01 ] || { fail "anthropic-version header: $(jq -c '.[0].headers' <<<"$sent")"; return; }
	[ "$(jq -r '.[0].path' <<<"$sent")" = /v1/messages ] || { fail "path $(jq -r '.[0].path' <<<"$sent")"; return; }
	ok
}

case_429() {
	CASE="429 with Retry-After then success (both adapters)"
	mock_start <<'Y'
turns:
  - {fault: 429, retry_after: 1}
  - {text: "after rate limit"}
  - {fault: 429, retry_after: 1}
  - {text: "anthropic after rate limit"}
Y
	request r1 openai true
	request r2 anthropic true
	local t0 t1; t0=$(date +%s%N)
	drive q r1 r2 || { fail "driver"; return; }
	t1=$(date +%s%N)
	local r; r=$(reply q 1)
	[ "$(jq -r .reply.content <<<"$r")" = "after rate limit" ] || { fail "$r"; return; }
	[ "$(jq -r .reply.attempts <<<"$r")" = 2 ] || { fail "attempts"; return; }
	[ "$(jq -r '[.events[]|select(.kind=="retry")][0].delay_ms' <<<"$r")" = 1000 ] || { fail "retry event: $(jq -c .events <<<"$r")"; return; }
	[ "$(jq -r .reply.content <<<"$(reply q 2)")" = "anthropic after rate limit" ] || { fail "anthropic: $(reply q 2)"; return; }
	[ $(((t1 - t0) / 1000000)) -ge 2000 ] || { fail "Retry-After not honoured ($(((t1 - t0) / 1000000)) ms)"; return; }
	ok
}

# The fault cases run once per adapter: AD is openai or anthropic.
AD=openai

case_500() {
	CASE="$AD: 500 then success"
	mock_start <<'Y'
turns:
  - {fault: 500}
  - {text: "recovered"}
Y
	request r1 "$AD" false
	drive f r1 || { fail "driver"; return; }
	local r; r=$(reply f)
	[ "$(jq -r .reply.content <<<"$r")" = recovered ] || { fail "$r"; return; }
	jq -e '.reply.failures[0].error|startswith("HTTP 500")' <<<"$r" >/dev/null || { fail "failure not recorded: $r"; return; }
	ok
}

case_stall() {
	CASE="$AD: stall -> idle timeout -> retry"
	mock_start <<'Y'
turns:
  - {fault: stall, stall_ms: 20000}
  - {text: "not stalled"}
Y
	request r1 "$AD" true '{"routing":{"idle_timeout_ms":800}}'
	drive st r1 || { fail "driver"; return; }
	local r; r=$(reply st)
	[ "$(jq -r .reply.content <<<"$r")" = "not stalled" ] || { fail "$r"; return; }
	jq -e '.reply.failures[0].error|test("stall|timed out|no data")' <<<"$r" >/dev/null || { fail "failure: $(jq -c .reply.failures <<<"$r")"; return; }
	ok
}

case_drop() {
	CASE="$AD: drop mid-stream -> whole retry"
	mock_start <<'Y'
turns:
  - {text: "this first answer is cut off in the middle of the stream", fault: drop, chunk_bytes: 16}
  - {text: "complete second answer", chunk_bytes: 16}
Y
	request r1 "$AD" true
	drive d r1 || { fail "driver"; return; }
	local r; r=$(reply d)
	[ "$(jq -r .reply.content <<<"$r")" = "complete second answer" ] || { fail "$r"; return; }
	[ "$(jq -r .reply.attempts <<<"$r")" = 2 ] || { fail "attempts"; return; }
	[ "$(jq -r '[.events[]|select(.kind=="retry")]|length' <<<"$r")" = 1 ] || { fail "retry event"; return; }
	ok
}

case_malformed() {
	CASE="$AD: malformed JSON -> clear error"
	mock_start <<'Y'
turns:
  - {fault: malformed}
  - {fault: malformed}
Y
	request r1 "$AD" false
	request r2 "$AD" true
	drive m r1 r2 || { fail "driver"; return; }
	local r; r=$(reply m 1)
	[ "$(jq -r .ok <<<"$r")" = false ] || { fail "ok?"; return; }
	[ "$(jq -r .error.code <<<"$r")" = provider ] || { fail "code: $r"; return; }
	jq -e '.error.error|test("malformed response from http://127.0.0.1")' <<<"$r" >/dev/null || { fail "message: $(jq -r .error.error <<<"$r")"; return; }
	jq -e '.error.error|test("malformed")' <<<"$(reply m 2)" >/dev/null || { fail "stream: $(reply m 2)"; return; }
	ok
}

case_stream_probe() {
	CASE="malformed stream + disable_stream_on_probe_failure -> plain retry, remembered"
	mock_start <<'Y'
turns:
  - {text: "x", fault: malformed}
  - {text: "plain after probe"}
  - {text: "still plain"}
Y
	request r1 openai true '{"routing":{"disable_stream_on_probe_failure":true}}'
	drive sp r1 r1 || { fail "driver"; return; }
	local r1 r2; r1=$(reply sp 1); r2=$(reply sp 2)
	[ "$(jq -r .reply.content <<<"$r1")" = "plain after probe" ] || { fail "$r1"; return; }
	[ "$(jq -r .reply.stream_disabled <<<"$r1")" = true ] || { fail "stream_disabled"; return; }
	[ "$(jq -r .reply.attempts <<<"$r2")" = 1 ] || { fail "not remembered: $r2"; return; }
	local sent; sent=$(curl -s "http://127.0.0.1:$PORT/_mock/requests")
	[ "$(jq -c '[.[] | (.body.stream // false)]' <<<"$sent")" = '[true,false,false]' ] || { fail "streams sent: $(jq -c '[.[].body.stream]' <<<"$sent")"; return; }
	ok
}

case_fallback() {
	CASE="fallback model after repeated failure"
	mock_start <<'Y'
turns:
  - {fault: 503}
  - {fault: 503}
  - {text: "from the fallback"}
Y
	request r1 openai true '{"routing":{"max_attempts":2}}' \
		"{\"fallback_models\":[{\"id\":\"openrouter/openai/gpt-4o-mini\",\"adapter\":\"openai\",\"base_url\":\"$BASE\"}]}"
	drive fb r1 || { fail "driver"; return; }
	local r; r=$(reply fb)
	[ "$(jq -r .reply.model_used <<<"$r")" = openrouter/openai/gpt-4o-mini ] || { fail "$r"; return; }
	local sent; sent=$(curl -s "http://127.0.0.1:$PORT/_mock/requests")
	[ "$(jq -r '.[2].body.model' <<<"$sent")" = openai/gpt-4o-mini ] || { fail "wire model $(jq -r '.[2].body.model' <<<"$sent")"; return; }
	ok
}

case_keys() {
	CASE="key only in the auth header: not in bodies, log, reply, environ"
	mock_start <<'Y'
turns:
  - {text: "keyed"}
  - {text: "keyed anthropic"}
Y
	request r1 openai true '{"api_key_env":"KC_IT_API_KEY"}'
	request r2 anthropic false '{"api_key_env":"KC_IT_API_KEY"}'
	KC_IT_API_KEY=sk-it-SECRET-0123456789 "$DRIVER" --worker "$WORKER" --request "$T/r1.json" \
		--request "$T/r2.json" --environ-lacks sk-it-SECRET >"$T/k.out" 2>"$T/k.log" ||
		{ fail "driver exit $? $(tail -3 "$T/k.log")"; return; }
	[ "$(jq -r .reply.content <<<"$(reply k 1)")" = keyed ] || { fail "$(reply k 1)"; return; }
	local sent; sent=$(curl -s "http://127.0.0.1:$PORT/_mock/requests")
	[ "$(jq -r '.[0].headers.authorization' <<<"$sent")" = "<present>" ] || { fail "no Authorization header: $(jq -c '.[0].headers' <<<"$sent")"; return; }
	[ "$(jq -r '.[1].headers["x-api-key"]' <<<"$sent")" = "<present>" ] || { fail "no x-api-key header"; return; }
	! grep -q sk-it-SECRET <<<"$sent" || { fail "key in recorded requests"; return; }
	! grep -q sk-it-SECRET "$T/k.out" "$T/k.log" || { fail "key in reply or worker log"; return; }
	ok
}

case_parallel() {
	CASE="three calls at once are served concurrently (streams interleave)"
	mock_start <<'Y'
turns:
  - {text: "first parallel answer", delay_ms: 2500}
  - {text: "second parallel answer", delay_ms: 2500}
  - {text: "third parallel answer", delay_ms: 2500}
Y
	request p1 openai true
	request p2 anthropic true
	request p3 openai false
	local t0 t1; t0=$(date +%s%N)
	"$DRIVER" --worker "$WORKER" --parallel --request "$T/p1.json" --request "$T/p2.json" \
		--request "$T/p3.json" >"$T/par.out" 2>"$T/par.log" || { fail "driver $(tail -3 "$T/par.log")"; return; }
	t1=$(date +%s%N)
	[ "$(jq -r .reply.content "$T/par.out" | sort | tr '\n' ,)" = "first parallel answer,second parallel answer,third parallel answer," ] ||
		{ fail "answers: $(jq -c .reply.content "$T/par.out")"; return; }
	# Serially this takes >= 7.5 s (three 2.5 s delays).
	[ $(((t1 - t0) / 1000000)) -lt 6000 ] || { fail "not concurrent: $(((t1 - t0) / 1000000)) ms"; return; }
	local n; n=$(jq -s '[.[].events[]|select(.kind=="token")]|length' "$T/par.out")
	[ "$n" -ge 2 ] || { fail "token events: $n"; return; }
	ok
}

case_deadline() {
	CASE="total deadline: a stall longer than timeout_ms is a timeout error"
	mock_start <<'Y'
turns:
  - {fault: stall, stall_ms: 20000}
Y
	request r1 openai true "" '{"timeout_ms":1500}'
	local t0 t1; t0=$(date +%s%N)
	drive dl r1 || { fail "driver"; return; }
	t1=$(date +%s%N)
	[ "$(jq -r .error.code <<<"$(reply dl)")" = timeout ] || { fail "$(reply dl)"; return; }
	[ $(((t1 - t0) / 1000000)) -lt 6000 ] || { fail "deadline not kept: $(((t1 - t0) / 1000000)) ms"; return; }
	ok
}

case_missing_key_and_bad_model() {
	CASE="missing key and unknown prefix are clear errors, nothing sent"
	mock_start <<'Y'
turns:
  - {text: "never"}
Y
	request r1 openai true '{"api_key_env":"KC_IT_ABSENT_API_KEY"}'
	jq -n '{model:{id:"mystery/model"},messages:[{role:"user",content:"x"}]}' >"$T/r2.json"
	drive mk r1 r2 || { fail "driver exit $? $(tail -3 "$T/mk.log")"; return; }
	jq -e '.error.error|test("KC_IT_ABSENT_API_KEY is not set")' <<<"$(reply mk 1)" >/dev/null || { fail "$(reply mk 1)"; return; }
	jq -e '.error.error|test("base_url")' <<<"$(reply mk 2)" >/dev/null || { fail "$(reply mk 2)"; return; }
	[ "$(curl -s "http://127.0.0.1:$PORT/_mock/requests" | jq length)" = 0 ] || { fail "a request was sent"; return; }
	ok
}

case_stream_openai
case_plain_openai
case_anthropic
case_429
for AD in openai anthropic; do
	case_500
	case_stall
	case_drop
	case_malformed
done
case_stream_probe
case_fallback
case_keys
case_parallel
case_deadline
case_missing_key_and_bad_model
mock_stop
echo "llm_worker_mock: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
