// x87 FPU instructions exercised one by one with inline assembly (what
// needs 80-bit registers is in fp_x87ext, which includes this file).
// Results are printed as bit patterns: doubles as 64-bit hex, 80-bit stores
// as "exponent-word mantissa", integers as hex.  Status words are masked to
// the bits the Intel SDM defines for the instruction (mostly C3 C2 C1 C0 =
// 0x4700, TOP = 0x3800), EFLAGS after FCOMI to ZF PF CF (0x45).
// Transcendental results (F2XM1 FYL2X FYL2XP1 FPATAN FPTAN FSIN FCOS
// FSINCOS) are printed with %.13g: the last bits may differ between a real
// FPU and an emulator that computes in 64-bit doubles (with %.15g, a one-ulp
// difference changes the printed digits of several of these values; with
// %.13g, every value here is stable under +-8 ulps).
//
// Every asm block starts and ends with an empty register stack and the
// default control word 0x037f; chk() reports a block that leaves TOP != 0 or
// a register not empty (FNSTENV tag word != 0xffff).
// GAS's AT&T syntax swaps fsub/fsubr and fdiv/fdivr when the destination is
// ST(i), so those forms are written in Intel syntax.
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define CL "memory", "cc", "eax", "st", "st(1)", "st(2)", "st(3)", "st(4)", "st(5)", "st(6)", "st(7)"
#define X(s)                           \
    do {                               \
        __asm__ volatile(s ::: CL);    \
        chk(__LINE__);                 \
    } while (0)

// Operands and results, referenced by name from the asm blocks (static
// non-PIE binary: absolute addresses).
double g_a, g_b, g_r, g_r2, g_r3, g_r4;
float g_f, g_rf;
short g_s, g_rs, g_rs2;
int g_i, g_ri, g_ri2, g_x1, g_x2;
long long g_ll, g_rll;
unsigned short g_sw, g_sw2, g_cw, g_cw2;
unsigned short g_cw0 = 0x037f;
unsigned int g_fl;
unsigned char g_t[16], g_t2[16];
unsigned char g_env[32], g_save[112];

static const unsigned short CWS[4] = {0x037f, 0x077f, 0x0b7f, 0x0f7f};
static const char RCN[4] = {'n', 'd', 'u', 'z'};

static void chk(int line) {
    unsigned char env[28];
    unsigned short sw, tw;
    __asm__ volatile("fnstenv %0" : "=m"(env)::"memory");
    memcpy(&sw, env + 4, 2);
    memcpy(&tw, env + 8, 2);
    if ((sw & 0x3800) || tw != 0xffff) printf("!! stack not empty after line %d: TOP %d tags %04x\n", line, (sw >> 11) & 7, tw);
}

static double hd(uint64_t u) {
    double d;
    memcpy(&d, &u, 8);
    return d;
}
static float hf(uint32_t u) {
    float f;
    memcpy(&f, &u, 4);
    return f;
}
static unsigned long long bd(double d) {
    uint64_t u;
    memcpy(&u, &d, 8);
    return u;
}
static unsigned bf(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}
static void set80(unsigned char *t, unsigned se, uint64_t m) {
    memcpy(t, &m, 8);
    t[8] = se & 0xff;
    t[9] = se >> 8;
}
static void pd(const char *l, double d) { printf("%-28s %016llx\n", l, bd(d)); }
static void pf(const char *l, float f) { printf("%-28s %08x\n", l, bf(f)); }
static void p80(const char *l, const unsigned char *t) {
    uint64_t m;
    memcpy(&m, t, 8);
    printf("%-28s %02x%02x %016llx\n", l, t[9], t[8], (unsigned long long)m);
}

