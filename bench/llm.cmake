# bench/llm (issue 5): a 1 MB streamed model response, parsed end to end
# (kylecode-mockllm -> kylecode-llm -> supervisor-side IPC events), beside
# a plain libcurl download of the same stream and the in-process parser, in
# the same run. Run: <build>/bin/kc-llm-bench [--reps N] [--mb N].
add_executable(kc-llm-bench ${CMAKE_CURRENT_LIST_DIR}/llm_bench.c)
target_link_libraries(kc-llm-bench PRIVATE kc_llm kc_ipc kc_core)
