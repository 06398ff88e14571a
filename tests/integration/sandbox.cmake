# worker-sandbox integration tests (issue 7): the real binaries.
if(KC_TESTS)
  add_executable(sandbox_ipc ${CMAKE_CURRENT_LIST_DIR}/sandbox_ipc.c)
  target_link_libraries(sandbox_ipc PRIVATE kc_sup Threads::Threads)
endif()
kc_script_test(sandbox_exec ${CMAKE_CURRENT_LIST_DIR}/sandbox_exec.sh LABELS "integration;quick" TIMEOUT 120)
kc_script_test(sandbox_worker ${CMAKE_CURRENT_LIST_DIR}/sandbox_worker.sh LABELS "integration" TIMEOUT 300)
