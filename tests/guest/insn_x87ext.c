// wasmvisor: --x87 exact
// insn_test's x87 part with C1 after arithmetic and FSQRT unfiltered: it
// reports rounding at the x87's 64-bit precision, which needs 80-bit registers:
// run with wasmvisor's exact x87 (the corpus passes --x87 exact).
#define X87_EXTENDED_ONLY
#include "insn_test.c"
