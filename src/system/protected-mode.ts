import { Seg } from '../decoder/types.js';
import { CpuException, Vector } from '../runtime/exceptions.js';
import { readFlags } from '../runtime/flags.js';
import { checkCodeSegment, IRET_KERNEL_MASK } from '../runtime/interp/far.js';
import { Slot } from '../runtime/layout.js';
import type { Machine } from '../runtime/machine.js';
import { CR0_WP } from './paging.js';
import { deliverRealModeInterrupt } from './real-mode.js';
import { decodeDescriptor, type DescriptorTables, FLAT_CODE_ATTR, FLAT_DATA_ATTR, SegAttr, type SegmentDescriptor } from '../runtime/segments.js';


/** The GDT (GDTR) and the LDT (LDTR) in guest memory: system mode's descriptor tables. */
export class GdtDescriptors implements DescriptorTables {
  constructor(private readonly vm: Machine) {}

  lookup(selector: number): SegmentDescriptor | null {
    const s = this.vm.cpu.s;
    const local = (selector & 4) !== 0;
    if (local && (s[Slot.LDTR_SEL] & 0xfffc) === 0) return null;
    const offset = selector & 0xfff8;
    if (offset + 7 > (local ? s[Slot.LDTR_LIMIT] >>> 0 : s[Slot.GDTR_LIMIT] & 0xffff)) return null;
    const a = ((local ? s[Slot.LDTR_BASE] : s[Slot.GDTR_BASE]) + offset) | 0;
    return supervisor(this.vm, a, () => decodeDescriptor(this.vm.mmu.read32(a), this.vm.mmu.read32(a + 4)));
  }
}

const GATE_INTERRUPT_32 = 0xe;
const GATE_TRAP_32 = 0xf;
const TF = 0x100, IF = 0x200, NT = 0x4000, RF = 0x10000, VM = 0x20000;

/** How an interrupt arose: software (INT n checks the gate's DPL), a CPU exception, or the PIC. */
export type InterruptSource = 'software' | 'exception' | 'external';

/**
 * Delivers `vector` through the IDT as the CPU does in protected mode:
 * EFLAGS, CS and EIP (and an error code when `errorCode` >= 0) are pushed
 * (into a more privileged ring: on that ring's stack from the TSS, after the
 * old SS:ESP), CS:EIP come from the gate, TF/NT/RF are cleared and, for an
 * interrupt gate, IF. Throws the CpuException the delivery itself raises
 * (the caller escalates to #DF). In real mode, the vector table instead
 * (real-mode.ts).
 */
export function deliverInterrupt(vm: Machine, vector: number, source: InterruptSource, errorCode = -1): void {
  if (vm.cpu.realMode) return deliverRealModeInterrupt(vm, vector);
  // The IDT, the GDT, the TSS and the inner stack are read and written with supervisor rights, whatever
  // the ring the interrupt comes from; a failed delivery leaves the ring (and the MMU's view) as it was.
  const wasUser = vm.mmu.user;
  vm.mmu.user = false;
  try {
    deliverAtRing0Rights(vm, vector, source, errorCode);
  } catch (e) {
    if (wasUser) enterUserMode(vm);
    throw e;
  }
  if (vm.cpu.cpl === 3) enterUserMode(vm);
}

/** The MMU's view becomes CPL 3's: what supervisor accesses cached and a user may not use goes (Mmu.enterUserMode). */
function enterUserMode(vm: Machine): void {
  vm.mmu.enterUserMode((vm.cpu.s[Slot.CR0] & CR0_WP) !== 0);
}

