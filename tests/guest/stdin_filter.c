// stdin: The quick brown fox\njumps over the lazy dog.\n\nsecond paragraph, with commas, and words\n  leading spaces\ttab\nlast line without newline
// Reads all of stdin (fixed text given by the harness): counts lines,
// words, bytes, prints each line reversed and numbered, the word frequency
// table sorted, then checks read() returns 0 at end of input.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <unistd.h>

struct word { char w[32]; int n; };
static int cmp(const void *a, const void *b) {
    const struct word *x = a, *y = b;
    if (x->n != y->n) return y->n - x->n;
    return strcmp(x->w, y->w);
}

int main(void) {
    char *data = NULL;
    size_t len = 0, cap = 0;
    char tmp[7];
    ssize_t r;
    while ((r = read(0, tmp, sizeof tmp)) > 0) {   // small reads on purpose
        if (len + r > cap) { cap = (cap + r) * 2; data = realloc(data, cap + 1); }
        memcpy(data + len, tmp, r);
        len += r;
    }
    if (!data) data = calloc(1, 1);
    data[len] = 0;
    printf("read returned %d at the end\n", (int)r);
    int lines = 0, words = 0, inword = 0;
    for (size_t i = 0; i < len; i++) {
        if (data[i] == '\n') lines++;
        if (isspace((unsigned char)data[i])) inword = 0;
        else if (!inword) { inword = 1; words++; }
    }
    printf("bytes %zu lines %d words %d\n", len, lines, words);
    char *save, *line = strtok_r(data, "\n", &save);
    int no = 0;
    struct word tab[100];
    int nw = 0;
    while (line) {
        size_t l = strlen(line);
        printf("%3d: ", ++no);
        for (size_t i = l; i > 0; i--) putchar(line[i - 1]);
        putchar('\n');
        char copy[256];
        snprintf(copy, sizeof copy, "%s", line);
        char *s2, *w = strtok_r(copy, " \t,.", &s2);
        while (w) {
            for (char *q = w; *q; q++) *q = (char)tolower((unsigned char)*q);
            int k;
            for (k = 0; k < nw; k++) if (!strcmp(tab[k].w, w)) break;
            if (k == nw && nw < 100) { snprintf(tab[nw].w, 32, "%s", w); tab[nw++].n = 0; }
            if (k < 100) tab[k].n++;
            w = strtok_r(NULL, " \t,.", &s2);
        }
        line = strtok_r(NULL, "\n", &save);
    }
    qsort(tab, nw, sizeof tab[0], cmp);
    for (int k = 0; k < nw; k++) printf("%-12s %d\n", tab[k].w, tab[k].n);
    fprintf(stderr, "%d distinct words\n", nw);
    free(data);
    return 0;
}
