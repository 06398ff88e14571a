# Template engine against Python Jinja2 (the oracle): reference templates,
# the corpus in tests/corpus/templates, invalid templates, and the CLI.
kc_script_test(template_oracle ${CMAKE_CURRENT_LIST_DIR}/template_oracle.sh
  LABELS "integration;quick" TIMEOUT 600)
