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
  /** Flags nibble bits (<< 8). */
  DEFAULT_BIG = 0x4000, // D/B
  GRANULARITY = 0x8000,
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
