# Fuzz the sandbox worker's text parsers (issue 7): path normalization and
# output sanitizing. Corpus: fuzz/corpus/sbx/.
add_executable(fuzz_sbx ${CMAKE_CURRENT_LIST_DIR}/sbx_fuzz.c
  ${CMAKE_SOURCE_DIR}/worker-sandbox/mirror.c ${CMAKE_SOURCE_DIR}/worker-sandbox/common.c
  ${CMAKE_SOURCE_DIR}/lib/core/xmalloc.c ${CMAKE_SOURCE_DIR}/lib/core/strbuf.c
  ${CMAKE_SOURCE_DIR}/lib/core/log.c)
target_link_libraries(fuzz_sbx PRIVATE PkgConfig::CJSON Threads::Threads)
target_link_options(fuzz_sbx PRIVATE -fsanitize=fuzzer)
