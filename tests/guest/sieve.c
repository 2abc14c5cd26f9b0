// Sieve of Eratosthenes up to 2,000,000 (byte array) and a bit-packed
// sieve up to 5,000,000; prime counts, last primes, twin primes, largest
// gap, and a segmented check that both sieves agree.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <stdarg.h>

#include "repeat.h"

static int run_once(void) {
    const int N = 2000000;
    unsigned char *s = malloc(N + 1);
    memset(s, 1, N + 1);
    s[0] = s[1] = 0;
    for (int i = 2; (long)i * i <= N; i++)
        if (s[i])
            for (int j = i * i; j <= N; j += i) s[j] = 0;
    int count = 0, twins = 0, last = 0, gap = 0, gapat = 0;
    for (int i = 2; i <= N; i++)
        if (s[i]) {
            count++;
            if (last && i - last == 2) twins++;
            if (last && i - last > gap) { gap = i - last; gapat = last; }
            last = i;
        }
    outf("primes <= %d: %d, twin pairs %d, largest gap %d after %d\n", N, count, twins, gap, gapat);
    outf("last primes:");
    for (int i = N, k = 0; k < 8; i--)
        if (s[i]) { outf(" %d", i); k++; }
    outf("\n");
    for (int p = 10; p <= N; p *= 10) {
        int c = 0;
        for (int i = 0; i <= p; i++) c += s[i];
        outf("pi(%d) = %d\n", p, c);
    }

    const uint32_t M = 5000000;
    uint32_t *bits = calloc(M / 64 + 1, 4);     // odd numbers only
    for (uint32_t i = 3; i * i <= M; i += 2)
        if (!(bits[i >> 6] & (1u << ((i >> 1) & 31))))
            for (uint32_t j = i * i; j <= M; j += 2 * i) bits[j >> 6] |= 1u << ((j >> 1) & 31);
    uint32_t c2 = 1;
    uint64_t sum = 2;
    for (uint32_t i = 3; i <= M; i += 2)
        if (!(bits[i >> 6] & (1u << ((i >> 1) & 31)))) { c2++; sum += i; }
    outf("bit sieve: primes <= %u: %u, sum %llu\n", M, c2, (unsigned long long)sum);
    int agree = 1;
    for (uint32_t i = 3; i <= (uint32_t)N; i += 2)
        agree &= s[i] == !(bits[i >> 6] & (1u << ((i >> 1) & 31)));
    outf("sieves agree: %d\n", agree);
    free(s);
    free(bits);
    return 0;
}

int main(int argc, char **argv) { return repeat_main(argc, argv, run_once); }
