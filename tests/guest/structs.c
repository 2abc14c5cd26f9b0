// C data layout and calling conventions: bitfields, packed and unaligned
// structures, unions for type punning, structures passed and returned by
// value (small and large), varargs, variable-length arrays, alloca, and
// GCC builtins (popcount, clz, ctz, bswap, overflow checks).
#include <stdio.h>
#include <stdarg.h>
#include <string.h>
#include <stdint.h>
#include <alloca.h>
#include <stdlib.h>

#include "repeat.h"

struct bits { unsigned a : 3; signed b : 5; unsigned c : 12; unsigned d : 1; int e : 11; };
struct __attribute__((packed)) packed { char c; int i; short s; long long ll; };
struct small { short x, y; };
struct large { int v[12]; char name[20]; };
union pun { uint32_t u; int32_t i; unsigned char b[4]; uint16_t h[2]; };

static struct small mk_small(int x, int y) { struct small s = {(short)x, (short)y}; return s; }
static struct large mk_large(int seed) {
    struct large l;
    for (int i = 0; i < 12; i++) l.v[i] = seed * i - 7;
    snprintf(l.name, sizeof l.name, "large-%d", seed);
    return l;
}
static int sum_large(struct large l) { int s = 0; for (int i = 0; i < 12; i++) s += l.v[i]; return s + (int)strlen(l.name); }
static long long vsum(int n, ...) {
    va_list ap;
    va_start(ap, n);
    long long s = 0;
    for (int i = 0; i < n; i++) {
        int kind = va_arg(ap, int);
        if (kind == 0) s += va_arg(ap, int);
        else if (kind == 1) s += va_arg(ap, long long);
        else s += (long long)strlen(va_arg(ap, const char *));
    }
    va_end(ap);
    return s;
}
static int vla_sum(int n) {
    int a[n];
    for (int i = 0; i < n; i++) a[i] = i * i;
    int s = 0;
    for (int i = 0; i < n; i++) s += a[i];
    return s;
}

// argc as main saw it without the repeat count, so the results do not depend on it
static int run_once(int argc) {
    struct bits bf;
    memset(&bf, 0, sizeof bf);
    for (int k = 0; k < 8; k++) {
        bf.a = k * 3; bf.b = k * 5 - 16; bf.c = k * 1000; bf.d = k; bf.e = -k * 150;
        outf("bits: a %u b %d c %u d %u e %d size %zu\n", bf.a, bf.b, bf.c, bf.d, bf.e, sizeof bf);
    }
    unsigned char raw[64];
    for (int i = 0; i < 64; i++) raw[i] = (unsigned char)(i * 11);
    struct packed *pk = (struct packed *)(raw + 1);
    outf("packed: size %zu c %d i %08x s %04x ll %016llx\n", sizeof(struct packed), pk->c, pk->i,
         (unsigned short)pk->s, (unsigned long long)pk->ll);
    pk->i = 0x01020304;
    pk->ll = -2;
    outf("packed raw after store: ");
    for (int i = 0; i < 16; i++) outf("%02x", raw[i]);
    outf("\n");
    uint32_t u;
    for (int off = 0; off < 4; off++) { memcpy(&u, raw + off + 20, 4); outf("unaligned %d: %08x\n", off, u); }
    union pun p;
    p.u = 0x80ff0102;
    outf("union: i %d b %02x %02x %02x %02x h %04x %04x\n", p.i, p.b[0], p.b[1], p.b[2], p.b[3], p.h[0], p.h[1]);
    struct small s = mk_small(-3, 40000);
    outf("small: %d %d\n", s.x, s.y);
    struct large l = mk_large(argc + 4);
    outf("large: %s %d %d sum %d\n", l.name, l.v[0], l.v[11], sum_large(l));
    outf("varargs: %lld\n", vsum(5, 0, 10, 1, 1LL << 40, 2, "hello", 0, -3, 1, -5LL));
    outf("vla: %d %d\n", vla_sum(10), vla_sum(1000));
    char *al = alloca(100 + argc);
    memset(al, 'z', 100);
    al[100] = 0;
    outf("alloca: %zu\n", strlen(al));
    volatile uint32_t v[] = {0, 1, 0x80000000u, 0xffffffffu, 0x00f0f000u, 0x12345678u};
    for (int i = 0; i < 6; i++) {
        uint32_t x = v[i];
        outf("builtins %08x: popcount %d parity %d", x, __builtin_popcount(x), __builtin_parity(x));
        if (x) outf(" clz %d ctz %d ffs %d", __builtin_clz(x), __builtin_ctz(x), __builtin_ffs(x));
        outf(" bswap %08x bswap16 %04x\n", __builtin_bswap32(x), __builtin_bswap16((uint16_t)x));
    }
    volatile uint64_t w = 0x0123456789abcdefull;
    outf("bswap64 %016llx popcountll %d clzll %d\n", (unsigned long long)__builtin_bswap64(w),
         __builtin_popcountll(w), __builtin_clzll(w));
    int r;
    volatile int big1 = 2000000000, big2 = 2000000000;
    outf("add overflow: %d", __builtin_add_overflow(big1, big2, &r));
    outf(" mul overflow: %d", __builtin_mul_overflow(big1, 2, &r));
    int so = __builtin_sub_overflow(big1, big2, &r);
    outf(" sub ok: %d %d\n", so, r);
    return 0;
}

// The computation sees the argument count it would see without a repeat count.
static int structs_argc;
static int run_structs(void) { return run_once(structs_argc); }

int main(int argc, char **argv) {
    structs_argc = argc > 1 ? argc - 1 : argc;
    return repeat_main(argc, argv, run_structs);
}
