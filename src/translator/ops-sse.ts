import type { Instruction, Operand } from '../decoder/types.js';
import { Slot, XMM_BYTE } from '../runtime/layout.js';
import { Ty, type Expr } from './ir.js';
import type { Emitter } from './emitter.js';
import type { InlineOp } from './ops-alu.js';

/**
 * Inline wasm for the SSE2 instructions of gcc's -mfpmath=sse code: scalar
 * double arithmetic (ADDSD SUBSD MULSD DIVSD SQRTSD), COMISD/UCOMISD,
 * CVTSI2SD/CVTTSD2SI, MOVSD, whole-register moves and the bitwise ops. The
 * XMM registers stay in the state block (XMM_BYTE), as the interpreter
 * (runtime/interp/sse*.ts, the reference) keeps them.
 *
 * MXCSR's exception flags are sticky and almost every operation can raise
 * one, so arithmetic is inline only in the case that can raise nothing new:
 * MXCSR with every exception masked, round to nearest, no FTZ, and PE
 * already set (the first inexact result sets it, and programs rarely clear
 * it); operands and result zero or normal and finite (no IE, DE, OE, UE),
 * no division by zero (ZE). Anything else leaves the region before the
 * instruction and the interpreter runs it, flags and all.
 */

/** MXCSR bits that must read 0x1fa0 for inline arithmetic: PE set, all masks set, RC nearest, FTZ off. */
const MXCSR_GUARD_MASK = 0xffa0;
const MXCSR_GUARD = 0x1fa0;
const MIN_NORMAL = 2.2250738585072014e-308;
const MAX_FINITE = Number.MAX_VALUE;

const lane = (reg: number, high = false): number => XMM_BYTE + 16 * reg + (high ? 8 : 0);

/**
 * A value is zero, or normal and finite with room above the smallest normal
 * (no denormal, infinity or NaN, and no result that only rounding made
 * normal): nothing in MXCSR can come of it.
 */
function plain(e: Emitter, v: () => Expr): Expr {
  const m = e.m;
  const a = () => m.f64.abs(v());
  return m.i32.or(m.f64.eq(v(), m.f64.const(0)), m.i32.and(m.f64.gt(a(), m.f64.const(MIN_NORMAL)), m.f64.le(a(), m.f64.const(MAX_FINITE))));
}

function mxcsrAllows(e: Emitter): Expr {
  const m = e.m;
  return m.i32.eq(m.i32.and(e.slot(Slot.MXCSR), m.i32.const(MXCSR_GUARD_MASK)), m.i32.const(MXCSR_GUARD));
}

/** Leaves the region unless `ok` (i32) holds. */
function require(e: Emitter, ok: Expr): void {
  e.emit(e.m.if(e.m.i32.eqz(ok), e.rarePath()));
}

/** The low double of an XMM register or a 64-bit memory operand. */
function readDouble(e: Emitter, op: Operand): () => Expr {
  const m = e.m;
  if (op.kind === 'xmm') return e.tempF64(m.f64.load(lane(op.reg), 8, m.i32.const(0)));
  return e.loadAs(8, e.address(op), Ty.f64, (host) => m.f64.load(0, 1, host));
}

const ARITH: Record<string, (e: Emitter, a: Expr, b: Expr) => Expr> = {
  addsd: (e, a, b) => e.m.f64.add(a, b),
  subsd: (e, a, b) => e.m.f64.sub(a, b),
  mulsd: (e, a, b) => e.m.f64.mul(a, b),
  divsd: (e, a, b) => e.m.f64.div(a, b),
};

