// cflags: -msse2 -mfpmath=sse
// SSE/SSE2 floating point against the real CPU: scalar and packed
// arithmetic of singles and doubles over special operands (zeros, denormals,
// extremes, infinities, quiet and signalling NaNs) in all four MXCSR
// rounding modes, with the MXCSR exception flags each operation raised;
// conversions to and from integers (CVT/CVTT, out of range), between
// precisions; compares (CMPxx predicates, COMIS/UCOMIS EFLAGS), MIN/MAX NaN
// rules, DAZ and FTZ; shuffles, unpacks and sign masks. Operands travel as
// bit patterns (never through the x87) and every operation is inline asm
// bracketed by LDMXCSR/STMXCSR, so nothing is folded at compile time.
#include <emmintrin.h>
#include <fenv.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define DEFAULT_CSR 0x1f80u

static const uint32_t F[] = {
    0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x3fc00000, 0x40200000, 0x7f7fffff, 0x00800000,
    0x00000001, 0x807fffff, 0x7f800000, 0xff800000, 0x7fc00000, 0x7fa00001, 0xffc12345, 0x3eaaaaab,
    0x33800000, 0x4f000000, 0xcf000000, 0x4effffff, 0x3f000000, 0xbfc00000, 0x4b800001, 0x0c000001,
};
#define NF (sizeof F / sizeof F[0])

static const uint64_t D[] = {
    0x0000000000000000ull, 0x8000000000000000ull, 0x3ff0000000000000ull, 0xbff0000000000000ull,
    0x3ff8000000000000ull, 0x4004000000000000ull, 0x7fefffffffffffffull, 0x0010000000000000ull,
    0x0000000000000001ull, 0x800fffffffffffffull, 0x7ff0000000000000ull, 0xfff0000000000000ull,
    0x7ff8000000000000ull, 0x7ff4000000000001ull, 0xfff8123456789abcull, 0x3fd5555555555555ull,
    0x41e0000000000000ull, 0xc1e0000000000000ull, 0x41dfffffffc00000ull, 0x3fe0000000000000ull,
    0x4340000000000001ull, 0x1ff0000000000001ull, 0x3ca0000000000000ull, 0xc1dfffffffe00000ull,
};
#define ND (sizeof D / sizeof D[0])

static unsigned csr_of(unsigned rc) { return DEFAULT_CSR | (rc << 13); }

// ---------------------------------------------------------------- single-precision binary ops

#define DEF_SS(NAME, INSN)                                                                        \
    static uint32_t NAME(uint32_t a, uint32_t b, unsigned csr, unsigned *fl) {                   \
        uint32_t r;                                                                               \
        unsigned o, def = DEFAULT_CSR;                                                            \
        __asm__ volatile("movd %2, %%xmm0\n\tmovd %3, %%xmm1\n\tldmxcsr %4\n\t" INSN              \
                         "\n\tstmxcsr %1\n\tldmxcsr %5\n\tmovd %%xmm0, %0"                        \
                         : "=r"(r), "=m"(o)                                                       \
                         : "r"(a), "r"(b), "m"(csr), "m"(def)                                     \
                         : "xmm0", "xmm1", "eax");                                                \
        *fl = o & 0x3f;                                                                           \
        return r;                                                                                 \
    }
