# worker-tools: the dialect parsers and the turn validator/planner.
foreach(t pythonic bash diff aider opencode xml json yaml native all)
  if(EXISTS ${CMAKE_CURRENT_LIST_DIR}/dialect_${t}_test.c)
    kc_unit_test(dialect_${t}_test ${CMAKE_CURRENT_LIST_DIR}/dialect_${t}_test.c kc_tools)
  endif()
endforeach()
if(EXISTS ${CMAKE_CURRENT_LIST_DIR}/validate_test.c)
  kc_unit_test(validate_test ${CMAKE_CURRENT_LIST_DIR}/validate_test.c kc_tools)
endif()
