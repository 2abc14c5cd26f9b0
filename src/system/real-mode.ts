import { Seg } from '../decoder/types.js';
import { CpuException, Vector } from '../runtime/exceptions.js';
import { readFlags } from '../runtime/flags.js';
import { Slot } from '../runtime/layout.js';
import type { Machine } from '../runtime/machine.js';

const TF = 0x100, IF = 0x200, AC = 0x40000;
/** Bytes per entry of the interrupt vector table: the handler's offset, then its segment. */
const IVT_ENTRY = 4;

/**
 * Delivers `vector` as the CPU does in real mode (SDM vol. 3, 20.1.4):
 * through the interrupt vector table at IDTR's base (0 after reset, with
 * limit 0x3FF), FLAGS, CS and IP pushed as words on SS:SP, IF, TF and AC
 * cleared, CS:IP from the entry. Exceptions push no error code in real
 * mode. An entry beyond IDTR's limit is #GP, which the platform escalates
 * as in protected mode (a double fault, then a triple fault).
 */
export function deliverRealModeInterrupt(vm: Machine, vector: number): void {
  const s = vm.cpu.s, mmu = vm.mmu, stack = vm.stack;
  if (vector * IVT_ENTRY + IVT_ENTRY - 1 > (s[Slot.IDTR_LIMIT] & 0xffff)) {
    throw new CpuException(Vector.GP, 0, 0, `vector 0x${vector.toString(16)} is beyond the interrupt vector table's limit`);
  }
  const entry = (s[Slot.IDTR_BASE] + vector * IVT_ENTRY) | 0;
  const offset = mmu.read16(entry), segment = mmu.read16(entry + 2);
  const flags = readFlags(s);
  // The three words are written before SP moves, so a failed delivery leaves the stack as it was.
  mmu.write16(stack.address(-2), flags);
  mmu.write16(stack.address(-4), s[Slot.SEG_SEL + Seg.CS]);
  mmu.write16(stack.address(-6), s[Slot.EIP]);
  stack.move(-6);
  vm.cpu.loadSegment(Seg.CS, segment);
  s[Slot.EIP] = offset;
  s[Slot.FLAGS] = flags & ~(IF | TF | AC);
  s[Slot.LAZY_OP] = 0;
}
