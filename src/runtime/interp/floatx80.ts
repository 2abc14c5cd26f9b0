/**
 * Software floating point in the x87's 80-bit extended format, bit-exact
 * with the hardware (tests/x87/floatx80.test.ts runs the same operations on
 * the host CPU and compares every result and status flag).
 *
 * A value is the three fields of the encoding: sign, the 15-bit biased
 * exponent field and the 64-bit significand with its explicit integer bit.
 * Arithmetic is exact in BigInt (sums and products exactly, quotients and
 * square roots with a sticky bit) and then rounded once, so speed is
 * secondary to exactness. Exceptions are the masked responses: every
 * function returns the value the x87 delivers with all exceptions masked and
 * the status-word bits the operation sets (IE DE ZE OE UE PE, and C1 for
 * "rounded up in magnitude").
 *
 * Encodings, as the 387 and later classify them:
 * - exponent 0x7fff, integer bit set: infinity (fraction 0) or a NaN (quiet
 *   when fraction bit 62 is set, signaling otherwise);
 * - exponent 1..0x7ffe with the integer bit set: normal;
 * - exponent 0: zero, denormal, or pseudo-denormal (integer bit set), which
 *   is read like a denormal with exponent 1 and raises DE like one;
 * - anything else (unnormals, pseudo-infinities, pseudo-NaNs) is an
 *   unsupported format: an invalid operand.
 *
 * Precision control (CW bits 8-9: 0 = 24 bits, 2 = 53, 3 = 64) rounds the
 * significand of add/sub/mul/div/sqrt results only; the exponent keeps its
 * full 15-bit range, and a denormal result keeps the rounding position of
 * the 24/53-bit field (so it loses precision as it shrinks).
 */

export interface F80 {
  sign: 0 | 1;
  /** The 15-bit biased exponent field. */
  exp: number;
  /** The 64-bit significand, explicit integer bit (bit 63) included. */
  mant: bigint;
}

/** Precision control (0: 24 bits, 2: 53, 3: 64; 1 is reserved and read as 64) and rounding control (0 nearest-even, 1 down, 2 up, 3 toward zero). */
export interface F80Control {
  pc: number;
  rc: number;
}

export interface F80Result {
  value: F80;
  flags: number;
}

export const IE = 0x01, DE = 0x02, ZE = 0x04, OE = 0x08, UE = 0x10, PE = 0x20;
/** Condition bits of the status word. */
export const C0 = 0x100, C1 = 0x200, C2 = 0x400, C3 = 0x4000;

const BIAS = 16383;
const TOP = 1n << 63n;
const QUIET = 1n << 62n;
const MASK64 = (1n << 64n) - 1n;

// Constant tables (frozen, never written): small BigInt shift counts, powers
// of two and low masks as BigInts, and powers of two as doubles. They spare
// the fast paths below the BigInt allocations of BigInt(n) and 1n << n.
const SMALL = 256;
const SHIFT: readonly bigint[] = Object.freeze(Array.from({ length: SMALL }, (_, i) => BigInt(i)));
const POW2N: readonly bigint[] = Object.freeze(Array.from({ length: SMALL }, (_, i) => 1n << BigInt(i)));
const LOW: readonly bigint[] = Object.freeze(Array.from({ length: SMALL }, (_, i) => (1n << BigInt(i)) - 1n));
const POW2_BIAS = 1100;
/** 2^(i - POW2_BIAS) as doubles (exact down to 2^-1074; 0 below, Infinity above 2^1023). */
const POW2D: readonly number[] = Object.freeze(
  Array.from({ length: 2 * POW2_BIAS + 1 }, (_, i) => {
    let v = 1;
    const k = i - POW2_BIAS;
    // Halving and doubling are exact until the range ends.
    if (k >= 0) for (let j = 0; j < k; j++) v *= 2;
    else for (let j = 0; j < -k; j++) v /= 2;
    return v;
  }),
);
const pow2 = (k: number): number => POW2D[k + POW2_BIAS];
const bigPow2 = (k: number): bigint => (k < SMALL ? POW2N[k] : 1n << BigInt(k));

/** The negative quiet NaN a masked invalid operation delivers. */
export const F80_INDEFINITE: F80 = Object.freeze({ sign: 1, exp: 0x7fff, mant: 0xc000000000000000n });

export function f80(sign: 0 | 1, exp: number, mant: bigint): F80 {
  return { sign, exp, mant };
}

const zero = (sign: 0 | 1): F80 => ({ sign, exp: 0, mant: 0n });
const inf = (sign: 0 | 1): F80 => ({ sign, exp: 0x7fff, mant: TOP });
const invalid = (): F80Result => ({ value: { ...F80_INDEFINITE }, flags: IE });

// ---------------------------------------------------------------- encoding

/** The value of the 10 bytes of an m80 operand (little-endian, as in memory). */
export function f80FromBytes(bytes: ArrayLike<number>): F80 {
  let mant = 0n;
  for (let i = 7; i >= 0; i--) mant = (mant << 8n) | BigInt(bytes[i] & 0xff);
  const se = (bytes[8] & 0xff) | ((bytes[9] & 0xff) << 8);
  return { sign: (se >> 15) as 0 | 1, exp: se & 0x7fff, mant };
}

/** The 10 bytes of an m80 operand (little-endian). */
export function f80ToBytes(x: F80): Uint8Array {
  const out = new Uint8Array(10);
  let m = x.mant & MASK64;
  for (let i = 0; i < 8; i++) {
    out[i] = Number(m & 0xffn);
    m >>= 8n;
  }
  const se = (x.sign << 15) | (x.exp & 0x7fff);
  out[8] = se & 0xff;
  out[9] = se >> 8;
  return out;
}

export type F80Class = 'zero' | 'denormal' | 'normal' | 'infinity' | 'qnan' | 'snan' | 'unsupported';

export function f80Classify(x: F80): F80Class {
  const j = (x.mant & TOP) !== 0n;
  if (x.exp === 0) return x.mant === 0n ? 'zero' : 'denormal';
  if (!j) return 'unsupported';
  if (x.exp === 0x7fff) {
    if (x.mant === TOP) return 'infinity';
    return x.mant & QUIET ? 'qnan' : 'snan';
  }
  return 'normal';
}

const isNaNClass = (c: F80Class): boolean => c === 'qnan' || c === 'snan';