const emitScalarArith: InlineOp = (insn, e) => {
  const m = e.m;
  const [dst, src] = insn.operands;
  const op = insn.entry.op;
  const b = readDouble(e, src);
  const a = e.tempF64(m.f64.load(lane(dst.reg), 8, m.i32.const(0)));
  const r = op === 'sqrtsd' ? e.tempF64(m.f64.sqrt(b())) : e.tempF64(ARITH[op](e, a(), b()));
  let ok = m.i32.and(mxcsrAllows(e), m.i32.and(plain(e, b), plain(e, r)));
  if (op !== 'sqrtsd') ok = m.i32.and(ok, plain(e, a));
  // ZE (x/0), IE (sqrt of a negative): the interpreter's cases.
  if (op === 'divsd') ok = m.i32.and(ok, m.f64.ne(b(), m.f64.const(0)));
  if (op === 'sqrtsd') ok = m.i32.and(ok, m.f64.ge(b(), m.f64.const(0)));
  // A zero product or quotient of non-zero operands underflowed (UE): only an exact zero stays inline.
  if (op === 'mulsd') ok = m.i32.and(ok, m.i32.or(m.f64.ne(r(), m.f64.const(0)), m.i32.or(m.f64.eq(a(), m.f64.const(0)), m.f64.eq(b(), m.f64.const(0)))));
  if (op === 'divsd') ok = m.i32.and(ok, m.i32.or(m.f64.ne(r(), m.f64.const(0)), m.f64.eq(a(), m.f64.const(0))));
  require(e, ok);
  e.emit(m.f64.store(lane(dst.reg), 8, m.i32.const(0), r()));
  return true;
};

/** ADDPD/SUBPD/MULPD/DIVPD: both lanes under the scalar guards (all or nothing: a lane with a rare case sends both to the interpreter). */
const emitPackedArith: InlineOp = (insn, e) => {
  const m = e.m;
  const [dst, src] = insn.operands;
  const f = ARITH[insn.entry.op.replace('pd', 'sd')];
  const op = insn.entry.op;
  let b: [() => Expr, () => Expr];
  if (src.kind === 'xmm') {
    b = [e.tempF64(m.f64.load(lane(src.reg), 8, m.i32.const(0))), e.tempF64(m.f64.load(lane(src.reg, true), 8, m.i32.const(0)))];
  } else {
    const bits = read128(e, src, true);
    if (!bits) return false;
    b = [e.tempF64(m.f64.reinterpret(bits[0]())), e.tempF64(m.f64.reinterpret(bits[1]()))];
  }
  let ok = mxcsrAllows(e);
  const results: (() => Expr)[] = [];
  for (const high of [false, true]) {
    const x = b[high ? 1 : 0];
    const a = e.tempF64(m.f64.load(lane(dst.reg, high), 8, m.i32.const(0)));
    const r = e.tempF64(f(e, a(), x()));
    ok = m.i32.and(ok, m.i32.and(plain(e, a), m.i32.and(plain(e, x), plain(e, r))));
    if (op === 'divpd') ok = m.i32.and(ok, m.i32.and(m.f64.ne(x(), m.f64.const(0)), m.i32.or(m.f64.ne(r(), m.f64.const(0)), m.f64.eq(a(), m.f64.const(0)))));
    if (op === 'mulpd') ok = m.i32.and(ok, m.i32.or(m.f64.ne(r(), m.f64.const(0)), m.i32.or(m.f64.eq(a(), m.f64.const(0)), m.f64.eq(x(), m.f64.const(0)))));
    results.push(r);
  }
  require(e, ok);
  e.emit(m.f64.store(lane(dst.reg), 8, m.i32.const(0), results[0]()), m.f64.store(lane(dst.reg, true), 8, m.i32.const(0), results[1]()));
  return true;
};

/** UNPCKLPD/UNPCKHPD: lane moves. */
const emitUnpack: InlineOp = (insn, e) => {
  const m = e.m;
  const [dst, src] = insn.operands;
  const v = read128(e, src, true);
  if (!v) return false;
  const d = dst.reg;
  if (insn.entry.op === 'unpckhpd') e.emit(m.i64.store(lane(d), 8, m.i32.const(0), m.i64.load(lane(d, true), 8, m.i32.const(0))));
  e.emit(m.i64.store(lane(d, true), 8, m.i32.const(0), insn.entry.op === 'unpckhpd' ? v[1]() : v[0]()));
  return true;
};

/** MOVLPD/MOVHPD: one lane to or from memory. */
const emitMoveHalf: InlineOp = (insn, e) => {
  const m = e.m;
  const [dst, src] = insn.operands;
  const high = insn.entry.op === 'movhpd';
  if (dst.kind === 'mem') {
    const bits = e.tempLocal64();
    e.emit(m.local.set(bits, m.i64.load(lane(src.reg, high), 8, m.i32.const(0))));
    e.storeAs(8, e.address(dst), (host) => m.i64.store(0, 1, host, m.local.get(bits, Ty.i64)));
    return true;
  }
  const bits = e.loadAs(8, e.address(src), Ty.i64, (host) => m.i64.load(0, 1, host));
  e.emit(m.i64.store(lane(dst.reg, high), 8, m.i32.const(0), bits()));
  return true;
};

