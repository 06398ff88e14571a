#!/bin/bash
# The worker-llm unit tests (which include whole llm_complete calls over
# real HTTP: retries, fallback, probes, streaming) under valgrind: no leak,
# no invalid access. Criterion runs each test in a child: trace children.
set -u
command -v valgrind >/dev/null || { echo "skip: valgrind not installed"; exit 77; }
if grep -q '^KC_SANITIZE:BOOL=ON' "$KC_BUILD/CMakeCache.txt" 2>/dev/null; then
	echo "skip: sanitizer build (valgrind cannot run ASan binaries)"; exit 77
fi
fails=0
for t in llm_sse_test llm_openai_test llm_anthropic_test llm_retry_test llm_route_test \
	llm_keys_test llm_complete_test; do
	bin="$KC_BIN/$t"
	[ -x "$bin" ] || { echo "skip: $bin not built"; exit 77; }
	if valgrind -q --trace-children=yes --leak-check=full \
		--errors-for-leak-kinds=definite,indirect --error-exitcode=9 \
		"$bin" --jobs 1 >"/tmp/kc-vg-$$.txt" 2>&1; then
		echo "ok: $t clean under valgrind"
	else
		echo "FAIL: $t"; grep -E "==[0-9]+==|FAIL" "/tmp/kc-vg-$$.txt" | head -40
		fails=$((fails + 1))
	fi
done
rm -f "/tmp/kc-vg-$$.txt"
echo "llm_valgrind: $((7 - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
