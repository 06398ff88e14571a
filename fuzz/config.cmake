# Fuzz the config YAML loader (lib/config): parse, print, re-parse.
# Corpus: fuzz/corpus/config_yaml/ (the reference configs and edge cases);
# dictionary: fuzz/config_yaml.dict (run with -dict=fuzz/config_yaml.dict).
# lib/core is compiled in (not kc_core): clang's -Wformat-nonliteral trips
# on log.c/strbuf.c, which only the fuzz build uses clang for.
file(GLOB _kc_cfg_fz_src CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/lib/config/*.c)
set(_kc_cfg_fz_core ${CMAKE_SOURCE_DIR}/lib/core/log.c ${CMAKE_SOURCE_DIR}/lib/core/xmalloc.c
    ${CMAKE_SOURCE_DIR}/lib/core/strbuf.c ${CMAKE_SOURCE_DIR}/lib/core/fsutil.c)
set_source_files_properties(${_kc_cfg_fz_core} PROPERTIES COMPILE_OPTIONS -Wno-format-nonliteral)
add_library(kc_config_fz STATIC ${_kc_cfg_fz_src} ${_kc_cfg_fz_core})
target_link_libraries(kc_config_fz PUBLIC PkgConfig::CJSON PkgConfig::YAML Threads::Threads m)
add_executable(fuzz_config_yaml ${CMAKE_CURRENT_LIST_DIR}/config_yaml_fuzz.c)
target_link_libraries(fuzz_config_yaml PRIVATE kc_config_fz)
target_link_options(fuzz_config_yaml PRIVATE -fsanitize=fuzzer)
# Load + validate + effective on whatever the parser accepts.
add_executable(fuzz_config_check ${CMAKE_CURRENT_LIST_DIR}/config_check_fuzz.c)
target_link_libraries(fuzz_config_check PRIVATE kc_config_fz)
target_link_options(fuzz_config_check PRIVATE -fsanitize=fuzzer)
