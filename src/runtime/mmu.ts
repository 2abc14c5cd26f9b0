import { CpuException, Vector } from './exceptions.js';
import { GuestMemory } from './memory.js';
import { PAGE_MASK, PAGE_SHIFT, PAGE_SIZE, TAG_VALID, Tlb } from './layout.js';

export const enum Access {
  READ = 0,
  WRITE = 1,
  EXEC = 2,
}

/**
 * Where translations come from on a soft-TLB miss: the user-mode address
 * space (a list of mappings) or, in system mode, the guest's page tables.
 * Returns a TLB entry (frame host offset | Tlb bits) for the page holding
 * `vaddr`, or throws a CpuException (#PF) when the access is not allowed.
 */
export interface PageMapper {
  translate(vaddr: number, access: Access, user: boolean): number;
}

/** Told when a write hits a frame that holds decoded or translated code. */
export interface CodeWriteListener {
  /**
   * [host, host+size) of `frame` is about to be written. Returns whether the
   * frame still holds code afterwards (then writes keep coming to the slow path).
   */
  onCodeWrite(frame: number, host: number, size: number): boolean;
}

/**
 * Told of a guest write before it happens (lockstep checking): linear address,
 * host offset and byte count, all within one page.
 */
export type WriteWatch = (linear: number, host: number, size: number) => void;

/**
 * Told of a data access to a watched page before it happens: linear
 * address, READ or WRITE, host offset, and for a single 1-, 2- or 4-byte
 * write its size and value (size 0 when the value is not known here).
 */
export type AccessWatch = (linear: number, access: Access, host: number, size: number, value: number) => void;

/**
 * The one way guest memory is accessed: linear address → host offset via
 * the soft-TLB, with a slow path to the PageMapper. Self-modifying code is
 * caught here: frames holding code are cached without the WRITE bit, so
 * writes to them come to the slow path, which tells the CodeWriteListener.
 */
export class Mmu {
  readonly u8: Uint8Array;
  readonly u16: Uint16Array;
  readonly i32: Int32Array;
  readonly dv: DataView;
  readonly tlb: Int32Array;
  private readonly readTags: Int32Array;
  private readonly writeTags: Int32Array;
  private readonly addends: Int32Array;
  /** 1 per host frame that holds code (indexed by host offset >>> 12). */
  readonly codeFrames: Uint8Array;
  /** Virtual page numbers with a live TLB entry but for global pages', for cheap flushes (some may have gone since). */
  private valid: number[] = [];
  /** Virtual page numbers with a live global entry (Tlb.GLOBAL), each once: globalListed marks them. */
  private globals: number[] = [];
  private globalListed: Uint8Array | null = null;
  /** Virtual pages first cached by an access at CPL 0-2 since the last full flush or return to CPL 3 (enterUserMode). */
  private supervisorFilled: number[] = [];
  mapper: PageMapper;
  codeListener: CodeWriteListener | null = null;
  /** Current privilege is user (CPL 3); user mode Linux always is. */
  user = true;
  /**
   * Lockstep checking only (src/translator/lockstep.ts), null otherwise. While
   * set, TLB entries are cached without Tlb.WRITE, so every guest write, from
   * the interpreter or from translated code (whose inline store tests the
   * same bit), takes the slow path, which calls this before the write. The
   * fast paths never look at it. Set through watchWrites().
   */
  private writeWatch: WriteWatch | null = null;

  /**
   * An embedder's memory hooks (null: none). Pages marked in `watchedPages`
   * are cached without READ and WRITE, so every data access to them, from
   * the interpreter or from translated code, takes the slow path, which
   * calls this once the access is allowed (before it happens). Set through
   * watchAccesses().
   */
  private accessWatch: AccessWatch | null = null;
  private watchedPages: Uint8Array | null = null;

  constructor(readonly mem: GuestMemory, mapper: PageMapper) {
    this.u8 = mem.u8;
    this.u16 = mem.u16;
    this.i32 = mem.i32;
    this.dv = mem.dv;
    this.tlb = mem.tlb;
    this.readTags = mem.readTags;
    this.writeTags = mem.writeTags;
    this.addends = mem.addends;
    this.codeFrames = new Uint8Array(mem.u8.length / PAGE_SIZE);
    this.mapper = mapper;
  }

