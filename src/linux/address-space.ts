import { CpuException, Vector } from '../runtime/exceptions.js';
import { FRAMES_BASE, PAGE_SHIFT, PAGE_SIZE, Tlb } from '../runtime/layout.js';
import type { GuestMemory } from '../runtime/memory.js';
import { Access, type Mmu, type PageMapper } from '../runtime/mmu.js';
import { E } from './errno.js';

/**
 * The user-mode process address space: a sorted list of mappings, backed
 * lazily by 4 KiB frames from the VM's GuestMemory on first touch (so a
 * 200 MB mmap costs nothing until used).
 *
 * Layout (that of an i386 program on an x86-64 kernel with ASLR off, which
 * is what `setarch -R` shows for a 32-bit program on a 64-bit host):
 *   0x08048000          classic ET_EXEC text
 *   0x56555000          static-pie load base (ET_DYN_BASE)
 *   after the bss       [heap] (brk), growing up
 *   0xf7ffe000 ↓        mmap area, placed top-down (MMAP_BASE)
 *   0xffffe000          stack top; the 8 MiB [stack] mapping lies below it
 */

export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const PROT_EXEC = 4;
/** mprotect-only flags that extend the change to a growsdown/up mapping's end (accepted, ignored). */
export const PROT_GROWSDOWN = 0x01000000;
export const PROT_GROWSUP = 0x02000000;

export const MAP_SHARED = 0x01;
export const MAP_PRIVATE = 0x02;
export const MAP_SHARED_VALIDATE = 0x03;
export const MAP_TYPE = 0x0f;
export const MAP_FIXED = 0x10;
export const MAP_ANONYMOUS = 0x20;
export const MAP_GROWSDOWN = 0x100;
export const MAP_DENYWRITE = 0x800;
export const MAP_EXECUTABLE = 0x1000;
export const MAP_NORESERVE = 0x4000;
export const MAP_POPULATE = 0x8000;
export const MAP_STACK = 0x20000;
export const MAP_FIXED_NOREPLACE = 0x100000;

export const MREMAP_MAYMOVE = 1;
export const MREMAP_FIXED = 2;

/** Highest user address + 1 for a 32-bit process on a 64-bit kernel. */
export const TASK_SIZE = 0xffffe000;
export const STACK_TOP = 0xffffe000;
/** The stack mapping's size: RLIMIT_STACK's usual 8 MiB, reserved up front (backed lazily). */
export const STACK_SIZE = 8 << 20;
/** Top of the top-down mmap area: TASK_SIZE minus the kernel's minimum 128 MiB stack gap. */
export const MMAP_BASE = 0xf7ffe000;
/** vm.mmap_min_addr: nothing may be mapped below it. */
export const MMAP_MIN_ADDR = 0x10000;
/** Where a static-pie (ET_DYN without an interpreter) is loaded: the classic i386 Linux base. */
export const ET_DYN_BASE = 0x56555000;

/** sourceEnd of a mapping whose contents run to the end of its source (mmap of a file). */
const TO_SOURCE_END = Number.MAX_SAFE_INTEGER;

/** The detail text of the #PF of an access to a file mapping past the file's end (SIGBUS). */
export const BEYOND_FILE_END = 'beyond the end of the mapped file';

/** The detail text of the #PF thrown when the frame pool is exhausted on a fault. */
export const OUT_OF_MEMORY = 'out of guest memory';

/** Where a mapping's initial contents come from (an ELF image in memory, an open host file). */
export interface PageSource {
  /** Copies up to dst.length bytes at `offset` into dst; returns bytes copied (fewer at the end). */
  read(dst: Uint8Array, offset: number): number;
  /** The source's current length, for a file that can shrink or be shorter than its mapping. */
  size?(): number;
  /** Mappings hold a reference each (a split mapping holds two). */
  retain(): void;
  release(): void;
}

/** A PageSource over bytes already in host memory (the loaded ELF file). */
export class BytesSource implements PageSource {
  constructor(private readonly bytes: Uint8Array) {}
  read(dst: Uint8Array, offset: number): number {
    if (offset >= this.bytes.length) return 0;
    const chunk = this.bytes.subarray(offset, offset + dst.length);
    dst.set(chunk);
    return chunk.length;
  }
  retain(): void {}
  release(): void {}
}