/** x = S * 2^E for a finite nonzero x (denormals and pseudo-denormals have exponent 1). */
function decompose(x: F80): { S: bigint; E: number } {
  return { S: x.mant, E: (x.exp === 0 ? 1 : x.exp) - BIAS - 63 };
}

function bitLength(x: bigint): number {
  if (x === 0n) return 0;
  const v = Number(x);
  if (v !== Infinity) {
    // The exponent of the nearest double, then whether that double rounded x up to a power of two.
    let e = Math.floor(Math.log2(v));
    if (pow2(e) > v) e--;
    else if (pow2(e + 1) <= v) e++;
    if (v === pow2(e) && x < bigPow2(e)) return e;
    return e + 1;
  }
  let n = 0;
  while (x > 0xffffffffn) {
    x >>= 32n;
    n += 32;
  }
  return n + 32 - Math.clz32(Number(x));
}

/** S shifted left to exactly 64 bits, with its exponent. */
function normalized(x: F80): { S: bigint; E: number } {
  const { S, E } = decompose(x);
  const k = 64 - bitLength(S);
  return { S: S << BigInt(k), E: E - k };
}

// ---------------------------------------------------------------- rounding

interface Format {
  /** Significand bits. */
  p: number;
  /** Unbiased exponents of the leading bit of the smallest and largest normals. */
  emin: number;
  emax: number;
}

const EXT = (p: number): Format => ({ p, emin: 1 - BIAS, emax: BIAS });
const EXT64 = EXT(64), EXT53 = EXT(53), EXT24 = EXT(24);
const DOUBLE: Format = { p: 53, emin: -1022, emax: 1023 };
const SINGLE: Format = { p: 24, emin: -126, emax: 127 };

function extFormat(pc: number): Format {
  return pc === 0 ? EXT24 : pc === 2 ? EXT53 : EXT64;
}

interface Rounded {
  /** 0: zero, 1: finite nonzero (M * 2^q), 2: infinity. */
  kind: 0 | 1 | 2;
  M: bigint;
  q: number;
  flags: number;
}

/**
 * Rounds (-1)^sign * (S + sticky) * 2^E (sticky: the true value lies strictly
 * above S * 2^E, by less than one unit of S's last bit) to `f` under `rc`,
 * with the x87's masked responses: denormalize then round, UE when tiny
 * (before rounding) and inexact, overflow to infinity or the largest finite
 * value by the rounding direction.
 */
function roundTo(sign: 0 | 1, S: bigint, E: number, sticky: boolean, f: Format, rc: number): Rounded {
  if (S === 0n) {
    // Only a sticky remainder: below any rounding position.
    if (!sticky) return { kind: 0, M: 0n, q: 0, flags: 0 };
  }
  const n = bitLength(S);
  const L = S === 0n ? -Infinity : E + n - 1;
  const q = Math.max(L, f.emin) - f.p + 1;
  let M: bigint, half: boolean, lower: boolean;
  if (q <= E) {
    M = S << BigInt(E - q);
    half = false;
    lower = sticky;
  } else {
    const sh = BigInt(q - E);
    M = S >> sh;
    const rem = S & ((1n << sh) - 1n);
    const halfBit = 1n << (sh - 1n);
    half = (rem & halfBit) !== 0n;
    lower = (rem & (halfBit - 1n)) !== 0n || sticky;
  }
  const inexact = half || lower;
  let up: boolean;
  switch (rc & 3) {
    case 0: up = half && (lower || (M & 1n) === 1n); break;
    case 1: up = inexact && sign === 1; break;
    case 2: up = inexact && sign === 0; break;
    default: up = false;
  }
  let qq = q;
  if (up) {
    M += 1n;
    if (bitLength(M) > f.p) {
      M >>= 1n;
      qq += 1;
    }
  }
  let flags = 0;
  if (inexact) flags |= PE;
  if (up) flags |= C1;
  // Tininess is detected after rounding: a result that rounds (at full exponent range) up to the smallest normal is not tiny.
  if (inexact && L < f.emin && !(L === f.emin - 1 && carriesAtFullRange(sign, S, E, sticky, f.p, rc))) flags |= UE;
  if (M === 0n) return { kind: 0, M, q: qq, flags };
  const Lr = qq + bitLength(M) - 1;
  if (Lr > f.emax) {
    const toInf = (rc & 3) === 0 || ((rc & 3) === 1 && sign === 1) || ((rc & 3) === 2 && sign === 0);
    if (toInf) return { kind: 2, M: 0n, q: 0, flags: OE | PE | C1 };
    return { kind: 1, M: (1n << BigInt(f.p)) - 1n, q: f.emax - f.p + 1, flags: OE | PE };
  }
  return { kind: 1, M, q: qq, flags };
}

/** Whether rounding (S + sticky) * 2^E to p bits with an unbounded exponent carries into a new leading bit. */
function carriesAtFullRange(sign: 0 | 1, S: bigint, E: number, sticky: boolean, p: number, rc: number): boolean {
  const n = bitLength(S);
  if (n <= p) return false;
  const sh = BigInt(n - p);
  const M = S >> sh;
  if (M !== (1n << BigInt(p)) - 1n) return false;
  const rem = S & ((1n << sh) - 1n);
  const halfBit = 1n << (sh - 1n);
  const half = (rem & halfBit) !== 0n;
  const inexact = rem !== 0n || sticky;
  switch (rc & 3) {
    case 0: return half; // M is odd (all ones), so a tie rounds up too
    case 1: return inexact && sign === 1;
    case 2: return inexact && sign === 0;
    default: return false;
  }
}

/** A rounded result in the 80-bit encoding. */
function packExt(sign: 0 | 1, r: Rounded): F80 {
  if (r.kind === 0) return zero(sign);
  if (r.kind === 2) return inf(sign);
  const Lr = r.q + bitLength(r.M) - 1;
  if (Lr >= 1 - BIAS) return { sign, exp: Lr + BIAS, mant: r.M << BigInt(63 - (Lr - r.q)) };
  return { sign, exp: 0, mant: r.M << BigInt(r.q - (1 - BIAS - 63)) };
}

