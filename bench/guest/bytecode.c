/* bytecode: a small stack-machine interpreter running a generated program.
 * size = number of outer iterations the guest program performs (each one runs
 *        a fixed inner loop plus a call into a bytecode subroutine), so the
 *        number of interpreted instructions is linear in size.
 * Why: a dispatch loop with a switch over opcodes is dominated by hard-to-
 * predict indirect jumps and small memory ops -- the pattern of every
 * scripting-language VM. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>

enum {
    OP_PUSH, OP_LOAD, OP_STORE, OP_ADD, OP_SUB, OP_MUL, OP_XOR, OP_SHR,
    OP_AND, OP_LT, OP_JMP, OP_JNZ, OP_JZ, OP_CALL, OP_RET, OP_DUP, OP_POP,
    OP_HALT
};

#define MAXCODE 256
static int32_t code[MAXCODE];
static int ncode;

static int emit(int32_t op) { code[ncode] = op; return ncode++; }
static void emit2(int32_t op, int32_t arg) { emit(op); emit(arg); }

/* Program (locals: 0=i, 1=n, 2=acc, 3=j, 4=x, 5=i in f):
 *   acc = seed; i = 0
 *   outer: if !(i < n) goto end
 *     j = 0
 *     inner: if !(j < 8) goto inner_end
 *       acc = acc * 1103515245 + j ; acc = acc ^ (acc >> 13)
 *       j = j + 1 ; goto inner
 *     inner_end:
 *     push acc ; push i ; call f ; store acc      (f(x,i) = (x - i) ^ (x & 0xffff) + 7)
 *     i = i + 1 ; goto outer
 *   end: push acc ; halt
 */
static int build(void)
{
    int outer, inner, jz_end, jz_inner, fpatch, f;
    emit2(OP_PUSH, 0x1234567); emit2(OP_STORE, 2);
    emit2(OP_PUSH, 0); emit2(OP_STORE, 0);
    outer = ncode;
    emit2(OP_LOAD, 0); emit2(OP_LOAD, 1); emit(OP_LT);
    emit(OP_JZ); jz_end = emit(0);
    emit2(OP_PUSH, 0); emit2(OP_STORE, 3);
    inner = ncode;
    emit2(OP_LOAD, 3); emit2(OP_PUSH, 8); emit(OP_LT);
    emit(OP_JZ); jz_inner = emit(0);
    emit2(OP_LOAD, 2); emit2(OP_PUSH, 1103515245); emit(OP_MUL);
    emit2(OP_LOAD, 3); emit(OP_ADD);
    emit(OP_DUP); emit2(OP_PUSH, 13); emit(OP_SHR); emit(OP_XOR);
    emit2(OP_STORE, 2);
    emit2(OP_LOAD, 3); emit2(OP_PUSH, 1); emit(OP_ADD); emit2(OP_STORE, 3);
    emit2(OP_JMP, inner);
    code[jz_inner] = ncode;
    emit2(OP_LOAD, 2); emit2(OP_LOAD, 0);
    emit(OP_CALL); fpatch = emit(0);
    emit2(OP_STORE, 2);
    emit2(OP_LOAD, 0); emit2(OP_PUSH, 1); emit(OP_ADD); emit2(OP_STORE, 0);
    emit2(OP_JMP, outer);
    code[jz_end] = ncode;
    emit2(OP_LOAD, 2); emit(OP_HALT);
    /* f(x, i): args on the operand stack, result replaces them:
     *   r = ((x - i) ^ (x & 0xffff)) + 7; if r == 0 then r = 1 */
    f = ncode;
    emit2(OP_STORE, 5); emit2(OP_STORE, 4);
    emit2(OP_LOAD, 4); emit2(OP_LOAD, 5); emit(OP_SUB);
    emit2(OP_LOAD, 4); emit2(OP_PUSH, 0xffff); emit(OP_AND); emit(OP_XOR);
    emit2(OP_PUSH, 7); emit(OP_ADD);
    emit(OP_DUP); emit(OP_JNZ); jz_end = emit(0);
    emit(OP_POP); emit2(OP_PUSH, 1);
    code[jz_end] = ncode;
    emit(OP_RET);
    code[fpatch] = f;
    return 0;
}

static uint32_t run(int32_t n, uint32_t *steps_out)
{
    int32_t stack[64];
    int32_t locals[8] = {0};
    int32_t rstack[16];
    int sp = 0, rsp = 0, pc = 0;
    uint32_t steps = 0;
    locals[1] = n;
    for (;;) {
        int32_t op = code[pc++];
        steps++;
        switch (op) {
        case OP_PUSH:  stack[sp++] = code[pc++]; break;
        case OP_LOAD:  stack[sp++] = locals[code[pc++]]; break;
        case OP_STORE: locals[code[pc++]] = stack[--sp]; break;
        case OP_ADD:   sp--; stack[sp - 1] = (int32_t)((uint32_t)stack[sp - 1] + (uint32_t)stack[sp]); break;
        case OP_SUB:   sp--; stack[sp - 1] = (int32_t)((uint32_t)stack[sp - 1] - (uint32_t)stack[sp]); break;
        case OP_MUL:   sp--; stack[sp - 1] = (int32_t)((uint32_t)stack[sp - 1] * (uint32_t)stack[sp]); break;
        case OP_XOR:   sp--; stack[sp - 1] ^= stack[sp]; break;
        case OP_AND:   sp--; stack[sp - 1] &= stack[sp]; break;
        case OP_SHR:   sp--; stack[sp - 1] = (int32_t)((uint32_t)stack[sp - 1] >> (stack[sp] & 31)); break;
        case OP_LT:    sp--; stack[sp - 1] = stack[sp - 1] < stack[sp]; break;
        case OP_JMP:   pc = code[pc]; break;
        case OP_JNZ:   if (stack[--sp]) pc = code[pc]; else pc++; break;
        case OP_JZ:    if (!stack[--sp]) pc = code[pc]; else pc++; break;
        case OP_CALL:  rstack[rsp++] = pc + 1; pc = code[pc]; break;
        case OP_RET:   pc = rstack[--rsp]; break;
        case OP_DUP:   stack[sp] = stack[sp - 1]; sp++; break;
        case OP_POP:   sp--; break;
        case OP_HALT:  *steps_out = steps; return (uint32_t)stack[sp - 1];
        default:
            fprintf(stderr, "bad opcode %d at %d\n", (int)op, pc - 1);
            exit(1);
        }
    }
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 1000000;
    if (n <= 0) { fprintf(stderr, "usage: %s [iterations>0]\n", argv[0]); return 2; }
    build();
    uint32_t steps = 0;
    uint32_t r = run(n, &steps);
    printf("bytecode size=%d checksum=%08x\n", n, r ^ (steps * 2654435761u));
    return 0;
}
