import type { Instruction, Operand } from '../decoder/types.js';
import { FPU_REGS_BYTE, Slot } from '../runtime/layout.js';
import { Ty, type Expr } from './ir.js';
import { L_BLOCK_F64, L_BLOCK_I32, type BlockLocalState, type Emitter } from './emitter.js';
import type { InlineOp } from './ops-alu.js';

/**
 * Inline wasm for the common x87 instructions: loads and stores of f32,
 * f64 and integers, the four arithmetic operations in all their forms,
 * FXCH, FCHS, FABS, FSQRT, FLDZ/FLD1, FCOMI/FUCOMI(P), FLDCW/FNSTCW,
 * FNSTSW AX. Within a block the stack lives in locals (X87Block); every
 * exit and helper call finds it in the state block (doubles at
 * FPU_REGS_BYTE, TOP and the empty bits in their slots) as the interpreter
 * would have left it. Only the plain
 * case is inline: an empty or full register, a NaN, a division by zero,
 * an exact zero under round-down, a conversion out of range or a rounding
 * mode other than the one emitted leaves the region before the instruction
 * and the interpreter (runtime/interp/x87.ts, the reference) runs it.
 */

const CONDITION = 0x4700; // C0 C1 C2 C3
const C1 = 0x200;
const ROUND_DOWN = 1;
const ROUND_TOWARD_ZERO = 3;

type F64 = () => Expr;

type Emptiness = 'unknown' | 'full' | 'empty';

/**
 * The x87 stack of one block in locals (a BlockLocalState): TOP is read once,
 * where the block first uses the FPU, and from there it is that value plus
 * a delta known at translation time, so ST(i) is a fixed register relative
 * to it. Registers the block reads or writes live in f64 locals, and what
 * it has learnt or changed of the empty bits is known statically: a
 * register checked full once, or written, is not checked again. Exits store
 * the dirty registers, the empty bits and TOP (stores()); a helper call
 * stores them and starts over. Keeping each value in memory between
 * instructions cost every operation a store and a reload on nbody's
 * dependency chains, and every instruction its TOP arithmetic and checks.
 */
class X87Block implements BlockLocalState {
  private readonly e: Emitter;
  /** TOP = (top0 + delta) & 7; registers are indexed k = offset from top0. */
  private delta = 0;
  private readonly state: Emptiness[] = new Array<Emptiness>(8).fill('unknown');
  /** What the empty bits in memory say (known once checked). */
  private readonly memory: Emptiness[] = new Array<Emptiness>(8).fill('unknown');
  /** Registers held in locals (L_BLOCK_F64 + k), and whether memory is behind. */
  private readonly held: (boolean | undefined)[] = new Array<boolean | undefined>(8);
  private readonly bad: Expr[] = [];
  private readonly pending: [number, Emptiness][] = [];

  constructor(e: Emitter) {
    this.e = e;
    e.usesBlockLocals = true;
    e.emit(e.m.local.set(L_BLOCK_I32, e.slot(Slot.FPU_TOP)));
  }

  /** The block's x87 stack, started at the current instruction if need be. */
  static of(e: Emitter): X87Block {
    if (!(e.blockState instanceof X87Block)) e.blockState = new X87Block(e);
    const x = e.blockState as X87Block;
    x.bad.length = 0;
    x.pending.length = 0;
    return x;
  }

  private top0(): Expr {
    return this.e.m.local.get(L_BLOCK_I32, Ty.i32);
  }

  /** Register k (relative to top0) of ST(i); i = -1: the register a push fills. */
  st(i: number): number {
    return (this.delta + i) & 7;
  }

  /** TOP now, as an expression. */
  top(): Expr {
    const m = this.e.m;
    return m.i32.and(m.i32.add(this.top0(), m.i32.const(this.delta)), m.i32.const(7));
  }

  /** The physical register number of register k. */
  private physical(k: number): Expr {
    const m = this.e.m;
    return m.i32.and(m.i32.add(this.top0(), m.i32.const(k)), m.i32.const(7));
  }

  private physicalByte(k: number): Expr {
    return this.e.m.i32.shl(this.physical(k), this.e.m.i32.const(3));
  }

