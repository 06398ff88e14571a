# Foundation integration tests: the supervisor's process manager against the
# real worker binaries, through a small driver program.
if(KC_TESTS)
  add_executable(sup_harness ${CMAKE_CURRENT_LIST_DIR}/sup_harness.c)
  target_link_libraries(sup_harness PRIVATE kc_sup)
  kc_script_test(foundation_sup ${CMAKE_CURRENT_LIST_DIR}/foundation_sup.sh
                 LABELS "integration;quick" TIMEOUT 180)
endif()
kc_script_test(foundation_doctor ${CMAKE_CURRENT_LIST_DIR}/foundation_doctor.sh
               LABELS "integration;quick" TIMEOUT 120)
