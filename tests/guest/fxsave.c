// cflags: -mmmx -msse2 -mfpmath=sse
// FXSAVE / FXRSTOR / LDMXCSR / STMXCSR against the real CPU: the FXSAVE
// image of a known x87, MMX and SSE state (control and status words, the
// abridged tag byte, MXCSR and MXCSR_MASK, ST0-ST7 as 80-bit values, XMM0-7;
// the last-instruction pointers FOP/FIP/FCS/FDP/FDS are not printed: they
// depend on the code's addresses and on the CPU model), an FXRSTOR of an
// edited image read back by FXSAVE and used by x87 and SSE code, sticky
// MXCSR exception flags after operations, and fetestexcept, which reads
// them through glibc. Of MXCSR_MASK only the low 16 bits are printed: bit 17
// is AMD's misaligned-exception mask (MM), which Intel CPUs do not have.
#include <fenv.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static unsigned char area[512] __attribute__((aligned(16)));
static unsigned char saved[512] __attribute__((aligned(16)));

static void dump(const char *title, const unsigned char *a) {
    printf("-- %s\n", title);
    printf("fcw %02x%02x fsw %02x%02x ftw %02x mxcsr %02x%02x%02x%02x mask %02x%02x%02x%02x\n", a[1], a[0], a[3], a[2],
           a[4], a[27], a[26], a[25], a[24], 0, 0, a[29], a[28]);
    for (int i = 0; i < 8; i++) {
        const unsigned char *r = a + 32 + 16 * i;
        printf("st%d ", i);
        for (int k = 9; k >= 0; k--) printf("%02x", r[k]);
        printf("\n");
    }
    for (int i = 0; i < 8; i++) {
        const unsigned char *r = a + 160 + 16 * i;
        printf("xmm%d ", i);
        for (int k = 15; k >= 0; k--) printf("%02x", r[k]);
        printf("\n");
    }
}

static unsigned get_csr(void) {
    unsigned c;
    __asm__ volatile("stmxcsr %0" : "=m"(c));
    return c;
}

static void set_csr(unsigned c) { __asm__ volatile("ldmxcsr %0" : : "m"(c)); }

