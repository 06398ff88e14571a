# Run directory writer (Logging V2): layout, durability, redaction, crashes.
# The tests link the runlog sources alone (not all of kc_sup), so they do
# not depend on the rest of the supervisor building.
if(KC_TESTS)
  file(GLOB _runlog_src CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/supervisor/runlog*.c)
  add_library(kc_runlog_t STATIC ${_runlog_src})
  target_link_libraries(kc_runlog_t PUBLIC kc_core kc_failpoint PkgConfig::CJSON Threads::Threads)
endif()
kc_unit_test(runlog_trace_test ${CMAKE_CURRENT_LIST_DIR}/runlog_trace_test.c kc_runlog_t)
kc_unit_test(runlog_files_test ${CMAKE_CURRENT_LIST_DIR}/runlog_files_test.c kc_runlog_t)
kc_unit_test(runlog_redact_test ${CMAKE_CURRENT_LIST_DIR}/runlog_redact_test.c kc_runlog_t)
kc_unit_test(runlog_crash_test ${CMAKE_CURRENT_LIST_DIR}/runlog_crash_test.c kc_runlog_t)
