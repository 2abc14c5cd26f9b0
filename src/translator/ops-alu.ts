import { Ty } from './ir.js';
import { Instruction, Operand } from '../decoder/types.js';
import { lazyCode, LazyOp } from '../runtime/flags.js';
import { Cell, Emitter, Expr, rotateCarryOverflow, Val } from './emitter.js';

/**
 * Inline wasm for the integer ALU: ADD..CMP/TEST, INC DEC NEG NOT, the
 * shifts by an immediate or CL, and the multiplies. Each returns false
 * (before emitting anything) for a form it leaves to the interpreter;
 * instructions with a 16-bit memory operand never reach them.
 * Flags follow the interpreter's lazy record exactly, so translated and
 * interpreted code can hand state to each other at any instruction.
 */
export type InlineOp = (insn: Instruction, e: Emitter, flagsDead: boolean) => boolean;

function mask(e: Emitter, v: Expr, size: number): Expr {
  return size === 4 ? v : e.m.i32.and(v, e.m.i32.const(size === 2 ? 0xffff : 0xff));
}

export const emitAlu: InlineOp = (insn, e, flagsDead) => {
  const m = e.m;
  const kind = insn.entry.op;
  const [dst, src] = insn.operands;
  const size = dst.size;
  const bits = size * 8;
  const address = dst.kind === 'mem' ? e.address(dst) : undefined;
  const a = address ? e.load(size, address) : e.temp(e.reg(dst.reg, size));
  const bRead = e.read(src);
  const b = src.kind === 'imm' ? bRead : e.temp(bRead());
  let res: Expr;
  let op: LazyOp;
  switch (kind) {
    case 'add': res = m.i32.add(a(), b()); op = LazyOp.ADD; break;
    case 'or': res = m.i32.or(a(), b()); op = LazyOp.LOGIC; break;
    case 'adc': res = m.i32.add(m.i32.add(a(), b()), e.carry()); op = LazyOp.ADD; break;
    case 'sbb': res = m.i32.sub(m.i32.sub(a(), b()), e.carry()); op = LazyOp.SUB; break;
    case 'and': case 'test': res = m.i32.and(a(), b()); op = LazyOp.LOGIC; break;
    case 'xor': res = m.i32.xor(a(), b()); op = LazyOp.LOGIC; break;
    default: res = m.i32.sub(a(), b()); op = LazyOp.SUB; break; // sub, cmp
  }
  const r = e.temp(mask(e, res, size));
  if (kind !== 'cmp' && kind !== 'test') e.write(dst, r, address);
  if (flagsDead) e.known = null;
  else e.setLazy(op, bits, a, b, r, kind === 'sub' || kind === 'cmp');
  return true;
};

export const emitUnary: InlineOp = (insn, e, flagsDead) => {
  const m = e.m;
  const kind = insn.entry.op;
  const [dst] = insn.operands;
  const size = dst.size;
  const bits = size * 8;
  const address = dst.kind === 'mem' ? e.address(dst) : undefined;
  const a = address ? e.load(size, address) : e.temp(e.reg(dst.reg, size));
  let res: Expr;
  switch (kind) {
    case 'inc': res = m.i32.add(a(), m.i32.const(1)); break;
    case 'dec': res = m.i32.sub(a(), m.i32.const(1)); break;
    case 'neg': res = m.i32.sub(m.i32.const(0), a()); break;
    default: res = m.i32.xor(a(), m.i32.const(-1)); break; // not
  }
  const r = e.temp(mask(e, res, size));
  if ((kind === 'inc' || kind === 'dec') && !flagsDead) {
    // CF survives INC/DEC: fold the current one into FLAGS before the lazy record moves on.
    const cf = e.temp(e.carry());
    e.write(dst, r, address);
    e.setCell(Cell.FLAGS, m.i32.or(m.i32.and(e.cell(Cell.FLAGS), m.i32.const(~1)), cf()));
    e.setLazy(kind === 'inc' ? LazyOp.INC : LazyOp.DEC, bits, a, e.c(1), r);
    return true;
  }
  e.write(dst, r, address);
  if (kind === 'neg') {
    if (flagsDead) e.known = null;
    else e.setLazy(LazyOp.SUB, bits, e.c(0), a, r);
  } else if (kind !== 'not') e.known = null;
  return true;
};