DEF_SS(addss, "addss %%xmm1, %%xmm0")
DEF_SS(subss, "subss %%xmm1, %%xmm0")
DEF_SS(mulss, "mulss %%xmm1, %%xmm0")
DEF_SS(divss, "divss %%xmm1, %%xmm0")
DEF_SS(minss, "minss %%xmm1, %%xmm0")
DEF_SS(maxss, "maxss %%xmm1, %%xmm0")
DEF_SS(sqrtss, "sqrtss %%xmm1, %%xmm0")
DEF_SS(cvtss2sd_lo, "cvtss2sd %%xmm1, %%xmm0\n\tpsrlq $32, %%xmm0")
DEF_SS(cvtss2si, "cvtss2si %%xmm1, %%eax\n\tmovd %%eax, %%xmm0")
DEF_SS(cvttss2si, "cvttss2si %%xmm1, %%eax\n\tmovd %%eax, %%xmm0")
DEF_SS(cvtsi2ss, "cvtsi2ss %3, %%xmm0")
DEF_SS(cmpeqss, "cmpeqss %%xmm1, %%xmm0")
DEF_SS(cmpltss, "cmpltss %%xmm1, %%xmm0")
DEF_SS(cmpless, "cmpless %%xmm1, %%xmm0")
DEF_SS(cmpunordss, "cmpunordss %%xmm1, %%xmm0")
DEF_SS(cmpneqss, "cmpneqss %%xmm1, %%xmm0")
DEF_SS(cmpnltss, "cmpnltss %%xmm1, %%xmm0")
DEF_SS(cmpnless, "cmpnless %%xmm1, %%xmm0")
DEF_SS(cmpordss, "cmpordss %%xmm1, %%xmm0")
DEF_SS(rcp_class, "rcpss %%xmm1, %%xmm0\n\tmovmskps %%xmm0, %%eax\n\tmovd %%eax, %%xmm0")

typedef uint32_t (*ss_fn)(uint32_t, uint32_t, unsigned, unsigned *);

// COMISS / UCOMISS: ZF PF CF (and OF SF AF) from EFLAGS.
static unsigned comiss(uint32_t a, uint32_t b, int quiet, unsigned *fl) {
    unsigned f, o, csr = DEFAULT_CSR, def = DEFAULT_CSR;
    if (quiet)
        __asm__ volatile("movd %2, %%xmm0\n\tmovd %3, %%xmm1\n\tldmxcsr %4\n\tucomiss %%xmm1, %%xmm0\n\tpushf\n\tpop %0\n\t"
                         "stmxcsr %1\n\tldmxcsr %5" : "=r"(f), "=m"(o) : "r"(a), "r"(b), "m"(csr), "m"(def) : "xmm0", "xmm1", "cc");
    else
        __asm__ volatile("movd %2, %%xmm0\n\tmovd %3, %%xmm1\n\tldmxcsr %4\n\tcomiss %%xmm1, %%xmm0\n\tpushf\n\tpop %0\n\t"
                         "stmxcsr %1\n\tldmxcsr %5" : "=r"(f), "=m"(o) : "r"(a), "r"(b), "m"(csr), "m"(def) : "xmm0", "xmm1", "cc");
    *fl = o & 0x3f;
    return f & 0x8d5;
}

// ---------------------------------------------------------------- double-precision ops (through memory)

#define DEF_SD(NAME, INSN)                                                                       \
    static uint64_t NAME(uint64_t a, uint64_t b, unsigned csr, unsigned *fl) {                  \
        uint64_t r;                                                                              \
        unsigned o, def = DEFAULT_CSR;                                                           \
        __asm__ volatile("movq %2, %%xmm0\n\tmovq %3, %%xmm1\n\tldmxcsr %4\n\t" INSN             \
                         "\n\tstmxcsr %1\n\tldmxcsr %5\n\tmovq %%xmm0, %0"                       \
                         : "=m"(r), "=m"(o)                                                      \
                         : "m"(a), "m"(b), "m"(csr), "m"(def)                                    \
                         : "xmm0", "xmm1", "eax");                                               \
        *fl = o & 0x3f;                                                                          \
        return r;                                                                                \
    }
