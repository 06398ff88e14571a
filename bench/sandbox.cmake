# Sandbox latency (issue 7): jail vs bubblewrap vs runsc vs fork+exec,
# interleaved in one run; see bench/sandbox_bench.c and bench/sandbox.sh.
add_executable(sandbox_bench ${CMAKE_CURRENT_LIST_DIR}/sandbox_bench.c)
target_link_libraries(sandbox_bench PRIVATE kc_sandbox kc_sup)
