# Every Criterion unit test binary under valgrind memcheck (scripts/valgrind.sh):
# definite/indirect leaks, invalid accesses and uninitialised use fail it.
# It takes ~20 min on a 2-core machine, so the test is opt-in and CI
# (scripts/test.sh runs every label) is not made slower: without
# KC_VALGRIND=1 in the environment it reports "skipped".
#   KC_VALGRIND=1 ctest --test-dir build -R unit_valgrind --output-on-failure
# It skips itself in sanitizer builds (valgrind cannot run ASan binaries).
if(KC_TESTS)
  add_test(NAME unit_valgrind
    COMMAND bash -c "[ \"$KC_VALGRIND\" = 1 ] || { echo 'skip: set KC_VALGRIND=1 (takes ~20 min)'; exit 77; }; exec bash \"$0\" --build \"$1\""
            ${CMAKE_SOURCE_DIR}/scripts/valgrind.sh ${CMAKE_BINARY_DIR})
  set_tests_properties(unit_valgrind PROPERTIES LABELS "valgrind;slow" TIMEOUT 3600
    SKIP_RETURN_CODE 77)
endif()
