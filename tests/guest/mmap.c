// Anonymous memory mappings: mmap with various sizes and protections,
// mprotect (making a page read-only and back), munmap of a middle page,
// mremap growing and shrinking (with MREMAP_MAYMOVE), MAP_FIXED over an
// existing mapping, and brk/sbrk.  Contents are checked, addresses are not
// printed.
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <stdint.h>
#include <unistd.h>
#include <errno.h>
#include <sys/mman.h>

static unsigned sum(const unsigned char *p, size_t n) {
    unsigned s = 0;
    for (size_t i = 0; i < n; i++) s = s * 31 + p[i];
    return s;
}

int main(void) {
    long pg = sysconf(_SC_PAGESIZE);
    printf("page size %ld\n", pg);
    size_t sizes[] = {1, 4095, 4096, 4097, 65536, 1 << 20, 3 << 20};
    for (unsigned i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        unsigned char *m = mmap(NULL, sizes[i], PROT_READ | PROT_WRITE,
                                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED) { printf("mmap %zu failed\n", sizes[i]); return 1; }
        int zero = 1;
        for (size_t k = 0; k < sizes[i]; k += 512) zero &= m[k] == 0;
        memset(m, 0x5a, sizes[i]);
        printf("mmap %zu: page aligned %d, zero-filled %d, sum %08x\n", sizes[i],
               ((uintptr_t)m & (pg - 1)) == 0, zero, sum(m, sizes[i]));
        printf("munmap: %d\n", munmap(m, sizes[i]));
    }

    unsigned char *m = mmap(NULL, 8 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (int i = 0; i < 8 * pg; i++) m[i] = (unsigned char)(i / pg + i);
    printf("8 pages sum %08x\n", sum(m, 8 * pg));
    printf("mprotect ro: %d\n", mprotect(m + 2 * pg, pg, PROT_READ));
    printf("still readable: %d\n", m[2 * pg + 5]);
    printf("mprotect rw: %d\n", mprotect(m + 2 * pg, pg, PROT_READ | PROT_WRITE));
    m[2 * pg + 5] = 99;
    printf("written after rw: %d\n", m[2 * pg + 5]);
    printf("munmap middle: %d\n", munmap(m + 4 * pg, pg));
    printf("neighbours intact: %d %d\n", m[3 * pg + 1], m[5 * pg + 1]);
    errno = 0;
    int r = mprotect(m + 4 * pg, pg, PROT_READ);
    printf("mprotect of the hole: %d (%s)\n", r, strerror(errno));

    // MAP_FIXED remap of the hole
    unsigned char *f = mmap(m + 4 * pg, pg, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    printf("MAP_FIXED at the hole: %d, zero %d\n", f == m + 4 * pg, f[100]);
    // MAP_FIXED over existing data replaces it with zeroes
    f = mmap(m + 6 * pg, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    printf("MAP_FIXED over data: %d, now %d, next page %d\n", f == m + 6 * pg, m[6 * pg + 3], m[7 * pg + 3]);

    // mremap
    unsigned char *g = mremap(m, 8 * pg, 64 * pg, MREMAP_MAYMOVE);
    if (g == MAP_FAILED) { printf("mremap grow failed\n"); return 1; }
    printf("mremap grow: first pages kept %d %d %d, new zero %d\n", g[1], g[pg + 1], g[2 * pg + 5], g[40 * pg]);
    memset(g + 8 * pg, 7, 56 * pg);
    g = mremap(g, 64 * pg, 2 * pg, 0);
    printf("mremap shrink in place ok %d, data %d %d\n", g != MAP_FAILED, g[1], g[pg + 1]);
    printf("munmap: %d\n", munmap(g, 2 * pg));

    // PROT_NONE reservation then mprotect a part
    unsigned char *res = mmap(NULL, 16 * pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("reserve: %d\n", res != MAP_FAILED);
    printf("commit part: %d\n", mprotect(res + 4 * pg, 4 * pg, PROT_READ | PROT_WRITE));
    memset(res + 4 * pg, 1, 4 * pg);
    printf("committed sum %08x\n", sum(res + 4 * pg, 4 * pg));
    munmap(res, 16 * pg);

    errno = 0;
    void *bad = mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("mmap of length 0: %s (%s)\n", bad == MAP_FAILED ? "failed" : "ok", strerror(errno));
    errno = 0;
    r = munmap(m + 1, pg);
    printf("munmap unaligned: %d (%s)\n", r, strerror(errno));

    // brk
    char *b0 = sbrk(0);
    char *b1 = sbrk(100000);
    memset(b1, 3, 100000);
    char *b2 = sbrk(0);
    printf("sbrk grew by %ld, sum %08x\n", (long)(b2 - b0), sum((unsigned char *)b1, 100000));
    sbrk(-100000);
    printf("sbrk back: %d\n", sbrk(0) == b0);
    return 0;
}