/** SHL SHR SAR ROL ROR of a 32-bit operand by an immediate or CL; RCL/RCR and narrow forms go to the interpreter. */
/**
 * Flags of a shift (the interpreter's shiftFlags): CF and OF given, SF ZF PF
 * from the result lazily, AF cleared with the rest of the six.
 */
function setShiftFlags(e: Emitter, bits: number, cf: Expr, of: Expr, r: Val): void {
  const m = e.m;
  e.setCell(Cell.FLAGS, m.i32.or(m.i32.or(m.i32.and(e.otherFlagBits(), m.i32.const(~0x8d5)), cf), m.i32.shl(of, m.i32.const(11))));
  e.setCell(Cell.LOP, m.i32.const(lazyCode(LazyOp.RESULT, bits)));
  e.setCell(Cell.LRES, r());
}

export const emitShift: InlineOp = (insn, e, flagsDead) => {
  const m = e.m;
  const kind = insn.entry.op;
  const [dst, cnt] = insn.operands;
  if (kind !== 'shl' && kind !== 'shr' && kind !== 'sar' && kind !== 'rol' && kind !== 'ror') return false;
  if (dst.size !== 4) return !cnt || cnt.kind === 'imm' ? emitNarrowShift(insn, e, flagsDead) : false;
  if (cnt && cnt.kind !== 'imm' && !(cnt.kind === 'reg' && cnt.size === 1 && cnt.reg === 1)) return false;
  const fixed = !cnt || cnt.kind === 'imm' ? (cnt ? cnt.value : 1) & 31 : -1;
  const address = dst.kind === 'mem' ? e.address(dst) : undefined;
  if (fixed === 0) {
    // A count of 0 changes nothing, not even flags, but a memory operand is still read (and may fault).
    if (address) e.load(4, address);
    return true;
  }
  const v = address ? e.load(4, address) : e.temp(e.reg(dst.reg, 4));
  const c: Val = fixed > 0 ? e.c(fixed) : e.temp(m.i32.and(e.cell(Cell.ECX), m.i32.const(31)));
  if (kind === 'rol' || kind === 'ror') return emitRotate(e, kind, dst, v, c, fixed, address, flagsDead);
  const body = e.sub(() => {
    const r = e.temp(kind === 'shl' ? m.i32.shl(v(), c()) : kind === 'shr' ? m.i32.shr_u(v(), c()) : m.i32.shr_s(v(), c()));
    e.write(dst, r, address);
    if (flagsDead) return;
    let cf: Expr, of: Expr;
    const one = m.i32.const(1);
    if (kind === 'shl') {
      cf = m.i32.and(m.i32.shr_u(v(), m.i32.sub(m.i32.const(32), c())), one);
      const cft = e.temp(cf);
      cf = cft();
      of = m.i32.xor(m.i32.shr_u(r(), m.i32.const(31)), cft());
    } else if (kind === 'shr') {
      cf = m.i32.and(m.i32.shr_u(v(), m.i32.sub(c(), m.i32.const(1))), m.i32.const(1));
      of = m.i32.shr_u(v(), m.i32.const(31));
    } else {
      cf = m.i32.and(m.i32.shr_s(v(), m.i32.sub(c(), m.i32.const(1))), m.i32.const(1));
      of = m.i32.const(0);
    }
    setShiftFlags(e, 32, cf, of, r);
  });
  if (fixed > 0) e.emit(body);
  else e.emit(m.if(c(), body));
  if (flagsDead) e.known = null;
  else if (fixed > 0) e.known = { op: LazyOp.RESULT, bits: 32, plainSub: false };
  else e.known = null;
  return true;
};

/**
 * SHLD/SHRD of 32 bits by an immediate or CL: the destination shifted, the
 * vacated bits filled from the source register; flags as the shifts (OF
 * from the sign change).
 */
