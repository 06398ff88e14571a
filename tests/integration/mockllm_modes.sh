#!/bin/bash
# Every response mode and fault of kylecode-mockllm, over real HTTP.
. "$(dirname "$0")/mockllm_lib.sh"

cat >"$T/s.yaml" <<'YAML'
turns:
  - text: "Hello wörld, streamed in many deltas."       # 1 openai stream
    usage: {prompt_tokens: 11, completion_tokens: 7}
  - text: "calling tools"                               # 2 openai plain
    tool_calls:
      - {name: run_shell, arguments: {command: "make test"}}
      - {id: call_b, name: read_file, arguments: {path: "a.c"}}
  - tool_calls:                                         # 3 openai stream tools
      - {name: write_file, arguments: {path: "lib/x.c", content: "int x(void) { return 42; }\n"}}
      - {name: read_file, arguments: {path: "b.c"}}
  - text: "anthropic text"                              # 4 anthropic stream
    tool_calls: [{name: read_file, arguments: {path: "c.c"}}]
  - text: "anthropic plain"                             # 5 anthropic plain
  - {fault: 429, retry_after: 2}                        # 6
  - {text: "after retry", expect: {contains: "needle in the prompt"}}  # 7
  - {fault: 500}                                        # 8
  - {fault: stall, stall_ms: 400}                       # 9
  - {fault: drop, text: "0123456789abcdefghij0123456789abcdefghij0123456789"}  # 10
  - {fault: malformed, text: "x"}                       # 11 stream
  - {fault: malformed}                                  # 12 plain
  - {text: "tiny chunks", chunk_bytes: 5}               # 13
  - {text: "expectation", expect: {contains: "never sent"}}  # 14
YAML
mock_start "$T/s.yaml" --record "$T/rec"
post() { curl -sS -N "$URL$1" -H 'Authorization: Bearer sk-test-SECRET' -H 'x-api-key: sk-ant-SECRET' -d "$2"; }

# 1: OpenAI streaming: deltas, finish, usage chunk, [DONE].
post /v1/chat/completions '{"model":"m1","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}' >"$T/1"
[ "$(grep -c '^data: ' "$T/1")" -ge 6 ] || fail "1: too few events"
text=$(grep '^data: {' "$T/1" | sed 's/^data: //' | jq -j '.choices[0].delta.content // empty')
[ "$text" = "Hello wörld, streamed in many deltas." ] || fail "1: text '$text'"
grep '^data: {' "$T/1" | sed 's/^data: //' | jq -s -e 'map(select(.usage)) | length == 1 and .[0].usage.total_tokens == 18 and (.[0].choices|length) == 0' >/dev/null || fail "1: usage"
grep '^data: {' "$T/1" | sed 's/^data: //' | jq -s -e 'map(select(.choices[0].finish_reason)) | length == 1 and .[0].choices[0].finish_reason == "stop"' >/dev/null || fail "1: finish"
tail -n 2 "$T/1" | grep -q '^data: \[DONE\]$' || fail "1: no [DONE]"

# 2: OpenAI plain JSON with tool calls; generated and scripted ids.
post /v1/chat/completions '{"model":"m2"}' >"$T/2"
jq -e '.choices[0].finish_reason == "tool_calls" and .choices[0].message.content == "calling tools"
  and (.choices[0].message.tool_calls | length) == 2
  and .choices[0].message.tool_calls[1].id == "call_b"
  and (.choices[0].message.tool_calls[0].function.arguments | fromjson | .command) == "make test"
  and .usage.total_tokens > 0' "$T/2" >/dev/null || fail "2: $(cat "$T/2")"

# 3: streamed tool calls: fragments by index reassemble into valid JSON.
post /v1/chat/completions '{"stream":true}' >"$T/3"
grep '^data: {' "$T/3" | sed 's/^data: //' >"$T/3.j"
a0=$(jq -j '.choices[0].delta.tool_calls[]? | select(.index==0) | .function.arguments' "$T/3.j")
a1=$(jq -j '.choices[0].delta.tool_calls[]? | select(.index==1) | .function.arguments' "$T/3.j")
[ "$(echo "$a0" | jq -r .path)" = "lib/x.c" ] || fail "3: call 0 args '$a0'"
[ "$(echo "$a1" | jq -r .path)" = "b.c" ] || fail "3: call 1 args '$a1'"
[ "$(jq -s '[.[] | .choices[0].delta.tool_calls[]? | select(.index==0)] | length' "$T/3.j")" -ge 3 ] || fail "3: not fragmented"
jq -s -e '[.[] | .choices[0].delta.tool_calls[]? | select(.id)] | length == 2' "$T/3.j" >/dev/null || fail "3: ids"
! grep -q '"usage"' "$T/3" || fail "3: usage sent without include_usage"

