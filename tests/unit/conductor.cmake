# The conductor's decisions without workers: completion signals, the loop
# sequence, compaction triggers, dialect and native-tool selection.
kc_unit_test(conductor_test ${CMAKE_CURRENT_LIST_DIR}/conductor_test.c kc_sup)
if(KC_TESTS)
  target_compile_definitions(conductor_test PRIVATE KC_SRC_DIR="${CMAKE_SOURCE_DIR}")
endif()
