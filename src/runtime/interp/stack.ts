import { Seg } from '../../decoder/types.js';
import { Slot } from '../layout.js';
import type { Machine } from '../machine.js';
import { SegAttr } from '../segments.js';

/**
 * Stack pushes and pops through SS. Memory is written before the stack
 * pointer moves, so a fault leaves it unchanged. A 32-bit stack segment
 * (SS's B bit, what protected-mode code uses) moves ESP; a 16-bit one (real
 * mode, an LDT's 16-bit stack) moves SP only, wrapping within 64 KiB, and
 * leaves ESP's high half alone.
 */
export class Stack {
  private readonly s: Int32Array;
  private readonly r32: Int32Array;
  private readonly r16: Uint16Array;
  constructor(private readonly vm: Machine) {
    this.s = vm.cpu.s;
    this.r32 = vm.cpu.r32;
    this.r16 = vm.cpu.r16;
  }

  /** Whether SS is a 32-bit stack (ESP) rather than a 16-bit one (SP). */
  get wide(): boolean {
    return (this.s[Slot.SEG_ATTR + Seg.SS] & SegAttr.DEFAULT_BIG) !== 0;
  }

  /** The stack pointer as an offset in SS: ESP, or SP zero-extended. */
  top(): number {
    return this.wide ? this.r32[Slot.ESP] : this.r16[Slot.ESP * 2];
  }

  /** Sets the stack pointer: ESP, or SP only. */
  setTop(offset: number): void {
    if (this.wide) this.r32[Slot.ESP] = offset;
    else this.r16[Slot.ESP * 2] = offset;
  }

  /** Moves the stack pointer by `delta` bytes (a release after RET n, POPA, IRET). */
  move(delta: number): void {
    this.setTop((this.top() + delta) | 0);
  }

  /** The linear address of the stack `offset` bytes above the stack pointer (wrapping within a 16-bit stack). */
  address(offset: number): number {
    const off = this.wide ? (this.r32[Slot.ESP] + offset) | 0 : (this.r16[Slot.ESP * 2] + offset) & 0xffff;
    return (this.s[Slot.SEG_BASE + Seg.SS] + off) | 0;
  }

  push32(v: number): void {
    if (!this.wide) return this.narrowPush(4, v);
    const esp = (this.r32[Slot.ESP] - 4) | 0;
    this.vm.mmu.write32((this.s[Slot.SEG_BASE + Seg.SS] + esp) | 0, v);
    this.r32[Slot.ESP] = esp;
  }

  push16(v: number): void {
    if (!this.wide) return this.narrowPush(2, v);
    const esp = (this.r32[Slot.ESP] - 2) | 0;
    this.vm.mmu.write16((this.s[Slot.SEG_BASE + Seg.SS] + esp) | 0, v);
    this.r32[Slot.ESP] = esp;
  }

  push(size: number, v: number): void {
    if (size === 4) this.push32(v);
    else this.push16(v);
  }

  pop32(): number {
    if (!this.wide) return this.narrowPop(4);
    const esp = this.r32[Slot.ESP];
    const v = this.vm.mmu.read32((this.s[Slot.SEG_BASE + Seg.SS] + esp) | 0);
    this.r32[Slot.ESP] = (esp + 4) | 0;
    return v;
  }

  pop16(): number {
    if (!this.wide) return this.narrowPop(2);
    const esp = this.r32[Slot.ESP];
    const v = this.vm.mmu.read16((this.s[Slot.SEG_BASE + Seg.SS] + esp) | 0);
    this.r32[Slot.ESP] = (esp + 2) | 0;
    return v;
  }

  pop(size: number): number {
    return size === 4 ? this.pop32() : this.pop16();
  }

  /** Reads the value `offset` bytes above the top of the stack without popping. */
  peek(size: number, offset: number): number {
    const a = this.address(offset);
    return size === 4 ? this.vm.mmu.read32(a) : this.vm.mmu.read16(a);
  }

  private narrowPush(size: number, v: number): void {
    const a = this.address(-size);
    if (size === 4) this.vm.mmu.write32(a, v);
    else this.vm.mmu.write16(a, v);
    this.move(-size);
  }

  private narrowPop(size: number): number {
    const v = this.peek(size, 0);
    this.move(size);
    return v;
  }
}