  private expect(k: number, want: 'full' | 'empty'): void {
    const m = this.e.m;
    const now = this.state[k];
    if (now === want) return;
    if (now !== 'unknown') {
      this.bad.push(m.i32.const(1)); // always the interpreter's case (stack underflow or overflow)
      return;
    }
    const empty = m.i32.and(m.i32.shr_u(this.e.slot(Slot.FPU_EMPTY), this.physical(k)), m.i32.const(1));
    this.bad.push(want === 'full' ? empty : m.i32.eqz(empty));
    this.pending.push([k, want]);
  }

  /** The instruction needs register k holding a value (else: stack underflow, the interpreter's case). */
  needFull(k: number): void {
    this.expect(k, 'full');
  }

  /** The instruction pushes into register k (else: stack overflow). */
  needEmpty(k: number): void {
    this.expect(k, 'empty');
  }

  /** Any other reason to leave the plain case. */
  need(condition: Expr, holds: boolean): void {
    this.bad.push(holds ? this.e.m.i32.eqz(condition) : condition);
  }

  /** Emits the checks gathered so far: one branch to the rare path. Past it, what they checked is known. */
  check(): void {
    if (this.bad.length > 0) {
      const m = this.e.m;
      const any = this.bad.reduce((a, b) => m.i32.or(a, b));
      this.bad.length = 0;
      this.e.emit(m.if(any, this.e.rarePath()));
    }
    for (const [k, known] of this.pending) this.state[k] = this.memory[k] = known;
    this.pending.length = 0;
  }

  /** The value of register k now (a temporary: later writes do not change it). */
  read(k: number): F64 {
    const m = this.e.m;
    if (this.held[k] === undefined) {
      this.e.emit(m.local.set(L_BLOCK_F64 + k, m.f64.load(FPU_REGS_BYTE, 8, this.physicalByte(k))));
      this.held[k] = false;
    }
    return this.e.tempF64(m.local.get(L_BLOCK_F64 + k, Ty.f64));
  }

  /** Register k = v, marked full. */
  write(k: number, v: Expr): void {
    this.e.emit(this.e.m.local.set(L_BLOCK_F64 + k, v));
    this.held[k] = true;
    this.state[k] = 'full';
  }

  /** Marks ST(0) empty and moves TOP up. */
  pop(): void {
    this.state[this.st(0)] = 'empty';
    this.delta++;
  }

  /** TOP moves down to ST(-1) (written with write()). */
  push(): void {
    this.delta--;
  }

  /** The rounding-control field of the control word. */
  roundingControl(): Expr {
    const m = this.e.m;
    return m.i32.and(m.i32.shr_u(this.e.slot(Slot.FPU_CW), m.i32.const(10)), m.i32.const(3));
  }

  stores(): Expr[] {
    const e = this.e, m = e.m;
    const out: Expr[] = [];
    let setMask = 0, clearMask = 0;
    for (let k = 0; k < 8; k++) {
      if (this.held[k]) out.push(m.f64.store(FPU_REGS_BYTE, 8, this.physicalByte(k), m.local.get(L_BLOCK_F64 + k, Ty.f64)));
      if (this.state[k] !== 'unknown' && this.state[k] !== this.memory[k]) {
        if (this.state[k] === 'empty') setMask |= 1 << k;
        else clearMask |= 1 << k;
      }
    }
    // The masks are relative to top0: rotate them into place within the 8 bits.
    const rotated = (mask: number) =>
      m.i32.and(m.i32.or(m.i32.shl(m.i32.const(mask), this.top0()), m.i32.shr_u(m.i32.const(mask), m.i32.sub(m.i32.const(8), this.top0()))), m.i32.const(0xff));
    if (setMask | clearMask) {
      let empty = e.slot(Slot.FPU_EMPTY);
      if (clearMask) empty = m.i32.and(empty, m.i32.xor(rotated(clearMask), m.i32.const(-1)));
      if (setMask) empty = m.i32.or(empty, rotated(setMask));
      out.push(e.setSlot(Slot.FPU_EMPTY, empty));
    }
    if ((this.delta & 7) !== 0) out.push(e.setSlot(Slot.FPU_TOP, this.top()));
    return out;
  }
}

