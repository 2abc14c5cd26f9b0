import { Seg } from '../decoder/types.js';

/**
 * Segment descriptors as the CPU caches them. In user mode the OS
 * personality owns the descriptor tables (Linux: flat user segments, TLS
 * entries from set_thread_area, later the LDT); system mode will read the
 * GDT/LDT from guest memory through the same interface.
 */
export interface SegmentDescriptor {
  base: number;
  /** Highest valid offset (already scaled by granularity). */
  limit: number;
  /** Access byte (P DPL S type) | flags nibble (G D/B L AVL) << 8. */
  attr: number;
}

export const enum SegAttr {
  /** Access byte bits. */
  ACCESSED = 0x01,
  WRITABLE_OR_READABLE = 0x02,
  CODE = 0x08,
  NOT_SYSTEM = 0x10,
  PRESENT = 0x80,
  /** Type bit 2: expand-down (data) or conforming (code). */
  EXPAND_DOWN_OR_CONFORMING = 0x04,
  /** Flags nibble bits (<< 8). */
  AVAILABLE = 0x1000, // AVL
  LONG_MODE = 0x2000, // L
  DEFAULT_BIG = 0x4000, // D/B
  GRANULARITY = 0x8000,
}

/**
 * Decodes the two dwords of a segment descriptor as they sit in a GDT or LDT
 * (low: limit 15:0, base 15:0; high: base 23:16, access byte, limit 19:16,
 * flags nibble, base 31:24).
 */
export function decodeDescriptor(low: number, high: number): SegmentDescriptor {
  const base = (low >>> 16) | ((high & 0xff) << 16) | (high & 0xff000000);
  const rawLimit = (low & 0xffff) | (high & 0xf0000);
  const attr = (high >>> 8) & 0xf0ff;
  const limit = attr & SegAttr.GRANULARITY ? (rawLimit << 12) | 0xfff : rawLimit;
  return { base: base | 0, limit: limit | 0, attr };
}

/**
 * Whether accesses through a data segment register holding this segment
 * need checks: any loaded segment but writable expand-up data with a 4 GiB
 * limit, and for SS the B bit (what Linux gives DS/ES/SS, per-CPU data and TLS). The null
 * selector is not checked in protected mode (its use faults on the real
 * CPU; here it reaches linear address offset, as it always did); in real
 * mode selector 0 is the segment at 0 and is checked like any other.
 */
export function needsAccessChecks(seg: Seg, selector: number, d: SegmentDescriptor, realMode = false): boolean {
  if ((selector & 0xfffc) === 0 && !realMode) return false;
  const type = d.attr & (SegAttr.CODE | SegAttr.EXPAND_DOWN_OR_CONFORMING | SegAttr.WRITABLE_OR_READABLE);
  if (d.limit !== -1 || type !== SegAttr.WRITABLE_OR_READABLE) return true;
  // A 16-bit SS (B clear) makes a stack of SP, which only the interpreter's Stack knows. Elsewhere B only matters for
  // expand-down segments: Linux's per-CPU FS segment has a 4 GiB limit and B clear.
  return seg === Seg.SS && !(d.attr & SegAttr.DEFAULT_BIG);
}

/**
 * The access check of a data reference (SDM vol. 3, 5.3 and 5.4): code
 * segments are read only when readable and never written, data segments
 * written only when writable; `size` bytes at `offset` lie within the limit
 * (expand-up: offset..offset+size-1 <= limit; expand-down: above the limit
 * and up to 0xffff or, with the B bit, 0xffffffff).
 */
export function segmentAllows(attr: number, limit: number, offset: number, size: number, write: boolean): boolean {
  if (attr & SegAttr.CODE) {
    if (write || !(attr & SegAttr.WRITABLE_OR_READABLE)) return false;
  } else if (write && !(attr & SegAttr.WRITABLE_OR_READABLE)) return false;
  const first = offset >>> 0;
  const last = first + size - 1;
  if ((attr & (SegAttr.CODE | SegAttr.EXPAND_DOWN_OR_CONFORMING)) === SegAttr.EXPAND_DOWN_OR_CONFORMING) {
    return first > limit >>> 0 && last <= (attr & SegAttr.DEFAULT_BIG ? 0xffffffff : 0xffff);
  }
  return last <= limit >>> 0;
}

export interface DescriptorTables {
  /** The descriptor a selector names, or null when the selector is invalid (#GP). */
  lookup(selector: number): SegmentDescriptor | null;
}

/** Linux's selectors for a 32-bit process on an x86-64 kernel. */
export const USER_CS = 0x23;
export const USER_DS = 0x2b;
export const FLAT_CODE_ATTR = 0xfb | SegAttr.DEFAULT_BIG | SegAttr.GRANULARITY;
export const FLAT_DATA_ATTR = 0xf3 | SegAttr.DEFAULT_BIG | SegAttr.GRANULARITY;
/** A real-mode segment's access byte: present, accessed, DPL 0, readable code or writable data (16-bit, byte-granular as after reset). */
export const REAL_MODE_CODE_ATTR = SegAttr.PRESENT | SegAttr.NOT_SYSTEM | SegAttr.CODE | SegAttr.WRITABLE_OR_READABLE | SegAttr.ACCESSED;
export const REAL_MODE_DATA_ATTR = SegAttr.PRESENT | SegAttr.NOT_SYSTEM | SegAttr.WRITABLE_OR_READABLE | SegAttr.ACCESSED;