/** A rounded result in an IEEE interchange format with `fracBits` fraction bits and exponent bias `bias`. */
function packIeee(sign: 0 | 1, r: Rounded, fracBits: number, bias: number, expMax: number): bigint {
  const s = BigInt(sign) << BigInt(fracBits + bitLength(BigInt(expMax)));
  if (r.kind === 0) return s;
  if (r.kind === 2) return s | (BigInt(expMax) << BigInt(fracBits));
  const Lr = r.q + bitLength(r.M) - 1;
  const emin = 1 - bias;
  if (Lr >= emin) {
    const frac = (r.M << BigInt(fracBits - (Lr - r.q))) & ((1n << BigInt(fracBits)) - 1n);
    return s | (BigInt(Lr + bias) << BigInt(fracBits)) | frac;
  }
  return s | (r.M << BigInt(r.q - (emin - fracBits)));
}

function roundExt(sign: 0 | 1, S: bigint, E: number, sticky: boolean, ctl: F80Control): F80Result {
  const r = roundTo(sign, S, E, sticky, extFormat(ctl.pc), ctl.rc);
  return { value: packExt(sign, r), flags: r.flags };
}

// ---------------------------------------------------------------- NaNs

const quiet = (x: F80): F80 => ({ sign: x.sign, exp: x.exp, mant: x.mant | QUIET });

/**
 * The NaN of an operation with a NaN operand: a signaling NaN is quieted
 * (and raises IE); of a QNaN and an SNaN the QNaN; of two NaNs of the same
 * kind the one with the larger significand, and on equal significands the
 * positive one (the first if both signs agree).
 */
function propagateNaN(a: F80, b: F80 | null): F80Result {
  const ca = f80Classify(a), cb = b ? f80Classify(b) : 'zero';
  const aS = ca === 'snan', bS = cb === 'snan', aN = isNaNClass(ca), bN = isNaNClass(cb);
  const flags = aS || bS ? IE : 0;
  if (!b || !bN) return { value: quiet(a), flags };
  if (!aN) return { value: quiet(b), flags };
  if (aS !== bS) return { value: quiet(aS ? b : a), flags };
  const qa = quiet(a), qb = quiet(b);
  if (qa.mant !== qb.mant) return { value: qa.mant > qb.mant ? qa : qb, flags };
  return { value: qb.sign < qa.sign ? qb : qa, flags };
}

// ---------------------------------------------------------------- arithmetic

/** The checks every two-operand operation starts with: unsupported encodings, NaNs; then DE for a denormal operand. */
function prologue(a: F80, b: F80): { done: F80Result } | { ca: F80Class; cb: F80Class; flags: number } {
  const ca = f80Classify(a), cb = f80Classify(b);
  if (ca === 'unsupported' || cb === 'unsupported') return { done: invalid() };
  if (isNaNClass(ca) || isNaNClass(cb)) return { done: propagateNaN(a, b) };
  return { ca, cb, flags: ca === 'denormal' || cb === 'denormal' ? DE : 0 };
}

function addSub(a: F80, b: F80, negate: 0 | 1, ctl: F80Control): F80Result {
  const fast = addFast(a, b, negate, ctl);
  if (fast !== null) return fast;
  const p = prologue(a, b);
  if ('done' in p) return p.done;
  const { ca, cb } = p;
  let flags = p.flags;
  const sb = (b.sign ^ negate) as 0 | 1;
  if (ca === 'infinity' || cb === 'infinity') {
    if (ca === 'infinity' && cb === 'infinity' && a.sign !== sb) return invalid();
    return { value: inf(ca === 'infinity' ? a.sign : sb), flags };
  }
  const rdSign: 0 | 1 = (ctl.rc & 3) === 1 ? 1 : 0;
  if (ca === 'zero' && cb === 'zero') return { value: zero(a.sign === sb ? a.sign : rdSign), flags };
  const da = ca === 'zero' ? { S: 0n, E: 0 } : decompose(a);
  const db = cb === 'zero' ? { S: 0n, E: 0 } : decompose(b);
  const E = Math.min(ca === 'zero' ? Infinity : da.E, cb === 'zero' ? Infinity : db.E);
  const va = ca === 'zero' ? 0n : (a.sign ? -1n : 1n) * (da.S << BigInt(da.E - E));
  const vb = cb === 'zero' ? 0n : (sb ? -1n : 1n) * (db.S << BigInt(db.E - E));
  const sum = va + vb;
  if (sum === 0n) return { value: zero(rdSign), flags };
  const sign: 0 | 1 = sum < 0n ? 1 : 0;
  const r = roundExt(sign, sign ? -sum : sum, E, false, ctl);
  return { value: r.value, flags: flags | r.flags };
}

/** FADD: a + b. */
export function add(a: F80, b: F80, ctl: F80Control): F80Result {
  return addSub(a, b, 0, ctl);
}

/** FSUB: a - b. */
export function sub(a: F80, b: F80, ctl: F80Control): F80Result {
  return addSub(a, b, 1, ctl);
}

/** FMUL: a * b. */
export function mul(a: F80, b: F80, ctl: F80Control): F80Result {
  const fast = mulFast(a, b, ctl);
  if (fast !== null) return fast;
  const p = prologue(a, b);
  if ('done' in p) return p.done;
  const { ca, cb, flags } = p;
  const sign = (a.sign ^ b.sign) as 0 | 1;
  if (ca === 'infinity' || cb === 'infinity') {
    if (ca === 'zero' || cb === 'zero') return invalid();
    return { value: inf(sign), flags };
  }
  if (ca === 'zero' || cb === 'zero') return { value: zero(sign), flags };
  const da = decompose(a), db = decompose(b);
  const r = roundExt(sign, da.S * db.S, da.E + db.E, false, ctl);
  return { value: r.value, flags: flags | r.flags };
}

/** FDIV: a / b. */
export function div(a: F80, b: F80, ctl: F80Control): F80Result {
  const fast = divFast(a, b, ctl);
  if (fast !== null) return fast;
  const p = prologue(a, b);
  if ('done' in p) return p.done;
  const { ca, cb, flags } = p;
  const sign = (a.sign ^ b.sign) as 0 | 1;
  if (ca === 'infinity') {
    if (cb === 'infinity') return invalid();
    return { value: inf(sign), flags };
  }
  if (cb === 'infinity') return { value: zero(sign), flags };
  if (cb === 'zero') {
    if (ca === 'zero') return invalid();
    // A denormal dividend does not raise DE here: the hardware reports only ZE.
    return { value: inf(sign), flags: ZE };
  }
  if (ca === 'zero') return { value: zero(sign), flags };
  const na = normalized(a), nb = normalized(b);
  const num = na.S << 128n;
  const Q = num / nb.S;
  const r = roundExt(sign, Q, na.E - nb.E - 128, Q * nb.S !== num, ctl);
  return { value: r.value, flags: flags | r.flags };
}

