# Security suite (issue 7): hostile commands against every sandbox driver,
# each asserting containment and the host's state after (see
# tests/security/sandbox_security.sh and docs/SANDBOX.md).
if(KC_TESTS)
  # sbx_run: calls the sandbox engine directly (no supervisor); the suite's
  # alternative runner (KC_SEC_RUNNER=sbx_run) and the benchmark's driver.
  add_executable(sbx_run ${CMAKE_CURRENT_LIST_DIR}/sbx_run.c)
  target_link_libraries(sbx_run PRIVATE kc_sandbox)
endif()
set(_d ${CMAKE_CURRENT_LIST_DIR})
kc_script_test(security_jail ${_d}/security_jail.sh LABELS "security" TIMEOUT 300)
kc_script_test(security_process_baseline ${_d}/security_process_baseline.sh LABELS "security" TIMEOUT 300)
kc_script_test(security_runsc ${_d}/security_runsc.sh LABELS "security;slow" TIMEOUT 900)
kc_script_test(security_docker_runc ${_d}/security_docker_runc.sh LABELS "security;docker;slow" TIMEOUT 900)
kc_script_test(security_docker_runsc ${_d}/security_docker_runsc.sh LABELS "security;docker;slow" TIMEOUT 900)