DEF_SD(addsd, "addsd %%xmm1, %%xmm0")
DEF_SD(subsd, "subsd %%xmm1, %%xmm0")
DEF_SD(mulsd, "mulsd %%xmm1, %%xmm0")
DEF_SD(divsd, "divsd %%xmm1, %%xmm0")
DEF_SD(minsd, "minsd %%xmm1, %%xmm0")
DEF_SD(maxsd, "maxsd %%xmm1, %%xmm0")
DEF_SD(sqrtsd, "sqrtsd %%xmm1, %%xmm0")
DEF_SD(addsd_mem, "addsd %3, %%xmm0")
DEF_SD(cvtsd2ss, "cvtsd2ss %%xmm1, %%xmm0")
DEF_SD(cvtsd2si, "cvtsd2si %%xmm1, %%eax\n\tmovd %%eax, %%xmm0")
DEF_SD(cvttsd2si, "cvttsd2si %%xmm1, %%eax\n\tmovd %%eax, %%xmm0")
DEF_SD(cmpltsd, "cmpltsd %%xmm1, %%xmm0")
DEF_SD(cmpunordsd, "cmpunordsd %%xmm1, %%xmm0")
DEF_SD(cmpnlesd, "cmpnlesd %%xmm1, %%xmm0")
DEF_SD(cmpeqsd, "cmpeqsd %%xmm1, %%xmm0")
DEF_SD(comisd_flags, "comisd %%xmm1, %%xmm0\n\tpushf\n\tpop %%eax\n\tmovd %%eax, %%xmm0")
DEF_SD(ucomisd_flags, "ucomisd %%xmm1, %%xmm0\n\tpushf\n\tpop %%eax\n\tmovd %%eax, %%xmm0")

typedef uint64_t (*sd_fn)(uint64_t, uint64_t, unsigned, unsigned *);

// ---------------------------------------------------------------- packed ops on 16-byte vectors

typedef union {
    uint32_t u[4];
    uint64_t q[2];
} __attribute__((aligned(16))) vec;

#define DEF_P(NAME, INSN)                                                                           \
    static void NAME(vec *d, const vec *a, const vec *b, unsigned csr, unsigned *fl) {             \
        unsigned o, def = DEFAULT_CSR;                                                              \
        __asm__ volatile("movaps %2, %%xmm0\n\tmovups %3, %%xmm1\n\tldmxcsr %4\n\t" INSN            \
                         "\n\tstmxcsr %1\n\tldmxcsr %5\n\tmovaps %%xmm0, %0"                        \
                         : "=m"(*d), "=m"(o)                                                        \
                         : "m"(*a), "m"(*b), "m"(csr), "m"(def)                                     \
                         : "xmm0", "xmm1", "eax");                                                  \
        *fl = o & 0x3f;                                                                             \
    }
