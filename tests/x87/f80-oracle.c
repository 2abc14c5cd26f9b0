/*
 * The x87 oracle of tests/x87/floatx80.test.ts: runs real x87 instructions
 * natively (an i386 program, built with gcc -m32; never under the emulator)
 * and prints their 80-bit (or memory-format) results and status words.
 *
 * Input, one case a line:  OP CW A [B]
 *   OP  add sub mul div (A op B), sqrt, rndint, prem, prem1 (A rem B),
 *       st64 st32 (FSTP m64/m32 of A), ist16 ist32 ist64 (FISTP of A),
 *       com ucom (FCOM/FUCOM of A with B), ld64 ld32 (FLD m64/m32: A is the
 *       16/8 hex digits of the memory value), scale (FSCALE: ST0 = A,
 *       ST1 = B), xtract chs abs xam (FXTRACT/FCHS/FABS/FXAM of A),
 *       fld1 fldz fldpi fldl2e fldl2t fldlg2 fldln2 (A is ignored: give 0)
 *   CW  the control word (hex); the caller masks the exceptions it wants masked
 *   A B 20 hex digits: the 80-bit pattern, sign/exponent first
 * Output, one line a case:  SW RESULT
 *   SW      the status word (fnstsw, hex) right after the instruction, which
 *           ran after fnclex
 *   RESULT  the result pattern in hex, most significant byte first (20 digits
 *           for 80-bit results, 16/8 for m64/m32, 4/8/16 for m16/m32/m64
 *           integers); "-" for com/ucom/xam. FXTRACT prints two results:
 *           the significand (ST0), then the exponent (ST1).
 */
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

typedef struct { unsigned char b[16]; } buf;

