// SSE, SSE2 and MMX on bare machines: the interpreter's semantics reached
// from translated code (every SSE instruction is an interpreter helper call
// under jit and auto) leave the same XMM, MXCSR, x87/MMX, register and flag
// state, and their faults are precise: a load running into an unmapped page
// (#PF), a misaligned MOVAPS (#GP), an unmasked SIMD exception (#XM, the
// destination unchanged). Also the MMX view of the x87 registers: an MMX
// value survives FXSAVE/FXRSTOR bit for bit and reads as the SDM's NaN to the
// x87. The differential corpus (tests/guest/sse_*.c, mmx.c, fxsave.c) checks
// the results against the real CPU.
import { describe, expect, test } from 'vitest';
import { ISA_TABLE } from '../../src/decoder/isa-table.js';
import { createBareMachine } from '../../src/runtime/bare.js';
import { SEMANTICS } from '../../src/runtime/interp/compile.js';
import { readFlags } from '../../src/runtime/flags.js';
import { MMX_BYTE, Slot, XMM_BYTE } from '../../src/runtime/layout.js';
import type { Engine } from '../../src/runtime/machine.js';
import { assemble } from './asm.js';

const CODE = 0x1000;
const DATA = 0x3000;

function run(source: string, engine: Engine) {
  const { vm, traps } = createBareMachine({
    code: assemble(source),
    address: CODE,
    map: [[CODE, 0x1000], [DATA, 0x2000]],
    engine,
    translator: { asyncCompile: false, threshold: 4 },
  });
  vm.run(10_000_000);
  const s = vm.cpu.s;
  return {
    trap: traps.last?.vector ?? null,
    eip: vm.cpu.eip,
    regs: Array.from(s.subarray(0, 8)),
    flags: readFlags(s) & 0x8d5,
    mxcsr: s[Slot.MXCSR],
    xmm: Array.from(new Int32Array(s.buffer, s.byteOffset + XMM_BYTE, 32)),
    fpu: Array.from(s.subarray(Slot.FPU_TOP, Slot.FPU_EMPTY + 1)),
    mmx: Array.from(new Int32Array(s.buffer, s.byteOffset + MMX_BYTE, 16)),
    data: Array.from(vm.mmu.readBytes(DATA, 0x300)),
    icount: vm.icount,
  };
}

const ENGINES = ['jit', 'auto'] as const;

