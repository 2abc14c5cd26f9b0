// --x87 exact on a bare machine: 80-bit results that a double cannot hold
// come out bit for bit as floatx80 computes them (floatx80.test.ts proves
// those against the CPU) under the interpreter, jit and auto, with the
// status word's flags; translated code calls the interpreter for every x87
// instruction; and the double mode rounds the same program differently,
// so the test shows which mode ran.
import { describe, expect, test } from 'vitest';
import { createBareMachine } from '../../src/runtime/bare.js';
import { Slot } from '../../src/runtime/layout.js';
import type { Engine } from '../../src/runtime/machine.js';
import * as F from '../../src/runtime/interp/floatx80.js';
import { assemble } from '../runtime/asm.js';

const CODE = 0x1000;
const DATA = 0x3000;

/** The 10 bytes of an 80-bit value as `mov dword/word` initialisers at `at`. */
function f80Words(v: F.F80, at: number): string[] {
  const b = F.f80ToBytes(v);
  const dv = new DataView(b.buffer, b.byteOffset, 10);
  return [`mov dword ptr [${at}], ${dv.getInt32(0, true)}`, `mov dword ptr [${at + 4}], ${dv.getInt32(4, true)}`, `mov word ptr [${at + 8}], ${dv.getUint16(8, true)}`];
}

// sqrt(2) and pi with 64-bit significands, beyond a double.
const A: F.F80 = { sign: 0, exp: 16383, mant: 0xb504f333f9de6485n };
const B: F.F80 = { sign: 0, exp: 16384, mant: 0xc90fdaa22168c235n };

// A loop (so auto translates it): ST0 = (A * B + A) / B, stored as m80 and m64, then FSQRT and an FIST, under
// round-up and 53-bit precision too; each iteration stores its results (the product too) and the status word at EDI.
const SOURCE = [
  ...f80Words(A, DATA), ...f80Words(B, DATA + 16),
  'mov dword ptr [0x3020], 0x037f', 'mov dword ptr [0x3024], 0x0b7f', 'mov dword ptr [0x3028], 0x027f',
  `mov edi, ${DATA + 0x100}`, 'xor ecx, ecx',
  '1: mov eax, ecx', 'and eax, 3', 'cmp eax, 3', 'jne 2f', 'xor eax, eax', '2:', 'fninit', 'fldcw [0x3020 + eax*4]',
  `fld tbyte ptr [${DATA}]`, `fld tbyte ptr [${DATA + 16}]`, 'fmul st, st(1)', 'fld st(0)', 'fstp tbyte ptr [edi + 36]', 'fadd st, st(1)', `fld tbyte ptr [${DATA + 16}]`,
  'fdivp st(1), st', 'fld st(0)', 'fstp tbyte ptr [edi]', 'fst qword ptr [edi + 10]', 'fsqrt', 'fstp tbyte ptr [edi + 18]',
  'fldpi', 'fimul dword ptr [0x3024]', 'fistp dword ptr [edi + 28]', 'fnstsw ax', 'mov [edi + 32], ax',
  'fstp st(0)', 'add edi, 46', 'inc ecx', 'cmp ecx, 30', 'jne 1b', 'int 0x80',
].join('\n');

function run(engine: Engine, x87: 'double' | 'exact') {
  const { vm, traps } = createBareMachine({
    code: assemble(SOURCE), address: CODE, map: [[CODE, 0x1000], [DATA, 0x2000]], engine, x87,
    translator: { asyncCompile: false, threshold: 4 },
  });
  vm.run(10_000_000);
  return {
    trap: traps.last?.vector ?? null,
    out: Array.from(vm.mmu.readBytes(DATA + 0x100, 46 * 30)),
    sw: vm.cpu.s[Slot.FPU_SW] & 0xffff,
    stats: vm.stats().translator,
  };
}

describe('x87 exact mode', () => {
  test('80-bit results under interp, jit and auto are floatx80\'s, and translated code calls the interpreter for the x87', () => {
    const ref = run('interp', 'exact');
    expect(ref.trap).toBe(0x80);
    // The first iteration (round to nearest, 64-bit precision) against floatx80 computed here.
    const ctl = { pc: 3, rc: 0 };
    const product = F.mul(B, A, ctl).value;
    const q = F.div(F.add(product, A, ctl).value, B, ctl).value;
    expect(ref.out.slice(36, 46)).toEqual(Array.from(F.f80ToBytes(product)));
    expect(ref.out.slice(0, 10)).toEqual(Array.from(F.f80ToBytes(q)));
    expect(ref.out.slice(18, 28)).toEqual(Array.from(F.f80ToBytes(F.sqrt(q, ctl).value)));
    for (const engine of ['jit', 'auto'] as const) {
      const r = run(engine, 'exact');
      expect({ trap: r.trap, out: r.out, sw: r.sw }, engine).toEqual({ trap: ref.trap, out: ref.out, sw: ref.sw });
      expect(r.stats!.helperInstructions, `${engine}: x87 through the interpreter`).toBeGreaterThan(30 * 15);
    }
    // The double mode cannot hold these values: its m80 results differ.
    expect(run('interp', 'double').out).not.toEqual(ref.out);
  });
});
