// cflags: -msse2
// MOVUPS reads a misaligned 16-byte operand; MOVAPS of the same address
// raises #GP(0), which Linux turns into SIGSEGV: the process must die by it
// (status 139) after its flushed output.
#include <stdio.h>

static unsigned char buf[64] __attribute__((aligned(16)));

int main(void) {
    for (int i = 0; i < 64; i++) buf[i] = (unsigned char)i;
    unsigned v;
    __asm__ volatile("movups 3(%1), %%xmm0\n\tmovd %%xmm0, %0" : "=r"(v) : "r"(buf) : "xmm0");
    printf("movups at +3: %08x\n", v);
    __asm__ volatile("movaps 16(%1), %%xmm0\n\tmovd %%xmm0, %0" : "=r"(v) : "r"(buf) : "xmm0");
    printf("movaps at +16: %08x\n", v);
    fflush(stdout);
    __asm__ volatile("movaps 3(%1), %%xmm0\n\tmovd %%xmm0, %0" : "=r"(v) : "r"(buf) : "xmm0");
    printf("not reached %08x\n", v);
    return 0;
}
