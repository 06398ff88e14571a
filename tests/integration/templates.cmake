# Template engine against Python Jinja2 (the oracle): reference templates,
# the corpus in tests/corpus/templates, invalid templates, and the CLI.
kc_script_test(template_oracle ${CMAKE_CURRENT_LIST_DIR}/template_oracle.sh
  LABELS "integration;quick" TIMEOUT 600)
# Random templates (fixed seed) against Jinja2; TEMPLATE_RANDOM_SEED and
# TEMPLATE_RANDOM_COUNT in the environment choose another run.
kc_script_test(template_random ${CMAKE_CURRENT_LIST_DIR}/template_random.sh
  LABELS "integration;quick" TIMEOUT 600)
