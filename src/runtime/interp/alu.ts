import { Instruction } from '../../decoder/types.js';
import { carryFlag, lazyCode, LazyOp, recordIncDec, recordLazy } from '../flags.js';
import type { Machine } from '../machine.js';
import { Exec, reader, readModifyWrite, regArray, regIndex, effectiveAddress } from './operands.js';

/** Binary ALU operations in encoding order (the ModRM.reg of group 1), plus TEST. */
export const enum AluKind {
  ADD = 0,
  OR = 1,
  ADC = 2,
  SBB = 3,
  AND = 4,
  SUB = 5,
  XOR = 6,
  CMP = 7,
  TEST = 8,
}

/** Computes a binary ALU result and records its flags lazily. */
export function alu(s: Int32Array, kind: number, bits: number, a: number, b: number): number {
  let r: number;
  let op: LazyOp;
  switch (kind) {
    case AluKind.ADD: r = (a + b) | 0; op = LazyOp.ADD; break;
    case AluKind.OR: r = a | b; op = LazyOp.LOGIC; break;
    case AluKind.ADC: r = (a + b + carryFlag(s)) | 0; op = LazyOp.ADD; break;
    case AluKind.SBB: r = (a - b - carryFlag(s)) | 0; op = LazyOp.SUB; break;
    case AluKind.AND: case AluKind.TEST: r = a & b; op = LazyOp.LOGIC; break;
    case AluKind.XOR: r = a ^ b; op = LazyOp.LOGIC; break;
    default: r = (a - b) | 0; op = LazyOp.SUB; break; // SUB, CMP
  }
  recordLazy(s, op | (bits << 8), a, b, r);
  return r;
}

const ALU_KINDS: Record<string, AluKind> = {
  add: AluKind.ADD, or: AluKind.OR, adc: AluKind.ADC, sbb: AluKind.SBB,
  and: AluKind.AND, sub: AluKind.SUB, xor: AluKind.XOR, cmp: AluKind.CMP, test: AluKind.TEST,
};

/** ADD OR ADC SBB AND SUB XOR CMP TEST in every operand form. */
export function compileAlu(insn: Instruction, vm: Machine, _stack?: unknown, flagsDead = false): Exec {
  const kind = ALU_KINDS[insn.entry.op];
  const [dst, src] = insn.operands;
  const s = vm.cpu.s;
  const size = dst.size;
  const bits = size * 8;
  const writes = kind !== AluKind.CMP && kind !== AluKind.TEST;
  if (dst.kind === 'reg' && size === 4 && (src.kind === 'reg' || src.kind === 'imm')) {
    const fast = flagsDead
      ? aluReg32NoFlags(kind, dst.reg, src.kind === 'reg' ? src.reg : -1, src.value | 0, vm.cpu.r32)
      : aluReg32(s, kind, dst.reg, src.kind === 'reg' ? src.reg : -1, src.value | 0, vm.cpu.r32);
    if (fast) return fast;
  }
  if (dst.kind === 'reg') {
    const A = regArray(vm, size);
    const d = regIndex(dst.reg, size);
    if (src.kind === 'reg') {
      const B = regArray(vm, src.size);
      const x = regIndex(src.reg, src.size);
      // xor r, r / sub r, r: the idiom for zero.
      return writes
        ? () => { A[d] = alu(s, kind, bits, A[d], B[x]); }
        : () => { alu(s, kind, bits, A[d], B[x]); };
    }
    if (src.kind === 'imm') {
      const v = size === 4 ? src.value | 0 : src.value & (size === 2 ? 0xffff : 0xff);
      return writes
        ? () => { A[d] = alu(s, kind, bits, A[d], v); }
        : () => { alu(s, kind, bits, A[d], v); };
    }
    const read = reader(src, vm);
    return writes
      ? () => { A[d] = alu(s, kind, bits, A[d], read()); }
      : () => { alu(s, kind, bits, A[d], read()); };
  }
  // Memory destination.
  const ea = effectiveAddress(dst, vm);
  const mmu = vm.mmu;
  const read = reader(src, vm);
  if (!writes) return () => { const a = ea(); alu(s, kind, bits, mmu.read(a, size), read()); };
  return () => {
    const a = ea();
    const v = mmu.read(a, size);
    const b = read();
    vm.mmu.probeWrite(a, size);
    mmu.write(a, size, alu(s, kind, bits, v, b));
  };
}

const ADD32 = LazyOp.ADD | (32 << 8);
const SUB32 = LazyOp.SUB | (32 << 8);
const LOGIC32 = LazyOp.LOGIC | (32 << 8);

/**
 * 32-bit register destination with a register (x >= 0) or immediate source:
 * one closure literal per operation, so each stays monomorphic and free of
 * the generic switch (these are most of the ALU work in real code).
 */