function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = 1n << BigInt((bitLength(n) >> 1) + 1);
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

/** FSQRT. */
export function sqrt(a: F80, ctl: F80Control): F80Result {
  const fast = sqrtFast(a, ctl);
  if (fast !== null) return fast;
  const ca = f80Classify(a);
  if (ca === 'unsupported') return invalid();
  if (isNaNClass(ca)) return propagateNaN(a, null);
  if (ca === 'zero') return { value: { ...a }, flags: 0 };
  if (a.sign) return invalid();
  if (ca === 'infinity') return { value: { ...a }, flags: 0 };
  const flags = ca === 'denormal' ? DE : 0;
  const na = normalized(a);
  const k = (na.E - 128) & 1 ? 129 : 128;
  const n = na.S << BigInt(k);
  const R = isqrt(n);
  const r = roundExt(0, R, (na.E - k) / 2, R * R !== n, ctl);
  return { value: r.value, flags: flags | r.flags };
}

// ---------------------------------------------------------------- compare

export type F80Relation = 'less' | 'equal' | 'greater' | 'unordered';

/**
 * FCOM (quiet false) / FUCOM (quiet true) of a with b: the relation and the
 * flags (IE for an unsupported operand, a signaling NaN, or any NaN unless
 * quiet; DE for a denormal operand of an ordered comparison).
 */
export function compare(a: F80, b: F80, quietNaN: boolean): { relation: F80Relation; flags: number } {
  const fast = compareFast(a, b);
  if (fast !== null) return { relation: fast, flags: 0 };
  const ca = f80Classify(a), cb = f80Classify(b);
  if (ca === 'unsupported' || cb === 'unsupported') return { relation: 'unordered', flags: IE };
  if (isNaNClass(ca) || isNaNClass(cb)) {
    const sig = ca === 'snan' || cb === 'snan';
    return { relation: 'unordered', flags: sig || !quietNaN ? IE : 0 };
  }
  const flags = ca === 'denormal' || cb === 'denormal' ? DE : 0;
  const c = cmpValues(a, ca, b, cb);
  return { relation: c < 0 ? 'less' : c > 0 ? 'greater' : 'equal', flags };
}

/** The condition bits FCOM/FUCOM set for a relation (C3 C2 C0; C1 cleared). */
export function relationConditionBits(r: F80Relation): number {
  switch (r) {
    case 'greater': return 0;
    case 'less': return C0;
    case 'equal': return C3;
    default: return C3 | C2 | C0;
  }
}

/** Ordering of two non-NaN supported values (signed zeros equal). */
function cmpValues(a: F80, ca: F80Class, b: F80, cb: F80Class): number {
  const sgn = (x: F80, c: F80Class): number => (c === 'zero' ? 0 : x.sign ? -1 : 1);
  const sa = sgn(a, ca), sb = sgn(b, cb);
  if (sa !== sb) return sa < sb ? -1 : 1;
  if (sa === 0) return 0;
  const mag = (x: F80, c: F80Class): bigint =>
    c === 'infinity' ? 1n << 40000n : (() => { const d = decompose(x); return d.S << BigInt(d.E + 16500); })();
  const ma = mag(a, ca), mb = mag(b, cb);
  const m = ma === mb ? 0 : ma < mb ? -1 : 1;
  return sa * m;
}

// ---------------------------------------------------------------- conversions

/** FLD m64: the exact extended value of a double's bits; IE for a signaling NaN (quieted), DE for a denormal. */
export function f80FromF64Bits(bits: bigint): F80Result {
  const fast = fromF64BitsFast(bits);
  if (fast !== null) return fast;
  const sign = Number((bits >> 63n) & 1n) as 0 | 1;
  const e = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & ((1n << 52n) - 1n);
  if (e === 0x7ff) {
    if (frac === 0n) return { value: inf(sign), flags: 0 };
    const snan = (frac & (1n << 51n)) === 0n;
    return { value: { sign, exp: 0x7fff, mant: TOP | QUIET | (frac << 11n) }, flags: snan ? IE : 0 };
  }
  if (e === 0) {
    if (frac === 0n) return { value: zero(sign), flags: 0 };
    return { value: fromExact(sign, frac, -1022 - 52), flags: DE };
  }
  return { value: { sign, exp: e - 1023 + BIAS, mant: TOP | (frac << 11n) }, flags: 0 };
}

/** FLD m64 of a JS number (its NaN payload as the engine keeps it). */
export function f80FromF64(v: number): F80Result {
  const d = new DataView(new ArrayBuffer(8));
  d.setFloat64(0, v);
  return f80FromF64Bits(d.getBigUint64(0));
}

/** FLD m32: the exact extended value of a single's bits; IE for a signaling NaN (quieted), DE for a denormal. */
export function f80FromF32bits(bits: number): F80Result {
  const fast = fromF32BitsFast(bits);
  if (fast !== null) return fast;
  const sign = ((bits >>> 31) & 1) as 0 | 1;
  const e = (bits >>> 23) & 0xff;
  const frac = BigInt(bits & 0x7fffff);
  if (e === 0xff) {
    if (frac === 0n) return { value: inf(sign), flags: 0 };
    const snan = (frac & (1n << 22n)) === 0n;
    return { value: { sign, exp: 0x7fff, mant: TOP | QUIET | (frac << 40n) }, flags: snan ? IE : 0 };
  }
  if (e === 0) {
    if (frac === 0n) return { value: zero(sign), flags: 0 };
    return { value: fromExact(sign, frac, -126 - 23), flags: DE };
  }
  return { value: { sign, exp: e - 127 + BIAS, mant: TOP | (frac << 40n) }, flags: 0 };
}

/** An exactly representable S * 2^E, normalized. */
function fromExact(sign: 0 | 1, S: bigint, E: number): F80 {
  return roundExt(sign, S, E, false, { pc: 3, rc: 0 }).value;
}

/** FILD: the exact extended value of an integer of up to 64 bits. */
export function f80FromInt(v: bigint): F80 {
  const fast = fromIntFast(v);
  if (fast !== null) return fast;
  if (v === 0n) return zero(0);
  const sign: 0 | 1 = v < 0n ? 1 : 0;
  return fromExact(sign, sign ? -v : v, 0);
}

