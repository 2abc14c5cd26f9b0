import { decode } from '../decoder/index.js';
import { Seg } from '../decoder/types.js';
import { effectiveAddress } from '../runtime/interp/operands.js';
import { Slot } from '../runtime/layout.js';
import type { Machine } from '../runtime/machine.js';

/**
 * What Linux answers when a user program runs SGDT, SIDT, SLDT, STR or SMSW
 * on a CPU with UMIP (they #GP at CPL 3 and the kernel emulates them with
 * fixed values, arch/x86/kernel/umip.c): the descriptor tables' real
 * addresses stay hidden. Same values as on this kind of host.
 */
const DUMMY_GDT_BASE = 0xfffe0000;
const DUMMY_IDT_BASE = 0xffff0000;
const DUMMY_TR = 0x40;
const DUMMY_CR0 = 0x80050033;

/** Emulates the instruction at CS:EIP if it is one of the five; returns whether it did. */
export function emulateUmip(vm: Pick<Machine, 'cpu' | 'mmu'>): boolean {
  const s = vm.cpu.s;
  const eip = s[Slot.EIP];
  const linear = (s[Slot.SEG_BASE + Seg.CS] + eip) | 0;
  const bytes = vm.mmu.readUpTo(linear, 15);
  const r = decode(bytes, 0, bytes.length, eip, vm.cpu.codeSize);
  if (!r.ok) return false;
  const insn = r.insn;
  const op = insn.entry.op;
  if (op !== 'sgdt' && op !== 'sidt' && op !== 'sldt' && op !== 'str' && op !== 'smsw') return false;
  const dst = insn.operands[0];
  const value = op === 'sldt' ? 0 : op === 'str' ? DUMMY_TR : DUMMY_CR0;
  if (op === 'sgdt' || op === 'sidt') {
    const a = effectiveAddress(dst, vm as Machine)();
    vm.mmu.write16(a, 0);
    vm.mmu.write32((a + 2) | 0, op === 'sgdt' ? DUMMY_GDT_BASE : DUMMY_IDT_BASE);
  } else if (dst.kind === 'mem') {
    vm.mmu.write16(effectiveAddress(dst, vm as Machine)(), value & 0xffff);
  } else if (insn.opSize === 4) {
    vm.cpu.r32[dst.reg] = value;
  } else {
    vm.cpu.r16[dst.reg * 2] = value & 0xffff;
  }
  s[Slot.EIP] = (eip + insn.length) | 0;
  return true;
}