/** COMISD/UCOMISD: ZF PF CF (OF SF AF cleared); a NaN operand (IE, unordered) goes to the interpreter. */
const emitCompare: InlineOp = (insn, e) => {
  const m = e.m;
  const [x, y] = insn.operands;
  const b = readDouble(e, y);
  const a = e.tempF64(m.f64.load(lane(x.reg), 8, m.i32.const(0)));
  // No NaN (IE) and no denormal (DE): a compare of plain values raises nothing.
  require(e, m.i32.and(plain(e, a), plain(e, b)));
  e.replaceStatusFlags(m.select(m.f64.lt(a(), b()), m.i32.const(0x01), m.select(m.f64.eq(a(), b()), m.i32.const(0x40), m.i32.const(0))));
  return true;
};

/** CVTSI2SD xmm, r/m32: exact, raises nothing; the high lane stays. */
const emitIntToDouble: InlineOp = (insn, e) => {
  const m = e.m;
  const [dst, src] = insn.operands;
  if (src.size !== 4) return false;
  const v = e.read(src);
  e.emit(m.f64.store(lane(dst.reg), 8, m.i32.const(0), m.f64.convert_s.i32(v())));
  return true;
};

/** CVTTSD2SI r32, xmm/m64: truncation in range (an inexact one sets PE, so PE must be set already). */
const emitDoubleToInt: InlineOp = (insn, e) => {
  const m = e.m;
  const [dst, src] = insn.operands;
  if (dst.size !== 4) return false;
  const v = readDouble(e, src);
  const t = e.tempF64(m.f64.trunc(v()));
  const inRange = m.i32.and(m.f64.ge(t(), m.f64.const(-2147483648)), m.f64.lt(t(), m.f64.const(2147483648)));
  // In range (no IE; a NaN is not), and exact or with PE already set and masked.
  require(e, m.i32.and(inRange, m.i32.or(m.f64.eq(t(), v()), mxcsrAllows(e))));
  e.setReg(dst.reg, 4, m.i32.trunc_s.f64(t()));
  return true;
};

/** MOVSD: a load zeroes the high lane, a register move keeps it, a store writes the low lane. */
const emitMovsd: InlineOp = (insn, e) => {
  const m = e.m;
  const [dst, src] = insn.operands;
  if (dst.kind === 'mem') {
    const bits = e.tempLocal64();
    e.emit(m.local.set(bits, m.i64.load(lane(src.reg), 8, m.i32.const(0))));
    e.storeAs(8, e.address(dst), (host) => m.i64.store(0, 1, host, m.local.get(bits, Ty.i64)));
    return true;
  }
  if (src.kind === 'mem') {
    const bits = e.loadAs(8, e.address(src), Ty.i64, (host) => m.i64.load(0, 1, host));
    e.emit(m.i64.store(lane(dst.reg), 8, m.i32.const(0), bits()));
    e.emit(m.i64.store(lane(dst.reg, true), 8, m.i32.const(0), m.i64.const(0n)));
    return true;
  }
  e.emit(m.i64.store(lane(dst.reg), 8, m.i32.const(0), m.i64.load(lane(src.reg), 8, m.i32.const(0))));
  return true;
};

