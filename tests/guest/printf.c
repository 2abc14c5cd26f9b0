// printf-family formatting of integers, characters and strings (no floating
// point): flags, widths, precisions, length modifiers, positional and
// star arguments, %n, limits; snprintf truncation and return values,
// fprintf to stderr, puts/putchar/fputs, vsnprintf.
#include <stdio.h>
#include <stdarg.h>
#include <limits.h>
#include <stdint.h>
#include <inttypes.h>
#include <string.h>
#include <stddef.h>
#include <sys/types.h>

static void vp(const char *fmt, ...) {
    char buf[128];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    printf("vsnprintf -> %d [%s]\n", n, buf);
}

int main(void) {
    const int iv[] = {0, 1, -1, 42, -42, 127, -128, 255, 32767, -32768, 65535, INT_MAX, INT_MIN};
    const char *ifmts[] = {"%d", "%i", "%u", "%x", "%X", "%o", "%5d", "%-5d|", "%05d", "%+d", "% d",
                           "%#x", "%#o", "%.3d", "%8.3d", "%-8.3x|", "%hhd", "%hd", "%hhu", "%hx", "%.0d", "%#.0o"};
    for (unsigned f = 0; f < sizeof ifmts / sizeof ifmts[0]; f++) {
        printf("%-8s:", ifmts[f]);
        for (unsigned i = 0; i < sizeof iv / sizeof iv[0]; i++) {
            char out[64];
            snprintf(out, sizeof out, ifmts[f], iv[i]);
            printf(" [%s]", out);
        }
        printf("\n");
    }
    long long lv[] = {0, 1, -1, LLONG_MAX, LLONG_MIN, 1234567890123ll, -987654321098ll};
    for (unsigned i = 0; i < 7; i++)
        printf("ll: %lld %llu %llx %20lld %-20lld| %+lld %#llo\n", lv[i], (unsigned long long)lv[i],
               (unsigned long long)lv[i], lv[i], lv[i], lv[i], (unsigned long long)lv[i]);
    printf("long: %ld %lu %lx\n", LONG_MIN, ULONG_MAX, LONG_MAX);
    printf("size/ptrdiff: %zu %zd %td %jd %ju\n", (size_t)-1, (ssize_t)-5, (ptrdiff_t)-7,
           (intmax_t)INT64_MIN, (uintmax_t)UINT64_MAX);
    printf("inttypes: %" PRId8 " %" PRIu16 " %" PRIx32 " %" PRIu64 "\n", (int8_t)-3, (uint16_t)65000,
           (uint32_t)0xdeadbeef, (uint64_t)18446744073709551615ull);
    printf("chars: [%c] [%3c] [%-3c] [%c]\n", 'a', 'b', 'c', 65);
    const char *s = "formatted";
    printf("strings: [%s] [%12s] [%-12s] [%.4s] [%12.4s] [%-12.4s] [%.0s] [%s]\n", s, s, s, s, s, s, s, "");
    printf("star: [%*d] [%-*d] [%.*d] [%*.*s]\n", 6, 42, 6, 42, 4, 7, 8, 3, s);
    printf("star negative width: [%*d]\n", -6, 42);
    printf("positional: %2$s %1$s %3$d %2$s\n", "world", "hello", 7);
    int n1 = 0, n2 = 0;
    printf("count%n this%n\n", &n1, &n2);
    printf("%%n gave %d and %d\n", n1, n2);
    char *volatile nullstr = NULL;
    printf("null string: [%s]\n", nullstr);
    printf("null pointer: [%p]\n", (void *)NULL);
    printf("percent: 100%%\n");

    char small[8];
    int r = snprintf(small, sizeof small, "%s", "truncate me please");
    printf("snprintf truncation: %d [%s]\n", r, small);
    r = snprintf(NULL, 0, "%d-%d", 12345, -678);
    printf("snprintf size query: %d\n", r);
    r = snprintf(small, 1, "abc");
    printf("snprintf size 1: %d [%s]\n", r, small);
    vp("%s=%d (%x)", "value", 255, 255);
    vp("%10s|%-10s|", "right", "left");
    char big[4096];
    int len = 0;
    for (int i = 0; i < 200; i++) len += snprintf(big + len, sizeof big - len, "%d,", i * i);
    printf("built %d chars, tail %s\n", len, big + len - 20);
    puts("puts adds a newline");
    fputs("fputs does not", stdout);
    putchar('\n');
    for (int i = 0; i < 26; i++) putchar('a' + i);
    putchar('\n');
    fprintf(stderr, "stderr: %d %s %x\n", -5, "err", 0xbeef);
    fprintf(stderr, "stderr line two\n");
    return 0;
}
