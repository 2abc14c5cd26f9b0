// Arbitrary-precision decimal arithmetic with base 10^9 limbs and 64-bit
// intermediate products: 300!, 2^2000, Fibonacci(3000), a big square,
// and digit sums.
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <stdarg.h>
#include <stdlib.h>

#include "repeat.h"

#define BASE 1000000000u
typedef struct { int n; uint32_t d[800]; } big;

static void set(big *a, uint32_t v) { a->n = 1; a->d[0] = v; }
static void mul_small(big *a, uint32_t m) {
    uint64_t carry = 0;
    for (int i = 0; i < a->n; i++) {
        uint64_t t = (uint64_t)a->d[i] * m + carry;
        a->d[i] = (uint32_t)(t % BASE);
        carry = t / BASE;
    }
    while (carry) { a->d[a->n++] = (uint32_t)(carry % BASE); carry /= BASE; }
}
static void add(big *r, const big *a, const big *b) {
    uint32_t carry = 0;
    int n = a->n > b->n ? a->n : b->n;
    for (int i = 0; i < n; i++) {
        uint32_t t = (i < a->n ? a->d[i] : 0) + (i < b->n ? b->d[i] : 0) + carry;
        carry = t >= BASE;
        r->d[i] = carry ? t - BASE : t;
    }
    r->n = n;
    if (carry) r->d[r->n++] = 1;
}
static void mul(big *r, const big *a, const big *b) {
    static uint64_t acc[1600];
    memset(acc, 0, sizeof acc);
    for (int i = 0; i < a->n; i++) {
        uint64_t carry = 0;
        for (int j = 0; j < b->n; j++) {
            uint64_t t = acc[i + j] + (uint64_t)a->d[i] * b->d[j] + carry;
            acc[i + j] = t % BASE;
            carry = t / BASE;
        }
        int k = i + b->n;
        while (carry) { uint64_t t = acc[k] + carry; acc[k] = t % BASE; carry = t / BASE; k++; }
    }
    r->n = a->n + b->n;
    for (int i = 0; i < r->n; i++) r->d[i] = (uint32_t)acc[i];
    while (r->n > 1 && r->d[r->n - 1] == 0) r->n--;
}
static uint32_t divmod_small(big *a, uint32_t m) {
    uint64_t rem = 0;
    for (int i = a->n - 1; i >= 0; i--) {
        uint64_t cur = a->d[i] + rem * BASE;
        a->d[i] = (uint32_t)(cur / m);
        rem = cur % m;
    }
    while (a->n > 1 && a->d[a->n - 1] == 0) a->n--;
    return (uint32_t)rem;
}
static void show(const char *name, const big *a) {
    static char buf[8000];
    int len = sprintf(buf, "%u", a->d[a->n - 1]);
    for (int i = a->n - 2; i >= 0; i--) len += sprintf(buf + len, "%09u", a->d[i]);
    int ds = 0;
    for (int i = 0; i < len; i++) ds += buf[i] - '0';
    outf("%s: %d digits, digit sum %d\n  %.60s...%s\n", name, len, ds, buf, buf + (len > 60 ? len - 30 : len));
}

static int run_once(void) {
    static big f, p, a, b, c, sq, t;
    set(&f, 1);
    for (uint32_t i = 2; i <= 300; i++) mul_small(&f, i);
    show("300!", &f);
    set(&p, 1);
    for (int i = 0; i < 2000; i++) mul_small(&p, 2);
    show("2^2000", &p);
    set(&a, 0); set(&b, 1);
    for (int i = 0; i < 3000; i++) { add(&c, &a, &b); a = b; b = c; }
    show("fib(3000)", &a);
    mul(&sq, &f, &f);
    show("(300!)^2", &sq);
    t = sq;
    for (uint32_t i = 300; i >= 2; i--) { uint32_t r = divmod_small(&t, i); if (r) outf("remainder %u at %u\n", r, i); }
    show("(300!)^2 / 300!", &t);
    outf("equal to 300!: %d\n", t.n == f.n && memcmp(t.d, f.d, f.n * sizeof f.d[0]) == 0);
    big m;
    mul(&m, &p, &a);
    show("2^2000 * fib(3000)", &m);
    outf("mod 1000000007: %u\n", divmod_small(&m, 1000000007u));
    return 0;
}

int main(int argc, char **argv) { return repeat_main(argc, argv, run_once); }