/** 128-bit operands as two 64-bit halves: registers, or memory with the alignment check where the instruction has one. */
function read128(e: Emitter, op: Operand, aligned: boolean): [() => Expr, () => Expr] | null {
  const m = e.m;
  if (op.kind === 'xmm') {
    const lo = e.tempLocal64(), hi = e.tempLocal64();
    e.emit(m.local.set(lo, m.i64.load(lane(op.reg), 8, m.i32.const(0))), m.local.set(hi, m.i64.load(lane(op.reg, true), 8, m.i32.const(0))));
    return [() => m.local.get(lo, Ty.i64), () => m.local.get(hi, Ty.i64)];
  }
  if (op.kind !== 'mem') return null;
  const a = e.address(op);
  // A misaligned operand of an aligned move is #GP: the interpreter raises it.
  if (aligned) require(e, m.i32.eqz(m.i32.and(a(), m.i32.const(15))));
  const hi = e.tempLocal64();
  const lo = e.loadAs(16, a, Ty.i64, (host) => {
    const h = e.tempLocal();
    return m.block(null, [m.local.set(h, host), m.local.set(hi, m.i64.load(8, 1, m.local.get(h, Ty.i32))), m.i64.load(0, 1, m.local.get(h, Ty.i32))], Ty.i64);
  });
  return [lo, () => m.local.get(hi, Ty.i64)];
}

const ALIGNED = new Set(['movaps', 'movapd', 'movdqa', 'movntps', 'movntpd', 'movntdq']);

/** MOVAPS/MOVAPD/MOVDQA/MOVUPS/MOVUPD/MOVDQU between registers and memory. */
const emitMove128: InlineOp = (insn, e) => {
  const m = e.m;
  const [dst, src] = insn.operands;
  const aligned = ALIGNED.has(insn.entry.op);
  if (dst.kind === 'mem') {
    const a = e.address(dst);
    if (aligned) require(e, m.i32.eqz(m.i32.and(a(), m.i32.const(15))));
    const lo = m.i64.load(lane(src.reg), 8, m.i32.const(0));
    const hi = m.i64.load(lane(src.reg, true), 8, m.i32.const(0));
    const l = e.tempLocal64(), h = e.tempLocal64();
    e.emit(m.local.set(l, lo), m.local.set(h, hi));
    e.storeAs(16, a, (host) => {
      const p = e.tempLocal();
      return m.block(null, [
        m.local.set(p, host),
        m.i64.store(0, 1, m.local.get(p, Ty.i32), m.local.get(l, Ty.i64)),
        m.i64.store(8, 1, m.local.get(p, Ty.i32), m.local.get(h, Ty.i64)),
      ], Ty.none);
    });
    return true;
  }
  const v = read128(e, src, aligned);
  if (!v) return false;
  e.emit(m.i64.store(lane(dst.reg), 8, m.i32.const(0), v[0]()), m.i64.store(lane(dst.reg, true), 8, m.i32.const(0), v[1]()));
  return true;
};

const LOGIC: Record<string, (e: Emitter, a: Expr, b: Expr) => Expr> = {
  and: (e, a, b) => e.m.i64.and(a, b),
  andn: (e, a, b) => e.m.i64.and(e.m.i64.xor(a, e.m.i64.const(-1n)), b),
  or: (e, a, b) => e.m.i64.or(a, b),
  xor: (e, a, b) => e.m.i64.xor(a, b),
};

/** ANDPS/ANDPD/ANDNPS/ANDNPD/ORPS/ORPD/XORPS/XORPD/PAND/PANDN/POR/PXOR on XMM registers (the MMX forms decline). */
function logic(name: string): InlineOp {
  const f = LOGIC[name];
  return (insn, e) => {
    const m = e.m;
    const [dst, src] = insn.operands;
    if (dst.kind !== 'xmm') return false;
    const b = read128(e, src, true);
    if (!b) return false;
    for (const [half, v] of [[false, b[0]], [true, b[1]]] as const) {
      const at = lane(dst.reg, half);
      e.emit(m.i64.store(at, 8, m.i32.const(0), f(e, m.i64.load(at, 8, m.i32.const(0)), v())));
    }
    return true;
  };
}

/** MOVD between an XMM register and r/m32 (zero-extending into the register); the MMX forms decline. */
const emitMovd: InlineOp = (insn, e) => {
  const m = e.m;
  const [dst, src] = insn.operands;
  if (dst.kind === 'xmm') {
    const v = e.read(src);
    e.emit(
      m.i64.store(lane(dst.reg), 8, m.i32.const(0), m.i64.extend_u(v())),
      m.i64.store(lane(dst.reg, true), 8, m.i32.const(0), m.i64.const(0n)),
    );
    return true;
  }
  if (src.kind !== 'xmm') return false;
  e.write(dst, e.temp(m.i32.load(lane(src.reg), 4, m.i32.const(0))));
  return true;
};

