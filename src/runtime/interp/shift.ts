import { Instruction } from '../../decoder/types.js';
import { lazyCode, LazyOp, readFlags, setCarryOverflow } from '../flags.js';
import { Slot } from '../layout.js';
import type { Machine } from '../machine.js';
import { effectiveAddress, Exec, reader, regArray, regIndex } from './operands.js';

const enum ShiftKind { ROL = 0, ROR = 1, RCL = 2, RCR = 3, SHL = 4, SHR = 5, SAL = 6, SAR = 7 }

const KINDS: Record<string, ShiftKind> = {
  rol: ShiftKind.ROL, ror: ShiftKind.ROR, rcl: ShiftKind.RCL, rcr: ShiftKind.RCR,
  shl: ShiftKind.SHL, sal: ShiftKind.SHL, shr: ShiftKind.SHR, sar: ShiftKind.SAR,
};

/** Result of a shift: SF ZF PF from the result, CF OF (and AF, undefined: 0) given. */
function shiftFlags(s: Int32Array, bits: number, r: number, cf: number, of: number): void {
  // All six status flags are replaced, so the stale lazy ones need not be computed.
  s[Slot.FLAGS] = (s[Slot.FLAGS] & ~0x8d5) | cf | (of << 11);
  s[Slot.LAZY_OP] = lazyCode(LazyOp.RESULT, bits);
  s[Slot.LAZY_RES] = r;
}

/** Rotates change only CF and OF. */
function rotateFlags(s: Int32Array, cf: number, of: number): void {
  setCarryOverflow(s, cf, of);
}

/**
 * One shift or rotate of `v` (zero-extended, `bits` wide) by `count`
 * (already masked to 5 bits, non-zero). Returns the result; sets flags.
 */
export function shift(s: Int32Array, kind: number, bits: number, v: number, count: number): number {
  const mask = bits === 32 ? -1 : (1 << bits) - 1;
  const msb = bits - 1;
  switch (kind) {
    case ShiftKind.ROL: {
      const c = count % bits;
      const r = c === 0 ? v : ((v << c) | ((v & mask) >>> (bits - c))) & mask;
      const cf = r & 1;
      rotateFlags(s, cf, ((r >>> msb) & 1) ^ cf);
      return r;
    }
    case ShiftKind.ROR: {
      const c = count % bits;
      const r = c === 0 ? v : (((v & mask) >>> c) | (v << (bits - c))) & mask;
      rotateFlags(s, (r >>> msb) & 1, ((r >>> msb) ^ (r >>> (msb - 1))) & 1);
      return r;
    }
    case ShiftKind.RCL: {
      const c = bits === 32 ? count : count % (bits + 1);
      const cfIn = readFlags(s) & 1;
      if (c === 0) { rotateFlags(s, cfIn, ((v >>> msb) & 1) ^ cfIn); return v; }
      // Rotate the (bits+1)-wide value CF:v left by c.
      const hi = c === 1 ? cfIn : ((v & mask) >>> (bits - c + 1)) | 0;
      const r = (((v << c) | (cfIn << (c - 1)) | (c > 1 ? hi : 0)) & mask) >>> 0;
      const cf = (v >>> (bits - c)) & 1;
      rotateFlags(s, cf, ((r >>> msb) & 1) ^ cf);
      return r;
    }
    case ShiftKind.RCR: {
      const c = bits === 32 ? count : count % (bits + 1);
      const cfIn = readFlags(s) & 1;
      const of = ((v >>> msb) & 1) ^ cfIn;
      if (c === 0) { rotateFlags(s, cfIn, of); return v; }
      const vv = v & mask;
      const lo = c === 1 ? 0 : (vv << (bits - c + 1));
      const r = ((vv >>> c) | (cfIn << (bits - c)) | lo) & mask;
      const cf = (vv >>> (c - 1)) & 1;
      rotateFlags(s, cf, of);
      return r >>> 0;
    }
    case ShiftKind.SHL:
    case ShiftKind.SAL: {
      const r = count >= 32 ? 0 : (v << count) & mask;
      const cf = count > bits ? 0 : (v >>> (bits - count)) & 1;
      shiftFlags(s, bits, r, cf, ((r >>> msb) & 1) ^ cf);
      return r;
    }
    case ShiftKind.SHR: {
      const vv = bits === 32 ? v >>> 0 : v & mask;
      const r = vv >>> count;
      const cf = count > bits ? 0 : (vv >>> (count - 1)) & 1;
      shiftFlags(s, bits, r, cf, (vv >>> msb) & 1);
      return r;
    }
    default: { // SAR
      const sv = (v << (32 - bits)) >> (32 - bits);
      const r = (sv >> count) & mask;
      const cf = (sv >> (count - 1)) & 1;
      shiftFlags(s, bits, r, cf, 0);
      return r;
    }
  }
}

