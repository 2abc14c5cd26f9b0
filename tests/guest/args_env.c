// args: first "second arg" 3 -x --long=value ""
// The command line, environment and auxiliary vector as seen by a static
// glibc program: argc/argv (argv[0] basename only), all environment
// variables sorted, getenv/setenv/unsetenv, getauxval(AT_PAGESZ) value,
// AT_ENTRY/AT_RANDOM/AT_PHDR non-zero, AT_ENTRY equal to the ELF entry
// point of this static non-PIE binary.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>

extern char **environ;
extern char _start[];

static int cmp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv, char **envp) {
    printf("argc = %d\n", argc);
    const char *slash = strrchr(argv[0], '/');
    printf("argv[0] basename = %s\n", slash ? slash + 1 : argv[0]);
    for (int i = 1; i < argc; i++) printf("argv[%d] = [%s] (%zu chars)\n", i, argv[i], strlen(argv[i]));
    printf("argv[argc] is NULL: %d\n", argv[argc] == NULL);
    printf("envp == environ: %d\n", envp == environ);
    int n = 0;
    while (environ[n]) n++;
    char **copy = malloc((n + 1) * sizeof *copy);
    memcpy(copy, environ, n * sizeof *copy);
    qsort(copy, n, sizeof *copy, cmp);
    for (int i = 0; i < n; i++) printf("env %s\n", copy[i]);
    free(copy);
    printf("getenv(PATH) = %s\n", getenv("PATH") ? getenv("PATH") : "(null)");
    printf("getenv(NOPE) = %s\n", getenv("NOPE") ? "set" : "(null)");
    setenv("WV_TEST", "hello", 1);
    setenv("WV_TEST", "ignored", 0);
    printf("setenv: %s\n", getenv("WV_TEST"));
    unsetenv("WV_TEST");
    printf("unsetenv: %s\n", getenv("WV_TEST") ? "still set" : "gone");
    printf("AT_PAGESZ = %lu\n", getauxval(AT_PAGESZ));
    printf("AT_ENTRY != 0: %d\n", getauxval(AT_ENTRY) != 0);
    printf("AT_ENTRY == _start: %d\n", getauxval(AT_ENTRY) == (unsigned long)_start);
    printf("AT_RANDOM != 0: %d\n", getauxval(AT_RANDOM) != 0);
    printf("AT_PHDR != 0: %d\n", getauxval(AT_PHDR) != 0);
    printf("AT_PHENT = %lu\n", getauxval(AT_PHENT));
    fprintf(stderr, "args_env: %d arguments\n", argc - 1);
    return 0;
}