// ---------------------------------------------------------------- loads/stores
static void loads_stores(void) {
    g_f = 1.1f;
    X("flds g_f; fstpl g_r");
    pd("fld m32 1.1f; fstp m64", g_r);
    g_a = 0.1;
    X("fldl g_a; fsts g_rf; fstl g_r; fstpt g_t");
    pf("fld m64 0.1; fst m32", g_rf);
    pd("fld m64 0.1; fst m64", g_r);
    p80("fld m64 0.1; fstp m80", g_t);
    g_a = -3.75;
    X("fldl g_a; fstpt g_t; fldt g_t; fstpl g_r");
    p80("-3.75 fstp m80", g_t);
    pd("-3.75 m80 round trip", g_r);
    g_f = hf(0x00000001);  // smallest float denormal
    X("flds g_f; fsts g_rf; fstl g_r; fstpt g_t");
    pf("denormal m32 0x1; fst m32", g_rf);
    pd("denormal m32 0x1; fst m64", g_r);
    p80("denormal m32 0x1; fstp m80", g_t);
    g_f = hf(0x80400000);
    X("flds g_f; fstpl g_r");
    pd("denormal m32 0x80400000 m64", g_r);
    g_a = hd(0x000fffffffffffffull);  // largest double denormal
    X("fldl g_a; fstpt g_t; fldl g_a; fstps g_rf; fldt g_t; fstpl g_r");
    p80("denormal m64 max; fstp m80", g_t);
    pf("denormal m64 max; fstp m32", g_rf);
    pd("denormal m64 via m80", g_r);
    g_a = 1e300;
    X("fldl g_a; fstps g_rf");
    pf("1e300 fstp m32 (overflow)", g_rf);
    g_cw = 0x0f7f;
    X("fldcw g_cw; fldl g_a; fstps g_rf; fldcw g_cw0");
    pf("1e300 fstp m32 rc=zero", g_rf);
    g_a = 1.0 / 3.0;
    X("fldl g_a; fstps g_rf");
    pf("1/3 fstp m32", g_rf);
    for (int k = 0; k < 4; k++) {
        g_cw = CWS[k];
        g_a = -0.1;
        X("fldcw g_cw; fldl g_a; fstps g_rf; fldcw g_cw0");
        printf("-0.1 fstp m32 rc=%c           %08x\n", RCN[k], bf(g_rf));
    }
    g_a = hd(0x7ff8000000000123ull);
    X("fldl g_a; fstpl g_r");
    pd("qnan payload m64 round trip", g_r);
    g_a = hd(0x7ff0000000000001ull);
    X("fldl g_a; fstpl g_r");
    pd("snan m64 -> quiet m64", g_r);
    g_f = hf(0x7f800001);
    X("flds g_f; fstpl g_r");
    pd("snan m32 -> quiet m64", g_r);
    g_f = hf(0xffc00000);
    X("flds g_f; fstpl g_r");
    pd("-qnan m32 -> m64", g_r);
    g_a = hd(0xfff0000000000000ull);
    X("fldl g_a; fsts g_rf; fstpt g_t");
    pf("-inf fst m32", g_rf);
    p80("-inf fstp m80", g_t);
}

// 80-bit values that a double cannot hold.
__attribute__((unused)) static void ext80(void) {
    X("fldpi; fstpt g_t");
    p80("fldpi fstp m80", g_t);
    set80(g_t2, 0x3fff, 0x8000000000000008ull);  // 1 + 2^-60
    for (int k = 0; k < 4; k++) {
        g_cw = CWS[k];
        X("fldcw g_cw; fldt g_t2; fstl g_r; fchs; fstpl g_r2; fldcw g_cw0");
        printf("1+2^-60 m80->m64 rc=%c        %016llx %016llx\n", RCN[k], bd(g_r), bd(g_r2));
    }
    X("fldt g_t2; fstpt g_t");
    p80("1+2^-60 m80 round trip", g_t);
    set80(g_t2, 0x3fff, 0x8000000000000400ull);  // 1 + 2^-53: tie, to even
    X("fldt g_t2; fstpl g_r");
    pd("1+2^-53 m80->m64", g_r);
    set80(g_t2, 0x3fff, 0x8000000000000c00ull);  // 1 + 3*2^-53: tie, to even (up)
    X("fldt g_t2; fstpl g_r");
    pd("1+3*2^-53 m80->m64", g_r);
    set80(g_t2, 0x3fff, 0x8000008000000000ull);  // 1 + 2^-24: tie for m32
    X("fldt g_t2; fstps g_rf");
    pf("1+2^-24 m80->m32", g_rf);
    set80(g_t2, 0x0000, 0x0000000000000001ull);  // smallest 80-bit denormal
    X("fldt g_t2; fstpt g_t; fldt g_t2; fstpl g_r");
    p80("denormal m80 round trip", g_t);
    pd("denormal m80->m64", g_r);
    set80(g_t2, 0x43fe, 0x8000000000000000ull);  // 2^1023 * 2 = beyond double
    X("fldt g_t2; fstpl g_r");
    pd("2^1024 m80->m64", g_r);
    g_ll = 0x0123456789abcdefll;
    X("fildll g_ll; fstpt g_t; fildll g_ll; fstpl g_r");
    p80("fild m64 0x0123456789abcdef", g_t);
    pd("  ... fstp m64", g_r);
    g_a = 1.0;
    g_b = 3.0;
    X("fldl g_a; fdivl g_b; fstpt g_t");
    p80("1/3 extended m80", g_t);
    g_cw = 0x027f;  // precision control: double
    X("fldcw g_cw; fldl g_a; fdivl g_b; fstpt g_t; fldcw g_cw0");
    p80("1/3 pc=double m80", g_t);
    g_cw = 0x007f;  // precision control: single
    X("fldcw g_cw; fldl g_a; fdivl g_b; fstpl g_r; fldcw g_cw0");
    pd("1/3 pc=single m64", g_r);
}

