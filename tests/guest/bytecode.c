// A small stack-machine bytecode interpreter (switch dispatch) running a few
// programs: loops, recursion through a call stack, gcd, a prime count,
// and a Collatz search; programs are assembled at run time with labels.
// Prints results and executed instruction counts.
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <stdarg.h>
#include <stdlib.h>

#include "repeat.h"

enum { PUSH, POP, DUP, SWAP, OVER, ADD, SUB, MUL, DIV, MOD, NEG, AND, OR, XOR, SHL, SHR,
       LT, EQ, JMP, JZ, JNZ, CALL, RET, LOAD, STORE, PRINT, HALT };

static const char *opnames[] = {"push", "pop", "dup", "swap", "over", "add", "sub", "mul", "div",
                                "mod", "neg", "and", "or", "xor", "shl", "shr", "lt", "eq", "jmp",
                                "jz", "jnz", "call", "ret", "load", "store", "print", "halt"};

static long counts[HALT + 1];

static int32_t run(const int32_t *code, const char *name) {
    // (SWAP OVER MOD computes b, a mod b from a, b)
    int32_t stack[256], rstack[256], mem[16] = {0};
    int sp = 0, rsp = 0, pc = 0;
    long steps = 0;
    for (;;) {
        int32_t op = code[pc++], a, b;
        steps++;
        counts[op]++;
        switch (op) {
        case PUSH: stack[sp++] = code[pc++]; break;
        case POP: sp--; break;
        case DUP: stack[sp] = stack[sp - 1]; sp++; break;
        case SWAP: a = stack[sp - 1]; stack[sp - 1] = stack[sp - 2]; stack[sp - 2] = a; break;
        case OVER: stack[sp] = stack[sp - 2]; sp++; break;
        case ADD: b = stack[--sp]; stack[sp - 1] = (int32_t)((uint32_t)stack[sp - 1] + (uint32_t)b); break;
        case SUB: b = stack[--sp]; stack[sp - 1] = (int32_t)((uint32_t)stack[sp - 1] - (uint32_t)b); break;
        case MUL: b = stack[--sp]; stack[sp - 1] = (int32_t)((uint32_t)stack[sp - 1] * (uint32_t)b); break;
        case DIV: b = stack[--sp]; stack[sp - 1] /= b; break;
        case MOD: b = stack[--sp]; stack[sp - 1] %= b; break;
        case NEG: stack[sp - 1] = (int32_t)(0u - (uint32_t)stack[sp - 1]); break;
        case AND: b = stack[--sp]; stack[sp - 1] &= b; break;
        case OR: b = stack[--sp]; stack[sp - 1] |= b; break;
        case XOR: b = stack[--sp]; stack[sp - 1] ^= b; break;
        case SHL: b = stack[--sp]; stack[sp - 1] = (int32_t)((uint32_t)stack[sp - 1] << b); break;
        case SHR: b = stack[--sp]; stack[sp - 1] = (int32_t)((uint32_t)stack[sp - 1] >> b); break;
        case LT: b = stack[--sp]; stack[sp - 1] = stack[sp - 1] < b; break;
        case EQ: b = stack[--sp]; stack[sp - 1] = stack[sp - 1] == b; break;
        case JMP: pc = code[pc]; break;
        case JZ: a = code[pc++]; if (stack[--sp] == 0) pc = a; break;
        case JNZ: a = code[pc++]; if (stack[--sp] != 0) pc = a; break;
        case CALL: rstack[rsp++] = pc + 1; pc = code[pc]; break;
        case RET: pc = rstack[--rsp]; break;
        case LOAD: stack[sp++] = mem[code[pc++]]; break;
        case STORE: mem[code[pc++]] = stack[--sp]; break;
        case PRINT: outf("  %s prints %d\n", name, stack[--sp]); break;
        case HALT:
            outf("%s: result %d after %ld steps\n", name, sp ? stack[sp - 1] : 0, steps);
            return sp ? stack[sp - 1] : 0;
        default: outf("bad op %d\n", op); return -1;
        }
    }
}

static int32_t code[1024];
static int pc_emit;
static void e(int32_t op) { code[pc_emit++] = op; }
static void e2(int32_t op, int32_t arg) { code[pc_emit++] = op; code[pc_emit++] = arg; }
static int here(void) { return pc_emit; }
static int fwd(int32_t op) { code[pc_emit++] = op; code[pc_emit++] = -1; return pc_emit - 1; }
static void patch(int at) { code[at] = pc_emit; }
static void start(void) { pc_emit = 0; memset(code, 0, sizeof code); }

