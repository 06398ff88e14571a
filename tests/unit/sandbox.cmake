# worker-sandbox unit tests (issue 7).
kc_unit_test(sbx_test ${CMAKE_CURRENT_LIST_DIR}/sbx_test.c kc_sandbox)
