# lib/harden: forked children apply each step and probe it.
if(TARGET kc_harden)
  kc_unit_test(harden_policy_test ${CMAKE_CURRENT_LIST_DIR}/harden_policy_test.c kc_harden)
  set_tests_properties(harden_policy_test PROPERTIES LABELS "policy;quick")
endif()
