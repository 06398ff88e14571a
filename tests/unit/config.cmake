# lib/config and lib/tpsl unit tests (engineer B). KC_SRC_DIR lets tests
# find the reference configs beside the clone (../shared/reference).
foreach(t config_scalar_test config_yaml_test config_load_test config_validate_test tpsl_test)
  if(EXISTS ${CMAKE_CURRENT_LIST_DIR}/${t}.c)
    if(t MATCHES "^tpsl")
      kc_unit_test(${t} ${CMAKE_CURRENT_LIST_DIR}/${t}.c kc_tpsl kc_config)
    else()
      kc_unit_test(${t} ${CMAKE_CURRENT_LIST_DIR}/${t}.c kc_config)
    endif()
    if(TARGET ${t})
      target_compile_definitions(${t} PRIVATE KC_SRC_DIR="${CMAKE_SOURCE_DIR}")
    endif()
  endif()
endforeach()
