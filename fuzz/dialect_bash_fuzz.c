/* libFuzzer target: the bash_block dialect parser on arbitrary text. */
#include "fuzz/dialect_fuzz.h"

DIALECT_FUZZER("bash_block")
