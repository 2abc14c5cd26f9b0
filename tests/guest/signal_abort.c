// abort(): a SIGABRT handler runs and returns, then abort() restores the
// default action and the process dies of SIGABRT (status 134).
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void on_abrt(int sig) {
    static const char msg[] = "SIGABRT handler ran\n";
    (void)sig;
    write(1, msg, sizeof msg - 1);
}

int main(void) {
    signal(SIGABRT, on_abrt);
    printf("about to abort\n");
    fflush(stdout);
    abort();
}
