import { Instruction, Seg } from '../../decoder/types.js';
import { readFlags } from '../flags.js';
import { Slot } from '../layout.js';
import type { Machine } from '../machine.js';
import { SegAttr, SegmentDescriptor } from '../segments.js';
import { Exec, reader, readModifyWrite, regArray, regIndex } from './operands.js';

/**
 * LAR LSL VERR VERW ARPL: the unprivileged instructions that ask about a
 * selector. They never fault on a bad selector; ZF says whether the
 * descriptor exists and is visible at the current privilege.
 */

function setZF(s: Int32Array, z: boolean): void {
  s[Slot.FLAGS] = (readFlags(s) & ~0x40) | (z ? 0x40 : 0);
  s[Slot.LAZY_OP] = 0;
}

/** The descriptor `selector` names if the current privilege may see it (the check LAR/LSL/VERR/VERW share). */
function visibleDescriptor(vm: Machine, selector: number): SegmentDescriptor | null {
  selector &= 0xffff;
  if ((selector & 0xfffc) === 0) return null;
  const d = vm.cpu.descriptors?.lookup(selector) ?? null;
  if (!d || !(d.attr & SegAttr.NOT_SYSTEM)) return null; // no system descriptors exist in user mode tables
  const conformingCode = (d.attr & 0x0c) === 0x0c;
  const dpl = (d.attr >> 5) & 3;
  const cpl = vm.cpu.s[Slot.SEG_SEL + Seg.CS] & 3;
  if (!conformingCode && (dpl < cpl || dpl < (selector & 3))) return null;
  return d;
}

/** Limit as the descriptor encodes it (before granularity scaling): 20 bits. */
function rawLimit(d: SegmentDescriptor): number {
  return d.attr & SegAttr.GRANULARITY ? d.limit >>> 12 : d.limit & 0xfffff;
}

export function compileSegmentQuery(insn: Instruction, vm: Machine): Exec {
  const s = vm.cpu.s;
  const op = insn.entry.op;
  if (op === 'arpl') {
    const [dst, src] = insn.operands;
    const S = regArray(vm, 2);
    const x = regIndex(src.reg, 2);
    return readModifyWrite({ ...dst, size: 2 }, vm, (v) => {
      const want = S[x] & 3;
      const raise = (v & 3) < want;
      setZF(s, raise);
      return raise ? (v & ~3) | want : v;
    });
  }
  if (op === 'verr' || op === 'verw') {
    const read = reader({ ...insn.operands[0], size: 2 }, vm);
    const write = op === 'verw';
    return () => {
      const d = visibleDescriptor(vm, read());
      const code = d !== null && (d.attr & SegAttr.CODE) !== 0;
      const rw = d !== null && (d.attr & SegAttr.WRITABLE_OR_READABLE) !== 0;
      setZF(s, d !== null && (write ? !code && rw : !code || rw));
    };
  }
  // LAR / LSL r, r/m16: the destination changes only when ZF is set.
  const [dst, src] = insn.operands;
  const read = reader({ ...src, size: 2 }, vm);
  const A = regArray(vm, dst.size);
  const di = regIndex(dst.reg, dst.size);
  const lar = op === 'lar';
  return () => {
    const d = visibleDescriptor(vm, read());
    setZF(s, d !== null);
    if (!d) return;
    if (lar) {
      // Descriptor dword 1 masked with 00FxFF00: access byte, flags nibble (and limit 19:16, as this CPU family returns).
      A[di] = ((d.attr & 0xff) << 8) | (((d.attr >>> 12) & 0xf) << 20) | (((rawLimit(d) >>> 16) & 0xf) << 16);
    } else {
      A[di] = d.limit;
    }
  };
}
