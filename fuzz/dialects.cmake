# Fuzz every tool-call dialect parser (G1): one target per dialect, one
# for the whole-message driver, one for provider-native calls. Corpora:
# fuzz/corpus/dialect_<name>/. The dialect sources and lib/core are
# compiled in directly (not kc_tools), so the fuzz build needs nothing of
# the other tools-worker modules.
file(GLOB _kc_dlg_fz_src CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/worker-tools/dialects/*.c)
set(_kc_dlg_core ${CMAKE_SOURCE_DIR}/lib/core/log.c ${CMAKE_SOURCE_DIR}/lib/core/xmalloc.c
    ${CMAKE_SOURCE_DIR}/lib/core/strbuf.c)
set_source_files_properties(${_kc_dlg_core} PROPERTIES COMPILE_OPTIONS -Wno-format-nonliteral)
add_library(kc_dialects_fz STATIC ${_kc_dlg_fz_src} ${_kc_dlg_core})
target_link_libraries(kc_dialects_fz PUBLIC PkgConfig::CJSON PkgConfig::YAML)
foreach(d pythonic bash diff aider opencode xml json yaml all native)
  add_executable(fuzz_dialect_${d} ${CMAKE_CURRENT_LIST_DIR}/dialect_${d}_fuzz.c)
  target_link_libraries(fuzz_dialect_${d} PRIVATE kc_dialects_fz)
  target_link_options(fuzz_dialect_${d} PRIVATE -fsanitize=fuzzer)
endforeach()
