/* libFuzzer target: the pythonic dialect parser on arbitrary text. */
#include "fuzz/dialect_fuzz.h"

DIALECT_FUZZER("pythonic")
