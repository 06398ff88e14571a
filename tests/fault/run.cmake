# `kylecode run` under faults: model errors and stalls, workers killed.
kc_script_test(run_faults ${CMAKE_CURRENT_LIST_DIR}/run_faults.sh
  LABELS "fault;integration" TIMEOUT 180)
# kill -9 at every durable boundary of a run, each resumed (~2-4 min).
kc_script_test(run_crash_sweep ${CMAKE_CURRENT_LIST_DIR}/run_crash_sweep.sh
  LABELS "fault;slow" TIMEOUT 900)
