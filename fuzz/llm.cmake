# worker-llm fuzzers: the SSE parser (with both adapters' stream-event
# parsers behind it) and both adapters' whole-response JSON parsers.
# Corpora: fuzz/corpus/sse/ and fuzz/corpus/llm/. The parser sources and
# lib/core are compiled in directly (no libcurl, no IPC needed).
set(_kc_llm_fz_src ${CMAKE_SOURCE_DIR}/worker-llm/sse.c ${CMAKE_SOURCE_DIR}/worker-llm/result.c
    ${CMAKE_SOURCE_DIR}/worker-llm/wire.c ${CMAKE_SOURCE_DIR}/worker-llm/openai.c
    ${CMAKE_SOURCE_DIR}/worker-llm/anthropic.c)
set(_kc_llm_fz_core ${CMAKE_SOURCE_DIR}/lib/core/log.c ${CMAKE_SOURCE_DIR}/lib/core/xmalloc.c
    ${CMAKE_SOURCE_DIR}/lib/core/strbuf.c)
set_source_files_properties(${_kc_llm_fz_core} PROPERTIES COMPILE_OPTIONS -Wno-format-nonliteral)
add_library(kc_llm_fz STATIC ${_kc_llm_fz_src} ${_kc_llm_fz_core})
target_link_libraries(kc_llm_fz PUBLIC PkgConfig::CJSON)
foreach(f sse_fuzz llm_response_fuzz)
  add_executable(fuzz_${f} ${CMAKE_CURRENT_LIST_DIR}/${f}.c)
  target_link_libraries(fuzz_${f} PRIVATE kc_llm_fz)
  target_link_options(fuzz_${f} PRIVATE -fsanitize=fuzzer)
endforeach()
