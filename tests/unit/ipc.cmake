# Foundation: the IPC wire format, the client/worker channel, failpoints.
kc_unit_test(ipc_msg_test ${CMAKE_CURRENT_LIST_DIR}/ipc_msg_test.c kc_ipc)
kc_unit_test(ipc_chan_test ${CMAKE_CURRENT_LIST_DIR}/ipc_chan_test.c kc_ipc)
kc_unit_test(failpoint_test ${CMAKE_CURRENT_LIST_DIR}/failpoint_test.c kc_failpoint)
kc_unit_test(ipc_json_test ${CMAKE_CURRENT_LIST_DIR}/ipc_json_test.c kc_ipc)
