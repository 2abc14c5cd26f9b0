import { roundByControl } from './rounding.js';
import type { Simd } from './sse-state.js';

/**
 * IEEE single and double arithmetic as SSE does it, one lane at a time, on
 * the operand temporaries of a Simd (lanes named by their index in t32 /
 * tf32 for singles, in tf64 for doubles: double lane j is t32[2j], t32[2j+1]).
 *
 * Results: JavaScript computes in double with round-to-nearest-even. A
 * single-precision result is the double result rounded again with
 * Math.fround, which is exact for + - * / and sqrt of singles (the double
 * result of * is exact, and double rounding is innocuous for the others).
 * Each operation also finds the sign of (exact result - double result)
 * (TwoSum for + -, Dekker's product for * / sqrt, BigInt arithmetic where
 * Dekker's splitting could overflow or underflow), which gives the
 * precision flag and the directed roundings of MXCSR.RC.
 *
 * MXCSR flags: IE (SNaN operands, invalid operations, QNaN operands of
 * COMIS and signalling compares, MIN/MAX), DE (denormal operands; invalid
 * operation and divide-by-zero hide it), ZE, OE, UE (tiny and inexact), PE;
 * DAZ and FTZ are honoured. Tininess is judged as the SDM says: the result
 * rounded to the destination's precision with an unbounded exponent is
 * below the smallest normal (for doubles just below 2^-1022 this takes
 * BigInt arithmetic). Approximated: with UE unmasked the hardware reports
 * exact tiny results too, here only inexact ones; an unmasked exception
 * raises #XM before the destination is written, so no handler sees the
 * SDM's biased result. RCPPS/RSQRTPS give correctly rounded values where
 * the hardware gives its model-specific 12-bit approximations.
 * NaNs: a NaN operand gives the first source's NaN (quietened) as the SDM's
 * table 4-7 says; invalid operations give the default NaN (0xFFC00000,
 * 0xFFF8000000000000). Bits of NaNs are handled as integers, never as
 * JavaScript numbers.
 */

export const enum Mx {
  IE = 0x01,
  DE = 0x02,
  ZE = 0x04,
  OE = 0x08,
  UE = 0x10,
  PE = 0x20,
  DAZ = 0x40,
  UM = 0x800,
  FTZ = 0x8000,
}

export const enum FOp {
  ADD,
  SUB,
  MUL,
  DIV,
  MIN,
  MAX,
}

const MIN_NORMAL_32 = 2 ** -126;
const MIN_NORMAL_64 = 2 ** -1022;
const SPLITTER = 134217729; // 2^27 + 1
const DEKKER_MAX = 2 ** 900;
const DEKKER_MIN = 2 ** -900;

export const DEFAULT_NAN_32 = 0xffc00000 | 0;
export const DEFAULT_NAN_HI = 0xfff80000 | 0;

export function isNaN32(b: number): boolean {
  return (b & 0x7fffffff) > 0x7f800000;
}
function isSNaN32(b: number): boolean {
  return isNaN32(b) && (b & 0x400000) === 0;
}
export function isNaN64(hi: number, lo: number): boolean {
  const h = hi & 0x7fffffff;
  return h > 0x7ff00000 || (h === 0x7ff00000 && lo !== 0);
}
function isSNaN64(hi: number, lo: number): boolean {
  return isNaN64(hi, lo) && (hi & 0x80000) === 0;
}

const sign = (v: number): number => (v > 0 ? 1 : v < 0 ? -1 : 0);

/** The error of the double product p = RN(a*b): a*b = p + err exactly (Dekker; |a|,|b|,|p| within 2^±900). */
function productError(a: number, b: number, p: number): number {
  let c = SPLITTER * a;
  const ah = c - (c - a), al = a - ah;
  c = SPLITTER * b;
  const bh = c - (c - b), bl = b - bh;
  return ah * bh - p + ah * bl + al * bh + al * bl;
}

