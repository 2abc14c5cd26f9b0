/* sieve: sieve of Eratosthenes over a byte array, repeated.
 * size = array length in KiB (entries = size * 1024); the sieve is run 8 times
 *        over it, so work is ~linear in size (N log log N).
 * Why: strided byte stores plus a compare-and-branch scan over one array;
 * sweeping size moves the working set from L1/L2 into L3/DRAM, so it shows
 * how memory-access cost scales, not just instruction throughput. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

#define PASSES 8

int main(int argc, char **argv)
{
    int kib = argc > 1 ? atoi(argv[1]) : 4096;
    if (kib <= 0) { fprintf(stderr, "usage: %s [KiB>0]\n", argv[0]); return 2; }
    uint32_t n = (uint32_t)kib * 1024u;
    unsigned char *flags = malloc(n);
    if (!flags) { fprintf(stderr, "out of memory\n"); return 1; }
    uint32_t hash = 2166136261u, count = 0;
    for (int pass = 0; pass < PASSES; pass++) {
        /* vary the limit a little per pass so no pass is identical */
        uint32_t lim = n - (uint32_t)pass * 7u;
        memset(flags, 1, lim);
        flags[0] = flags[1] = 0;
        for (uint32_t i = 2; i * i < lim; i++)
            if (flags[i])
                for (uint32_t j = i * i; j < lim; j += i) flags[j] = 0;
        uint32_t h = 0;
        count = 0;
        for (uint32_t i = 0; i < lim; i++)
            if (flags[i]) { count++; h = h * 31u + i; }
        hash = (hash ^ h ^ count) * 16777619u;
    }
    printf("sieve size=%d checksum=%08x\n", kib, hash ^ count);
    free(flags);
    return 0;
}
