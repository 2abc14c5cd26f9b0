// Self-modifying and generated code: machine code written into an RWX
// mapping and run, rewritten and run again; a W^X variant with mprotect
// flips; a generated function called many times (so a translating
// emulator has compiled it) and then patched; a generated loop that
// increments the immediate of an instruction inside itself on every
// iteration; code copied to a new place and run there.
#include <stdio.h>
#include <string.h>
#include <stdint.h>
#include <sys/mman.h>

typedef int (*fn0)(void);
typedef int (*fn2)(int, int);

static unsigned char *emit_mov_ret(unsigned char *p, uint32_t v) {
    *p++ = 0xb8;                       // mov eax, imm32
    memcpy(p, &v, 4); p += 4;
    *p++ = 0xc3;                       // ret
    return p;
}

int main(void) {
    unsigned char *rwx = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                              MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (rwx == MAP_FAILED) { printf("mmap rwx failed\n"); return 1; }

    // 1. write, run, rewrite, run
    emit_mov_ret(rwx, 0x12345678);
    printf("first: %08x\n", ((fn0)rwx)());
    emit_mov_ret(rwx, 0xcafebabe);
    printf("rewritten: %08x\n", ((fn0)rwx)());
    // different code at the same address: add the two stack arguments
    static const unsigned char add2[] = {0x8b, 0x44, 0x24, 0x04,   // mov eax,[esp+4]
                                         0x03, 0x44, 0x24, 0x08,   // add eax,[esp+8]
                                         0xc3};
    memcpy(rwx, add2, sizeof add2);
    printf("add2(40, 2) = %d\n", ((fn2)rwx)(40, 2));
    rwx[4] = 0x2b;                     // add -> sub
    printf("sub2(40, 2) = %d\n", ((fn2)rwx)(40, 2));

    // 2. hot function patched after 20000 calls
    emit_mov_ret(rwx + 64, 1);
    fn0 hot = (fn0)(rwx + 64);
    long total = 0;
    for (int i = 0; i < 20000; i++) total += hot();
    printf("hot total before patch: %ld\n", total);
    for (int round = 2; round <= 5; round++) {
        uint32_t v = (uint32_t)round * 1000;
        memcpy(rwx + 65, &v, 4);       // patch only the immediate
        total = 0;
        for (int i = 0; i < 5000; i++) total += hot();
        printf("hot total with imm %u: %ld\n", v, total);
    }

    // 3. a loop that patches its own immediate on each iteration:
    //      xor eax,eax ; mov ecx,N
    //  L:  add eax, imm32           <- imm at rwx+128+8
    //      inc dword [rwx+128+8]
    //      loop L ; ret
    unsigned char *q = rwx + 128;
    unsigned char *c = q;
    *c++ = 0x31; *c++ = 0xc0;
    *c++ = 0xb9; { uint32_t n = 1000; memcpy(c, &n, 4); c += 4; }
    unsigned char *loop = c;
    *c++ = 0x05; { uint32_t imm = 7; memcpy(c, &imm, 4); } unsigned char *immp = c; c += 4;
    *c++ = 0xff; *c++ = 0x05; { uint32_t a = (uint32_t)(uintptr_t)immp; memcpy(c, &a, 4); c += 4; }
    *c++ = 0xe2; *c = (unsigned char)(loop - (c + 1)); c++;
    *c++ = 0xc3;
    printf("self-patching loop: %d (expected %d)\n", ((fn0)q)(), 1000 * 7 + 999 * 1000 / 2);
    printf("immediate afterwards: %u\n", *(uint32_t *)immp);
    printf("again: %d\n", ((fn0)q)());

    // 4. W^X: RW -> RX -> RW (patch) -> RX
    unsigned char *wx = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    emit_mov_ret(wx + 4096, 111);
    mprotect(wx + 4096, 4096, PROT_READ | PROT_EXEC);
    printf("wx first: %d\n", ((fn0)(wx + 4096))());
    mprotect(wx + 4096, 4096, PROT_READ | PROT_WRITE);
    emit_mov_ret(wx + 4096, 222);
    mprotect(wx + 4096, 4096, PROT_READ | PROT_EXEC);
    printf("wx patched: %d\n", ((fn0)(wx + 4096))());

    // 5. copy code elsewhere (position-independent) and run every copy
    int sum = 0;
    for (int k = 0; k < 16; k++) {
        unsigned char *dst = rwx + 512 + k * 32;
        memcpy(dst, add2, sizeof add2);
        sum += ((fn2)dst)(k, k * 3);
        dst[4] = 0x2b;
        sum += ((fn2)dst)(100, k);
    }
    printf("copies sum: %d\n", sum);

    // 6. generate a function with many different immediates, run, rewrite
    for (int gen = 0; gen < 3; gen++) {
        unsigned char *g = rwx + 1024;
        *g++ = 0x31; *g++ = 0xc0;      // xor eax,eax
        for (int i = 0; i < 100; i++) {
            uint32_t v = (uint32_t)(i * (gen + 1) + gen);
            *g++ = 0x05; memcpy(g, &v, 4); g += 4;   // add eax, v
            *g++ = 0xd1; *g++ = 0xc0;                // rol eax, 1
        }
        *g++ = 0xc3;
        printf("generated #%d: %08x\n", gen, (unsigned)((fn0)(rwx + 1024))());
    }
    munmap(wx, 8192);
    munmap(rwx, 4096);
    return 0;
}
