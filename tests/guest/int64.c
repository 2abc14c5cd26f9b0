// 64-bit integer arithmetic on a 32-bit target: multiplication, division
// and modulo (signed and unsigned, through libgcc's __divdi3/__udivdi3/
// __moddi3/__umoddi3), shifts by every count, comparisons, conversions.
#include <stdio.h>
#include <stdint.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>

#include "repeat.h"

static const uint64_t vals[] = {
    0, 1, 2, 3, 7, 10, 0x7f, 0x80, 0xff, 0xffff, 0x10000, 0x7fffffff,
    0x80000000u, 0xffffffffu, 0x100000000ull, 0x123456789abcdefull,
    0x7fffffffffffffffull, 0x8000000000000000ull, 0xfffffffffffffffeull,
    0xffffffffffffffffull, 1000000007ull, 0xdeadbeefcafebabeull,
};
#define N (sizeof vals / sizeof vals[0])

static volatile int sink;

static int run_once(void) {
    uint64_t h = 0;
    for (unsigned i = 0; i < N; i++) {
        for (unsigned j = 0; j < N; j++) {
            volatile uint64_t a = vals[i], b = vals[j];
            int64_t sa = (int64_t)a, sb = (int64_t)b;
            outf("%016" PRIx64 " %016" PRIx64 ": add %016" PRIx64 " sub %016" PRIx64
                 " mul %016" PRIx64, a, b, a + b, a - b, a * b);
            if (b) {
                outf(" udiv %016" PRIx64 " umod %016" PRIx64, a / b, a % b);
                if (!(sa == INT64_MIN && sb == -1))
                    outf(" sdiv %" PRId64 " smod %" PRId64, sa / sb, sa % sb);
            }
            outf(" lt %d slt %d\n", a < b, sa < sb);
            h = h * 31 + (a ^ (b >> 3));
        }
    }
    for (unsigned i = 0; i < N; i++) {
        volatile uint64_t a = vals[i];
        for (int s = 0; s < 64; s++) {
            volatile int c = s;
            uint64_t l = a << c, r = a >> c;
            int64_t sr = (int64_t)a >> c;
            h ^= l + 3 * r + 7 * (uint64_t)sr;
            h = (h << 7) | (h >> 57);
        }
        outf("shifts %016" PRIx64 " -> %016" PRIx64 "\n", a, h);
    }
    // conversions
    for (unsigned i = 0; i < N; i++) {
        volatile uint64_t a = vals[i];
        int32_t lo = (int32_t)a;
        int64_t ext = lo;
        uint64_t uext = (uint32_t)a;
        outf("conv %016" PRIx64 ": lo %d sext %" PRId64 " zext %" PRIu64 " u %" PRIu64 "\n",
             a, lo, ext, uext, a);
    }
    // factorials and a 64-bit LCG
    uint64_t f = 1;
    for (int k = 1; k <= 25; k++) {
        f *= k;
        outf("%d! mod 2^64 = %" PRIu64 "\n", k, f);
    }
    uint64_t x = 88172645463325252ull;
    for (int k = 0; k < 20; k++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        outf("xorshift %" PRIu64 " %% 1000003 = %" PRIu64 "\n", x, x % 1000003);
    }
    outf("hash %016" PRIx64 "\n", h);
    return 0;
}

int main(int argc, char **argv) { return repeat_main(argc, argv, run_once); }