DEF_P(addps, "addps %%xmm1, %%xmm0")
DEF_P(mulps_mem, "mulps %3, %%xmm0")
DEF_P(divps, "divps %%xmm1, %%xmm0")
DEF_P(sqrtps, "sqrtps %%xmm1, %%xmm0")
DEF_P(minps, "minps %%xmm1, %%xmm0")
DEF_P(maxpd, "maxpd %%xmm1, %%xmm0")
DEF_P(subpd, "subpd %%xmm1, %%xmm0")
DEF_P(mulpd, "mulpd %%xmm1, %%xmm0")
DEF_P(divpd_mem, "divpd %3, %%xmm0")
DEF_P(sqrtpd, "sqrtpd %%xmm1, %%xmm0")
DEF_P(cmpleps, "cmpleps %%xmm1, %%xmm0")
DEF_P(cmpneqpd, "cmpneqpd %%xmm1, %%xmm0")
DEF_P(andps, "andps %%xmm1, %%xmm0")
DEF_P(andnps, "andnps %%xmm1, %%xmm0")
DEF_P(orpd, "orpd %%xmm1, %%xmm0")
DEF_P(xorps, "xorps %%xmm1, %%xmm0")
DEF_P(cvtps2dq, "cvtps2dq %%xmm1, %%xmm0")
DEF_P(cvttps2dq, "cvttps2dq %%xmm1, %%xmm0")
DEF_P(cvtdq2ps, "cvtdq2ps %%xmm1, %%xmm0")
DEF_P(cvtpd2dq, "cvtpd2dq %%xmm1, %%xmm0")
DEF_P(cvttpd2dq, "cvttpd2dq %%xmm1, %%xmm0")
DEF_P(cvtdq2pd, "cvtdq2pd %%xmm1, %%xmm0")
DEF_P(cvtps2pd, "cvtps2pd %%xmm1, %%xmm0")
DEF_P(cvtpd2ps, "cvtpd2ps %%xmm1, %%xmm0")
DEF_P(shufps_1b, "shufps $0x1b, %%xmm1, %%xmm0")
DEF_P(shufps_e4, "shufps $0xe4, %%xmm1, %%xmm0")
DEF_P(shufps_72, "shufps $0x72, %%xmm1, %%xmm0")
DEF_P(shufpd_1, "shufpd $1, %%xmm1, %%xmm0")
DEF_P(shufpd_2, "shufpd $2, %%xmm1, %%xmm0")
DEF_P(unpcklps, "unpcklps %%xmm1, %%xmm0")
DEF_P(unpckhps, "unpckhps %%xmm1, %%xmm0")
DEF_P(unpcklpd, "unpcklpd %%xmm1, %%xmm0")
DEF_P(unpckhpd, "unpckhpd %%xmm1, %%xmm0")
DEF_P(movhlps, "movhlps %%xmm1, %%xmm0")
DEF_P(movlhps, "movlhps %%xmm1, %%xmm0")
DEF_P(movss_rr, "movss %%xmm1, %%xmm0")
DEF_P(movsd_rr, "movsd %%xmm1, %%xmm0")
DEF_P(movss_load, "movss %3, %%xmm0")
DEF_P(movsd_load, "movsd %3, %%xmm0")
DEF_P(movlps_load, "movlps %3, %%xmm0")
DEF_P(movhps_load, "movhps %3, %%xmm0")
DEF_P(movlpd_load, "movlpd %3, %%xmm0")
DEF_P(movhpd_load, "movhpd %3, %%xmm0")
DEF_P(movq_load, "movq %3, %%xmm0")
DEF_P(movq_rr, "movq %%xmm1, %%xmm0")
DEF_P(movmsk, "movmskps %%xmm1, %%eax\n\tmovmskpd %%xmm1, %%ecx\n\tshl $4, %%ecx\n\tor %%ecx, %%eax\n\tmovd %%eax, %%xmm0")
DEF_P(cvtsi2sd_keep, "movd %%xmm1, %%eax\n\tcvtsi2sd %%eax, %%xmm0")
DEF_P(cvtss2sd_keep, "cvtss2sd %%xmm1, %%xmm0")
DEF_P(cvtsd2ss_keep, "cvtsd2ss %%xmm1, %%xmm0")
DEF_P(rcp_approx, "rcpps %%xmm1, %%xmm0\n\tmulps %%xmm1, %%xmm0")

typedef void (*p_fn)(vec *, const vec *, const vec *, unsigned, unsigned *);

static void print_vec(const char *name, const vec *v, unsigned fl) {
    printf("%-12s %08x %08x %08x %08x f=%02x\n", name, v->u[0], v->u[1], v->u[2], v->u[3], fl);
}

static vec make4(uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
    vec v;
    v.u[0] = a, v.u[1] = b, v.u[2] = c, v.u[3] = d;
    return v;
}

static vec make2(uint64_t a, uint64_t b) {
    vec v;
    v.q[0] = a, v.q[1] = b;
    return v;
}

// Stores into memory from XMM: MOVSS/MOVSD/MOVLPS/MOVHPS/MOVQ/MOVD/MOVUPS at an odd address.
static void stores(void) {
    vec a = make4(0x11111111, 0x22222222, 0x33333333, 0x44444444);
    unsigned char buf[40];
    memset(buf, 0xee, sizeof buf);
    __asm__ volatile("movaps %1, %%xmm2\n\t"
                     "movss %%xmm2, 0(%0)\n\tmovsd %%xmm2, 4(%0)\n\tmovlps %%xmm2, 12(%0)\n\t"
                     "movhps %%xmm2, 20(%0)\n\tmovq %%xmm2, 28(%0)\n\tmovd %%xmm2, 36(%0)\n\t"
                     : : "r"(buf), "m"(a) : "xmm2", "memory");
    for (unsigned i = 0; i < sizeof buf; i++) printf("%02x", buf[i]);
    printf("\n");
    unsigned char ubuf[20];
    memset(ubuf, 0, sizeof ubuf);
    __asm__ volatile("movaps %1, %%xmm2\n\tmovups %%xmm2, 3(%0)\n\tmovhpd %%xmm2, 1(%0)" : : "r"(ubuf), "m"(a) : "xmm2", "memory");
    for (unsigned i = 0; i < sizeof ubuf; i++) printf("%02x", ubuf[i]);
    printf("\n");
}