// ---------------------------------------------------------------- integers
static void integers(void) {
    g_s = -12345;
    X("filds g_s; fstpl g_r");
    pd("fild m16 -12345", g_r);
    g_i = 0x7fffffff;
    X("fildl g_i; fstpl g_r");
    pd("fild m32 0x7fffffff", g_r);
    g_i = (int)0x80000000;
    X("fildl g_i; fstpl g_r");
    pd("fild m32 0x80000000", g_r);
    g_ll = -1;
    X("fildll g_ll; fstpl g_r");
    pd("fild m64 -1", g_r);
    g_ll = (long long)0x8000000000000000ull;
    X("fildll g_ll; fstpl g_r");
    pd("fild m64 min", g_r);

    static const double vals[] = {2.5, -2.5, 3.5, -3.5, 1.7, -1.7, 0.5, -0.5};
    for (unsigned v = 0; v < sizeof vals / sizeof vals[0]; v++) {
        printf("fistp m32 %-5g", vals[v]);
        for (int k = 0; k < 4; k++) {
            g_cw = CWS[k];
            g_a = vals[v];
            X("fldcw g_cw; fldl g_a; fistpl g_ri; fldcw g_cw0");
            printf(" %c=%08x", RCN[k], (unsigned)g_ri);
        }
        printf("\n");
    }
    for (int k = 0; k < 4; k++) {
        g_cw = CWS[k];
        g_a = -2.5;
        X("fldcw g_cw; fldl g_a; fists g_rs; fistps g_rs2; fldcw g_cw0");
        g_a = 1e15 + 0.5;
        X("fldcw g_cw; fldl g_a; fistpll g_rll; fldcw g_cw0");
        printf("fist m16 -2.5 rc=%c %04x %04x  fistp m64 1e15+.5 %016llx\n", RCN[k], (unsigned short)g_rs,
               (unsigned short)g_rs2, (unsigned long long)g_rll);
    }
    g_a = 3e9;
    X("fldl g_a; fistl g_ri; fistpl g_ri2");
    printf("fist/fistp m32 3e9           %08x %08x\n", (unsigned)g_ri, (unsigned)g_ri2);
    g_a = -3e9;
    X("fldl g_a; fistpl g_ri");
    printf("fistp m32 -3e9               %08x\n", (unsigned)g_ri);
    g_a = 40000;
    X("fldl g_a; fistps g_rs");
    printf("fistp m16 40000              %04x\n", (unsigned short)g_rs);
    g_a = 32767.5;
    X("fldl g_a; fistps g_rs");
    printf("fistp m16 32767.5            %04x\n", (unsigned short)g_rs);
    g_a = -32768.4;
    X("fldl g_a; fistps g_rs");
    printf("fistp m16 -32768.4           %04x\n", (unsigned short)g_rs);
    g_a = 1e19;
    X("fldl g_a; fistpll g_rll");
    printf("fistp m64 1e19               %016llx\n", (unsigned long long)g_rll);
    g_a = -9.2233720368547758e18;
    X("fldl g_a; fistpll g_rll");
    printf("fistp m64 -2^63              %016llx\n", (unsigned long long)g_rll);
    g_a = hd(0x7ff8000000000000ull);
    X("fldl g_a; fistpl g_ri");
    printf("fistp m32 nan                %08x\n", (unsigned)g_ri);
    g_a = hd(0x7ff0000000000000ull);
    X("fldl g_a; fistps g_rs");
    printf("fistp m16 +inf               %04x\n", (unsigned short)g_rs);
}

/* FISTTP is SSE3, which wasmvisor's CPU does not have (in fp_x87ext). */
__attribute__((unused)) static void fisttp(void) {
    g_a = -2.7;
    X("fldl g_a; fisttps g_rs; fldl g_a; fisttpl g_ri; fldl g_a; fisttpll g_rll");
    printf("fisttp -2.7 m16 m32 m64      %04x %08x %016llx\n", (unsigned short)g_rs, (unsigned)g_ri,
           (unsigned long long)g_rll);
    g_a = 3e9;
    X("fldl g_a; fisttpl g_ri");
    printf("fisttp m32 3e9               %08x\n", (unsigned)g_ri);
}

// ---------------------------------------------------------------- arithmetic
// ST(0) = g_a = 10, ST(1) = g_b = 3; m32 operand g_f = 4, m64 operand g_b,
// m16 operand g_s = 7, m32 integer operand g_i = -6.
#define LD2 "fldl g_b; fldl g_a;"
static void arith_one(const char *name, int which) {
    char l[40];
    switch (which) {
#define CASE(n, op)                                                                                        \
    case n:                                                                                                \
        X("fldl g_a; f" op "s g_f; fstpl g_r");                                                             \
        X("fldl g_a; f" op "l g_b; fstpl g_r2");                                                            \
        X(LD2 ".intel_syntax noprefix; f" op " st, st(1); .att_syntax prefix; fstpl g_r3; fstpl g_r4");       \
        snprintf(l, sizeof l, "%s m32", name);                                                             \
        pd(l, g_r);                                                                                        \
        snprintf(l, sizeof l, "%s m64", name);                                                             \
        pd(l, g_r2);                                                                                       \
        snprintf(l, sizeof l, "%s st0,st1", name);                                                         \
        pd(l, g_r3);                                                                                       \
        X(LD2 ".intel_syntax noprefix; f" op " st(1), st; .att_syntax prefix; fstpl g_r2; fstpl g_r");       \
        X(LD2 ".intel_syntax noprefix; f" op "p st(1), st; .att_syntax prefix; fstpl g_r2");                 \
        snprintf(l, sizeof l, "%s st1,st0", name);                                                         \
        pd(l, g_r);                                                                                        \
        snprintf(l, sizeof l, "%sp st1,st0", name);                                                        \
        pd(l, g_r2);                                                                                       \
        X("fldl g_a; fi" op "s g_s; fstpl g_r; fldl g_a; fi" op "l g_i; fstpl g_r2");                      \
        snprintf(l, sizeof l, "fi%s m16", name + 1);                                                       \
        pd(l, g_r);                                                                                        \
        snprintf(l, sizeof l, "fi%s m32", name + 1);                                                       \
        pd(l, g_r2);                                                                                       \
        break;
        CASE(0, "add")
        CASE(1, "sub")
        CASE(2, "subr")
        CASE(3, "mul")
        CASE(4, "div")
        CASE(5, "divr")
#undef CASE
    }
}