static int hexval(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Parses big-endian hex text into little-endian bytes; returns the byte count. */
static int parse(const char *s, buf *out) {
  int n = (int)strlen(s) / 2, i;
  memset(out, 0, sizeof *out);
  for (i = 0; i < n && i < 16; i++) {
    int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
    if (hi < 0 || lo < 0) return -1;
    out->b[n - 1 - i] = (unsigned char)(hi * 16 + lo);
  }
  return n;
}

static void emit(unsigned short sw, const buf *r, int n) {
  int i;
  printf("%04x ", sw);
  if (n == 0) printf("-");
  for (i = n - 1; i >= 0; i--) printf("%02x", r->b[i]);
  printf("\n");
}

#define PRE "fninit\n\tfldcw %2\n\t"
/* Two operands: ST0 = A, ST1 = B; INSN; store ST0 as 80 bits; pop both. */
#define BIN(insn)                                                                      \
  __asm__ volatile(PRE "fldt %3\n\tfldt %4\n\tfnclex\n\t" insn "\n\tfnstsw %0\n\t"     \
                   "fstpt %1\n\tfstp %%st(0)\n\tfninit"                                \
                   : "=m"(sw), "=m"(r) : "m"(cw), "m"(b), "m"(a) : "memory")
/* One operand: ST0 = A; INSN (which may store to %1); the status word; TAIL. */
#define UN(insn, tail)                                                                 \
  __asm__ volatile(PRE "fldt %4\n\tfnclex\n\t" insn "\n\tfnstsw %0\n\t" tail          \
                   "\n\tfninit"                                                        \
                   : "=m"(sw), "=m"(r) : "m"(cw), "m"(b), "m"(a) : "memory")
/* Compare ST0 = A with ST1 = B; the status word only. */
#define CMP(insn)                                                                      \
  __asm__ volatile(PRE "fldt %3\n\tfldt %4\n\tfnclex\n\t" insn "\n\tfnstsw %0\n\t"     \
                   "fninit"                                                            \
                   : "=m"(sw), "=m"(r) : "m"(cw), "m"(b), "m"(a) : "memory")
/* No operand: INSN pushes a value; store it as 80 bits. */
#define PUSH(insn)                                                                     \
  __asm__ volatile(PRE "fnclex\n\t" insn "\n\tfnstsw %0\n\tfstpt %1\n\tfninit"        \
                   : "=m"(sw), "=m"(r) : "m"(cw), "m"(b), "m"(a) : "memory")
/* FXTRACT of ST0 = A: the significand (ST0, into %1) and the exponent (ST1, into %2). */
#define XTRACT()                                                                       \
  __asm__ volatile("fninit\n\tfldcw %3\n\tfldt %5\n\tfnclex\n\tfxtract\n\tfnstsw %0\n\t" \
                   "fstpt %1\n\t"                                                      \
                   "fstpt %2\n\tfninit"                                                \
                   : "=m"(sw), "=m"(r), "=m"(r2) : "m"(cw), "m"(b), "m"(a) : "memory")
/* Load A from memory (m64/m32) and store it as 80 bits. */
#define LD(load)                                                                       \
  __asm__ volatile(PRE "fnclex\n\t" load " %4\n\tfnstsw %0\n\tfstpt %1\n\tfninit"      \
                   : "=m"(sw), "=m"(r) : "m"(cw), "m"(b), "m"(a) : "memory")

int main(void) {
  char line[256], op[32], cws[32], as[64], bs[64];
  setvbuf(stdout, NULL, _IOFBF, 1 << 16);
  while (fgets(line, sizeof line, stdin)) {
    buf a, b, r, r2;
    unsigned short cw, sw = 0;
    int n;
    bs[0] = 0;
    n = sscanf(line, "%31s %31s %63s %63s", op, cws, as, bs);
    if (n < 3) { printf("? bad line\n"); continue; }
    cw = (unsigned short)strtoul(cws, NULL, 16);
    if (parse(as, &a) < 0 || parse(bs, &b) < 0) { printf("? bad hex\n"); continue; }
    memset(&r, 0, sizeof r);
    memset(&r2, 0, sizeof r2);
    if (!strcmp(op, "add")) { BIN("fadd %%st(1), %%st"); emit(sw, &r, 10); }
    else if (!strcmp(op, "sub")) { BIN("fsub %%st(1), %%st"); emit(sw, &r, 10); }
    else if (!strcmp(op, "mul")) { BIN("fmul %%st(1), %%st"); emit(sw, &r, 10); }
    else if (!strcmp(op, "div")) { BIN("fdiv %%st(1), %%st"); emit(sw, &r, 10); }
    else if (!strcmp(op, "prem")) { BIN("fprem"); emit(sw, &r, 10); }
    else if (!strcmp(op, "prem1")) { BIN("fprem1"); emit(sw, &r, 10); }
    else if (!strcmp(op, "sqrt")) { UN("fsqrt", "fstpt %1"); emit(sw, &r, 10); }
    else if (!strcmp(op, "rndint")) { UN("frndint", "fstpt %1"); emit(sw, &r, 10); }
    else if (!strcmp(op, "st64")) { UN("fstpl %1", ""); emit(sw, &r, 8); }
    else if (!strcmp(op, "st32")) { UN("fstps %1", ""); emit(sw, &r, 4); }
    else if (!strcmp(op, "ist16")) { UN("fistps %1", ""); emit(sw, &r, 2); }
    else if (!strcmp(op, "ist32")) { UN("fistpl %1", ""); emit(sw, &r, 4); }
    else if (!strcmp(op, "ist64")) { UN("fistpll %1", ""); emit(sw, &r, 8); }
    else if (!strcmp(op, "com")) { CMP("fcom %%st(1)"); emit(sw, &r, 0); }
    else if (!strcmp(op, "ucom")) { CMP("fucom %%st(1)"); emit(sw, &r, 0); }
    else if (!strcmp(op, "ld64")) { LD("fldl"); emit(sw, &r, 10); }
    else if (!strcmp(op, "ld32")) { LD("flds"); emit(sw, &r, 10); }
    else if (!strcmp(op, "scale")) { BIN("fscale"); emit(sw, &r, 10); }
    else if (!strcmp(op, "xtract")) {
      int i;
      XTRACT();
      printf("%04x ", sw);
      for (i = 9; i >= 0; i--) printf("%02x", r.b[i]);
      printf(" ");
      for (i = 9; i >= 0; i--) printf("%02x", r2.b[i]);
      printf("\n");
    }
    else if (!strcmp(op, "chs")) { UN("fchs", "fstpt %1"); emit(sw, &r, 10); }
    else if (!strcmp(op, "abs")) { UN("fabs", "fstpt %1"); emit(sw, &r, 10); }
    else if (!strcmp(op, "xam")) { UN("fxam", "fstp %%st(0)"); emit(sw, &r, 0); }
    else if (!strcmp(op, "fld1")) { PUSH("fld1"); emit(sw, &r, 10); }
    else if (!strcmp(op, "fldz")) { PUSH("fldz"); emit(sw, &r, 10); }
    else if (!strcmp(op, "fldpi")) { PUSH("fldpi"); emit(sw, &r, 10); }
    else if (!strcmp(op, "fldl2e")) { PUSH("fldl2e"); emit(sw, &r, 10); }
    else if (!strcmp(op, "fldl2t")) { PUSH("fldl2t"); emit(sw, &r, 10); }
    else if (!strcmp(op, "fldlg2")) { PUSH("fldlg2"); emit(sw, &r, 10); }
    else if (!strcmp(op, "fldln2")) { PUSH("fldln2"); emit(sw, &r, 10); }
    else printf("? unknown op\n");
  }
  fflush(stdout);
  return 0;
}
