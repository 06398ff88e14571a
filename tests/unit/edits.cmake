# worker-tools file/edit tools (G2): fs safety, matching ladder, unified and
# OpenCode patch parsers, search/replace, tool dispatch.
# The tests link these sources alone (kc_edits_t, built with UNITTEST so the
# rename failpoint exists), not all of kc_tools, so they do not depend on the
# dialect parsers and handlers building; kc_tools holds the same sources.
if(KC_TESTS)
  file(GLOB _edits_src CONFIGURE_DEPENDS
       ${CMAKE_SOURCE_DIR}/worker-tools/tools.c
       ${CMAKE_SOURCE_DIR}/worker-tools/edit/*.c
       ${CMAKE_SOURCE_DIR}/worker-tools/fs/*.c)
  add_library(kc_edits_t STATIC ${_edits_src})
  target_compile_definitions(kc_edits_t PUBLIC UNITTEST=1)
  target_link_libraries(kc_edits_t PUBLIC kc_core PkgConfig::CJSON Threads::Threads)
  # kc-tool-run: one tool call from the command line, for the scripts.
  add_executable(kc-tool-run ${CMAKE_SOURCE_DIR}/tests/integration/patch_tool.c)
  target_link_libraries(kc-tool-run PRIVATE kc_edits_t)
endif()
foreach(t edit_match_test edit_unified_test edit_opencode_test edit_replace_test edit_patch_test
          fs_path_test fs_txn_test fs_tools_test fs_race_test)
  if(EXISTS ${CMAKE_CURRENT_LIST_DIR}/${t}.c)
    kc_unit_test(${t} ${CMAKE_CURRENT_LIST_DIR}/${t}.c kc_edits_t)
  endif()
endforeach()