  // ---------------------------------------------------------------- fast paths

  read8(a: number): number {
    const e = this.tlb[a >>> 12];
    if (e & Tlb.READ) return this.u8[((e & Tlb.FRAME) | (a & PAGE_MASK)) >>> 0];
    return this.u8[this.slow(a, Access.READ, 1)];
  }

  read16(a: number): number {
    const e = this.tlb[a >>> 12];
    if (e & Tlb.READ && (a & PAGE_MASK) !== PAGE_MASK) {
      const h = ((e & Tlb.FRAME) | (a & PAGE_MASK)) >>> 0;
      return a & 1 ? this.dv.getUint16(h, true) : this.u16[h >>> 1];
    }
    return this.read16Slow(a);
  }

  /** Returns the dword as a signed 32-bit integer. */
  read32(a: number): number {
    const e = this.tlb[a >>> 12];
    if (e & Tlb.READ && (a & PAGE_MASK) <= PAGE_SIZE - 4) {
      const h = ((e & Tlb.FRAME) | (a & PAGE_MASK)) >>> 0;
      return a & 3 ? this.dv.getInt32(h, true) : this.i32[h >>> 2];
    }
    return this.read32Slow(a);
  }

  write8(a: number, v: number): void {
    const e = this.tlb[a >>> 12];
    if (e & Tlb.WRITE) {
      this.u8[((e & Tlb.FRAME) | (a & PAGE_MASK)) >>> 0] = v;
      return;
    }
    this.u8[this.slow(a, Access.WRITE, 1, v & 0xff)] = v;
  }

  write16(a: number, v: number): void {
    const e = this.tlb[a >>> 12];
    if (e & Tlb.WRITE && (a & PAGE_MASK) !== PAGE_MASK) {
      const h = ((e & Tlb.FRAME) | (a & PAGE_MASK)) >>> 0;
      if (a & 1) this.dv.setUint16(h, v, true);
      else this.u16[h >>> 1] = v;
      return;
    }
    this.write16Slow(a, v);
  }

  write32(a: number, v: number): void {
    const e = this.tlb[a >>> 12];
    if (e & Tlb.WRITE && (a & PAGE_MASK) <= PAGE_SIZE - 4) {
      const h = ((e & Tlb.FRAME) | (a & PAGE_MASK)) >>> 0;
      if (a & 3) this.dv.setInt32(h, v, true);
      else this.i32[h >>> 2] = v;
      return;
    }
    this.write32Slow(a, v);
  }

  /**
   * Faults now if [a, a+size) cannot be written, before an instruction changes
   * anything (read-modify-write, multi-part stores): exceptions stay precise.
   */
  probeWrite(a: number, size: number): void {
    if (!(this.tlb[a >>> 12] & Tlb.WRITE)) this.slow(a, Access.WRITE, size);
    const last = (a + size - 1) | 0;
    if (last >>> 12 !== a >>> 12 && !(this.tlb[last >>> 12] & Tlb.WRITE)) this.slow(last, Access.WRITE, size);
  }

  /** Sized access: size in bytes 1, 2 or 4. */
  read(a: number, size: number): number {
    return size === 4 ? this.read32(a) : size === 2 ? this.read16(a) : this.read8(a);
  }

  write(a: number, size: number, v: number): void {
    if (size === 4) this.write32(a, v);
    else if (size === 2) this.write16(a, v);
    else this.write8(a, v);
  }

  // ---------------------------------------------------------------- slow paths

  private read16Slow(a: number): number {
    if ((a & PAGE_MASK) !== PAGE_MASK) return this.dv.getUint16(this.slow(a, Access.READ, 2), true);
    return this.read8(a) | (this.read8((a + 1) | 0) << 8);
  }

  private read32Slow(a: number): number {
    if ((a & PAGE_MASK) <= PAGE_SIZE - 4) return this.dv.getInt32(this.slow(a, Access.READ, 4), true);
    // Crossing a page: both pages must be readable before any byte is returned.
    this.slow((a + 3) | 0, Access.READ);
    return this.read8(a) | (this.read8((a + 1) | 0) << 8) | (this.read8((a + 2) | 0) << 16) | (this.read8((a + 3) | 0) << 24);
  }

