# Fuzz the patch parsers and the matching engine (G2): unified diffs,
# OpenCode patches, search/replace. Inputs are "FILE\0PATCH" (and
# "FILE\0SEARCH\0REPLACE"), so the matcher runs on what the parser made.
file(GLOB _kc_edits_fz_src CONFIGURE_DEPENDS
     ${CMAKE_SOURCE_DIR}/worker-tools/edit/*.c ${CMAKE_SOURCE_DIR}/worker-tools/fs/*.c)
# lib/core is compiled in here rather than linked: log.c and strbuf.c trip clang's
# -Wformat-nonliteral (reported to the lead), which only the fuzz build uses.
set(_kc_core_fz ${CMAKE_SOURCE_DIR}/lib/core/log.c ${CMAKE_SOURCE_DIR}/lib/core/xmalloc.c
    ${CMAKE_SOURCE_DIR}/lib/core/strbuf.c)
set_source_files_properties(${_kc_core_fz} PROPERTIES COMPILE_OPTIONS -Wno-format-nonliteral)
add_library(kc_edits_fz STATIC ${_kc_edits_fz_src} ${_kc_core_fz})
target_link_libraries(kc_edits_fz PUBLIC PkgConfig::CJSON Threads::Threads)
foreach(f patch_unified patch_opencode search_replace)
  add_executable(fuzz_${f} ${CMAKE_CURRENT_LIST_DIR}/${f}_fuzz.c)
  target_link_libraries(fuzz_${f} PRIVATE kc_edits_fz)
  target_link_options(fuzz_${f} PRIVATE -fsanitize=fuzzer)
endforeach()
