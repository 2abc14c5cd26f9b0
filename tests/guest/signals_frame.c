// Signal frames and faults delivered to handlers: what a SA_SIGINFO handler
// reads in its siginfo and ucontext for SIGSEGV, SIGFPE, SIGILL, SIGTRAP
// (INT3 and the trap flag), a handler that repairs the context and returns
// through rt_sigreturn, registers and the x87 state kept across a handler,
// sigaltstack, sigsuspend, sigwaitinfo, queued real-time signals with values,
// and ITIMER_REAL with pause() and an interval timer.
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

static volatile int hits;
static volatile int last_sig, last_code, last_trapno, last_err;
static volatile uintptr_t last_addr, last_eip;
static volatile intptr_t skip_bytes;

// Records what the kernel said and moves EIP past the faulting instruction.
static void on_fault(int sig, siginfo_t *si, void *ctx) {
    ucontext_t *uc = ctx;
    hits++;
    last_sig = sig;
    last_code = si->si_code;
    last_addr = (uintptr_t)si->si_addr;
    last_eip = uc->uc_mcontext.gregs[REG_EIP];
    last_trapno = uc->uc_mcontext.gregs[REG_TRAPNO];
    last_err = uc->uc_mcontext.gregs[REG_ERR];
    uc->uc_mcontext.gregs[REG_EIP] += skip_bytes;
}

static void install(int sig, void (*fn)(int, siginfo_t *, void *), int flags) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = fn;
    sa.sa_flags = SA_SIGINFO | flags;
    sigemptyset(&sa.sa_mask);
    if (sigaction(sig, &sa, NULL) != 0) perror("sigaction");
}

extern char segv_at[], fpe_at[], ill_at[], trap_after[], gp_at[];

static void faults(void) {
    install(SIGSEGV, on_fault, 0);
    install(SIGFPE, on_fault, 0);
    install(SIGILL, on_fault, 0);
    install(SIGTRAP, on_fault, 0);

    // movl %eax, 0x1234 (absolute): 5 bytes.
    skip_bytes = 5;
    __asm__ volatile("segv_at: movl %%eax, 0x1234" ::: "memory");
    printf("SIGSEGV write: sig %d code %d addr %#lx at label %d trapno %d err %#x\n", last_sig, last_code,
           (unsigned long)last_addr, last_eip == (uintptr_t)segv_at, last_trapno, last_err);

    // A read of a read-only page: SEGV_ACCERR.
    static const int ro = 5;
    skip_bytes = 6;
    __asm__ volatile("movl $7, %%eax\n\t"
                     ".byte 0x89, 0x05\n\t"  // movl %eax, ro (6 bytes)
                     ".long %c0" ::"i"(&ro) : "eax", "memory");
    printf("SIGSEGV read-only: code %d addr is ro %d trapno %d err %#x\n", last_code, last_addr == (uintptr_t)&ro,
           last_trapno, last_err);

    // divl %ecx with ECX = 0: 2 bytes.
    skip_bytes = 2;
    unsigned q;
    __asm__ volatile("xorl %%ecx, %%ecx\n\tmovl $1, %%eax\n\txorl %%edx, %%edx\n\t"
                     "fpe_at: divl %%ecx" : "=a"(q) :: "ecx", "edx");
    printf("SIGFPE: sig %d code %d addr at label %d eip at label %d trapno %d\n", last_sig, last_code,
           last_addr == (uintptr_t)fpe_at, last_eip == (uintptr_t)fpe_at, last_trapno);

    skip_bytes = 2;
    __asm__ volatile("ill_at: ud2");
    printf("SIGILL: sig %d code %d addr at label %d trapno %d\n", last_sig, last_code, last_addr == (uintptr_t)ill_at,
           last_trapno);

    // INT3 is a trap: EIP already points past it.
    skip_bytes = 0;
    __asm__ volatile("int3\n\ttrap_after:");
    printf("SIGTRAP int3: sig %d code %#x eip after it %d trapno %d\n", last_sig, last_code,
           last_eip == (uintptr_t)trap_after, last_trapno);

    // INT 0x81 has a kernel-only gate: #GP with the vector in the error code.
    skip_bytes = 2;
    __asm__ volatile("gp_at: int $0x81");
    printf("int 0x81: sig %d code %#x eip at it %d trapno %d err %#x\n", last_sig, last_code,
           last_eip == (uintptr_t)gp_at, last_trapno, last_err);
    printf("faults handled: %d\n", hits);
}

// ---- the trap flag: one SIGTRAP per instruction while TF is set
static volatile int steps;
static void on_step(int sig, siginfo_t *si, void *ctx) {
    (void)sig;
    (void)ctx;
    steps++;
    last_code = si->si_code;
}

