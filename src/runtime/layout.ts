/**
 * Where the machine lives inside its one WebAssembly.Memory. The interpreter
 * reads these through typed-array views; translated code will load and store
 * them at the same fixed offsets, so they never move.
 */

/** Byte offset of the CPU state block. */
export const STATE_BASE = 0;
/** Size of the CPU state block in bytes. */
export const STATE_SIZE = 0x1000;

/** Int32 slot numbers inside the CPU state block (byte offset = slot * 4). */
export const enum Slot {
  // General registers, in encoding order.
  EAX = 0,
  ECX = 1,
  EDX = 2,
  EBX = 3,
  ESP = 4,
  EBP = 5,
  ESI = 6,
  EDI = 7,
  EIP = 8,
  /** EFLAGS bits that are not lazily held (all of them when LAZY_OP is none). */
  FLAGS = 9,
  /** Lazy arithmetic flags: the operation (LazyOp), its operands and result. */
  LAZY_OP = 10,
  LAZY_DST = 11,
  LAZY_SRC = 12,
  LAZY_RES = 13,
  /** System mode: the task register's selector (its base and limit are TR_BASE, TR_LIMIT). */
  TR_SEL = 14,
  /** System mode: the LDT register's selector (its base and limit are LDTR_BASE, LDTR_LIMIT). */
  LDTR_SEL = 15,
  /** Segment selectors ES..GS (6 slots). */
  SEG_SEL = 16,
  /** Segment bases ES..GS (6 slots). */
  SEG_BASE = 24,
  /** Segment limits ES..GS (6 slots), the highest valid offset. */
  SEG_LIMIT = 32,
  /** Segment attributes ES..GS (6 slots): descriptor access byte | flags << 8. */
  SEG_ATTR = 40,
  CR0 = 48,
  CR2 = 49,
  CR3 = 50,
  CR4 = 51,
  /** System mode: the descriptor-table registers (base, limit). */
  GDTR_BASE = 52,
  GDTR_LIMIT = 53,
  IDTR_BASE = 54,
  IDTR_LIMIT = 55,
  /** Count of guest instructions retired (low/high 32 bits). */
  ICOUNT_LO = 56,
  ICOUNT_HI = 57,
  /** Translated code: guest instructions it may still run before returning to JavaScript. */
  BUDGET = 58,
  /** Translated code: jumps to another region found in the dispatch cache without leaving wasm. */
  DISPATCH_HITS = 59,
  /** Translated code: a helper recorded a guest exception (non-zero); translated code leaves through its fault path. */
  FAULT = 60,
  TR_BASE = 61,
  TR_LIMIT = 62,
  /** Always 0: the "segment base" of address computations that ignore segments (LEA). */
  ZERO = 63,
  /** x87: the stack top (0..7), the status word without TOP, the control word, and a bit per empty physical register. */
  FPU_TOP = 64,
  FPU_SW = 65,
  FPU_CW = 66,
  FPU_EMPTY = 67,
  /** SSE control and status register (runtime/interp/sse-state.ts). */
  MXCSR = 68,
  LDTR_BASE = 69,
  LDTR_LIMIT = 70,
  /** MMX: the sign and exponent of each physical x87 register whose 80-bit image MMX_BYTE holds (8 slots; see sse-state.ts). */
  MMX_EXP = 152,
}

/** Byte offset in the state block of the eight x87 registers (physical order, as float64: see runtime/interp/x87.ts). */
export const FPU_REGS_BYTE = 0x120;
/** Byte offset of the eight XMM registers, 16 bytes each, little-endian lanes (0x160-0x1df). */
export const XMM_BYTE = 0x160;
/**
 * MMX aliasing of the x87 registers (see runtime/interp/sse-state.ts): the
 * 64-bit significand of each physical register as MMX and FXSAVE see it
 * (0x1e0-0x21f), and the float64 bits of the x87 register when that
 * significand was written (0x220-0x25f); then the MMX_EXP slots (0x260-0x27f).
 */
export const MMX_BYTE = 0x1e0;
export const MMX_SHADOW_BYTE = 0x220;

/** Byte offset of the soft-TLB: one Int32 entry per 4 KiB virtual page (1 Mi entries). */
export const TLB_BASE = 0x10000;
export const TLB_ENTRIES = 1 << 20;
/**
 * Byte offset of the translator's dispatch cache (guest EIP → table index,
 * read inside wasm), between the soft-TLB and the frame pool.
 */
export const DISPATCH_BASE = 0x410000;
export const DISPATCH_BITS = 16;
export const DISPATCH_ENTRIES = 1 << DISPATCH_BITS;

/**
 * The soft-TLB again, in the form translated code checks fastest: per
 * virtual page a read tag and a write tag (page base | TAG_VALID when that
 * access is allowed, else 0) and an addend (frame host offset - page base).
 * An access is fast when ((address + size - 1) & ~page mask) | TAG_VALID
 * equals the tag of the address's page: allowed, and its last byte in the
 * same page (any alignment); its host offset is then address + addend. The
 * Mmu keeps these in step with the TLB entries.
 */
export const TAG_READ_BASE = 0x800000;
export const TAG_WRITE_BASE = 0xc00000;
export const TLB_ADDEND_BASE = 0x1000000;
/** Set in every valid tag and never in a masked address (bit 11: the mask keeps bits 12-31). */
export const TAG_VALID = 0x800;

/** First byte of the guest frame pool. */
export const FRAMES_BASE = 0x1400000;

export const PAGE_SIZE = 4096;
export const PAGE_SHIFT = 12;
export const PAGE_MASK = 0xfff;

/**
 * Soft-TLB entry bits. An entry is the host offset of the 4 KiB frame OR'ed
 * with these bits; 0 means "not cached, take the slow path".
 */
export const enum Tlb {
  READ = 1,
  WRITE = 2,
  /** Page is writable by its protection but holds translated/decoded code: writes take the slow path. */
  CODE = 4,
  USER = 8,
  EXEC = 16,
  /** A global page (G set, CR4.PGE on): its entry survives a CR3 write (Mmu.flushNonGlobal). */
  GLOBAL = 32,
  FRAME = ~0xfff,
}