# 4: Anthropic streaming under a path prefix: the full event sequence.
post /api/v1/messages '{"model":"claude","stream":true}' >"$T/4"
ev=$(grep '^event: ' "$T/4" | sed 's/^event: //' | uniq | tr '\n' ' ')
[ "$ev" = "message_start ping content_block_start content_block_delta content_block_stop content_block_start content_block_delta content_block_stop message_delta message_stop " ] || fail "4: events '$ev'"
grep '^data: ' "$T/4" | sed 's/^data: //' >"$T/4.j"
[ "$(jq -j 'select(.delta.type=="text_delta") | .delta.text' "$T/4.j")" = "anthropic text" ] || fail "4: text"
[ "$(jq -j 'select(.delta.type=="input_json_delta") | .delta.partial_json' "$T/4.j" | jq -r .path)" = "c.c" ] || fail "4: tool input"
jq -s -e 'map(select(.type=="message_delta")) | .[0].delta.stop_reason == "tool_use"' "$T/4.j" >/dev/null || fail "4: stop_reason"

# 5: Anthropic plain message.
post /v1/messages '{"model":"claude"}' >"$T/5"
jq -e '.type == "message" and .content[0].text == "anthropic plain" and .stop_reason == "end_turn"' "$T/5" >/dev/null || fail "5: $(cat "$T/5")"

# 6: 429 with Retry-After; the fault consumes its turn, the retry gets 7.
code=$(curl -s -o "$T/6" -D "$T/6.h" -w '%{http_code}' "$URL/v1/chat/completions" -d '{}')
[ "$code" = 429 ] || fail "6: status $code"
grep -qi '^retry-after: 2' "$T/6.h" || fail "6: no Retry-After"
jq -e '.error.type == "rate_limit_error"' "$T/6" >/dev/null || fail "6: body"
post /v1/chat/completions '{"messages":[{"role":"user","content":"a needle in the prompt"}]}' | jq -e '.choices[0].message.content == "after retry"' >/dev/null || fail "7: retry turn"

# 8: 500.
code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/v1/chat/completions" -d '{}')
[ "$code" = 500 ] || fail "8: status $code"

# 9: stall: nothing is sent; the client times out (or gets an empty reply).
curl -s -m 0.2 "$URL/v1/chat/completions" -d '{}' >"$T/9"; rc=$?
[ $rc -eq 28 ] || fail "9: curl exit $rc (want timeout 28)"
[ ! -s "$T/9" ] || fail "9: stall sent data"

# 10: drop: half the stream, then the connection closes without [DONE].
curl -s -N "$URL/v1/chat/completions" -d '{"stream":true}' >"$T/10"; rc=$?
[ $rc -ne 0 ] || fail "10: drop looked like a clean end"
[ -s "$T/10" ] || fail "10: nothing sent before the drop"
! grep -q 'DONE' "$T/10" || fail "10: drop sent [DONE]"

# 11/12: malformed stream chunk and malformed JSON body.
post /v1/chat/completions '{"stream":true}' >"$T/11"
bad=0; while read -r l; do echo "${l#data: }" | jq . >/dev/null 2>&1 || bad=$((bad+1)); done < <(grep '^data: {' "$T/11")
[ $bad -eq 1 ] || fail "11: $bad malformed chunks, want 1"
post /v1/chat/completions '{}' >"$T/12"
! jq . "$T/12" >/dev/null 2>&1 || fail "12: body is valid JSON"

# 13: chunk_bytes: still a valid stream.
post /v1/chat/completions '{"stream":true}' | grep '^data: {' | sed 's/^data: //' | jq -j '.choices[0].delta.content // empty' >"$T/13"
[ "$(cat "$T/13")" = "tiny chunks" ] || fail "13: '$(cat "$T/13")'"

# 14: expectation not met: 400 naming the script line.
code=$(curl -s -o "$T/14" -w '%{http_code}' "$URL/v1/chat/completions" -d '{"messages":[]}')
[ "$code" = 400 ] || fail "14: status $code"
grep -q 's.yaml:22)' "$T/14" || fail "14: no script line: $(cat "$T/14")"

# Exhausted: 500 with a clear error.
code=$(curl -s -o "$T/x" -w '%{http_code}' "$URL/v1/chat/completions" -d '{}')
[ "$code" = 500 ] || fail "exhausted: status $code"
grep -q 'script exhausted: all 14 turns' "$T/x" || fail "exhausted: $(cat "$T/x")"

# Unknown path: 404.
[ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/v1/embeddings" -d '{}')" = 404 ] || fail "404"

# The request record: every model request, credentials hidden.
curl -s "$URL/_mock/requests" >"$T/reqs"
[ "$(jq length "$T/reqs")" = 15 ] || fail "record: $(jq length "$T/reqs") requests"
jq -e '.[0].method == "POST" and .[0].path == "/v1/chat/completions"
  and .[0].headers.authorization == "<present>" and .[0].headers["x-api-key"] == "<present>"
  and .[0].body.messages[0].content == "hi" and .[3].path == "/api/v1/messages"' "$T/reqs" >/dev/null || fail "record content"
! grep -q SECRET "$T/reqs" || fail "a credential reached the record"
[ -f "$T/rec/request_1.json" ] && [ -f "$T/rec/request_15.json" ] || fail "--record files: $(ls "$T/rec")"
jq -e '.body.model == "m2"' "$T/rec/request_2.json" >/dev/null || fail "--record content"
! grep -rq SECRET "$T/rec" || fail "a credential reached --record"
curl -s "$URL/_mock/health" | jq -e '.turns_used == 14 and .turns_total == 14' >/dev/null || fail "health"
echo "mockllm_modes: ok"
