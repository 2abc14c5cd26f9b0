// cflags: -msse2
// SSE2 packed-integer instructions against the real CPU: every operation on
// XMM registers (and a memory source where the form allows it) over input
// vectors with edge values (0, -1, 0x80.., 0x7f.., carries), shifts by
// register, memory and immediate counts (including counts past the width),
// pack/unpack, shuffles, PINSRW/PEXTRW, PMOVMSKB, PSADBW, MOVD/MOVQ,
// MASKMOVDQU; then a string loop with PCMPEQB/PMOVMSKB as glibc's SSE2
// strlen does it, and the alignment fault of MOVDQA is not exercised (it
// would kill the program). Results print in hex.
#include <emmintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef union {
    uint8_t b[16];
    uint16_t w[8];
    uint32_t d[4];
    uint64_t q[2];
} __attribute__((aligned(16))) vec;

#define DEF(NAME, INSN)                                                                         \
    static void NAME(vec *d, const vec *a, const vec *b) {                                     \
        __asm__ volatile("movdqa %1, %%xmm0\n\tmovdqu %2, %%xmm1\n\t" INSN "\n\tmovdqa %%xmm0, %0" \
                         : "=m"(*d)                                                             \
                         : "m"(*a), "m"(*b)                                                     \
                         : "xmm0", "xmm1", "eax", "ecx");                                       \
    }

// The source by address (for displacements into it).
#define DEFP(NAME, INSN)                                                                        \
    static void NAME(vec *d, const vec *a, const vec *b) {                                     \
        __asm__ volatile("movdqa %1, %%xmm0\n\t" INSN "\n\tmovdqa %%xmm0, %0"                     \
                         : "=m"(*d)                                                             \
                         : "m"(*a), "r"(b), "m"(*b)                                             \
                         : "xmm0", "xmm1", "eax", "ecx");                                       \
    }

#define OPS(X)                                                                                   \
    X(paddb) X(paddw) X(paddd) X(paddq) X(psubb) X(psubw) X(psubd) X(psubq) X(paddsb) X(paddsw)  \
    X(psubsb) X(psubsw) X(paddusb) X(paddusw) X(psubusb) X(psubusw) X(pmullw) X(pmulhw)          \
    X(pmulhuw) X(pmuludq) X(pmaddwd) X(pavgb) X(pavgw) X(pminub) X(pmaxub) X(pminsw) X(pmaxsw)    \
    X(psadbw) X(pcmpeqb) X(pcmpeqw) X(pcmpeqd) X(pcmpgtb) X(pcmpgtw) X(pcmpgtd) X(pand) X(pandn) \
    X(por) X(pxor) X(packsswb) X(packssdw) X(packuswb) X(punpcklbw) X(punpcklwd) X(punpckldq)     \
    X(punpcklqdq) X(punpckhbw) X(punpckhwd) X(punpckhdq) X(punpckhqdq) X(psllw) X(pslld) X(psllq) \
    X(psrlw) X(psrld) X(psrlq) X(psraw) X(psrad)

#define DEF_RR(op) DEF(op##_rr, #op " %%xmm1, %%xmm0")
#define DEF_RM(op) DEF(op##_rm, #op " %2, %%xmm0")
OPS(DEF_RR)
// Memory-source forms need an aligned operand: the harness passes one.
DEF(paddb_rm, "paddb %2, %%xmm0")
DEF(pmaddwd_rm, "pmaddwd %2, %%xmm0")
DEF(pcmpgtw_rm, "pcmpgtw %2, %%xmm0")
DEF(psrlq_rm, "psrlq %2, %%xmm0")
DEF(punpckhbw_rm, "punpckhbw %2, %%xmm0")