export const emitDoubleShift: InlineOp = (insn, e, flagsDead) => {
  const m = e.m;
  const [dst, src, cnt] = insn.operands;
  if (dst.size !== 4 || src.kind !== 'reg') return false;
  if (cnt.kind !== 'imm' && !(cnt.kind === 'reg' && cnt.size === 1 && cnt.reg === 1)) return false;
  const fixed = cnt.kind === 'imm' ? cnt.value & 31 : -1;
  const address = dst.kind === 'mem' ? e.address(dst) : undefined;
  const v = address ? e.load(4, address) : e.temp(e.reg(dst.reg, 4));
  if (fixed === 0) return true; // nothing changes, not even flags (a memory operand was still read)
  const fill = e.temp(e.reg(src.reg, 4));
  const c: Val = fixed > 0 ? e.c(fixed) : e.temp(m.i32.and(e.cell(Cell.ECX), m.i32.const(31)));
  const left = insn.entry.op === 'shld';
  const body = e.sub(() => {
    const rest = () => m.i32.sub(m.i32.const(32), c());
    const r = e.temp(
      left ? m.i32.or(m.i32.shl(v(), c()), m.i32.shr_u(fill(), rest())) : m.i32.or(m.i32.shr_u(v(), c()), m.i32.shl(fill(), rest())),
    );
    e.write(dst, r, address);
    if (flagsDead) return;
    const cf = m.i32.and(left ? m.i32.shr_u(v(), rest()) : m.i32.shr_u(v(), m.i32.sub(c(), m.i32.const(1))), m.i32.const(1));
    setShiftFlags(e, 32, cf, m.i32.shr_u(m.i32.xor(r(), v()), m.i32.const(31)), r);
  });
  e.emit(fixed > 0 ? body : m.if(c(), body));
  e.known = !flagsDead && fixed > 0 ? { op: LazyOp.RESULT, bits: 32, plainSub: false } : null;
  return true;
};

/**
 * 8- and 16-bit SHL SHR SAR ROL ROR by an immediate (or 1): the count is
 * known, so the interpreter's cases for counts beyond the width are chosen
 * here (shift() in runtime/interp/shift.ts).
 */
function emitNarrowShift(insn: Instruction, e: Emitter, flagsDead: boolean): boolean {
  const m = e.m;
  const kind = insn.entry.op;
  const [dst, cnt] = insn.operands;
  const bits = dst.size * 8;
  const msb = bits - 1;
  const c = (cnt ? cnt.value : 1) & 31;
  const address = dst.kind === 'mem' ? e.address(dst) : undefined;
  const v = address ? e.load(dst.size, address) : e.temp(e.reg(dst.reg, dst.size));
  if (c === 0) return true; // nothing changes, not even flags (a memory operand was still read)
  const k = (x: number) => m.i32.const(x);
  const bit = (x: Expr, n: number) => m.i32.and(m.i32.shr_u(x, k(n)), k(1));
  const narrow = (x: Expr) => m.i32.and(x, k((1 << bits) - 1));
  const signed = () => (bits === 8 ? m.i32.extend8_s(v()) : m.i32.extend16_s(v()));
  if (kind === 'rol' || kind === 'ror') {
    const r0 = c % bits;
    const r = e.temp(
      r0 === 0 ? v() : narrow(kind === 'rol' ? m.i32.or(m.i32.shl(v(), k(r0)), m.i32.shr_u(v(), k(bits - r0))) : m.i32.or(m.i32.shr_u(v(), k(r0)), m.i32.shl(v(), k(bits - r0)))),
    );
    e.write(dst, r, address);
    if (flagsDead) {
      e.known = null;
      return true;
    }
    e.setCarryOverflow(
      kind === 'rol' ? m.i32.and(r(), k(1)) : bit(r(), msb),
      kind === 'rol' ? m.i32.xor(bit(r(), msb), m.i32.and(r(), k(1))) : m.i32.xor(bit(r(), msb), bit(r(), msb - 1)),
    );
    return true;
  }
  let r: Val, cf: () => Expr, of: () => Expr;
  if (kind === 'shl') {
    r = e.temp(narrow(m.i32.shl(v(), k(c))));
    cf = () => (c > bits ? k(0) : bit(v(), bits - c));
    of = () => m.i32.xor(bit(r(), msb), cf());
  } else if (kind === 'shr') {
    r = e.temp(m.i32.shr_u(v(), k(c)));
    cf = () => (c > bits ? k(0) : bit(v(), c - 1));
    of = () => bit(v(), msb);
  } else {
    r = e.temp(narrow(m.i32.shr_s(signed(), k(c))));
    cf = () => m.i32.and(m.i32.shr_s(signed(), k(c - 1)), k(1));
    of = () => k(0);
  }
  e.write(dst, r, address);
  if (flagsDead) {
    e.known = null;
    return true;
  }
  setShiftFlags(e, bits, cf(), of(), r);
  e.known = { op: LazyOp.RESULT, bits, plainSub: false };
  return true;
}

