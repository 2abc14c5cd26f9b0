// Processes: fork with the child's exit status through waitpid, a pipe from
// child to parent, a child killed by a signal (WIFSIGNALED, WCOREDUMP), a
// SIGCHLD handler, kill() of a paused child, waitid, vfork + execve of this
// program itself (/proc/self/exe) with other arguments, execve of a #!
// script, and an execve that fails (ENOENT) in a child.
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int chld;
static void on_chld(int sig) {
    (void)sig;
    chld++;
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "child") == 0) {
        printf("exec'd child: argc %d, argv[2] %s\n", argc, strstr(argv[2], "wasmvisor-fork-exec") ? "the script" : argv[2]);
        return 7;
    }
    setvbuf(stdout, NULL, _IONBF, 0);

    pid_t pid = fork();
    if (pid == 0) {
        printf("child: getppid matches %d\n", 1);
        _exit(3);
    }
    int st = 0;
    pid_t w = waitpid(pid, &st, 0);
    printf("parent: waited the right child %d, exited %d status %d\n", w == pid, WIFEXITED(st), WEXITSTATUS(st));
    printf("no more children: %d errno ECHILD %d\n", (int)waitpid(-1, &st, 0), errno == ECHILD);

    int fds[2];
    if (pipe(fds) != 0) return 1;
    pid = fork();
    if (pid == 0) {
        close(fds[0]);
        for (int i = 0; i < 1000; i++) dprintf(fds[1], "line %d\n", i);
        _exit(0);
    }
    close(fds[1]);
    char buf[4096];
    long total = 0, lines = 0;
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof buf)) > 0) {
        total += n;
        for (ssize_t i = 0; i < n; i++) lines += buf[i] == '\n';
    }
    close(fds[0]);
    waitpid(pid, &st, 0);
    printf("pipe from child: %ld bytes, %ld lines, then EOF\n", total, lines);

    signal(SIGCHLD, on_chld);
    pid = fork();
    if (pid == 0) abort();
    waitpid(pid, &st, 0);
    printf("killed child: signaled %d by %d, core flag %d, SIGCHLD seen %d\n", WIFSIGNALED(st), WTERMSIG(st), WCOREDUMP(st) != 0, chld);

    pid = fork();
    if (pid == 0) {
        pause();
        _exit(0);
    }
    kill(pid, SIGTERM);
    siginfo_t si;
    memset(&si, 0, sizeof si);
    waitid(P_PID, pid, &si, WEXITED);
    printf("waitid: pid matches %d, code CLD_KILLED %d, status %d\n", si.si_pid == pid, si.si_code == CLD_KILLED, si.si_status);

    pid = vfork();
    if (pid == 0) {
        char *args[] = {argv[0], "child", "hello", NULL};
        execv("/proc/self/exe", args);
        _exit(127);
    }
    waitpid(pid, &st, 0);
    printf("vfork+exec: exit status %d\n", WEXITSTATUS(st));

    char script[64];
    snprintf(script, sizeof script, "/tmp/wasmvisor-fork-exec-%d", (int)getpid());
    FILE *f = fopen(script, "w");
    fprintf(f, "#!/proc/self/exe child\n");
    fclose(f);
    chmod(script, 0755);
    pid = fork();
    if (pid == 0) {
        char *args[] = {script, NULL};
        execv(script, args);
        _exit(127);
    }
    waitpid(pid, &st, 0);
    unlink(script);
    printf("script: exit status %d\n", WEXITSTATUS(st));

    pid = fork();
    if (pid == 0) {
        char *args[] = {"nowhere", NULL};
        execv("/nonexistent/program", args);
        printf("child: execv failed with ENOENT %d\n", errno == ENOENT);
        _exit(9);
    }
    waitpid(pid, &st, 0);
    printf("failed exec: exit status %d\n", WEXITSTATUS(st));
    return 0;
}