  private write16Slow(a: number, v: number): void {
    if ((a & PAGE_MASK) !== PAGE_MASK) {
      this.dv.setUint16(this.slow(a, Access.WRITE, 2, v & 0xffff), v, true);
      return;
    }
    this.slow(a, Access.WRITE, 1);
    this.slow((a + 1) | 0, Access.WRITE, 1);
    this.write8(a, v);
    this.write8((a + 1) | 0, v >>> 8);
  }

  private write32Slow(a: number, v: number): void {
    if ((a & PAGE_MASK) <= PAGE_SIZE - 4) {
      this.dv.setInt32(this.slow(a, Access.WRITE, 4, v >>> 0), v, true);
      return;
    }
    // Crossing a page: check both pages first so a fault leaves memory untouched.
    this.slow(a, Access.WRITE, PAGE_SIZE - (a & PAGE_MASK));
    this.slow((a + 3) | 0, Access.WRITE, 4);
    for (let i = 0; i < 4; i++) this.write8((a + i) | 0, v >>> (8 * i));
  }

  /**
   * Translates on a TLB miss or a permission the cached entry lacks; returns
   * the host offset of `a`. `size` is how many bytes a write will touch (for
   * self-modifying-code checks; the default assumes the rest of the page);
   * `value`, what a 1-, 2- or 4-byte write stores, for the access watch.
   */
  slow(a: number, access: Access, size = PAGE_SIZE - (a & PAGE_MASK), value?: number): number {
    const vpn = a >>> PAGE_SHIFT;
    let e = this.tlb[vpn];
    if (
      e === 0 ||
      (access === Access.WRITE && !(e & (Tlb.WRITE | Tlb.CODE))) ||
      (access === Access.EXEC && !(e & Tlb.EXEC)) ||
      (access === Access.READ && !(e & Tlb.READ))
    ) {
      e = this.mapper.translate(a, access, this.user);
      if (e & Tlb.WRITE && this.codeFrames[(e & Tlb.FRAME) >>> PAGE_SHIFT]) e = (e & ~Tlb.WRITE) | Tlb.CODE;
      if (this.tlb[vpn] === 0) {
        if (e & Tlb.GLOBAL) this.listGlobal(vpn);
        else this.valid.push(vpn);
        if (!this.user) this.supervisorFilled.push(vpn);
      }
      // Watched writes: cache the entry without WRITE (the next write comes back here and translates again).
      let cached = this.writeWatch === null ? e : e & ~Tlb.WRITE;
      if (this.watchedPages !== null && this.watchedPages[vpn]) cached &= ~(Tlb.READ | Tlb.WRITE);
      this.setEntry(vpn, cached);
    }
    const host = ((e & Tlb.FRAME) | (a & PAGE_MASK)) >>> 0;
    if (access === Access.WRITE && !(e & Tlb.WRITE)) {
      if (!(e & Tlb.CODE)) throw new CpuException(Vector.PF, 7, a, 'write to read-only page');
      const stillCode = this.codeListener?.onCodeWrite(e & Tlb.FRAME, host, size) ?? false;
      if (!stillCode) {
        this.codeFrames[(e & Tlb.FRAME) >>> PAGE_SHIFT] = 0;
        this.setEntry(vpn, this.writeWatch === null ? (e & ~Tlb.CODE) | Tlb.WRITE : e & ~Tlb.CODE);
      }
    }
    if (access === Access.WRITE && this.writeWatch !== null) this.writeWatch(a, host, Math.min(size, PAGE_SIZE - (a & PAGE_MASK)));
    if (this.accessWatch !== null && access !== Access.EXEC && this.watchedPages![vpn]) this.reportAccess(a, access, host, size, value);
    return host;
  }

  /**
   * Lockstep checking: calls `watch` before every guest write from now on
   * (null: stops). Drops the TLB, whose entries may carry WRITE (or lack it).
   */
  watchWrites(watch: WriteWatch | null): void {
    this.writeWatch = watch;
    this.flush();
  }

  /** Whether virtual page `vpn` is cached as a global page (Tlb.GLOBAL). */
  globalPage(vpn: number): boolean {
    return (this.tlb[vpn] & Tlb.GLOBAL) !== 0;
  }

  /** An embedder watches data accesses of some pages (watchAccesses): every access must come through here. */
  get watchingAccesses(): boolean {
    return this.accessWatch !== null;
  }

