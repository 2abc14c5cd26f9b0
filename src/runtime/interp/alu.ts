import { Instruction } from '../../decoder/types.js';
import { CpuException, Vector } from '../exceptions.js';
import { carryFlag, lazyCode, LazyOp, PARITY_TABLE, readFlags } from '../flags.js';
import { Slot } from '../layout.js';
import type { Machine } from '../machine.js';
import { Exec, reader, readModifyWrite, regArray, regIndex, effectiveAddress, probeWrite } from './operands.js';

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
  s[Slot.LAZY_OP] = op | (bits << 8);
  s[Slot.LAZY_DST] = a;
  s[Slot.LAZY_SRC] = b;
  s[Slot.LAZY_RES] = r;
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
    probeWrite(vm, a, size);
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
  const lazy = (op: number, a: number, b: number, r: number): void => {
    s[Slot.LAZY_OP] = op;
    s[Slot.LAZY_DST] = a;
    s[Slot.LAZY_SRC] = b;
    s[Slot.LAZY_RES] = r;
  };
  if (x >= 0) {
    switch (kind) {
      case AluKind.ADD: return () => { const a = R[d], b = R[x], r = (a + b) | 0; R[d] = r; lazy(ADD32, a, b, r); };
      case AluKind.SUB: return () => { const a = R[d], b = R[x], r = (a - b) | 0; R[d] = r; lazy(SUB32, a, b, r); };
      case AluKind.CMP: return () => { const a = R[d], b = R[x]; lazy(SUB32, a, b, (a - b) | 0); };
      case AluKind.AND: return () => { const a = R[d], b = R[x], r = a & b; R[d] = r; lazy(LOGIC32, a, b, r); };
      case AluKind.OR: return () => { const a = R[d], b = R[x], r = a | b; R[d] = r; lazy(LOGIC32, a, b, r); };
      case AluKind.XOR: return () => { const a = R[d], b = R[x], r = a ^ b; R[d] = r; lazy(LOGIC32, a, b, r); };
      case AluKind.TEST: return () => { const a = R[d], b = R[x]; lazy(LOGIC32, a, b, a & b); };
      default: return null;
    }
  }
  const b = imm;
  switch (kind) {
    case AluKind.ADD: return () => { const a = R[d], r = (a + b) | 0; R[d] = r; lazy(ADD32, a, b, r); };
    case AluKind.SUB: return () => { const a = R[d], r = (a - b) | 0; R[d] = r; lazy(SUB32, a, b, r); };
    case AluKind.CMP: return () => { const a = R[d]; lazy(SUB32, a, b, (a - b) | 0); };
    case AluKind.AND: return () => { const a = R[d], r = a & b; R[d] = r; lazy(LOGIC32, a, b, r); };
    case AluKind.OR: return () => { const a = R[d], r = a | b; R[d] = r; lazy(LOGIC32, a, b, r); };
    case AluKind.XOR: return () => { const a = R[d], r = a ^ b; R[d] = r; lazy(LOGIC32, a, b, r); };
    case AluKind.TEST: return () => { const a = R[d]; lazy(LOGIC32, a, b, a & b); };
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
        const cf = carryFlag(s);
        const r = (v + delta) | 0;
        s[Slot.FLAGS] = (s[Slot.FLAGS] & ~1) | cf;
        s[Slot.LAZY_OP] = lazy;
        s[Slot.LAZY_DST] = v;
        s[Slot.LAZY_SRC] = 1;
        s[Slot.LAZY_RES] = r;
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
          // CF survives INC/DEC: fold the current one into FLAGS before the lazy state moves on.
          s[Slot.FLAGS] = (s[Slot.FLAGS] & ~1) | carryFlag(s);
          R[d] = r;
          s[Slot.LAZY_OP] = lazy;
          s[Slot.LAZY_DST] = v;
          s[Slot.LAZY_SRC] = 1;
          s[Slot.LAZY_RES] = r;
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
        s[Slot.LAZY_OP] = lazy;
        s[Slot.LAZY_DST] = 0;
        s[Slot.LAZY_SRC] = v;
        s[Slot.LAZY_RES] = r;
        return r;
      });
    }
    default: // not
      return readModifyWrite(op, vm, (v) => ~v);
  }
}

/** Sets CF and OF (and the SF ZF PF AF left undefined by MUL/IMUL, from the low result). */
function setMulFlags(s: Int32Array, overflow: boolean, low: number, bits: number): void {
  const f = s[Slot.FLAGS] & ~0x8d5; // all six replaced: no need to compute the lazy ones
  const sh = 32 - bits;
  const r = (low << sh) >> sh;
  s[Slot.FLAGS] =
    f | (overflow ? 0x801 : 0) | (r === 0 ? 0x40 : 0) | (r < 0 ? 0x80 : 0) | (PARITY_TABLE[r & 0xff] << 2);
  s[Slot.LAZY_OP] = 0;
}

