/* crc32: table-driven reflected CRC-32 (poly 0xEDB88320) over a generated
 * buffer. size = buffer length in KiB; the buffer is processed in 8 passes,
 * each seeded with the previous CRC, so work is linear in size.
 * Why: a serial dependency chain of byte loads, table lookups, shifts and
 * xors -- measures load latency and byte-granular memory access. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>

static uint32_t table[256];

static void make_table(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
}

static uint32_t crc32_update(uint32_t crc, const unsigned char *p, size_t n)
{
    crc = ~crc;
    while (n--) crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return ~crc;
}

int main(int argc, char **argv)
{
    int kib = argc > 1 ? atoi(argv[1]) : 8192;
    if (kib <= 0) { fprintf(stderr, "usage: %s [KiB>0]\n", argv[0]); return 2; }
    make_table();
    if (crc32_update(0, (const unsigned char *)"123456789", 9) != 0xCBF43926u) {
        fprintf(stderr, "crc32: self-test failed\n");
        return 1;
    }
    size_t n = (size_t)kib * 1024;
    unsigned char *buf = malloc(n);
    if (!buf) { fprintf(stderr, "out of memory\n"); return 1; }
    uint32_t x = 0xBADC0DEu;
    for (size_t i = 0; i < n; i++) { x = x * 1664525u + 1013904223u; buf[i] = (unsigned char)(x >> 23); }
    uint32_t crc = 0;
    for (int pass = 0; pass < 8; pass++) crc = crc32_update(crc, buf, n);
    printf("crc32 size=%d checksum=%08x\n", kib, crc);
    free(buf);
    return 0;
}