static void load_xmm_patterns(void) {
    static const uint32_t pat[32] __attribute__((aligned(16))) = {
        0x00000000, 0x3f800000, 0xbf800000, 0x7fc00000, 0x11111111, 0x22222222, 0x33333333, 0x44444444,
        0xdeadbeef, 0xcafebabe, 0x01234567, 0x89abcdef, 0x00000001, 0x80000000, 0x7f800000, 0xff800000,
        0x40490fdb, 0x402df854, 0x3eaaaaab, 0x00000000, 0xffffffff, 0xfffffffe, 0x00000002, 0x12345678,
        0x55555555, 0xaaaaaaaa, 0x0f0f0f0f, 0xf0f0f0f0, 0x76543210, 0xfedcba98, 0x13579bdf, 0x2468ace0,
    };
    __asm__ volatile("movaps 0(%0), %%xmm0\n\tmovaps 16(%0), %%xmm1\n\tmovaps 32(%0), %%xmm2\n\t"
                     "movaps 48(%0), %%xmm3\n\tmovaps 64(%0), %%xmm4\n\tmovaps 80(%0), %%xmm5\n\t"
                     "movaps 96(%0), %%xmm6\n\tmovaps 112(%0), %%xmm7"
                     : : "r"(pat) : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7");
}

int main(void) {
    // 1. x87 values (exact doubles), a control word, MXCSR with RC = up and a flag.
    memset(area, 0xa5, sizeof area);
    load_xmm_patterns();
    unsigned short cw = 0x0e7f;
    volatile double v1 = -2.5, v2 = 3.0, v3 = 0.0, v4 = 1.0 / 1024;
    set_csr(0x5f80 | 0x20);
    __asm__ volatile("finit\n\tfldcw %0\n\tfldl %1\n\tfldl %2\n\tfldl %3\n\tfldl %4\n\tfld1\n\t"
                     "fxsave %5\n\tfstp %%st(0)\n\tfstp %%st(0)\n\tfstp %%st(0)\n\tfstp %%st(0)\n\tfstp %%st(0)\n\tfinit"
                     : : "m"(cw), "m"(v1), "m"(v2), "m"(v3), "m"(v4), "m"(area) : "memory", "st");
    set_csr(0x1f80);
    dump("x87 stack of five, RC up, PE", area);
    int untouched = 1;
    for (int i = 288; i < 512; i++) untouched &= area[i] == 0xa5;
    printf("bytes 288-511 untouched: %d\n", untouched);

    // 2. MMX values: exponent 0xFFFF, the value as significand, TOP 0, every tag valid.
    static const uint64_t mm[2] = {0x0123456789abcdefull, 0x8000000000000000ull};
    __asm__ volatile("movq 0(%1), %%mm0\n\tmovq 8(%1), %%mm5\n\tpxor %%mm3, %%mm3\n\tfxsave %0\n\temms"
                     : "=m"(area) : "r"(mm) : "mm0", "mm3", "mm5", "memory");
    dump("after MMX writes", area);

    // 3. FXRSTOR an edited image, then FXSAVE it again and use the values.
    memcpy(saved, area, sizeof saved);
    saved[0] = 0x7f, saved[1] = 0x03;                  // FCW
    saved[2] = 0x00, saved[3] = 0x30;                  // FSW: TOP = 6
    saved[4] = 0xc0;                                   // R6, R7 valid
    saved[24] = 0x80, saved[25] = 0x3f, saved[26] = 0, saved[27] = 0; // MXCSR: RC down
    static const unsigned char st0[10] = {0, 0, 0, 0, 0, 0, 0, 0xc0, 0x00, 0x40}; // 3.0
    static const unsigned char st1[10] = {0, 0, 0, 0, 0, 0, 0, 0x80, 0xfe, 0xbf}; // -0.5
    memcpy(saved + 32, st0, 10);
    memcpy(saved + 48, st1, 10);
    for (int i = 0; i < 16; i++) saved[160 + i] = (unsigned char)(0x10 + i), saved[176 + i] = (unsigned char)(0xf0 - i);
    double sum, q;
    __asm__ volatile("fxrstor %2\n\tfxsave %3\n\tfaddp\n\tfstpl %0\n\t"
                     "movsd %4, %%xmm2\n\tdivsd %5, %%xmm2\n\tmovsd %%xmm2, %1"
                     : "=m"(sum), "=m"(q)
                     : "m"(saved), "m"(area), "m"(*(const double[]){1.0}), "m"(*(const double[]){3.0})
                     : "memory", "st", "xmm2");
    dump("after FXRSTOR", area);
    uint64_t sb, qb;
    memcpy(&sb, &sum, 8);
    memcpy(&qb, &q, 8);
    printf("x87 sum %016llx, 1/3 rounded down %016llx, mxcsr %08x\n", (unsigned long long)sb, (unsigned long long)qb,
           get_csr());
    set_csr(0x1f80);
    __asm__ volatile("finit");

    // 4. Sticky MXCSR flags.
    volatile float one = 1.0f, zero = 0.0f, three = 3.0f, big = 3e38f, tiny = 1e-38f, minus = -1.0f;
    volatile float den = 1e-40f;
    volatile float r;
    set_csr(0x1f80);
    r = one / three;
    printf("1/3: %08x\n", get_csr());
    r = one / zero;
    printf("+1/0: %08x\n", get_csr());
    set_csr(0x1f80);
    r = big * big;
    printf("overflow: %08x\n", get_csr());
    set_csr(0x1f80);
    r = tiny * tiny;
    printf("underflow: %08x\n", get_csr());
    set_csr(0x1f80);
    r = den + one;
    printf("denormal: %08x\n", get_csr());
    set_csr(0x1f80);
    __asm__ volatile("sqrtss %1, %%xmm0\n\tmovss %%xmm0, %0" : "=m"(r) : "m"(minus) : "xmm0");
    printf("sqrt(-1): %08x\n", get_csr());
    (void)r;
    static const unsigned csrs[] = {0x1f80, 0x0000, 0xffff, 0x9fc0, 0x7f80, 0x3f80, 0x1fbf};
    unsigned back[sizeof csrs / sizeof csrs[0]];
    for (unsigned i = 0; i < sizeof csrs / sizeof csrs[0]; i++) {
        set_csr(csrs[i]);
        back[i] = get_csr();
        set_csr(0x1f80);
    }
    for (unsigned i = 0; i < sizeof csrs / sizeof csrs[0]; i++) printf("ldmxcsr %04x -> %08x\n", csrs[i], back[i]);

    // 5. glibc's view of the SSE flags (it reads MXCSR when CPUID reports SSE).
    feclearexcept(FE_ALL_EXCEPT);
    volatile double d = 1.0, e = 0.0;
    volatile double f = d / e;
    printf("fetestexcept divbyzero %d inexact %d\n", fetestexcept(FE_DIVBYZERO) != 0, fetestexcept(FE_INEXACT) != 0);
    feclearexcept(FE_ALL_EXCEPT);
    f = d / 3.0;
    printf("fetestexcept divbyzero %d inexact %d\n", fetestexcept(FE_DIVBYZERO) != 0, fetestexcept(FE_INEXACT) != 0);
    (void)f;
    fesetround(FE_UPWARD);
    printf("fegetround up: %d, mxcsr %08x\n", fegetround() == FE_UPWARD, get_csr());
    fesetround(FE_TONEAREST);
    return 0;
}