/**
 * ROL/ROR of 32 bits by a non-zero immediate or CL (`fixed` -1). Rotates
 * change only CF and OF, so live flags are made exact first (the other four
 * keep their values), as the interpreter's setCarryOverflow.
 */
function emitRotate(
  e: Emitter, kind: 'rol' | 'ror', dst: Operand, v: Val, c: Val, fixed: number, address: Val | undefined, flagsDead: boolean,
): boolean {
  const m = e.m;
  const rotate = () => {
    const r = e.temp(kind === 'rol' ? m.i32.rotl(v(), c()) : m.i32.rotr(v(), c()));
    e.write(dst, r, address);
    if (flagsDead) return;
    if (fixed > 0 && e.flagsOnlyForFaults) return e.deferRotateFlags(kind, r());
    e.setCarryOverflow(...rotateCarryOverflow(m, kind, r));
  };
  // A fixed count is never 0: no fork (which would make a deferred rotate's flags, see sub).
  if (fixed > 0) rotate();
  else e.emit(m.if(c(), e.sub(rotate)));
  // A count from CL may be 0, which leaves the flags as they were: either record may hold.
  if (fixed <= 0) e.known = null;
  return true;
}

/** Sets CF = OF = overflow and SF ZF PF from the low result, as the interpreter's MUL/IMUL. */
function mulFlags(e: Emitter, overflow: Expr, low: Val): void {
  const m = e.m;
  e.setCell(Cell.FLAGS, m.i32.or(m.i32.and(e.otherFlagBits(), m.i32.const(~0x8d5)), m.i32.mul(overflow, m.i32.const(0x801))));
  e.setCell(Cell.LOP, m.i32.const(lazyCode(LazyOp.RESULT, 32)));
  e.setCell(Cell.LRES, low());
  e.known = null;
}

/** Two- and three-operand IMUL (32-bit) and one-operand MUL/IMUL (32-bit: EDX:EAX). */
export const emitMul: InlineOp = (insn, e, flagsDead) => {
  const m = e.m;
  const ops = insn.operands;
  const signed = insn.entry.op !== 'mul';
  const last = ops[ops.length - 1];
  if (ops.length === 1) {
    if (last.size !== 4) return false;
    const b = e.read(last);
    const ext = (x: Expr) => (signed ? m.i64.extend_s(x) : m.i64.extend_u(x));
    const p = m.i64.mul(ext(e.cell(Cell.EAX)), ext(b()));
    const pl = e.tempLocal64();
    e.emit(m.local.set(pl, p));
    const lo = e.temp(m.i32.wrap(m.local.get(pl, Ty.i64)));
    const hi = e.temp(m.i32.wrap(m.i64.shr_u(m.local.get(pl, Ty.i64), m.i64.const(32n))));
    e.setCell(Cell.EAX, lo());
    e.setCell(Cell.EDX, hi());
    if (flagsDead) e.known = null;
    else mulFlags(e, signed ? m.i32.ne(hi(), m.i32.shr_s(lo(), m.i32.const(31))) : m.i32.ne(hi(), m.i32.const(0)), lo);
    return true;
  }
  const dst = ops[0];
  if (dst.size !== 4 || !signed) return false;
  const a = e.read(ops.length === 3 ? ops[1] : ops[0]);
  const av = ops.length === 3 && ops[1].kind === 'mem' ? a : e.temp(a());
  const b = e.read(last);
  if (flagsDead) {
    // No overflow flag to compute: the low 32 bits are the whole result.
    e.setReg(dst.reg, 4, m.i32.mul(av(), b()));
    e.known = null;
    return true;
  }
  const pl = e.tempLocal64();
  e.emit(m.local.set(pl, m.i64.mul(m.i64.extend_s(av()), m.i64.extend_s(b()))));
  const lo = e.temp(m.i32.wrap(m.local.get(pl, Ty.i64)));
  const overflow = m.i64.ne(m.local.get(pl, Ty.i64), m.i64.extend_s(lo()));
  e.setReg(dst.reg, 4, lo());
  mulFlags(e, overflow, lo);
  return true;
};


