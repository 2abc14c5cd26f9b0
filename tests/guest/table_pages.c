// Loops over global tables (absolute addresses, which the translator's per-site
// page caches serve): dword loads and stores at every offset, so misaligned
// ones cross page boundaries, and a protection change made by a system call
// inside the loop itself (no call instruction, so the loop stays one loop),
// which the caches must not outlive: the next access to that page faults,
// the handler gives the page back, and the loop goes on.
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE 4096
#define SIZE (4 * PAGE)

static unsigned char table[SIZE] __attribute__((aligned(PAGE)));
static unsigned char out[SIZE] __attribute__((aligned(PAGE)));
static volatile int faults;

static void give_back(int sig, siginfo_t *si, void *ctx)
{
    (void)sig; (void)ctx;
    uintptr_t page = (uintptr_t)si->si_addr & ~(uintptr_t)(PAGE - 1);
    faults++;
    mprotect((void *)page, PAGE, PROT_READ | PROT_WRITE);
}

/* mprotect by int $0x80 in line: the loop around it has no call. */
static inline long protect(void *addr, long len, long prot)
{
    long r;
    __asm__ volatile("int $0x80" : "=a"(r) : "a"(125), "b"(addr), "c"(len), "d"(prot) : "memory");
    return r;
}

static uint32_t sum_loads(unsigned pass, unsigned revoke_at)
{
    uint32_t sum = pass;
    for (unsigned i = 0; i + 4 <= SIZE; i++) {
        uint32_t v;
        if (i == revoke_at) protect(table + 2 * PAGE, PAGE, PROT_NONE);
        memcpy(&v, table + i, 4);
        sum = (sum ^ v) * 16777619u;
    }
    return sum;
}

static uint32_t fill_stores(unsigned pass, unsigned revoke_at)
{
    for (unsigned i = 0; i + 4 <= SIZE; i++) {
        uint32_t v = i * 2654435761u + pass;
        if (i == revoke_at) protect(out + PAGE, PAGE, PROT_READ);
        memcpy(out + i, &v, 4);
    }
    uint32_t h = 2166136261u;
    for (unsigned i = 0; i < SIZE; i++) h = (h ^ out[i]) * 16777619u;
    return h;
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = give_back;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    /* Pages touched last to first: where an emulator places pages as they are first touched, neighbours in
       the guest are not neighbours in its memory, and an access that crosses a page must see both pages. */
    for (int p = SIZE / PAGE - 1; p >= 0; p--) table[p * PAGE] = out[p * PAGE] = 1;
    for (unsigned i = 0; i < SIZE; i++) table[i] = (unsigned char)(i * 7 + (i >> 9));
    for (unsigned pass = 0; pass < 6; pass++) {
        /* The later passes run translated; revoking inside the page the caches hold (and in the next one). */
        unsigned revoke = pass < 2 ? SIZE : pass % 2 ? PAGE + 100 : 2 * PAGE + 100;
        uint32_t loads = sum_loads(pass, revoke);
        uint32_t stores = fill_stores(pass, revoke);
        printf("pass %u: loads %08x stores %08x faults %d\n", pass, loads, stores, faults);
    }
    return 0;
}