const isNaN = (e: Emitter, v: F64): Expr => e.m.f64.ne(v(), v());

function memoryOperand(insn: Instruction): Operand | undefined {
  return insn.operands.find((o) => o.kind === 'mem');
}

/** A float or integer from memory as a double, or null for a form not handled inline (f80, BCD). */
function loadOperand(e: Emitter, op: Operand, integer: boolean): F64 | null {
  const m = e.m;
  const a = e.address(op);
  if (integer) {
    if (op.size === 8) {
      const bits = e.loadAs(8, a, Ty.i64, (host) => m.i64.load(0, 1, host));
      return e.tempF64(m.f64.convert_s.i64(bits()));
    }
    if (op.size !== 4 && op.size !== 2) return null;
    const v = op.size === 4 ? e.load(4, a) : e.load(2, a);
    return e.tempF64(m.f64.convert_s.i32(op.size === 2 ? m.i32.extend16_s(v()) : v()));
  }
  if (op.size === 8) return e.loadAs(8, a, Ty.f64, (host) => m.f64.load(0, 1, host));
  if (op.size === 4) return e.loadAs(4, a, Ty.f64, (host) => m.f64.promote(m.f32.load(0, 1, host)));
  return null;
}

/** FLD m32/m64, FLD ST(i), FILD m16/m32/m64, FLDZ, FLD1. */
const emitLoad: InlineOp = (insn, e) => {
  const m = e.m;
  const op = insn.entry.op;
  const mem = memoryOperand(insn);
  if (mem && mem.size !== 4 && mem.size !== 8 && !(op === 'fild' && mem.size === 2)) return false;
  const x = X87Block.of(e);
  let v: F64;
  if (op === 'fldz' || op === 'fld1') {
    const k = op === 'fld1' ? 1 : 0;
    v = () => m.f64.const(k);
  } else if (mem) {
    const loaded = loadOperand(e, mem, op === 'fild');
    if (!loaded) return false;
    v = loaded;
    // A signalling NaN is quietened as it loads: the interpreter's case, as every NaN here.
    if (op === 'fld') x.need(isNaN(e, v), false);
  } else {
    const src = x.st(insn.operands[0].reg);
    x.needFull(src);
    v = x.read(src);
  }
  const dst = x.st(-1);
  x.needEmpty(dst);
  x.check();
  x.write(dst, v());
  x.push();
  return true;
};

/** FST/FSTP to m32/m64 or ST(i). */
const emitStore: InlineOp = (insn, e) => {
  const m = e.m;
  const pop = insn.entry.op === 'fstp';
  const mem = memoryOperand(insn);
  if (mem && mem.size !== 4 && mem.size !== 8) return false;
  const x = X87Block.of(e);
  x.needFull(x.st(0));
  const v = x.read(x.st(0));
  if (mem) {
    // DataView's float32 rounding is to nearest; the interpreter steps for the other modes, and a NaN keeps its payload there.
    if (mem.size === 4) x.need(m.i32.or(isNaN(e, v), m.i32.ne(x.roundingControl(), m.i32.const(0))), false);
    x.check();
    const a = e.address(mem);
    e.storeAs(mem.size, a, (host) => (mem.size === 8 ? m.f64.store(0, 1, host, v()) : m.f32.store(0, 1, host, m.f32.demote(v()))));
  } else {
    const dst = x.st(insn.operands[0].reg);
    x.check();
    x.write(dst, v());
  }
  if (pop) x.pop();
  return true;
};

