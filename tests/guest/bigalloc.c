// Large allocations: a 200 MB malloc touched sparsely (one byte every
// 64 KiB, plus the ends), a 64 MB block memset and verified, calloc of
// 32 MB (must read as zero), realloc growth keeping contents.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
    size_t big = 200u << 20;
    unsigned char *p = malloc(big);
    if (!p) { printf("malloc 200MB failed\n"); return 1; }
    unsigned sum = 0;
    for (size_t i = 0; i < big; i += 65536) p[i] = (unsigned char)(i >> 16);
    p[big - 1] = 0x77;
    for (size_t i = 0; i < big; i += 65536) sum = sum * 3 + p[i];
    printf("200MB sparse sum %08x last %02x\n", sum, p[big - 1]);
    free(p);

    size_t sz = 64u << 20;
    unsigned char *q = malloc(sz);
    if (!q) { printf("malloc 64MB failed\n"); return 1; }
    memset(q, 0xa5, sz);
    size_t bad = 0;
    for (size_t i = 0; i < sz; i += 4093) bad += q[i] != 0xa5;
    printf("64MB memset ok: %d (bad %zu) ends %02x %02x\n", bad == 0, bad, q[0], q[sz - 1]);
    memset(q + 1000, 0, sz - 2000);
    printf("partial clear: %02x %02x %02x %02x\n", q[999], q[1000], q[sz - 1001], q[sz - 1000]);
    free(q);

    unsigned *c = calloc(8u << 20, sizeof(unsigned));
    if (!c) { printf("calloc failed\n"); return 1; }
    unsigned nz = 0;
    for (size_t i = 0; i < (8u << 20); i += 1021) nz += c[i] != 0;
    printf("calloc 32MB zero: %d\n", nz == 0);
    free(c);

    size_t n = 1000;
    int *r = malloc(n * sizeof(int));
    for (size_t i = 0; i < n; i++) r[i] = (int)(i * i);
    for (int round = 0; round < 12; round++) {
        size_t m = n * 2;
        r = realloc(r, m * sizeof(int));
        if (!r) { printf("realloc failed\n"); return 1; }
        for (size_t i = n; i < m; i++) r[i] = (int)(i * i);
        n = m;
    }
    long long s = 0;
    for (size_t i = 0; i < n; i += 7) s += r[i];
    printf("realloc to %zu ints, sample sum %lld\n", n, s);
    free(r);
    return 0;
}
