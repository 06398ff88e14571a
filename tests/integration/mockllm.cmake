# kylecode-mockllm: every response mode and fault over real HTTP (curl).
kc_script_test(mockllm_modes ${CMAKE_CURRENT_LIST_DIR}/mockllm_modes.sh
  LABELS "integration;quick" TIMEOUT 60)
kc_script_test(mockllm_scripts ${CMAKE_CURRENT_LIST_DIR}/mockllm_scripts.sh
  LABELS "integration;quick" TIMEOUT 60)
