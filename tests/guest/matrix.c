// Integer matrix arithmetic: 96x96 int32 multiplication (naive and
// transposed, must agree), 64-bit accumulation, matrix power modulo a prime
// (Fibonacci numbers), determinant by fraction-free Gaussian elimination
// (Bareiss) in 64-bit, and a checksum of every result.
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <stdarg.h>
#include <stdlib.h>

#include "repeat.h"

#define N 96
static int32_t A[N][N], B[N][N], C[N][N], D[N][N], T[N][N];

static uint32_t checksum(int32_t m[N][N]) {
    uint32_t h = 0;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) h = h * 2654435761u + (uint32_t)m[i][j];
    return h;
}

typedef struct { uint64_t a, b, c, d; } m2;
static m2 mul2(m2 x, m2 y, uint64_t p) {
    m2 r = {(x.a * y.a + x.b * y.c) % p, (x.a * y.b + x.b * y.d) % p,
            (x.c * y.a + x.d * y.c) % p, (x.c * y.b + x.d * y.d) % p};
    return r;
}

static int64_t det_bareiss(int n, int64_t m[8][8]) {
    int64_t prev = 1;
    int sign = 1;
    for (int k = 0; k < n - 1; k++) {
        if (m[k][k] == 0) {
            int r = k + 1;
            while (r < n && m[r][k] == 0) r++;
            if (r == n) return 0;
            for (int j = 0; j < n; j++) { int64_t t = m[k][j]; m[k][j] = m[r][j]; m[r][j] = t; }
            sign = -sign;
        }
        for (int i = k + 1; i < n; i++)
            for (int j = k + 1; j < n; j++) m[i][j] = (m[i][j] * m[k][k] - m[i][k] * m[k][j]) / prev;
        prev = m[k][k];
    }
    return sign * m[n - 1][n - 1];
}

static int run_once(void) {
    uint32_t x = 7;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            x = x * 1103515245u + 12345u;
            A[i][j] = (int32_t)(x >> 16) % 2001 - 1000;
            x = x * 1103515245u + 12345u;
            B[i][j] = (int32_t)(x >> 16) % 2001 - 1000;
        }
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            int32_t s = 0;
            for (int k = 0; k < N; k++) s += A[i][k] * B[k][j];
            C[i][j] = s;
        }
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) T[j][i] = B[i][j];
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            int32_t s = 0;
            for (int k = 0; k < N; k++) s += A[i][k] * T[j][k];
            D[i][j] = s;
        }
    outf("C checksum %08x, transposed product agrees: %d\n", checksum(C), memcmp(C, D, sizeof C) == 0);
    outf("C[0][0..4] = %d %d %d %d %d\n", C[0][0], C[0][1], C[0][2], C[0][3], C[0][4]);
    int64_t tr = 0, mx = INT64_MIN, mn = INT64_MAX;
    for (int i = 0; i < N; i++) {
        tr += C[i][i];
        for (int j = 0; j < N; j++) {
            if (C[i][j] > mx) mx = C[i][j];
            if (C[i][j] < mn) mn = C[i][j];
        }
    }
    outf("trace %lld min %lld max %lld\n", (long long)tr, (long long)mn, (long long)mx);
    // C^2 in 64-bit, row sums
    int64_t rs[4] = {0};
    for (int r = 0; r < 4; r++)
        for (int j = 0; j < N; j++) {
            int64_t s = 0;
            for (int k = 0; k < N; k++) s += (int64_t)C[r][k] * C[k][j];
            rs[r] += s;
        }
    outf("C^2 row sums: %lld %lld %lld %lld\n", (long long)rs[0], (long long)rs[1], (long long)rs[2], (long long)rs[3]);

    const uint64_t P = 1000000007ull;
    for (uint64_t n = 10; n <= 10000000000ull; n *= 10) {
        m2 r = {1, 0, 0, 1}, b = {1, 1, 1, 0};
        for (uint64_t e = n; e; e >>= 1) {
            if (e & 1) r = mul2(r, b, P);
            b = mul2(b, b, P);
        }
        outf("fib(%llu) mod p = %llu\n", (unsigned long long)n, (unsigned long long)r.b);
    }
    for (int n = 2; n <= 8; n++) {
        int64_t m[8][8];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) m[i][j] = ((i + 1) * (j + 3) * 7 + i * i - j) % 19 - 9;
        outf("det %dx%d = %lld\n", n, n, (long long)det_bareiss(n, m));
    }
    int64_t hil[8][8];
    for (int i = 0; i < 6; i++)
        for (int j = 0; j < 6; j++) hil[i][j] = (i == j) ? 2 : (i - j == 1 || j - i == 1) ? -1 : 0;
    outf("det tridiagonal 6x6 = %lld\n", (long long)det_bareiss(6, hil));
    return 0;
}

int main(int argc, char **argv) { return repeat_main(argc, argv, run_once); }