export interface IeeeResult {
  /** The bit pattern stored. */
  bits: bigint;
  flags: number;
}

function toIeee(x: F80, rc: number, f: Format, fracBits: number, bias: number, expMax: number): IeeeResult {
  const c = f80Classify(x);
  const signBit = BigInt(x.sign) << BigInt(fracBits + bitLength(BigInt(expMax)));
  const expAll = BigInt(expMax) << BigInt(fracBits);
  switch (c) {
    case 'unsupported':
      return { bits: (1n << BigInt(fracBits + bitLength(BigInt(expMax)))) | expAll | (1n << BigInt(fracBits - 1)), flags: IE };
    case 'qnan':
    case 'snan':
      return {
        bits: signBit | expAll | (1n << BigInt(fracBits - 1)) | ((x.mant >> BigInt(63 - fracBits)) & ((1n << BigInt(fracBits)) - 1n)),
        flags: c === 'snan' ? IE : 0,
      };
    case 'infinity':
      return { bits: signBit | expAll, flags: 0 };
    case 'zero':
      return { bits: signBit, flags: 0 };
    default: {
      const d = decompose(x);
      const r = roundTo(x.sign, d.S, d.E, false, f, rc);
      return { bits: packIeee(x.sign, r, fracBits, bias, expMax), flags: r.flags };
    }
  }
}

/** FST m64: the double's bit pattern, rounded by `rc`. */
export function f80ToF64(x: F80, rc: number): IeeeResult & { value: number } {
  const fast = toF64Fast(x, rc);
  if (fast !== null) return fast;
  const r = toIeee(x, rc, DOUBLE, 52, 1023, 0x7ff);
  const d = new DataView(new ArrayBuffer(8));
  d.setBigUint64(0, r.bits);
  return { ...r, value: d.getFloat64(0) };
}

/** FST m32: the single's bit pattern (as a number 0..2^32-1), rounded by `rc`. */
export function f80ToF32bits(x: F80, rc: number): { bits: number; flags: number } {
  const fast = toF32Fast(x, rc);
  if (fast !== null) return fast;
  const r = toIeee(x, rc, SINGLE, 23, 127, 0xff);
  return { bits: Number(r.bits), flags: r.flags };
}

/** x rounded to an integer by `rc`: the integer, and whether it is inexact / larger in magnitude. */
function roundInteger(x: F80, rc: number): { v: bigint; inexact: boolean; up: boolean } {
  const { S, E } = decompose(x);
  let M: bigint, half: boolean, lower: boolean;
  if (E >= 0) return { v: (x.sign ? -1n : 1n) * (S << BigInt(E)), inexact: false, up: false };
  const sh = BigInt(-E);
  if (sh > 70n) {
    M = 0n;
    half = false;
    lower = true;
  } else {
    M = S >> sh;
    const rem = S & ((1n << sh) - 1n);
    const hb = 1n << (sh - 1n);
    half = (rem & hb) !== 0n;
    lower = (rem & (hb - 1n)) !== 0n;
  }
  const inexact = half || lower;
  let up: boolean;
  switch (rc & 3) {
    case 0: up = half && (lower || (M & 1n) === 1n); break;
    case 1: up = inexact && x.sign === 1; break;
    case 2: up = inexact && x.sign === 0; break;
    default: up = false;
  }
  if (up) M += 1n;
  return { v: x.sign ? -M : M, inexact, up };
}

/** FIST: x rounded to a signed integer of `bits` bits; the integer indefinite (-2^(bits-1)) with IE when it does not fit or x is a NaN, infinity or unsupported. */
export function f80ToInt(x: F80, rc: number, bits: 16 | 32 | 64): { value: bigint; flags: number } {
  const fast = toIntFast(x, rc, bits);
  if (fast !== null) return fast;
  const c = f80Classify(x);
  const indefinite = -(1n << BigInt(bits - 1));
  if (c === 'unsupported' || c === 'infinity' || isNaNClass(c)) return { value: indefinite, flags: IE };
  if (c === 'zero') return { value: 0n, flags: 0 };
  const r = roundInteger(x, rc);
  if (r.v < indefinite || r.v > -indefinite - 1n) return { value: indefinite, flags: IE };
  return { value: r.v, flags: (r.inexact ? PE : 0) | (r.up ? C1 : 0) };
}

/** FRNDINT: x rounded to an integral value by `rc` (precision control does not apply). */
export function f80RoundToInt(x: F80, rc: number): F80Result {
  const c = f80Classify(x);
  if (c === 'unsupported') return invalid();
  if (isNaNClass(c)) return propagateNaN(x, null);
  if (c === 'zero' || c === 'infinity') return { value: { ...x }, flags: 0 };
  const flags = c === 'denormal' ? DE : 0;
  const r = roundInteger(x, rc);
  const value = r.v === 0n ? zero(x.sign) : fromExact(x.sign, r.v < 0n ? -r.v : r.v, 0);
  return { value, flags: flags | (r.inexact ? PE : 0) | (r.up ? C1 : 0) };
}

// ---------------------------------------------------------------- partial remainder

/**
 * FPREM (nearest false: the quotient truncated) and FPREM1 (nearest true:
 * the quotient rounded to nearest-even) of a by b. When the exponent
 * difference D is below 64 the remainder is complete: C2 clear and the low
 * quotient bits in C0 (bit 2), C3 (bit 1), C1 (bit 0). Otherwise it is a
 * partial reduction by b * QQ * 2^(D-N) with N = 32 + (D mod 32), C2 set.
 * The result is always exact (precision control does not apply).
 */
