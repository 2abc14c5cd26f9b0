// A small stack-machine bytecode interpreter (switch dispatch) running a few
// programs: loops, recursion through a call stack, gcd, a prime count,
// and a Collatz search; prints results and executed instruction counts.
#include <stdio.h>
#include <stdint.h>
#include <string.h>

enum { PUSH, POP, DUP, SWAP, OVER, ADD, SUB, MUL, DIV, MOD, NEG, AND, OR, XOR, SHL, SHR,
       LT, EQ, JMP, JZ, JNZ, CALL, RET, LOAD, STORE, PRINT, HALT };

static const char *opnames[] = {"push", "pop", "dup", "swap", "over", "add", "sub", "mul", "div",
                                "mod", "neg", "and", "or", "xor", "shl", "shr", "lt", "eq", "jmp",
                                "jz", "jnz", "call", "ret", "load", "store", "print", "halt"};

static long counts[HALT + 1];

static int32_t run(const int32_t *code, const char *name) {
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
        case ADD: b = stack[--sp]; stack[sp - 1] += b; break;
        case SUB: b = stack[--sp]; stack[sp - 1] -= b; break;
        case MUL: b = stack[--sp]; stack[sp - 1] *= b; break;
        case DIV: b = stack[--sp]; stack[sp - 1] /= b; break;
        case MOD: b = stack[--sp]; stack[sp - 1] %= b; break;
        case NEG: stack[sp - 1] = -stack[sp - 1]; break;
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
        case PRINT: printf("  %s prints %d\n", name, stack[--sp]); break;
        case HALT:
            printf("%s: result %d after %ld steps\n", name, sp ? stack[sp - 1] : 0, steps);
            return sp ? stack[sp - 1] : 0;
        default: printf("bad op %d\n", op); return -1;
        }
    }
}

int main(void) {
    // sum 1..100000 with a loop: mem0 = i, mem1 = acc
    static const int32_t sum[] = {PUSH, 0, STORE, 0, PUSH, 0, STORE, 1,
        /*8*/ LOAD, 0, PUSH, 100000, LT, JZ, 30,
        LOAD, 1, LOAD, 0, ADD, STORE, 1, LOAD, 0, PUSH, 1, ADD, STORE, 0, JMP, 8,
        /*30*/ LOAD, 1, HALT};
    // recursive fib(20) via CALL/RET: fib at 5
    static const int32_t fib[] = {PUSH, 20, CALL, 5, HALT,
        /*5*/ DUP, PUSH, 2, LT, JNZ, 24,
        DUP, PUSH, 1, SUB, CALL, 5, SWAP, PUSH, 2, SUB, CALL, 5, ADD,
        /*24*/ RET};
    // gcd(1071*k, 462*k) printed for k = 1..5 (Euclid with MOD)
    static const int32_t gcd[] = {PUSH, 1, STORE, 2,
        /*4*/ LOAD, 2, PUSH, 1071, MUL, LOAD, 2, PUSH, 462, MUL,
        /*14*/ DUP, JZ, 24, SWAP, OVER, MOD, JMP, 14,
        /*22*/ HALT, HALT,
        /*24*/ POP, PRINT, LOAD, 2, PUSH, 1, ADD, DUP, STORE, 2, PUSH, 6, LT, JNZ, 4, PUSH, 0, HALT};
    // count primes below 3000 by trial division: mem0 = n, mem1 = d, mem2 = count
    static const int32_t primes[] = {PUSH, 2, STORE, 0, PUSH, 0, STORE, 2,
        /*8*/ LOAD, 0, PUSH, 3000, LT, JZ, 60,
        PUSH, 2, STORE, 1,
        /*19*/ LOAD, 1, LOAD, 1, MUL, LOAD, 0, SWAP, LT, JNZ, 44,
        LOAD, 0, LOAD, 1, MOD, JZ, 51,
        LOAD, 1, PUSH, 1, ADD, STORE, 1, JMP, 19,
        /*44*/ LOAD, 2, PUSH, 1, ADD, STORE, 2,
        /*51*/ LOAD, 0, PUSH, 1, ADD, STORE, 0, JMP, 8,
        /*60*/ LOAD, 2, HALT};
    // longest Collatz chain start below 3000: mem0 = start, mem1 = best len, mem2 = best start
    static const int32_t collatz[] = {PUSH, 1, STORE, 0, PUSH, 0, STORE, 1,
        /*8*/ LOAD, 0, PUSH, 3000, LT, JZ, 66,
        LOAD, 0, PUSH, 0, SWAP,            /* len n */
        /*20*/ DUP, PUSH, 1, EQ, JNZ, 48,
        DUP, PUSH, 1, AND, JZ, 40,
        PUSH, 3, MUL, PUSH, 1, ADD, JMP, 43,
        /*40*/ PUSH, 1, SHR,
        /*43*/ SWAP, PUSH, 1, ADD, SWAP,
        /*48*/ DUP, PUSH, 1, EQ, JZ, 20,
        POP, DUP, LOAD, 1, SWAP, LT, JZ, 60, STORE, 1, LOAD, 0, STORE, 2, JMP, 61,
        /*60*/ POP,
        /*61*/ LOAD, 0, PUSH, 1, ADD, STORE, 0, JMP, 8,
        /*66*/ LOAD, 2, LOAD, 1, HALT};
    (void)collatz;
    run(sum, "sum");
    run(fib, "fib");
    run(gcd, "gcd");
    run(primes, "primes");
    static const int32_t bits[] = {PUSH, 0x12345678, PUSH, 4, SHL, PUSH, -1, XOR, PUSH, 0xff, OR,
                                   PUSH, 0x0f0f0f0f, AND, PUSH, 7, SHR, NEG, PUSH, 1000, DIV, HALT};
    run(bits, "bits");
    for (int i = 0; i <= HALT; i++) if (counts[i]) printf("%-6s %ld\n", opnames[i], counts[i]);
    return 0;
}
