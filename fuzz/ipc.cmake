# Fuzz the IPC decoder (ipc/msg.c). Corpus: fuzz/corpus/ipc_msg/.
# Only msg.c and json.c are compiled in: they need nothing but cJSON.
add_executable(fuzz_ipc_msg ${CMAKE_CURRENT_LIST_DIR}/ipc_msg_fuzz.c ${CMAKE_SOURCE_DIR}/ipc/msg.c
               ${CMAKE_SOURCE_DIR}/ipc/json.c)
target_link_libraries(fuzz_ipc_msg PRIVATE PkgConfig::CJSON m)
target_link_options(fuzz_ipc_msg PRIVATE -fsanitize=fuzzer)
# Differential: ipc/json.c's reader and writer against cJSON's.
# Corpus: fuzz/corpus/ipc_json/.
add_executable(fuzz_ipc_json ${CMAKE_CURRENT_LIST_DIR}/ipc_json_fuzz.c ${CMAKE_SOURCE_DIR}/ipc/json.c)
target_link_libraries(fuzz_ipc_json PRIVATE PkgConfig::CJSON m)
target_link_options(fuzz_ipc_json PRIVATE -fsanitize=fuzzer)
