# Config loader, `kylecode config` and `kylecode prompts` against the real
# binary (engineer B). The reference configs sit beside the clone
# (KC_SRC/../shared/reference/kylecode, or $KC_SHARED/reference/kylecode).
kc_script_test(config_reference ${CMAKE_CURRENT_LIST_DIR}/config_reference.sh
  LABELS "integration;quick" TIMEOUT 120)
kc_script_test(config_hostile ${CMAKE_CURRENT_LIST_DIR}/config_hostile.sh
  LABELS "integration;quick" TIMEOUT 120)
kc_script_test(config_typing_oracle ${CMAKE_CURRENT_LIST_DIR}/config_typing_oracle.sh
  LABELS "integration;quick" TIMEOUT 120)
kc_script_test(config_cli ${CMAKE_CURRENT_LIST_DIR}/config_cli.sh
  LABELS "integration;quick" TIMEOUT 60)
kc_script_test(prompts_oracle ${CMAKE_CURRENT_LIST_DIR}/prompts_oracle.sh
  LABELS "integration;quick" TIMEOUT 120)
