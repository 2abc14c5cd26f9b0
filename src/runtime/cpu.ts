import { Seg } from '../decoder/types.js';
import { CpuException, Vector } from './exceptions.js';
import { materializeFlags, readFlags } from './flags.js';
import { Slot } from './layout.js';
import { GuestMemory } from './memory.js';
import { DescriptorTables, needsAccessChecks, REAL_MODE_CODE_ATTR, REAL_MODE_DATA_ATTR, SegAttr, SegmentDescriptor } from './segments.js';

/** CR0 bits the CPU itself consults: PE (protected mode; clear is real mode), ET (always 1 on a P6), PG. */
export const CR0_PE = 0x1;
export const CR0_ET = 0x10;
export const CR0_PG = 0x80000000 | 0;

/**
 * The architectural CPU state. Everything lives in the state block of the
 * VM's WebAssembly.Memory (layout.ts); this class is a typed window on it
 * plus the operations that need more than a load or a store.
 */
export class Cpu {
  /** The whole state block as Int32 slots (see Slot). */
  readonly s: Int32Array;
  /** General registers as 32-bit (index 0..7), 16-bit (index 0..7 via r16[i*2]) and 8-bit views. */
  readonly r32: Int32Array;
  readonly r16: Uint16Array;
  readonly r8: Uint8Array;
  /** Descriptor tables consulted when a segment register is loaded. */
  descriptors: DescriptorTables | null = null;

  /** Current privilege level: CS's RPL as the CPU keeps it. */
  get cpl(): number {
    return this.s[Slot.CR0] & CR0_PE ? this.s[Slot.SEG_SEL + Seg.CS] & 3 : 0;
  }

  /** CR0.PE clear: segment registers hold paragraph numbers and interrupts go through the vector table (system/real-mode.ts). */
  get realMode(): boolean {
    return (this.s[Slot.CR0] & CR0_PE) === 0;
  }

  /** Whether IOPL allows IN, OUT, CLI and STI at the current privilege level. */
  get ioPrivileged(): boolean {
    return this.cpl <= ((this.s[Slot.FLAGS] >>> 12) & 3);
  }
  /**
   * EIP of the instruction after an STI that set IF, or -1: the CPU takes no
   * external interrupt before that instruction has run (the STI shadow, which
   * makes `sti; hlt` wait for the next interrupt). The platform's run loop
   * consults and clears it.
   */
  interruptShadowEip = -1;
  /**
   * Called when an instruction sets IF that was clear (STI, POPF, IRET): a
   * platform with an interrupt waiting ends the slice there, so it is taken
   * as soon as the CPU would take it (not a slice later).
   */
  onInterruptsEnabled: (() => void) | null = null;
  /** Told when CS is reloaded (the machine drops chained blocks decoded for the old one). */
  onCodeSegmentChange: (() => void) | null = null;
  /** Called when the base of DS, ES or SS changes (translated code may assume it is 0). */
  onDataSegmentBaseChange: (() => void) | null = null;
  /** Data segment registers (bit 1 << Seg) holding a segment whose limit or type accesses must check (segments.ts needsAccessChecks). */
  checkedSegments = 0;
  /** Called when a data segment register is loaded with such a segment. */
  onAccessChecks: (() => void) | null = null;
  /** Time-stamp counter source (nanoseconds since start as "cycles"; works in Node and browsers). */
  tsc: () => bigint = () => BigInt(Math.floor(performance.now() * 1e6));

  constructor(mem: GuestMemory) {
    this.s = mem.state32;
    const buf = mem.memory.buffer;
    const off = mem.state32.byteOffset;
    this.r32 = new Int32Array(buf, off, 8);
    this.r16 = new Uint16Array(buf, off, 16);
    this.r8 = new Uint8Array(buf, off, 32);
    this.s[Slot.FLAGS] = 0x2;
    // Protected mode, as a Linux process and the flat embedding machine see it; system code may clear PE.
    this.s[Slot.CR0] = CR0_PE | CR0_ET;
    // The x87 as FNINIT leaves it (and Linux starts a process): every register empty, all exceptions masked.
    this.s[Slot.FPU_CW] = 0x037f;
    this.s[Slot.FPU_EMPTY] = 0xff;
    // SSE as Linux starts a process: round to nearest, every exception masked, no flags.
    this.s[Slot.MXCSR] = 0x1f80;
  }

  get eip(): number {
    return this.s[Slot.EIP] >>> 0;
  }
  set eip(v: number) {
    this.s[Slot.EIP] = v;
  }

  /** Full EFLAGS with the lazy flags computed. */
  get eflags(): number {
    return readFlags(this.s) >>> 0;
  }
  set eflags(v: number) {
    this.s[Slot.FLAGS] = (v & 0x3f7fd5) | 2;
    this.s[Slot.LAZY_OP] = 0;
  }

  materializeFlags(): number {
    return materializeFlags(this.s);
  }

