import { Instruction, Operand } from '../../decoder/types.js';
import { roundByControl } from './rounding.js';
import { replaceStatusFlags, testCondition } from '../flags.js';
import { FPU_REGS_BYTE, MMX_SHADOW_BYTE, Slot } from '../layout.js';
import type { Machine } from '../machine.js';
import type { Mmu } from '../mmu.js';
import { effectiveAddress, Exec } from './operands.js';
import { Simd } from './sse-state.js';

/**
 * The x87 FPU. Its state lives in the CPU state block (layout.ts: TOP, status
 * and control words, an empty bit per register, eight registers), so
 * lockstep's snapshots and the translator's helper calls see it like any
 * other register.
 *
 * Precision (--x87 double, the default; --x87 exact overrides the operations
 * x87-exact.ts lists with 80-bit ones): registers hold IEEE doubles. Loads
 * and stores of every memory format convert exactly where a double can
 * (f32, f64, integers up to 2^53; f80 loads round to 53 bits), and each
 * operation rounds to double, so a chain of operations can differ from the
 * hardware's 64-bit-mantissa intermediates in the last bit of a double
 * (double rounding), and f80 values beyond a double's range or precision do
 * not survive a load. Transcendentals use the host's libm (Math.sin...),
 * which can differ from the x87's results in the last bits. Exceptions are
 * always masked: IE, ZE and SF are reported in the status word, PE, UE, OE
 * and DE are not tracked.
 */

const C0 = 0x100, C1 = 0x200, C2 = 0x400, C3 = 0x4000;
const CONDITION = C0 | C1 | C2 | C3;
const IE = 0x01, ZE = 0x04, SF = 0x40;

/** The "real indefinite" a masked invalid operation produces (a negative quiet NaN). */
const INDEFINITE = (() => {
  const v = new DataView(new ArrayBuffer(8));
  v.setUint32(0, 0xfff80000);
  return v.getFloat64(0);
})();

/** One VM's FPU view: its registers as float64 over the state block, and the stack operations. */
/** What the x87 reaches of a machine: its registers and its memory. */
export type CpuAndMemory = Pick<Machine, 'cpu' | 'mmu'>;

export class X87 {
  readonly s: Int32Array;
  readonly r: Float64Array;
  readonly mmu: Mmu;
  private readonly scratch = new DataView(new ArrayBuffer(16));
  /** The float64 bits each register's 80-bit image belongs to (sse-state.ts): a double write must not match them. */
  private readonly r32: Int32Array;
  private readonly shadow32: Int32Array;

  constructor(vm: CpuAndMemory) {
    this.s = vm.cpu.s;
    this.r = new Float64Array(this.s.buffer, this.s.byteOffset + FPU_REGS_BYTE, 8);
    this.r32 = new Int32Array(this.s.buffer, this.s.byteOffset + FPU_REGS_BYTE, 16);
    this.shadow32 = new Int32Array(this.s.buffer, this.s.byteOffset + MMX_SHADOW_BYTE, 16);
    this.mmu = vm.mmu;
  }

  /** Physical register p now holds the double r[p]: its 80-bit image (MMX or --x87 exact) no longer applies. */
  private dropImage(p: number): void {
    this.shadow32[2 * p + 1] = ~this.r32[2 * p + 1];
  }

  private phys(i: number): number {
    return (this.s[Slot.FPU_TOP] + i) & 7;
  }

  isEmpty(i: number): boolean {
    return (this.s[Slot.FPU_EMPTY] & (1 << this.phys(i))) !== 0;
  }

  /** ST(i); an empty register is a stack underflow (IE|SF) and reads as the indefinite. */
  get(i: number): number {
    const p = this.phys(i);
    if (this.s[Slot.FPU_EMPTY] & (1 << p)) {
      this.s[Slot.FPU_SW] = (this.s[Slot.FPU_SW] & ~C1) | IE | SF;
      return INDEFINITE;
    }
    return this.r[p];
  }

  set(i: number, v: number): void {
    const p = this.phys(i);
    this.r[p] = v;
    this.dropImage(p);
    this.s[Slot.FPU_EMPTY] &= ~(1 << p);
  }

  /** Pushes `v`; a full stack is an overflow (IE|SF|C1) and pushes the indefinite. */
  push(v: number): void {
    const top = (this.s[Slot.FPU_TOP] - 1) & 7;
    this.s[Slot.FPU_TOP] = top;
    if (!(this.s[Slot.FPU_EMPTY] & (1 << top))) {
      this.s[Slot.FPU_SW] |= IE | SF | C1;
      v = INDEFINITE;
    }
    this.r[top] = v;
    this.dropImage(top);
    this.s[Slot.FPU_EMPTY] &= ~(1 << top);
  }