const inDekkerRange = (v: number): boolean => {
  const m = Math.abs(v);
  return m >= DEKKER_MIN && m <= DEKKER_MAX;
};

/** sign(|exact result| - m * 2^e): how a double operation exposes its exact result to the tininess test. */
type ExactMagnitude = (m: bigint, e: number) => number;

export class SseFloat {
  /** Exception flags raised by the current instruction. */
  flags = 0;
  private rc = 0;
  private daz = false;
  private ftz = false;
  private readonly t32: Int32Array;
  private readonly tf32: Float32Array;
  private readonly tf64: Float64Array;
  private readonly n32 = new Int32Array(2);
  private readonly nf32 = new Float32Array(this.n32.buffer);
  private readonly nf64 = new Float64Array(this.n32.buffer);
  private readonly dv = new DataView(new ArrayBuffer(8));

  constructor(readonly u: Simd) {
    this.t32 = u.t32;
    this.tf32 = u.tf32;
    this.tf64 = u.tf64;
  }

  /** Reads MXCSR's controls; call once per instruction before the lanes. */
  begin(): void {
    const m = this.u.mxcsr;
    this.flags = 0;
    this.rc = (m >> 13) & 3;
    this.daz = (m & Mx.DAZ) !== 0;
    this.ftz = (m & Mx.FTZ) !== 0 && (m & Mx.UM) !== 0;
  }

  /** Puts the flags in MXCSR (#XM if one is unmasked); call before storing the result. */
  commit(): void {
    this.u.raise(this.flags);
  }

  get roundingControl(): number {
    return this.rc;
  }

  // ---------------------------------------------------------------- operands

  /** The single at t32[i] (not a NaN): a denormal is DE, or zero under DAZ. */
  in32(i: number, denormalFlag = true): number {
    const b = this.t32[i];
    if ((b & 0x7f800000) === 0 && (b & 0x7fffff) !== 0) {
      if (this.daz) return b < 0 ? -0 : 0;
      if (denormalFlag) this.flags |= Mx.DE;
    }
    return this.tf32[i];
  }

  /** The double of lane j (not a NaN). */
  in64(j: number, denormalFlag = true): number {
    const hi = this.t32[2 * j + 1];
    if ((hi & 0x7ff00000) === 0 && ((hi & 0xfffff) | this.t32[2 * j]) !== 0) {
      if (this.daz) return hi < 0 ? -0 : 0;
      if (denormalFlag) this.flags |= Mx.DE;
    }
    return this.tf64[j];
  }

  // ---------------------------------------------------------------- rounding

  private next32(f: number, up: boolean): number {
    if (f !== f || f === (up ? Infinity : -Infinity)) return f;
    if (f === 0) {
      this.n32[0] = 1;
      return up ? this.nf32[0] : -this.nf32[0];
    }
    this.nf32[0] = f;
    this.n32[0] += (f > 0) === up ? 1 : -1;
    return this.nf32[0];
  }

  private next64(f: number, up: boolean): number {
    if (f !== f || f === (up ? Infinity : -Infinity)) return f;
    if (f === 0) return up ? Number.MIN_VALUE : -Number.MIN_VALUE;
    this.nf64[0] = f;
    const inc = (f > 0) === up;
    // 64-bit increment of the bit pattern as two int32 halves.
    if (inc) {
      this.n32[0] = (this.n32[0] + 1) | 0;
      if (this.n32[0] === 0) this.n32[1]++;
    } else {
      if (this.n32[0] === 0) this.n32[1]--;
      this.n32[0] = (this.n32[0] - 1) | 0;
    }
    return this.nf64[0];
  }

