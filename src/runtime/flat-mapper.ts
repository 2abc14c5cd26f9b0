import { CpuException, Vector } from './exceptions.js';
import { PAGE_SHIFT, Tlb } from './layout.js';
import { GuestMemory } from './memory.js';
import { Access, PageMapper } from './mmu.js';

/**
 * The simplest address space: a set of readable/writable/executable ranges
 * backed by frames allocated on first touch. Used by benchmarks, unit tests
 * and bare-metal embedding where no OS personality owns the mappings.
 */
export class FlatMapper implements PageMapper {
  private readonly frames = new Map<number, number>();
  private readonly ranges: { start: number; end: number }[] = [];

  constructor(private readonly mem: GuestMemory) {}

  /** Makes [start, start+length) accessible. */
  map(start: number, length: number): void {
    this.ranges.push({ start: start >>> 0, end: (start >>> 0) + length });
  }

  translate(vaddr: number, access: Access, _user: boolean): number {
    const a = vaddr >>> 0;
    if (!this.ranges.some((r) => a >= r.start && a < r.end)) {
      throw new CpuException(Vector.PF, 4 | (access === Access.WRITE ? 2 : 0), vaddr, 'unmapped');
    }
    const vpn = a >>> PAGE_SHIFT;
    let frame = this.frames.get(vpn);
    if (frame === undefined) {
      frame = this.mem.allocFrame();
      if (frame < 0) throw new CpuException(Vector.PF, 4, vaddr, 'out of guest memory');
      this.frames.set(vpn, frame);
    }
    return frame | Tlb.READ | Tlb.WRITE | Tlb.EXEC | Tlb.USER;
  }
}
