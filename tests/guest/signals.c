// Signals delivered to the process itself: sigaction handlers (plain and
// SA_SIGINFO) for raise()/kill(), blocking with sigprocmask and pending
// delivery on unblock, SA_RESETHAND, SIG_IGN, a SIGSEGV from a bad store
// caught and left with siglongjmp, and the signal mask restored after a
// handler.
#define _GNU_SOURCE
#include <stdio.h>
#include <signal.h>
#include <setjmp.h>
#include <string.h>
#include <stdint.h>
#include <unistd.h>

static volatile sig_atomic_t got_usr1, got_usr2, info_code, info_signo, depth_max, depth;
static sigjmp_buf jb;

static void on_usr1(int sig) { (void)sig; got_usr1++; }
static void on_usr2(int sig, siginfo_t *si, void *uc) {
    (void)uc;
    got_usr2++;
    info_signo = si->si_signo;
    info_code = si->si_code;
}
static void on_segv(int sig) { (void)sig; siglongjmp(jb, 1); }
static void nested(int sig) {
    (void)sig;
    depth++;
    if (depth > depth_max) depth_max = depth;
    if (depth < 3) raise(SIGUSR1);   // SIGUSR1 masked while in this handler? no: SA_NODEFER
    depth--;
}

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigemptyset(&sa.sa_mask);
    printf("sigaction USR1: %d\n", sigaction(SIGUSR1, &sa, NULL));
    raise(SIGUSR1);
    printf("after raise: got_usr1 = %d\n", got_usr1);
    kill(getpid(), SIGUSR1);
    printf("after kill: got_usr1 = %d\n", got_usr1);

    sa.sa_sigaction = on_usr2;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR2, &sa, NULL);
    raise(SIGUSR2);
    printf("SA_SIGINFO: got %d signo %d code is SI_TKILL %d\n", got_usr2, info_signo, info_code == SI_TKILL);

    sigset_t set, old, pend;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, &old);
    raise(SIGUSR1);
    raise(SIGUSR1);
    sigpending(&pend);
    printf("blocked: got_usr1 = %d, pending %d\n", got_usr1, sigismember(&pend, SIGUSR1));
    sigprocmask(SIG_SETMASK, &old, NULL);
    printf("unblocked: got_usr1 = %d (standard signals do not queue)\n", got_usr1);

    sa.sa_handler = on_usr1;
    sa.sa_flags = SA_RESETHAND;
    sigaction(SIGUSR1, &sa, NULL);
    raise(SIGUSR1);
    struct sigaction cur;
    sigaction(SIGUSR1, NULL, &cur);
    printf("SA_RESETHAND: got_usr1 = %d, handler reset to default %d\n", got_usr1, cur.sa_handler == SIG_DFL);

    signal(SIGUSR2, SIG_IGN);
    raise(SIGUSR2);
    printf("ignored SIGUSR2: got_usr2 still %d\n", got_usr2);

    sa.sa_handler = nested;
    sa.sa_flags = SA_NODEFER;
    sigaction(SIGUSR1, &sa, NULL);
    raise(SIGUSR1);
    printf("SA_NODEFER nesting depth %d\n", depth_max);

    sa.sa_handler = on_segv;
    sa.sa_flags = 0;
    sigaction(SIGSEGV, &sa, NULL);
    for (int i = 0; i < 3; i++) {
        if (sigsetjmp(jb, 1) == 0) {
            volatile int *bad = (volatile int *)(uintptr_t)(16 + i * 4096);
            *bad = 5;
            printf("no fault?\n");
        } else {
            printf("caught SIGSEGV #%d\n", i + 1);
        }
    }
    sigset_t now;
    sigprocmask(SIG_SETMASK, NULL, &now);
    printf("SIGSEGV unblocked again after siglongjmp: %d\n", !sigismember(&now, SIGSEGV));
    fprintf(stderr, "signals done\n");
    return 0;
}
