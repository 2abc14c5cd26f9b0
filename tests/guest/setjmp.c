// setjmp/longjmp: jumping out of nested calls, values passed through,
// volatile locals kept, sigsetjmp/siglongjmp without a mask.
#include <stdio.h>
#include <setjmp.h>

#pragma GCC diagnostic ignored "-Winfinite-recursion"

static jmp_buf env;
static int depth_reached;

static void dive(int depth, int limit) {
    char pad[64];
    pad[depth % 64] = (char)depth;
    depth_reached = depth + pad[depth % 64] * 0;
    if (depth < limit) dive(depth + 1, limit);
    longjmp(env, limit * 10 + 1);
}

static int zero_val(void) {
    jmp_buf e;
    int r = setjmp(e);
    if (r == 0) longjmp(e, 0);   // longjmp with 0 must deliver 1
    return r;
}

int main(void) {
    for (int limit = 0; limit < 50; limit += 7) {
        volatile int counter = 100;
        int r = setjmp(env);
        if (r == 0) {
            counter = 200;
            dive(0, limit);
            printf("not reached\n");
        } else {
            printf("limit %d: setjmp returned %d, depth %d, counter %d\n", limit, r,
                   depth_reached, counter);
        }
    }
    printf("longjmp(e, 0) gives %d\n", zero_val());
    sigjmp_buf senv;
    volatile int n = 0;
    if (sigsetjmp(senv, 0) < 5) {
        n++;
        siglongjmp(senv, n);
    }
    printf("siglongjmp loop ran %d times\n", n);
    return 0;
}