export interface Mapping {
  /** Page-aligned unsigned bounds, end exclusive. */
  start: number;
  end: number;
  prot: number;
  flags: number;
  /** Path or pseudo name ('[heap]', '[stack]'), '' for anonymous memory. */
  name: string;
  source: PageSource | null;
  /** Offset in `source` of the byte at `start`. */
  sourceOffset: number;
  /** Source offset at which the initial contents stop (the rest reads as zero: bss, file end). */
  sourceEnd: number;
}

/** What the address space needs from the VM once it exists (a Machine satisfies it). */
export interface AddressSpaceHost {
  readonly mem: GuestMemory;
  readonly mmu: Mmu;
  flushCode(): void;
}

export interface MapRequest {
  prot: number;
  flags: number;
  name?: string;
  source?: PageSource | null;
  sourceOffset?: number;
  sourceEnd?: number;
}

const pageUp = (n: number): number => Math.ceil(n / PAGE_SIZE) * PAGE_SIZE;
const pageDown = (n: number): number => Math.floor(n / PAGE_SIZE) * PAGE_SIZE;
const hex8 = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');

export class AddressSpace implements PageMapper {
  /** Mappings sorted by start, never overlapping. */
  readonly maps: Mapping[] = [];
  /** Virtual page number → host offset of its frame, 0 while untouched. */
  private readonly pt = new Int32Array(1 << 20);
  private host: AddressSpaceHost | null = null;
  /** PT_GNU_STACK missing on an i386 binary: the kernel gives READ_IMPLIES_EXEC. */
  readImpliesExec = false;
  brkStart = 0;
  brk = 0;
  mmapBase = MMAP_BASE;

  /** Connects the VM whose frame pool backs this space (the Machine is built after its mapper). */
  attach(host: AddressSpaceHost): void {
    this.host = host;
  }

  private get vm(): AddressSpaceHost {
    if (!this.host) throw new Error('AddressSpace used before attach()');
    return this.host;
  }

  /**
   * Addresses below this are the VM's own (its state and TLB, below
   * FRAMES_BASE) when a linear memory backs the space (GuestMemory): no
   * mapping may start there. 0 with a pooled memory.
   */
  get reservedBelow(): number {
    return this.host?.mem.linear ? FRAMES_BASE : 0;
  }

  /** vm.mmap_min_addr, raised to reservedBelow. */
  get mmapMinAddr(): number {
    return Math.max(MMAP_MIN_ADDR, this.reservedBelow);
  }

  // ------------------------------------------------------------------ lookup

  /** Index of the first mapping whose end is above `addr`. */
  private indexAfter(addr: number): number {
    let lo = 0;
    let hi = this.maps.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.maps[mid].end <= addr) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The mapping containing `addr`, or null. */
  find(addr: number): Mapping | null {
    addr >>>= 0;
    const m = this.maps[this.indexAfter(addr)];
    return m && m.start <= addr ? m : null;
  }

  /** Whether no mapping overlaps [start, end). */
  isFree(start: number, end: number): boolean {
    const m = this.maps[this.indexAfter(start)];
    return !m || m.start >= end;
  }

  /** Whether [start, end) is covered by mappings with no hole. */
  isCovered(start: number, end: number): boolean {
    let at = start;
    for (let i = this.indexAfter(start); at < end; i++) {
      const m = this.maps[i];
      if (!m || m.start > at) return false;
      at = m.end;
    }
    return true;
  }

  // ------------------------------------------------------------------ PageMapper

  translate(vaddr: number, access: Access, user: boolean): number {
    const a = vaddr >>> 0;
    const m = this.find(a);
    if (!m) throw this.fault(a, access, user, false, 'unmapped');
    const prot = this.effectiveProt(m.prot);
    if (prot === 0) throw this.fault(a, access, user, false, 'PROT_NONE');
    if (access === Access.WRITE && !(prot & PROT_WRITE)) throw this.fault(a, access, user, true, 'read-only');
    if (access === Access.EXEC && !(prot & PROT_EXEC)) throw this.fault(a, access, user, true, 'not executable');
    const vpn = a >>> PAGE_SHIFT;
    const frame = this.pt[vpn] || this.populate(m, vpn, a, access, user);
    let e = frame | Tlb.READ | Tlb.USER;
    if (prot & PROT_WRITE) e |= Tlb.WRITE;
    if (prot & PROT_EXEC) e |= Tlb.EXEC;
    return e;
  }

  private effectiveProt(prot: number): number {
    return this.readImpliesExec && prot & PROT_READ ? prot | PROT_EXEC : prot;
  }

