// cflags: -msse3
// SSE3 against the real CPU: ADDSUBPS/PD, HADDPS/PD, HSUBPS/PD over special
// operands (zeros, denormals, extremes, infinities, quiet and signalling
// NaNs) in all four MXCSR rounding modes, with the MXCSR flags each raised;
// MOVSLDUP/MOVSHDUP/MOVDDUP from registers and memory (MOVDDUP's m64 and
// LDDQU unaligned; MOVSHDUP's m128 must be aligned, as on the CPU); LDDQU at
// every offset of a line; FISTTP to 16, 32 and 64 bits whatever the x87
// rounding control says, with out-of-range values (the integer indefinite,
// IE) and what it leaves in the status word (but PE and DE, which the x87
// here does not track: see the README); CPUID's SSE3 bit. Operands travel
// as bit patterns and every operation is inline asm bracketed by
// LDMXCSR/STMXCSR, so nothing is folded at compile time. The program also
// exercises gcc's own -msse3 code (a horizontal sum loop and (int) casts,
// which use FISTTP).
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static const uint32_t F[] = {
    0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x3fc00000, 0x7f7fffff, 0x00800000, 0x00000001,
    0x807fffff, 0x7f800000, 0xff800000, 0x7fc00000, 0x7fa00001, 0xffc12345, 0x3eaaaaab, 0x4b800001,
};
#define NF (sizeof F / sizeof F[0])

static const uint64_t D[] = {
    0x0000000000000000ull, 0x8000000000000000ull, 0x3ff0000000000000ull, 0xbff0000000000000ull,
    0x7fefffffffffffffull, 0x0010000000000000ull, 0x0000000000000001ull, 0x800fffffffffffffull,
    0x7ff0000000000000ull, 0xfff0000000000000ull, 0x7ff8000000000000ull, 0x7ff4000000000001ull,
    0xfff8123456789abcull, 0x3fd5555555555555ull, 0x4340000000000001ull, 0x3ca0000000000000ull,
};
#define ND (sizeof D / sizeof D[0])

static const uint32_t CSR[] = { 0x1f80, 0x3f80, 0x5f80, 0x7f80 };

typedef struct { uint32_t v[4]; } __attribute__((aligned(16))) x128;

#define PACKED(NAME, INSN)                                                                          \
    static uint32_t NAME(x128 *a, const x128 *b, uint32_t csr) {                                      \
        uint32_t out;                                                                                \
        __asm__ volatile("ldmxcsr %2\n\tmovdqa (%0), %%xmm0\n\t" INSN " (%1), %%xmm0\n\t"             \
                         "movdqa %%xmm0, (%0)\n\tstmxcsr %3"                                          \
                         : : "r"(a), "r"(b), "m"(csr), "m"(out) : "xmm0", "memory");                  \
        return out;                                                                                  \
    }
PACKED(addsubps, "addsubps")
PACKED(addsubpd, "addsubpd")
PACKED(haddps, "haddps")
PACKED(haddpd, "haddpd")
PACKED(hsubps, "hsubps")
PACKED(hsubpd, "hsubpd")

typedef uint32_t (*packed_fn)(x128 *, const x128 *, uint32_t);

static void packed_singles(const char *name, packed_fn f) {
    unsigned long sum = 0;
    for (unsigned c = 0; c < 4; c++)
        for (unsigned i = 0; i < NF; i++)
            for (unsigned j = 0; j < NF; j += 3) {
                x128 a = {{F[i], F[j], F[(i + j) % NF], F[(i * 7 + 3) % NF]}};
                x128 b = {{F[(j + 5) % NF], F[i], F[(i + 1) % NF], F[j]}};
                uint32_t csr = f(&a, &b, CSR[c]);
                printf("%s c%u %08x %08x: %08x %08x %08x %08x mx %02x\n", name, c, F[i], F[j], a.v[0], a.v[1], a.v[2],
                       a.v[3], csr & 0x3f);
                sum += a.v[0] ^ a.v[3];
            }
    printf("%s sum %lx\n", name, sum);
}

