# Foundation fault tests: failpoints in the IPC and worker loops.
kc_script_test(foundation_fault ${CMAKE_CURRENT_LIST_DIR}/foundation_fault.sh
               LABELS "fault;quick" TIMEOUT 180)