static void arith(void) {
    static const char *names[] = {"fadd", "fsub", "fsubr", "fmul", "fdiv", "fdivr"};
    for (int w = 0; w < 6; w++) {
        g_a = 10;
        g_b = 3;
        g_f = 4;
        g_s = 7;
        g_i = -6;
        arith_one(names[w], w);
    }
    // fi* ops with a value that needs the integer conversion
    g_a = 0.5;
    g_s = -32768;
    g_i = 0x7fffffff;
    X("fldl g_a; fiadds g_s; fstpl g_r; fldl g_a; fimull g_i; fstpl g_r2");
    pd("fiadd m16 -32768", g_r);
    pd("fimul m32 0x7fffffff", g_r2);
    // faddp with the ST(i) of a deeper register
    X("fld1; fldz; fldpi; faddp %%st, %%st(2); fstpl g_r; fstpl g_r2");
    pd("faddp st2: st0 after", g_r);
    pd("faddp st2: st1 after", g_r2);
    // special values
    g_a = hd(0x7ff0000000000000ull);
    X("fldl g_a; fchs; faddl g_a; fstpl g_r");
    pd("-inf + inf", g_r);
    X("fldz; fmull g_a; fstpl g_r");
    pd("0 * inf", g_r);
    X("fldz; fldz; fdivrp; fstpl g_r");
    pd("0 / 0", g_r);
    X("fld1; fchs; fldz; fdivrp; fstpl g_r");
    pd("-1 / 0", g_r);
    X("fldz; fchs; fldz; faddp; fstpl g_r");
    pd("0 + -0", g_r);
    X("fldz; fchs; fldz; fchs; faddp; fstpl g_r");
    pd("-0 + -0", g_r);
    X("fld1; fld1; fsubrp; fstpl g_r");
    pd("1 - 1", g_r);
    g_cw = 0x077f;
    X("fldcw g_cw; fld1; fld1; fsubrp; fstpl g_r; fldcw g_cw0");
    pd("1 - 1 rc=down", g_r);
    g_a = hd(0x7ff8000000000123ull);
    X("fld1; faddl g_a; fstpl g_r");
    pd("1 + qnan(123)", g_r);
    g_a = hd(0x7ff8000000000001ull);
    g_b = hd(0xfff8000000000002ull);
    X("fldl g_a; faddl g_b; fstpl g_r; fldl g_b; faddl g_a; fstpl g_r2");
    pd("qnan(1) + -qnan(2)", g_r);
    pd("-qnan(2) + qnan(1)", g_r2);
}

// ---------------------------------------------------------------- unary, stack
static void unary(void) {
    g_a = 1.5;
    X("fldl g_a; fchs; fstpl g_r; fldz; fchs; fstpl g_r2");
    pd("fchs 1.5", g_r);
    pd("fchs +0", g_r2);
    g_a = -2.5;
    X("fldl g_a; fabs; fstpl g_r; fldz; fchs; fabs; fstpl g_r2");
    pd("fabs -2.5", g_r);
    pd("fabs -0", g_r2);
    static const double sq[] = {2.0, 0.25, 1e300, -0.0, -1.0};
    for (int v = 0; v < 5; v++) {
        char l[40];
        g_a = sq[v];
        X("fldl g_a; fsqrt; fstpl g_r");
        snprintf(l, sizeof l, "fsqrt %g", sq[v]);
        pd(l, g_r);
    }
    static const double rv[] = {2.5, -2.5, 3.5, -1.7, 0.5, -0.5, 1e300};
    for (int v = 0; v < 7; v++) {
        printf("frndint %-8g", rv[v]);
        for (int k = 0; k < 4; k++) {
            g_cw = CWS[k];
            g_a = rv[v];
            X("fldcw g_cw; fldl g_a; frndint; fstpl g_r; fldcw g_cw0");
            printf(" %c=%016llx", RCN[k], bd(g_r));
        }
        printf("\n");
    }
    // stack manipulation
    X("fld1; fldl2t; fldpi; fld %%st(2); fstpl g_r; fstpl g_r2; fstpl g_r3; fstpl g_r4");
    printf("fld st2          %016llx %016llx %016llx %016llx\n", bd(g_r), bd(g_r2), bd(g_r3), bd(g_r4));
    X("fld1; fldl2t; fldpi; fxch %%st(2); fstpl g_r; fstpl g_r2; fstpl g_r3");
    printf("fxch st2         %016llx %016llx %016llx\n", bd(g_r), bd(g_r2), bd(g_r3));
    X("fld1; fldpi; fxch; fstpl g_r; fstpl g_r2");
    printf("fxch             %016llx %016llx\n", bd(g_r), bd(g_r2));
    X("fld1; fldl2t; fldpi; fst %%st(2); fstpl g_r; fstpl g_r2; fstpl g_r3");
    printf("fst st2          %016llx %016llx %016llx\n", bd(g_r), bd(g_r2), bd(g_r3));
    X("fld1; fldl2t; fldpi; fstp %%st(2); fstpl g_r; fstpl g_r2");
    printf("fstp st2         %016llx %016llx\n", bd(g_r), bd(g_r2));
    X("fld1; fld %%st(0); faddp; fstpl g_r");
    pd("fld st0; faddp", g_r);
    X("fld1; fldpi; fincstp; fstl g_r; fdecstp; fstpl g_r2; fstpl g_r3");
    printf("fincstp/fdecstp  %016llx %016llx %016llx\n", bd(g_r), bd(g_r2), bd(g_r3));
    X("fninit; fdecstp; fnstsw g_sw; fincstp; fnstsw g_sw2");
    printf("fdecstp TOP %04x fincstp TOP %04x\n", g_sw & 0x3800, g_sw2 & 0x3800);
    X("fld1; fld1; fnstsw g_sw; fstp %%st(0); fnstsw g_sw2; fstp %%st(0)");
    printf("TOP after 2 pushes %04x after pop %04x\n", g_sw & 0x3800, g_sw2 & 0x3800);
    X("fld1; fnop; fwait; fstpl g_r");
    pd("fnop; fwait", g_r);
}

