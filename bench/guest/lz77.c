/* lz77: LZ77 compressor (hash-chain match finder, 64 KiB window) and
 * decompressor, round-tripping generated text-like data.
 * size = input length in KiB (compress + decompress once; work is roughly
 *        linear in size because the chain depth is bounded).
 * Why: the match finder is a mix of hashed table lookups, pointer chasing
 * along chains and byte-compare loops with unpredictable exits; decompression
 * adds short overlapping copies. A typical "real program" mix. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

#define WINDOW    65536
#define MINMATCH  3
#define MAXMATCH  (127 + MINMATCH)
#define MAXLIT    128
#define HASHBITS  15
#define MAXCHAIN  32

static uint32_t lcg = 42;
static uint32_t rnd(void) { lcg = lcg * 1664525u + 1013904223u; return lcg >> 8; }

static void gen_text(unsigned char *out, size_t n)
{
    char words[256][12];
    int wlen[256];
    for (int w = 0; w < 256; w++) {
        wlen[w] = 2 + (int)(rnd() % 9);
        for (int i = 0; i < wlen[w]; i++) words[w][i] = (char)('a' + rnd() % 26);
    }
    size_t pos = 0;
    int col = 0;
    while (pos < n) {
        /* skewed choice: small indices are much more frequent */
        uint32_t r = rnd();
        int w = (int)((r & 0xff) * ((r >> 8) & 0xff) >> 8);
        for (int i = 0; i < wlen[w] && pos < n; i++)
            out[pos++] = (unsigned char)words[w][i];
        col += wlen[w] + 1;
        if (pos < n) {
            uint32_t p = rnd() % 16;
            if (col > 70) { out[pos++] = '\n'; col = 0; }
            else if (p == 0) out[pos++] = ',';
            else if (p == 1) out[pos++] = '.';
            else out[pos++] = ' ';
        }
    }
}

static inline uint32_t hash3(const unsigned char *p)
{
    uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
    return (v * 2654435761u) >> (32 - HASHBITS);
}

static void flush_lits(unsigned char *out, size_t *op, const unsigned char *lit, size_t n)
{
    while (n) {
        size_t k = n > MAXLIT ? MAXLIT : n;
        out[(*op)++] = (unsigned char)(k - 1);
        memcpy(out + *op, lit, k);
        *op += k; lit += k; n -= k;
    }
}

/* Format: control byte c. c < 0x80: literal run of c+1 bytes follows.
 * c >= 0x80: match of length (c & 0x7f) + MINMATCH, then 16-bit LE
 * distance (1..65535). */
static size_t compress(const unsigned char *in, size_t n, unsigned char *out)
{
    static int32_t head[1 << HASHBITS];
    int32_t *prev = malloc(sizeof(int32_t) * WINDOW);
    if (!prev) { fprintf(stderr, "out of memory\n"); exit(1); }
    for (int i = 0; i < (1 << HASHBITS); i++) head[i] = -1;
    size_t op = 0, i = 0, lit_start = 0;
    while (i < n) {
        size_t best_len = 0, best_dist = 0;
        if (i + MINMATCH <= n) {
            uint32_t h = hash3(in + i);
            int32_t cand = head[h];
            size_t maxlen = n - i < MAXMATCH ? n - i : MAXMATCH;
            for (int depth = 0; cand >= 0 && depth < MAXCHAIN; depth++) {
                size_t dist = i - (size_t)cand;
                if (dist >= WINDOW) break;
                if (in[cand + best_len] == in[i + best_len]) {
                    size_t l = 0;
                    while (l < maxlen && in[cand + l] == in[i + l]) l++;
                    if (l > best_len) {
                        best_len = l; best_dist = dist;
                        if (l == maxlen) break;
                    }
                }
                cand = prev[cand & (WINDOW - 1)];
            }
            prev[i & (WINDOW - 1)] = head[h];
            head[h] = (int32_t)i;
        }
        if (best_len >= MINMATCH) {
            flush_lits(out, &op, in + lit_start, i - lit_start);
            out[op++] = (unsigned char)(0x80 | (best_len - MINMATCH));
            out[op++] = (unsigned char)(best_dist & 0xff);
            out[op++] = (unsigned char)(best_dist >> 8);
            /* insert the skipped positions into the chains */
            size_t end = i + best_len;
            for (i = i + 1; i < end; i++) {
                if (i + MINMATCH <= n) {
                    uint32_t h = hash3(in + i);
                    prev[i & (WINDOW - 1)] = head[h];
                    head[h] = (int32_t)i;
                }
            }
            lit_start = i;
        } else {
            i++;
        }
    }
    flush_lits(out, &op, in + lit_start, n - lit_start);
    free(prev);
    return op;
}

static size_t decompress(const unsigned char *in, size_t n, unsigned char *out, size_t cap)
{
    size_t ip = 0, op = 0;
    while (ip < n) {
        unsigned c = in[ip++];
        if (c < 0x80) {
            size_t k = c + 1;
            if (ip + k > n || op + k > cap) return (size_t)-1;
            memcpy(out + op, in + ip, k);
            ip += k; op += k;
        } else {
            size_t len = (c & 0x7f) + MINMATCH;
            if (ip + 2 > n) return (size_t)-1;
            size_t dist = in[ip] | (size_t)in[ip + 1] << 8;
            ip += 2;
            if (dist == 0 || dist > op || op + len > cap) return (size_t)-1;
            const unsigned char *s = out + op - dist;
            unsigned char *d = out + op;
            for (size_t j = 0; j < len; j++) d[j] = s[j];   /* may overlap */
            op += len;
        }
    }
    return op;
}

int main(int argc, char **argv)
{
    int kib = argc > 1 ? atoi(argv[1]) : 1024;
    if (kib <= 0) { fprintf(stderr, "usage: %s [KiB>0]\n", argv[0]); return 2; }
    size_t n = (size_t)kib * 1024;
    unsigned char *in = malloc(n), *back = malloc(n);
    unsigned char *comp = malloc(n + n / MAXLIT + 16);
    if (!in || !back || !comp) { fprintf(stderr, "out of memory\n"); return 1; }
    gen_text(in, n);
    size_t clen = compress(in, n, comp);
    size_t dlen = decompress(comp, clen, back, n);
    if (dlen != n || memcmp(in, back, n) != 0) {
        fprintf(stderr, "lz77: round-trip mismatch (got %ld of %ld bytes)\n", (long)dlen, (long)n);
        return 1;
    }
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < clen; i++) h = (h ^ comp[i]) * 16777619u;
    h ^= (uint32_t)clen * 2654435761u;
    printf("lz77 size=%d checksum=%08x\n", kib, h);
    free(in); free(back); free(comp);
    return 0;
}
