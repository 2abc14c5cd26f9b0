// cflags: -mmmx -msse2
// MMX against the real CPU: the packed-integer instructions on MM registers
// (MMX, the SSE integer extensions and SSE2's PADDQ/PSUBQ/PMULUDQ), shifts
// by MM, memory and immediate counts, MOVD/MOVQ between MM, general
// registers, memory and XMM (MOVQ2DQ/MOVDQ2Q), conversions between MM and
// XMM (CVTPI2PS, CVTPS2PI, CVTPI2PD, CVTPD2PI), MASKMOVQ, and how MMX and
// the x87 share their registers: TOP and the tags after an MMX instruction
// and after EMMS (FNSTENV), the significand of an x87 value read as MMX,
// x87 arithmetic after EMMS. Results print in hex.
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define DEF(NAME, INSN)                                                                      \
    static uint64_t NAME(uint64_t a, uint64_t b) {                                           \
        uint64_t r;                                                                          \
        __asm__ volatile("movq %1, %%mm0\n\tmovq %2, %%mm1\n\t" INSN "\n\tmovq %%mm0, %0\n\temms" \
                         : "=m"(r)                                                           \
                         : "m"(a), "m"(b)                                                    \
                         : "mm0", "mm1", "eax", "ecx", "st", "st(1)");                       \
        return r;                                                                            \
    }

#define OPS(X)                                                                                   \
    X(paddb) X(paddw) X(paddd) X(paddq) X(psubb) X(psubw) X(psubd) X(psubq) X(paddsb) X(paddsw)  \
    X(psubsb) X(psubsw) X(paddusb) X(paddusw) X(psubusb) X(psubusw) X(pmullw) X(pmulhw)          \
    X(pmulhuw) X(pmuludq) X(pmaddwd) X(pavgb) X(pavgw) X(pminub) X(pmaxub) X(pminsw) X(pmaxsw)    \
    X(psadbw) X(pcmpeqb) X(pcmpeqw) X(pcmpeqd) X(pcmpgtb) X(pcmpgtw) X(pcmpgtd) X(pand) X(pandn) \
    X(por) X(pxor) X(packsswb) X(packssdw) X(packuswb) X(punpcklbw) X(punpcklwd) X(punpckldq)     \
    X(punpckhbw) X(punpckhwd) X(punpckhdq) X(psllw) X(pslld) X(psllq) X(psrlw) X(psrld) X(psrlq)  \
    X(psraw) X(psrad)

#define DEF_RR(op) DEF(op##_rr, #op " %%mm1, %%mm0")
OPS(DEF_RR)
DEF(paddw_m, "paddw %2, %%mm0")
DEF(punpcklbw_m, "punpcklbw %2, %%mm0")
DEF(psrad_m, "psrad %2, %%mm0")
DEF(psllw_3, "psllw $3, %%mm0")
DEF(psllw_16, "psllw $16, %%mm0")
DEF(pslld_31, "pslld $31, %%mm0")
DEF(psllq_40, "psllq $40, %%mm0")
DEF(psrlw_9, "psrlw $9, %%mm0")
DEF(psrld_33, "psrld $33, %%mm0")
DEF(psrlq_1, "psrlq $1, %%mm0")
DEF(psraw_4, "psraw $4, %%mm0")
DEF(psraw_20, "psraw $20, %%mm0")
DEF(psrad_17, "psrad $17, %%mm0")
DEF(pshufw_1b, "pshufw $0x1b, %%mm1, %%mm0")
DEF(pshufw_m, "pshufw $0x92, %2, %%mm0")
DEF(pinsrw_2, "movd %%mm1, %%eax\n\tpinsrw $2, %%eax, %%mm0")
DEF(pextrw, "pextrw $3, %%mm1, %%eax\n\tpextrw $0, %%mm0, %%ecx\n\tshl $16, %%eax\n\tor %%ecx, %%eax\n\tmovd %%eax, %%mm0")
DEF(pmovmskb, "pmovmskb %%mm1, %%eax\n\tmovd %%eax, %%mm0")
DEF(movd_r, "movd %%mm1, %%eax\n\tmovd %%eax, %%mm0")
DEF(movd_m, "movd %2, %%mm0")
DEF(movq_rr, "movq %%mm1, %%mm0")
DEF(xmm_roundtrip, "movq2dq %%mm1, %%xmm0\n\tpshufd $0x4e, %%xmm0, %%xmm0\n\tpshufd $0x4e, %%xmm0, %%xmm0\n\tmovdq2q %%xmm0, %%mm0")
DEF(cvt_ps_pi, "cvtpi2ps %%mm1, %%xmm0\n\tcvtps2pi %%xmm0, %%mm0")
DEF(cvt_pd_pi, "cvtpi2pd %%mm1, %%xmm0\n\taddpd %%xmm0, %%xmm0\n\tcvtpd2pi %%xmm0, %%mm0")
DEF(cvtt_ps_pi, "cvtpi2ps %%mm1, %%xmm0\n\tmulps %%xmm0, %%xmm0\n\tcvttps2pi %%xmm0, %%mm0")
DEF(cvtt_pd_pi, "cvtpi2pd %2, %%xmm0\n\tcvttpd2pi %%xmm0, %%mm0")

typedef uint64_t (*fn)(uint64_t, uint64_t);

struct fpenv {
    uint32_t cw, sw, tw, rest[4];
};

