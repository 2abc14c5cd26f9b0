// wasmvisor: --x87 exact
// The part of fp_compute that needs 80-bit long doubles in x87 registers:
// run with wasmvisor's exact x87 (the corpus passes --x87 exact).
#define X87_EXTENDED_ONLY
#include "fp_compute.c"
