# bench/ipc (foundation): round-trip latency and throughput of ipc_call and
# sup_call against a raw NNG REQ/REP loop in the same run, small and 1 MiB
# bodies. Run: <build>/bin/kc-ipc-bench [--small N] [--large N].
add_executable(kc-ipc-bench ${CMAKE_CURRENT_LIST_DIR}/ipc_bench.c)
target_link_libraries(kc-ipc-bench PRIVATE kc_sup kc_ipc kc_core)