  /**
   * The correctly rounded result from `f` (the round-to-nearest result in the
   * destination format) and `d` = sign(exact - f); sets PE, OE, UE, applies RC and FTZ.
   */
  private finish(f: number, d: number, single: boolean, exactSign: number, tiny: boolean): number {
    if (d !== 0) {
      this.flags |= Mx.PE;
      // Overflow: the nearest result is infinite, or the directed one is.
      if (f === Infinity || f === -Infinity) this.flags |= Mx.OE;
      const rc = this.rc;
      if (rc === 1 && d < 0) f = single ? this.next32(f, false) : this.next64(f, false);
      else if (rc === 2 && d > 0) f = single ? this.next32(f, true) : this.next64(f, true);
      else if (rc === 3 && ((f > 0 && d < 0) || (f < 0 && d > 0))) f = single ? this.next32(f, f < 0) : this.next64(f, f < 0);
      if (f === Infinity || f === -Infinity) this.flags |= Mx.OE;
    }
    if (tiny) {
      if (this.ftz) {
        this.flags |= Mx.UE | Mx.PE;
        return exactSign < 0 ? -0 : 0;
      }
      if (d !== 0) this.flags |= Mx.UE;
    }
    return f;
  }

  /** Stores double `r` (with e = sign(exact - r)) rounded to single into tf32[o]. */
  put32(o: number, r: number, e: number): void {
    const f = Math.fround(r);
    const d = f !== r ? (r > f ? 1 : -1) : e;
    this.tf32[o] = this.finish(f, d, true, r !== 0 ? sign(r) : e, this.tiny32(r, e));
  }

  /**
   * Whether the exact x (= r + something of sign e) is tiny as the SDM
   * defines it: rounded to 24 bits with an unbounded exponent (by RC), below
   * the smallest normal single.
   */
  private tiny32(r: number, e: number): boolean {
    if (r === 0) return e !== 0;
    const a = Math.abs(r), ex = e * sign(r);
    if (a > MIN_NORMAL_32) return false;
    // Rounding toward a larger magnitude, toward a smaller one, or to nearest.
    const rc = this.rc;
    const larger = (rc === 2 && r > 0) || (rc === 1 && r < 0);
    const smaller = rc === 3 || (rc === 1 && r > 0) || (rc === 2 && r < 0);
    const bound = smaller ? MIN_NORMAL_32 : larger ? MIN_NORMAL_32 - 2 ** -150 : MIN_NORMAL_32 - 2 ** -151;
    if (a !== bound) return a < bound;
    return larger ? ex <= 0 : ex < 0;
  }

  /** Stores double `r` (round-to-nearest of an exact x with e = sign(x - r)) into double lane j. */
  put64(j: number, r: number, e: number, exact?: ExactMagnitude): void {
    this.tf64[j] = this.finish(r, e, false, r !== 0 ? sign(r) : e, this.tiny64(r, e, exact));
  }

  /**
   * tiny32 for doubles. Here `r` has already lost bits when it is subnormal,
   * so an exact result just below 2^-1022 (r = 2^-1022, rounded up) is
   * compared with the rounding boundary through `exact`.
   */
  private tiny64(r: number, e: number, exact?: ExactMagnitude): boolean {
    if (r === 0) return e !== 0;
    const a = Math.abs(r), ex = e * sign(r);
    const rc = this.rc;
    const larger = (rc === 2 && r > 0) || (rc === 1 && r < 0);
    const smaller = rc === 3 || (rc === 1 && r > 0) || (rc === 2 && r < 0);
    if (a !== MIN_NORMAL_64 || ex >= 0) return a < MIN_NORMAL_64;
    if (smaller) return true;
    // |x| in (2^-1022 - 2^-1075, 2^-1022): against 2^-1022 - 2^-1076 (nearest) or 2^-1022 - 2^-1075 (larger).
    if (!exact) return true;
    const c = larger ? exact((1n << 53n) - 1n, -1075) : exact((1n << 54n) - 1n, -1076);
    return larger ? c <= 0 : c < 0;
  }

  // ---------------------------------------------------------------- NaNs

  /** Result bits of a two-operand single operation with a NaN operand: the first NaN, quietened. */
  private nan32(a: number, b: number): number {
    if (isSNaN32(a) || isSNaN32(b)) this.flags |= Mx.IE;
    return (isNaN32(a) ? a : b) | 0x400000;
  }

