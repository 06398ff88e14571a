# Fuzz the IPC decoder (ipc/msg.c). Corpus: fuzz/corpus/ipc_msg/.
# Only msg.c is compiled in: it needs nothing but cJSON.
add_executable(fuzz_ipc_msg ${CMAKE_CURRENT_LIST_DIR}/ipc_msg_fuzz.c ${CMAKE_SOURCE_DIR}/ipc/msg.c)
target_link_libraries(fuzz_ipc_msg PRIVATE PkgConfig::CJSON m)
target_link_options(fuzz_ipc_msg PRIVATE -fsanitize=fuzzer)