/**
 * 32-bit DIV and IDIV: EDX:EAX by the operand, quotient to EAX, remainder
 * to EDX, flags unchanged (undefined by the SDM; the interpreter keeps
 * them). A zero divisor, a quotient that does not fit, and IDIV by -1 (whose
 * wasm division could trap) take the rare path (Emitter.rarePath): the
 * interpreter raises #DE or computes the rare case.
 */
export const emitDiv: InlineOp = (insn, e) => {
  const m = e.m;
  const [src] = insn.operands;
  if (insn.operands.length !== 1 || src.size !== 4) return false;
  const signed = insn.entry.op === 'idiv';
  const d = e.readNow(src);
  const n = e.tempLocal64();
  const d64 = e.tempLocal64();
  const q = e.tempLocal64();
  const get = (l: number) => m.local.get(l, Ty.i64);
  const edx = signed ? m.i64.extend_s(e.cell(Cell.EDX)) : m.i64.extend_u(e.cell(Cell.EDX));
  e.emit(
    m.local.set(n, m.i64.or(m.i64.shl(edx, m.i64.const(32n)), m.i64.extend_u(e.cell(Cell.EAX)))),
    m.local.set(d64, signed ? m.i64.extend_s(d()) : m.i64.extend_u(d())),
  );
  const divisorOk = signed
    ? m.i32.and(m.i32.ne(d(), m.i32.const(0)), m.i32.ne(d(), m.i32.const(-1)))
    : m.i32.ne(d(), m.i32.const(0));
  const fits = signed
    ? m.i64.eq(get(q), m.i64.extend_s(m.i32.wrap(get(q))))
    : m.i64.eq(m.i64.shr_u(get(q), m.i64.const(32n)), m.i64.const(0n));
  /** The whole instruction through the interpreter (a fresh copy per use: expressions cannot be shared). */
  const helper = () => e.rarePath();
  const quotient = () => (signed ? m.i64.div_s(get(n), get(d64)) : m.i64.div_u(get(n), get(d64)));
  const remainder = signed ? m.i64.rem_s(get(n), get(d64)) : m.i64.rem_u(get(n), get(d64));
  const fast = e.sub(() => {
    e.setCell(Cell.EDX, m.i32.wrap(remainder));
    e.setCell(Cell.EAX, m.i32.wrap(get(q)));
  });
  // The quotient is computed only when the divisor cannot trap; it must also fit in 32 bits.
  e.emit(
    m.if(
      divisorOk,
      m.block(null, [m.local.set(q, quotient()), m.if(fits, fast, helper())], Ty.none),
      helper(),
    ),
  );
  e.known = null;
  return true;
};

/**
 * BSF/BSR of 32 bits: a zero source sets ZF (and PF) and leaves the
 * destination; otherwise the bit index goes to it, with PF its parity and
 * the other status flags clear, as the interpreter's compileBitScan.
 */
export const emitBitScan: InlineOp = (insn, e) => {
  const m = e.m;
  const [dst, src] = insn.operands;
  if (dst.size !== 4 || dst.kind !== 'reg') return false;
  const v = e.temp(e.read(src)());
  const n = e.temp(insn.entry.op === 'bsf' ? m.i32.ctz(v()) : m.i32.sub(m.i32.const(31), m.i32.clz(v())));
  e.emit(m.if(v(), e.sub(() => e.setReg(dst.reg, 4, n()))));
  const parity = m.i32.shl(m.i32.xor(m.i32.and(m.i32.popcnt(n()), m.i32.const(1)), m.i32.const(1)), m.i32.const(2));
  e.replaceStatusFlags(m.select(v(), parity, m.i32.const(0x44)));
  return true;
};
