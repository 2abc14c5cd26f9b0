// The part of fp_x87ops that needs 80-bit extended registers (values with
// more than 53 significant bits, precision control, extended denormals) or
// SSE3 (FISTTP).
#define X87_EXTENDED_ONLY
#include "fp_x87ops.c"