  pop(): void {
    const top = this.s[Slot.FPU_TOP] & 7;
    this.s[Slot.FPU_EMPTY] |= 1 << top;
    this.s[Slot.FPU_TOP] = (top + 1) & 7;
  }

  flag(bits: number): void {
    this.s[Slot.FPU_SW] |= bits;
  }

  setCondition(bits: number): void {
    this.s[Slot.FPU_SW] = (this.s[Slot.FPU_SW] & ~CONDITION) | bits;
  }

  /** C1 after a rounding: set when the magnitude went up (FIST, FRNDINT; exact at any precision). */
  roundedUp(up: boolean): void {
    this.s[Slot.FPU_SW] = up ? this.s[Slot.FPU_SW] | C1 : this.s[Slot.FPU_SW] & ~C1;
  }

  statusWord(): number {
    return ((this.s[Slot.FPU_SW] & ~0x3800) | ((this.s[Slot.FPU_TOP] & 7) << 11)) & 0xffff;
  }

  /** Rounding control (CW bits 10-11): 0 nearest-even, 1 down, 2 up, 3 toward zero. */
  get rc(): number {
    return (this.s[Slot.FPU_CW] >> 10) & 3;
  }

  round(v: number): number {
    return roundByControl(v, this.rc);
  }

  /** An arithmetic result: a new NaN from non-NaN operands is an invalid operation. */
  result(v: number, a: number, b = 0): number {
    if (v !== v && a === a && b === b) {
      this.flag(IE);
      return INDEFINITE;
    }
    return v;
  }

  /** The NaN an operation on a NaN gives: of two, the one with the larger significand (the first on a tie). */
  propagateNaN(a: number, b: number): number {
    if (a !== a && b !== b) return this.significand(b) > this.significand(a) ? b : a;
    return a !== a ? a : b;
  }

  private significand(v: number): number {
    const d = this.scratch;
    d.setFloat64(8, v);
    return (d.getUint32(8) & 0xfffff) * 4294967296 + d.getUint32(12);
  }

  /** The sign bit, NaNs included. */
  negative(v: number): boolean {
    this.scratch.setFloat64(8, v);
    return (this.scratch.getUint8(8) & 0x80) !== 0;
  }

  // ---------------------------------------------------------------- memory formats

  readFloat(a: number, size: number): number {
    const d = this.scratch;
    if (size === 4) {
      d.setInt32(0, this.mmu.read32(a), true);
      return d.getFloat32(0, true);
    }
    if (size === 8) {
      d.setInt32(0, this.mmu.read32(a), true);
      // A signalling NaN is quietened as it loads.
      const hi = this.mmu.read32(a + 4);
      d.setInt32(4, (hi & 0x7ff00000) === 0x7ff00000 && (hi & 0xfffff || d.getInt32(0, true)) ? hi | 0x80000 : hi, true);
      return d.getFloat64(0, true);
    }
    const lo = this.mmu.read32(a) >>> 0, hi = this.mmu.read32(a + 4) >>> 0, se = this.mmu.read16(a + 8);
    return f80ToDouble(lo, hi, se, d);
  }

  writeFloat(a: number, size: number, v: number): void {
    const d = this.scratch;
    if (size === 4) {
      this.mmu.write32(a, this.float32Bits(v));
    } else if (size === 8) {
      d.setFloat64(0, v, true);
      this.mmu.write32(a, d.getInt32(0, true));
      this.mmu.write32(a + 4, d.getInt32(4, true));
    } else {
      const [lo, hi, se] = doubleToF80(v, d);
      this.mmu.write32(a, lo);
      this.mmu.write32(a + 4, hi);
      this.mmu.write16(a + 8, se);
    }
  }

  /** `v` rounded to a float32 by RC (DataView rounds to nearest; the other modes step one ulp when it went the wrong way). */
  private float32Bits(v: number): number {
    const d = this.scratch;
    d.setFloat32(0, v, true);
    let bits = d.getInt32(0, true);
    const rc = this.rc;
    if (rc === 0 || v !== v) return bits;
    const f = d.getFloat32(0, true);
    if (f === v) return bits;
    const away = Math.abs(f) > Math.abs(v);
    // Toward zero, or toward -inf / +inf: one ulp back when nearest rounded away in the wrong direction.
    const back = rc === 3 ? away : rc === 1 ? f > v : f < v;
    if (back) bits = away ? bits - 1 : bits + 1;
    return bits;
  }

