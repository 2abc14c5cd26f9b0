// wasmvisor: --x87 exact
// The part of fp_x87ops that needs 80-bit extended registers (values with
// more than 53 significant bits, precision control, extended denormals):
// run with wasmvisor's exact x87 (the corpus passes --x87 exact).
#define X87_EXTENDED_ONLY
#include "fp_x87ops.c"