function deliverAtRing0Rights(vm: Machine, vector: number, source: InterruptSource, errorCode: number): void {
  const s = vm.cpu.s, mmu = vm.mmu;
  const idtError = vector * 8 + 2 + (source === 'external' ? 1 : 0);
  if (vector * 8 + 7 > (s[Slot.IDTR_LIMIT] & 0xffff)) throw new CpuException(Vector.GP, idtError, 0, `vector 0x${vector.toString(16)} is beyond the IDT's limit`);
  const gate = (s[Slot.IDTR_BASE] + vector * 8) | 0;
  const low = mmu.read32(gate), high = mmu.read32(gate + 4);
  const type = (high >>> 8) & 0x1f;
  const cpl = vm.cpu.cpl;
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
  const conforming = (code.attr & SegAttr.EXPAND_DOWN_OR_CONFORMING) !== 0;
  const dpl = conforming ? cpl : (code.attr >> 5) & 3;
  if (dpl > cpl) throw new CpuException(Vector.GP, selector & 0xfffc, 0, `interrupt into a less privileged ring (${dpl})`);
  const flags = readFlags(s);
  const frame = [flags, s[Slot.SEG_SEL + Seg.CS] & 0xffff, s[Slot.EIP]];
  if (dpl < cpl) {
    // Into a more privileged ring: the TSS gives that ring's stack, and the old SS:ESP go on it first.
    frame.unshift(s[Slot.SEG_SEL + Seg.SS] & 0xffff, s[Slot.ESP]);
    const [ss, esp, ssDescriptor] = innerStack(vm, dpl);
    vm.cpu.setSegment(Seg.SS, ss, ssDescriptor);
    s[Slot.ESP] = esp;
  }
  if (errorCode >= 0) frame.push(errorCode);
  // Written before ESP moves (unlike a run of Stack.push32), so a fault part-way leaves ESP as it was.
  let esp = s[Slot.ESP];
  const ssBase = s[Slot.SEG_BASE + Seg.SS];
  for (const v of frame) {
    esp = (esp - 4) | 0;
    mmu.write32((ssBase + esp) | 0, v);
  }
  s[Slot.ESP] = esp;
  vm.cpu.setSegment(Seg.CS, (selector & 0xfffc) | dpl, code);
  s[Slot.EIP] = offset;
  s[Slot.FLAGS] = flags & ~(TF | NT | RF | VM | (type === GATE_INTERRUPT_32 ? IF : 0));
  s[Slot.LAZY_OP] = 0;
}

/** Exceptions that push an error code (SDM vol. 3, table 6-1). */
export function pushesErrorCode(vector: number): boolean {
  return vector === 8 || (vector >= 10 && vector <= 14) || vector === 17;
}

const TSS_AVAILABLE_32 = 0x9;
const TSS_BUSY = 0x2;
/** A 32-bit TSS holds ESP0/SS0 at 4/8, ESP1/SS1 at 12/16, ESP2/SS2 at 20/24. */
const TSS_MIN_LIMIT = 0x67;

/** SS:ESP of ring `dpl` from the current TSS, with SS checked as a stack for that ring (#TS otherwise). */
function innerStack(vm: Machine, dpl: number): [number, number, SegmentDescriptor] {
  const s = vm.cpu.s, mmu = vm.mmu;
  if ((s[Slot.TR_SEL] & 0xfffc) === 0) throw new CpuException(Vector.TS, 0, 0, 'a ring change with no task register loaded (LTR)');
  const at = (s[Slot.TR_BASE] + 4 + dpl * 8) | 0;
  const esp = mmu.read32(at);
  const ss = mmu.read16(at + 4);
  const d = stackSegment(vm, ss, dpl);
  if (d === null) throw new CpuException(Vector.TS, ss & 0xfffc, 0, `the TSS's ring-${dpl} stack selector 0x${ss.toString(16)} is not a writable data segment of that ring`);
  if (!(d.attr & SegAttr.PRESENT)) throw new CpuException(Vector.SS, ss & 0xfffc);
  return [ss, esp, d];
}

/** The descriptor of `ss` when it can be ring `ring`'s stack (a writable data segment of that ring), else null. */
function stackSegment(vm: Machine, ss: number, ring: number): SegmentDescriptor | null {
  const d = (ss & 0xfffc) === 0 ? null : vm.cpu.descriptors?.lookup(ss) ?? null;
  const type = SegAttr.NOT_SYSTEM | SegAttr.CODE | SegAttr.WRITABLE_OR_READABLE;
  if (d === null || (ss & 3) !== ring || ((d.attr >> 5) & 3) !== ring || (d.attr & type) !== (SegAttr.NOT_SYSTEM | SegAttr.WRITABLE_OR_READABLE)) return null;
  return d;
}

/**
 * The GDT entry `selector` names for LTR or LLDT (`what`), which must be a
 * present system descriptor of `type`: its address (LTR marks it busy), its
 * high dword and its decoded form.
 */
function systemDescriptor(vm: Machine, selector: number, type: number, what: string): { address: number; high: number; d: SegmentDescriptor } {
  const s = vm.cpu.s, mmu = vm.mmu;
  const offset = selector & 0xfff8;
  if (selector & 4 || offset + 7 > (s[Slot.GDTR_LIMIT] & 0xffff)) throw new CpuException(Vector.GP, selector & 0xfffc, 0, `${what} selector 0x${selector.toString(16)} is not in the GDT`);
  const address = (s[Slot.GDTR_BASE] + offset) | 0;
  const high = mmu.read32(address + 4);
  const d = decodeDescriptor(mmu.read32(address), high);
  if ((d.attr & 0x1f) !== type) throw new CpuException(Vector.GP, selector & 0xfffc, 0, `${what} selector 0x${selector.toString(16)} is not ${what === 'LTR' ? 'an available 32-bit TSS' : 'an LDT descriptor'}`);
  if (!(d.attr & SegAttr.PRESENT)) throw new CpuException(Vector.NP, selector & 0xfffc);
  return { address, high, d };
}