  /**
   * Calls `watch` before every data read and write of the pages `pages`
   * marks (one byte per 4 KiB page of the 4 GiB space); null stops. Drops
   * the TLB, whose entries may carry READ and WRITE for them.
   */
  watchAccesses(watch: AccessWatch | null, pages: Uint8Array | null = null): void {
    this.accessWatch = watch;
    this.watchedPages = watch === null ? null : pages;
    this.flush();
  }

  /**
   * Shows an access of a watched page to the watch: a write of 1, 2 or 4
   * bytes with the value it stores, a read of 1, 2 or 4 bytes with the value
   * it is about to read (single-threaded: what memory holds now). Probes (a
   * write's permission check before a wider store, which then comes as
   * 4-byte pieces) and host-side copies (readBytes, writeBytes) are not
   * guest accesses of a known size and are not shown.
   */
  private reportAccess(a: number, access: Access, host: number, size: number, value: number | undefined): void {
    if (access === Access.WRITE) {
      if (value !== undefined) this.accessWatch!(a, access, host, size, value);
      return;
    }
    if (size === 1) this.accessWatch!(a, access, host, 1, this.u8[host]);
    else if (size === 2) this.accessWatch!(a, access, host, 2, this.dv.getUint16(host, true));
    else if (size === 4) this.accessWatch!(a, access, host, 4, this.dv.getUint32(host, true));
  }

  /** Whether linear page `vpn` has an access watch (its accesses go one by one, with their values). */
  watched(vpn: number): boolean {
    return this.watchedPages !== null && this.watchedPages[vpn] === 1;
  }

  /** Host offset of an instruction fetch at linear address `a` (checks execute permission). */
  fetchAddress(a: number): number {
    return this.slow(a, Access.EXEC);
  }

  /** Marks the frame at host offset `frame` as holding code: writes to it will come to the slow path. */
  markCode(frameHost: number): void {
    const f = frameHost >>> PAGE_SHIFT;
    if (this.codeFrames[f]) return;
    this.codeFrames[f] = 1;
    // Every virtual page mapping this frame must lose its WRITE bit; aliases are
    // rare, so a full flush is cheaper than a reverse map.
    this.flush();
  }

  isCodeFrame(frameHost: number): boolean {
    return this.codeFrames[frameHost >>> PAGE_SHIFT] === 1;
  }

  clearCode(frameHost: number): void {
    this.codeFrames[frameHost >>> PAGE_SHIFT] = 0;
  }

  flush(): void {
    for (const vpn of this.valid) this.setEntry(vpn, 0);
    this.valid = [];
    for (const vpn of this.globals) {
      this.setEntry(vpn, 0);
      this.globalListed![vpn] = 0;
    }
    this.globals = [];
    this.supervisorFilled = [];
  }

  private listGlobal(vpn: number): void {
    const listed = (this.globalListed ??= new Uint8Array(1 << 20));
    if (listed[vpn]) return;
    listed[vpn] = 1;
    this.globals.push(vpn);
  }

  /**
   * MOV CR3: every entry goes but those of global pages (Tlb.GLOBAL), which
   * the OS maps alike in every address space and invalidates with INVLPG
   * when it changes one (SDM vol. 3 §4.10.4.1). Debian's kernel switches
   * CR3 about 16,000 times on its way to the marker (text_poke's temporary
   * address space, then process switches); dropping its own pages each time sent 216 K loads and
   * stores of translated code back to the interpreter (49 K now).
   */
  flushNonGlobal(): void {
    // A page listed here may hold a global entry by now (INVLPG dropped it, a fill brought it back): it stays.
    for (const vpn of this.valid) if (!(this.tlb[vpn] & Tlb.GLOBAL)) this.setEntry(vpn, 0);
    this.valid = [];
    // supervisorFilled keeps its pages: the global ones among them are still cached for enterUserMode to drop.
  }