function aluReg32(s: Int32Array, kind: AluKind, d: number, x: number, imm: number, R: Int32Array): Exec | null {
  if (x >= 0) {
    switch (kind) {
      case AluKind.ADD: return () => { const a = R[d], b = R[x], r = (a + b) | 0; R[d] = r; recordLazy(s, ADD32, a, b, r); };
      case AluKind.SUB: return () => { const a = R[d], b = R[x], r = (a - b) | 0; R[d] = r; recordLazy(s, SUB32, a, b, r); };
      case AluKind.CMP: return () => { const a = R[d], b = R[x]; recordLazy(s, SUB32, a, b, (a - b) | 0); };
      case AluKind.AND: return () => { const a = R[d], b = R[x], r = a & b; R[d] = r; recordLazy(s, LOGIC32, a, b, r); };
      case AluKind.OR: return () => { const a = R[d], b = R[x], r = a | b; R[d] = r; recordLazy(s, LOGIC32, a, b, r); };
      case AluKind.XOR: return () => { const a = R[d], b = R[x], r = a ^ b; R[d] = r; recordLazy(s, LOGIC32, a, b, r); };
      case AluKind.TEST: return () => { const a = R[d], b = R[x]; recordLazy(s, LOGIC32, a, b, a & b); };
      default: return null;
    }
  }
  const b = imm;
  switch (kind) {
    case AluKind.ADD: return () => { const a = R[d], r = (a + b) | 0; R[d] = r; recordLazy(s, ADD32, a, b, r); };
    case AluKind.SUB: return () => { const a = R[d], r = (a - b) | 0; R[d] = r; recordLazy(s, SUB32, a, b, r); };
    case AluKind.CMP: return () => { const a = R[d]; recordLazy(s, SUB32, a, b, (a - b) | 0); };
    case AluKind.AND: return () => { const a = R[d], r = a & b; R[d] = r; recordLazy(s, LOGIC32, a, b, r); };
    case AluKind.OR: return () => { const a = R[d], r = a | b; R[d] = r; recordLazy(s, LOGIC32, a, b, r); };
    case AluKind.XOR: return () => { const a = R[d], r = a ^ b; R[d] = r; recordLazy(s, LOGIC32, a, b, r); };
    case AluKind.TEST: return () => { const a = R[d]; recordLazy(s, LOGIC32, a, b, a & b); };
    default: return null;
  }
}

/** The same forms when flag liveness says the flags are overwritten before being read: just the result. */
function aluReg32NoFlags(kind: AluKind, d: number, x: number, imm: number, R: Int32Array): Exec | null {
  if (x >= 0) {
    switch (kind) {
      case AluKind.ADD: return () => { R[d] = (R[d] + R[x]) | 0; };
      case AluKind.SUB: return () => { R[d] = (R[d] - R[x]) | 0; };
      case AluKind.AND: return () => { R[d] &= R[x]; };
      case AluKind.OR: return () => { R[d] |= R[x]; };
      case AluKind.XOR: return () => { R[d] ^= R[x]; };
      case AluKind.CMP: case AluKind.TEST: return () => {};
      default: return null; // ADC/SBB read CF
    }
  }
  const b = imm;
  switch (kind) {
    case AluKind.ADD: return () => { R[d] = (R[d] + b) | 0; };
    case AluKind.SUB: return () => { R[d] = (R[d] - b) | 0; };
    case AluKind.AND: return () => { R[d] &= b; };
    case AluKind.OR: return () => { R[d] |= b; };
    case AluKind.XOR: return () => { R[d] ^= b; };
    case AluKind.CMP: case AluKind.TEST: return () => {};
    default: return null;
  }
}

/** INC DEC NEG NOT. */
export function compileUnary(insn: Instruction, vm: Machine, _stack?: unknown, flagsDead = false): Exec {
  const s = vm.cpu.s;
  const op = insn.operands[0];
  const bits = op.size * 8;
  switch (insn.entry.op) {
    case 'inc':
    case 'dec': {
      const lazy = lazyCode(insn.entry.op === 'inc' ? LazyOp.INC : LazyOp.DEC, bits);
      const delta = insn.entry.op === 'inc' ? 1 : -1;
      const f = (v: number): number => {
        const r = (v + delta) | 0;
        recordIncDec(s, lazy, v, r);
        return r;
      };
      if (op.kind === 'reg' && op.size === 4 && flagsDead) {
        // Its OSZAP are overwritten before being read, and CF was never its to change.
        const R = vm.cpu.r32, d = op.reg;
        return () => { R[d] = (R[d] + delta) | 0; };
      }
      if (op.kind === 'reg' && op.size === 4) {
        const R = vm.cpu.r32, d = op.reg;
        return () => {
          const v = R[d];
          const r = (v + delta) | 0;
          R[d] = r;
          recordIncDec(s, lazy, v, r);
        };
      }
      if (op.kind === 'reg') {
        const A = regArray(vm, op.size);
        const d = regIndex(op.reg, op.size);
        return () => { A[d] = f(A[d]); };
      }
      return readModifyWrite(op, vm, f);
    }
    case 'neg': {
      const lazy = lazyCode(LazyOp.SUB, bits);
      return readModifyWrite(op, vm, (v) => {
        const r = -v | 0;
        recordLazy(s, lazy, 0, v, r);
        return r;
      });
    }
    default: // not
      return readModifyWrite(op, vm, (v) => ~v);
  }
}
