// Integer division by zero: the process must die by SIGFPE (exit status
// 136) after its flushed output.
#include <stdio.h>

int main(void) {
    volatile int a = 1000, b = 10;
    printf("1000 / 10 = %d\n", a / b);
    b = 0;
    fflush(stdout);
    printf("%d\n", a / b);
    return 0;
}