  /** The default NaN and IE; `flags` are the flags before this lane's operands were read (no DE). */
  private invalid32(o: number, flags: number): void {
    this.flags = flags | Mx.IE;
    this.t32[o] = DEFAULT_NAN_32;
  }

  private invalid64(j: number, flags: number): void {
    this.flags = flags | Mx.IE;
    this.t32[2 * j] = 0;
    this.t32[2 * j + 1] = DEFAULT_NAN_HI;
  }

  // ---------------------------------------------------------------- single precision

  /** t32[ia] op t32[ib] into t32[ia]. */
  binary32(op: FOp, ia: number, ib: number): void {
    const t32 = this.t32;
    const ab = t32[ia], bb = t32[ib];
    if (op === FOp.MIN || op === FOp.MAX) {
      if (isNaN32(ab) || isNaN32(bb)) {
        this.flags |= Mx.IE;
        t32[ia] = bb;
        return;
      }
      const a = this.in32(ia), b = this.in32(ib);
      this.tf32[ia] = (op === FOp.MIN ? a < b : a > b) ? a : b;
      return;
    }
    if (isNaN32(ab) || isNaN32(bb)) {
      t32[ia] = this.nan32(ab, bb);
      return;
    }
    // Invalid-operation and divide-by-zero outrank the denormal-operand flag: only they are reported.
    const outranked = this.flags;
    const a = this.in32(ia);
    let b = this.in32(ib);
    if (op === FOp.SUB) b = -b;
    switch (op) {
      case FOp.SUB:
      case FOp.ADD: {
        if (a === -b && !Number.isFinite(a)) return this.invalid32(ia, outranked);
        const [s, e] = this.sum(a, b);
        return this.put32(ia, s, e);
      }
      case FOp.MUL:
        if ((a === 0 && !Number.isFinite(b)) || (b === 0 && !Number.isFinite(a))) return this.invalid32(ia, outranked);
        return this.put32(ia, a * b, 0);
      case FOp.DIV: {
        if ((a === 0 && b === 0) || (!Number.isFinite(a) && !Number.isFinite(b))) return this.invalid32(ia, outranked);
        if (b === 0 && Number.isFinite(a)) this.flags = outranked | Mx.ZE;
        const q = a / b;
        let e = 0;
        if (q !== 0 && Number.isFinite(q) && Math.fround(q) === q) {
          const p = q * b; // exact: both singles
          e = sign(a - p) * sign(b);
        }
        return this.put32(ia, q, e);
      }
    }
  }

  /** sqrt of t32[ib] into t32[ia]. */
  sqrt32(ia: number, ib: number): void {
    const bb = this.t32[ib];
    if (isNaN32(bb)) {
      if (isSNaN32(bb)) this.flags |= Mx.IE;
      this.t32[ia] = bb | 0x400000;
      return;
    }
    const outranked = this.flags;
    const a = this.in32(ib);
    if (a < 0) return this.invalid32(ia, outranked);
    const r = Math.sqrt(a);
    const e = Math.fround(r) === r ? sign(a - r * r) : 0;
    this.put32(ia, r, e);
  }

  /** Sum and sign of its rounding error (TwoSum); -0 for an exact zero when rounding down. */
  private sum(a: number, b: number): [number, number] {
    let s = a + b;
    if (!Number.isFinite(s)) return [s, Number.isFinite(a) && Number.isFinite(b) ? -sign(s) : 0];
    const bb = s - a;
    const e = sign(a - (s - bb) + (b - bb));
    if (s === 0 && this.rc === 1 && !(Object.is(a, 0) && Object.is(b, 0))) s = -0;
    return [s, e];
  }

  // ---------------------------------------------------------------- double precision

