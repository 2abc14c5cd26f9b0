import { Instruction, Seg } from '../../decoder/types.js';
import { CpuException, Vector } from '../exceptions.js';
import { readFlags } from '../flags.js';
import { Slot } from '../layout.js';
import type { Machine } from '../machine.js';
import { SegAttr, type SegmentDescriptor } from '../segments.js';
import { effectiveAddress, Exec } from './operands.js';
import { nextEip } from './control.js';
import { Stack } from './stack.js';

/**
 * Far JMP, CALL, RET and IRET between code segments of the same privilege
 * (what a user-mode program can do: no call gates, no task switches, no
 * return to an outer ring, no virtual-8086 mode), 32- or 16-bit (an LDT
 * code segment from modify_ldt; blocks are decoded with the new CS's
 * default size). The code segment is checked as the SDM describes for a
 * direct far transfer, the new EIP against its limit; a 64-bit code
 * segment (Linux's 0x33) is not emulated.
 */

/** EFLAGS bits IRET restores at CPL 3 with IOPL 0 (IF, IOPL, VM, VIF, VIP are kept). */
const IRET_USER_MASK = 0x1 | 0x4 | 0x10 | 0x40 | 0x80 | 0x100 | 0x400 | 0x800 | 0x4000 | 0x10000 | 0x40000 | 0x200000;

/** What IRET restores at CPL 0 besides: IF and IOPL (VM would enter virtual-8086 mode: not emulated). */
export const IRET_KERNEL_MASK = IRET_USER_MASK | 0x200 | 0x3000;

function gp(selector: number): never {
  throw new CpuException(Vector.GP, selector & 0xfffc, 0, `far transfer to selector 0x${selector.toString(16)}`);
}

/** Validates `selector` as the target of a same-privilege far transfer to `offset` and loads CS. */
function loadCodeSegment(vm: Machine, selector: number, offset: number, isReturn: boolean): void {
  // Real mode checks nothing: CS's base becomes selector × 16 (Cpu.loadSegment).
  if (vm.cpu.realMode) return vm.cpu.loadSegment(Seg.CS, selector);
  const d = checkCodeSegment(vm, selector, offset, isReturn ? 'return' : 'call');
  vm.cpu.setSegment(Seg.CS, (selector & 0xfffc) | vm.cpu.cpl, d);
}

/**
 * The descriptor `selector` names, checked (SDM order) as the code segment
 * of a far transfer to `offset`: a jump or call to the same ring, a return
 * to it, or (system mode's IRET) a return to a less privileged ring, whose
 * new CPL is the selector's RPL. Nothing is loaded.
 */
export function checkCodeSegment(vm: Machine, selector: number, offset: number, transfer: 'call' | 'return' | 'outer-return'): SegmentDescriptor {
  const cpu = vm.cpu;
  const cpl = cpu.cpl;
  selector &= 0xffff;
  if ((selector & 0xfffc) === 0) throw new CpuException(Vector.GP, 0, 0, 'far transfer to a null selector');
  const d = cpu.descriptors?.lookup(selector) ?? null;
  if (!d) gp(selector);
  if ((d.attr & (SegAttr.NOT_SYSTEM | SegAttr.CODE)) !== (SegAttr.NOT_SYSTEM | SegAttr.CODE)) gp(selector); // not code (gates are system descriptors)
  const dpl = (d.attr >> 5) & 3;
  const rpl = selector & 3;
  const conforming = (d.attr & 0x04) !== 0;
  if (transfer !== 'call') {
    // A return to another ring switches stacks too: only system mode's IRET to an outer ring does.
    if (transfer === 'return' ? rpl !== cpl : rpl <= cpl) gp(selector);
    if (conforming ? dpl > rpl : dpl !== rpl) gp(selector);
  } else if (conforming ? dpl > cpl : rpl > cpl || dpl !== cpl) gp(selector);
  if (!(d.attr & SegAttr.PRESENT)) throw new CpuException(Vector.NP, selector & 0xfffc);
  if (d.attr & SegAttr.LONG_MODE) throw new CpuException(Vector.UD, -1, 0, 'unimplemented: far transfer to 64-bit code');
  if (offset >>> 0 > d.limit >>> 0) throw new CpuException(Vector.GP, 0, 0, `far transfer past the code segment's limit (0x${(offset >>> 0).toString(16)})`);
  return d;
}

