# Patch conformance against git apply / patch, and the file tools' security
# (G2). Both drive tool_run through kc-tool-run (built in tests/unit/edits.cmake).
kc_script_test(patch_conformance ${CMAKE_CURRENT_LIST_DIR}/patch_conformance.sh
               LABELS "integration;quick" TIMEOUT 300)
kc_script_test(tools_fs_security ${CMAKE_CURRENT_LIST_DIR}/tools_fs_security.sh
               LABELS "integration;security;quick" TIMEOUT 300)
kc_script_test(patch_roundtrip ${CMAKE_CURRENT_LIST_DIR}/patch_roundtrip.sh
               LABELS "integration;quick" TIMEOUT 300)
kc_script_test(patch_apply_cli ${CMAKE_CURRENT_LIST_DIR}/patch_apply_cli.sh
               LABELS "integration;quick" TIMEOUT 300)
