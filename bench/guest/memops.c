/* memops: libc memcpy/memset/memmove/memcmp/strlen over buffers of varying
 * sizes and alignments, plus inline-asm `rep movsl` and `rep stosb`.
 * size = number of rounds (each round does a fixed batch of operations on a
 *        64 KiB working set), so work is linear in size.
 * Why: glibc's i386 string routines use SSE2/`rep` forms selected at run time
 * by CPUID, so this exercises string instructions, unaligned accesses and
 * the CPU-feature dispatch of the libc. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

#define BUF (64 * 1024)

static unsigned char src[BUF + 64], dst[BUF + 64], tmp[BUF + 64];
static uint32_t lcg = 1;
static uint32_t rnd(void) { lcg = lcg * 1664525u + 1013904223u; return lcg >> 8; }

static void rep_movsl(void *d, const void *s, size_t ndwords)
{
    __asm__ volatile("cld\n\trep movsl"
                     : "+D"(d), "+S"(s), "+c"(ndwords)
                     :
                     : "memory");
}

static void rep_stosb(void *d, unsigned char v, size_t n)
{
    __asm__ volatile("cld\n\trep stosb"
                     : "+D"(d), "+c"(n)
                     : "a"(v)
                     : "memory");
}

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 300;
    if (rounds <= 0) { fprintf(stderr, "usage: %s [rounds>0]\n", argv[0]); return 2; }
    for (int i = 0; i < BUF + 64; i++) src[i] = (unsigned char)(rnd() % 255 + 1);
    uint32_t h = 2166136261u;
#define MIX(v) (h = (h ^ (uint32_t)(v)) * 16777619u)
    for (int r = 0; r < rounds; r++) {
        /* many small/medium copies at odd alignments */
        for (int k = 0; k < 64; k++) {
            size_t len = (rnd() % 2048) + 1;
            size_t so = rnd() % (BUF - len), d_o = rnd() % (BUF - len);
            memcpy(dst + d_o, src + so, len);
            MIX(dst[d_o + len / 2]);
        }
        /* overlapping moves in both directions */
        for (int k = 0; k < 16; k++) {
            size_t len = (rnd() % 4096) + 1;
            size_t a = rnd() % (BUF - len - 64);
            size_t shift = (rnd() % 63) + 1;
            if (k & 1) memmove(dst + a + shift, dst + a, len);
            else memmove(dst + a, dst + a + shift, len);
            MIX(dst[a + len / 3]);
        }
        /* memsets of varying size, value and alignment */
        for (int k = 0; k < 16; k++) {
            size_t len = rnd() % 3000;
            size_t o = rnd() % (BUF - len);
            memset(tmp + o, (int)(rnd() & 0xff), len);
            MIX(tmp[o + len / 2]);
        }
        /* one big block copy with rep movsl and a compare */
        rep_movsl(tmp + 4, src + 4 * (r & 7), (BUF - 64) / 4);
        MIX(memcmp(tmp + 4, src + 4 * (r & 7), BUF - 64) == 0);
        MIX(tmp[100 + (r & 1023)]);
        /* compares that differ at varying positions */
        for (int k = 0; k < 8; k++) {
            size_t len = 1024 + rnd() % 4096;
            size_t o = rnd() % (BUF - len - 64);
            memcpy(tmp + o + 1, dst + o, len);
            size_t diffpos = rnd() % len;
            tmp[o + 1 + diffpos] ^= 0x5a;
            int c = memcmp(tmp + o + 1, dst + o, len);
            MIX(c < 0 ? 1 : c > 0 ? 2 : 3);
        }
        /* strlen over NUL-terminated runs (src has no zero bytes) */
        for (int k = 0; k < 8; k++) {
            size_t len = rnd() % 8000;
            size_t o = rnd() % (BUF - len - 1);
            memcpy(tmp + o, src + (r & 15), len);
            tmp[o + len] = 0;
            MIX(strlen((char *)tmp + o));
        }
        /* fill with rep stosb at an odd offset */
        size_t flen = 8192 + (rnd() % 8192);
        rep_stosb(tmp + 3 + (r & 31), (unsigned char)r, flen);
        MIX(tmp[3 + (r & 31) + flen - 1]);
        MIX(tmp[3 + (r & 31) + flen]);
    }
    for (int i = 0; i < BUF; i += 61) MIX(dst[i] + 3u * tmp[i]);
    printf("memops size=%d checksum=%08x\n", rounds, h);
    return 0;
}