/** Unsigned 32x32 → 64 multiply; returns the high dword (low is Math.imul). */
export function mulHigh32(a: number, b: number): number {
  a >>>= 0;
  b >>>= 0;
  const al = a & 0xffff, ah = a >>> 16, bl = b & 0xffff, bh = b >>> 16;
  const p0 = al * bl, p1 = al * bh, p2 = ah * bl, p3 = ah * bh;
  const mid = (p0 >>> 16) + (p1 & 0xffff) + (p2 & 0xffff);
  return (p3 + (p1 >>> 16) + (p2 >>> 16) + Math.floor(mid / 65536)) | 0;
}

/** Signed 32x32 → 64 multiply; returns the high dword. */
export function imulHigh32(a: number, b: number): number {
  let h = mulHigh32(a, b);
  if (a < 0) h = (h - b) | 0;
  if (b < 0) h = (h - a) | 0;
  return h;
}

/** MUL and one-operand IMUL: AX / DX:AX / EDX:EAX ← accumulator × operand. */
export function compileMul(insn: Instruction, vm: Machine): Exec {
  const s = vm.cpu.s, r32 = vm.cpu.r32, r16 = vm.cpu.r16, r8 = vm.cpu.r8;
  const signed = insn.entry.op === 'imul' || insn.entry.op === 'imul1';
  const src = insn.operands[insn.operands.length - 1];
  const read = reader(src, vm);
  const size = src.size;
  if (size === 1) {
    return () => {
      const a = signed ? (r8[0] << 24) >> 24 : r8[0];
      const b = signed ? (read() << 24) >> 24 : read();
      const p = a * b;
      r16[0] = p;
      setMulFlags(s, signed ? p !== (p << 24) >> 24 : p > 0xff, p, 8);
    };
  }
  if (size === 2) {
    return () => {
      const a = signed ? (r16[0] << 16) >> 16 : r16[0];
      const b = signed ? (read() << 16) >> 16 : read();
      const p = a * b;
      r16[0] = p;
      r16[4] = p >> 16; // DX
      setMulFlags(s, signed ? p !== (p << 16) >> 16 : p > 0xffff, p, 16);
    };
  }
  return () => {
    const a = r32[0];
    const b = read();
    const lo = Math.imul(a, b);
    const hi = signed ? imulHigh32(a, b) : mulHigh32(a, b);
    r32[0] = lo;
    r32[2] = hi;
    setMulFlags(s, signed ? hi !== lo >> 31 : hi !== 0, lo, 32);
  };
}

/** Two- and three-operand IMUL: truncated product, CF = OF = it did not fit. */
export function compileImulTrunc(insn: Instruction, vm: Machine): Exec {
  const s = vm.cpu.s;
  const ops = insn.operands;
  const dst = ops[0];
  const readA = reader(ops.length === 3 ? ops[1] : ops[0], vm);
  const readB = reader(ops.length === 3 ? ops[2] : ops[1], vm);
  const A = regArray(vm, dst.size);
  const d = regIndex(dst.reg, dst.size);
  if (dst.size === 2) {
    return () => {
      const p = ((readA() << 16) >> 16) * ((readB() << 16) >> 16);
      A[d] = p;
      setMulFlags(s, p !== (p << 16) >> 16, p, 16);
    };
  }
  return () => {
    const a = readA(), b = readB();
    const lo = Math.imul(a, b);
    A[d] = lo;
    setMulFlags(s, imulHigh32(a, b) !== lo >> 31, lo, 32);
  };
}

function divideError(): never {
  throw new CpuException(Vector.DE, -1, 0, 'divide error');
}