  readInt(a: number, size: number): number {
    if (size === 2) return (this.mmu.read16(a) << 16) >> 16;
    if (size === 4) return this.mmu.read32(a);
    return this.mmu.read32(a + 4) * 4294967296 + (this.mmu.read32(a) >>> 0);
  }

  /** FIST: rounded by RC; NaN or out of range stores the integer indefinite (IE). */
  /** FIST/FISTP by the rounding control; FISTTP (`truncate`) toward zero whatever it says. */
  writeInt(a: number, size: number, v: number, truncate = false): void {
    const n = truncate ? Math.trunc(v) : this.round(v);
    const bits = size * 8;
    const limit = 2 ** (bits - 1);
    const valid = n === n && n >= -limit && n < limit;
    if (!valid) this.flag(IE);
    this.roundedUp(valid && Math.abs(n) > Math.abs(v));
    if (size === 2) this.mmu.write16(a, valid ? n & 0xffff : 0x8000);
    else if (size === 4) this.mmu.write32(a, valid ? n | 0 : 0x80000000 | 0);
    else {
      const big = valid ? BigInt.asUintN(64, BigInt(n)) : 1n << 63n;
      this.mmu.write32(a, Number(big & 0xffffffffn) | 0);
      this.mmu.write32(a + 4, Number(big >> 32n) | 0);
    }
  }
}

/** An 80-bit extended value (64-bit significand with explicit integer bit) rounded to a double. */
export function f80ToDouble(lo: number, hi: number, se: number, d: DataView): number {
  const sign = se & 0x8000 ? -1 : 1;
  const exp = se & 0x7fff;
  if (exp === 0x7fff) {
    if ((hi & 0x7fffffff) === 0 && lo === 0) return sign * Infinity;
    // A NaN keeps its sign and the top of its payload.
    d.setUint32(8, (se & 0x8000 ? 0x80000000 : 0) | 0x7ff80000 | ((hi >>> 11) & 0x7ffff));
    d.setUint32(12, ((hi << 21) | (lo >>> 11)) >>> 0);
    return d.getFloat64(8);
  }
  // hi * 2^32 is exact; adding lo rounds the 64-bit significand to 53 bits once.
  const significand = hi * 4294967296 + lo;
  if (significand === 0) return sign * 0;
  const e = (exp === 0 ? 1 : exp) - 16383 - 63;
  // Scale in two steps so neither factor overflows or underflows on its own.
  const half = Math.trunc(e / 2);
  return sign * significand * 2 ** half * 2 ** (e - half);
}

/** A double as an 80-bit extended value: [low 32 bits, high 32 bits of the significand, sign|exponent]. */
export function doubleToF80(v: number, d: DataView): [number, number, number] {
  d.setFloat64(8, v);
  const top = d.getUint32(8), bottom = d.getUint32(12);
  const sign = top & 0x80000000 ? 0x8000 : 0;
  const exp = (top >>> 20) & 0x7ff;
  let fracHi = top & 0xfffff, fracLo = bottom;
  if (exp === 0x7ff) {
    // Infinity (fraction 0) or NaN: integer bit set, fraction moved to the top.
    const hi = (0x80000000 | (fracHi << 11) | (fracLo >>> 21)) >>> 0;
    return [(fracLo << 11) | 0, hi | 0, sign | 0x7fff];
  }
  if (exp === 0 && fracHi === 0 && fracLo === 0) return [0, 0, sign];
  let e = exp - 1023 + 16383;
  if (exp === 0) {
    // A double denormal is a normal extended value: shift until the integer bit is set.
    e = 1 - 1023 + 16383;
    while ((fracHi & 0x100000) === 0) {
      fracHi = (fracHi << 1) | (fracLo >>> 31);
      fracLo = (fracLo << 1) >>> 0;
      e--;
    }
    fracHi &= 0xfffff;
  }
  // 1.fraction: the integer bit, then the 52 fraction bits, then 11 zero bits.
  const hi = (0x80000000 | (fracHi << 11) | (fracLo >>> 21)) >>> 0;
  const lo = (fracLo << 11) >>> 0;
  return [lo | 0, hi | 0, sign | e];
}

/** The two-bit tag of each physical register (00 valid, 01 zero, 10 special, 11 empty), for FNSTENV. */
function tagWord(x: X87): number {
  let tw = 0;
  for (let p = 0; p < 8; p++) {
    let t = 3;
    if (!(x.s[Slot.FPU_EMPTY] & (1 << p))) {
      const v = x.r[p];
      t = v === 0 ? 1 : Number.isFinite(v) ? 0 : 2;
    }
    tw |= t << (2 * p);
  }
  return tw;
}