/** FIST/FISTP m16/m32/m64 in round-to-nearest and toward-zero modes (gcc's casts set the latter around FISTP). */
const emitStoreInteger: InlineOp = (insn, e) => {
  const m = e.m;
  const mem = memoryOperand(insn)!;
  const size = mem.size;
  if (size !== 2 && size !== 4 && size !== 8) return false;
  const x = X87Block.of(e);
  x.needFull(x.st(0));
  const v = x.read(x.st(0));
  const rc = e.temp(x.roundingControl());
  const nearest = m.i32.eqz(rc());
  x.need(m.i32.or(nearest, m.i32.eq(rc(), m.i32.const(ROUND_TOWARD_ZERO))), true);
  const n = e.tempF64(m.select(nearest, m.f64.nearest(v()), m.f64.trunc(v())));
  const limit = 2 ** (size * 8 - 1);
  // In range (a NaN is not): -limit <= n < limit.
  x.need(m.i32.and(m.f64.ge(n(), m.f64.const(-limit)), m.f64.lt(n(), m.f64.const(limit))), true);
  x.check();
  const a = e.address(mem);
  if (size === 8) e.storeAs(8, a, (host) => m.i64.store(0, 1, host, m.i64.trunc_s.f64(n())));
  else e.store(size, a, () => m.i32.trunc_s.f64(n()));
  // C1: the magnitude went up.
  const up = m.f64.gt(m.f64.abs(n()), m.f64.abs(v()));
  e.emit(e.setSlot(Slot.FPU_SW, m.i32.or(m.i32.and(e.slot(Slot.FPU_SW), m.i32.const(~C1)), m.i32.shl(up, m.i32.const(9)))));
  if (insn.entry.op === 'fistp') x.pop();
  return true;
};

type Arith = (e: Emitter, a: Expr, b: Expr) => Expr;
const ARITH: Record<string, Arith> = {
  add: (e, a, b) => e.m.f64.add(a, b),
  mul: (e, a, b) => e.m.f64.mul(a, b),
  sub: (e, a, b) => e.m.f64.sub(a, b),
  subr: (e, a, b) => e.m.f64.sub(b, a),
  div: (e, a, b) => e.m.f64.div(a, b),
  divr: (e, a, b) => e.m.f64.div(b, a),
};

/**
 * FADD ... FDIVR: memory (f32/f64, or integer for FIxxx), ST,ST(i), ST(i),ST
 * and the popping forms, with the operand order of compileArith in x87.ts:
 * the destination is the first operand of the operation.
 */
function arith(name: string, integer: boolean, pop: boolean): InlineOp {
  const f = ARITH[name];
  const additive = name === 'add' || name === 'sub' || name === 'subr';
  const division = name === 'div' || name === 'divr';
  return (insn, e) => {
    const m = e.m;
    const [dst, src] = insn.operands;
    const x = X87Block.of(e);
    let to: number, a: F64, b: F64;
    if (dst.kind === 'mem') {
      if (integer ? dst.size !== 2 && dst.size !== 4 : dst.size !== 4 && dst.size !== 8) return false;
      const loaded = loadOperand(e, dst, integer);
      if (!loaded) return false;
      to = x.st(0);
      x.needFull(to);
      a = x.read(to);
      b = loaded;
    } else if (!pop && dst.reg === 0) {
      const from = x.st(src?.kind === 'st' ? src.reg : 0);
      to = x.st(0);
      x.needFull(to);
      x.needFull(from);
      a = x.read(to);
      b = x.read(from);
    } else {
      to = x.st(dst.reg);
      x.needFull(to);
      x.needFull(x.st(0));
      a = x.read(to);
      b = x.read(x.st(0));
    }
    if (division) x.need(m.f64.eq(name === 'div' ? b() : a(), m.f64.const(0)), false);
    const r = e.tempF64(f(e, a(), b()));
    // A NaN result (a NaN operand, whose payload the interpreter propagates, or an invalid operation) and an
    // exact zero sum under round-down (-0 or +0) are the interpreter's cases.
    x.need(isNaN(e, r), false);
    if (additive) x.need(m.i32.and(m.f64.eq(r(), m.f64.const(0)), m.i32.eq(x.roundingControl(), m.i32.const(ROUND_DOWN))), false);
    x.check();
    x.write(to, r());
    if (pop) x.pop();
    return true;
  };
}

/** FXCH ST(i). */
const emitExchange: InlineOp = (insn, e) => {
  const x = X87Block.of(e);
  const top = x.st(0), other = x.st(insn.operands[0]?.reg ?? 1);
  x.needFull(top);
  x.needFull(other);
  x.check();
  const a = x.read(top), b = x.read(other);
  x.write(top, b());
  x.write(other, a());
  return true;
};