/** PADDD/PSUBD (four 32-bit lanes) and PADDQ/PSUBQ (two 64-bit lanes) on XMM registers. */
const emitPackedInt: InlineOp = (insn, e) => {
  const m = e.m;
  const [dst, src] = insn.operands;
  if (dst.kind !== 'xmm') return false;
  const b = read128(e, src, true);
  if (!b) return false;
  const op = insn.entry.op;
  const sub = op.startsWith('psub');
  for (const high of [false, true]) {
    const at = lane(dst.reg, high);
    const y = high ? b[1] : b[0];
    if (op.endsWith('q')) {
      const x = m.i64.load(at, 8, m.i32.const(0));
      e.emit(m.i64.store(at, 8, m.i32.const(0), sub ? m.i64.sub(x, y()) : m.i64.add(x, y())));
    } else {
      // Two 32-bit lanes of this half: the low one from the i64 as is, the high one shifted down.
      const yv = e.tempLocal64();
      e.emit(m.local.set(yv, y()));
      for (const k of [0, 4]) {
        const yk = k === 0 ? m.i32.wrap(m.local.get(yv, Ty.i64)) : m.i32.wrap(m.i64.shr_u(m.local.get(yv, Ty.i64), m.i64.const(32n)));
        const x = m.i32.load(at + k, 4, m.i32.const(0));
        e.emit(m.i32.store(at + k, 4, m.i32.const(0), sub ? m.i32.sub(x, yk) : m.i32.add(x, yk)));
      }
    }
  }
  return true;
};

/** PSHUFD xmm, xmm/m128, imm8: each destination dword picks a source dword. */
const emitPshufd: InlineOp = (insn, e) => {
  const m = e.m;
  const [dst, src, imm] = insn.operands;
  const b = read128(e, src, true);
  if (!b) return false;
  const dword = (k: number): Expr => {
    const half = k < 2 ? b[0]() : b[1]();
    return m.i32.wrap(k % 2 === 0 ? half : m.i64.shr_u(half, m.i64.const(32n)));
  };
  const picks = [0, 1, 2, 3].map((k) => e.temp(dword((imm.value >> (2 * k)) & 3)));
  picks.forEach((v, k) => e.emit(m.i32.store(lane(dst.reg) + 4 * k, 4, m.i32.const(0), v())));
  return true;
};

/** The SSE rows of the translator's inline table; each declines without the wide inline TLB accesses. */
export const SSE_INLINE: Readonly<Record<string, InlineOp>> = (() => {
  const table: Record<string, InlineOp> = {
    addsd: emitScalarArith, subsd: emitScalarArith, mulsd: emitScalarArith, divsd: emitScalarArith, sqrtsd: emitScalarArith,
    comisd: emitCompare, ucomisd: emitCompare, cvtsi2sd: emitIntToDouble, cvttsd2si: emitDoubleToInt,
    'movsd-sse': emitMovsd,
    addpd: emitPackedArith, subpd: emitPackedArith, mulpd: emitPackedArith, divpd: emitPackedArith,
    unpcklpd: emitUnpack, unpckhpd: emitUnpack, movlpd: emitMoveHalf, movhpd: emitMoveHalf,
    movd: emitMovd, paddd: emitPackedInt, psubd: emitPackedInt, paddq: emitPackedInt, psubq: emitPackedInt, pshufd: emitPshufd,
    movaps: emitMove128, movapd: emitMove128, movdqa: emitMove128, movups: emitMove128, movupd: emitMove128, movdqu: emitMove128,
    // Non-temporal stores (glibc's memset and memcpy above a cache's size): a plain aligned store here.
    movntps: emitMove128, movntpd: emitMove128, movntdq: emitMove128,
  };
  for (const name of Object.keys(LOGIC)) {
    table[`${name}ps`] = logic(name);
    table[`${name}pd`] = logic(name);
    table[`p${name}`] = logic(name);
  }
  const guarded: Record<string, InlineOp> = {};
  for (const [op, emit] of Object.entries(table)) guarded[op] = (insn: Instruction, e, dead) => e.inlineWideAccess && emit(insn, e, dead);
  return guarded;
})();