/** FCOM-style condition codes for `a` against `b` (C3 C2 C0: 000 >, 001 <, 100 =, 111 unordered). */
function compareBits(a: number, b: number): number {
  if (a !== a || b !== b) return C3 | C2 | C0;
  return a > b ? 0 : a < b ? C0 : C3;
}

type Arith = (a: number, b: number) => number;
const ARITH: Record<string, Arith> = {
  add: (a, b) => a + b,
  mul: (a, b) => a * b,
  sub: (a, b) => a - b,
  subr: (a, b) => b - a,
  div: (a, b) => a / b,
  divr: (a, b) => b / a,
};

function divideByZero(x: X87, op: string, a: number, b: number): void {
  const divisor = op === 'div' ? b : op === 'divr' ? a : 1;
  const dividend = op === 'div' ? a : b;
  if (divisor === 0 && dividend === dividend && dividend !== 0 && Number.isFinite(dividend)) x.flag(ZE);
}

/** FADD/FSUB/... in all forms: memory (f32/f64, or integer for FIxxx), ST,ST(i), ST(i),ST and the popping forms. */
function compileArith(insn: Instruction, vm: Machine, x: X87, op: string, integer: boolean, pop: boolean): Exec {
  const f = ARITH[op];
  const [dst, src] = insn.operands;
  const additive = op === 'add' || op === 'sub' || op === 'subr';
  const apply = (a: number, b: number): number => {
    if (a !== a || b !== b) return x.propagateNaN(a, b);
    divideByZero(x, op, a, b);
    const r = x.result(f(a, b), a, b);
    // An exact zero sum of non-zero operands is -0 when rounding down (+0 otherwise, as the host computes it).
    if (r === 0 && additive && x.rc === 1) {
      const [p, q] = op === 'add' ? [a, b] : op === 'sub' ? [a, -b] : [b, -a];
      if (!(Object.is(p, 0) && Object.is(q, 0))) return -0;
    }
    return r;
  };
  if (dst.kind === 'mem') {
    const ea = effectiveAddress(dst, vm);
    const size = dst.size;
    return integer
      ? () => x.set(0, apply(x.get(0), x.readInt(ea(), size)))
      : () => x.set(0, apply(x.get(0), x.readFloat(ea(), size)));
  }
  // ST(0) op ST(i) into ST(0) (D8 C0+i; with i = 0 the DC form computes the same), else ST(i) op ST(0) into ST(i) (DC, DE).
  if (!pop && dst.reg === 0) {
    const i = src?.kind === 'st' ? src.reg : 0;
    return () => x.set(0, apply(x.get(0), x.get(i)));
  }
  const i = dst.reg;
  return () => {
    x.set(i, apply(x.get(i), x.get(0)));
    if (pop) x.pop();
  };
}

/** FCOM/FUCOM/FICOM and their popping forms: ST(0) against memory, ST(i), or ST(1) when no operand is named. */
function compileCompare(insn: Instruction, vm: Machine, x: X87, pops: number, integer: boolean, unordered: boolean): Exec {
  const src = insn.operands.find((o) => o.kind === 'mem' || (o.kind === 'st' && o.reg !== 0)) ?? insn.operands[0];
  let other: () => number;
  if (src === undefined) other = () => x.get(1);
  else if (src.kind === 'mem') {
    const ea = effectiveAddress(src, vm), size = src.size;
    other = integer ? () => x.readInt(ea(), size) : () => x.readFloat(ea(), size);
  } else {
    const i = src.reg;
    other = () => x.get(i);
  }
  return () => {
    const a = x.get(0), b = other();
    if ((a !== a || b !== b) && !unordered) x.flag(IE);
    x.setCondition(compareBits(a, b));
    for (let k = 0; k < pops; k++) x.pop();
  };
}

/** FCOMI/FUCOMI(P): the result in ZF PF CF (OF SF AF cleared). */
function compileCompareEflags(insn: Instruction, x: X87, pop: boolean, unordered: boolean): Exec {
  const s = x.s;
  const i = insn.operands[1]?.reg ?? 1;
  return () => {
    const a = x.get(0), b = x.get(i);
    if ((a !== a || b !== b) && !unordered) x.flag(IE);
    const flags = a !== a || b !== b ? 0x45 : a > b ? 0 : a < b ? 0x01 : 0x40;
    replaceStatusFlags(s, flags);
    x.setCondition(0);
    if (pop) x.pop();
  };
}

function memOperand(insn: Instruction): Operand {
  const o = insn.operands.find((p) => p.kind === 'mem');
  if (!o) throw new Error(`x87: ${insn.mnemonic} has no memory operand`);
  return o;
}

