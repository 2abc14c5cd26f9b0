// Thread-local storage in a static program: initialised and zeroed
// __thread variables of several sizes and alignments, TLS arrays and
// structs, addresses taken and used through pointers, errno (itself TLS),
// and the stack protector canary (read through %gs as well).
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <stdint.h>
#include <unistd.h>

__thread int counter = 42;
__thread long long big = 0x1122334455667788ll;
__thread char tag[16] = "tls-tag";
__thread int zeroed[100];
__thread struct { short a; double pad_not_used; int b[3]; } st = {7, 0, {1, 2, 3}};
__thread unsigned char aligned64[64] __attribute__((aligned(64))) = {1, 2, 3};
static __thread int local_static = -5;

static int *counter_ptr(void) { return &counter; }

static void bump(int n) {
    for (int i = 0; i < n; i++) {
        counter++;
        zeroed[i % 100] += i;
        local_static--;
    }
}

int main(void) {
    printf("initial: counter %d big %llx tag %s st.a %d st.b %d,%d,%d aligned %d,%d,%d local %d\n",
           counter, big, tag, st.a, st.b[0], st.b[1], st.b[2], aligned64[0], aligned64[1],
           aligned64[2], local_static);
    int allzero = 1;
    for (int i = 0; i < 100; i++) allzero &= zeroed[i] == 0;
    printf("zeroed array all zero: %d\n", allzero);
    printf("64-byte aligned: %d\n", ((uintptr_t)aligned64 & 63) == 0);
    bump(1000);
    int *p = counter_ptr();
    *p += 1000;
    big ^= 0xffffffff00000000ll;
    strcat(tag, "+more");
    st.b[1] *= 100;
    long s = 0;
    for (int i = 0; i < 100; i++) s += zeroed[i];
    printf("after: counter %d (via ptr %d) big %llx tag %s st.b[1] %d sum %ld local %d\n",
           counter, *p, big, tag, st.b[1], s, local_static);
    errno = 0;
    int r = close(-1);
    printf("errno after close(-1): r=%d errno=%d (%s)\n", r, errno, errno == EBADF ? "EBADF" : "?");
    errno = 1234;
    printf("errno assignable: %d\n", errno);
    errno = 0;
    // the TCB: %gs:0 holds the thread pointer (points to itself in glibc i386)
    uintptr_t tp;
    __asm__ volatile("movl %%gs:0, %0" : "=r"(tp));
    printf("gs:0 is a self pointer: %d\n", tp == (uintptr_t)__builtin_thread_pointer());
    uintptr_t canary;
    __asm__ volatile("movl %%gs:0x14, %0" : "=r"(canary));
    printf("stack guard low byte is zero: %d\n", (canary & 0xff) == 0);
    return 0;
}
