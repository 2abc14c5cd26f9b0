import { Seg } from '../decoder/types.js';
import { Slot, STATE_SIZE, XMM_BYTE } from '../runtime/layout.js';
import type { Machine } from '../runtime/machine.js';
import type { SegmentDescriptor } from '../runtime/segments.js';
import { Simd } from '../runtime/interp/sse-state.js';
import { registerAccessor, type RegisterName } from './registers.js';

/** The whole CPU state, for restoreContext (the state block: registers, flags, segments, x87, SSE). */
export interface Context {
  readonly state: Uint8Array;
}

export type SegmentName = 'es' | 'cs' | 'ss' | 'ds' | 'fs' | 'gs';

/**
 * The embedding API's view of one CPU's registers: general, EIP, EFLAGS,
 * segments with their descriptor caches, control registers, x87, MMX and
 * SSE, singly and in batches, and the whole context saved and restored.
 * Emulator and LinuxEmulator are this plus memory, hooks and run();
 * SystemVm has one as `cpu`.
 */
export class CpuAccess {
  /** The x87/MMX register file's views (runtime/interp/sse-state.ts). */
  protected readonly simd: Simd;

  constructor(readonly vm: Machine) {
    this.simd = new Simd(vm);
  }

  // --------------------------------------------------------------- registers

  readRegister(name: RegisterName): number {
    return registerAccessor(name).read(this.vm.cpu);
  }

  writeRegister(name: RegisterName, value: number): void {
    registerAccessor(name).write(this.vm.cpu, value);
  }

  /** Several registers at once, in the order given. */
  readRegisters(names: readonly RegisterName[]): number[] {
    return names.map((n) => this.readRegister(n));
  }

  writeRegisters(values: Partial<Record<RegisterName, number>>): void {
    for (const [name, value] of Object.entries(values)) this.writeRegister(name as RegisterName, value!);
  }

  /** A segment register with its descriptor cache (base, limit: the highest offset, attr: access byte | flags << 8). */
  readSegment(seg: SegmentName): SegmentDescriptor & { selector: number } {
    const s = this.vm.cpu.s, i = segIndex(seg);
    return { selector: s[Slot.SEG_SEL + i] & 0xffff, base: s[Slot.SEG_BASE + i] >>> 0, limit: s[Slot.SEG_LIMIT + i] >>> 0, attr: s[Slot.SEG_ATTR + i] };
  }

  writeSegment(seg: SegmentName, value: SegmentDescriptor & { selector: number }): void {
    this.vm.cpu.setSegment(segIndex(seg), value.selector, { base: value.base | 0, limit: value.limit | 0, attr: value.attr });
  }

  /** XMM register `n` (0-7) as 16 bytes, little-endian. */
  readXmm(n: number): Uint8Array {
    const at = XMM_BYTE + registerIndex('xmm', n) * 16;
    return this.vm.mem.u8.slice(at, at + 16);
  }

  writeXmm(n: number, bytes: Uint8Array): void {
    if (bytes.length !== 16) throw new RangeError(`writeXmm: 16 bytes expected, got ${bytes.length}`);
    this.vm.mem.u8.set(bytes, XMM_BYTE + registerIndex('xmm', n) * 16);
  }

  /** ST(i) (0-7, relative to TOP) as a number: the double it holds (see the x87 precision in the README). */
  readSt(i: number): number {
    return this.simd.fpu64[this.physical(i)];
  }

  /** Writes ST(i) and marks its register valid. */
  writeSt(i: number, value: number): void {
    const p = this.physical(i);
    this.simd.fpu64[p] = value;
    this.vm.cpu.s[Slot.FPU_EMPTY] &= ~(1 << p);
  }

  /**
   * ST(i) as the 10-byte extended-precision image FSTP m80 stores (what
   * Unicorn's UC_X86_REG_ST0-7 read): significand, then sign and exponent.
   */
  readStBytes(i: number): Uint8Array {
    const [lo, hi, se] = this.simd.readF80(this.physical(i));
    const out = new Uint8Array(10);
    const d = new DataView(out.buffer);
    d.setInt32(0, lo, true);
    d.setInt32(4, hi, true);
    d.setUint16(8, se, true);
    return out;
  }

