import { CpuException, Vector } from '../runtime/exceptions.js';
import { PAGE_SHIFT, PAGE_SIZE, Tlb } from '../runtime/layout.js';
import type { GuestMemory } from '../runtime/memory.js';
import { Access, type PageMapper } from '../runtime/mmu.js';

/** Page permissions, as Unicorn's UC_PROT_*: combine with |. */
export const Prot = { NONE: 0, READ: 1, WRITE: 2, EXEC: 4, ALL: 7 } as const;

/** A mapped range as `regions()` lists it: page-aligned, one permission. */
export interface MemoryRegion {
  address: number;
  size: number;
  prot: number;
}

/** #PF error-code bits, as a guest with paging would see them. */
const PF_PRESENT = 1, PF_WRITE = 2, PF_USER = 4, PF_FETCH = 0x10;

/**
 * An embedder's address space: page-granular mappings with permissions,
 * each backed by one frame of guest memory. A missing page or a denied
 * access raises #PF (error code as with paging: present, write, user,
 * fetch), which the Emulator turns into a fault hook or a stop.
 */
export class MemoryMap implements PageMapper {
  /** Per virtual page: frame host offset | Tlb bits of its permissions. */
  private readonly pages = new Map<number, number>();

  constructor(private readonly mem: GuestMemory) {}

  map(address: number, size: number, prot: number): void {
    const [first, count] = pageSpan(address, size, 'map');
    this.requireFree(first, count, 'map');
    for (let i = 0; i < count; i++) {
      const frame = this.mem.allocFrame();
      if (frame < 0) {
        for (let j = 0; j < i; j++) this.release((first + j) >>> 0);
        throw new RangeError(`map: guest memory is full after ${i} of ${count} pages (create the emulator with a larger memoryBytes)`);
      }
      this.pages.set((first + i) >>> 0, frame | tlbBits(prot));
    }
  }

  /** As map(), with frames in a row; returns the host offset of the first byte. */
  mapContiguous(address: number, size: number, prot: number): number {
    const [first, count] = pageSpan(address, size, 'mapShared');
    this.requireFree(first, count, 'mapShared');
    const host = this.mem.allocContiguous(count);
    if (host < 0) throw new RangeError(`mapShared: guest memory has no ${count} pages in a row left (create the emulator with a larger memoryBytes)`);
    for (let i = 0; i < count; i++) this.pages.set((first + i) >>> 0, (host + i * PAGE_SIZE) | tlbBits(prot));
    return host;
  }

  unmap(address: number, size: number): void {
    const [first, count] = pageSpan(address, size, 'unmap');
    this.requireMapped(first, count, 'unmap');
    for (let i = 0; i < count; i++) this.release((first + i) >>> 0);
  }

  protect(address: number, size: number, prot: number): void {
    const [first, count] = pageSpan(address, size, 'protect');
    this.requireMapped(first, count, 'protect');
    for (let i = 0; i < count; i++) {
      const vpn = (first + i) >>> 0;
      this.pages.set(vpn, (this.pages.get(vpn)! & Tlb.FRAME) | tlbBits(prot));
    }
  }

  /** Mapped ranges in address order, adjacent pages of one permission merged. */
  regions(): MemoryRegion[] {
    const out: MemoryRegion[] = [];
    for (const vpn of [...this.pages.keys()].sort((a, b) => a - b)) {
      const prot = protOf(this.pages.get(vpn)!);
      const last = out[out.length - 1];
      if (last && last.prot === prot && (last.address + last.size) / PAGE_SIZE === vpn) last.size += PAGE_SIZE;
      else out.push({ address: vpn * PAGE_SIZE, size: PAGE_SIZE, prot });
    }
    return out;
  }

  /** Host offset of `address` whatever its permissions (the embedder's own reads and writes), or -1 when unmapped. */
  hostAddress(address: number): number {
    const e = this.pages.get(address >>> PAGE_SHIFT);
    return e === undefined ? -1 : (e & Tlb.FRAME) | (address & (PAGE_SIZE - 1));
  }

  translate(vaddr: number, access: Access, _user: boolean): number {
    const e = this.pages.get(vaddr >>> PAGE_SHIFT);
    const kind = access === Access.WRITE ? PF_WRITE : access === Access.EXEC ? PF_FETCH : 0;
    if (e === undefined) throw new CpuException(Vector.PF, PF_USER | kind, vaddr, 'unmapped');
    const needed = access === Access.WRITE ? Tlb.WRITE : access === Access.EXEC ? Tlb.EXEC : Tlb.READ;
    if (!(e & needed)) throw new CpuException(Vector.PF, PF_PRESENT | PF_USER | kind, vaddr, 'protection');
    return e;
  }

  private requireFree(first: number, count: number, what: string): void {
    for (let i = 0; i < count; i++) {
      if (this.pages.has((first + i) >>> 0)) throw new RangeError(`${what}: page 0x${hex((first + i) << PAGE_SHIFT)} is already mapped (unmap it first)`);
    }
  }

  private requireMapped(first: number, count: number, what: string): void {
    for (let i = 0; i < count; i++) {
      if (!this.pages.has((first + i) >>> 0)) throw new RangeError(`${what}: page 0x${hex((first + i) << PAGE_SHIFT)} is not mapped`);
    }
  }

  private release(vpn: number): void {
    const e = this.pages.get(vpn);
    if (e === undefined) return;
    this.pages.delete(vpn);
    this.mem.freeFrame(e & Tlb.FRAME);
  }
}

function tlbBits(prot: number): number {
  return (prot & Prot.READ ? Tlb.READ : 0) | (prot & Prot.WRITE ? Tlb.WRITE : 0) | (prot & Prot.EXEC ? Tlb.EXEC : 0) | Tlb.USER;
}

function protOf(e: number): number {
  return (e & Tlb.READ ? Prot.READ : 0) | (e & Tlb.WRITE ? Prot.WRITE : 0) | (e & Tlb.EXEC ? Prot.EXEC : 0);
}

/** First page and page count of [address, address + size), which must be page-aligned and within 4 GiB. */
function pageSpan(address: number, size: number, what: string): [number, number] {
  if (!Number.isInteger(address) || !Number.isInteger(size) || address < 0 || size <= 0 || address + size > 2 ** 32) {
    throw new RangeError(`${what}: [0x${hex(address)}, +0x${size.toString(16)}) is not a range of the 4 GiB address space`);
  }
  if (address % PAGE_SIZE || size % PAGE_SIZE) throw new RangeError(`${what}: address 0x${hex(address)} and size 0x${size.toString(16)} must be multiples of 4 KiB`);
  return [address / PAGE_SIZE, size / PAGE_SIZE];
}

function hex(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}
