// malloc/free/realloc/calloc/memalign stress with a deterministic pseudo-
// random sequence: up to 2000 live blocks of 1 byte .. 64 KiB (and a few
// of several MiB, served by mmap), contents verified (sparsely for big
// blocks) before every free and after every realloc.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <malloc.h>
#include <stdarg.h>

#include "repeat.h"

#define SLOTS 2000
static unsigned char *blk[SLOTS];
static size_t len[SLOTS];
static unsigned char seed[SLOTS];
static uint32_t rng = 2463534242u;
static uint32_t rnd(void) { rng ^= rng << 13; rng ^= rng >> 17; rng ^= rng << 5; return rng; }

// every byte of small blocks, every 61st byte (and the last) of big ones
static size_t stride(size_t n) { return n <= 4096 ? 1 : 61; }
static void fill(int i) {
    size_t st = stride(len[i]);
    for (size_t k = 0; k < len[i]; k += st) blk[i][k] = (unsigned char)(seed[i] + k * 7);
    blk[i][len[i] - 1] = (unsigned char)(seed[i] + (len[i] - 1) * 7);
}
static int verify(int i) {
    size_t st = stride(len[i]);
    for (size_t k = 0; k < len[i]; k += st) if (blk[i][k] != (unsigned char)(seed[i] + k * 7)) return 0;
    return blk[i][len[i] - 1] == (unsigned char)(seed[i] + (len[i] - 1) * 7);
}

static int run_once(void) {
    // every repetition starts from the same empty table and random sequence
    memset(blk, 0, sizeof blk);
    memset(len, 0, sizeof len);
    memset(seed, 0, sizeof seed);
    rng = 2463534242u;
    long allocs = 0, frees = 0, reallocs = 0, bad = 0;
    uint64_t bytes = 0;
    for (int step = 0; step < 40000; step++) {
        int i = rnd() % SLOTS;
        uint32_t op = rnd() % 10;
        if (blk[i]) {
            if (!verify(i)) bad++;
            if (op < 6) {
                free(blk[i]); blk[i] = NULL; frees++;
            } else {
                size_t nl = (rnd() % 4 == 0) ? rnd() % 65536 + 1 : rnd() % 512 + 1;
                unsigned char *n = realloc(blk[i], nl);
                if (!n) { outf("realloc failed\n"); return 1; }
                size_t keep = nl < len[i] ? nl : len[i];
                blk[i] = n;
                for (size_t k = 0; k < keep; k += 17)
                    if (n[k] != (unsigned char)(seed[i] + k * 7) && stride(len[i]) == 1) bad++;
                len[i] = nl;
                fill(i);
                reallocs++;
            }
        } else {
            size_t n;
            uint32_t kind = rnd() % 100;
            if (kind == 0 && rnd() % 4 == 0) n = (rnd() % 4 + 1) << 20;
            else if (kind < 10) n = rnd() % 65536 + 1;
            else n = rnd() % 256 + 1;
            if (op == 0) {
                blk[i] = calloc(n, 1);
                for (size_t k = 0; k < n; k += stride(n)) if (blk[i][k]) { bad++; break; }
            } else if (op == 1) {
                blk[i] = memalign(64, n);
                if (((uintptr_t)blk[i] & 63) != 0) bad++;
            } else {
                blk[i] = malloc(n);
            }
            if (!blk[i]) { outf("allocation of %zu failed\n", n); return 1; }
            len[i] = n;
            seed[i] = (unsigned char)rnd();
            fill(i);
            allocs++;
            bytes += n;
        }
    }
    int live = 0;
    for (int i = 0; i < SLOTS; i++)
        if (blk[i]) { if (!verify(i)) bad++; free(blk[i]); live++; }
    outf("allocs %ld frees %ld reallocs %ld live-at-end %d bytes %llu corrupt %ld\n", allocs, frees,
         reallocs, live, (unsigned long long)bytes, bad);
    void *z = malloc(0);
    outf("malloc(0) non-null: %d\n", z != NULL);
    free(z);
    free(NULL);
    outf("realloc(NULL, 10) works: %d\n", (z = realloc(NULL, 10)) != NULL);
    free(z);
    return 0;
}

int main(int argc, char **argv) { return repeat_main(argc, argv, run_once); }
