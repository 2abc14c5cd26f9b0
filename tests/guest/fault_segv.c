// Writes to address 0: the process must die by SIGSEGV (exit status 139)
// after its flushed output.
#include <stdio.h>

int main(void) {
    volatile int *volatile p = 0;
    printf("about to write to address 0\n");
    fflush(stdout);
    *p = 1;
    printf("not reached\n");
    return 0;
}
