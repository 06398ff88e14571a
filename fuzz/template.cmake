# Fuzz the template engine (lib/template): parse + render with a small
# fixed data object. Corpus: fuzz/corpus/template/, dictionary:
# fuzz/template.dict (-dict=). lib/core is compiled
# in (as the other fuzzers do) because clang's -Wformat-nonliteral trips
# on log.c/strbuf.c in the fuzz build.
file(GLOB _kc_tpl_fz_src CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/lib/template/*.c)
set(_kc_tpl_fz_core ${CMAKE_SOURCE_DIR}/lib/core/log.c ${CMAKE_SOURCE_DIR}/lib/core/xmalloc.c
    ${CMAKE_SOURCE_DIR}/lib/core/strbuf.c)
set_source_files_properties(${_kc_tpl_fz_core} PROPERTIES COMPILE_OPTIONS -Wno-format-nonliteral)
add_library(kc_template_fz STATIC ${_kc_tpl_fz_src} ${_kc_tpl_fz_core})
target_link_libraries(kc_template_fz PUBLIC PkgConfig::CJSON Threads::Threads m)
add_executable(fuzz_template ${CMAKE_CURRENT_LIST_DIR}/template_fuzz.c)
target_link_libraries(fuzz_template PRIVATE kc_template_fz)
target_link_options(fuzz_template PRIVATE -fsanitize=fuzzer)
