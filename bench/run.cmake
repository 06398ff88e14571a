# `kylecode run` harness overhead (issue 8): a 50-turn scripted run against
# kylecode-mockllm with zero model latency; see bench/run_bench.sh.
add_custom_target(bench_run
  COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/run_bench.sh ${CMAKE_BINARY_DIR}
  DEPENDS kylecode kylecode-llm kylecode-tools kylecode-sandbox kylecode-mockllm
  USES_TERMINAL)
