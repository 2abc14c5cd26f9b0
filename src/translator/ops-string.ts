import { Ty } from './ir.js';
import { Seg } from '../decoder/types.js';
import { Slot } from '../runtime/layout.js';
import { Cell } from './emitter.js';
import type { InlineOp } from './ops-alu.js';

/**
 * MOVS and STOS (with or without REP), 32-bit addressing, as a wasm loop
 * over elements with the inline soft-TLB. Registers move after every
 * element, so a fault in the middle leaves the restartable state the CPU
 * leaves; the whole REP counts as one instruction, as in the interpreter.
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
  const element = e.sub(() => {
    const dst = e.linear(Seg.ES, e.cell(Cell.EDI));
    if (op === 'movs') {
      const v = e.load(size, e.linear(srcSeg, e.cell(Cell.ESI)));
      e.store(size, dst, v);
      e.setCell(Cell.ESI, m.i32.add(e.cell(Cell.ESI), step()));
    } else {
      e.store(size, dst, () => e.reg(0, size));
    }
    e.setCell(Cell.EDI, m.i32.add(e.cell(Cell.EDI), step()));
  });
  if (!insn.rep) {
    e.emit(element);
    return true;
  }
  const done = e.label('rep_done');
  const again = e.label('rep');
  const decrement = e.sub(() => e.setCell(Cell.ECX, m.i32.sub(e.cell(Cell.ECX), m.i32.const(1))));
  e.emit(
    m.block(done, [
      m.loop(again, m.block(null, [m.br(done, m.i32.eqz(e.cell(Cell.ECX))), element, decrement, m.br(again)], Ty.none)),
    ], Ty.none),
  );
  return true;
};

/** CLD and STD: the direction flag, which string instructions read from the FLAGS cell. */
export const emitDirection: InlineOp = (insn, e) => {
  const m = e.m;
  const flags = e.cell(Cell.FLAGS);
  e.setCell(Cell.FLAGS, insn.entry.op === 'std' ? m.i32.or(flags, m.i32.const(0x400)) : m.i32.and(flags, m.i32.const(~0x400)));
  return true;
};
