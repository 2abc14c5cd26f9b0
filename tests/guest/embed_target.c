// A target for the embedding API's Linux process tests (tests/embed): a hot
// loop calling a small function that bumps a global, so a test can hook
// one function, one variable or the syscalls and count exactly.
#include <stdio.h>
#include <stdlib.h>

volatile unsigned counter;

__attribute__((noinline)) unsigned step(unsigned x) {
    counter++;
    return (x * 2654435761u) ^ (x >> 7);
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 100000;
    unsigned x = (unsigned)argc;
    for (int i = 0; i < n; i++) x = step(x) + (unsigned)i;
    printf("%d steps: x = %u, counter = %u\n", n, x, counter);
    return 7;
}
