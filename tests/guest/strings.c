// String and memory functions of libc: strlen strcpy strncpy strcat strcmp
// strncmp memcmp memcpy memmove (overlapping, both directions, all small
// offsets) memset memchr strchr strrchr strstr strspn strcspn strtok_r
// strdup, qsort and bsearch, strtol/strtoul in several bases, ctype.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>

#include "repeat.h"

static unsigned csum(const unsigned char *p, size_t n) {
    unsigned s = 0;
    for (size_t i = 0; i < n; i++) s = s * 131 + p[i];
    return s;
}

static int icmp(const void *a, const void *b) {
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}
static int scmp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_once(void) {
    // lengths around alignment boundaries
    char buf[300];
    for (int off = 0; off < 8; off++)
        for (int len = 0; len < 70; len += 3) {
            memset(buf, 'x', sizeof buf);
            buf[off + len] = 0;
            if (strlen(buf + off) != (size_t)len) outf("strlen wrong off %d len %d\n", off, len);
        }
    outf("strlen ok\n");

    char a[64], b[64];
    strcpy(a, "hello");
    strcat(a, ", ");
    strcat(a, "world");
    outf("strcat: %s (%zu)\n", a, strlen(a));
    strncpy(b, a, 5);
    b[5] = 0;
    outf("strncpy: %s\n", b);
    memset(b, '#', sizeof b);
    strncpy(b, "ab", 6);
    outf("strncpy pads: %d %d %d %c\n", b[2], b[3], b[5], b[6]);
    const char *words[] = {"apple", "apricot", "banana", "band", "Bandana", "", "a", "ab", "abc"};
    for (int i = 0; i < 9; i++)
        for (int j = 0; j < 9; j++) {
            int c = strcmp(words[i], words[j]);
            int n = strncmp(words[i], words[j], 3);
            outf("%c%c", c < 0 ? '<' : c > 0 ? '>' : '=', n < 0 ? '<' : n > 0 ? '>' : '=');
        }
    outf("\n");

    unsigned char m1[100], m2[100];
    for (int i = 0; i < 100; i++) m1[i] = m2[i] = (unsigned char)(i * 7);
    m2[77] = 0;
    outf("memcmp: %d %d %d\n", memcmp(m1, m2, 77) == 0, memcmp(m1, m2, 78) > 0, memcmp(m2, m1, 100) < 0);

    // memmove with overlap in both directions, many offsets and lengths
    unsigned total = 0;
    for (int src = 0; src < 12; src++)
        for (int dst = 0; dst < 12; dst++)
            for (int len = 0; len < 90; len += 7) {
                unsigned char z[128], ref[128];
                for (int i = 0; i < 128; i++) z[i] = ref[i] = (unsigned char)(i + 1);
                memmove(z + dst, z + src, len);
                for (int i = 0; i < len; i++) ref[dst + i] = (unsigned char)(src + i + 1);
                if (memcmp(z, ref, 128) != 0) outf("memmove bad %d %d %d\n", src, dst, len);
                total += csum(z, 128);
            }
    outf("memmove checksum %08x\n", total);
    unsigned char big[10000];
    for (int i = 0; i < 10000; i++) big[i] = (unsigned char)(i ^ (i >> 8));
    memmove(big + 1, big, 9999);
    memmove(big, big + 3, 9990);
    memcpy(big + 5000, big, 4000);
    outf("big memmove checksum %08x\n", csum(big, 10000));
    memset(big + 13, 0xab, 4321);
    outf("memset checksum %08x\n", csum(big, 10000));

    const char *hay = "the quick brown fox jumps over the lazy dog; the end";
    outf("strchr %d strrchr %d memchr %d\n", (int)(strchr(hay, 'q') - hay), (int)(strrchr(hay, 't') - hay),
         (int)((const char *)memchr(hay, 'z', strlen(hay)) - hay));
    const char *needles[] = {"the", "fox", "dog;", "end", "cat", "", "the lazy", "e e"};
    for (int i = 0; i < 8; i++) {
        const char *r = strstr(hay, needles[i]);
        outf("strstr(%s) = %ld\n", needles[i], r ? r - hay : -1L);
    }
    outf("strspn %zu strcspn %zu\n", strspn(hay, "the qu"), strcspn(hay, "xyz"));
    char tok[] = "alpha, beta,,gamma ;delta";
    char *save, *t = strtok_r(tok, ", ;", &save);
    while (t) { outf("token [%s]\n", t); t = strtok_r(NULL, ", ;", &save); }
    char *d = strdup(hay);
    for (char *q = d; *q; q++) *q = (char)toupper((unsigned char)*q);
    outf("upper: %s\n", d);
    free(d);

    int arr[1000];
    unsigned x = 12345;
    for (int i = 0; i < 1000; i++) { x = x * 1103515245u + 12345u; arr[i] = (int)(x >> 8) % 100000 - 50000; }
    qsort(arr, 1000, sizeof arr[0], icmp);
    int sorted = 1;
    for (int i = 1; i < 1000; i++) sorted &= arr[i - 1] <= arr[i];
    outf("qsort ints: sorted %d min %d max %d median %d\n", sorted, arr[0], arr[999], arr[500]);
    for (int k = -50000; k < 50000; k += 12345) {
        int *f = bsearch(&k, arr, 1000, sizeof arr[0], icmp);
        outf("bsearch %d: %s\n", k, f ? "found" : "absent");
    }
    int key = arr[123];
    outf("bsearch existing: %d\n", *(int *)bsearch(&key, arr, 1000, sizeof arr[0], icmp) == key);
    char *names[] = {"zeta", "alpha", "Mu", "beta", "alpha2", "omega", "Alpha", "pi", "epsilon", "a"};
    qsort(names, 10, sizeof names[0], scmp);
    outf("qsort strings:");
    for (int i = 0; i < 10; i++) outf(" %s", names[i]);
    outf("\n");

    const char *nums[] = {"0", "42", "-17", "+99", "0x1f", "0777", "2147483647", "2147483648",
                          "-2147483649", "  12abc", "zz", "101010", "4294967295", "-1"};
    for (int i = 0; i < 14; i++) {
        char *end;
        errno = 0;
        long v = strtol(nums[i], &end, 0);
        int e1 = errno;
        errno = 0;
        unsigned long u = strtoul(nums[i], NULL, 10);
        int e2 = errno;
        long b2 = strtol(nums[i], NULL, 2);
        long b36 = strtol(nums[i], NULL, 36);
        outf("strtol(%s) = %ld rest [%s] erange %d; strtoul %lu erange %d; base2 %ld base36 %ld; atoi %d\n",
             nums[i], v, end, e1 == ERANGE, u, e2 == ERANGE, b2, b36, atoi(nums[i]));
    }
    int classes[8] = {0};
    for (int ch = 0; ch < 128; ch++) {
        classes[0] += !!isalpha(ch); classes[1] += !!isdigit(ch); classes[2] += !!isspace(ch);
        classes[3] += !!ispunct(ch); classes[4] += !!isupper(ch); classes[5] += !!isxdigit(ch);
        classes[6] += !!iscntrl(ch); classes[7] += !!isprint(ch);
    }
    outf("ctype counts:");
    for (int i = 0; i < 8; i++) outf(" %d", classes[i]);
    outf("\n");
    return 0;
}

int main(int argc, char **argv) { return repeat_main(argc, argv, run_once); }
