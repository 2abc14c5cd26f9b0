// cflags: -msse2 -mfpmath=sse
// fp_compute.c as gcc compiles it for SSE2 (-msse2 -mfpmath=sse): float and
// double arithmetic, conversions and compares in XMM registers (ADDSD,
// MULSD, CVTTSD2SI, CVTSI2SD, UCOMISD, ...), long double still on the x87.
// Real gcc output rather than hand-picked instructions; the native run is
// the expected output.
#include "fp_compute.c"