static void constants(void) {
    X("fldz; fstpl g_r");
    pd("fldz", g_r);
    X("fld1; fstpl g_r");
    pd("fld1", g_r);
    X("fldpi; fstpl g_r");
    pd("fldpi", g_r);
    X("fldl2e; fstpl g_r");
    pd("fldl2e", g_r);
    X("fldl2t; fstpl g_r");
    pd("fldl2t", g_r);
    X("fldlg2; fstpl g_r");
    pd("fldlg2", g_r);
    X("fldln2; fstpl g_r");
    pd("fldln2", g_r);
}

// ---------------------------------------------------------------- compares
// Cases: ST(0) = x, ST(1) / memory = y.
static const double CX[] = {1, 2, 3, 0, -0.0, 0};
static const double CY[] = {2, 2, 2, 2, 0, 2};
#define NCASE 6
static void set_case(int c) {
    g_a = CX[c];
    if (c == 3) g_a = hd(0x7ff8000000000000ull);  // NaN
    if (c == 5) g_a = hd(0xfff0000000000000ull);  // -inf
    g_b = CY[c];
    g_f = (float)CY[c];
    g_s = (short)CY[c];
    g_i = (int)CY[c];
}

#define CMP(label, code)                                           \
    do {                                                           \
        printf("%-18s", label);                                    \
        for (int c = 0; c < NCASE; c++) {                          \
            set_case(c);                                           \
            X(code);                                               \
            printf(" %04x", g_sw & 0x4500);                        \
        }                                                          \
        printf("\n");                                              \
    } while (0)

#define CMPI(label, code)                                                 \
    do {                                                                  \
        printf("%-18s", label);                                           \
        for (int c = 0; c < NCASE; c++) {                                 \
            set_case(c);                                                  \
            X(code "; pushfl; popl g_fl");                                \
            printf(" %02x", g_fl & 0x45);                                 \
        }                                                                 \
        printf("\n");                                                     \
    } while (0)

