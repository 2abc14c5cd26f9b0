// SIGBUS: a read of a file mapping's page that lies wholly past the end of
// the file (BUS_ADRERR, si_addr the address), caught and left with
// siglongjmp; then the same read with no handler ends the process (135).
#define _GNU_SOURCE
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

static sigjmp_buf jb;
static volatile int code;
static volatile void *addr;

static void on_bus(int sig, siginfo_t *si, void *uc) {
    (void)uc;
    code = si->si_code;
    addr = si->si_addr;
    siglongjmp(jb, sig);
}

int main(void) {
    char name[] = "/tmp/wasmvisor-sigbus-XXXXXX";
    int fd = mkstemp(name);
    unlink(name);
    if (write(fd, "hello", 5) != 5) return 1;
    struct sigaction sa = {0};
    sa.sa_sigaction = on_bus;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGBUS, &sa, 0);
    char *p = mmap(0, 8192, PROT_READ, MAP_SHARED, fd, 0);
    printf("first page: %.5s, then zeros to its end: %d\n", p, p[4095]);
    int s = sigsetjmp(jb, 1);
    if (s == 0) {
        volatile char c = p[4096];
        (void)c;
        printf("no fault\n");
    } else {
        printf("signal %d code %d (BUS_ADRERR) at the second page %d\n", s, code, addr == p + 4096);
    }
    signal(SIGBUS, SIG_DFL);
    fflush(stdout);
    volatile char c = p[5000];
    (void)c;
    printf("still alive?\n");
    return 0;
}
