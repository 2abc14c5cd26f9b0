// Hashing: CRC-32 (table-driven and bitwise, must agree), Adler-32,
// FNV-1a 32/64, and SHA-256 (checked against the FIPS 180-2 test vectors)
// over test strings and over a 1 MiB generated buffer.
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <stdlib.h>
#include <stdarg.h>

#include "repeat.h"

static uint32_t crc_table[256];
static void crc_init(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
}
static uint32_t crc32_tab(const uint8_t *p, size_t n) {
    uint32_t c = 0xffffffffu;
    while (n--) c = crc_table[(c ^ *p++) & 0xff] ^ (c >> 8);
    return c ^ 0xffffffffu;
}
static uint32_t crc32_bit(const uint8_t *p, size_t n) {
    uint32_t c = 0xffffffffu;
    while (n--) {
        c ^= *p++;
        for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xedb88320u & -(c & 1));
    }
    return ~c;
}
static uint32_t adler32(const uint8_t *p, size_t n) {
    uint32_t a = 1, b = 0;
    while (n--) { a = (a + *p++) % 65521; b = (b + a) % 65521; }
    return (b << 16) | a;
}
static uint32_t fnv32(const uint8_t *p, size_t n) {
    uint32_t h = 2166136261u;
    while (n--) { h ^= *p++; h *= 16777619u; }
    return h;
}
static uint64_t fnv64(const uint8_t *p, size_t n) {
    uint64_t h = 14695981039346656037ull;
    while (n--) { h ^= *p++; h *= 1099511628211ull; }
    return h;
}

// ---- SHA-256
static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};
#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))
typedef struct { uint32_t h[8]; uint8_t buf[64]; uint64_t len; size_t used; } sha256_ctx;
static void sha_block(sha256_ctx *c, const uint8_t *p) {
    uint32_t w[64];
    for (int i = 0; i < 16; i++) w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = c->h[0], b = c->h[1], cc = c->h[2], d = c->h[3], e = c->h[4], f = c->h[5], g = c->h[6], h = c->h[7];
    for (int i = 0; i < 64; i++) {
        uint32_t t1 = h + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
        uint32_t t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & cc) ^ (b & cc));
        h = g; g = f; f = e; e = d + t1; d = cc; cc = b; b = a; a = t1 + t2;
    }
    c->h[0] += a; c->h[1] += b; c->h[2] += cc; c->h[3] += d;
    c->h[4] += e; c->h[5] += f; c->h[6] += g; c->h[7] += h;
}
static void sha_init(sha256_ctx *c) {
    static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(c->h, iv, sizeof iv);
    c->len = 0; c->used = 0;
}
static void sha_update(sha256_ctx *c, const uint8_t *p, size_t n) {
    c->len += n;
    while (n) {
        size_t k = 64 - c->used < n ? 64 - c->used : n;
        memcpy(c->buf + c->used, p, k);
        c->used += k; p += k; n -= k;
        if (c->used == 64) { sha_block(c, c->buf); c->used = 0; }
    }
}
static void sha_final(sha256_ctx *c, char out[65]) {
    uint64_t bits = c->len * 8;
    uint8_t pad = 0x80;
    sha_update(c, &pad, 1);
    pad = 0;
    while (c->used != 56) sha_update(c, &pad, 1);
    uint8_t l[8];
    for (int i = 0; i < 8; i++) l[i] = (uint8_t)(bits >> (56 - 8 * i));
    sha_update(c, l, 8);
    for (int i = 0; i < 8; i++) sprintf(out + 8 * i, "%08x", c->h[i]);
}
static void sha_str(const char *s, char out[65]) {
    sha256_ctx c;
    sha_init(&c);
    sha_update(&c, (const uint8_t *)s, strlen(s));
    sha_final(&c, out);
}

static int run_once(void) {
    crc_init();
    const char *msgs[] = {"", "a", "abc", "message digest", "123456789",
                          "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                          "The quick brown fox jumps over the lazy dog"};
    for (unsigned i = 0; i < sizeof msgs / sizeof msgs[0]; i++) {
        const uint8_t *p = (const uint8_t *)msgs[i];
        size_t n = strlen(msgs[i]);
        char d[65];
        sha_str(msgs[i], d);
        outf("\"%s\": crc32 %08x/%08x adler %08x fnv32 %08x fnv64 %016llx\n  sha256 %s\n", msgs[i],
             crc32_tab(p, n), crc32_bit(p, n), adler32(p, n), fnv32(p, n), (unsigned long long)fnv64(p, n), d);
    }
    char d[65];
    sha_str("abc", d);
    outf("FIPS vector abc: %s\n", strcmp(d, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") ? "FAIL" : "ok");
    sha_str("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", d);
    outf("FIPS vector 448 bits: %s\n", strcmp(d, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1") ? "FAIL" : "ok");

    size_t n = 1 << 20;
    uint8_t *buf = malloc(n);
    uint32_t x = 1;
    for (size_t i = 0; i < n; i++) { x = x * 1664525u + 1013904223u; buf[i] = (uint8_t)(x >> 24); }
    sha256_ctx c;
    sha_init(&c);
    for (size_t off = 0; off < n; off += 1000) sha_update(&c, buf + off, off + 1000 <= n ? 1000 : n - off);
    sha_final(&c, d);
    outf("1MiB: crc32 %08x adler %08x fnv64 %016llx\n  sha256 %s\n", crc32_tab(buf, n), adler32(buf, n),
         (unsigned long long)fnv64(buf, n), d);
    sha_init(&c);
    for (int i = 0; i < 1000; i++) sha_update(&c, (const uint8_t *)"a", 1);
    sha_final(&c, d);
    outf("1000 x 'a': %s\n", d);
    free(buf);
    return 0;
}

int main(int argc, char **argv) { return repeat_main(argc, argv, run_once); }
