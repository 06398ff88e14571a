# worker-tools over real IPC: the kylecode-tools binary driven through the
# supervisor's process manager (tools_worker_test), and `kylecode apply`
# end to end (apply.sh).
if(KC_TESTS AND TARGET kc_sup)
  add_executable(tools_worker_test ${CMAKE_CURRENT_LIST_DIR}/tools_worker_test.c)
  target_link_libraries(tools_worker_test PRIVATE kc_sup PkgConfig::CRITERION)
  add_dependencies(tools_worker_test kylecode-tools kylecode-sandbox kylecode-llm)
  add_test(NAME tools_worker_test COMMAND tools_worker_test --jobs 1)
  set_tests_properties(tools_worker_test PROPERTIES LABELS "integration;quick" TIMEOUT 120)
endif()
if(KC_TESTS)
  add_executable(tools_worker_policy_test ${CMAKE_CURRENT_LIST_DIR}/tools_worker_policy_test.c)
  target_link_libraries(tools_worker_policy_test PRIVATE kc_tools PkgConfig::CRITERION)
  add_test(NAME tools_worker_policy_test COMMAND tools_worker_policy_test --jobs 1)
  set_tests_properties(tools_worker_policy_test PROPERTIES LABELS "integration;policy;quick" TIMEOUT 60)
endif()
kc_script_test(apply_cli ${CMAKE_CURRENT_LIST_DIR}/apply.sh LABELS "integration;quick" TIMEOUT 120)
