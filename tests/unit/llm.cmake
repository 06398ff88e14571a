# worker-llm unit tests (Criterion). Static functions are not needed:
# every module of kc_llm has a header.
kc_unit_test(llm_sse_test ${CMAKE_CURRENT_LIST_DIR}/llm_sse_test.c kc_llm)
kc_unit_test(llm_openai_test ${CMAKE_CURRENT_LIST_DIR}/llm_openai_test.c kc_llm)
kc_unit_test(llm_anthropic_test ${CMAKE_CURRENT_LIST_DIR}/llm_anthropic_test.c kc_llm)
kc_unit_test(llm_retry_test ${CMAKE_CURRENT_LIST_DIR}/llm_retry_test.c kc_llm)
kc_unit_test(llm_route_test ${CMAKE_CURRENT_LIST_DIR}/llm_route_test.c kc_llm)
kc_unit_test(llm_keys_test ${CMAKE_CURRENT_LIST_DIR}/llm_keys_test.c kc_llm)
kc_unit_test(llm_complete_test ${CMAKE_CURRENT_LIST_DIR}/llm_complete_test.c kc_llm PkgConfig::MHD)
kc_unit_test(llm_policy_test ${CMAKE_CURRENT_LIST_DIR}/llm_policy_test.c kc_llm)
