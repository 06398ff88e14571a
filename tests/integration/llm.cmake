# worker-llm integration: the real kylecode-llm, spoken to over IPC by a
# small driver (llm_driver), against the real kylecode-mockllm over HTTP on
# 127.0.0.1, for every fault kind, both adapters, streamed and not.
if(KC_TESTS)
  add_executable(llm_driver ${CMAKE_CURRENT_LIST_DIR}/llm_driver.c)
  target_link_libraries(llm_driver PRIVATE kc_ipc kc_core)
endif()
kc_script_test(llm_worker_mock ${CMAKE_CURRENT_LIST_DIR}/llm_worker_mock.sh
  LABELS "integration;quick" TIMEOUT 180)
kc_script_test(llm_unit_valgrind ${CMAKE_CURRENT_LIST_DIR}/llm_valgrind.sh
  LABELS "integration;slow;valgrind" TIMEOUT 600)
kc_script_test(llm_tls ${CMAKE_CURRENT_LIST_DIR}/llm_tls.sh
  LABELS "integration;quick" TIMEOUT 120)