  /** A #PF with the hardware's error code: bit0 present, bit1 write, bit2 user, bit4 instruction fetch. */
  private fault(a: number, access: Access, user: boolean, present: boolean, why: string): CpuException {
    const code =
      (present ? 1 : 0) | (access === Access.WRITE ? 2 : 0) | (user ? 4 : 0) | (access === Access.EXEC ? 0x10 : 0);
    return new CpuException(Vector.PF, code, a | 0, why);
  }

  /** Backs page `vpn` of `m` with a fresh frame holding the mapping's initial contents. */
  private populate(m: Mapping, vpn: number, a: number, access: Access, user: boolean): number {
    const mem = this.vm.mem;
    const off = m.sourceOffset + (vpn * PAGE_SIZE - m.start);
    // A file mapping's pages wholly past the end of the file are SIGBUS (an ELF segment's bss is not: it has sourceEnd).
    if (m.source && m.sourceEnd === TO_SOURCE_END && m.source.size !== undefined && off >= m.source.size()) {
      throw this.fault(a, access, user, false, BEYOND_FILE_END);
    }
    const frame = mem.frameForPage(vpn << PAGE_SHIFT);
    if (frame < 0) throw this.fault(a, access, user, false, OUT_OF_MEMORY);
    if (m.source) {
      const n = Math.min(PAGE_SIZE, m.sourceEnd - off);
      if (n > 0) m.source.read(mem.u8.subarray(frame, frame + n), off);
    }
    this.pt[vpn] = frame;
    return frame;
  }

  /** Host offset of the frame backing `addr`, or 0 while untouched. */
  frameAt(addr: number): number {
    return this.pt[(addr >>> 0) >>> PAGE_SHIFT];
  }

  // ------------------------------------------------------------------ editing the list

  /** Splits the mapping that strictly contains `addr` in two, so `addr` becomes a boundary. */
  private splitAt(addr: number): void {
    const i = this.indexAfter(addr);
    const m = this.maps[i];
    if (!m || m.start >= addr) return;
    const tail: Mapping = { ...m, start: addr, sourceOffset: m.sourceOffset + (addr - m.start) };
    m.end = addr;
    tail.source?.retain();
    this.maps.splice(i + 1, 0, tail);
  }

  /** Merges neighbours that differ only by their bounds, so mprotect/brk churn keeps the list short. */
  private coalesce(): void {
    const maps = this.maps;
    for (let i = maps.length - 1; i > 0; i--) {
      const a = maps[i - 1];
      const b = maps[i];
      if (
        a.end === b.start &&
        a.prot === b.prot &&
        a.flags === b.flags &&
        a.name === b.name &&
        a.source === b.source &&
        (a.source === null || (a.sourceOffset + (a.end - a.start) === b.sourceOffset && a.sourceEnd === b.sourceEnd))
      ) {
        a.end = b.end;
        b.source?.release();
        maps.splice(i, 1);
      }
    }
  }

  private insert(m: Mapping): void {
    this.maps.splice(this.indexAfter(m.start), 0, m);
    this.coalesce();
  }

  /**
   * Frees the frames backing [start, end) (pages refault from the mapping's
   * source or as zeros). Drops stale TLB entries, and decoded code if any
   * frame held some.
   */
  private releaseFrames(start: number, end: number): void {
    const host = this.host;
    let code = false;
    for (let vpn = start >>> PAGE_SHIFT; vpn < end / PAGE_SIZE; vpn++) {
      const f = this.pt[vpn];
      if (!f) continue;
      this.pt[vpn] = 0;
      if (host) {
        if (host.mmu.isCodeFrame(f)) {
          host.mmu.clearCode(f);
          code = true;
        }
        host.mem.freeFrame(f);
      }
    }
    if (host) {
      host.mmu.flushRange(start | 0, end - start);
      if (code) host.flushCode();
    }
  }

  /** Removes every mapping in [start, end), splitting those that straddle its bounds. */
  private removeRange(start: number, end: number): void {
    this.splitAt(start);
    this.splitAt(end);
    const first = this.indexAfter(start);
    let last = first;
    while (last < this.maps.length && this.maps[last].start < end) last++;
    for (const m of this.maps.splice(first, last - first)) {
      this.releaseFrames(m.start, m.end);
      m.source?.release();
    }
  }

