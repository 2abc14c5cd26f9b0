import {
  decodeDescriptor,
  type DescriptorTables,
  FLAT_CODE_ATTR,
  FLAT_DATA_ATTR,
  SegAttr,
  type SegmentDescriptor,
  USER_CS,
  USER_DS,
} from '../runtime/segments.js';
import { E } from './errno.js';

/** GDT slots an x86-64 kernel gives a 32-bit process for set_thread_area (GDT_ENTRY_TLS_MIN..MAX). */
export const TLS_ENTRY_MIN = 12;
export const TLS_ENTRY_COUNT = 3;
/** __USER_CS of 64-bit processes (GDT_ENTRY_DEFAULT_USER_CS): visible to LAR, a far jump there enters long mode. */
export const USER64_CS = 0x33;
/** GDT_ENTRY_CPUNUMBER: LSL on selector 0x7b gives (node << 12) | cpu, the vDSO's getcpu. */
export const CPU_NUMBER_SEL = 0x7b;
/** LDT_ENTRIES and LDT_ENTRY_SIZE. */
export const LDT_ENTRIES = 8192;
export const LDT_ENTRY_SIZE = 8;

const FLAT_CODE: SegmentDescriptor = Object.freeze({ base: 0, limit: -1, attr: FLAT_CODE_ATTR });
const FLAT_DATA: SegmentDescriptor = Object.freeze({ base: 0, limit: -1, attr: FLAT_DATA_ATTR });
const USER64_CODE: SegmentDescriptor = Object.freeze({ base: 0, limit: -1, attr: 0xfb | SegAttr.LONG_MODE | SegAttr.GRANULARITY });
/** CPU 0 of node 0, as getcpu answers: a read-only expand-down data segment whose limit is the number. */
const CPU_NUMBER: SegmentDescriptor = Object.freeze({ base: 0, limit: 0, attr: 0xf5 | SegAttr.DEFAULT_BIG });

/** struct user_desc, decoded. */
export interface UserDesc {
  entryNumber: number;
  baseAddr: number;
  limit: number;
  seg32bit: boolean;
  contents: number;
  readExecOnly: boolean;
  limitInPages: boolean;
  segNotPresent: boolean;
  useable: boolean;
}

export function decodeUserDesc(words: [number, number, number, number]): UserDesc {
  const f = words[3];
  return {
    entryNumber: words[0] | 0,
    baseAddr: words[1] >>> 0,
    limit: words[2] >>> 0,
    seg32bit: (f & 1) !== 0,
    contents: (f >>> 1) & 3,
    readExecOnly: (f & 8) !== 0,
    limitInPages: (f & 16) !== 0,
    segNotPresent: (f & 32) !== 0,
    useable: (f & 64) !== 0,
  };
}

export function encodeUserDescFlags(d: UserDesc): number {
  return (
    (d.seg32bit ? 1 : 0) |
    (d.contents << 1) |
    (d.readExecOnly ? 8 : 0) |
    (d.limitInPages ? 16 : 0) |
    (d.segNotPresent ? 32 : 0) |
    (d.useable ? 64 : 0)
  );
}

/** The kernel's LDT_empty(): the user_desc that clears an entry (the lm bit is not looked at). */
export function isLdtEmpty(d: UserDesc): boolean {
  return (
    d.baseAddr === 0 &&
    d.limit === 0 &&
    d.contents === 0 &&
    d.readExecOnly &&
    !d.seg32bit &&
    !d.limitInPages &&
    d.segNotPresent &&
    !d.useable
  );
}

/** LDT_zero(): "lots of programs expect an all-zero user_desc to mean no segment at all" (TLS only). */
function isLdtZero(d: UserDesc): boolean {
  return (
    d.baseAddr === 0 &&
    d.limit === 0 &&
    d.contents === 0 &&
    !d.readExecOnly &&
    !d.seg32bit &&
    !d.limitInPages &&
    !d.segNotPresent &&
    !d.useable
  );
}

