// Process and system information: getpid/getppid/gettid/getuid/geteuid/
// getgid/getegid/getpgrp (only relations are printed), uname (only that
// sysname is "Linux"), getrandom (lengths only), sysconf, getrlimit, umask,
// sched_yield, isatty on a pipe, getpriority.
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include <sched.h>
#include <sys/utsname.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>

int main(void) {
    pid_t pid = getpid();
    printf("getpid > 0: %s\n", pid > 0 ? "ok" : "BAD");
    printf("getpid stable: %s\n", getpid() == pid ? "ok" : "BAD");
    printf("getppid > 0: %s\n", getppid() > 0 ? "ok" : "BAD");
    printf("gettid == getpid: %s\n", (pid_t)syscall(SYS_gettid) == pid ? "ok" : "BAD");
    printf("getuid == geteuid: %s\n", getuid() == geteuid() ? "ok" : "BAD");
    printf("getgid == getegid: %s\n", getgid() == getegid() ? "ok" : "BAD");
    printf("getpgrp > 0: %s\n", getpgrp() > 0 ? "ok" : "BAD");
    struct utsname u;
    int r = uname(&u);
    printf("uname: %d, sysname Linux: %s, release non-empty: %s\n", r,
           strcmp(u.sysname, "Linux") == 0 ? "ok" : "BAD", u.release[0] ? "ok" : "BAD");
    unsigned char rnd[64];
    memset(rnd, 0, sizeof rnd);
    ssize_t n = getrandom(rnd, sizeof rnd, 0);
    int nz = 0;
    for (int i = 0; i < 64; i++) nz += rnd[i] != 0;
    printf("getrandom 64: %d, some non-zero: %s\n", (int)n, nz > 0 ? "ok" : "BAD");
    n = getrandom(rnd, 16, GRND_NONBLOCK);
    printf("getrandom 16 nonblock: %d\n", (int)n);
    n = getrandom(rnd, 0, 0);
    printf("getrandom 0: %d\n", (int)n);
    printf("sysconf pagesize %ld\n", sysconf(_SC_PAGESIZE));
    printf("sysconf nprocs >= 1: %s\n", sysconf(_SC_NPROCESSORS_ONLN) >= 1 ? "ok" : "BAD");
    printf("sysconf open_max > 16: %s\n", sysconf(_SC_OPEN_MAX) > 16 ? "ok" : "BAD");
    struct rlimit rl;
    printf("getrlimit stack: %d\n", getrlimit(RLIMIT_STACK, &rl));
    r = getrlimit(RLIMIT_NOFILE, &rl);
    printf("getrlimit nofile: %d, cur <= max %s\n", r, rl.rlim_cur <= rl.rlim_max ? "ok" : "BAD");
    mode_t old = umask(027);
    mode_t back = umask(old);
    printf("umask round trip: %03o\n", back);
    printf("sched_yield: %d\n", sched_yield());
    int fds[2];
    if (pipe(fds) == 0) {
        errno = 0;
        int t = isatty(fds[0]);
        printf("isatty(pipe): %d errno ENOTTY %s\n", t, errno == ENOTTY ? "yes" : "no");
        close(fds[0]);
        close(fds[1]);
    }
    errno = 0;
    int prio = getpriority(PRIO_PROCESS, 0);
    printf("getpriority ok: %s\n", errno == 0 && prio >= -20 && prio <= 19 ? "yes" : "NO");
    char host[256];
    printf("gethostname: %d\n", gethostname(host, sizeof host));
    return 0;
}
