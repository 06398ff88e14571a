/* libFuzzer target: the opencode_patch dialect parser on arbitrary text. */
#include "fuzz/dialect_fuzz.h"

DIALECT_FUZZER("opencode_patch")
