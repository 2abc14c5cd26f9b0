import { Ty } from './ir.js';
import { Seg } from '../decoder/types.js';
import { PAGE_MASK, PAGE_SIZE, Slot } from '../runtime/layout.js';
import { Cell, Emitter, Expr, Val } from './emitter.js';
import type { InlineOp } from './ops-alu.js';

/**
 * MOVS and STOS (with or without REP), 32-bit addressing, as a wasm loop
 * over elements with the inline soft-TLB. Registers move after every
 * element, so a fault in the middle leaves the restartable state the CPU
 * leaves; the whole REP counts as one instruction, as in the interpreter.
 * A forward REP first moves whole chunks that stay inside one source and one
 * destination page with memory.copy / memory.fill (see bulkChunk).
 * CMPS SCAS LODS and 16-bit addressing go to the interpreter.
 */
export const emitString: InlineOp = (insn, e) => {
  const m = e.m;
  const op = insn.entry.op;
  if ((op !== 'movs' && op !== 'stos') || insn.addrSize !== 4) return false;
  const size = insn.operands.length ? insn.operands[0].size : insn.mnemonic.endsWith('b') ? 1 : insn.opSize;
  const srcSeg = insn.segOverride >= 0 ? insn.segOverride : Seg.DS;
  // DF is never held lazily: it is in the FLAGS cell.
  const step = e.temp(m.select(m.i32.and(e.cell(Cell.FLAGS), m.i32.const(0x400)), m.i32.const(-size), m.i32.const(size)));
  // Under REP, an element that misses the TLB (a page not cached yet, or straddling two) calls the helper:
  // leaving would hand the whole rest of the REP to the interpreter.
  const rep = insn.rep !== 0;
  const emitElement = (): void => {
    const dst = e.linear(Seg.ES, e.cell(Cell.EDI));
    if (op === 'movs') {
      const v = e.load(size, e.linear(srcSeg, e.cell(Cell.ESI)), rep);
      e.store(size, dst, v, rep);
      e.setCell(Cell.ESI, m.i32.add(e.cell(Cell.ESI), step()));
    } else {
      e.store(size, dst, () => e.reg(0, size), rep);
    }
    e.setCell(Cell.EDI, m.i32.add(e.cell(Cell.EDI), step()));
  };
  // Without REP the element always runs: straight-line code, not a sub-path (a sub-path that moves ESI
  // stores a pending flag recipe to memory before it and loads it back, on every iteration of a MOVSB loop).
  if (!insn.rep) {
    emitElement();
    return true;
  }
  const element = e.sub(emitElement);
  const done = e.label('rep_done');
  const again = e.label('rep');
  const decrement = e.sub(() => e.setCell(Cell.ECX, m.i32.sub(e.cell(Cell.ECX), m.i32.const(1))));
  // Chunks only forward, and not again once the registers rule them out for this instruction (see bulkChunk).
  const noChunks = e.tempLocal();
  e.emit(m.local.set(noChunks, m.i32.le_s(step(), m.i32.const(0))));
  const bulk = m.if(m.i32.eqz(m.local.get(noChunks, Ty.i32)), e.sub(() => bulkChunk(e, op, size, srcSeg, again, noChunks)));
  e.emit(
    m.block(done, [
      m.loop(again, m.block(null, [m.br(done, m.i32.eqz(e.cell(Cell.ECX))), bulk, element, decrement, m.br(again)], Ty.none)),
    ], Ty.none),
  );
  return true;
};

/**
 * One chunk of a forward REP MOVS/STOS with ECX > 0: the elements (at most
 * ECX) that fit before the end of the destination page and, for MOVS, of
 * the source page, when the inline TLB allows both pages (a page holding
 * code has no write tag, so writes to code take the element path) and a
 * MOVS destination does not start inside the source range (forward element
 * copying would then repeat a pattern that memory.copy would not). STOS
 * fills bytes, so a wider element must repeat one byte (0 is the common
 * case). Moves the registers and goes round the REP loop again; otherwise
 * falls through to the element path. The overlap and the STOS value do not
 * change while the REP runs, so when they rule chunks out the local
 * `noChunks` is set and the remaining elements stop paying for the test.
 */
function bulkChunk(e: Emitter, op: string, size: number, srcSeg: Seg, again: string, noChunks: number): void {
  const m = e.m;
  const shift = Math.log2(size);
  const room = (a: Val) => m.i32.shr_u(m.i32.sub(m.i32.const(PAGE_SIZE), m.i32.and(a(), m.i32.const(PAGE_MASK))), m.i32.const(shift));
  const atMost = (x: Val, y: Val) => e.temp(m.select(m.i32.lt_u(x(), y()), x(), y()));
  const dst = e.linear(Seg.ES, e.cell(Cell.EDI));
  let n = atMost(() => e.cell(Cell.ECX), e.temp(room(dst)));
  const dstHost = e.pageHost(dst, true);
  let pages = m.i32.ne(dstHost(), m.i32.const(-1));
  let bytes: Val;
  let move: Expr;
  /** Whether the registers allow a chunk at all (fixed for the whole REP). */
  let allowed: Expr;
  if (op === 'movs') {
    const src = e.linear(srcSeg, e.cell(Cell.ESI));
    n = atMost(n, e.temp(room(src)));
    bytes = e.temp(m.i32.shl(n(), m.i32.const(shift)));
    const srcHost = e.pageHost(src, false);
    pages = m.i32.and(pages, m.i32.ne(srcHost(), m.i32.const(-1)));
    allowed = m.i32.or(m.i32.le_u(dstHost(), srcHost()), m.i32.ge_u(dstHost(), m.i32.add(srcHost(), bytes())));
    move = m.memory.copy(dstHost(), srcHost(), bytes());
  } else {
    bytes = e.temp(m.i32.shl(n(), m.i32.const(shift)));
    const value = e.temp(e.reg(0, size));
    const low = () => m.i32.and(value(), m.i32.const(0xff));
    allowed = size > 1 ? m.i32.eq(value(), m.i32.mul(low(), m.i32.const(size === 2 ? 0x0101 : 0x01010101))) : m.i32.const(1);
    move = m.memory.fill(dstHost(), low(), bytes());
  }
  const allowedNow = e.temp(allowed);
  const ok = m.i32.and(m.i32.and(pages, allowedNow()), m.i32.ne(n(), m.i32.const(0)));
  const advance = e.sub(() => {
    e.setCell(Cell.ECX, m.i32.sub(e.cell(Cell.ECX), n()));
    e.setCell(Cell.EDI, m.i32.add(e.cell(Cell.EDI), bytes()));
    if (op === 'movs') e.setCell(Cell.ESI, m.i32.add(e.cell(Cell.ESI), bytes()));
  });
  e.emit(
    m.if(ok, m.block(null, [move, advance, m.br(again)], Ty.none)),
    m.if(m.i32.eqz(allowedNow()), m.local.set(noChunks, m.i32.const(1))),
  );
}

/** CLD and STD: the direction flag, which string instructions read from the FLAGS cell. */
export const emitDirection: InlineOp = (insn, e) => {
  const m = e.m;
  const flags = e.cell(Cell.FLAGS);
  e.setCell(Cell.FLAGS, insn.entry.op === 'std' ? m.i32.or(flags, m.i32.const(0x400)) : m.i32.and(flags, m.i32.const(~0x400)));
  return true;
};
