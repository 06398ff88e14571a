/* libFuzzer target: the yaml_command dialect parser on arbitrary text. */
#include "fuzz/dialect_fuzz.h"

DIALECT_FUZZER("yaml_command")
