import { Seg } from '../decoder/types.js';
import { CpuException, Vector } from '../runtime/exceptions.js';
import { readFlags } from '../runtime/flags.js';
import { Slot } from '../runtime/layout.js';
import type { Machine } from '../runtime/machine.js';
import { decodeDescriptor, type DescriptorTables, SegAttr, type SegmentDescriptor } from '../runtime/segments.js';

/** The GDT in guest memory (GDTR): system mode's descriptor tables. LDT selectors are not supported yet. */
export class GdtDescriptors implements DescriptorTables {
  constructor(private readonly vm: Machine) {}

  lookup(selector: number): SegmentDescriptor | null {
    if (selector & 4) return null;
    const s = this.vm.cpu.s;
    const offset = selector & 0xfff8;
    if (offset + 7 > (s[Slot.GDTR_LIMIT] & 0xffff)) return null;
    const a = (s[Slot.GDTR_BASE] + offset) | 0;
    return decodeDescriptor(this.vm.mmu.read32(a), this.vm.mmu.read32(a + 4));
  }
}

const GATE_INTERRUPT_32 = 0xe;
const GATE_TRAP_32 = 0xf;
const TF = 0x100, IF = 0x200, NT = 0x4000, RF = 0x10000, VM = 0x20000;

/** How an interrupt arose: software (INT n checks the gate's DPL), a CPU exception, or the PIC. */
export type InterruptSource = 'software' | 'exception' | 'external';

/**
 * Delivers `vector` through the IDT as the CPU does in protected mode,
 * without a privilege change: EFLAGS, CS and EIP (and an error code when
 * `errorCode` >= 0) are pushed on the current stack, CS:EIP come from the
 * gate, TF/NT/RF are cleared and, for an interrupt gate, IF. Throws the
 * CpuException the delivery itself raises (the caller escalates to #DF).
 * A gate into a more privileged ring needs the TSS's stack: not yet.
 */
export function deliverInterrupt(vm: Machine, vector: number, source: InterruptSource, errorCode = -1): void {
  const s = vm.cpu.s, mmu = vm.mmu;
  const idtError = vector * 8 + 2 + (source === 'external' ? 1 : 0);
  if (vector * 8 + 7 > (s[Slot.IDTR_LIMIT] & 0xffff)) throw new CpuException(Vector.GP, idtError, 0, `vector 0x${vector.toString(16)} is beyond the IDT's limit`);
  const gate = (s[Slot.IDTR_BASE] + vector * 8) | 0;
  const low = mmu.read32(gate), high = mmu.read32(gate + 4);
  const type = (high >>> 8) & 0x1f;
  const cpl = s[Slot.SEG_SEL + Seg.CS] & 3;
  if (type !== GATE_INTERRUPT_32 && type !== GATE_TRAP_32) {
    throw new CpuException(Vector.GP, idtError, 0, `IDT entry 0x${vector.toString(16)} is not a 32-bit interrupt or trap gate (type 0x${type.toString(16)}; task gates and 16-bit gates are not implemented)`);
  }
  if (source === 'software' && ((high >>> 13) & 3) < cpl) throw new CpuException(Vector.GP, idtError, 0, `INT 0x${vector.toString(16)} through a gate of a more privileged ring`);
  if (!(high & 0x8000)) throw new CpuException(Vector.NP, idtError, 0, `IDT entry 0x${vector.toString(16)} is not present`);
  const selector = low >>> 16;
  const offset = (low & 0xffff) | (high & 0xffff0000);
  const code = vm.cpu.descriptors?.lookup(selector) ?? null;
  if ((selector & 0xfffc) === 0 || code === null || (code.attr & (SegAttr.NOT_SYSTEM | SegAttr.CODE)) !== (SegAttr.NOT_SYSTEM | SegAttr.CODE)) {
    throw new CpuException(Vector.GP, selector & 0xfffc, 0, `IDT entry 0x${vector.toString(16)} names selector 0x${selector.toString(16)}, not a code segment`);
  }
  if (!(code.attr & SegAttr.PRESENT)) throw new CpuException(Vector.NP, selector & 0xfffc);
  const dpl = (code.attr >> 5) & 3;
  if (dpl !== cpl && !(code.attr & SegAttr.EXPAND_DOWN_OR_CONFORMING)) {
    throw new CpuException(Vector.GP, selector & 0xfffc, 0, `interrupt from ring ${cpl} into ring ${dpl}: privilege changes through the TSS are not implemented yet`);
  }
  const flags = readFlags(s);
  const frame = errorCode >= 0 ? [flags, s[Slot.SEG_SEL + Seg.CS] & 0xffff, s[Slot.EIP], errorCode] : [flags, s[Slot.SEG_SEL + Seg.CS] & 0xffff, s[Slot.EIP]];
  let esp = s[Slot.ESP];
  const ssBase = s[Slot.SEG_BASE + Seg.SS];
  for (const v of frame) {
    esp = (esp - 4) | 0;
    mmu.write32((ssBase + esp) | 0, v);
  }
  s[Slot.ESP] = esp;
  vm.cpu.setSegment(Seg.CS, (selector & 0xfffc) | cpl, code);
  s[Slot.EIP] = offset;
  s[Slot.FLAGS] = flags & ~(TF | NT | RF | VM | (type === GATE_INTERRUPT_32 ? IF : 0));
  s[Slot.LAZY_OP] = 0;
}

/** Exceptions that push an error code (SDM vol. 3, table 6-1). */
export function pushesErrorCode(vector: number): boolean {
  return vector === 8 || (vector >= 10 && vector <= 14) || vector === 17;
}
