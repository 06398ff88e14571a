# `kylecode run` under faults: model errors and stalls, workers killed.
kc_script_test(run_faults ${CMAKE_CURRENT_LIST_DIR}/run_faults.sh
  LABELS "fault;integration" TIMEOUT 180)
