/* libFuzzer target: the json_block dialect parser on arbitrary text. */
#include "fuzz/dialect_fuzz.h"

DIALECT_FUZZER("json_block")
