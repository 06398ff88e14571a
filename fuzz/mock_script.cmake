# Fuzz the mock's script loader (YAML and JSONL) with arbitrary bytes.
add_executable(fuzz_mock_script ${CMAKE_CURRENT_LIST_DIR}/mock_script_fuzz.c)
target_link_libraries(fuzz_mock_script PRIVATE kc_mock)
target_link_options(fuzz_mock_script PRIVATE -fsanitize=fuzzer)