static void single_step(void) {
    install(SIGTRAP, on_step, 0);
    int x = 0;
    __asm__ volatile("pushfl\n\t"
                     "orl $0x100, (%%esp)\n\t"
                     "popfl\n\t"           // TF set: traps start after the next instruction
                     "movl $1, %%eax\n\t"
                     "addl $2, %%eax\n\t"
                     "imull $3, %%eax\n\t"
                     "movl %%eax, %0\n\t"
                     "pushfl\n\t"
                     "andl $~0x100, (%%esp)\n\t"
                     "popfl\n\t"           // the last one that traps
                     "nop"
                     : "=m"(x)::"eax", "cc", "memory");
    printf("single step: x = %d, %d traps, si_code %d (TRAP_TRACE)\n", x, steps, last_code);

    // A loop of compare-and-branch pairs: each instruction traps on its own.
    int n = 0;
    steps = 0;
    __asm__ volatile("pushfl\n\torl $0x100, (%%esp)\n\tpopfl\n\t"
                     "movl $5, %%ecx\n"
                     "1:\tcmpl $0, %%ecx\n\tje 2f\n\tdecl %%ecx\n\tincl %0\n\tjmp 1b\n"
                     "2:\tpushfl\n\tandl $~0x100, (%%esp)\n\tpopfl\n\tnop"
                     : "+r"(n)::"ecx", "cc", "memory");
    printf("single-stepped loop: n = %d, %d traps\n", n, steps);
}

// ---- registers and the x87 stack survive a handler
static volatile unsigned handler_mxcsr, handler_xmm5;
static void on_usr1(int sig) {
    (void)sig;
    volatile double d = 1.0;
    for (int i = 0; i < 10; i++) d = d * 3.7 + 1.1;
    unsigned csr, x;
    // The handler starts with a clean MXCSR and XMM registers, and clobbers them.
    __asm__ volatile("stmxcsr %0\n\tmovd %%xmm5, %1\n\tpcmpeqd %%xmm5, %%xmm5" : "=m"(csr), "=r"(x));
    handler_mxcsr = csr;
    handler_xmm5 = x;
    hits++;
}

static void preserved(void) {
    signal(SIGUSR1, on_usr1);
    unsigned esi, edi, ebp_out;
    double a = 0, b = 0;
    pid_t pid = getpid();
    // Values in callee-visible registers and on the x87 stack across a kill(2) that runs a handler.
    __asm__ volatile("pushl %%ebp\n\t"
                     "fldpi\n\t"
                     "fld1\n\t"
                     "movl $0x11111111, %%esi\n\t"
                     "movl $0x22222222, %%edi\n\t"
                     "movl $0x33333333, %%ebp\n\t"
                     "movl %[pid], %%ebx\n\t"
                     "movl $10, %%ecx\n\t"
                     "movl $37, %%eax\n\t"
                     "int $0x80\n\t"
                     "movl %%ebp, %%edx\n\t"
                     "popl %%ebp\n\t"
                     "fstpl %[a]\n\t"
                     "fstpl %[b]"
                     : "=S"(esi), "=D"(edi), "=d"(ebp_out), [a] "=m"(a), [b] "=m"(b)
                     : [pid] "g"(pid)
                     : "eax", "ebx", "ecx", "memory");
    printf("registers after a handler: %#x %#x %#x, x87 %.15g %.15g\n", esi, edi, ebp_out, a, b);

    // The handler starts with a clean FPU control word, whatever the interrupted code set.
    unsigned short cw = 0x0c7f, seen = 0, after = 0;
    __asm__ volatile("fldcw %0" ::"m"(cw));
    raise(SIGUSR1);
    __asm__ volatile("fnstcw %0" : "=m"(after));
    (void)seen;
    printf("control word kept across a handler: %#x\n", after);

    // MXCSR and an XMM register across a handler that finds them reset and clobbers them.
    unsigned csr = 0x3f80, csr_after = 0, xmm_after = 0;  // round down, all masked
    __asm__ volatile("ldmxcsr %0\n\tmovl $0x5eed1234, %%eax\n\tmovd %%eax, %%xmm5" ::"m"(csr) : "eax");
    raise(SIGUSR1);
    __asm__ volatile("stmxcsr %0\n\tmovd %%xmm5, %1" : "=m"(csr_after), "=r"(xmm_after));
    printf("handler saw MXCSR %#x and xmm5 %#x; after it: MXCSR %#x, xmm5 %#x\n", handler_mxcsr, handler_xmm5, csr_after, xmm_after);
    csr = 0x1f80;
    __asm__ volatile("ldmxcsr %0" ::"m"(csr));
    cw = 0x037f;
    __asm__ volatile("fldcw %0" ::"m"(cw));
}

