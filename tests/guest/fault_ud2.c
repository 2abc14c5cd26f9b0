// Ends by executing UD2 (via __builtin_trap): the process must die by
// SIGILL (exit status 132) after its flushed output.
#include <stdio.h>

int main(void) {
    for (int i = 0; i < 5; i++) printf("line %d before the trap\n", i);
    fflush(stdout);
    __builtin_trap();
    printf("not reached\n");
    return 0;
}
