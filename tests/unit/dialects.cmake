# worker-tools: the dialect parsers and the turn validator/planner.
foreach(t pythonic bash diff aider opencode xml json yaml native all)
  if(EXISTS ${CMAKE_CURRENT_LIST_DIR}/dialect_${t}_test.c)
    kc_unit_test(dialect_${t}_test ${CMAKE_CURRENT_LIST_DIR}/dialect_${t}_test.c kc_tools)
  endif()
endforeach()
if(EXISTS ${CMAKE_CURRENT_LIST_DIR}/validate_test.c)
  kc_unit_test(validate_test ${CMAKE_CURRENT_LIST_DIR}/validate_test.c kc_tools)
endif()
# worker-tools request deadlines (handlers + walks): links the whole role library.
kc_unit_test(tools_deadline_test ${CMAKE_CURRENT_LIST_DIR}/tools_deadline_test.c kc_tools)