/** FNSTENV/FLDENV layout (32-bit protected mode): CW, SW, TW, then instruction and operand pointers (zero here). */
function storeEnvironment(x: X87, a: number): void {
  const m = x.mmu;
  m.write32(a, x.s[Slot.FPU_CW] | 0xffff0000);
  m.write32(a + 4, x.statusWord() | 0xffff0000);
  m.write32(a + 8, tagWord(x) | 0xffff0000);
  for (let k = 12; k < 28; k += 4) m.write32(a + k, 0);
}

function loadEnvironment(x: X87, a: number): void {
  const m = x.mmu;
  x.s[Slot.FPU_CW] = m.read16(a);
  const sw = m.read16(a + 4);
  x.s[Slot.FPU_SW] = sw & ~0x3800;
  x.s[Slot.FPU_TOP] = (sw >> 11) & 7;
  const tw = m.read16(a + 8);
  let empty = 0;
  for (let p = 0; p < 8; p++) if (((tw >> (2 * p)) & 3) === 3) empty |= 1 << p;
  x.s[Slot.FPU_EMPTY] = empty;
}

function initialise(x: X87): void {
  x.s[Slot.FPU_CW] = 0x037f;
  x.s[Slot.FPU_SW] = 0;
  x.s[Slot.FPU_TOP] = 0;
  x.s[Slot.FPU_EMPTY] = 0xff;
}

const CONSTANTS: Record<string, number> = {
  fld1: 1, fldz: 0, fldpi: Math.PI, fldl2e: Math.LOG2E, fldl2t: Math.log2(10), fldlg2: Math.log10(2), fldln2: Math.LN2,
};

/** One ST(0) → ST(0) operation (C1 cleared). */
function unary(x: X87, f: (v: number) => number): Exec {
  return () => {
    const v = x.get(0);
    x.setCondition(0);
    x.set(0, x.result(f(v), v));
  };
}

/** |x| < 2^63: the range FSIN, FCOS, FSINCOS and FPTAN reduce; beyond it they set C2 and change nothing. */
const inTrigRange = (v: number) => !(Math.abs(v) >= 2 ** 63);

/** Partial remainder: FPREM truncates the quotient, FPREM1 rounds it to nearest-even; quotient bits in C0 C3 C1. */
function remainder(x: X87, nearest: boolean): Exec {
  return () => {
    const a = x.get(0), b = x.get(1);
    if (a !== a || b !== b || !Number.isFinite(a) || b === 0) {
      x.set(0, x.result(NaN, a, b));
      x.setCondition(0);
      return;
    }
    if (!Number.isFinite(b)) {
      x.setCondition(0);
      return;
    }
    // The hardware reduces at most 63 bits of exponent difference per step and says so in C2; the whole
    // remainder comes out at once here, so the step after an incomplete one finds nothing left to do.
    if (Math.floor(Math.log2(Math.abs(a))) - Math.floor(Math.log2(Math.abs(b))) > 63) {
      x.set(0, a % b);
      x.setCondition(C2);
      return;
    }
    let r = a % b;
    let q = Math.trunc((a - r) / b);
    if (nearest) {
      const half = Math.abs(b) / 2;
      if (Math.abs(r) > half || (Math.abs(r) === half && Math.abs(q) % 2 === 1)) {
        r -= Math.sign(r) * Math.abs(b);
        q += Math.sign(a) * Math.sign(b);
      }
    }
    if (r === 0) r = a < 0 || Object.is(a, -0) ? -0 : 0;
    const qb = Math.abs(q) % 8;
    x.setCondition((qb & 4 ? C0 : 0) | (qb & 2 ? C3 : 0) | (qb & 1 ? C1 : 0));
    x.set(0, r);
  };
}

/** Packed BCD (FBLD/FBSTP): 18 digits in 9 bytes and a sign byte. */
function readBcd(m: Mmu, a: number): number {
  let v = 0n;
  for (let k = 8; k >= 0; k--) {
    const b = m.read8(a + k);
    v = v * 100n + BigInt((b >> 4) * 10 + (b & 15));
  }
  const n = Number(v);
  return m.read8(a + 9) & 0x80 ? -n : n;
}

function writeBcd(x: X87, a: number, v: number): void {
  const n = x.round(v);
  const m = x.mmu;
  if (n !== n || Math.abs(n) >= 1e18) {
    x.flag(IE);
    // The packed BCD indefinite.
    for (let k = 0; k < 7; k++) m.write8(a + k, 0);
    m.write8(a + 7, 0xc0);
    m.write8(a + 8, 0xff);
    m.write8(a + 9, 0xff);
    return;
  }
  let big = BigInt(Math.abs(n));
  for (let k = 0; k < 9; k++) {
    const lo = Number(big % 10n);
    big /= 10n;
    const hi = Number(big % 10n);
    big /= 10n;
    m.write8(a + k, (hi << 4) | lo);
  }
  m.write8(a + 9, n < 0 || Object.is(n, -0) ? 0x80 : 0);
}