  /**
   * The CPU returns to CPL 3 (system mode). The TLB keeps no privilege, so
   * entries the supervisor cached must not serve user accesses where they
   * say more than a user may do: pages without U/S, and (with CR0.WP clear,
   * when the supervisor may write read-only pages) any page. With
   * `writeProtect` (CR0.WP set, as Linux runs), an entry for a user page
   * grants the supervisor exactly what it grants a user, so only the
   * supervisor-only pages it cached go; the user's own pages stay cached
   * across system calls and interrupts.
   */
  enterUserMode(writeProtect: boolean): void {
    if (!writeProtect) {
      this.flush();
    } else {
      for (const vpn of this.supervisorFilled) if (!(this.tlb[vpn] & Tlb.USER)) this.setEntry(vpn, 0);
      this.supervisorFilled = [];
    }
    this.user = true;
  }

  /** Caches entry `e` (0: none) for virtual page `vpn`, in both TLB forms. */
  private setEntry(vpn: number, e: number): void {
    this.tlb[vpn] = e;
    const addend = ((e & Tlb.FRAME) - (vpn << PAGE_SHIFT)) | 0;
    // Translated code for a linear memory goes to the address itself once a tag matches: a page anywhere
    // else (none should be) gets no tags, so it takes the slow path.
    const tag = this.mem.linear && addend !== 0 ? 0 : (vpn << PAGE_SHIFT) | TAG_VALID;
    this.readTags[vpn] = e & Tlb.READ ? tag : 0;
    this.writeTags[vpn] = e & Tlb.WRITE ? tag : 0;
    this.addends[vpn] = addend;
  }

  /** Drops cached translations for [start, start+length). */
  flushRange(start: number, length: number): void {
    if (length >= 64 * PAGE_SIZE) {
      this.flush();
      return;
    }
    const first = start >>> PAGE_SHIFT;
    const last = ((start + length - 1) >>> PAGE_SHIFT) & 0xfffff;
    for (let p = first; ; p = (p + 1) & 0xfffff) {
      this.setEntry(p, 0);
      if (p === last) break;
    }
  }

  // ---------------------------------------------------------------- bulk helpers (loaders, syscalls)

  /** Copies guest memory out; faults (#PF) like a guest access would. */
  readBytes(a: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const addr = (a + done) | 0;
      const h = this.slow(addr, Access.READ);
      const n = Math.min(length - done, PAGE_SIZE - (addr & PAGE_MASK));
      out.set(this.u8.subarray(h, h + n), done);
      done += n;
    }
    return out;
  }

  /** Copies into guest memory; honours write protection unless `force` (loaders writing read-only segments). */
  writeBytes(a: number, data: Uint8Array, force = false): void {
    let done = 0;
    while (done < data.length) {
      const addr = (a + done) | 0;
      const n = Math.min(data.length - done, PAGE_SIZE - (addr & PAGE_MASK));
      const h = force ? this.hostAddressForLoad(addr, n) : this.slow(addr, Access.WRITE, n);
      this.u8.set(data.subarray(done, done + n), h);
      done += n;
    }
  }

  /** Reads a NUL-terminated string (at most `max` bytes) as latin1/bytes. */
  readCString(a: number, max = 65536): Uint8Array {
    const bytes: number[] = [];
    for (let i = 0; i < max; i++) {
      const b = this.read8((a + i) | 0);
      if (b === 0) break;
      bytes.push(b);
    }
    return Uint8Array.from(bytes);
  }

  /** Up to `n` bytes at `a`, fewer where memory ends or faults (for diagnostics and emulation of faulting instructions). */
  readUpTo(a: number, n: number): Uint8Array {
    const out: number[] = [];
    try {
      for (let i = 0; i < n; i++) out.push(this.read8((a + i) | 0));
    } catch (e) {
      if (!(e instanceof CpuException)) throw e;
    }
    return Uint8Array.from(out);
  }

  private hostAddressForLoad(a: number, size: number): number {
    const e = this.mapper.translate(a, Access.READ, false);
    const host = ((e & Tlb.FRAME) | (a & PAGE_MASK)) >>> 0;
    this.hostWrite(host, size);
    return host;
  }

  /**
   * [host, host + size), within one frame, is about to be written other than
   * by a guest access (a loader, an embedder): code decoded from it goes.
   */
  hostWrite(host: number, size: number): void {
    const frame = host & Tlb.FRAME;
    if (!this.codeFrames[frame >>> PAGE_SHIFT]) return;
    if (!(this.codeListener?.onCodeWrite(frame, host, size) ?? false)) {
      this.codeFrames[frame >>> PAGE_SHIFT] = 0;
      this.flush();
    }
  }
}