#define IMM_SHIFTS(X)                                                                               \
    X(psllw, 0) X(psllw, 1) X(psllw, 15) X(psllw, 16) X(psllw, 200) X(pslld, 7) X(pslld, 31)       \
    X(pslld, 32) X(psllq, 1) X(psllq, 33) X(psllq, 63) X(psllq, 64) X(psrlw, 3) X(psrlw, 17)       \
    X(psrld, 9) X(psrld, 40) X(psrlq, 31) X(psrlq, 32) X(psrlq, 65) X(psraw, 5) X(psraw, 15)       \
    X(psraw, 99) X(psrad, 1) X(psrad, 31) X(psrad, 32) X(psrldq, 0) X(psrldq, 3) X(psrldq, 15)    \
    X(psrldq, 16) X(psrldq, 255) X(pslldq, 1) X(pslldq, 8) X(pslldq, 17) X(pshufd, 0x1b)           \
    X(pshufd, 0x00) X(pshufd, 0xd8) X(pshuflw, 0x1b) X(pshuflw, 0xb1) X(pshufhw, 0x1b)             \
    X(pshufhw, 0x4e)

#define DEF_IMM(op, n) DEF(op##_##n, #op " $" #n ", %%xmm0")
#define DEF_SHUF(op, n) DEF(op##_src_##n, #op " $" #n ", %%xmm1, %%xmm0")
DEF_IMM(psllw, 0) DEF_IMM(psllw, 1) DEF_IMM(psllw, 15) DEF_IMM(psllw, 16) DEF_IMM(psllw, 200)
DEF_IMM(pslld, 7) DEF_IMM(pslld, 31) DEF_IMM(pslld, 32) DEF_IMM(psllq, 1) DEF_IMM(psllq, 33)
DEF_IMM(psllq, 63) DEF_IMM(psllq, 64) DEF_IMM(psrlw, 3) DEF_IMM(psrlw, 17) DEF_IMM(psrld, 9)
DEF_IMM(psrld, 40) DEF_IMM(psrlq, 31) DEF_IMM(psrlq, 32) DEF_IMM(psrlq, 65) DEF_IMM(psraw, 5)
DEF_IMM(psraw, 15) DEF_IMM(psraw, 99) DEF_IMM(psrad, 1) DEF_IMM(psrad, 31) DEF_IMM(psrad, 32)
DEF_IMM(psrldq, 0) DEF_IMM(psrldq, 3) DEF_IMM(psrldq, 15) DEF_IMM(psrldq, 16) DEF_IMM(psrldq, 255)
DEF_IMM(pslldq, 1) DEF_IMM(pslldq, 8) DEF_IMM(pslldq, 17)
DEF_SHUF(pshufd, 0x1b) DEF_SHUF(pshufd, 0x00) DEF_SHUF(pshufd, 0xd8) DEF_SHUF(pshuflw, 0x1b)
DEF_SHUF(pshuflw, 0xb1) DEF_SHUF(pshufhw, 0x1b) DEF_SHUF(pshufhw, 0x4e)

DEF(pinsrw_0, "movd %%xmm1, %%eax\n\tpinsrw $0, %%eax, %%xmm0")
DEF(pinsrw_5, "movd %%xmm1, %%eax\n\tpinsrw $5, %%eax, %%xmm0")
DEFP(pinsrw_m, "pinsrw $7, 6(%2), %%xmm0")
DEF(pextrw_all, "pextrw $1, %%xmm1, %%eax\n\tpextrw $6, %%xmm1, %%ecx\n\tshl $16, %%ecx\n\tor %%ecx, %%eax\n\t"
                "movd %%eax, %%xmm0")
DEF(pmovmskb, "pmovmskb %%xmm1, %%eax\n\tmovd %%eax, %%xmm0")
DEF(movd_in, "movd %%xmm1, %%eax\n\tmovd %%eax, %%xmm0")
DEFP(movd_mem, "movd 4(%2), %%xmm0")
DEFP(movq_mem, "movq 8(%2), %%xmm0")
DEF(movq_rr, "movq %%xmm1, %%xmm0")
DEFP(movdqu_odd, "movdqu 0(%2), %%xmm0")