export function fpremGeneric(a: F80, b: F80, nearest: boolean): F80Result {
  const p = prologue(a, b);
  if ('done' in p) return p.done;
  const { ca, cb, flags } = p;
  if (ca === 'infinity' || cb === 'zero') return { value: { ...F80_INDEFINITE }, flags: IE };
  // a unchanged, but a pseudo-denormal comes back in its canonical encoding (exponent field 1).
  if (ca === 'zero' || cb === 'infinity') return { value: a.exp === 0 && a.mant & TOP ? { ...a, exp: 1 } : { ...a }, flags };
  const na = normalized(a), nb = normalized(b);
  const D = na.E - nb.E;
  if (D >= 64) {
    const n = 32 + (D & 31);
    // QQ = chop(|a| / (|b| * 2^(D-n))); the remainder |a| - |b| * QQ * 2^(D-n).
    const x = na.S << BigInt(n);
    const rem = x - (x / nb.S) * nb.S;
    const value = rem === 0n ? zero(a.sign) : roundExt(a.sign, rem, na.E - n, false, { pc: 3, rc: 0 }).value;
    return { value, flags: flags | C2 };
  }
  const E = Math.min(na.E, nb.E);
  const x = na.S << BigInt(na.E - E), y = nb.S << BigInt(nb.E - E);
  let Q = x / y;
  let r = x - Q * y;
  if (nearest && (2n * r > y || (2n * r === y && (Q & 1n) === 1n))) {
    Q += 1n;
    r -= y;
  }
  let sign = a.sign;
  if (r < 0n) {
    r = -r;
    sign = (sign ^ 1) as 0 | 1;
  }
  // The low bits of the quotient's magnitude.
  const cc = (Q & 4n ? C0 : 0) | (Q & 2n ? C3 : 0) | (Q & 1n ? C1 : 0);
  const value = r === 0n ? zero(a.sign) : roundExt(sign, r, E, false, { pc: 3, rc: 0 }).value;
  return { value, flags: flags | cc };
}

/** FPREM: the partial remainder of a / b with a truncated quotient. */
export function fprem(a: F80, b: F80): F80Result {
  return fpremGeneric(a, b, false);
}

/** FPREM1: the IEEE partial remainder of a / b (quotient rounded to nearest-even). */
export function fprem1(a: F80, b: F80): F80Result {
  return fpremGeneric(a, b, true);
}

// ---------------------------------------------------------------- constants

export type F80ConstantName = 'fld1' | 'fldz' | 'fldpi' | 'fldl2e' | 'fldl2t' | 'fldlg2' | 'fldln2';

/**
 * The irrational constants as 128-bit truncations of their exact values
 * (leading bit at 2^e): the x87 rounds its internal constant to 64 bits by
 * the rounding control, and every result matches rounding the exact value
 * (with a sticky bit: none of them is a dyadic rational). The internal value
 * is wider than 66 bits: the 66-bit truncation of log10(2) is an exact tie
 * (…f798 | 10), which nearest-even would leave at …f798, but FLDLG2 under
 * round-to-nearest gives …f799.
 */
const CONSTANTS: Record<Exclude<F80ConstantName, 'fld1' | 'fldz'>, { e: number; sig: bigint }> = {
  fldpi: { e: 1, sig: 0xc90fdaa22168c234c4c6628b80dc1cd1n },
  fldl2e: { e: 0, sig: 0xb8aa3b295c17f0bbbe87fed0691d3e88n },
  fldl2t: { e: 1, sig: 0xd49a784bcd1b8afe492bf6ff4dafdb4cn },
  fldlg2: { e: -2, sig: 0x9a209a84fbcff7988f8959ac0b7c9178n },
  fldln2: { e: -1, sig: 0xb17217f7d1cf79abc9e3b39803f2f6afn },
};

/**
 * FLD1, FLDZ, FLDPI, FLDL2E, FLDL2T, FLDLG2, FLDLN2: the constant rounded by
 * `rc` to 64 bits (precision control does not apply). No exception flag is
 * raised, not even PE, and C1 is not set when the constant rounds up.
 */
export function f80Constant(name: F80ConstantName, rc: number): F80 {
  if (name === 'fld1') return { sign: 0, exp: BIAS, mant: TOP };
  if (name === 'fldz') return zero(0);
  const c = CONSTANTS[name];
  return packExt(0, roundTo(0, c.sig, c.e - 127, true, EXT64, rc));
}

// ---------------------------------------------------------------- FSCALE, FXTRACT

/**
 * FSCALE: a * 2^trunc(b) (a = ST0, b = ST1), rounded (only when the result
 * underflows or overflows) by the rounding control at 64 bits.
 */
export function fscale(a: F80, b: F80, ctl: F80Control): F80Result {
  const p = prologue(a, b);
  if ('done' in p) return p.done;
  const { ca, cb, flags } = p;
  if (cb === 'infinity') {
    if (b.sign === 0) {
      if (ca === 'zero') return invalid();
      return { value: inf(a.sign), flags };
    }
    if (ca === 'infinity') return invalid();
    return { value: zero(a.sign), flags };
  }
  if (ca === 'zero' || ca === 'infinity') return { value: { ...a }, flags };
  let n = 0;
  if (cb !== 'zero') {
    const d = decompose(b);
    // |b| >= 2^20 takes any finite a out of range either way.
    const m = d.E >= 0 ? 1 << 20 : d.E + bitLength(d.S) > 20 ? 1 << 20 : Number(d.S >> BigInt(-d.E));
    n = b.sign ? -m : m;
  }
  const d = decompose(a);
  const r = roundExt(a.sign, d.S, d.E + n, false, { pc: 3, rc: ctl.rc });
  return { value: r.value, flags: flags | r.flags };
}

export interface F80Extracted {
  /** The unbiased exponent of a, as a value (ST1 after FXTRACT). */
  exponent: F80;
  /** a's significand with a's sign, in [1, 2) (ST0 after FXTRACT). */
  significand: F80;
  flags: number;
}

/**
 * FXTRACT: a split into its exponent and significand. A zero gives ZE, the
 * zero itself as the significand and -infinity as the exponent; an infinity
 * gives itself and +infinity; a NaN gives itself (quieted, IE if signaling)
 * as both; an unsupported encoding gives the indefinite as both (IE); a
 * denormal (DE) is normalized first.
 */
export function fxtract(a: F80): F80Extracted {
  const c = f80Classify(a);
  if (c === 'unsupported') return { exponent: { ...F80_INDEFINITE }, significand: { ...F80_INDEFINITE }, flags: IE };
  if (isNaNClass(c)) {
    const r = propagateNaN(a, null);
    return { exponent: { ...r.value }, significand: { ...r.value }, flags: r.flags };
  }
  if (c === 'zero') return { exponent: inf(1), significand: { ...a }, flags: ZE };
  if (c === 'infinity') return { exponent: inf(0), significand: { ...a }, flags: 0 };
  const n = normalized(a);
  return {
    exponent: f80FromInt(BigInt(n.E + 63)),
    significand: { sign: a.sign, exp: BIAS, mant: n.S },
    flags: c === 'denormal' ? DE : 0,
  };
}

// ---------------------------------------------------------------- FABS, FCHS, FXAM