static void compares(void) {
    printf("compare cases: 1:2 2:2 3:2 nan:2 -0:+0 -inf:2 (sw & 0x4500)\n");
    CMP("fcom st1", LD2 "fcom %%st(1); fnstsw %%ax; movw %%ax, g_sw; fstp %%st(0); fstp %%st(0)");
    CMP("fcom", LD2 "fcom; fnstsw %%ax; movw %%ax, g_sw; fstp %%st(0); fstp %%st(0)");
    CMP("fcom m32", "fldl g_a; fcoms g_f; fnstsw %%ax; movw %%ax, g_sw; fstp %%st(0)");
    CMP("fcom m64", "fldl g_a; fcoml g_b; fnstsw %%ax; movw %%ax, g_sw; fstp %%st(0)");
    CMP("fcomp st1", LD2 "fcomp %%st(1); fnstsw %%ax; movw %%ax, g_sw; fstp %%st(0)");
    CMP("fcomp m32", "fldl g_a; fcomps g_f; fnstsw %%ax; movw %%ax, g_sw");
    CMP("fcomp m64", "fldl g_a; fcompl g_b; fnstsw %%ax; movw %%ax, g_sw");
    CMP("fcompp", LD2 "fcompp; fnstsw %%ax; movw %%ax, g_sw");
    CMP("fucom st1", LD2 "fucom %%st(1); fnstsw %%ax; movw %%ax, g_sw; fstp %%st(0); fstp %%st(0)");
    CMP("fucomp st1", LD2 "fucomp %%st(1); fnstsw %%ax; movw %%ax, g_sw; fstp %%st(0)");
    CMP("fucompp", LD2 "fucompp; fnstsw %%ax; movw %%ax, g_sw");
    CMP("ficom m16", "fldl g_a; ficoms g_s; fnstsw %%ax; movw %%ax, g_sw; fstp %%st(0)");
    CMP("ficom m32", "fldl g_a; ficoml g_i; fnstsw %%ax; movw %%ax, g_sw; fstp %%st(0)");
    CMP("ficomp m16", "fldl g_a; ficomps g_s; fnstsw %%ax; movw %%ax, g_sw");
    CMP("ficomp m32", "fldl g_a; ficompl g_i; fnstsw %%ax; movw %%ax, g_sw");
    CMP("ftst (x vs 0)", "fldl g_a; ftst; fnstsw g_sw; fstp %%st(0)");
    printf("fcomi cases as above (eflags & 0x45: ZF PF CF)\n");
    CMPI("fcomi st1", LD2 "fcomi %%st(1), %%st; fstp %%st(0); fstp %%st(0)");
    CMPI("fucomi st1", LD2 "fucomi %%st(1), %%st; fstp %%st(0); fstp %%st(0)");
    CMPI("fcomip st1", LD2 "fcomip %%st(1), %%st; fstp %%st(0)");
    CMPI("fucomip st1", LD2 "fucomip %%st(1), %%st; fstp %%st(0)");
    // TOP after the popping compares (must be back to 0 -> checked by chk);
    // a compare leaves the other register intact:
    g_a = 5;
    g_b = 6;
    X(LD2 "fcomp %%st(1); fstpl g_r");
    pd("after fcomp: st0 =", g_r);
    X(LD2 "fucomip %%st(1), %%st; fstpl g_r");
    pd("after fucomip: st0 =", g_r);
}

// ---------------------------------------------------------------- fxam
static void fxam1(const char *l, unsigned mask) { printf("%-28s %04x\n", l, g_sw & mask); }
/* Needs 80-bit registers: an extended denormal is a class of its own (in fp_x87ext). */
__attribute__((unused)) static void fxam_denormal80(void) {
    set80(g_t2, 0x0000, 0x0000000000001234ull);
    X("fldt g_t2; fxam; fnstsw g_sw; fstp %%st(0)");
    fxam1("fxam denormal m80", 0x4700);
    set80(g_t2, 0x8000, 0x0000000000001234ull);
    X("fldt g_t2; fxam; fnstsw g_sw; fstp %%st(0)");
    fxam1("fxam -denormal m80", 0x4700);
}

static void fxam(void) {
    X("fldz; fxam; fnstsw g_sw; fstp %%st(0)");
    fxam1("fxam +0", 0x4700);
    X("fldz; fchs; fxam; fnstsw g_sw; fstp %%st(0)");
    fxam1("fxam -0", 0x4700);
    X("fld1; fxam; fnstsw g_sw; fstp %%st(0)");
    fxam1("fxam 1.0", 0x4700);
    X("fld1; fchs; fxam; fnstsw g_sw; fstp %%st(0)");
    fxam1("fxam -1.0", 0x4700);
    g_a = hd(0xfff0000000000000ull);
    X("fldl g_a; fxam; fnstsw g_sw; fstp %%st(0)");
    fxam1("fxam -inf", 0x4700);
    g_a = hd(0x7ff0000000000000ull);
    X("fldl g_a; fxam; fnstsw g_sw; fstp %%st(0)");
    fxam1("fxam +inf", 0x4700);
    g_a = hd(0x7ff8000000000000ull);
    X("fldl g_a; fxam; fnstsw g_sw; fstp %%st(0)");
    fxam1("fxam nan", 0x4700);
    g_a = hd(0xfff8000000000000ull);
    X("fldl g_a; fxam; fnstsw g_sw; fstp %%st(0)");
    fxam1("fxam -nan", 0x4700);
    g_a = hd(0x8000000000000001ull);
    X("fldl g_a; fxam; fnstsw g_sw; fstp %%st(0)");
    fxam1("fxam -denormal m64 (normal)", 0x4700);
    // empty register: C1 is the sign of whatever the register holds; masked
    X("fld1; ffree %%st(0); fxam; fnstsw g_sw; fincstp");
    fxam1("fxam empty (ffree)", 0x4500);
    X("fninit; fxam; fnstsw g_sw");
    fxam1("fxam empty (fninit)", 0x4500);
    X("fld1; fldz; ffree %%st(1); fincstp; fxam; fnstsw g_sw; fdecstp; fstp %%st(0); fincstp");
    fxam1("fxam empty (ffree st1)", 0x4500);
}