typedef void (*fn)(vec *, const vec *, const vec *);

static vec V(uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
    vec v;
    v.d[0] = a, v.d[1] = b, v.d[2] = c, v.d[3] = d;
    return v;
}

static void show(const char *name, const vec *v) {
    printf("%-14s %08x %08x %08x %08x\n", name, v->d[0], v->d[1], v->d[2], v->d[3]);
}

int main(void) {
    vec in[] = {
        V(0x00000000, 0xffffffff, 0x80000000, 0x7fffffff),
        V(0x7f80ff01, 0x8000fffe, 0x00017fff, 0xfedcba98),
        V(0x01020304, 0x05060708, 0x090a0b0c, 0x0d0e0f10),
        V(0xffff8000, 0x7fff0001, 0x80808080, 0x7f7f7f7f),
        V(0x00000011, 0x00000000, 0x00000003, 0x00000000),
        V(0x00000021, 0x00000001, 0xfffffffe, 0xffffffff),
    };
    const unsigned n = sizeof in / sizeof in[0];
    static const struct {
        const char *name;
        fn f;
    } ops[] = {
#define ENTRY(op) {#op, op##_rr},
        OPS(ENTRY)
#undef ENTRY
        {"paddb_rm", paddb_rm}, {"pmaddwd_rm", pmaddwd_rm}, {"pcmpgtw_rm", pcmpgtw_rm}, {"psrlq_rm", psrlq_rm},
        {"punpckhbw_rm", punpckhbw_rm},
#define ENTRY(op, k) {#op "_" #k, op##_##k},
        {"psllw_0", psllw_0}, {"psllw_1", psllw_1}, {"psllw_15", psllw_15}, {"psllw_16", psllw_16},
        {"psllw_200", psllw_200}, {"pslld_7", pslld_7}, {"pslld_31", pslld_31}, {"pslld_32", pslld_32},
        {"psllq_1", psllq_1}, {"psllq_33", psllq_33}, {"psllq_63", psllq_63}, {"psllq_64", psllq_64},
        {"psrlw_3", psrlw_3}, {"psrlw_17", psrlw_17}, {"psrld_9", psrld_9}, {"psrld_40", psrld_40},
        {"psrlq_31", psrlq_31}, {"psrlq_32", psrlq_32}, {"psrlq_65", psrlq_65}, {"psraw_5", psraw_5},
        {"psraw_15", psraw_15}, {"psraw_99", psraw_99}, {"psrad_1", psrad_1}, {"psrad_31", psrad_31},
        {"psrad_32", psrad_32}, {"psrldq_0", psrldq_0}, {"psrldq_3", psrldq_3}, {"psrldq_15", psrldq_15},
        {"psrldq_16", psrldq_16}, {"psrldq_255", psrldq_255}, {"pslldq_1", pslldq_1}, {"pslldq_8", pslldq_8},
        {"pslldq_17", pslldq_17}, {"pshufd_1b", pshufd_src_0x1b}, {"pshufd_00", pshufd_src_0x00},
        {"pshufd_d8", pshufd_src_0xd8}, {"pshuflw_1b", pshuflw_src_0x1b}, {"pshuflw_b1", pshuflw_src_0xb1},
        {"pshufhw_1b", pshufhw_src_0x1b}, {"pshufhw_4e", pshufhw_src_0x4e},
#undef ENTRY
        {"pinsrw_0", pinsrw_0}, {"pinsrw_5", pinsrw_5}, {"pinsrw_m", pinsrw_m}, {"pextrw", pextrw_all},
        {"pmovmskb", pmovmskb}, {"movd_in", movd_in}, {"movd_mem", movd_mem}, {"movq_mem", movq_mem},
        {"movq_rr", movq_rr},
    };
    for (unsigned k = 0; k < sizeof ops / sizeof ops[0]; k++)
        for (unsigned i = 0; i < n; i++)
            for (unsigned j = 0; j < n; j += 1 + (i & 1)) {
                vec d;
                ops[k].f(&d, &in[i], &in[j]);
                char name[40];
                snprintf(name, sizeof name, "%s.%u%u", ops[k].name, i, j);
                show(name, &d);
            }

    // Unaligned memory source and MOVDQU/MOVUPS stores at odd addresses.
    unsigned char raw[48];
    for (unsigned i = 0; i < sizeof raw; i++) raw[i] = (unsigned char)(i * 37 + 5);
    for (unsigned off = 0; off < 4; off++) {
        vec d;
        movdqu_odd(&d, &in[0], (const vec *)(raw + off));
        show("movdqu_odd", &d);
    }
    unsigned char out[40];
    memset(out, 0xaa, sizeof out);
    __asm__ volatile("movdqa %1, %%xmm3\n\tmovdqu %%xmm3, 5(%0)\n\tmovq %%xmm3, 23(%0)\n\tmovd %%xmm3, 33(%0)"
                     : : "r"(out), "m"(in[1]) : "xmm3", "memory");
    for (unsigned i = 0; i < sizeof out; i++) printf("%02x", out[i]);
    printf("\n");

    // MASKMOVDQU: bytes whose mask has the top bit set go to DS:EDI.
    memset(out, 0x55, sizeof out);
    __asm__ volatile("movdqa %1, %%xmm0\n\tmovdqa %2, %%xmm1\n\tmaskmovdqu %%xmm1, %%xmm0"
                     : : "D"(out + 3), "m"(in[2]), "m"(in[3]) : "xmm0", "xmm1", "memory");
    for (unsigned i = 0; i < sizeof out; i++) printf("%02x", out[i]);
    printf("\n");

    // MOVNTDQ / MOVNTI and the fences.
    vec nt;
    unsigned sink;
    __asm__ volatile("movdqa %2, %%xmm4\n\tmovntdq %%xmm4, %0\n\tmovl $0x12345678, %%eax\n\tmovnti %%eax, %1\n\t"
                     "sfence\n\tlfence\n\tmfence"
                     : "=m"(nt), "=m"(sink) : "m"(in[1]) : "xmm4", "eax", "memory");
    show("movntdq", &nt);
    printf("movnti %08x\n", sink);

    // strlen the SSE2 way: 16 bytes compared at a time.
    static const char text[] __attribute__((aligned(16))) =
        "The quick brown fox jumps over the lazy dog; pack my box with five dozen liquor jugs.";
    for (unsigned start = 0; start < 20; start += 3) {
        const char *p = text + start;
        const char *q = (const char *)((uintptr_t)p & ~(uintptr_t)15);
        __m128i zero = _mm_setzero_si128();
        unsigned mask = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_load_si128((const __m128i *)q), zero));
        mask >>= (p - q);
        size_t len = 0;
        if (mask) len = (size_t)__builtin_ctz(mask);
        else {
            len = 16 - (size_t)(p - q);
            for (q += 16;; q += 16, len += 16) {
                mask = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_load_si128((const __m128i *)q), zero));
                if (mask) {
                    len += (size_t)__builtin_ctz(mask);
                    break;
                }
            }
        }
        printf("sse2 strlen(+%u) = %zu, strlen = %zu\n", start, len, strlen(p));
    }
    // Intrinsics compiled by gcc: sums with saturation and a dot product.
    __m128i acc = _mm_setzero_si128();
    for (int i = 0; i < 100; i++) {
        __m128i x = _mm_set_epi16((short)(i * 1000), (short)-i, (short)(i * 7), 32000, (short)(i * i), -32768, (short)i, 5);
        acc = _mm_adds_epi16(acc, x);
        acc = _mm_xor_si128(acc, _mm_slli_epi32(acc, 3));
    }
    vec r;
    _mm_store_si128((__m128i *)&r, acc);
    show("intrinsics", &r);
    return 0;
}