int main(void) {
    static const char *ss_names[] = {"add", "sub", "mul", "div", "min", "max"};
    static const ss_fn ss_ops[] = {addss, subss, mulss, divss, minss, maxss};
    unsigned fl;
    printf("== single binary (result/flags for rc 0..3)\n");
    for (unsigned i = 0; i < NF; i++)
        for (unsigned j = 0; j < NF; j++) {
            printf("%08x %08x", F[i], F[j]);
            for (unsigned k = 0; k < 6; k++) {
                printf(" %s", ss_names[k]);
                for (unsigned rc = 0; rc < 4; rc++) {
                    uint32_t r = ss_ops[k](F[i], F[j], csr_of(rc), &fl);
                    printf(" %08x/%02x", r, fl);
                }
            }
            printf("\n");
        }
    printf("== single unary and conversions\n");
    for (unsigned i = 0; i < NF; i++) {
        printf("%08x", F[i]);
        for (unsigned rc = 0; rc < 4; rc++) {
            uint32_t r = sqrtss(0, F[i], csr_of(rc), &fl);
            printf(" sqrt %08x/%02x", r, fl);
            r = cvtss2si(0, F[i], csr_of(rc), &fl);
            printf(" si %08x/%02x", r, fl);
            r = cvttss2si(0, F[i], csr_of(rc), &fl);
            printf(" tsi %08x/%02x", r, fl);
            r = cvtss2sd_lo(0, F[i], csr_of(rc), &fl);
            printf(" sd %08x/%02x", r, fl);
            r = cvtsi2ss(0, F[i], csr_of(rc), &fl);
            printf(" i2s %08x/%02x", r, fl);
        }
        // RCPSS is an approximation whose bits vary by model: only its sign is printed.
        printf(" rcp-sign %x\n", rcp_class(0, F[i], DEFAULT_CSR, &fl) & 1);
    }
    printf("== single compares\n");
    static const ss_fn cmp_ops[] = {cmpeqss, cmpltss, cmpless, cmpunordss, cmpneqss, cmpnltss, cmpnless, cmpordss};
    for (unsigned i = 0; i < NF; i++)
        for (unsigned j = 0; j < NF; j += 3) {
            printf("%08x %08x", F[i], F[j]);
            for (unsigned k = 0; k < 8; k++) {
                uint32_t r = cmp_ops[k](F[i], F[j], DEFAULT_CSR, &fl);
                printf(" %x/%02x", r & 1, fl);
            }
            unsigned e = comiss(F[i], F[j], 0, &fl);
            printf(" comi %03x/%02x", e, fl);
            e = comiss(F[i], F[j], 1, &fl);
            printf(" ucomi %03x/%02x\n", e, fl);
        }

    printf("== double binary\n");
    static const sd_fn sd_ops[] = {addsd, subsd, mulsd, divsd, minsd, maxsd};
    for (unsigned i = 0; i < ND; i++)
        for (unsigned j = 0; j < ND; j++) {
            printf("%016llx %016llx", (unsigned long long)D[i], (unsigned long long)D[j]);
            for (unsigned k = 0; k < 6; k++) {
                printf(" %s", ss_names[k]);
                for (unsigned rc = 0; rc < 4; rc++) {
                    uint64_t r = sd_ops[k](D[i], D[j], csr_of(rc), &fl);
                    printf(" %016llx/%02x", (unsigned long long)r, fl);
                }
            }
            uint64_t r = addsd_mem(D[i], D[j], DEFAULT_CSR, &fl);
            printf(" addm %016llx/%02x", (unsigned long long)r, fl);
            r = cmpltsd(D[i], D[j], DEFAULT_CSR, &fl);
            printf(" lt %x/%02x", (unsigned)(r & 1), fl);
            r = cmpunordsd(D[i], D[j], DEFAULT_CSR, &fl);
            printf(" un %x/%02x", (unsigned)(r & 1), fl);
            r = cmpnlesd(D[i], D[j], DEFAULT_CSR, &fl);
            printf(" nle %x/%02x", (unsigned)(r & 1), fl);
            r = cmpeqsd(D[i], D[j], DEFAULT_CSR, &fl);
            printf(" eq %x/%02x", (unsigned)(r & 1), fl);
            r = comisd_flags(D[i], D[j], DEFAULT_CSR, &fl);
            printf(" comi %03x/%02x", (unsigned)(r & 0x8d5), fl);
            r = ucomisd_flags(D[i], D[j], DEFAULT_CSR, &fl);
            printf(" ucomi %03x/%02x\n", (unsigned)(r & 0x8d5), fl);
        }
    printf("== double unary and conversions\n");
    for (unsigned i = 0; i < ND; i++) {
        printf("%016llx", (unsigned long long)D[i]);
        for (unsigned rc = 0; rc < 4; rc++) {
            uint64_t r = sqrtsd(0, D[i], csr_of(rc), &fl);
            printf(" sqrt %016llx/%02x", (unsigned long long)r, fl);
            r = cvtsd2ss(0, D[i], csr_of(rc), &fl);
            printf(" ss %08x/%02x", (unsigned)r, fl);
            r = cvtsd2si(0, D[i], csr_of(rc), &fl);
            printf(" si %08x/%02x", (unsigned)r, fl);
            r = cvttsd2si(0, D[i], csr_of(rc), &fl);
            printf(" tsi %08x/%02x", (unsigned)r, fl);
        }
        printf("\n");
    }

    printf("== DAZ and FTZ\n");
    for (unsigned mode = 0; mode < 4; mode++) {
        unsigned csr = DEFAULT_CSR | (mode & 1 ? 0x40 : 0) | (mode & 2 ? 0x8000 : 0);
        printf("mode %x:", csr);
        printf(" %08x/", addss(0x00000001, 0x00000002, csr, &fl));
        printf("%02x", fl);
        printf(" %08x/", mulss(0x00800000, 0x3f000000, csr, &fl));
        printf("%02x", fl);
        printf(" %08x/", mulss(0x00800000, 0x3f7fffff, csr, &fl));
        printf("%02x", fl);
        printf(" %08x/", maxss(0x00000001, 0x00000000, csr, &fl));
        printf("%02x", fl);
        printf(" %016llx/", (unsigned long long)mulsd(0x0010000000000000ull, 0x3fe0000000000000ull, csr, &fl));
        printf("%02x", fl);
        printf(" %016llx/", (unsigned long long)addsd(0x800fffffffffffffull, 0x0000000000000001ull, csr, &fl));
        printf("%02x", fl);
        // Exact results just below the smallest normal that round up to it: tiny or not?
        printf(" %08x/", mulss(0x00800001, 0x3f7ffffe, csr, &fl));
        printf("%02x", fl);
        printf(" %016llx/", (unsigned long long)mulsd(0x0010000000000001ull, 0x3feffffffffffffeull, csr, &fl));
        printf("%02x", fl);
        printf(" %08x/", cvtss2si(0, 0x00400000, csr, &fl));
        printf("%02x\n", fl);
    }

    printf("== packed\n");
    static const struct {
        const char *name;
        p_fn fn;
    } packed[] = {
        {"addps", addps}, {"mulps_mem", mulps_mem}, {"divps", divps}, {"sqrtps", sqrtps}, {"minps", minps},
        {"maxpd", maxpd}, {"subpd", subpd}, {"mulpd", mulpd}, {"divpd_mem", divpd_mem}, {"sqrtpd", sqrtpd},
        {"cmpleps", cmpleps}, {"cmpneqpd", cmpneqpd}, {"andps", andps}, {"andnps", andnps}, {"orpd", orpd},
        {"xorps", xorps}, {"cvtps2dq", cvtps2dq}, {"cvttps2dq", cvttps2dq}, {"cvtdq2ps", cvtdq2ps},
        {"cvtpd2dq", cvtpd2dq}, {"cvttpd2dq", cvttpd2dq}, {"cvtdq2pd", cvtdq2pd}, {"cvtps2pd", cvtps2pd},
        {"cvtpd2ps", cvtpd2ps}, {"shufps_1b", shufps_1b}, {"shufps_e4", shufps_e4}, {"shufps_72", shufps_72},
        {"shufpd_1", shufpd_1}, {"shufpd_2", shufpd_2}, {"unpcklps", unpcklps}, {"unpckhps", unpckhps},
        {"unpcklpd", unpcklpd}, {"unpckhpd", unpckhpd}, {"movhlps", movhlps}, {"movlhps", movlhps},
        {"movss_rr", movss_rr}, {"movsd_rr", movsd_rr}, {"movss_load", movss_load}, {"movsd_load", movsd_load},
        {"movlps_load", movlps_load}, {"movhps_load", movhps_load}, {"movlpd_load", movlpd_load},
        {"movhpd_load", movhpd_load}, {"movq_load", movq_load}, {"movq_rr", movq_rr}, {"movmsk", movmsk},
        {"cvtsi2sd_keep", cvtsi2sd_keep}, {"cvtss2sd_keep", cvtss2sd_keep}, {"cvtsd2ss_keep", cvtsd2ss_keep},
    };
    vec inputs[][2] = {
        {make4(0x3f800000, 0x40000000, 0xc0400000, 0x7f800000), make4(0x3f000000, 0x00000000, 0x40400000, 0x7fc00001)},
        {make4(0x4f000000, 0xcf000001, 0x3fc00000, 0xbfc00000), make4(0x00000001, 0x807fffff, 0x7fa00000, 0xff800000)},
        {make2(0x3ff8000000000000ull, 0xc00c000000000000ull), make2(0x7ff0000000000000ull, 0x0000000000000003ull)},
        {make2(0x41e0000000000000ull, 0xc1e0000000200000ull), make2(0x3fd5555555555555ull, 0x7ff4000000000000ull)},
        {make4(0x80000000, 0x00000000, 0x12345678, 0x9abcdef0), make4(0x7fffffff, 0x80000001, 0xfedcba98, 0x00000000)},
    };
    for (unsigned k = 0; k < sizeof packed / sizeof packed[0]; k++)
        for (unsigned n = 0; n < sizeof inputs / sizeof inputs[0]; n++)
            for (unsigned rc = 0; rc < 4; rc += 3) {
                vec d;
                packed[k].fn(&d, &inputs[n][0], &inputs[n][1], csr_of(rc), &fl);
                print_vec(packed[k].name, &d, fl);
            }
    {
        // RCPPS times its operand is close to 1: print it rounded to 3 digits.
        vec a = make4(0x40400000, 0x3dcccccd, 0xc2c80000, 0x3f800000), d;
        float f[4];
        rcp_approx(&d, &a, &a, DEFAULT_CSR, &fl);
        memcpy(f, d.u, sizeof f);
        printf("rcpps*x %.3f %.3f %.3f %.3f\n", f[0], f[1], f[2], f[3]);
    }
    stores();

    // Rounding through the C library: fesetround changes MXCSR.RC (and the x87's).
    printf("== fesetround\n");
    static const int modes[] = {FE_TONEAREST, FE_DOWNWARD, FE_UPWARD, FE_TOWARDZERO};
    volatile double third = 1.0 / 3.0, big = 2.5e9, half = 2.5, neg = -3.5;
    volatile float ft = 1.0f / 3.0f;
    for (unsigned m = 0; m < 4; m++) {
        fesetround(modes[m]);
        double q = third * 3.0 + 1e-17;
        float fq = ft * 3.0f;
        long r1 = __builtin_lrint(half), r2 = __builtin_lrint(neg);
        double s = third + big;
        fesetround(FE_TONEAREST);
        uint64_t qb, sb;
        uint32_t fb;
        memcpy(&qb, &q, 8);
        memcpy(&sb, &s, 8);
        memcpy(&fb, &fq, 4);
        printf("mode %d: %016llx %08x %ld %ld %016llx\n", m, (unsigned long long)qb, fb, r1, r2, (unsigned long long)sb);
    }
    return 0;
}
