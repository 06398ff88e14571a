/* libFuzzer target: the unified_diff dialect parser on arbitrary text. */
#include "fuzz/dialect_fuzz.h"

DIALECT_FUZZER("unified_diff")