  /**
   * Maps [start, start+length) exactly, replacing whatever was there (the
   * loader's and MAP_FIXED's primitive). `start` page-aligned; the source,
   * if any, gains a reference.
   */
  mapFixed(start: number, length: number, req: MapRequest): void {
    start >>>= 0;
    const end = start + pageUp(length);
    this.removeRange(start, end);
    const source = req.source ?? null;
    source?.retain();
    this.insert({
      start,
      end,
      prot: req.prot & 7,
      // Only what tells mappings apart is kept, so neighbours made by MAP_FIXED etc. merge like the kernel's VMAs.
      flags: req.flags & (MAP_TYPE | MAP_ANONYMOUS | MAP_GROWSDOWN),
      name: req.name ?? '',
      source,
      sourceOffset: req.sourceOffset ?? 0,
      sourceEnd: source ? (req.sourceEnd ?? TO_SOURCE_END) : 0,
    });
  }

  // ------------------------------------------------------------------ placement

  /** Highest free, page-aligned range of `length` bytes ending at or below `below`, or -1. */
  findFreeTopDown(length: number, below = this.mmapBase): number {
    let gapEnd = below;
    for (let i = this.maps.length - 1; i >= 0; i--) {
      const m = this.maps[i];
      if (m.start >= gapEnd) continue;
      if (m.end <= gapEnd && gapEnd - m.end >= length) return gapEnd - length;
      gapEnd = m.start;
    }
    return gapEnd - this.mmapMinAddr >= length ? gapEnd - length : -1;
  }

  /** Lowest free range of `length` bytes at or above `from` (the kernel's fallback above mmap_base), or -1. */
  findFreeBottomUp(length: number, from: number): number {
    let at = from;
    for (let i = this.indexAfter(from); i <= this.maps.length; i++) {
      const m = this.maps[i];
      const gapEnd = m ? m.start : TASK_SIZE;
      if (gapEnd >= at && gapEnd - at >= length) return at;
      if (!m) break;
      at = Math.max(at, m.end);
    }
    return -1;
  }

  private findFree(length: number): number {
    const a = this.findFreeTopDown(length);
    return a >= 0 ? a : this.findFreeBottomUp(length, this.mmapBase);
  }

  /** The kernel's heuristic overcommit: one request larger than all of guest RAM fails up front. */
  private tooBig(length: number): boolean {
    return this.host !== null && length > this.host.mem.poolBytes;
  }

  // ------------------------------------------------------------------ system calls

