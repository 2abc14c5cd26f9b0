// insn_test's x87 part with C1 after arithmetic and FSQRT unfiltered: it
// reports rounding at the x87's 64-bit precision, which needs 80-bit registers.
#define X87_EXTENDED_ONLY
#include "insn_test.c"