static void show_env(const char *when) {
    struct fpenv e;
    __asm__ volatile("fnstenv %0\n\tfldenv %0" : "=m"(e));
    // C1 is left out: wasmvisor's x87 does not clear it on FST (see insn_x87ext).
    printf("%-20s cw %04x sw %04x tw %04x\n", when, e.cw & 0xffff, e.sw & 0xfdff, e.tw & 0xffff);
}

int main(void) {
    static const uint64_t in[] = {
        0x0000000000000000ull, 0xffffffffffffffffull, 0x8000000080000000ull, 0x7fffffff7fffffffull,
        0x7f80ff018000fffeull, 0x0102030405060708ull, 0xffff80007fff0001ull, 0x0000000000000011ull,
        0x0000000100000021ull,
    };
    const unsigned n = sizeof in / sizeof in[0];
    static const struct {
        const char *name;
        fn f;
    } ops[] = {
#define ENTRY(op) {#op, op##_rr},
        OPS(ENTRY)
#undef ENTRY
        {"paddw_m", paddw_m}, {"punpcklbw_m", punpcklbw_m}, {"psrad_m", psrad_m}, {"psllw_3", psllw_3},
        {"psllw_16", psllw_16}, {"pslld_31", pslld_31}, {"psllq_40", psllq_40}, {"psrlw_9", psrlw_9},
        {"psrld_33", psrld_33}, {"psrlq_1", psrlq_1}, {"psraw_4", psraw_4}, {"psraw_20", psraw_20},
        {"psrad_17", psrad_17}, {"pshufw_1b", pshufw_1b}, {"pshufw_m", pshufw_m}, {"pinsrw_2", pinsrw_2},
        {"pextrw", pextrw}, {"pmovmskb", pmovmskb}, {"movd_r", movd_r}, {"movd_m", movd_m},
        {"movq_rr", movq_rr}, {"xmm_roundtrip", xmm_roundtrip}, {"cvt_ps_pi", cvt_ps_pi},
        {"cvt_pd_pi", cvt_pd_pi}, {"cvtt_ps_pi", cvtt_ps_pi}, {"cvtt_pd_pi", cvtt_pd_pi},
    };
    for (unsigned k = 0; k < sizeof ops / sizeof ops[0]; k++)
        for (unsigned i = 0; i < n; i++)
            for (unsigned j = 0; j < n; j += 2) {
                uint64_t r = ops[k].f(in[i], in[j]);
                printf("%-14s %u%u %016llx\n", ops[k].name, i, j, (unsigned long long)r);
            }

    // MASKMOVQ: bytes selected by the mask's top bits go to DS:EDI.
    unsigned char buf[16];
    memset(buf, 0x33, sizeof buf);
    __asm__ volatile("movq %1, %%mm0\n\tmovq %2, %%mm1\n\tmaskmovq %%mm1, %%mm0\n\temms"
                     : : "D"(buf + 5), "m"(in[5]), "m"(in[6]) : "mm0", "mm1", "memory");
    for (unsigned i = 0; i < sizeof buf; i++) printf("%02x", buf[i]);
    printf("\n");
    uint64_t nt;
    __asm__ volatile("movq %1, %%mm2\n\tmovntq %%mm2, %0\n\temms" : "=m"(nt) : "m"(in[4]) : "mm2");
    printf("movntq %016llx\n", (unsigned long long)nt);

    // The x87 and MMX share registers.
    show_env("start");
    __asm__ volatile("movq %0, %%mm3" : : "m"(in[5]) : "mm3");
    show_env("after movq mm3");
    __asm__ volatile("pxor %%mm0, %%mm0" : : : "mm0");
    show_env("after pxor mm0");
    __asm__ volatile("emms");
    show_env("after emms");
    uint64_t m[3];
    __asm__ volatile("fld1\n\tmovq %%mm7, %0\n\temms\n\t"
                     "fld1\n\tfadd %%st(0), %%st(0)\n\tfadd %%st(0), %%st(0)\n\tfchs\n\tmovq %%mm7, %1\n\temms\n\t"
                     "fldz\n\tfld1\n\tfld1\n\tfaddp\n\tfaddp\n\tmovq %%mm6, %2\n\temms\n\tfinit"
                     : "=m"(m[0]), "=m"(m[1]), "=m"(m[2]) : : "mm6", "mm7", "st", "st(1)");
    printf("x87 as mmx %016llx %016llx %016llx\n", (unsigned long long)m[0], (unsigned long long)m[1],
           (unsigned long long)m[2]);
    // An x87 push after MMX code: TOP was 0, so it lands in R7; arithmetic is unaffected once EMMS ran.
    __asm__ volatile("movq %0, %%mm7\n\tmovq %0, %%mm0\n\temms" : : "m"(in[3]) : "mm0", "mm7");
    volatile double x = 1.25, y = -3.5;
    double z = x * y + x / y;
    uint64_t zb;
    memcpy(&zb, &z, 8);
    printf("x87 after emms %016llx\n", (unsigned long long)zb);
    // wasmvisor's x87 does not track PE: clear the flags the arithmetic raised.
    __asm__ volatile("fnclex");
    show_env("after x87");
    // MMX without EMMS, then an x87 push: the stack is full (every tag valid), so FLD overflows to the indefinite.
    uint16_t sw;
    double w;
    __asm__ volatile("movq %2, %%mm1\n\tfld1\n\tfnstsw %1\n\tfstpl %0\n\tfnclex\n\temms"
                     : "=m"(w), "=m"(sw) : "m"(in[5]) : "mm1", "st");
    memcpy(&zb, &w, 8);
    printf("fld over mmx %016llx sw %04x\n", (unsigned long long)zb, sw & 0x3fff);
    show_env("end");
    return 0;
}