/** FXAM's class of ST(0) in C3 C2 C0, its sign in C1 (an empty register's stale contents for the sign). */
function examine(x: X87): void {
  if (x.isEmpty(0)) {
    x.setCondition(C3 | C0 | (x.r[x.s[Slot.FPU_TOP] & 7] < 0 ? C1 : 0));
    return;
  }
  const v = x.get(0);
  const cls = v !== v ? C0 : !Number.isFinite(v) ? C2 | C0 : v === 0 ? C3 : C2;
  x.setCondition(cls | (x.negative(v) ? C1 : 0));
}

/** What an x87 compiler gets: the instruction, its VM's FPU view, and ST(i) when it names one (else 1). */
interface X87Context {
  insn: Instruction;
  vm: Machine;
  x: X87;
  s: Int32Array;
  op: string;
  sti: number;
}
type X87Compiler = (c: X87Context) => Exec;

const memoryAddress = (c: X87Context) => effectiveAddress(memOperand(c.insn), c.vm);

const compare: X87Compiler = (c) =>
  compileCompare(c.insn, c.vm, c.x, c.op.endsWith('pp') ? 2 : c.op.endsWith('p') ? 1 : 0, c.op.startsWith('fi'), c.op.startsWith('fu'));
const compareEflags: X87Compiler = (c) => compileCompareEflags(c.insn, c.x, c.op.endsWith('p'), c.op.startsWith('fu'));
const constant: X87Compiler = ({ x, op }) => {
  const k = CONSTANTS[op];
  return () => x.push(k);
};
const trig: X87Compiler = ({ x, op }) => () => {
  const v = x.get(0);
  if (!inTrigRange(v)) return x.setCondition(C2);
  x.setCondition(0);
  if (op === 'fsin' || op === 'fcos') x.set(0, x.result(op === 'fsin' ? Math.sin(v) : Math.cos(v), v));
  else if (op === 'fptan') {
    x.set(0, x.result(Math.tan(v), v));
    x.push(1);
  } else {
    x.set(0, x.result(Math.sin(v), v));
    x.push(x.result(Math.cos(v), v));
  }
};
/** FPATAN, FYL2X, FYL2XP1: ST(1) op ST(0) into ST(1), then pop. */
const logarithmic: X87Compiler = ({ x, op }) => () => {
  const a = x.get(0), b = x.get(1);
  x.setCondition(0);
  let r: number;
  if (op === 'fpatan') r = Math.atan2(b, a);
  else if (op === 'fyl2x') {
    if (a === 0 && b !== 0 && b === b) x.flag(ZE);
    r = b * Math.log2(a);
  } else r = (b * Math.log1p(a)) / Math.LN2;
  x.set(1, x.result(r, a, b));
  x.pop();
};