/** DIV and IDIV, raising #DE on a zero divisor or a quotient that does not fit. Flags are left as they were (undefined by the SDM). */
export function compileDiv(insn: Instruction, vm: Machine): Exec {
  const r32 = vm.cpu.r32, r16 = vm.cpu.r16, r8 = vm.cpu.r8;
  const signed = insn.entry.op === 'idiv';
  const src = insn.operands[insn.operands.length - 1];
  const read = reader(src, vm);
  if (src.size === 1) {
    return () => {
      const d = signed ? (read() << 24) >> 24 : read();
      if (d === 0) divideError();
      const n = signed ? (r16[0] << 16) >> 16 : r16[0];
      const q = Math.trunc(n / d);
      if (signed ? q > 127 || q < -128 : q > 0xff) divideError();
      r8[0] = q;
      r8[1] = n - q * d;
    };
  }
  if (src.size === 2) {
    return () => {
      const d = signed ? (read() << 16) >> 16 : read();
      if (d === 0) divideError();
      const n = signed ? (r16[4] << 16) | r16[0] : ((r16[4] << 16) | r16[0]) >>> 0;
      const q = Math.trunc(n / d);
      if (signed ? q > 32767 || q < -32768 : q > 0xffff) divideError();
      r16[0] = q;
      r16[4] = n - q * d;
    };
  }
  if (!signed) {
    return () => {
      const d = read() >>> 0;
      if (d === 0) divideError();
      const hi = r32[2] >>> 0, lo = r32[0] >>> 0;
      if (hi >= d) divideError();
      if (hi < 0x200000) {
        const n = hi * 4294967296 + lo; // exact below 2^53
        let q = Math.floor(n / d);
        let r = n - q * d;
        if (r < 0) { q--; r += d; } else if (r >= d) { q++; r -= d; }
        r32[0] = q;
        r32[2] = r;
        return;
      }
      const n = (BigInt(hi) << 32n) | BigInt(lo);
      const bd = BigInt(d);
      r32[0] = Number(n / bd & 0xffffffffn);
      r32[2] = Number(n % bd);
    };
  }
  return () => {
    const d = read() | 0;
    if (d === 0) divideError();
    const n = (BigInt(r32[2]) << 32n) | BigInt(r32[0] >>> 0);
    const bd = BigInt(d);
    const q = n / bd; // BigInt division truncates toward zero, like IDIV
    if (q > 0x7fffffffn || q < -0x80000000n) divideError();
    r32[0] = Number(q);
    r32[2] = Number(n % bd);
  };
}

/** DAA DAS AAA AAS AAM AAD. */
export function compileBcd(insn: Instruction, vm: Machine): Exec {
  const s = vm.cpu.s, r8 = vm.cpu.r8, r16 = vm.cpu.r16;
  const setSZP = (f: number, v: number): number =>
    (f & ~0xc4) | (v === 0 ? 0x40 : 0) | (v & 0x80) | (PARITY_TABLE[v] << 2);
  const done = (f: number): void => {
    s[Slot.FLAGS] = f;
    s[Slot.LAZY_OP] = 0;
  };
  switch (insn.entry.op) {
    case 'daa':
      return () => {
        let f = readFlags(s);
        const oldAl = r8[0], oldCf = f & 1;
        let al = oldAl;
        f &= ~1;
        if ((al & 0xf) > 9 || f & 0x10) {
          al += 6;
          f = (f & ~1) | oldCf | (al > 0xff ? 1 : 0) | 0x10;
          al &= 0xff;
        } else f &= ~0x10;
        if (oldAl > 0x99 || oldCf) { al = (al + 0x60) & 0xff; f |= 1; } else f &= ~1;
        r8[0] = al;
        done(setSZP(f & ~0x800, al));
      };
    case 'das':
      return () => {
        let f = readFlags(s);
        const oldAl = r8[0], oldCf = f & 1;
        let al = oldAl;
        f &= ~1;
        if ((al & 0xf) > 9 || f & 0x10) {
          const borrow = al < 6 ? 1 : 0;
          al = (al - 6) & 0xff;
          f = (f & ~1) | oldCf | borrow | 0x10;
        } else f &= ~0x10;
        if (oldAl > 0x99 || oldCf) { al = (al - 0x60) & 0xff; f |= 1; }
        r8[0] = al;
        done(setSZP(f & ~0x800, al));
      };
    case 'aaa':
    case 'aas': {
      const add = insn.entry.op === 'aaa';
      return () => {
        let f = readFlags(s);
        if ((r8[0] & 0xf) > 9 || f & 0x10) {
          if (add) r16[0] = r16[0] + 0x106;
          else { r16[0] = r16[0] - 6; r8[1] = r8[1] - 1; }
          f |= 0x11;
        } else f &= ~0x11;
        r8[0] &= 0xf;
        done(setSZP(f & ~0x800, r8[0]));
      };
    }
    case 'aam': {
      const base = insn.operands.length ? insn.operands[0].value & 0xff : 10;
      return () => {
        if (base === 0) divideError();
        const al = r8[0];
        r8[1] = Math.floor(al / base);
        r8[0] = al % base;
        done(setSZP(readFlags(s) & ~0x811, r8[0]));
      };
    }
    default: { // aad
      const base = insn.operands.length ? insn.operands[0].value & 0xff : 10;
      return () => {
        const al = (r8[0] + r8[1] * base) & 0xff;
        r16[0] = al;
        done(setSZP(readFlags(s) & ~0x811, al));
      };
    }
  }
}
