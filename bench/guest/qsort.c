/* qsort: libc qsort() with a comparator over LCG-generated ints.
 * size = number of rounds; each round sorts a fresh array of 4096 ints
 *        generated from a different seed (work is linear in size).
 * Why: libc qsort calls the comparator through a function pointer for every
 * comparison, so this stresses indirect calls, data-dependent branches and
 * the libc code path (merge sort with a temp buffer in glibc). */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>

#define LEN 4096

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static int arr[LEN];

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 200;
    if (rounds <= 0) { fprintf(stderr, "usage: %s [rounds>0]\n", argv[0]); return 2; }
    uint32_t h = 2166136261u;
    for (int r = 0; r < rounds; r++) {
        uint32_t x = 0x9e3779b9u * (uint32_t)(r + 1);
        /* every 4th round uses a narrow value range to get many duplicates */
        uint32_t mask = (r & 3) == 3 ? 0x3ffu : 0xffffffffu;
        for (int i = 0; i < LEN; i++) {
            x = x * 1664525u + 1013904223u;
            arr[i] = (int)((x ^ (x >> 16)) & mask);
        }
        qsort(arr, LEN, sizeof arr[0], cmp_int);
        for (int i = 1; i < LEN; i++)
            if (arr[i - 1] > arr[i]) { fprintf(stderr, "qsort: not sorted\n"); return 1; }
        for (int i = 0; i < LEN; i += 7) h = (h ^ (uint32_t)arr[i]) * 16777619u;
    }
    printf("qsort size=%d checksum=%08x\n", rounds, h);
    return 0;
}