/** Target of a far JMP/CALL: the immediate pointer, or an m16:16/m16:32 in memory (offset first). */
function farTarget(insn: Instruction, vm: Machine): () => [number, number] {
  const op = insn.operands[0];
  const size = insn.opSize;
  if (op.kind === 'far') {
    const t: [number, number] = [op.selector & 0xffff, size === 2 ? op.value & 0xffff : op.value | 0];
    return () => t;
  }
  if (op.kind !== 'mem') return () => { throw new CpuException(Vector.UD, -1, 0, 'far transfer through a register'); };
  const ea = effectiveAddress(op, vm);
  const mmu = vm.mmu;
  return () => {
    const a = ea();
    const offset = size === 2 ? mmu.read16(a) : mmu.read32(a);
    return [mmu.read16((a + size) | 0), offset];
  };
}

export function compileFarJump(insn: Instruction, vm: Machine): Exec {
  const s = vm.cpu.s;
  const target = farTarget(insn, vm);
  return () => {
    const [sel, off] = target();
    loadCodeSegment(vm, sel, off, false);
    s[Slot.EIP] = off;
  };
}

export function compileFarCall(insn: Instruction, vm: Machine, stack: Stack): Exec {
  const s = vm.cpu.s, r32 = vm.cpu.r32;
  const size = insn.opSize;
  const target = farTarget(insn, vm);
  const ret = nextEip(insn);
  return () => {
    const [sel, off] = target();
    const cs = s[Slot.SEG_SEL + Seg.CS] & 0xffff;
    // Both pushes are checked before CS changes, so a fault leaves everything as it was.
    if (size === 4) {
      vm.mmu.write16(stack.address(-4), cs); // the CS slot is a dword; only its low word is written
      vm.mmu.write32(stack.address(-8), ret);
    } else {
      vm.mmu.write16(stack.address(-2), cs);
      vm.mmu.write16(stack.address(-4), ret);
    }
    loadCodeSegment(vm, sel, off, false);
    stack.move(-2 * size);
    s[Slot.EIP] = off;
  };
}

export function compileFarReturn(insn: Instruction, vm: Machine, stack: Stack): Exec {
  const s = vm.cpu.s, r32 = vm.cpu.r32;
  const size = insn.opSize;
  const release = insn.operands.length ? insn.operands[0].value & 0xffff : 0;
  return () => {
    const off = stack.peek(size, 0); // a 16-bit IP zero-extended
    const sel = stack.peek(size, size) & 0xffff;
    loadCodeSegment(vm, sel, off, true);
    stack.move(2 * size + release);
    s[Slot.EIP] = off;
  };
}

export function compileIret(insn: Instruction, vm: Machine, stack: Stack): Exec {
  const s = vm.cpu.s, r32 = vm.cpu.r32;
  const size = insn.opSize;
  const width = size === 4 ? -1 : 0xffff;
  return () => {
    // At CPL 0 (system mode's kernel, and real mode) IRET restores IF and IOPL too.
    const mask = (vm.cpu.cpl === 0 ? IRET_KERNEL_MASK : IRET_USER_MASK) & width;
    const realMode = vm.cpu.realMode;
    if (readFlags(s) & 0x4000 && !realMode) throw new CpuException(Vector.GP, 0, 0, 'iret with NT set (task return)');
    const off = stack.peek(size, 0); // a 16-bit IP zero-extended
    const sel = stack.peek(size, size) & 0xffff;
    const flags = stack.peek(size, 2 * size);
    // A return to a less privileged ring (system mode's kernel to its user space) also switches stacks.
    const outer = vm.system?.returnToOuterRing;
    if (outer && !realMode && (sel & 3) > vm.cpu.cpl) return outer(vm, size);
    loadCodeSegment(vm, sel, off, true);
    stack.move(3 * size);
    const old = readFlags(s);
    s[Slot.FLAGS] = (old & ~mask) | (flags & mask) | 2;
    s[Slot.LAZY_OP] = 0;
    s[Slot.EIP] = off;
    if (flags & mask & ~old & 0x200) vm.cpu.onInterruptsEnabled?.();
  };
}
