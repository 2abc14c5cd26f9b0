// Error paths: failing system calls must set the right errno, printed by
// number, by name and with strerror(); perror() goes to stderr.
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/mman.h>

static void show(const char *what, int r) {
    int e = errno;
    printf("%-40s -> %d errno %d (%s)\n", what, r, e, strerror(e));
    errno = 0;
}

int main(void) {
    char dir[] = "/tmp/wverr-XXXXXX";
    if (!mkdtemp(dir)) { perror("mkdtemp"); return 1; }
    char path[128], path2[128];
    struct stat st;
    errno = 0;
    show("open missing file", open("/nonexistent/definitely/missing", O_RDONLY));
    show("open missing file O_RDWR", open("/tmp/this-file-does-not-exist-wv", O_RDWR));
    show("stat missing", stat("/no/such/path", &st));
    snprintf(path, sizeof path, "%s/f", dir);
    int fd = open(path, O_CREAT | O_WRONLY | O_EXCL, 0644);
    printf("create: %s\n", fd >= 0 ? "ok" : "failed");
    show("open O_CREAT|O_EXCL existing", open(path, O_CREAT | O_EXCL | O_WRONLY, 0644));
    show("read from write-only fd", (int)read(fd, path2, 1));
    close(fd);
    show("read closed fd", (int)read(fd, path2, 1));
    show("close(-1)", close(-1));
    show("write fd 999", (int)write(999, "x", 1));
    show("mkdir existing", mkdir(dir, 0755));
    show("rmdir non-empty", rmdir(dir));
    show("rmdir a file", rmdir(path));
    show("unlink a directory", unlink(dir));
    show("open directory for writing", open(dir, O_WRONLY));
    snprintf(path2, sizeof path2, "%s/f/sub", dir);
    show("open through a file (ENOTDIR)", open(path2, O_RDONLY));
    show("chdir to a file", chdir(path));
    show("rename missing", rename("/tmp/wv-missing-src", "/tmp/wv-missing-dst"));
    int p[2];
    pipe(p);
    show("lseek on a pipe", (int)lseek(p[0], 0, SEEK_SET));
    close(p[0]);
    close(p[1]);
    show("lseek negative", (int)lseek(0 + open(path, O_RDONLY), -100, SEEK_SET));
    show("mmap bad fd", mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 999, 0) == MAP_FAILED ? -1 : 0);
    show("munmap unaligned", munmap((void *)0x1001, 4096));
    show("dup2 bad fd", dup2(999, 5));
    char small[2];
    show("getcwd too small", getcwd(small, sizeof small) ? 0 : -1);
    errno = 0;
    strtol("99999999999999999999", NULL, 10);
    show("strtol overflow", 0);
    unlink(path);
    rmdir(dir);
    for (int e = 0; e <= 40; e++) printf("strerror(%d) = %s\n", e, strerror(e));
    printf("strerror(9999) = %s\n", strerror(9999));
    errno = ENOENT;
    perror("perror test");
    errno = EACCES;
    perror(NULL);
    return 0;
}
