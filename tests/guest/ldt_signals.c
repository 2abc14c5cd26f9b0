// LDT faults delivered as signals to a handler: #NP (SIGBUS), #GP with a
// selector error code and #GP(0) from a limit check (SIGSEGV), #SS (SIGBUS),
// with the trap number, error code and segment registers the kernel puts in
// the signal context; the handler leaves with siglongjmp.
#define _GNU_SOURCE
#include <asm/ldt.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

static sigjmp_buf env;
static volatile int scratch[64];

static void on_fault(int sig, siginfo_t *si, void *ctx) {
    ucontext_t *uc = ctx;
    greg_t *g = uc->uc_mcontext.gregs;
    printf("  signal %d code %d trapno %d err 0x%x es 0x%x fs 0x%x\n", sig, si->si_code, (int)g[REG_TRAPNO],
           (unsigned)g[REG_ERR], (unsigned)g[REG_ES] & 0xffff, (unsigned)g[REG_FS] & 0xffff);
    siglongjmp(env, 1);
}

static int set_ldt(unsigned entry, unsigned base, unsigned limit, unsigned flags) {
    struct { unsigned entry, base, limit, flags; } d = { entry, base, limit, flags };
    return syscall(SYS_modify_ldt, 0x11, &d, sizeof d);
}

static void restore_segments(void) {
    __asm__ volatile("movw %%ds, %%ax\n\tmovw %%ax, %%es\n\txorl %%eax, %%eax\n\tmovw %%ax, %%fs" ::: "eax", "memory");
}

#define TRY(name, code)                                   \
    do {                                                  \
        printf("%s\n", name);                             \
        fflush(stdout);                                   \
        if (sigsetjmp(env, 1) == 0) {                     \
            code;                                         \
            restore_segments(); /* before libc's ES:EDI */ \
            printf("  no fault\n");                       \
        }                                                 \
        restore_segments();                               \
    } while (0)

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);

    printf("install: %d %d %d\n", set_ldt(0, (unsigned)scratch, 0xff, 1), set_ldt(1, 0, 0xfff, 1 | 0x20),
           set_ldt(2, 0, 0xfffff, 1 | 4 | 0x10 | 0x20));
    TRY("not-present data segment into es", __asm__ volatile("movw $0x0f, %%ax\n\tmovw %%ax, %%es" ::: "eax"));
    TRY("selector past the LDT into fs", __asm__ volatile("movw $0x47, %%ax\n\tmovw %%ax, %%fs" ::: "eax"));
    TRY("in-limit read through es", __asm__ volatile("movw $0x07, %%ax\n\tmovw %%ax, %%es\n\tmovl %%es:0xfc, %%eax" ::: "eax"));
    TRY("read past the limit through es", __asm__ volatile("movw $0x07, %%ax\n\tmovw %%ax, %%es\n\tmovl %%es:0xfd, %%eax" ::: "eax"));
    TRY("write past the limit through fs", __asm__ volatile("movw $0x07, %%ax\n\tmovw %%ax, %%fs\n\tmovb $1, %%fs:0x100" ::: "eax", "memory"));
    TRY("far call to a not-present code segment", __asm__ volatile("lcall $0x17, $0" ::: "memory"));
    TRY("not-present segment into ss", __asm__ volatile("movw $0x0f, %%ax\n\tmovw %%ax, %%ss" ::: "eax"));
    printf("done, es 0x%x\n", ({ unsigned short v; __asm__("movw %%es, %0" : "=r"(v)); v; }));
    return 0;
}