describe('SSE in the interpreter and through translated code', () => {
  test('every MMX, SSE and SSE2 row of the ISA table has interpreter semantics', () => {
    const rows = ISA_TABLE.filter((r) => ['mmx', 'sse', 'sse2'].includes(r.group) || r.op === 'fxsave' || r.op === 'fxrstor');
    expect(rows.length).toBeGreaterThan(200);
    expect(rows.filter((r) => !SEMANTICS[r.op]).map((r) => r.mnemonic)).toEqual([]);
  });

  test('a loop of SSE, SSE2 and MMX instructions walks into an unmapped page: same state, precise #PF', () => {
    const source = [
      `mov esi, ${DATA + 0x1f00}`, `mov edi, ${DATA}`, 'mov ecx, 1', 'pxor xmm1, xmm1', 'xorps xmm5, xmm5',
      '1: movups xmm0, [esi]', 'addps xmm1, xmm0', 'cvtsi2sd xmm2, ecx', 'mulsd xmm2, xmm2', 'sqrtsd xmm3, xmm2',
      'comisd xmm3, xmm2', 'setb al', 'movd ebx, xmm1', 'add ebx, ecx', 'pcmpeqb xmm0, xmm5', 'pmovmskb edx, xmm0',
      'movq mm0, [esi]', 'paddw mm0, mm0', 'movq [edi + 8], mm0', 'movdqu [edi + 16], xmm1', 'cvttsd2si eax, xmm3',
      'add esi, 12', 'add ecx, 3', 'cmp ecx, 1000', 'jb 1b', 'emms', 'int 0x80',
    ].join('\n');
    const ref = run(source, 'interp');
    expect(ref.trap).toBe(14);
    for (const engine of ENGINES) expect(run(source, engine), engine).toEqual(ref);
  });

  test('a misaligned MOVAPS raises #GP, MOVUPS does not; MXCSR flags are sticky', () => {
    const source = [
      `mov edi, ${DATA + 0x40}`, `mov esi, ${DATA + 0x101}`, 'mov ecx, 20',
      `mov dword ptr [${DATA + 0x80}], 0x40400000`, `mov dword ptr [${DATA + 0x101}], 0x3f800000`,
      '1: movups xmm0, [esi]', `divss xmm0, [${DATA + 0x80}]`, 'stmxcsr [edi]', 'mov ebx, [edi]', 'dec ecx', 'jnz 1b',
      'movaps xmm1, [esi]', 'int 0x80',
    ].join('\n');
    const ref = run(source, 'interp');
    expect(ref.trap).toBe(13);
    expect(ref.mxcsr & 0x3f).toBe(0x20);
    expect(ref.xmm[0]).toBe(0x3eaaaaab);
    for (const engine of ENGINES) expect(run(source, engine), engine).toEqual(ref);
  });

  test('an unmasked divide-by-zero raises #XM before the destination changes', () => {
    const source = [
      `mov dword ptr [${DATA}], 0x1d80`, `ldmxcsr [${DATA}]`, 'mov eax, 0x3f800000', 'movd xmm0, eax', 'xorps xmm1, xmm1',
      'mov ecx, 10', '1: addss xmm0, xmm0', 'dec ecx', 'jnz 1b', 'divss xmm0, xmm1', 'int 0x80',
    ].join('\n');
    const ref = run(source, 'interp');
    expect(ref.trap).toBe(19);
    expect(ref.xmm[0]).toBe(0x44800000); // 1024: not overwritten by the infinity
    expect(ref.mxcsr & 0x3f).toBe(0x04);
    for (const engine of ENGINES) expect(run(source, engine), engine).toEqual(ref);
  });

  test('MMX values alias the x87 registers: NaN to the x87, exact through FXSAVE/FXRSTOR, TOP 0 and tags valid', () => {
    const source = [
      `mov dword ptr [${DATA}], 0x01234567`, `mov dword ptr [${DATA + 4}], 0x89abcdef`,
      'fld1', 'fld1', 'emms', `movq mm2, [${DATA}]`, `fxsave [${DATA + 0x100}]`, 'fninit', `movq mm2, [${DATA + 8}]`,
      `fxrstor [${DATA + 0x100}]`, `movq [${DATA + 16}], mm2`, 'ffree st(7)', 'fld st(2)', `fstp qword ptr [${DATA + 24}]`,
      'fnstsw ax', 'int 0x80',
    ].join('\n');
    const r = run(source, 'interp');
    expect(r.trap).toBe(0x80);
    const bytes = (at: number, n: number) => r.data.slice(at, at + n);
    const le = (v: bigint, n: number) => Array.from({ length: n }, (_, i) => Number((v >> BigInt(8 * i)) & 0xffn));
    // FXSAVE: ST2 is R2 (TOP 0): the MMX value as significand, exponent 0xFFFF.
    expect(bytes(0x100 + 32 + 2 * 16, 10)).toEqual([...le(0x89abcdef01234567n, 8), 0xff, 0xff]);
    // Abridged tags: every register valid after an MMX instruction.
    expect(r.data[0x104]).toBe(0xff);
    // FXRSTOR brought the value back exactly.
    expect(bytes(16, 8)).toEqual(le(0x89abcdef01234567n, 8));
    // The x87 sees a negative quiet NaN with the top of the fraction as payload.
    const frac = (0x89abcdef01234567n >> 11n) & ((1n << 52n) - 1n);
    expect(bytes(24, 8)).toEqual(le(0xfff0000000000000n | (1n << 51n) | frac, 8));
    for (const engine of ENGINES) expect(run(source, engine), engine).toEqual(r);
  });
});