// ---------------------------------------------------------------- fcmov
#define FCMOV(insn)                                                                 \
    do {                                                                            \
        printf("%-10s", insn);                                                      \
        for (int c = 0; c < 4; c++) {                                               \
            static const int xs[] = {1, 2, 3, 5};                                   \
            static const int ys[] = {2, 2, 2, 2};                                   \
            g_x1 = xs[c];                                                           \
            g_x2 = ys[c];                                                           \
            X("fld1; fldz; movl g_x1, %%eax; cmpl g_x2, %%eax; " insn               \
              " %%st(1), %%st; fstpl g_r; fstp %%st(0)");                           \
            printf(" %d", (int)g_r);                                                \
        }                                                                           \
        printf("\n");                                                               \
    } while (0)

static void fcmov(void) {
    printf("fcmov (1 = moved) cmp 1,2 2,2 3,2 5,2 (PF=1)\n");
    FCMOV("fcmovb");
    FCMOV("fcmove");
    FCMOV("fcmovbe");
    FCMOV("fcmovu");
    FCMOV("fcmovnb");
    FCMOV("fcmovne");
    FCMOV("fcmovnbe");
    FCMOV("fcmovnu");
}

// ---------------------------------------------------------------- fprem etc.
static void prem(void) {
    static const double px[] = {10, 11, -10, 5.5, 7, 7.5, 4.5, -4.5, 1, 0.75, 100, 1e30};
    static const double py[] = {3, 3, 3, 2, 2.5, 3, 3, 3, 3, -0.5, 7, 3};
    for (int v = 0; v < 12; v++) {
        g_a = px[v];
        g_b = py[v];
        X(LD2 "1: fprem; fnstsw %%ax; testw $0x400, %%ax; jnz 1b; movw %%ax, g_sw; fstpl g_r; fstp %%st(0)");
        X(LD2 "1: fprem1; fnstsw %%ax; testw $0x400, %%ax; jnz 1b; movw %%ax, g_sw2; fstpl g_r2; fstp %%st(0)");
        // after a multi-step reduction (1e30) the quotient bits are those of
        // the last step: implementation dependent, so only C2 is shown
        unsigned m = v == 11 ? 0x0400 : 0x4700;
        printf("fprem %-5g %-4g %016llx %04x  fprem1 %016llx %04x\n", px[v], py[v], bd(g_r), g_sw & m, bd(g_r2),
               g_sw2 & m);
    }
    g_a = 1e30;
    g_b = 3;
    X(LD2 "fprem; fnstsw g_sw; fstp %%st(0); fstp %%st(0)");
    printf("fprem 1e30 3 one step: C2 %04x\n", g_sw & 0x0400);

    static const double sx[] = {1.5, 1.5, 1, -1, 1, 3};
    static const double sy[] = {2.7, -3.9, 1000, 0, 2000, -1080};
    for (int v = 0; v < 6; v++) {
        char l[40];
        g_a = sx[v];
        g_b = sy[v];
        X(LD2 "fscale; fstpl g_r; fstp %%st(0)");
        snprintf(l, sizeof l, "fscale %g %g", sx[v], sy[v]);
        pd(l, g_r);
    }
    static const double xv[] = {10, -0.1, 1, 0x1p-1060};
    for (int v = 0; v < 4; v++) {
        g_a = xv[v];
        X("fldl g_a; fxtract; fstpl g_r; fstpl g_r2");
        printf("fxtract %-8g sig %016llx exp %016llx\n", xv[v], bd(g_r), bd(g_r2));
    }
    X("fldz; fxtract; fstpl g_r; fstpl g_r2");
    printf("fxtract 0        sig %016llx exp %016llx\n", bd(g_r), bd(g_r2));
}

// ---------------------------------------------------------------- transcendental
static void transc(void) {
    static const double e[] = {0.5, -0.25, 0, 1e-10};
    for (int v = 0; v < 4; v++) {
        g_a = e[v];
        X("fldl g_a; f2xm1; fstpl g_r");
        printf("f2xm1 %g = %.13g\n", e[v], g_r);
    }
    static const double ly[] = {3, 1, -2, 0.5};
    static const double lx[] = {8, 10, 0.1, 2.718281828459045};
    for (int v = 0; v < 4; v++) {
        g_b = ly[v];
        g_a = lx[v];
        X(LD2 "fyl2x; fstpl g_r");
        printf("fyl2x y=%g x=%.16g = %.13g\n", ly[v], lx[v], g_r);
    }
    static const double py[] = {1, 2, 1};
    static const double px[] = {0.25, -0.25, 1e-9};
    for (int v = 0; v < 3; v++) {
        g_b = py[v];
        g_a = px[v];
        X(LD2 "fyl2xp1; fstpl g_r");
        printf("fyl2xp1 y=%g x=%g = %.13g\n", py[v], px[v], g_r);
    }
    static const double ay[] = {1, 1, -1, 0, 3, -2};
    static const double ax[] = {1, -1, -1, -1, 0, 5};
    for (int v = 0; v < 6; v++) {
        g_b = ay[v];
        g_a = ax[v];
        X(LD2 "fpatan; fstpl g_r");
        printf("fpatan y=%g x=%g = %.13g\n", ay[v], ax[v], g_r);
    }
    static const double tv[] = {0.5, 1.0, -0.75};
    for (int v = 0; v < 3; v++) {
        g_a = tv[v];
        X("fldl g_a; fptan; fstpl g_r2; fstpl g_r; fnstsw g_sw");
        printf("fptan %g = %.13g, pushed %.13g, C2 %04x\n", tv[v], g_r, g_r2, g_sw & 0x0400);
    }
    static const double sv[] = {0.5, 1.0, -2.0, 0};
    for (int v = 0; v < 4; v++) {
        g_a = sv[v];
        X("fldl g_a; fsin; fstpl g_r; fldl g_a; fcos; fstpl g_r2");
        printf("fsin %g = %.13g  fcos %g = %.13g\n", sv[v], g_r, sv[v], g_r2);
        X("fldl g_a; fsincos; fstpl g_r2; fstpl g_r; fnstsw g_sw");
        printf("fsincos %g = sin %.13g cos %.13g C2 %04x\n", sv[v], g_r, g_r2, g_sw & 0x0400);
    }
    g_a = 1e20;  // out of range: C2 = 1, operand unchanged
    X("fldl g_a; fsin; fnstsw g_sw; fstpl g_r");
    printf("fsin 1e20: C2 %04x st0 %016llx\n", g_sw & 0x0400, bd(g_r));
    X("fldl g_a; fsincos; fnstsw g_sw; fstpl g_r");
    printf("fsincos 1e20: C2 %04x st0 %016llx\n", g_sw & 0x0400, bd(g_r));
    X("fldl g_a; fptan; fnstsw g_sw; fstpl g_r");
    printf("fptan 1e20: C2 %04x st0 %016llx\n", g_sw & 0x0400, bd(g_r));
}