/** FABS: a with its sign cleared; exact, whatever a is (no exception, not even for a signaling NaN). */
export function f80Abs(a: F80): F80 {
  return { sign: 0, exp: a.exp, mant: a.mant };
}

/** FCHS: a with its sign inverted; exact, whatever a is (no exception, not even for a signaling NaN). */
export function f80Neg(a: F80): F80 {
  return { sign: (a.sign ^ 1) as 0 | 1, exp: a.exp, mant: a.mant };
}

/**
 * FXAM of a non-empty register: C3 C2 C0 the class (unsupported 000, NaN 001,
 * normal 010, infinity 011, zero 100, denormal 110; empty, 101, is the
 * caller's) and C1 the sign, as status-word bits. No exception.
 */
export function examine(a: F80): number {
  const sign = a.sign ? C1 : 0;
  switch (f80Classify(a)) {
    case 'unsupported': return sign;
    case 'qnan':
    case 'snan': return sign | C0;
    case 'normal': return sign | C2;
    case 'infinity': return sign | C2 | C0;
    case 'zero': return sign | C3;
    default: return sign | C3 | C2;
  }
}

// ---------------------------------------------------------------- fast paths

/*
 * Normal (and zero) operands with results well inside the normal range are
 * by far the common case. The functions below compute exactly what the
 * general code above computes for them, with a handful of BigInt operations
 * and no intermediate objects, and return null for everything else (NaNs,
 * infinities, denormals, unsupported encodings, results that may be tiny or
 * overflow), which then takes the general path.
 */

/** Exponent field 1..0x7ffe with the integer bit set. */
const isNormal = (x: F80): boolean => x.exp - 1 >>> 0 < 0x7ffe && x.mant >= TOP;

/**
 * roundTo + packExt for (S + sticky) * 2^E, S of n bits (n = bitLength(S)),
 * when the result's leading bit lies in the normal range with room for a
 * rounding carry (no tininess, no overflow); null otherwise.
 */
function roundFast(sign: 0 | 1, S: bigint, n: number, E: number, sticky: boolean, ctl: F80Control): F80Result | null {
  const L = E + n - 1;
  if (L < 1 - BIAS || L >= BIAS) return null;
  const pc = ctl.pc;
  const p = pc === 0 ? 24 : pc === 2 ? 53 : 64;
  const sh = n - p;
  if (sh <= 0) {
    if (sticky) return null;
    return { value: { sign, exp: L + BIAS, mant: n === 64 ? S : S << SHIFT[64 - n] }, flags: 0 };
  }
  let M = S >> SHIFT[sh];
  const rem = S & LOW[sh];
  const half = POW2N[sh - 1];
  const inexact = sticky || rem !== 0n;
  let up: boolean;
  switch (ctl.rc & 3) {
    case 0: up = rem > half || (rem === half && (sticky || (M & 1n) === 1n)); break;
    case 1: up = inexact && sign === 1; break;
    case 2: up = inexact && sign === 0; break;
    default: up = false;
  }
  let exp = L + BIAS;
  if (up) {
    M += 1n;
    if (M === POW2N[p]) {
      M = POW2N[p - 1];
      exp++;
    }
  }
  return { value: { sign, exp, mant: p === 64 ? M : M << SHIFT[64 - p] }, flags: (inexact ? PE : 0) | (up ? C1 : 0) };
}

function addFast(a: F80, b: F80, negate: 0 | 1, ctl: F80Control): F80Result | null {
  if (!isNormal(a) || !isNormal(b)) return null;
  let x = a, y = b;
  let sx = a.sign, sy = (b.sign ^ negate) as 0 | 1;
  if (x.exp < y.exp) {
    x = b;
    y = a;
    const t = sx;
    sx = sy;
    sy = t;
  }
  const d = x.exp - y.exp;
  let S: bigint, E: number, sign = sx;
  if (d < 67) {
    const vx = d === 0 ? x.mant : x.mant << SHIFT[d];
    E = y.exp - BIAS - 63;
    if (sx === sy) S = vx + y.mant;
    else {
      S = vx - y.mant;
      if (S <= 0n) {
        if (S === 0n) return { value: zero((ctl.rc & 3) === 1 ? 1 : 0), flags: 0 };
        S = -S;
        sign = sy;
      }
    }
  } else {
    // y is below a unit of x << 3: a sticky unit in its place rounds the same (the sum is never an integer of those units, and at least two of its bits are rounded off).
    S = (x.mant << 3n) + (sx === sy ? 1n : -1n);
    E = x.exp - BIAS - 66;
  }
  // The sum's length from the alignment: x << d has 64 + d bits, so a sum has 64 + d or 65 + d, a difference (d >= 2) 63 + d or 64 + d.
  let n: number;
  if (d >= 67) n = S >= POW2N[66] ? 67 : 66;
  else if (sx === sy) n = S >= POW2N[64 + d] ? 65 + d : 64 + d;
  else if (d >= 2) n = S >= POW2N[63 + d] ? 64 + d : 63 + d;
  else n = bitLength(S);
  return roundFast(sign, S, n, E, false, ctl);
}

function mulFast(a: F80, b: F80, ctl: F80Control): F80Result | null {
  if (!isNormal(a) || !isNormal(b)) return null;
  const S = a.mant * b.mant;
  return roundFast((a.sign ^ b.sign) as 0 | 1, S, S >= POW2N[127] ? 128 : 127, a.exp + b.exp - 2 * (BIAS + 63), false, ctl);
}

function divFast(a: F80, b: F80, ctl: F80Control): F80Result | null {
  if (!isNormal(a) || !isNormal(b)) return null;
  // Both significands in [2^63, 2^64): the quotient of 2^65 a by b has 65 or 66 bits.
  const num = a.mant << 65n;
  const Q = num / b.mant;
  return roundFast((a.sign ^ b.sign) as 0 | 1, Q, Q >= POW2N[65] ? 66 : 65, a.exp - b.exp - 65, Q * b.mant !== num, ctl);
}

function sqrtFast(a: F80, ctl: F80Control): F80Result | null {
  if (a.sign !== 0 || !isNormal(a)) return null;
  const E = a.exp - BIAS - 63;
  const k = (E - 67) & 1 ? 68 : 67;
  // n in [2^130, 2^132): its integer square root has 66 bits. The double
  // estimate is within 2^15 of it; one Newton step from there lands on it or
  // one above.
  const n = a.mant << SHIFT[k];
  let R = BigInt(Math.floor(Math.sqrt(Number(n))));
  R = (R + n / R) >> 1n;
  let sq = R * R;
  if (sq > n) {
    R -= 1n;
    sq = R * R;
  }
  return roundFast(0, R, 66, (E - k) / 2, sq !== n, ctl);
}