static int run_once(void) {
    memset(counts, 0, sizeof counts);   // every repetition counts its own instructions
    // sum of i*i for i < 30000, wrapping in 32 bits: mem0 = i, mem1 = acc
    start();
    e2(PUSH, 0); e2(STORE, 0); e2(PUSH, 0); e2(STORE, 1);
    int top = here();
    e2(LOAD, 0); e2(PUSH, 30000); e(LT); int done = fwd(JZ);
    e2(LOAD, 1); e2(LOAD, 0); e(DUP); e(MUL); e(ADD); e2(STORE, 1);
    e2(LOAD, 0); e2(PUSH, 1); e(ADD); e2(STORE, 0); e2(JMP, top);
    patch(done); e2(LOAD, 1); e(HALT);
    run(code, "sumsq");

    // recursive fib(20) through CALL/RET
    start();
    e2(PUSH, 20); int call = fwd(CALL); e(HALT);
    int fibfn = here();
    code[call] = fibfn;
    e(DUP); e2(PUSH, 2); e(LT); int base = fwd(JNZ);
    e(DUP); e2(PUSH, 1); e(SUB); e2(CALL, fibfn); e(SWAP); e2(PUSH, 2); e(SUB); e2(CALL, fibfn); e(ADD);
    patch(base); e(RET);
    run(code, "fib");

    // gcd(1071*k, 462*k) printed for k = 1..6: mem2 = k
    start();
    e2(PUSH, 1); e2(STORE, 2);
    int loop = here();
    e2(LOAD, 2); e2(PUSH, 1071); e(MUL); e2(LOAD, 2); e2(PUSH, 462); e(MUL);
    int eu = here();                       // stack: a b
    e(DUP); int fin = fwd(JZ);             // b == 0 -> done
    e(SWAP); e(OVER); e(MOD); e2(JMP, eu); // a b -> b (a mod b)
    patch(fin); e(POP); e(PRINT);
    e2(LOAD, 2); e2(PUSH, 1); e(ADD); e(DUP); e2(STORE, 2); e2(PUSH, 7); e(LT); e2(JNZ, loop);
    e2(LOAD, 2); e(HALT);
    run(code, "gcd");

    // count primes below 3000 by trial division: mem0 = n, mem1 = d, mem2 = count
    start();
    e2(PUSH, 2); e2(STORE, 0); e2(PUSH, 0); e2(STORE, 2);
    int outer = here();
    e2(LOAD, 0); e2(PUSH, 3000); e(LT); int end = fwd(JZ);
    e2(PUSH, 2); e2(STORE, 1);
    int inner = here();
    e2(LOAD, 0); e2(LOAD, 1); e2(LOAD, 1); e(MUL); e(LT); int isprime = fwd(JNZ);   // n < d*d
    e2(LOAD, 0); e2(LOAD, 1); e(MOD); int notprime = fwd(JZ);
    e2(LOAD, 1); e2(PUSH, 1); e(ADD); e2(STORE, 1); e2(JMP, inner);
    patch(isprime); e2(LOAD, 2); e2(PUSH, 1); e(ADD); e2(STORE, 2);
    patch(notprime); e2(LOAD, 0); e2(PUSH, 1); e(ADD); e2(STORE, 0); e2(JMP, outer);
    patch(end); e2(LOAD, 2); e(HALT);
    run(code, "primes");

    // longest Collatz chain for starts below 1000: mem0 = start, mem1 = best length, mem2 = best start
    start();
    e2(PUSH, 1); e2(STORE, 0); e2(PUSH, 0); e2(STORE, 1);
    int cl = here();
    e2(LOAD, 0); e2(PUSH, 1000); e(LT); int cend = fwd(JZ);
    e2(PUSH, 0); e2(LOAD, 0);                       // len n
    int step = here();
    e(DUP); e2(PUSH, 1); e(EQ); int reached = fwd(JNZ);
    e(DUP); e2(PUSH, 1); e(AND); int even = fwd(JZ);
    e2(PUSH, 3); e(MUL); e2(PUSH, 1); e(ADD); int next = fwd(JMP);
    patch(even); e2(PUSH, 1); e(SHR);
    patch(next); e(SWAP); e2(PUSH, 1); e(ADD); e(SWAP); e2(JMP, step);
    patch(reached); e(POP);                         // len
    e(DUP); e2(LOAD, 1); e(SWAP); e(LT); int notbetter = fwd(JZ);   // best < len ?
    e2(STORE, 1); e2(LOAD, 0); e2(STORE, 2); int cont = fwd(JMP);
    patch(notbetter); e(POP);
    patch(cont); e2(LOAD, 0); e2(PUSH, 1); e(ADD); e2(STORE, 0); e2(JMP, cl);
    patch(cend); e2(LOAD, 1); e(PRINT); e2(LOAD, 2); e(HALT);
    run(code, "collatz");

    static const int32_t bits[] = {PUSH, 0x12345678, PUSH, 4, SHL, PUSH, -1, XOR, PUSH, 0xff, OR,
                                   PUSH, 0x0f0f0f0f, AND, PUSH, 7, SHR, NEG, PUSH, 1000, DIV,
                                   PUSH, -7, MOD, HALT};
    run(bits, "bits");
    for (int i = 0; i <= HALT; i++) if (counts[i]) outf("%-6s %ld\n", opnames[i], counts[i]);
    return 0;
}

int main(int argc, char **argv) { return repeat_main(argc, argv, run_once); }