/** LTR: the TSS descriptor must be an available 32-bit TSS in the GDT; it is marked busy. */
export function loadTaskRegister(vm: Machine, selector: number): void {
  const s = vm.cpu.s;
  selector &= 0xffff;
  if ((selector & 0xfffc) === 0) throw new CpuException(Vector.GP, 0, 0, 'LTR of a null selector');
  const { address, high, d } = systemDescriptor(vm, selector, TSS_AVAILABLE_32, 'LTR');
  if ((d.limit >>> 0) < TSS_MIN_LIMIT) throw new CpuException(Vector.TS, selector & 0xfffc, 0, 'the TSS is shorter than 104 bytes');
  vm.mmu.write32(address + 4, high | (TSS_BUSY << 8));
  s[Slot.TR_SEL] = selector;
  s[Slot.TR_BASE] = d.base;
  s[Slot.TR_LIMIT] = d.limit;
}

/**
 * IRET to a less privileged ring: EIP, CS, EFLAGS, ESP and SS from the
 * stack, CS and SS checked for the new ring, data segment registers the new
 * ring may not use nulled. The soft TLB is flushed: entries the kernel made
 * may allow what user code may not.
 */
export function returnToOuterRing(vm: Machine, size: number): void {
  if (size !== 4) throw new CpuException(Vector.GP, 0, 0, 'unimplemented: a 16-bit IRET to an outer ring');
  const s = vm.cpu.s, mmu = vm.mmu;
  const at = (k: number) => vm.stack.peek(4, 4 * k);
  const eip = at(0), cs = at(1) & 0xffff, flags = at(2), esp = at(3), ss = at(4) & 0xffff;
  const rpl = cs & 3;
  const code = checkCodeSegment(vm, cs, eip, 'outer-return');
  const stack = stackSegment(vm, ss, rpl);
  if (stack === null) throw new CpuException(Vector.GP, ss & 0xfffc, 0, `IRET to stack selector 0x${ss.toString(16)}, not a writable data segment of ring ${rpl}`);
  if (!(stack.attr & SegAttr.PRESENT)) throw new CpuException(Vector.SS, ss & 0xfffc);
  vm.cpu.setSegment(Seg.CS, cs, code);
  vm.cpu.setSegment(Seg.SS, ss, stack);
  s[Slot.ESP] = esp;
  s[Slot.EIP] = eip;
  const old = readFlags(s);
  s[Slot.FLAGS] = (old & ~IRET_KERNEL_MASK) | (flags & IRET_KERNEL_MASK) | 2;
  s[Slot.LAZY_OP] = 0;
  if (flags & ~old & IF) vm.cpu.onInterruptsEnabled?.();
  for (const seg of [Seg.ES, Seg.DS, Seg.FS, Seg.GS]) {
    const attr = s[Slot.SEG_ATTR + seg];
    const dataOrNonConforming = !(attr & SegAttr.CODE) || !(attr & SegAttr.EXPAND_DOWN_OR_CONFORMING);
    if (dataOrNonConforming && ((attr >> 5) & 3) < rpl) vm.cpu.setSegment(seg, 0, { base: 0, limit: 0, attr: 0 });
  }
  if (rpl === 3) enterUserMode(vm);
  else mmu.user = false; // rings 1 and 2 have supervisor rights, like ring 0
}

/** The MSRs SYSENTER and SYSEXIT read. */
export const IA32_SYSENTER_CS = 0x174;
export const IA32_SYSENTER_ESP = 0x175;
export const IA32_SYSENTER_EIP = 0x176;
const DPL_MASK = 0x60;

/**
 * SYSENTER: into ring 0 at SYSENTER_EIP with ESP = SYSENTER_ESP, CS from
 * SYSENTER_CS and SS the selector after it, both flat (the CPU loads fixed
 * descriptor caches, not the GDT's); VM, IF and RF cleared. #GP(0) when
 * SYSENTER_CS is null. `msr` reads an MSR (0 when never written).
 */
