# Cross-cutting checks of the whole tree (lead).
kc_script_test(worker_netns ${CMAKE_CURRENT_LIST_DIR}/worker_netns.sh LABELS "integration;quick" TIMEOUT 60)
kc_script_test(sandbox_cpu ${CMAKE_CURRENT_LIST_DIR}/sandbox_cpu.sh LABELS "integration;quick" TIMEOUT 120)
