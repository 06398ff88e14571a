# bench/config (engineer B): config loading (parse, typing, extends, merge)
# against the prototype's loader run by python3 in the same invocation,
# and prompt compilation. Run:
#   <build>/bin/kc-config-bench [--reps N] ../shared/reference/kylecode/agent_configs/*.yaml
add_executable(kc-config-bench ${CMAKE_CURRENT_LIST_DIR}/config_bench.c)
target_link_libraries(kc-config-bench PRIVATE kc_tpsl kc_config)
target_compile_definitions(kc-config-bench PRIVATE KC_SRC_DIR="${CMAKE_SOURCE_DIR}")