static void packed_doubles(const char *name, packed_fn f) {
    for (unsigned c = 0; c < 4; c++)
        for (unsigned i = 0; i < ND; i++)
            for (unsigned j = 0; j < ND; j += 2) {
                x128 a, b;
                uint64_t av[2] = {D[i], D[j]}, bv[2] = {D[(i + j + 1) % ND], D[(j * 3 + i) % ND]};
                memcpy(a.v, av, 16);
                memcpy(b.v, bv, 16);
                uint32_t csr = f(&a, &b, CSR[c]);
                printf("%s c%u %016llx %016llx: %08x%08x %08x%08x mx %02x\n", name, c, (unsigned long long)D[i],
                       (unsigned long long)D[j], a.v[1], a.v[0], a.v[3], a.v[2], csr & 0x3f);
            }
}

static void duplicates(void) {
    static uint8_t buf[80] __attribute__((aligned(16)));
    for (unsigned k = 0; k < sizeof buf; k++) buf[k] = (uint8_t)(k * 37 + 11);
    for (unsigned off = 0; off < 16; off++) {
        x128 r[4];
        __asm__ volatile("movdqu (%1), %%xmm1\n\t"
                         "movsldup %%xmm1, %%xmm2\n\tmovdqa %%xmm2, (%0)\n\t"
                         "movshdup (%2), %%xmm3\n\tmovdqa %%xmm3, 16(%0)\n\t"
                         "movddup 8(%1), %%xmm4\n\tmovdqa %%xmm4, 32(%0)\n\t"
                         "lddqu 3(%1), %%xmm5\n\tmovdqa %%xmm5, 48(%0)"
                         : : "r"(r), "r"(buf + off), "r"(buf + (off & 3) * 16) : "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "memory");
        printf("dup %2u:", off);
        for (unsigned q = 0; q < 4; q++) printf(" %08x%08x%08x%08x", r[q].v[3], r[q].v[2], r[q].v[1], r[q].v[0]);
        printf("\n");
    }
}

static void fisttp(void) {
    static const double V[] = {0.0, -0.0, 0.5, -0.5, 1.5, -1.5, 2.5, -2.99, 32767.9, -32768.9, 32768.0, -32769.0,
                               2147483647.5, -2147483648.9, 2147483648.0, 1e18, -9.2233720368547758e18,
                               9.3e18, 1e300, -1e300, 1.0 / 0.0, 0.0 / 0.0, 4.9e-324, 123456.789};
    static const uint16_t CW[] = {0x037f, 0x077f, 0x0b7f, 0x0f7f};
    for (unsigned c = 0; c < 4; c++)
        for (unsigned i = 0; i < sizeof V / sizeof V[0]; i++) {
            int16_t w;
            int32_t d;
            int64_t q;
            uint16_t sw16, sw32, sw64;
            __asm__ volatile("fldcw %6\n\tfnclex\n\tfldl %7\n\tfisttps %0\n\tfnstsw %3\n\t"
                             "fnclex\n\tfldl %7\n\tfisttpl %1\n\tfnstsw %4\n\t"
                             "fnclex\n\tfldl %7\n\tfisttpll %2\n\tfnstsw %5"
                             : "=m"(w), "=m"(d), "=m"(q), "=m"(sw16), "=m"(sw32), "=m"(sw64)
                             : "m"(CW[c]), "m"(V[i]));
            printf("fisttp cw %04x %.17g: %d %ld %lld sw %04x %04x %04x\n", CW[c], V[i], w, (long)d, (long long)q,
                   sw16 & 0x3a5d, sw32 & 0x3a5d, sw64 & 0x3a5d);
        }
    uint16_t cw = 0x037f;
    __asm__ volatile("fldcw %0" : : "m"(cw));
}

/* gcc's own SSE3 code: (int) casts of doubles are FISTTP with -msse3. */
static volatile double samples[64];

int main(void) {
    unsigned a, b, c, d;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1));
    printf("cpuid sse3 %u\n", c & 1);
    packed_singles("addsubps", addsubps);
    packed_singles("haddps", haddps);
    packed_singles("hsubps", hsubps);
    packed_doubles("addsubpd", addsubpd);
    packed_doubles("haddpd", haddpd);
    packed_doubles("hsubpd", hsubpd);
    duplicates();
    fisttp();
    long total = 0;
    for (int i = 0; i < 64; i++) samples[i] = (i - 32) * 1.37;
    for (int i = 0; i < 64; i++) total += (int)samples[i] * (i + 1);
    printf("casts %ld\n", total);
    return 0;
}
