// cflags: -msse2
// With ZM cleared in MXCSR, DIVSS by zero raises #XM, which Linux turns into
// SIGFPE: the process must die by it (status 136) after its flushed output.
// Masked, the same division gives infinity and only sets ZE.
#include <stdio.h>

int main(void) {
    volatile float one = 1.0f, zero = 0.0f;
    unsigned csr = 0x1f80, out, r;
    __asm__ volatile("ldmxcsr %2\n\tmovss %3, %%xmm0\n\tdivss %4, %%xmm0\n\tmovd %%xmm0, %0\n\tstmxcsr %1"
                     : "=r"(r), "=m"(out) : "m"(csr), "m"(one), "m"(zero) : "xmm0");
    printf("masked: %08x mxcsr %08x\n", r, out);
    fflush(stdout);
    csr = 0x1f80 & ~0x200u;
    __asm__ volatile("ldmxcsr %2\n\tmovss %3, %%xmm0\n\tdivss %4, %%xmm0\n\tmovd %%xmm0, %0\n\tstmxcsr %1"
                     : "=r"(r), "=m"(out) : "m"(csr), "m"(one), "m"(zero) : "xmm0");
    printf("not reached %08x\n", r);
    return 0;
}
