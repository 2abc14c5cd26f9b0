// Exit statuses: output to stdout and stderr (partly unflushed stdio
// buffers that exit() must flush), atexit handlers in reverse order, and
// exit(42).
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void first(void) { printf("atexit handler registered first\n"); }
static void second(void) { printf("atexit handler registered second\n"); fprintf(stderr, "stderr from handler\n"); }

int main(void) {
    atexit(first);
    atexit(second);
    printf("buffered stdout line");
    fprintf(stderr, "stderr is unbuffered\n");
    write(1, "[raw write]\n", 12);
    printf(" ... completed\n");
    for (int i = 0; i < 1000; i++) printf("%d%c", i, i % 25 == 24 ? '\n' : ' ');
    exit(42);
}
