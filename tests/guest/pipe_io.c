// Pipes and descriptors in one process: pipe/pipe2, write then read,
// writev/readv with several iovecs, a 60000-byte transfer, dup/dup2/
// F_DUPFD (stdout temporarily redirected into a pipe), fcntl flags
// (FD_CLOEXEC, O_NONBLOCK -> EAGAIN on an empty pipe), EOF after the write
// end is closed, EPIPE with SIGPIPE ignored, poll readiness.
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include <fcntl.h>
#include <errno.h>
#include <signal.h>
#include <poll.h>
#include <sys/uio.h>

int main(void) {
    int p[2];
    int pr0 = pipe(p);
    printf("pipe: %d, distinct fds %d\n", pr0, p[0] != p[1]);
    const char *msg = "hello through a pipe";
    printf("write: %d\n", (int)write(p[1], msg, strlen(msg)));
    char buf[128] = {0};
    printf("read: %d [%s]\n", (int)read(p[0], buf, sizeof buf - 1), buf);

    struct iovec out[3] = {{"alpha-", 6}, {"beta-", 5}, {"gamma", 5}};
    printf("writev: %d\n", (int)writev(p[1], out, 3));
    char a[4] = {0}, b[7] = {0}, c[32] = {0};
    struct iovec in[3] = {{a, 3}, {b, 6}, {c, 31}};
    ssize_t n = readv(p[0], in, 3);
    printf("readv: %d [%s] [%s] [%s]\n", (int)n, a, b, c);

    // a big transfer (fits in the 64 KiB pipe buffer)
    char *big = malloc(60000), *back = malloc(60000);
    for (int i = 0; i < 60000; i++) big[i] = (char)(i * 31 + (i >> 7));
    ssize_t w = write(p[1], big, 60000);
    ssize_t got = 0;
    while (got < 60000) {
        ssize_t r = read(p[0], back + got, 60000 - got);
        if (r <= 0) break;
        got += r;
    }
    printf("big: wrote %d read %d equal %d\n", (int)w, (int)got, memcmp(big, back, 60000) == 0);

    // poll
    struct pollfd pf = {p[0], POLLIN, 0};
    printf("poll empty: %d\n", poll(&pf, 1, 0));
    write(p[1], "x", 1);
    pf.revents = 0;
    int pr = poll(&pf, 1, 1000);
    printf("poll with data: %d revents POLLIN %d\n", pr, (pf.revents & POLLIN) != 0);
    read(p[0], buf, 1);

    // fcntl
    printf("F_GETFD: %d\n", fcntl(p[0], F_GETFD));
    fcntl(p[0], F_SETFD, FD_CLOEXEC);
    printf("F_GETFD after set: %d\n", fcntl(p[0], F_GETFD));
    printf("F_GETFL accmode read end %d write end %d\n", fcntl(p[0], F_GETFL) & O_ACCMODE,
           fcntl(p[1], F_GETFL) & O_ACCMODE);
    fcntl(p[0], F_SETFL, fcntl(p[0], F_GETFL) | O_NONBLOCK);
    errno = 0;
    n = read(p[0], buf, 10);
    printf("nonblocking read of empty pipe: %d EAGAIN %d\n", (int)n, errno == EAGAIN);
    int d = fcntl(p[1], F_DUPFD, 20);
    printf("F_DUPFD >= 20: %d\n", d >= 20);
    write(d, "via dup", 7);
    memset(buf, 0, sizeof buf);
    read(p[0], buf, sizeof buf);
    printf("read via dup: [%s]\n", buf);
    close(d);

    // dup2: redirect stdout into the pipe
    fflush(stdout);
    int saved = dup(1);
    printf("dup: %d\n", saved > 2);
    fflush(stdout);
    dup2(p[1], 1);
    printf("this line goes into the pipe\n");
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    memset(buf, 0, sizeof buf);
    n = read(p[0], buf, sizeof buf - 1);
    printf("captured %d bytes: %s", (int)n, buf);

    // EOF and EPIPE
    close(p[1]);
    fcntl(p[0], F_SETFL, 0);
    printf("read after writer closed: %d\n", (int)read(p[0], buf, 10));
    close(p[0]);
    int q[2];
    printf("pipe2 O_CLOEXEC: %d\n", pipe2(q, O_CLOEXEC));
    printf("pipe2 fd flags: %d %d\n", fcntl(q[0], F_GETFD), fcntl(q[1], F_GETFD));
    signal(SIGPIPE, SIG_IGN);
    close(q[0]);
    errno = 0;
    n = write(q[1], "x", 1);
    printf("write to pipe without reader: %d EPIPE %d\n", (int)n, errno == EPIPE);
    close(q[1]);
    errno = 0;
    int cr = close(q[1]);
    printf("close again: %d EBADF %d\n", cr, errno == EBADF);
    fprintf(stderr, "pipe_io done\n");
    return 0;
}
