import {
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

const FLAT_CODE: SegmentDescriptor = Object.freeze({ base: 0, limit: -1, attr: FLAT_CODE_ATTR });
const FLAT_DATA: SegmentDescriptor = Object.freeze({ base: 0, limit: -1, attr: FLAT_DATA_ATTR });

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

/** The kernel's LDT_empty/LDT_zero: a user_desc that clears the entry. */
function isEmptyDesc(d: UserDesc): boolean {
  const zero =
    d.baseAddr === 0 && d.limit === 0 && d.contents === 0 && !d.seg32bit && !d.limitInPages && !d.useable;
  return zero && ((d.readExecOnly && d.segNotPresent) || (!d.readExecOnly && !d.segNotPresent));
}

/** fill_ldt(): user_desc → the descriptor the CPU caches. */
export function descriptorFromUserDesc(d: UserDesc): SegmentDescriptor {
  const type = ((d.readExecOnly ? 0 : 1) << 1) | (d.contents << 2) | 1; // accessed bit set, like the kernel
  let attr = type | SegAttr.NOT_SYSTEM | (3 << 5) | (d.segNotPresent ? 0 : SegAttr.PRESENT);
  if (d.useable) attr |= 0x1000; // AVL
  if (d.seg32bit) attr |= SegAttr.DEFAULT_BIG;
  if (d.limitInPages) attr |= SegAttr.GRANULARITY;
  const raw = d.limit & 0xfffff;
  const limit = d.limitInPages ? ((raw << 12) | 0xfff) : raw;
  return { base: d.baseAddr | 0, limit, attr };
}

/**
 * The GDT as a 32-bit process sees it: the flat user code/data segments
 * (0x23, 0x2b) and three TLS entries (selectors 0x63, 0x6b, 0x73). No LDT
 * (modify_ldt is not implemented): selectors with TI set are invalid.
 */
export class LinuxDescriptorTables implements DescriptorTables {
  private readonly tls: (SegmentDescriptor | null)[] = new Array(TLS_ENTRY_COUNT).fill(null);
  /** user_desc as last set, for get_thread_area. */
  private readonly descs: (UserDesc | null)[] = new Array(TLS_ENTRY_COUNT).fill(null);

  lookup(selector: number): SegmentDescriptor | null {
    if (selector & 4) return null;
    const index = (selector & 0xffff) >>> 3;
    if (index === USER_CS >>> 3) return FLAT_CODE;
    if (index === USER_DS >>> 3) return FLAT_DATA;
    const t = index - TLS_ENTRY_MIN;
    return t >= 0 && t < TLS_ENTRY_COUNT ? this.tls[t] : null;
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
    if (isEmptyDesc(d)) {
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
}