// ---- sigaltstack
static char altstack[65536];
static volatile int on_alt, alt_flags;
static void on_usr2(int sig) {
    (void)sig;
    char here;
    on_alt = &here >= altstack && &here < altstack + sizeof altstack;
    stack_t cur;
    sigaltstack(NULL, &cur);
    alt_flags = cur.ss_flags;
}

static void alternate_stack(void) {
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
    printf("sigaltstack: %d\n", sigaltstack(&ss, NULL));
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr2;
    sa.sa_flags = SA_ONSTACK;
    sigaction(SIGUSR2, &sa, NULL);
    raise(SIGUSR2);
    printf("handler on the alternate stack %d, ss_flags there %d (SS_ONSTACK)\n", on_alt, alt_flags);
    stack_t after;
    sigaltstack(NULL, &after);
    printf("after: ss_flags %d size %u\n", after.ss_flags, (unsigned)after.ss_size);
}

// ---- sigsuspend, sigwaitinfo, queued real-time signals
static volatile int usr1_count;
static volatile int rt_values[8], rt_count;
static void count_usr1(int sig) {
    (void)sig;
    usr1_count++;
}
static void on_rt(int sig, siginfo_t *si, void *ctx) {
    (void)sig;
    (void)ctx;
    if (rt_count < 8) rt_values[rt_count] = si->si_value.sival_int;
    rt_count++;
}

static void waiting(void) {
    signal(SIGUSR1, count_usr1);
    sigset_t block, old, none;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigaddset(&block, SIGUSR2);
    sigaddset(&block, SIGRTMIN);
    sigprocmask(SIG_BLOCK, &block, &old);
    raise(SIGUSR1);
    sigemptyset(&none);
    int r = sigsuspend(&none);
    sigset_t now;
    sigprocmask(SIG_SETMASK, NULL, &now);
    printf("sigsuspend: %d, handler ran %d, USR1 blocked again %d\n", r, usr1_count, sigismember(&now, SIGUSR1));

    raise(SIGUSR2);
    siginfo_t si;
    sigset_t want;
    sigemptyset(&want);
    sigaddset(&want, SIGUSR2);
    int got = sigwaitinfo(&want, &si);
    printf("sigwaitinfo: %d code %d from self %d\n", got, si.si_code, si.si_pid == getpid());
    struct timespec zero = {0, 0};
    printf("sigtimedwait with nothing pending: %d\n", sigtimedwait(&want, &si, &zero));

    install(SIGRTMIN, on_rt, 0);
    union sigval v;
    for (int i = 0; i < 3; i++) {
        v.sival_int = 100 + i;
        sigqueue(getpid(), SIGRTMIN, v);
    }
    printf("queued while blocked: %d delivered\n", rt_count);
    sigprocmask(SIG_SETMASK, &old, NULL);
    printf("after unblocking: %d delivered, values %d %d %d\n", rt_count, rt_values[0], rt_values[1], rt_values[2]);
}

// ---- timers
static volatile int alarms;
static void on_alarm(int sig) {
    (void)sig;
    alarms++;
}

static void timers(void) {
    signal(SIGALRM, on_alarm);
    struct itimerval it = {.it_interval = {0, 0}, .it_value = {0, 20000}};
    setitimer(ITIMER_REAL, &it, NULL);
    int r = pause();
    printf("pause: %d after %d alarm\n", r, alarms);

    struct itimerval cur;
    it.it_value.tv_sec = 100;
    it.it_value.tv_usec = 0;
    setitimer(ITIMER_REAL, &it, NULL);
    getitimer(ITIMER_REAL, &cur);
    printf("getitimer: about 100 s left %d\n", cur.it_value.tv_sec >= 99 && cur.it_value.tv_sec <= 100);
    printf("alarm(0) returns the old one: %u\n", alarm(0));

    // An interval timer interrupting a busy loop.
    it.it_interval.tv_usec = 5000;
    it.it_value.tv_sec = 0;
    it.it_value.tv_usec = 5000;
    alarms = 0;
    setitimer(ITIMER_REAL, &it, NULL);
    volatile unsigned long spins = 0;
    while (alarms < 3) spins++;
    memset(&it, 0, sizeof it);
    setitimer(ITIMER_REAL, &it, NULL);
    // A fourth may land between the loop and the disarm on a loaded machine (natively too): at least three.
    printf("interval timer: at least 3 alarms in a busy loop %d\n", alarms >= 3);

    // A sleep that a signal cuts short.
    it.it_value.tv_usec = 10000;
    setitimer(ITIMER_REAL, &it, NULL);
    struct timespec req = {5, 0}, rem = {0, 0};
    int s = nanosleep(&req, &rem);
    printf("nanosleep interrupted: %d, remaining over 4 s %d\n", s, rem.tv_sec >= 4);
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    faults();
    single_step();
    preserved();
    alternate_stack();
    waiting();
    timers();
    return 0;
}