  segBase(seg: Seg): number {
    return this.s[Slot.SEG_BASE + seg];
  }

  selector(seg: Seg): number {
    return this.s[Slot.SEG_SEL + seg] & 0xffff;
  }

  /** Whether CS is a 32-bit code segment (D bit). */
  get codeSize(): 2 | 4 {
    return this.s[Slot.SEG_ATTR + Seg.CS] & SegAttr.DEFAULT_BIG ? 4 : 2;
  }

  /** Whether SS is a 32-bit stack (B bit): ESP vs SP. */
  get stackSize(): 2 | 4 {
    return this.s[Slot.SEG_ATTR + Seg.SS] & SegAttr.DEFAULT_BIG ? 4 : 2;
  }

  /** Sets a segment register's selector and descriptor cache directly (loaders, system code). */
  setSegment(seg: Seg, selector: number, d: SegmentDescriptor): void {
    this.s[Slot.SEG_SEL + seg] = selector & 0xffff;
    const baseChanged = this.s[Slot.SEG_BASE + seg] !== (d.base | 0);
    this.s[Slot.SEG_BASE + seg] = d.base;
    this.s[Slot.SEG_LIMIT + seg] = d.limit;
    this.s[Slot.SEG_ATTR + seg] = d.attr;
    if (seg === Seg.CS) {
      this.onCodeSegmentChange?.();
      return;
    }
    if (baseChanged && (seg === Seg.DS || seg === Seg.ES || seg === Seg.SS)) this.onDataSegmentBaseChange?.();
    const bit = 1 << seg;
    if (needsAccessChecks(seg, selector, d, this.realMode)) {
      this.checkedSegments |= bit;
      this.onAccessChecks?.();
    } else this.checkedSegments &= ~bit;
  }

  /** Recomputes checkedSegments from the state block, after it was restored wholesale (lockstep). */
  syncCheckedSegments(): void {
    const s = this.s;
    let bits = 0;
    for (const seg of [Seg.ES, Seg.SS, Seg.DS, Seg.FS, Seg.GS]) {
      const d = { base: s[Slot.SEG_BASE + seg], limit: s[Slot.SEG_LIMIT + seg], attr: s[Slot.SEG_ATTR + seg] };
      if (needsAccessChecks(seg, s[Slot.SEG_SEL + seg], d, this.realMode)) bits |= 1 << seg;
    }
    this.checkedSegments = bits;
  }

  /** MOV/POP to a segment register in protected mode: checks the selector and loads the cache. */
  loadSegment(seg: Seg, selector: number): void {
    selector &= 0xffff;
    if (this.realMode) return this.loadRealModeSegment(seg, selector);
    if ((selector & 0xfffc) === 0) {
      if (seg === Seg.SS || seg === Seg.CS) throw new CpuException(Vector.GP, 0, 0, 'null selector');
      // A null selector may be loaded into a data segment register; using it faults.
      this.setSegment(seg, selector, { base: 0, limit: 0, attr: 0 });
      return;
    }
    const d = this.descriptors?.lookup(selector) ?? null;
    if (!d) throw new CpuException(Vector.GP, selector & 0xfffc, 0, `invalid selector 0x${selector.toString(16)}`);
    // The SDM's order: type and privilege (#GP) before presence (#NP, #SS).
    const isCode = (d.attr & SegAttr.CODE) !== 0;
    const cpl = this.s[Slot.SEG_SEL + Seg.CS] & 3, dpl = (d.attr >> 5) & 3;
    if (seg === Seg.SS && (isCode || !(d.attr & SegAttr.WRITABLE_OR_READABLE) || (selector & 3) !== cpl || dpl !== cpl)) {
      throw new CpuException(Vector.GP, selector & 0xfffc);
    }
    if (seg !== Seg.SS && seg !== Seg.CS && isCode && !(d.attr & SegAttr.WRITABLE_OR_READABLE)) {
      throw new CpuException(Vector.GP, selector & 0xfffc);
    }
    if (!(d.attr & SegAttr.PRESENT)) throw new CpuException(seg === Seg.SS ? Vector.SS : Vector.NP, selector & 0xfffc);
    this.setSegment(seg, selector, d);
  }

  /**
   * A segment register load in real mode: the base becomes selector × 16
   * and nothing is checked. The limit and the D/B and G bits stay as they
   * were, as on the CPU (a segment a kernel left with a 4 GiB limit keeps
   * it: "unreal mode"); a data segment becomes present, writable data.
   */
  private loadRealModeSegment(seg: Seg, selector: number): void {
    const s = this.s;
    const old = s[Slot.SEG_ATTR + seg];
    const attr = seg === Seg.CS ? old | REAL_MODE_CODE_ATTR : (old & (SegAttr.DEFAULT_BIG | SegAttr.GRANULARITY)) | REAL_MODE_DATA_ATTR;
    this.setSegment(seg, selector, { base: selector << 4, limit: s[Slot.SEG_LIMIT + seg], attr });
  }
}
