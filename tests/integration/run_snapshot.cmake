# The start-state snapshot of a run and its restore by replay (issue 8).
kc_script_test(run_replay_snapshot ${CMAKE_CURRENT_LIST_DIR}/run_replay_snapshot.sh
  LABELS "integration;quick" TIMEOUT 120)