  /** Writes ST(i) from a 10-byte extended-precision image (as FLD m80 reads it) and marks its register valid. */
  writeStBytes(i: number, bytes: Uint8Array): void {
    if (bytes.length !== 10) throw new RangeError(`writeStBytes: 10 bytes expected, got ${bytes.length}`);
    const p = this.physical(i);
    const d = new DataView(bytes.buffer, bytes.byteOffset, 10);
    this.simd.writeF80(p, d.getInt32(0, true), d.getInt32(4, true), d.getUint16(8, true));
    this.vm.cpu.s[Slot.FPU_EMPTY] &= ~(1 << p);
  }

  /**
   * The x87 tag word FSTENV stores: two bits per physical register, 00
   * valid, 01 zero, 10 special (NaN, infinity), 11 empty.
   */
  readTagWord(): number {
    const empty = this.vm.cpu.s[Slot.FPU_EMPTY];
    let tags = 0;
    for (let p = 0; p < 8; p++) {
      const v = this.simd.fpu64[p];
      const tag = empty & (1 << p) ? 3 : v === 0 ? 1 : Number.isFinite(v) ? 0 : 2;
      tags |= tag << (2 * p);
    }
    return tags;
  }

  /** MMX register `n` (0-7) as 8 bytes, little-endian: the significand of x87 register n. */
  readMmx(n: number): Uint8Array {
    this.simd.readMmx(registerIndex('mm', n), 0);
    return this.simd.t8.slice(0, 8);
  }

  /** Writes MMX register `n` as an MMX instruction would its result (exponent all ones; TOP and tags left alone). */
  writeMmx(n: number, bytes: Uint8Array): void {
    if (bytes.length !== 8) throw new RangeError(`writeMmx: 8 bytes expected, got ${bytes.length}`);
    const d = new DataView(bytes.buffer, bytes.byteOffset, 8);
    this.simd.writeF80(registerIndex('mm', n), d.getInt32(0, true), d.getInt32(4, true), 0xffff);
  }

  private physical(i: number): number {
    if (!Number.isInteger(i) || i < 0 || i > 7) throw new RangeError(`there is no st(${i}) (st(0)-st(7))`);
    return (this.vm.cpu.s[Slot.FPU_TOP] + i) & 7;
  }

  // ----------------------------------------------------------------- context

  /** A copy of the whole CPU state (not memory). */
  saveContext(): Context {
    return { state: this.vm.mem.u8.slice(0, STATE_SIZE) };
  }

  /** Puts back a state saveContext took (of this or another machine); memory is not touched. */
  restoreContext(context: Context): void {
    const s = this.vm.cpu.s;
    const icount = [s[Slot.ICOUNT_LO], s[Slot.ICOUNT_HI]];
    this.vm.mem.u8.set(context.state, 0);
    [s[Slot.ICOUNT_LO], s[Slot.ICOUNT_HI]] = icount;
    // Segment loads have consequences beyond the state block (translated code's assumptions, limit checks).
    for (let seg = 0; seg < 6; seg++) {
      this.vm.cpu.setSegment(seg, s[Slot.SEG_SEL + seg], { base: s[Slot.SEG_BASE + seg], limit: s[Slot.SEG_LIMIT + seg], attr: s[Slot.SEG_ATTR + seg] });
    }
  }
}

const SEG_NAMES: readonly SegmentName[] = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'];

function segIndex(name: string): Seg {
  const i = SEG_NAMES.indexOf(name as SegmentName);
  if (i < 0) throw new RangeError(`unknown segment register "${name}"`);
  return i as Seg;
}

function registerIndex(kind: 'mm' | 'xmm', n: number): number {
  if (!Number.isInteger(n) || n < 0 || n > 7) throw new RangeError(`there is no ${kind}${n} (${kind}0-${kind}7)`);
  return n;
}

