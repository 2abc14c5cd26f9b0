import { Instruction } from '../../decoder/types.js';
import { CpuException, Vector } from '../exceptions.js';
import { PARITY_TABLE, replaceStatusFlags } from '../flags.js';
import { Slot } from '../layout.js';
import type { Machine } from '../machine.js';
import { Exec, reader, regArray, regIndex } from './operands.js';

/** MUL IMUL DIV IDIV: widening multiplies and divides, with #DE. */

/** Sets CF and OF (and the SF ZF PF AF left undefined by MUL/IMUL, from the low result). */
function setMulFlags(s: Int32Array, overflow: boolean, low: number, bits: number): void {
  const sh = 32 - bits;
  const r = (low << sh) >> sh;
  replaceStatusFlags(s, (overflow ? 0x801 : 0) | (r === 0 ? 0x40 : 0) | (r < 0 ? 0x80 : 0) | (PARITY_TABLE[r & 0xff] << 2));
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

export function divideError(): never {
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