/** FCHS, FABS, FSQRT on ST(0). */
const emitUnaryX87: InlineOp = (insn, e) => {
  const m = e.m;
  const op = insn.entry.op;
  const x = X87Block.of(e);
  x.needFull(x.st(0));
  const v = x.read(x.st(0));
  let r: F64;
  if (op === 'fsqrt') {
    r = e.tempF64(m.f64.sqrt(v()));
    x.need(isNaN(e, r), false);
  } else {
    r = () => (op === 'fchs' ? m.f64.neg(v()) : m.f64.abs(v()));
  }
  x.check();
  x.write(x.st(0), r());
  return true;
};

/** FCOMI/FUCOMI(P): ZF PF CF from an ordered compare (NaNs: the interpreter), C0-C3 cleared. */
const emitCompareEflags: InlineOp = (insn, e) => {
  const m = e.m;
  const pop = insn.entry.op === 'fcomip' || insn.entry.op === 'fucomip';
  const x = X87Block.of(e);
  const other = x.st(insn.operands[1]?.reg ?? 1);
  x.needFull(x.st(0));
  x.needFull(other);
  const a = x.read(x.st(0)), b = x.read(other);
  x.need(m.i32.or(isNaN(e, a), isNaN(e, b)), false);
  x.check();
  // a > b: 0; a < b: CF; equal: ZF.
  e.replaceStatusFlags(m.select(m.f64.lt(a(), b()), m.i32.const(0x01), m.select(m.f64.eq(a(), b()), m.i32.const(0x40), m.i32.const(0))));
  e.emit(e.setSlot(Slot.FPU_SW, m.i32.and(e.slot(Slot.FPU_SW), m.i32.const(~CONDITION))));
  if (pop) x.pop();
  return true;
};

/** FLDCW m16, FNSTCW m16, FNSTSW AX / m16. */
const emitControl: InlineOp = (insn, e) => {
  const m = e.m;
  const op = insn.entry.op;
  const [operand] = insn.operands;
  if (op === 'fldcw') {
    const v = e.load(2, e.address(operand));
    e.emit(e.setSlot(Slot.FPU_CW, v()));
    return true;
  }
  if (op === 'fnstcw') {
    e.store(2, e.address(operand), () => m.i32.and(e.slot(Slot.FPU_CW), m.i32.const(0xffff)));
    return true;
  }
  // FNSTSW: the status word with TOP in bits 11-13 (the block's TOP when it holds the stack).
  const held = e.blockState instanceof X87Block ? e.blockState : null;
  const top = (): Expr => (held ? held.top() : m.i32.and(e.slot(Slot.FPU_TOP), m.i32.const(7)));
  const sw = (): Expr =>
    m.i32.and(
      m.i32.or(m.i32.and(e.slot(Slot.FPU_SW), m.i32.const(~0x3800)), m.i32.shl(top(), m.i32.const(11))),
      m.i32.const(0xffff),
    );
  if (operand.kind === 'mem') e.store(2, e.address(operand), sw);
  else e.setReg(0, 2, sw());
  return true;
};

/** The x87 rows of the translator's inline table; each declines (returns false) without the wide inline TLB accesses. */
export const X87_INLINE: Readonly<Record<string, InlineOp>> = (() => {
  const table: Record<string, InlineOp> = {
    fld: emitLoad, fild: emitLoad, fldz: emitLoad, fld1: emitLoad,
    fst: emitStore, fstp: emitStore, fist: emitStoreInteger, fistp: emitStoreInteger,
    fxch: emitExchange, fchs: emitUnaryX87, fabs: emitUnaryX87, fsqrt: emitUnaryX87,
    fcomi: emitCompareEflags, fucomi: emitCompareEflags, fcomip: emitCompareEflags, fucomip: emitCompareEflags,
    fldcw: emitControl, fnstcw: emitControl, fnstsw: emitControl,
  };
  for (const name of Object.keys(ARITH)) {
    table[`f${name}`] = arith(name, false, false);
    table[`f${name}p`] = arith(name, false, true);
    table[`fi${name}`] = arith(name, true, false);
  }
  const guarded: Record<string, InlineOp> = {};
  for (const [op, emit] of Object.entries(table)) guarded[op] = (insn, e, dead) => e.inlineWideAccess && emit(insn, e, dead);
  return guarded;
})();