  /** Double lane ja op lane jb into lane ja. */
  binary64(op: FOp, ja: number, jb: number): void {
    const t32 = this.t32;
    const alo = t32[2 * ja], ahi = t32[2 * ja + 1], blo = t32[2 * jb], bhi = t32[2 * jb + 1];
    const aNaN = isNaN64(ahi, alo), bNaN = isNaN64(bhi, blo);
    if (op === FOp.MIN || op === FOp.MAX) {
      if (aNaN || bNaN) {
        this.flags |= Mx.IE;
        t32[2 * ja] = blo;
        t32[2 * ja + 1] = bhi;
        return;
      }
      const a = this.in64(ja), b = this.in64(jb);
      this.tf64[ja] = (op === FOp.MIN ? a < b : a > b) ? a : b;
      return;
    }
    if (aNaN || bNaN) {
      if (isSNaN64(ahi, alo) || isSNaN64(bhi, blo)) this.flags |= Mx.IE;
      t32[2 * ja] = aNaN ? alo : blo;
      t32[2 * ja + 1] = (aNaN ? ahi : bhi) | 0x80000;
      return;
    }
    const outranked = this.flags;
    const a = this.in64(ja);
    let b = this.in64(jb);
    if (op === FOp.SUB) b = -b;
    switch (op) {
      case FOp.SUB:
      case FOp.ADD: {
        if (a === -b && !Number.isFinite(a)) return this.invalid64(ja, outranked);
        const [s, e] = this.sum(a, b);
        return this.put64(ja, s, e, (m, x) => {
          const [am, ae] = this.exact(a), [bm, be] = this.exact(b);
          const lo = Math.min(ae, be);
          const sum = (am << BigInt(ae - lo)) + (bm << BigInt(be - lo));
          return compare(sum < 0n ? -sum : sum, lo, m, x);
        });
      }
      case FOp.MUL: {
        if ((a === 0 && !Number.isFinite(b)) || (b === 0 && !Number.isFinite(a))) return this.invalid64(ja, outranked);
        const p = a * b;
        let e = 0;
        if (a !== 0 && b !== 0 && Number.isFinite(a) && Number.isFinite(b)) {
          if (!Number.isFinite(p)) e = -sign(p);
          else if (p === 0) e = sign(a) * sign(b);
          else if (inDekkerRange(a) && inDekkerRange(b) && inDekkerRange(p)) e = sign(productError(a, b, p));
          else e = this.exactCompare(this.product(a, b), p);
        }
        return this.put64(ja, p, e, (m, x) => {
          const [pm, pe] = this.product(a, b);
          return compare(pm < 0n ? -pm : pm, pe, m, x);
        });
      }
      case FOp.DIV: {
        if ((a === 0 && b === 0) || (!Number.isFinite(a) && !Number.isFinite(b))) return this.invalid64(ja, outranked);
        if (b === 0 && Number.isFinite(a)) this.flags = outranked | Mx.ZE;
        const q = a / b;
        let e = 0;
        if (a !== 0 && b !== 0 && Number.isFinite(a) && Number.isFinite(b)) {
          if (!Number.isFinite(q)) e = -sign(q);
          else if (q === 0) e = sign(a) * sign(b);
          else e = this.residual(a, q, b) * sign(b);
        }
        return this.put64(ja, q, e, (m, x) => {
          // |a/b| against m*2^x: |a| against m*2^x*|b|.
          const [am, ae] = this.exact(Math.abs(a)), [bm, be] = this.exact(Math.abs(b));
          return compare(am, ae, m * bm, x + be);
        });
      }
    }
  }

  /** sqrt of lane jb into lane ja. */
  sqrt64(ja: number, jb: number): void {
    const t32 = this.t32;
    const lo = t32[2 * jb], hi = t32[2 * jb + 1];
    if (isNaN64(hi, lo)) {
      if (isSNaN64(hi, lo)) this.flags |= Mx.IE;
      t32[2 * ja] = lo;
      t32[2 * ja + 1] = hi | 0x80000;
      return;
    }
    const outranked = this.flags;
    const a = this.in64(jb);
    if (a < 0) return this.invalid64(ja, outranked);
    const r = Math.sqrt(a);
    const e = a > 0 && Number.isFinite(a) ? this.residual(a, r, r) : 0;
    this.put64(ja, r, e, (m, x) => {
      const [am, ae] = this.exact(a);
      return compare(am, ae, m * m, 2 * x);
    });
  }

