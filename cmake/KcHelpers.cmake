# Helpers every directory uses to register its tests, benches and fuzzers,
# so that each area owns its own registration and nobody edits a shared list.

# Sanitizer builds: LeakSanitizer reads tests/lsan.supp (leaks inside
# third-party libraries, each entry explained there) in every test.
if(KC_SANITIZE)
  set(KC_TEST_SAN_ENV "LSAN_OPTIONS=suppressions=${CMAKE_SOURCE_DIR}/tests/lsan.supp:print_suppressions=0")
else()
  set(KC_TEST_SAN_ENV "")
endif()

# kc_unit_test(NAME SOURCE LIBS...): a Criterion test executable, run by ctest
# with the label "unit;quick".
function(kc_unit_test name src)
  if(NOT KC_TESTS)
    return()
  endif()
  add_executable(${name} ${src})
  target_link_libraries(${name} PRIVATE ${ARGN} PkgConfig::CRITERION)
  target_compile_definitions(${name} PRIVATE UNITTEST=1)
  add_test(NAME ${name} COMMAND ${name} --jobs 2)
  set_tests_properties(${name} PROPERTIES LABELS "unit;quick" TIMEOUT 300
    ENVIRONMENT "${KC_TEST_SAN_ENV}")
endfunction()

# kc_script_test(NAME SCRIPT [ARGS a1 a2...] [LABELS l1;l2] [TIMEOUT s]): an
# integration test driven by a shell script (run with ARGS); the script gets
# KC_BIN (build dir with the binaries), KC_SRC (source dir) and KC_SHARED
# (../shared) in its environment.
function(kc_script_test name script)
  if(NOT KC_TESTS)
    return()
  endif()
  cmake_parse_arguments(A "" "TIMEOUT" "LABELS;ARGS" ${ARGN})
  if(NOT A_TIMEOUT)
    set(A_TIMEOUT 300)
  endif()
  if(NOT A_LABELS)
    set(A_LABELS integration)
  endif()
  add_test(NAME ${name} COMMAND bash ${script} ${A_ARGS})
  set_tests_properties(${name} PROPERTIES LABELS "${A_LABELS}" TIMEOUT ${A_TIMEOUT}
    SKIP_RETURN_CODE 77
    ENVIRONMENT "KC_BIN=${CMAKE_BINARY_DIR}/bin;KC_SRC=${CMAKE_SOURCE_DIR};KC_BUILD=${CMAKE_BINARY_DIR};KC_SHARED=${CMAKE_SOURCE_DIR}/../shared;${KC_TEST_SAN_ENV}")
endfunction()
