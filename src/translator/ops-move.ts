import { Seg } from '../decoder/types.js';
import { Slot } from '../runtime/layout.js';
import { LazyOp } from '../runtime/flags.js';
import { Cell, Emitter, Val } from './emitter.js';
import type { InlineOp } from './ops-alu.js';

/** Inline wasm for data movement: MOV MOVZX MOVSX LEA XCHG CMPXCHG BSWAP CDQ/CWDE SETcc CMOVcc PUSH POP LEAVE. */

export const emitMov: InlineOp = (insn, e) => {
  const [dst, src] = insn.operands;
  if ((dst.kind !== 'reg' && dst.kind !== 'mem') || (src.kind !== 'reg' && src.kind !== 'mem' && src.kind !== 'imm')) return false;
  const v = e.read(src);
  e.write(dst, v);
  return true;
};

export const emitMovx: InlineOp = (insn, e) => {
  const m = e.m;
  const [dst, src] = insn.operands;
  const v = e.read(src);
  const signed = insn.entry.op === 'movsx';
  const x = signed ? (src.size === 1 ? m.i32.extend8_s(v()) : m.i32.extend16_s(v())) : v();
  e.setReg(dst.reg, dst.size, x);
  return true;
};

export const emitLea: InlineOp = (insn, e) => {
  const [dst, src] = insn.operands;
  e.setReg(dst.reg, dst.size, e.offset(src));
  return true;
};

export const emitXchg: InlineOp = (insn, e) => {
  const [a, b] = insn.operands;
  if (a.kind === 'reg' && b.kind === 'reg') {
    const va = e.temp(e.reg(a.reg, a.size));
    e.setReg(a.reg, a.size, e.reg(b.reg, b.size));
    e.setReg(b.reg, b.size, va());
    return true;
  }
  const [mem, reg] = a.kind === 'mem' ? [a, b] : [b, a];
  const address = e.address(mem);
  const old = e.load(mem.size, address);
  e.store(mem.size, address, () => e.reg(reg.reg, reg.size));
  e.setReg(reg.reg, reg.size, old());
  return true;
};

/** CDQ and CWDE (the 32-bit forms of CWD and CBW). */
export const emitConvert: InlineOp = (insn, e) => {
  const m = e.m;
  if (insn.opSize !== 4) return false;
  if (insn.entry.op === 'cwd') e.setCell(Cell.EDX, m.i32.shr_s(e.cell(Cell.EAX), m.i32.const(31)));
  else e.setCell(Cell.EAX, m.i32.extend16_s(e.cell(Cell.EAX)));
  return true;
};

export const emitSetcc: InlineOp = (insn, e) => {
  const c = e.temp(e.condition(insn.entry.cond));
  e.write(insn.operands[0], c);
  return true;
};

export const emitCmovcc: InlineOp = (insn, e) => {
  const m = e.m;
  const [dst, src] = insn.operands;
  if (dst.size !== 4) return false;
  // The source is read whatever the condition (a memory source can fault either way).
  const v = src.kind === 'mem' ? e.read(src) : e.temp(e.reg(src.reg, 4));
  e.setCell(dst.reg, m.select(e.condition(insn.entry.cond), v(), e.cell(dst.reg)));
  return true;
};

export const emitNop: InlineOp = () => true;

/** SS:ESP-relative linear address of the stack slot `delta` bytes from ESP. */
export function stackAddress(e: Emitter, delta: number): Val {
  const m = e.m;
  const esp = delta === 0 ? e.cell(Cell.ESP) : m.i32.add(e.cell(Cell.ESP), m.i32.const(delta));
  return e.linear(Seg.SS, esp);
}

/** Pushes a dword: the store first (it may fault), then ESP. */
export function push32(e: Emitter, v: Val): void {
  const m = e.m;
  e.store(4, stackAddress(e, -4), v);
  e.setCell(Cell.ESP, m.i32.sub(e.cell(Cell.ESP), m.i32.const(4)));
}

export const emitPush: InlineOp = (insn, e) => {
  const [src] = insn.operands;
  if (insn.opSize !== 4 || (src.kind !== 'reg' && src.kind !== 'imm' && src.kind !== 'mem')) return false;
  const v = src.kind === 'reg' ? e.temp(e.reg(src.reg, 4)) : e.read(src);
  push32(e, v);
  return true;
};

export const emitPop: InlineOp = (insn, e) => {
  const m = e.m;
  const [dst] = insn.operands;
  if (insn.opSize !== 4 || dst.kind !== 'reg') return false;
  const v = e.load(4, stackAddress(e, 0));
  e.setCell(Cell.ESP, m.i32.add(e.cell(Cell.ESP), m.i32.const(4)));
  e.setReg(dst.reg, 4, v()); // POP ESP: the popped value wins
  return true;
};

export const emitLeave: InlineOp = (insn, e) => {
  const m = e.m;
  if (insn.opSize !== 4) return false;
  const v = e.load(4, e.linear(Seg.SS, e.cell(Cell.EBP)));
  e.setCell(Cell.ESP, m.i32.add(e.cell(Cell.EBP), m.i32.const(4)));
  e.setCell(Cell.EBP, v());
  return true;
};

/**
 * CMPXCHG of 32 bits: EAX against the destination; equal: the source goes
 * there; not equal: the destination's value goes to EAX (a memory
 * destination is written either way, as the processor does). Flags as CMP.
 */
export const emitCmpxchg: InlineOp = (insn, e, flagsDead) => {
  const m = e.m;
  const [dst, src] = insn.operands;
  if (dst.size !== 4) return false;
  const address = dst.kind === 'mem' ? e.address(dst) : undefined;
  const old = address ? e.load(4, address) : e.temp(e.reg(dst.reg, 4));
  const acc = e.temp(e.cell(Cell.EAX));
  const value = e.temp(e.reg(src.reg, 4));
  const equal = e.temp(m.i32.eq(acc(), old()));
  const stored = e.temp(m.select(equal(), value(), old()));
  if (address) e.store(4, address, stored);
  // EAX first: with EAX as the destination, the stored value wins.
  e.setCell(Cell.EAX, m.select(equal(), acc(), old()));
  if (!address) e.setReg(dst.reg, 4, stored());
  if (flagsDead) e.known = null;
  else e.setLazy(LazyOp.SUB, 32, acc, old, e.temp(m.i32.sub(acc(), old())), true);
  return true;
};

/** BSWAP of a 32-bit register. */
export const emitBswap: InlineOp = (insn, e) => {
  const m = e.m;
  const [r] = insn.operands;
  if (r.size !== 4) return false;
  const v = e.temp(e.reg(r.reg, 4));
  const k = (x: number) => m.i32.const(x);
  e.setReg(r.reg, 4, m.i32.or(
    m.i32.or(m.i32.shl(v(), k(24)), m.i32.and(m.i32.shl(v(), k(8)), k(0xff0000))),
    m.i32.or(m.i32.and(m.i32.shr_u(v(), k(8)), k(0xff00)), m.i32.shr_u(v(), k(24))),
  ));
  return true;
};