  /** sign(a - q*b), exactly (a, q, b finite and non-zero). */
  private residual(a: number, q: number, b: number): number {
    if (inDekkerRange(a) && inDekkerRange(q) && inDekkerRange(b)) {
      const p = q * b;
      if (inDekkerRange(p)) {
        const err = productError(q, b, p);
        const d = a - p; // exact: p is within a factor of two of a
        return sign(d - err);
      }
    }
    const [pm, pe] = this.product(q, b);
    const [am, ae] = this.exact(a);
    return compare(am, ae, pm, pe);
  }

  private exact(v: number): [bigint, number] {
    this.dv.setFloat64(0, v);
    const hi = this.dv.getUint32(0), lo = this.dv.getUint32(4);
    const exp = (hi >>> 20) & 0x7ff;
    let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
    if (exp !== 0) m |= 1n << 52n;
    return [hi >>> 31 ? -m : m, (exp === 0 ? 1 : exp) - 1075];
  }

  private product(a: number, b: number): [bigint, number] {
    const [am, ae] = this.exact(a), [bm, be] = this.exact(b);
    return [am * bm, ae + be];
  }

  private exactCompare(x: [bigint, number], r: number): number {
    const [rm, re] = this.exact(r);
    return compare(x[0], x[1], rm, re);
  }

  // ---------------------------------------------------------------- conversions

  /** A number rounded to an integer by MXCSR.RC (nearest-even, down, up, toward zero). */
  round(v: number): number {
    return roundByControl(v, this.rc);
  }

  /** To int32 (CVT*2SI, CVT*2DQ, CVT*2PI): the integer indefinite 0x80000000 for NaN and out of range (IE). */
  toInt32(v: number, truncate: boolean): number {
    if (v !== v) {
      this.flags |= Mx.IE;
      return 0x80000000 | 0;
    }
    const n = truncate ? Math.trunc(v) : this.round(v);
    if (n >= 2147483648 || n < -2147483648) {
      this.flags |= Mx.IE;
      return 0x80000000 | 0;
    }
    if (n !== v) this.flags |= Mx.PE;
    return n | 0;
  }

  /** The single at t32[i] as an int32. */
  int32Of32(i: number, truncate: boolean): number {
    return this.toInt32(isNaN32(this.t32[i]) ? NaN : this.in32(i, false), truncate);
  }

  /** Double lane j as an int32. */
  int32Of64(j: number, truncate: boolean): number {
    return this.toInt32(isNaN64(this.t32[2 * j + 1], this.t32[2 * j]) ? NaN : this.in64(j, false), truncate);
  }

  /** CVTSS2SD / CVTPS2PD lane: the single at t32[i] into double lane j (of a different slot). */
  single2double(j: number, i: number): void {
    const b = this.t32[i];
    if (isNaN32(b)) {
      if (isSNaN32(b)) this.flags |= Mx.IE;
      this.t32[2 * j + 1] = (b & 0x80000000) | 0x7ff80000 | ((b & 0x7fffff) >>> 3);
      this.t32[2 * j] = (b & 7) << 29;
      return;
    }
    this.tf64[j] = this.in32(i);
  }

  /** CVTSD2SS / CVTPD2PS lane: double lane j into the single at t32[i]. */
  double2single(i: number, j: number): void {
    const lo = this.t32[2 * j], hi = this.t32[2 * j + 1];
    if (isNaN64(hi, lo)) {
      if (isSNaN64(hi, lo)) this.flags |= Mx.IE;
      this.t32[i] = (hi & 0x80000000) | 0x7fc00000 | ((hi & 0x7ffff) << 3) | (lo >>> 29);
      return;
    }
    this.put32(i, this.in64(j), 0);
  }