/**
 * fill_ldt(): user_desc → the descriptor's two dwords, DPL 3, the accessed
 * bit set (so the CPU never writes the table), the L bit clear.
 */
export function fillDescriptor(d: UserDesc): [number, number] {
  const type = ((d.readExecOnly ? 0 : 1) << 1) | (d.contents << 2) | 1;
  const low = (d.limit & 0xffff) | ((d.baseAddr & 0xffff) << 16);
  const high =
    ((d.baseAddr >>> 16) & 0xff) |
    (type << 8) |
    (SegAttr.NOT_SYSTEM << 8) |
    (3 << 13) |
    (d.segNotPresent ? 0 : SegAttr.PRESENT << 8) |
    (d.limit & 0xf0000) |
    (d.useable ? 1 << 20 : 0) |
    (d.seg32bit ? 1 << 22 : 0) |
    (d.limitInPages ? 1 << 23 : 0) |
    (d.baseAddr & 0xff000000);
  return [low | 0, high | 0];
}

/** fill_ldt(): user_desc → the descriptor the CPU caches. */
export function descriptorFromUserDesc(d: UserDesc): SegmentDescriptor {
  const [low, high] = fillDescriptor(d);
  return decodeDescriptor(low, high);
}

/**
 * The descriptor tables as a 32-bit process on an x86-64 kernel sees them.
 * The GDT: the flat user code/data segments (0x23, 0x2b), the 64-bit user
 * code segment (0x33), three TLS entries (selectors 0x63, 0x6b, 0x73) and
 * the CPU-number segment (0x7b); its kernel and system entries have DPL 0,
 * which at CPL 3 is as good as absent. The LDT: what modify_ldt wrote, as
 * the descriptors' raw dwords (read_ldt copies them out), none at first.
 */
export class LinuxDescriptorTables implements DescriptorTables {
  private readonly tls: (SegmentDescriptor | null)[] = new Array(TLS_ENTRY_COUNT).fill(null);
  /** user_desc as last set, for get_thread_area. */
  private readonly descs: (UserDesc | null)[] = new Array(TLS_ENTRY_COUNT).fill(null);
  /** The LDT, two dwords per entry (low, high); null until modify_ldt writes one. */
  private ldt: Int32Array | null = null;

  lookup(selector: number): SegmentDescriptor | null {
    const index = (selector & 0xffff) >>> 3;
    if (selector & 4) {
      const ldt = this.ldt;
      if (ldt === null || index >= ldt.length >>> 1) return null;
      const high = ldt[2 * index + 1];
      // A cleared entry is all zeros: a system descriptor, which no segment register takes.
      return high & (SegAttr.NOT_SYSTEM << 8) ? decodeDescriptor(ldt[2 * index], high) : null;
    }
    if (index === USER_CS >>> 3) return FLAT_CODE;
    if (index === USER_DS >>> 3) return FLAT_DATA;
    if (index === USER64_CS >>> 3) return USER64_CODE;
    if (index === CPU_NUMBER_SEL >>> 3) return CPU_NUMBER;
    const t = index - TLS_ENTRY_MIN;
    return t >= 0 && t < TLS_ENTRY_COUNT ? this.tls[t] : null;
  }

  /** Entries the LDT has (0 without one): it grows to the highest entry written + 1. */
  get ldtEntries(): number {
    return this.ldt === null ? 0 : this.ldt.length >>> 1;
  }

  /**
   * read_ldt(): the first `bytecount` bytes of the LDT (at most the whole
   * 64 KiB table), zero-filled past its entries; empty without an LDT.
   */
  readLdt(bytecount: number): Uint8Array {
    if (this.ldt === null) return new Uint8Array(0);
    const size = Math.min(bytecount, LDT_ENTRIES * LDT_ENTRY_SIZE);
    const out = new Uint8Array(size);
    const dv = new DataView(out.buffer);
    const words = Math.min(this.ldt.length, size >>> 2);
    for (let i = 0; i < words; i++) dv.setInt32(4 * i, this.ldt[i], true);
    // A partial dword at the end (bytecount not a multiple of 4).
    if (words < this.ldt.length && size & 3) {
      const last = this.ldt[words];
      for (let b = 0; b < (size & 3); b++) out[4 * words + b] = (last >>> (8 * b)) & 0xff;
    }
    return out;
  }

