// Recursion (Ackermann, Fibonacci, mutual recursion, Hanoi), function
// pointers and callback tables.
#include <stdio.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>

#include "repeat.h"

static unsigned long calls;

static unsigned ack(unsigned m, unsigned n) {
    calls++;
    if (m == 0) return n + 1;
    if (n == 0) return ack(m - 1, 1);
    return ack(m - 1, ack(m, n - 1));
}

static unsigned fib(unsigned n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

static int is_odd(unsigned n);
static int is_even(unsigned n) { return n == 0 ? 1 : is_odd(n - 1); }
static int is_odd(unsigned n) { return n == 0 ? 0 : is_even(n - 1); }

static unsigned moves;
static void hanoi(int n, int from, int to, int via, unsigned *chk) {
    if (n == 0) return;
    hanoi(n - 1, from, via, to, chk);
    moves++;
    *chk = *chk * 7 + (unsigned)(from * 3 + to);
    hanoi(n - 1, via, to, from, chk);
}

typedef int (*binop)(int, int);
static int add(int a, int b) { return a + b; }
static int sub(int a, int b) { return a - b; }
static int mul(int a, int b) { return a * b; }
static int mx(int a, int b) { return a > b ? a : b; }
static int xr(int a, int b) { return a ^ b; }

static int fold(binop f, const int *v, int n, int init) {
    for (int i = 0; i < n; i++) init = f(init, v[i]);
    return init;
}

struct shape { const char *name; int (*area)(int); };
static int sq(int s) { return s * s; }
static int tri(int s) { return s * s / 2; }
static int hexa(int s) { return 3 * s * s * 1732 / 2000; }

static int run_once(void) {
    moves = 0;                      // every repetition counts its own moves
    for (unsigned m = 0; m <= 3; m++)
        for (unsigned n = 0; n <= 5; n++) {
            calls = 0;
            unsigned r = ack(m, n);
            outf("ack(%u,%u) = %u (%lu calls)\n", m, n, r, calls);
        }
    for (unsigned n = 0; n <= 27; n += 3) outf("fib(%u) = %u\n", n, fib(n));
    for (unsigned n = 0; n < 2000; n += 333) outf("even(%u) = %d\n", n, is_even(n));
    unsigned chk = 0;
    hanoi(16, 1, 3, 2, &chk);
    outf("hanoi 16: %u moves, check %08x\n", moves, chk);
    int v[20];
    for (int i = 0; i < 20; i++) v[i] = (i * 37 + 11) % 23 - 7;
    binop ops[] = {add, sub, mul, mx, xr};
    const char *names[] = {"add", "sub", "mul", "max", "xor"};
    for (int k = 0; k < 5; k++) outf("fold %s = %d\n", names[k], fold(ops[k], v, 20, k));
    struct shape shapes[] = {{"square", sq}, {"triangle", tri}, {"hexagon", hexa}};
    for (int k = 0; k < 3; k++)
        for (int s = 1; s <= 50; s += 7)
            outf("%s(%d) = %d\n", shapes[k].name, s, shapes[k].area(s));
    return 0;
}

int main(int argc, char **argv) { return repeat_main(argc, argv, run_once); }