  // ---------------------------------------------------------------- compares

  /**
   * CMPxx predicate (imm8 & 7: EQ LT LE UNORD NEQ NLT NLE ORD) of two
   * numbers or NaNs; `quietNaN` / `signalNaN` say whether a NaN is present
   * and whether one is signalling.
   */
  predicate(p: number, a: number, b: number, unordered: boolean, signalling: boolean): boolean {
    if (unordered) {
      // LT LE NLT NLE signal on any NaN; the others only on SNaN.
      if (signalling || p === 1 || p === 2 || p === 5 || p === 6) this.flags |= Mx.IE;
      return p === 3 || p === 4 || p === 5 || p === 6;
    }
    switch (p) {
      case 0: return a === b;
      case 1: return a < b;
      case 2: return a <= b;
      case 3: return false;
      case 4: return a !== b;
      case 5: return !(a < b);
      case 6: return !(a <= b);
      default: return true;
    }
  }

  /** Compare of singles t32[ia], t32[ib] by predicate p: all ones or zero into t32[ia]. */
  compare32(p: number, ia: number, ib: number): void {
    const ab = this.t32[ia], bb = this.t32[ib];
    const un = isNaN32(ab) || isNaN32(bb);
    const r = un
      ? this.predicate(p, 0, 0, true, isSNaN32(ab) || isSNaN32(bb))
      : this.predicate(p, this.in32(ia), this.in32(ib), false, false);
    this.t32[ia] = r ? -1 : 0;
  }

  compare64(p: number, ja: number, jb: number): void {
    const t32 = this.t32;
    const alo = t32[2 * ja], ahi = t32[2 * ja + 1], blo = t32[2 * jb], bhi = t32[2 * jb + 1];
    const un = isNaN64(ahi, alo) || isNaN64(bhi, blo);
    const r = un
      ? this.predicate(p, 0, 0, true, isSNaN64(ahi, alo) || isSNaN64(bhi, blo))
      : this.predicate(p, this.in64(ja), this.in64(jb), false, false);
    t32[2 * ja] = t32[2 * ja + 1] = r ? -1 : 0;
  }

  /** COMISS, COMISD, UCOMISS, UCOMISD: ZF PF CF (unordered 111, > 000, < 001, = 100); IE for SNaN, or any NaN unless `quiet`. */
  eflags(a: number, b: number, unordered: boolean, signalling: boolean, quiet: boolean): number {
    if (unordered) {
      if (signalling || !quiet) this.flags |= Mx.IE;
      return 0x45;
    }
    return a > b ? 0 : a < b ? 0x01 : 0x40;
  }

  comis32(ia: number, ib: number, quiet: boolean): number {
    const ab = this.t32[ia], bb = this.t32[ib];
    const un = isNaN32(ab) || isNaN32(bb);
    if (un) return this.eflags(0, 0, true, isSNaN32(ab) || isSNaN32(bb), quiet);
    return this.eflags(this.in32(ia), this.in32(ib), false, false, quiet);
  }

  comis64(ja: number, jb: number, quiet: boolean): number {
    const t32 = this.t32;
    const alo = t32[2 * ja], ahi = t32[2 * ja + 1], blo = t32[2 * jb], bhi = t32[2 * jb + 1];
    const un = isNaN64(ahi, alo) || isNaN64(bhi, blo);
    if (un) return this.eflags(0, 0, true, isSNaN64(ahi, alo) || isSNaN64(bhi, blo), quiet);
    return this.eflags(this.in64(ja), this.in64(jb), false, false, quiet);
  }
}

/** sign(m1 * 2^e1 - m2 * 2^e2). */
function compare(m1: bigint, e1: number, m2: bigint, e2: number): number {
  if (e1 > e2) m1 <<= BigInt(e1 - e2);
  else if (e2 > e1) m2 <<= BigInt(e2 - e1);
  return m1 > m2 ? 1 : m1 < m2 ? -1 : 0;
}