/** The relation of two operands that are each normal or zero (no flags); null otherwise. */
function compareFast(a: F80, b: F80): F80Relation | null {
  const az = a.exp === 0 && a.mant === 0n, bz = b.exp === 0 && b.mant === 0n;
  if (!(az || isNormal(a)) || !(bz || isNormal(b))) return null;
  if (az || bz) {
    if (az && bz) return 'equal';
    if (az) return b.sign ? 'greater' : 'less';
    return a.sign ? 'less' : 'greater';
  }
  if (a.sign !== b.sign) return a.sign ? 'less' : 'greater';
  const c = a.exp !== b.exp ? (a.exp < b.exp ? -1 : 1) : a.mant === b.mant ? 0 : a.mant < b.mant ? -1 : 1;
  if (c === 0) return 'equal';
  return (c < 0) !== (a.sign === 1) ? 'less' : 'greater';
}

function fromF64BitsFast(bits: bigint): F80Result | null {
  const hi = Number(bits >> 32n);
  const e = (hi >>> 20) & 0x7ff;
  if (e === 0 || e === 0x7ff) return null;
  return { value: { sign: (hi >>> 31) as 0 | 1, exp: e - 1023 + BIAS, mant: BigInt.asUintN(64, bits << 11n) | TOP }, flags: 0 };
}

function fromF32BitsFast(bits: number): F80Result | null {
  const e = (bits >>> 23) & 0xff;
  if (e === 0 || e === 0xff) return null;
  // A 24-bit significand times 2^40: exact in a double.
  return { value: { sign: ((bits >>> 31) & 1) as 0 | 1, exp: e - 127 + BIAS, mant: BigInt(((bits & 0x7fffff) | 0x800000) * 1099511627776) }, flags: 0 };
}

function fromIntFast(v: bigint): F80 | null {
  if (v === 0n) return null;
  const sign: 0 | 1 = v < 0n ? 1 : 0;
  const m = sign ? -v : v;
  const n = bitLength(m);
  if (n > 64) return null;
  return { sign, exp: BIAS + n - 1, mant: n === 64 ? m : m << SHIFT[64 - n] };
}

function toF64Fast(x: F80, rc: number): (IeeeResult & { value: number }) | null {
  const sign = x.sign;
  if (x.exp === 0 && x.mant === 0n) return { bits: sign ? TOP : 0n, flags: 0, value: sign ? -0 : 0 };
  const U = x.exp - BIAS;
  if (U < -1022 || U > 1022 || x.mant < TOP || x.exp === 0x7fff) return null;
  const m = x.mant;
  const low = Number(m & 0xfffn);
  const rest = low & 0x7ff;
  const inexact = rest !== 0;
  let up: boolean;
  switch (rc & 3) {
    case 0: up = rest > 0x400 || (rest === 0x400 && (low & 0x800) !== 0); break;
    case 1: up = inexact && sign === 1; break;
    case 2: up = inexact && sign === 0; break;
    default: up = false;
  }
  // The 53-bit significand (2^53 after a carry), its integer bit counted into the exponent field.
  const m53 = Number(m >> 11n) + (up ? 1 : 0);
  return {
    bits: (BigInt((sign << 11) | (U + 1022)) << 52n) + BigInt(m53),
    flags: (inexact ? PE : 0) | (up ? C1 : 0),
    value: (sign ? -m53 : m53) * pow2(U - 52),
  };
}

function toF32Fast(x: F80, rc: number): { bits: number; flags: number } | null {
  const sign = x.sign;
  if (x.exp === 0 && x.mant === 0n) return { bits: sign ? 0x80000000 : 0, flags: 0 };
  const U = x.exp - BIAS;
  if (U < -126 || U > 126 || x.mant < TOP) return null;
  const m = x.mant;
  const m24 = Number(m >> 40n);
  const rest = Number(m & LOW[40]);
  const HALF = 549755813888; // 2^39
  const inexact = rest !== 0;
  let up: boolean;
  switch (rc & 3) {
    case 0: up = rest > HALF || (rest === HALF && (m24 & 1) === 1); break;
    case 1: up = inexact && sign === 1; break;
    case 2: up = inexact && sign === 0; break;
    default: up = false;
  }
  return { bits: sign * 0x80000000 + (U + 126) * 0x800000 + m24 + (up ? 1 : 0), flags: (inexact ? PE : 0) | (up ? C1 : 0) };
}

function toIntFast(x: F80, rc: number, bits: 16 | 32 | 64): { value: bigint; flags: number } | null {
  if (x.exp === 0 && x.mant === 0n) return { value: 0n, flags: 0 };
  const U = x.exp - BIAS;
  // |x| in [0.5, 2^32): the integer part and the rounding all fit in the high word and a sticky low word.
  if (U < -1 || U > 31 || x.mant < TOP) return null;
  const m = x.mant;
  const hi = Number(m >> 32n), lo = Number(m & 0xffffffffn);
  const sh = 31 - U;
  const pw = pow2(sh);
  const ip = Math.floor(hi / pw);
  const frac = hi - ip * pw;
  // cmp: the fraction against one half (-1 below, 0 a tie, 1 above).
  let cmp: number;
  if (sh === 0) cmp = lo > 0x80000000 ? 1 : lo === 0x80000000 ? 0 : -1;
  else {
    const h = pw / 2;
    cmp = frac > h ? 1 : frac < h ? -1 : lo !== 0 ? 1 : 0;
  }
  const inexact = frac !== 0 || lo !== 0;
  const sign = x.sign;
  let up: boolean;
  switch (rc & 3) {
    case 0: up = cmp > 0 || (cmp === 0 && ip % 2 === 1); break;
    case 1: up = inexact && sign === 1; break;
    case 2: up = inexact && sign === 0; break;
    default: up = false;
  }
  const mag = ip + (up ? 1 : 0);
  const lim = pow2(bits - 1);
  if (sign ? mag > lim : mag > lim - 1) return { value: -bigPow2(bits - 1), flags: IE };
  return { value: BigInt(sign ? -mag : mag), flags: (inexact ? PE : 0) | (up ? C1 : 0) };
}
