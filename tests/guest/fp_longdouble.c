// The part of fp_compute that needs 80-bit long doubles in x87 registers.
#define X87_EXTENDED_ONLY
#include "fp_compute.c"
