// Optional repeat count for the compute programs' benchmarks, shared by
// them: argv[1] (default 1) runs the whole computation that many times.
// Repetition 1 prints as usual; later ones only format their output and fold
// it into a hash, so every repetition does all the work while the output
// stays that of one run, plus one final line saying whether every repetition
// printed the same. Without an argument a program behaves exactly as a
// single run. Include after the standard headers; print through outf().
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static int rep_quiet, rep_hashing;
static uint32_t rep_hash;
__attribute__((format(printf, 1, 2))) static void outf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    if (rep_hashing) {
        char buf[1024];
        va_list aq;
        va_copy(aq, ap);
        int n = vsnprintf(buf, sizeof buf, fmt, aq);
        va_end(aq);
        for (int i = 0; i < n && i < (int)sizeof buf - 1; i++) rep_hash = (rep_hash ^ (unsigned char)buf[i]) * 16777619u;
    }
    if (!rep_quiet) vprintf(fmt, ap);
    va_end(ap);
}

/** main's body: `run` once per repetition; returns the exit status. */
static int repeat_main(int argc, char **argv, int (*run)(void)) {
    int reps = argc > 1 ? atoi(argv[1]) : 1;
    if (reps < 1) reps = 1;
    rep_hashing = reps > 1;
    uint32_t first = 0;
    int same = 1;
    for (int r = 0; r < reps; r++) {
        rep_quiet = r > 0;
        rep_hash = 2166136261u;     // FNV-1a over the repetition's output
        int status = run();
        if (status) return status;
        if (r == 0) first = rep_hash;
        else same &= rep_hash == first;
    }
    if (reps > 1) printf("%d repetitions: output hash %08x, all the same: %d\n", reps, first, same);
    return 0;
}