// ---------------------------------------------------------------- control
static void control(void) {
    X("fninit; fnstcw g_cw; fnstsw g_sw");
    printf("fninit: cw %04x sw %04x\n", g_cw, g_sw);
    g_cw = 0x0e7f;
    X("fldcw g_cw; fnstcw g_cw2; fstcw g_cw; fldcw g_cw0");
    printf("fldcw 0e7f: fnstcw %04x fstcw %04x\n", g_cw2, g_cw);
    g_cw = 0x0b7f;
    g_a = hd(0x7ff8000000000000ull);
    memset(g_env, 0, sizeof g_env);
    X("fldcw g_cw; fld1; fldz; fldl g_a; fnstenv g_env; fninit; fnstcw g_cw2; fldenv g_env; fnstcw g_cw;"
      "fnstsw g_sw; fstp %%st(0); fstpl g_r; fstpl g_r2; fldcw g_cw0");
    unsigned short ecw, esw, etw;
    memcpy(&ecw, g_env, 2);
    memcpy(&esw, g_env + 4, 2);
    memcpy(&etw, g_env + 8, 2);
    printf("fnstenv: cw %04x sw.top %04x tw %04x\n", ecw, esw & 0x3800, etw);
    printf("fldenv: cw %04x (after fninit %04x) sw.top %04x\n", g_cw, g_cw2, g_sw & 0x3800);
    printf("fldenv: st1 %016llx st2 %016llx\n", bd(g_r), bd(g_r2));
    // modify the control word in the stored environment
    X("fnstenv g_env; movw $0x0c7f, g_env; fldenv g_env; fnstcw g_cw; fldcw g_cw0");
    printf("fldenv modified cw: %04x\n", g_cw);
    // FNSAVE / FRSTOR
    g_a = 2.5;
    g_b = -1.25;
    memset(g_save, 0, sizeof g_save);
    X("fldl g_a; fldl g_b; fnsave g_save; fnstcw g_cw; fnstsw g_sw; fldpi; fstpl g_r3;"
      "frstor g_save; fnstsw g_sw2; fstpl g_r; fstpl g_r2");
    unsigned short scw, ssw, stw;
    memcpy(&scw, g_save, 2);
    memcpy(&ssw, g_save + 4, 2);
    memcpy(&stw, g_save + 8, 2);
    printf("fnsave: cw %04x sw.top %04x tw %04x\n", scw, ssw & 0x3800, stw);
    p80("fnsave image st0", g_save + 28);
    p80("fnsave image st1", g_save + 38);
    printf("after fnsave: cw %04x sw.top %04x\n", g_cw, g_sw & 0x3800);
    printf("frstor: sw.top %04x st0 %016llx st1 %016llx\n", g_sw2 & 0x3800, bd(g_r), bd(g_r2));
    // FRSTOR of a modified image: new ST(0) value and control word
    X("fld1; fnsave g_save; movw $0x077f, g_save; frstor g_save; fnstcw g_cw; fldl g_b; fistpl g_ri; fstpl g_r;"
      "fldcw g_cw0");
    printf("frstor cw %04x: fistp -1.25 = %d, st0 %016llx\n", g_cw, g_ri, bd(g_r));
}

int main(void) {
#ifdef X87_EXTENDED_ONLY
    /* fp_x87ext: what only 80-bit registers get right (wasmvisor keeps doubles; see the README). */
    ext80();
    fxam_denormal80();
    fisttp();
    return 0;
#endif
    loads_stores();
    integers();
    arith();
    unary();
    constants();
    compares();
    fxam();
    fcmov();
    prem();
    transc();
    control();
    return 0;
}
