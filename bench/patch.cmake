# bench/patch (G2): 1,000 hunks over a 50,000-line file, kylecode's
# apply_unified_patch against `git apply` in the same run. Run with
# bench/patch_bench.sh (or <build>/bin/kc-patch-bench --help).
add_executable(kc-patch-bench ${CMAKE_CURRENT_LIST_DIR}/patch_bench.c)
if(TARGET kc_edits_t)
  # the edit sources alone (tests/unit/edits.cmake), so the bench builds
  # even while other parts of kc_tools are in flux
  target_link_libraries(kc-patch-bench PRIVATE kc_edits_t)
else()
  target_link_libraries(kc-patch-bench PRIVATE kc_tools)
endif()
