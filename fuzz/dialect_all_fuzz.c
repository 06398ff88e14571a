/* libFuzzer target: every dialect in one pass (the driver's block
 * selection, overlaps and the message left between blocks). */
#include "fuzz/dialect_fuzz.h"

DIALECT_FUZZER(NULL)