  /**
   * write_ldt(): validates a user_desc the way the kernel does and installs
   * (or, for LDT_empty and in the old mode a zero base and limit, clears)
   * its entry. Returns 0 or -errno. 16-bit segments are allowed (an x86-64
   * kernel with espfix64 allows them).
   */
  writeLdt(d: UserDesc, oldMode: boolean): number {
    const entry = d.entryNumber >>> 0;
    if (entry >= LDT_ENTRIES) return -E.EINVAL;
    // Conforming code only as a not-present placeholder, and never in the old mode.
    if (d.contents === 3 && (oldMode || !d.segNotPresent)) return -E.EINVAL;
    let words: [number, number] = [0, 0];
    if (!((oldMode && d.baseAddr === 0 && d.limit === 0) || isLdtEmpty(d))) {
      words = fillDescriptor(oldMode ? { ...d, useable: false } : d);
    }
    const old = this.ldt;
    if (old === null || entry >= old.length >>> 1) {
      const grown = new Int32Array(2 * (entry + 1));
      if (old !== null) grown.set(old);
      this.ldt = grown;
    }
    this.ldt![2 * entry] = words[0];
    this.ldt![2 * entry + 1] = words[1];
    return 0;
  }

  /**
   * set_thread_area: entry -1 picks the first free TLS slot. Returns the
   * entry number used, or -errno (EINVAL bad entry, ESRCH none free).
   */
  setThreadArea(d: UserDesc): number {
    let entry = d.entryNumber;
    if (entry === -1) {
      const free = this.tls.findIndex((t) => t === null);
      if (free < 0) return -E.ESRCH;
      entry = TLS_ENTRY_MIN + free;
    }
    const t = entry - TLS_ENTRY_MIN;
    if (t < 0 || t >= TLS_ENTRY_COUNT) return -E.EINVAL;
    if (isLdtEmpty(d) || isLdtZero(d)) {
      this.tls[t] = null;
      this.descs[t] = null;
    } else {
      // tls_desc_okay(): only present 32-bit data segments.
      if (!d.seg32bit || d.contents > 1 || d.segNotPresent) return -E.EINVAL;
      this.tls[t] = descriptorFromUserDesc(d);
      this.descs[t] = { ...d, entryNumber: entry };
    }
    return entry;
  }

  /** get_thread_area: the user_desc of an entry (all-empty when unset), or null for a bad entry. */
  getThreadArea(entry: number): UserDesc | null {
    const t = entry - TLS_ENTRY_MIN;
    if (t < 0 || t >= TLS_ENTRY_COUNT) return null;
    return (
      this.descs[t] ?? {
        entryNumber: entry,
        baseAddr: 0,
        limit: 0,
        seg32bit: false,
        contents: 0,
        readExecOnly: true,
        limitInPages: false,
        segNotPresent: true,
        useable: false,
      }
    );
  }

  /** fork: the child gets the parent's TLS entries and a copy of its LDT. */
  copyFrom(parent: LinuxDescriptorTables): void {
    for (let t = 0; t < TLS_ENTRY_COUNT; t++) {
      this.tls[t] = parent.tls[t];
      this.descs[t] = parent.descs[t];
    }
    this.ldt = parent.ldt === null ? null : parent.ldt.slice();
  }

  /** execve: a new program starts with no TLS entries and no LDT. */
  reset(): void {
    this.tls.fill(null);
    this.descs.fill(null);
    this.ldt = null;
  }
}
