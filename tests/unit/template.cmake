# Template engine (lib/template) unit tests: lexer, whitespace rules,
# filters, errors with line numbers, hostile templates, converted data.
foreach(t template_lexer_test template_ws_test template_filters_test template_errors_test template_hostile_test
    template_data_test)
  kc_unit_test(${t} ${CMAKE_CURRENT_LIST_DIR}/${t}.c kc_template)
endforeach()