/** The x87's semantics by operation name (the decoder's D8-DF rows). */
const X87_TABLE: Record<string, X87Compiler> = {
  fld: ({ insn, vm, x }) => {
    const src = insn.operands[0];
    if (src.kind === 'mem') {
      const ea = effectiveAddress(src, vm), size = src.size;
      return () => x.push(x.readFloat(ea(), size));
    }
    const i = src.reg;
    return () => x.push(x.get(i));
  },
  fild: (c) => {
    const ea = memoryAddress(c), size = memOperand(c.insn).size, x = c.x;
    return () => x.push(x.readInt(ea(), size));
  },
  fst: ({ insn, vm, x, op }) => {
    const pop = op === 'fstp';
    const dst = insn.operands[0];
    if (dst.kind === 'mem') {
      const ea = effectiveAddress(dst, vm), size = dst.size;
      return () => {
        x.writeFloat(ea(), size, x.get(0));
        if (pop) x.pop();
      };
    }
    const i = dst.reg;
    return () => {
      x.set(i, x.get(0));
      if (pop) x.pop();
    };
  },
  fist: (c) => {
    const ea = memoryAddress(c), size = memOperand(c.insn).size, pop = c.op !== 'fist', truncate = c.op === 'fisttp', x = c.x;
    return () => {
      x.writeInt(ea(), size, x.get(0), truncate);
      if (pop) x.pop();
    };
  },
  fbld: (c) => {
    const ea = memoryAddress(c), x = c.x;
    return () => x.push(readBcd(x.mmu, ea()));
  },
  fbstp: (c) => {
    const ea = memoryAddress(c), x = c.x;
    return () => {
      writeBcd(x, ea(), x.get(0));
      x.pop();
    };
  },
  fxch: ({ x, sti }) => () => {
    const a = x.get(0), b = x.get(sti);
    x.set(0, b);
    x.set(sti, a);
    x.setCondition(0);
  },
  fcom: compare, fcomp: compare, fucom: compare, fucomp: compare, ficom: compare, ficomp: compare,
  fcompp: compare, fucompp: compare,
  fcomi: compareEflags, fcomip: compareEflags, fucomi: compareEflags, fucomip: compareEflags,
  ftst: ({ x }) => () => {
    const a = x.get(0);
    if (a !== a) x.flag(IE);
    x.setCondition(compareBits(a, 0));
  },
  fxam: ({ x }) => () => examine(x),
  fcmovcc: ({ insn, x, s, sti }) => {
    const cc = insn.entry.cond;
    return () => {
      if (testCondition(s, cc)) x.set(0, x.get(sti));
    };
  },
  fchs: ({ x }) => unary(x, (v) => -v),
  fabs: ({ x }) => unary(x, (v) => Math.abs(v)),
  fsqrt: ({ x }) => unary(x, (v) => Math.sqrt(v)),
  f2xm1: ({ x }) => unary(x, (v) => Math.expm1(v * Math.LN2)),
  frndint: ({ x }) => () => {
    const v = x.get(0);
    if (!Number.isFinite(v)) return x.setCondition(0);
    const r = x.round(v);
    x.roundedUp(Math.abs(r) > Math.abs(v));
    x.set(0, r === 0 && (v < 0 || Object.is(v, -0)) ? -0 : r);
  },
  fsin: trig, fcos: trig, fsincos: trig, fptan: trig,
  fpatan: logarithmic, fyl2x: logarithmic, fyl2xp1: logarithmic,
  fscale: ({ x }) => () => {
    const a = x.get(0), b = x.get(1);
    x.setCondition(0);
    const n = Math.trunc(b);
    const half = Math.trunc(n / 2);
    x.set(0, x.result(Number.isFinite(n) ? a * 2 ** half * 2 ** (n - half) : a * 2 ** n, a, b));
  },
  fxtract: ({ x }) => () => {
    const v = x.get(0);
    x.setCondition(0);
    if (v === 0) {
      x.flag(ZE);
      x.set(0, -Infinity);
      x.push(v);
      return;
    }
    if (!Number.isFinite(v)) {
      x.set(0, v !== v ? v : Infinity);
      x.push(v);
      return;
    }
    const e = Math.floor(Math.log2(Math.abs(v)));
    let m = v / 2 ** e;
    let exp = e;
    // log2 can be off by one near powers of two: bring the significand into [1, 2).
    if (Math.abs(m) >= 2) (m /= 2), exp++;
    else if (Math.abs(m) < 1) (m *= 2), exp--;
    x.set(0, exp);
    x.push(m);
  },
  fprem: ({ x }) => remainder(x, false),
  fprem1: ({ x }) => remainder(x, true),
  fld1: constant, fldz: constant, fldpi: constant, fldl2e: constant, fldl2t: constant, fldlg2: constant, fldln2: constant,
  fldcw: (c) => {
    const ea = memoryAddress(c), s = c.s, m = c.x.mmu;
    return () => {
      s[Slot.FPU_CW] = m.read16(ea());
    };
  },
  fnstcw: (c) => {
    const ea = memoryAddress(c), s = c.s, m = c.x.mmu;
    return () => m.write16(ea(), s[Slot.FPU_CW] & 0xffff);
  },
  fnstsw: ({ insn, vm, x }) => {
    const dst = insn.operands[0];
    if (dst.kind === 'mem') {
      const ea = effectiveAddress(dst, vm);
      return () => x.mmu.write16(ea(), x.statusWord());
    }
    const r16 = vm.cpu.r16;
    return () => {
      r16[0] = x.statusWord();
    };
  },
  fnclex: ({ s }) => () => {
    s[Slot.FPU_SW] &= ~0x80ff;
  },
  fninit: ({ x }) => () => initialise(x),
  ffree: ({ x, s, sti, op }) => () => {
    s[Slot.FPU_EMPTY] |= 1 << ((s[Slot.FPU_TOP] + sti) & 7);
    if (op === 'ffreep') x.pop();
  },
  fincstp: ({ x, s, op }) => () => {
    s[Slot.FPU_TOP] = (s[Slot.FPU_TOP] + (op === 'fincstp' ? 1 : -1)) & 7;
    x.setCondition(0);
  },
  fnstenv: (c) => {
    const ea = memoryAddress(c), x = c.x, s = c.s;
    return () => {
      storeEnvironment(x, ea());
      s[Slot.FPU_CW] |= 0x3f;
    };
  },
  fldenv: (c) => {
    const ea = memoryAddress(c), x = c.x;
    return () => loadEnvironment(x, ea());
  },
  fnsave: (c) => {
    const ea = memoryAddress(c), x = c.x, s = c.s;
    return () => {
      const a = ea();
      storeEnvironment(x, a);
      storeRegisterImages(c.vm, a + 28);
      initialise(x);
    };
  },
  frstor: (c) => {
    const ea = memoryAddress(c), x = c.x, s = c.s;
    return () => {
      const a = ea();
      const images = c.vm.mmu.readBytes(a + 28, 80);
      loadEnvironment(x, a);
      loadRegisterImages(c.vm, images);
    };
  },
  fnop: () => () => {},
};
X87_TABLE.fstp = X87_TABLE.fst;
X87_TABLE.fistp = X87_TABLE.fist;
X87_TABLE.fisttp = X87_TABLE.fist;
X87_TABLE.ffreep = X87_TABLE.ffree;
X87_TABLE.fdecstp = X87_TABLE.fincstp;
// FADD ... FDIVR: memory, register and popping forms, and the integer-operand FIADD ... FIDIVR.
for (const name of Object.keys(ARITH)) {
  X87_TABLE[`f${name}`] = ({ insn, vm, x }) => compileArith(insn, vm, x, name, false, false);
  X87_TABLE[`f${name}p`] = ({ insn, vm, x }) => compileArith(insn, vm, x, name, false, true);
  X87_TABLE[`fi${name}`] = ({ insn, vm, x }) => compileArith(insn, vm, x, name, true, false);
}

