# Security suite (issue 7): hostile commands against every sandbox driver.
if(KC_TESTS)
  add_executable(sbx_run ${CMAKE_CURRENT_LIST_DIR}/sbx_run.c)
  target_link_libraries(sbx_run PRIVATE kc_sandbox)
endif()
