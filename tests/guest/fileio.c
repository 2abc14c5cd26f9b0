// File system calls in a private temporary directory (mkdtemp under /tmp,
// removed at the end): open/creat/write/read/pread/pwrite/lseek/ftruncate,
// stat/fstat/lstat, rename, link/symlink/readlink, unlink, mkdir/rmdir,
// chdir/getcwd (relative), access, directory listing with opendir/readdir
// (sorted before printing).  Only stable values are printed.
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>

static char dir[64];
static char path[256];

static const char *p(const char *name) {
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

static void check(int ok, const char *what) {
    if (!ok) { printf("FAILED: %s (%s)\n", what, strerror(errno)); exit(1); }
}

static int cmp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list(const char *sub) {
    DIR *d = opendir(p(sub));
    check(d != NULL, "opendir");
    char *names[64];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 64) names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, n, sizeof names[0], cmp);
    printf("ls %s:", sub);
    for (int i = 0; i < n; i++) { printf(" %s", names[i]); free(names[i]); }
    printf("\n");
}

static void show_stat(const char *name) {
    struct stat st;
    check(lstat(p(name), &st) == 0, "lstat");
    const char *kind = S_ISREG(st.st_mode) ? "file" : S_ISDIR(st.st_mode) ? "dir"
                     : S_ISLNK(st.st_mode) ? "symlink" : "other";
    printf("stat %s: %s perm %03o", name, kind, st.st_mode & 0777);
    if (!S_ISDIR(st.st_mode)) printf(" size %lld", (long long)st.st_size);
    printf(" nlink %d\n", (int)st.st_nlink);
}

int main(void) {
    umask(022);
    strcpy(dir, "/tmp/wvtest-XXXXXX");
    check(mkdtemp(dir) != NULL, "mkdtemp");

    int fd = open(p("a.txt"), O_CREAT | O_WRONLY | O_TRUNC, 0644);
    check(fd >= 0, "open a.txt");
    char buf[4096];
    for (int i = 0; i < 100; i++) {
        int n = snprintf(buf, sizeof buf, "line %03d: %s\n", i, "the quick brown fox");
        check(write(fd, buf, n) == n, "write");
    }
    off_t end = lseek(fd, 0, SEEK_CUR);
    printf("written %lld bytes\n", (long long)end);
    check(lseek(fd, 10, SEEK_SET) == 10, "lseek set");
    check(write(fd, "XXXX", 4) == 4, "overwrite");
    check(pwrite(fd, "PP", 2, 100) == 2, "pwrite");
    printf("pos after pwrite %lld\n", (long long)lseek(fd, 0, SEEK_CUR));
    check(close(fd) == 0, "close");

    fd = open(p("a.txt"), O_RDONLY);
    check(fd >= 0, "open ro");
    memset(buf, 0, sizeof buf);
    ssize_t n = read(fd, buf, 64);
    printf("read %d: %.64s", (int)n, buf);
    printf("\n");
    n = pread(fd, buf, 20, 95);
    printf("pread %d: %.20s\n", (int)n, buf);
    long long e1 = lseek(fd, 0, SEEK_END);
    long long e2 = lseek(fd, -30, SEEK_END);
    printf("lseek end %lld, lseek -30 from end %lld\n", e1, e2);
    n = read(fd, buf, 100);
    printf("tail read %d: %.*s", (int)n, (int)n, buf);
    n = read(fd, buf, 100);
    printf("read at eof: %d\n", (int)n);
    struct stat st;
    check(fstat(fd, &st) == 0, "fstat");
    printf("fstat size %lld regular %d\n", (long long)st.st_size, S_ISREG(st.st_mode));
    close(fd);

    // append mode and ftruncate
    fd = open(p("a.txt"), O_WRONLY | O_APPEND);
    check(fd >= 0, "open append");
    lseek(fd, 0, SEEK_SET);
    check(write(fd, "appended\n", 9) == 9, "append");
    check(ftruncate(fd, 50) == 0, "ftruncate");
    close(fd);
    show_stat("a.txt");

    // a big file written in chunks and read back with a checksum
    fd = open(p("big.bin"), O_CREAT | O_RDWR, 0600);
    check(fd >= 0, "open big");
    unsigned sum = 0;
    for (int k = 0; k < 64; k++) {
        for (int i = 0; i < 4096; i++) buf[i] = (char)(i * k + (i >> 5));
        check(write(fd, buf, 4096) == 4096, "write big");
    }
    lseek(fd, 0, SEEK_SET);
    ssize_t r;
    long total = 0;
    while ((r = read(fd, buf, 3000)) > 0) {
        for (ssize_t i = 0; i < r; i++) sum = sum * 33 + (unsigned char)buf[i];
        total += r;
    }
    printf("big file %ld bytes, checksum %08x\n", total, sum);
    close(fd);
    show_stat("big.bin");

    check(mkdir(p("sub"), 0755) == 0, "mkdir");
    check(mkdir(p("sub/deeper"), 0700) == 0, "mkdir deeper");
    {
        char from[256], to[256];
        snprintf(from, sizeof from, "%s/a.txt", dir);
        snprintf(to, sizeof to, "%s/sub/b.txt", dir);
        check(rename(from, to) == 0, "rename");
        check(access(to, F_OK) == 0 && access(from, F_OK) != 0, "rename result");
        snprintf(from, sizeof from, "%s/sub/b.txt", dir);
        snprintf(to, sizeof to, "%s/hard.txt", dir);
        check(link(from, to) == 0, "link");
        check(symlink("sub/b.txt", p("sym")) == 0, "symlink");
    }
    show_stat("sub");
    show_stat("sub/b.txt");
    show_stat("sym");
    char lnk[64];
    n = readlink(p("sym"), lnk, sizeof lnk - 1);
    lnk[n > 0 ? n : 0] = 0;
    printf("readlink: %s\n", lnk);
    fd = open(p("sym"), O_RDONLY);
    n = read(fd, buf, 9);
    printf("through symlink: %.9s\n", buf);
    close(fd);
    for (int i = 0; i < 5; i++) {
        char nm[32];
        snprintf(nm, sizeof nm, "sub/f%d", 4 - i);
        fd = open(p(nm), O_CREAT | O_WRONLY, 0644);
        close(fd);
    }
    list(".");
    list("sub");

    // chdir + relative paths + getcwd (only its tail is printed)
    check(chdir(dir) == 0, "chdir");
    char cwd[256];
    check(getcwd(cwd, sizeof cwd) != NULL, "getcwd");
    printf("getcwd matches: %d\n", strcmp(cwd, dir) == 0);
    check(access("sub/f0", R_OK | W_OK) == 0, "access rel");
    check(unlink("hard.txt") == 0, "unlink hard");
    check(unlink("sym") == 0, "unlink sym");
    check(unlink("big.bin") == 0, "unlink big");
    errno = 0;
    int rr = rmdir("sub");
    printf("rmdir non-empty: %d %s\n", rr, strerror(errno));
    for (int i = 0; i < 5; i++) {
        char nm[32];
        snprintf(nm, sizeof nm, "sub/f%d", i);
        check(unlink(nm) == 0, "unlink f");
    }
    check(unlink("sub/b.txt") == 0, "unlink b");
    check(rmdir("sub/deeper") == 0, "rmdir deeper");
    check(rmdir("sub") == 0, "rmdir sub");
    list(".");
    check(chdir("/") == 0, "chdir /");
    check(rmdir(dir) == 0, "rmdir tmp");
    printf("temp dir removed: %d\n", access(dir, F_OK) != 0);
    return 0;
}
