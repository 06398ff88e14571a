/* libFuzzer target: the aider_search_replace dialect parser on arbitrary text. */
#include "fuzz/dialect_fuzz.h"

DIALECT_FUZZER("aider_search_replace")
