import { Seg } from '../../decoder/types.js';
import { Slot } from '../layout.js';
import type { Machine } from '../machine.js';

/**
 * Stack pushes and pops through SS. Memory is written before ESP moves, so
 * a fault leaves ESP unchanged. 32-bit stack segments only for now (a
 * 16-bit SS comes with LDT segments).
 */
export class Stack {
  private readonly s: Int32Array;
  private readonly r32: Int32Array;
  constructor(private readonly vm: Machine) {
    this.s = vm.cpu.s;
    this.r32 = vm.cpu.r32;
  }

  push32(v: number): void {
    const esp = (this.r32[Slot.ESP] - 4) | 0;
    this.vm.mmu.write32((this.s[Slot.SEG_BASE + Seg.SS] + esp) | 0, v);
    this.r32[Slot.ESP] = esp;
  }

  push16(v: number): void {
    const esp = (this.r32[Slot.ESP] - 2) | 0;
    this.vm.mmu.write16((this.s[Slot.SEG_BASE + Seg.SS] + esp) | 0, v);
    this.r32[Slot.ESP] = esp;
  }

  push(size: number, v: number): void {
    if (size === 4) this.push32(v);
    else this.push16(v);
  }

  pop32(): number {
    const esp = this.r32[Slot.ESP];
    const v = this.vm.mmu.read32((this.s[Slot.SEG_BASE + Seg.SS] + esp) | 0);
    this.r32[Slot.ESP] = (esp + 4) | 0;
    return v;
  }

  pop16(): number {
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
    const a = (this.s[Slot.SEG_BASE + Seg.SS] + this.r32[Slot.ESP] + offset) | 0;
    return size === 4 ? this.vm.mmu.read32(a) : this.vm.mmu.read16(a);
  }
}