/** The interpreter's x87 semantics, by the decoder's operation names. */
export const X87_SEMANTICS: Readonly<Record<string, (insn: Instruction, vm: Machine) => Exec>> = Object.fromEntries(
  Object.entries(X87_TABLE).map(([op, compile]) => [
    op,
    (insn: Instruction, vm: Machine): Exec => {
      const x = new X87(vm);
      const st = insn.operands.filter((o) => o.kind === 'st');
      const sti = st.find((o) => o.reg !== 0)?.reg ?? st[0]?.reg ?? 1;
      return compile({ insn, vm, x, s: x.s, op, sti });
    },
  ]),
);

/**
 * Writes the FSAVE image (108 bytes) of the x87 state at `a` without
 * reinitialising the FPU: what the OS puts in a signal frame.
 */
export function saveX87Image(vm: CpuAndMemory, a: number): void {
  const x = new X87(vm);
  storeEnvironment(x, a);
  storeRegisterImages(vm, a + 28);
}

/**
 * ST(0)..ST(7) as the 80-bit values FSAVE writes: a register's exact image
 * where it has one (--x87 exact, MMX), else its double as an 80-bit value.
 */
function storeRegisterImages(vm: CpuAndMemory, a: number): void {
  const u = new Simd(vm), m = vm.mmu, top = vm.cpu.s[Slot.FPU_TOP];
  m.probeWrite(a, 80);
  for (let i = 0; i < 8; i++) {
    const [lo, hi, se] = u.readF80((top + i) & 7);
    m.write32(a + 10 * i, lo);
    m.write32(a + 10 * i + 4, hi);
    m.write16(a + 10 * i + 8, se);
  }
}

/** FRSTOR's registers from the 80 bytes of an FSAVE image (read before anything changes), TOP already loaded. */
function loadRegisterImages(vm: CpuAndMemory, images: Uint8Array): void {
  const u = new Simd(vm), top = vm.cpu.s[Slot.FPU_TOP];
  const d = new DataView(images.buffer, images.byteOffset, images.byteLength);
  for (let i = 0; i < 8; i++) u.writeF80((top + i) & 7, d.getInt32(10 * i, true), d.getInt32(10 * i + 4, true), d.getUint16(10 * i + 8, true));
}

/** Loads the x87 state from an FSAVE image at `a` (FRSTOR). */
export function restoreX87Image(vm: CpuAndMemory, a: number): void {
  const x = new X87(vm);
  const images = vm.mmu.readBytes(a + 28, 80);
  loadEnvironment(x, a);
  loadRegisterImages(vm, images);
}

/** FNINIT: the state a signal handler starts with. */
export function resetX87(vm: CpuAndMemory): void {
  initialise(new X87(vm));
}
