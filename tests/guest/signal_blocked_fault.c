// A fault whose signal is blocked cannot be handled: the kernel kills the
// process with it even though a handler is installed (status 139).
#include <signal.h>
#include <stdio.h>

static void on_segv(int sig) {
    (void)sig;
    printf("handler must not run\n");
}

int main(void) {
    signal(SIGSEGV, on_segv);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGSEGV);
    sigprocmask(SIG_BLOCK, &set, NULL);
    printf("SIGSEGV blocked\n");
    fflush(stdout);
    *(volatile int *)8 = 1;
    printf("still alive?\n");
    return 0;
}
