/* matmul: uint32 square matrix multiply C = A * B, checksum over C.
 * size = matrix dimension N (work grows as N^3; the work is not linear in
 *        size here because a fixed-N repeat would just stay in cache).
 * Why: a naive i-j-k product walks B by column, so it stresses the data cache
 * and 32-bit multiply/add throughput rather than control flow. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 256;
    if (n <= 0) { fprintf(stderr, "usage: %s [N>0]\n", argv[0]); return 2; }
    size_t nn = (size_t)n * (size_t)n;
    uint32_t *a = malloc(nn * 4), *b = malloc(nn * 4), *c = malloc(nn * 4);
    if (!a || !b || !c) { fprintf(stderr, "out of memory\n"); return 1; }
    uint32_t x = 12345u;
    for (size_t i = 0; i < nn; i++) { x = x * 1664525u + 1013904223u; a[i] = x >> 8; }
    for (size_t i = 0; i < nn; i++) { x = x * 1664525u + 1013904223u; b[i] = x >> 8; }
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            uint32_t s = 0;
            const uint32_t *ar = a + (size_t)i * n;
            for (int k = 0; k < n; k++) s += ar[k] * b[(size_t)k * n + j];
            c[(size_t)i * n + j] = s;
        }
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < nn; i++) h = (h ^ c[i]) * 16777619u;
    printf("matmul size=%d checksum=%08x\n", n, h);
    free(a); free(b); free(c);
    return 0;
}