/** ROL ROR RCL RCR SHL SHR SAL SAR by 1, CL or an immediate. */
export function compileShift(insn: Instruction, vm: Machine, _stack?: unknown, flagsDead = false): Exec {
  const s = vm.cpu.s;
  const kind = KINDS[insn.entry.op];
  const [dst, cnt] = insn.operands;
  const bits = dst.size * 8;
  const readCount = cnt ? reader(cnt, vm) : () => 1;
  if (dst.kind === 'reg' && bits === 32 && (kind === ShiftKind.SHL || kind === ShiftKind.SHR || kind === ShiftKind.SAR)) {
    const count = !cnt || cnt.kind === 'imm' ? (cnt ? cnt.value : 1) & 31 : -1;
    if (flagsDead && count > 0) {
      // Only immediate counts: a CL count of 0 leaves the flags alone, so liveness treats it as conditional anyway.
      const R = vm.cpu.r32, d = dst.reg, c = count;
      if (kind === ShiftKind.SHL) return () => { R[d] <<= c; };
      if (kind === ShiftKind.SHR) return () => { R[d] = R[d] >>> c; };
      return () => { R[d] >>= c; };
    }
    return shift32(vm, kind, dst.reg, count);
  }
  if (dst.kind === 'reg') {
    const A = regArray(vm, dst.size);
    const d = regIndex(dst.reg, dst.size);
    if (!cnt || cnt.kind === 'imm') {
      const c = (cnt ? cnt.value : 1) & 31;
      if (c === 0) return () => {};
      return () => { A[d] = shift(s, kind, bits, A[d], c); };
    }
    const cl = vm.cpu.r8;
    return () => {
      const c = cl[4] & 31; // CL
      if (c !== 0) A[d] = shift(s, kind, bits, A[d], c);
    };
  }
  const ea = effectiveAddress(dst, vm);
  const mmu = vm.mmu;
  const size = dst.size;
  return () => {
    const a = ea();
    const v = mmu.read(a, size);
    const c = readCount() & 31;
    if (c === 0) return;
    vm.mmu.probeWrite(a, size);
    mmu.write(a, size, shift(s, kind, bits, v, c));
  };
}

/**
 * SHL SHR SAR of a 32-bit register by an immediate (count >= 0) or by CL
 * (count -1): the shifts compiled code is full of, one closure literal per
 * operation and count source.
 */
function shift32(vm: Machine, kind: ShiftKind, d: number, count: number): Exec {
  const s = vm.cpu.s, R = vm.cpu.r32, r8 = vm.cpu.r8;
  const done = (r: number, cf: number, of: number): void => shiftFlags(s, 32, r, cf, of);
  if (count === 0) return () => {};
  if (count > 0) {
    const c = count;
    switch (kind) {
      case ShiftKind.SHL: return () => { const v = R[d], r = v << c, cf = (v >>> (32 - c)) & 1; R[d] = r; done(r, cf, (r >>> 31) ^ cf); };
      case ShiftKind.SHR: return () => { const v = R[d], r = v >>> c; R[d] = r; done(r, (v >>> (c - 1)) & 1, v >>> 31); };
      default: return () => { const v = R[d], r = v >> c; R[d] = r; done(r, (v >> (c - 1)) & 1, 0); };
    }
  }
  switch (kind) {
    case ShiftKind.SHL:
      return () => {
        const c = r8[4] & 31;
        if (c === 0) return;
        const v = R[d], r = v << c, cf = (v >>> (32 - c)) & 1;
        R[d] = r;
        done(r, cf, (r >>> 31) ^ cf);
      };
    case ShiftKind.SHR:
      return () => {
        const c = r8[4] & 31;
        if (c === 0) return;
        const v = R[d], r = v >>> c;
        R[d] = r;
        done(r, (v >>> (c - 1)) & 1, v >>> 31);
      };
    default:
      return () => {
        const c = r8[4] & 31;
        if (c === 0) return;
        const v = R[d], r = v >> c;
        R[d] = r;
        done(r, (v >> (c - 1)) & 1, 0);
      };
  }
}

/** SHLD / SHRD: double-precision shifts. */
export function compileDoubleShift(insn: Instruction, vm: Machine): Exec {
  const s = vm.cpu.s;
  const left = insn.entry.op === 'shld';
  const [dst, src, cnt] = insn.operands;
  const bits = dst.size * 8;
  const readSrc = reader(src, vm);
  const readCount = reader(cnt, vm);
  const f = (v: number, fill: number, c: number): number => {
    let r: number, cf: number;
    if (bits === 32) {
      if (left) { r = (v << c) | (fill >>> (32 - c)); cf = (v >>> (32 - c)) & 1; }
      else { r = (v >>> c) | (fill << (32 - c)); cf = (v >>> (c - 1)) & 1; }
    } else {
      // 16-bit: shift the 32-bit concatenation (counts above 16 are undefined; this is what the concatenation gives).
      const cat = left ? ((v & 0xffff) << 16) | (fill & 0xffff) : ((fill & 0xffff) << 16) | (v & 0xffff);
      if (left) {
        const wide = c > 16 ? ((cat << (c - 16)) | ((v & 0xffff) >>> (32 - c))) : cat << c;
        r = (wide >>> 16) & 0xffff;
        cf = c > 16 ? ((fill & 0xffff) >>> (32 - c)) & 1 : (v >>> (16 - c)) & 1;
      } else {
        const wide = c > 16 ? ((cat >>> c) | ((v & 0xffff) << (32 - c))) : cat >>> c;
        r = wide & 0xffff;
        cf = c > 16 ? ((fill & 0xffff) >>> (c - 17)) & 1 : (v >>> (c - 1)) & 1;
      }
    }
    const of = ((r ^ v) >>> (bits - 1)) & 1; // sign change (defined for a count of 1)
    shiftFlags(s, bits, r, cf, of);
    return r;
  };
  if (dst.kind === 'reg') {
    const A = regArray(vm, dst.size);
    const d = regIndex(dst.reg, dst.size);
    return () => {
      const c = readCount() & 31;
      if (c !== 0) A[d] = f(A[d], readSrc(), c);
    };
  }
  const ea = effectiveAddress(dst, vm);
  const mmu = vm.mmu;
  const size = dst.size;
  return () => {
    const a = ea();
    const v = mmu.read(a, size);
    const c = readCount() & 31;
    if (c === 0) return;
    vm.mmu.probeWrite(a, size);
    mmu.write(a, size, f(v, readSrc(), c));
  };
}