  /** mmap: returns the address or -errno. `flags` are the guest's MAP_* bits. */
  mmap(addr: number, length: number, req: MapRequest): number {
    addr >>>= 0;
    length >>>= 0;
    if (length === 0) return -E.EINVAL;
    const len = pageUp(length);
    if (len > TASK_SIZE || this.tooBig(len)) return -E.ENOMEM;
    const flags = req.flags;
    if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
      if (addr & (PAGE_SIZE - 1)) return -E.EINVAL;
      if (addr + len > TASK_SIZE) return -E.ENOMEM;
      if (addr < this.mmapMinAddr) return -E.EPERM;
      if (!(flags & MAP_FIXED) && !this.isFree(addr, addr + len)) return -E.EEXIST;
      this.mapFixed(addr, len, req);
      return addr;
    }
    let at = pageDown(addr);
    if (!(at >= this.mmapMinAddr && at + len <= TASK_SIZE && this.isFree(at, at + len))) at = this.findFree(len);
    if (at < 0) return -E.ENOMEM;
    this.mapFixed(at, len, req);
    return at;
  }

  munmap(addr: number, length: number): number {
    addr >>>= 0;
    length >>>= 0;
    if (addr & (PAGE_SIZE - 1) || length === 0) return -E.EINVAL;
    const end = addr + pageUp(length);
    if (end > TASK_SIZE) return -E.EINVAL;
    this.removeRange(addr, end);
    return 0;
  }

  mprotect(addr: number, length: number, prot: number): number {
    addr >>>= 0;
    length >>>= 0;
    if (addr & (PAGE_SIZE - 1)) return -E.EINVAL;
    if (prot & ~(7 | PROT_GROWSDOWN | PROT_GROWSUP)) return -E.EINVAL;
    const end = addr + pageUp(length);
    if (end > TASK_SIZE) return -E.ENOMEM;
    if (end === addr) return 0;
    if (!this.isCovered(addr, end)) return -E.ENOMEM;
    this.splitAt(addr);
    this.splitAt(end);
    let dropExec = false;
    for (let i = this.indexAfter(addr); i < this.maps.length && this.maps[i].start < end; i++) {
      const m = this.maps[i];
      if (this.effectiveProt(m.prot) & PROT_EXEC && !(this.effectiveProt(prot & 7) & PROT_EXEC)) dropExec = true;
      m.prot = prot & 7;
    }
    this.coalesce();
    const host = this.host;
    if (host) {
      host.mmu.flushRange(addr | 0, end - addr);
      // Code decoded from pages that are no longer executable must not keep running.
      if (dropExec && this.hasCode(addr, end)) host.flushCode();
    }
    return 0;
  }

  private hasCode(start: number, end: number): boolean {
    const mmu = this.host?.mmu;
    if (!mmu) return false;
    for (let vpn = start >>> PAGE_SHIFT; vpn < end / PAGE_SIZE; vpn++) {
      if (this.pt[vpn] && mmu.isCodeFrame(this.pt[vpn])) return true;
    }
    return false;
  }

  /** mremap: shrink, grow in place, or move (frames move; a linear memory's pages are copied). Returns the address or -errno. */
  mremap(oldAddr: number, oldLength: number, newLength: number, flags: number, newAddr: number): number {
    oldAddr >>>= 0;
    newAddr >>>= 0;
    if (oldAddr & (PAGE_SIZE - 1) || flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED)) return -E.EINVAL;
    if (flags & MREMAP_FIXED && !(flags & MREMAP_MAYMOVE)) return -E.EINVAL;
    const oldLen = pageUp(oldLength >>> 0);
    const newLen = pageUp(newLength >>> 0);
    if (newLen === 0 || oldLen === 0) return -E.EINVAL; // old_len 0 only duplicates shared mappings
    const m = this.find(oldAddr);
    if (!m || oldAddr + oldLen > m.end) return -E.EFAULT;
    if (flags & MREMAP_FIXED) {
      if (newAddr & (PAGE_SIZE - 1)) return -E.EINVAL;
      if (newAddr < this.mmapMinAddr || newAddr + newLen > TASK_SIZE) return -E.EINVAL;
      if (newAddr < oldAddr + oldLen && oldAddr < newAddr + newLen) return -E.EINVAL;
      if (this.tooBig(newLen)) return -E.ENOMEM;
      this.removeRange(newAddr, newAddr + newLen);
      this.move(oldAddr, oldLen, newAddr, newLen);
      return newAddr;
    }
    if (newLen <= oldLen) {
      if (newLen < oldLen) this.removeRange(oldAddr + newLen, oldAddr + oldLen);
      return oldAddr;
    }
    if (this.tooBig(newLen)) return -E.ENOMEM;
    const growEnd = oldAddr + newLen;
    if (oldAddr + oldLen === m.end && growEnd <= TASK_SIZE && this.isFree(m.end, growEnd)) {
      m.end = growEnd;
      this.coalesce();
      return oldAddr;
    }
    if (!(flags & MREMAP_MAYMOVE)) return -E.ENOMEM;
    const dest = this.findFree(newLen);
    if (dest < 0) return -E.ENOMEM;
    this.move(oldAddr, oldLen, dest, newLen);
    return dest;
  }

  /** Moves the mapped range [old, old+oldLen) to `dest` (free), resized to newLen; frames (or a linear memory's bytes) move with it. */
  private move(old: number, oldLen: number, dest: number, newLen: number): void {
    this.splitAt(old);
    this.splitAt(old + oldLen);
    const i = this.indexAfter(old);
    const [p] = this.maps.splice(i, 1);
    const keep = Math.min(oldLen, newLen) / PAGE_SIZE;
    const host = this.host;
    let code = false;
    for (let k = 0; k < oldLen / PAGE_SIZE; k++) {
      const from = (old >>> PAGE_SHIFT) + k;
      const f = this.pt[from];
      if (!f) continue;
      this.pt[from] = 0;
      if (host?.mmu.isCodeFrame(f)) code = true;
      if (k < keep) this.pt[(dest >>> PAGE_SHIFT) + k] = host?.mem.linear ? this.copyToLinear(f, dest + k * PAGE_SIZE) : f;
      else if (host) {
        host.mmu.clearCode(f);
        host.mem.freeFrame(f);
      }
    }
    this.insert({ ...p, start: dest, end: dest + newLen });
    if (host) {
      host.mmu.flushRange(old | 0, oldLen);
      host.mmu.flushRange(dest | 0, newLen);
      // Decoded blocks remember linear addresses: code that moved must be decoded again.
      if (code) host.flushCode();
    }
  }

  /**
   * A linear memory's frames cannot move (page P lives at P): the page's
   * bytes go to the frame of `page`, and frame `f` is freed.
   */
  private copyToLinear(f: number, page: number): number {
    const { mem, mmu } = this.vm;
    mem.u8.copyWithin(page >>> 0, f >>> 0, (f >>> 0) + PAGE_SIZE);
    mmu.clearCode(f);
    mem.freeFrame(f);
    // One frame freed, one taken: this cannot hit the cap.
    return mem.linearFrame(page);
  }

  /** madvise(MADV_DONTNEED): private pages read back as their initial contents (zero for anonymous). */
  discard(addr: number, length: number): number {
    addr >>>= 0;
    if (addr & (PAGE_SIZE - 1)) return -E.EINVAL;
    const end = addr + pageUp(length >>> 0);
    if (end > TASK_SIZE) return -E.EINVAL;
    if (!this.isCovered(addr, end)) return -E.ENOMEM;
    this.releaseFrames(addr, end);
    return 0;
  }

  /** Sets the program break (brk(2)): returns the new break, or the old one when it cannot move. */
  setBrk(newBrk: number): number {
    newBrk >>>= 0;
    if (newBrk < this.brkStart) return this.brk;
    const oldEnd = pageUp(this.brk);
    const newEnd = pageUp(newBrk);
    if (newEnd > oldEnd) {
      if (newEnd > this.mmapBase || !this.isFree(oldEnd, newEnd) || this.tooBig(newEnd - this.brkStart)) return this.brk;
      this.mapFixed(oldEnd, newEnd - oldEnd, {
        prot: PROT_READ | PROT_WRITE,
        flags: MAP_PRIVATE | MAP_ANONYMOUS,
        name: '[heap]',
      });
    } else if (newEnd < oldEnd) {
      this.removeRange(newEnd, oldEnd);
    }
    this.brk = newBrk;
    return newBrk;
  }

  /** Sets where brk starts (page-aligned end of the loaded image). */
  initBrk(at: number): void {
    this.brkStart = this.brk = pageUp(at >>> 0);
  }

  // ------------------------------------------------------------------ introspection

  /** /proc/self/maps text. */
  describe(): string {
    return this.maps
      .map((m) => {
        const p = this.effectiveProt(m.prot);
        const perms =
          (p & PROT_READ ? 'r' : '-') +
          (p & PROT_WRITE ? 'w' : '-') +
          (p & PROT_EXEC ? 'x' : '-') +
          ((m.flags & MAP_TYPE) === MAP_SHARED ? 's' : 'p');
        const off = m.source ? m.sourceOffset : 0;
        const head = `${hex8(m.start)}-${hex8(m.end)} ${perms} ${hex8(off)} 00:00 0`;
        // The kernel pads the name column to 25 + 6 * sizeof(void *) - 1 characters.
        return m.name ? `${head.padEnd(48)} ${m.name}\n` : `${head}\n`;
      })
      .join('');
  }

  /** Bytes of address space mapped. */
  get mappedBytes(): number {
    return this.maps.reduce((n, m) => n + (m.end - m.start), 0);
  }

  /** Frees every frame and drops every mapping (process exit). */
  dispose(): void {
    this.removeRange(0, TASK_SIZE);
  }

  /**
   * fork: this (empty, attached) space becomes a copy of `parent`: the same
   * mappings, and a private copy of every page the parent has touched.
   * MAP_SHARED mappings are copied too: the two processes live in separate
   * memories, so their shared pages are not shared after a fork.
   */
  copyFrom(parent: AddressSpace): void {
    const mem = this.vm.mem;
    const from = parent.vm.mem;
    for (const m of parent.maps) {
      m.source?.retain();
      this.maps.push({ ...m });
      for (let vpn = m.start >>> PAGE_SHIFT; vpn < m.end >>> PAGE_SHIFT; vpn++) {
        const src = parent.pt[vpn];
        if (src === 0) continue;
        const frame = mem.frameForPage(vpn << PAGE_SHIFT);
        if (frame < 0) throw new RangeError('fork: out of guest memory for the child');
        mem.u8.set(from.u8.subarray(src >>> 0, (src >>> 0) + PAGE_SIZE), frame);
        this.pt[vpn] = frame;
      }
    }
    this.readImpliesExec = parent.readImpliesExec;
    this.brkStart = parent.brkStart;
    this.brk = parent.brk;
    this.mmapBase = parent.mmapBase;
  }
}