export function fastSystemCallEnter(vm: Machine, msr: (index: number) => number): void {
  const s = vm.cpu.s;
  const cs = msr(IA32_SYSENTER_CS) & 0xfffc;
  if (cs === 0) throw new CpuException(Vector.GP, 0, 0, 'SYSENTER with a null SYSENTER_CS MSR');
  vm.cpu.setSegment(Seg.CS, cs, { base: 0, limit: -1, attr: FLAT_CODE_ATTR & ~DPL_MASK });
  vm.cpu.setSegment(Seg.SS, cs + 8, { base: 0, limit: -1, attr: FLAT_DATA_ATTR & ~DPL_MASK });
  s[Slot.ESP] = msr(IA32_SYSENTER_ESP);
  s[Slot.EIP] = msr(IA32_SYSENTER_EIP);
  s[Slot.FLAGS] = readFlags(s) & ~(VM | IF | RF);
  s[Slot.LAZY_OP] = 0;
  vm.mmu.user = false;
}

/**
 * SYSEXIT at CPL 0: to ring 3 at EDX with ESP = ECX, CS = SYSENTER_CS + 16
 * and SS = SYSENTER_CS + 24 (RPL 3), both flat. #GP(0) when SYSENTER_CS is
 * null (the caller has checked CPL 0).
 */
export function fastSystemCallExit(vm: Machine, msr: (index: number) => number): void {
  const s = vm.cpu.s, r32 = vm.cpu.r32;
  const cs = msr(IA32_SYSENTER_CS) & 0xfffc;
  if (cs === 0) throw new CpuException(Vector.GP, 0, 0, 'SYSEXIT with a null SYSENTER_CS MSR');
  vm.cpu.setSegment(Seg.CS, (cs + 16) | 3, { base: 0, limit: -1, attr: FLAT_CODE_ATTR });
  vm.cpu.setSegment(Seg.SS, (cs + 24) | 3, { base: 0, limit: -1, attr: FLAT_DATA_ATTR });
  s[Slot.ESP] = r32[1];
  s[Slot.EIP] = r32[2];
  enterUserMode(vm);
}

/** Where a 32-bit TSS keeps the offset of its I/O permission bitmap. */
const TSS_IO_MAP_BASE = 0x66;

/**
 * The TSS I/O permission bitmap, for IN/OUT/INS/OUTS above IOPL: every bit
 * of ports port..port+size-1 must be clear, and the two bytes the CPU
 * reads for them must lie within the TSS's limit (else #GP, as with no
 * bitmap at all).
 */
export function ioPermitted(vm: Machine, port: number, size: number): boolean {
  const s = vm.cpu.s;
  if ((s[Slot.TR_SEL] & 0xfffc) === 0) return false;
  const base = s[Slot.TR_BASE], limit = s[Slot.TR_LIMIT] >>> 0;
  const mapBase = supervisor(vm, (base + TSS_IO_MAP_BASE) | 0, () => vm.mmu.read16((base + TSS_IO_MAP_BASE) | 0));
  const offset = mapBase + (port >>> 3);
  if (offset + 1 > limit) return false;
  const at = (base + offset) | 0;
  const bits = supervisor(vm, at, () => vm.mmu.read16(at));
  return (bits & (((1 << size) - 1) << (port & 7))) === 0;
}

const LDT_TYPE = 0x2;

/** LLDT: a null selector leaves no LDT; otherwise the GDT entry must be a present LDT descriptor. */
export function loadLdtRegister(vm: Machine, selector: number): void {
  const s = vm.cpu.s;
  selector &= 0xffff;
  if ((selector & 0xfffc) === 0) {
    s[Slot.LDTR_SEL] = 0;
    s[Slot.LDTR_BASE] = 0;
    s[Slot.LDTR_LIMIT] = 0;
    return;
  }
  const { d } = systemDescriptor(vm, selector, LDT_TYPE, 'LLDT');
  s[Slot.LDTR_SEL] = selector;
  s[Slot.LDTR_BASE] = d.base;
  s[Slot.LDTR_LIMIT] = d.limit;
}

/**
 * A descriptor-table read the CPU makes with supervisor rights (an implicit
 * access) while code may be running at ring 3: the soft TLB keeps no
 * privilege, so the page it cached for the read is dropped again.
 */
function supervisor<T>(vm: Machine, address: number, read: () => T): T {
  const mmu = vm.mmu;
  if (!mmu.user) return read();
  mmu.user = false;
  try {
    return read();
  } finally {
    mmu.user = true;
    mmu.flushRange(address, 8);
  }
}
