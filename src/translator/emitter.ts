import { Instruction, Operand, Seg } from '../decoder/types.js';
import { lazyCode, LazyOp } from '../runtime/flags.js';
import {
  DISPATCH_BASE, DISPATCH_BITS, DISPATCH_ENTRIES, PAGE_MASK, PAGE_SHIFT, Slot, TAG_READ_BASE, TAG_VALID, TAG_WRITE_BASE, TLB_ADDEND_BASE,
} from '../runtime/layout.js';
import { Codegen, Expr, IrBuilder, Ty } from './ir.js';
import { conditionOf, flagsFormula } from './flag-functions.js';
import { Exit } from './layout.js';
import type { RegionAssumptions } from './region-compiler.js';
import type { DirectRam } from '../runtime/machine.js';

export type { Expr } from './ir.js';
/** A value that can be materialised any number of times (Binaryen trees cannot share nodes). */
export type Val = () => Expr;

const I32 = Ty.i32;
const NONE = Ty.none;

/** Guest state the region keeps in wasm locals: the 8 registers and the lazy-flag record. */
export const enum Cell {
  EAX = 0, ECX, EDX, EBX, ESP, EBP, ESI, EDI,
  FLAGS = 8, LOP = 9, LDST = 10, LSRC = 11, LRES = 12,
}
const CELLS = 13;
const ALL_CELLS = (1 << CELLS) - 1;
const CELL_SLOT = [0, 1, 2, 3, 4, 5, 6, 7, Slot.FLAGS, Slot.LAZY_OP, Slot.LAZY_DST, Slot.LAZY_SRC, Slot.LAZY_RES];

// Local numbering: 0 is the entry parameter, then the cells, then bookkeeping, then temporaries.
const L_ENTRY = 0;
const L_CELL0 = 1;
const L_BUDGET = L_CELL0 + CELLS;
const L_NEXT = L_BUDGET + 1;
const L_TARGET = L_NEXT + 1;
const L_SMC = L_TARGET + 1;
const L_REFUND = L_SMC + 1;
const L_EXIT = L_REFUND + 1;
/**
 * The stack page cache (see tlbAccess): the page the last SS store hit, as
 * an i64 (a value of 2^32 or more: none; the prologue sets that), and its
 * addend.
 */
const L_STACK_PAGE = L_EXIT + 1;
const L_STACK_ADDEND = L_STACK_PAGE + 1;
/** The result of a rotate whose CF and OF only a fault could see (see deferRotateFlags). */
const L_DEFERRED = L_STACK_ADDEND + 1;
const L_TEMP0 = L_DEFERRED + 1;
/** Widest access the page caches serve, and the offsets in a page that leave room for one. */
const PAGE_CACHE_MAX_SIZE = 8;
const PAGE_CACHE_LIMIT = PAGE_MASK + 2 - PAGE_CACHE_MAX_SIZE;
/** Temporaries one instruction may use (of each type). */
const MAX_TEMPS = 48;
/** Block-local state after the temporaries (see BlockLocalState): one i32 and eight f64s for the x87 stack. */
export const L_BLOCK_I32 = L_TEMP0 + 3 * MAX_TEMPS;
export const L_BLOCK_F64 = L_BLOCK_I32 + 1;
const BLOCK_F64S = 8;
/**
 * Page caches of the table accesses inside the region's loops (see
 * pageCacheFor), after the block-local state, so that only regions with
 * loops declare them (a region function zeroes every local it declares on
 * each entry until the engine optimises it; with them in the fixed prefix,
 * four cold Debian boots took 8-35% longer): a page (i64) and an addend
 * each, as the stack page cache, the SITE_CACHES pages first. The first
 * SITE_CACHES such access sites get one.
 */
const L_SITE0 = L_BLOCK_F64 + BLOCK_F64S;
const SITE_CACHES = 8;
/** A displacement this large is a static address: the access reads or writes a global (a table). */
const STATIC_DATA_MIN = 0x10000;

/**
 * Guest state a block keeps in locals besides the cells (the x87 stack,
 * ops-x87.ts), from its first use to the end of the block. Every way out of
 * the block stores it; a helper call stores it and drops it, since the
 * interpreter may change it.
 */
export interface BlockLocalState {
  /** What brings memory up to date at this point (the block goes on holding the state in locals). */
  stores(): Expr[];
}

/** Names of the functions every module imports from JavaScript. */
export const enum Import {
  READ8 = 'rd8', READ16 = 'rd16', READ32 = 'rd32',
  WRITE8 = 'wr8', WRITE16 = 'wr16', WRITE32 = 'wr32',
  INTERP = 'interp',
  /** The hub's jump(slot): a tail call into the shared table (see Translator.hub). */
  JUMP = 'jump',
}

export interface TranslateOptions {
  /** Keep guest registers and lazy flags in wasm locals (written back at exits and helper calls). */
  registerCaching: boolean;
  /** Skip flag work the block overwrites before reading. */
  flagLiveness: boolean;
  /**
   * Flag liveness across the region's blocks: a block's last flag writer
   * keeps no record when every successor in the region overwrites those
   * flags first (and no exit or possible fault comes between). Off for
   * lockstep, which compares the flags after every block.
   */
  flagsAcrossBlocks: boolean;
  /** Inline soft-TLB lookup for loads and stores; off: every access calls the slow-path helper. */
  inlineTlb: boolean;
  /**
   * Accesses inside the region's loops remember the page they last reached
   * (its addend, in locals) and skip the TLB's table loads while they stay
   * in it (see tlbAccess). Off: only the stack page cache.
   */
  pageCaches: boolean;
  /**
   * Rare paths (a load or store that misses the inline TLB, a DIV that would
   * fault or overflow) leave the region (Exit.RETRY) so the interpreter runs
   * the instruction, instead of calling a helper. A region without calls
   * keeps its registers out of stack slots (the engine spills around every
   * call, on the fast path too). Off for lockstep, which compares whole
   * blocks and whose write log needs every store to reach the helper.
   */
  slowPathExits: boolean;
  /**
   * A small block that only one block of the region enters and that may
   * read the flags is emitted again as part of that block, its flags still
   * in locals and their writer known (translateBlock). Off: every block on
   * its own.
   */
  continuations: boolean;
  /** Who encodes the modules: the direct wasm encoder (fast) or another backend such as Binaryen (validated, slower). */
  codegen: Codegen;
  /** x87 instructions inline (on float64 registers); off under --x87 exact, whose 80-bit x87 is the interpreter's. */
  x87Inline: boolean;
}

/**
 * The flags as the last writer of a peeled loop's previous iteration left
 * them, unstored: its lazy record recomputed from the registers it read
 * (`regs`, cell mask), which stay unchanged until the recipe is dropped.
 */
export interface FlagRecipe {
  op: LazyOp;
  regs: number;
  /** dst, src, res of the lazy record, from the current registers. */
  record: (e: Emitter) => [Expr, Expr, Expr];
}

/** What the emitter knows statically about the flags: the last flag writer of this block. */
export interface KnownFlags {
  op: LazyOp;
  bits: number;
  /** A plain CMP/SUB (no borrow in): conditions can compare the operands directly. */
  plainSub: boolean;
  // The operands and result are the LDST/LSRC/LRES cells (live until the next flag write).
}

/** One instruction's place in the block being emitted (for precise exceptions and budget refunds). */
interface InsnPosition {
  insn: Instruction;
  /** Instructions of the block retired before this one. */
  index: number;
  /** Instructions in the block. */
  count: number;
}

/**
 * Builds the body of one region function: a list of statements for the
 * current block, the cells (in locals or in memory), memory accesses with
 * the inline soft-TLB, lazy flags and exits. One instance per module.
 */
export class Emitter {
  readonly m: IrBuilder;
  private out: Expr[] = [];
  private temps = 0;
  private maxTemps = 0;
  private temps64 = 0;
  private maxTemps64 = 0;
  private tempsF64 = 0;
  private maxTempsF64 = 0;
  known: KnownFlags | null = null;
  pos: InsnPosition | null = null;
  /**
   * The current instruction's flags are dead but for an exception before
   * the next flag writer (the region compiler sets it): see deferRotateFlags.
   */
  flagsOnlyForFaults = false;
  /** Ids handed to the interp helper, in order; the translator maps them to interpreter closures. */
  readonly helperInsns: Instruction[] = [];
  /** Count of instructions emitted through a helper (statically). */
  helperSites = 0;
  /** The region gives accesses in its loops page caches (set before emitting: helper calls reset them all). */
  siteCaches = false;
  /** The block being emitted is inside one of the region's loops. */
  inLoop = false;
  /** Page cache of each access site (instruction address : access number), by first use. */
  private readonly siteCacheOf = new Map<string, number>();
  /** DS, ES and SS have base 0 (the translator flushes when one changes). */
  private readonly flatData: boolean;
  /** A page whose tag matches is at its own linear address: accesses need no addend (RegionAssumptions). */
  private readonly linearMemory: boolean;
  /** Reads of RAM go to a fixed host offset (RegionAssumptions.directRam), or null. */
  private readonly directRam: DirectRam | null;
  /** Accesses of the current instruction so far: the peeled copies of a block share their sites' caches. */
  private accessIndex = 0;

  constructor(
    m: IrBuilder,
    readonly opts: TranslateOptions,
    assumptions: RegionAssumptions = { flatData: false, linearMemory: false, directRam: null },
  ) {
    this.m = m;
    this.flatData = assumptions.flatData;
    this.linearMemory = assumptions.linearMemory;
    this.directRam = assumptions.directRam;
  }

  // ---------------------------------------------------------------- statements

  emit(...e: Expr[]): void {
    this.out.push(...e);
  }

  /** Takes the statements emitted so far (the caller wraps them). */
  take(): Expr[] {
    const o = this.out;
    this.out = [];
    return o;
  }

  /** Runs `f` with a fresh statement list and returns what it emitted as one expression. */
  sub(f: () => void): Expr {
    // Both ways must agree on the flags: a deferred rotate's flags are made before the fork.
    this.materializeDeferred();
    const saved = this.out;
    this.out = [];
    const inLocals = this.flagsInLocals;
    const dirty = this.flagsDirty;
    const pending = this.pendingFlags;
    f();
    const body = this.out;
    this.out = saved;
    // Both ways past the sub-path must leave each flag cell in the same place: a cell the sub-path
    // sets is loaded into its local before (for the way that skips it); a cell whose local a helper
    // on the sub-path left stale (it ran on memory) is reloaded after the helper. A recipe the
    // sub-path stored and dropped, or that those loads need in memory, is stored before the fork.
    const added = this.flagsInLocals & ~inLocals;
    const dropped = inLocals & ~this.flagsInLocals;
    if (pending !== null && (this.pendingFlags === null || added !== 0)) {
      this.pendingFlags = pending;
      this.emit(...this.dropPendingFlags());
    }
    this.emit(...this.loadFlagLocals(added));
    body.push(...this.loadFlagLocals(dropped));
    this.flagsInLocals = inLocals | added;
    this.flagsDirty = dirty | this.flagsDirty;
    return body.length === 1 ? body[0] : this.m.block(null, body, NONE);
  }

  /** Releases the temporaries of the previous instruction. */
  beginInstruction(pos: InsnPosition): void {
    this.pos = pos;
    this.temps = 0;
    this.temps64 = 0;
    this.tempsF64 = 0;
    this.stackAddresses.clear();
    this.tableAddresses.clear();
    this.accessIndex = 0;
  }

  tempLocal(): number {
    if (this.temps >= MAX_TEMPS) throw new Error('translator: too many temporaries in one instruction');
    const t = L_TEMP0 + this.temps++;
    if (this.temps > this.maxTemps) this.maxTemps = this.temps;
    return t;
  }

  /** An i64 temporary (widening multiplies). */
  tempLocal64(): number {
    if (this.temps64 >= MAX_TEMPS) throw new Error('translator: too many temporaries in one instruction');
    const t = L_TEMP0 + MAX_TEMPS + this.temps64++;
    if (this.temps64 > this.maxTemps64) this.maxTemps64 = this.temps64;
    return t;
  }

  /** An f64 temporary (x87 values). */
  tempLocalF64(): number {
    if (this.tempsF64 >= MAX_TEMPS) throw new Error('translator: too many temporaries in one instruction');
    const t = L_TEMP0 + 2 * MAX_TEMPS + this.tempsF64++;
    if (this.tempsF64 > this.maxTempsF64) this.maxTempsF64 = this.tempsF64;
    return t;
  }

  /** Evaluates f64 `e` now into a temporary and returns a reader of it. */
  tempF64(e: Expr): () => Expr {
    const t = this.tempLocalF64();
    this.emit(this.m.local.set(t, e));
    return () => this.m.local.get(t, Ty.f64);
  }

  /** Evaluates `e` now into a temporary and returns a reader of it. */
  temp(e: Expr): Val {
    const t = this.tempLocal();
    this.emit(this.m.local.set(t, e));
    return () => this.m.local.get(t, I32);
  }

  /** Types of the function's locals after the parameter. */
  localTypes(): number[] {
    // Temporaries are numbered i32s, then i64s, then f64s, then the block-local state: a later kind in use
    // makes the earlier ones full size.
    // Page caches come last: a region that has them declares everything before them.
    // A linear memory needs no addends: the sites' addend locals (last) are not declared (each declared local is
    // zeroed on every entry until the engine optimises the region).
    const addends = this.linearMemory ? [] : new Array(SITE_CACHES).fill(I32);
    const sites = this.siteCaches ? [...new Array(SITE_CACHES).fill(Ty.i64), ...addends] : [];
    const blockLocals = this.usesBlockLocals || this.siteCaches;
    const block = blockLocals ? [I32, ...new Array(BLOCK_F64S).fill(Ty.f64)] : [];
    const f64 = new Array(blockLocals ? MAX_TEMPS : this.maxTempsF64).fill(Ty.f64);
    const i64 = new Array(this.maxTempsF64 > 0 || blockLocals ? MAX_TEMPS : this.maxTemps64).fill(Ty.i64);
    const wide = this.maxTemps64 > 0 || this.maxTempsF64 > 0 || blockLocals;
    const i32 = new Array(L_TEMP0 - 1 + (wide ? MAX_TEMPS : this.maxTemps)).fill(I32);
    i32[L_STACK_PAGE - 1] = Ty.i64;
    return [...i32, ...i64, ...f64, ...block, ...sites];
  }

  /** The current block's state in locals beyond the cells, or null (memory holds it). */
  blockState: BlockLocalState | null = null;
  /** Some block used the block-local locals (L_BLOCK_I32, L_BLOCK_F64 ...). */
  usesBlockLocals = false;

  /** Stores of the block-local state for a way out of the block at this point. */
  blockStateStores(): Expr[] {
    return this.blockState === null ? [] : this.blockState.stores();
  }

  /** Before a helper call: the block-local state goes to memory and is dropped. */
  private flushBlockState(): Expr[] {
    const stores = this.blockStateStores();
    this.blockState = null;
    return stores;
  }

  /** A label name unique within the function. */
  label(prefix: string): string {
    return `${prefix}${this.labels++}`;
  }
  private labels = 0;

  c(v: number): Val {
    return () => this.m.i32.const(v | 0);
  }

  get entryParam(): Expr {
    return this.m.local.get(L_ENTRY, I32);
  }

  // ---------------------------------------------------------------- cells

  /**
   * Register cells the region reads or writes (bit per cell): only these
   * are loaded on entry. Cells it writes: only these are stored on exit. A
   * helper call needs every cell in memory and reloads them all, so it marks
   * all.
   */
  private touchedCells = 0;
  private writtenCells = 0;
  /**
   * The flag cells (FLAGS and the lazy record) are in locals only within a
   * block: their home between blocks is the state block, like QEMU's cc_*
   * globals. A block stores what it wrote on the edges whose target may
   * need it, and on its exits; a region-wide local would be live across
   * every block (the exit path reads it) and cost the engine a register
   * or a stack slot and moves at every merge. `flagsInLocals`: flag cells
   * this block has set (read from their locals); `flagsDirty`: not stored yet.
   */
  private flagsInLocals = 0;
  private flagsDirty = 0;
  /** Set at the top of a peeled loop's repeated copy until its first flag writer: exits store this record. */
  private pendingFlags: FlagRecipe | null = null;

  cell(c: Cell): Expr {
    if (c >= Cell.FLAGS) this.materializeDeferred();
    if (c < Cell.FLAGS) this.touchedCells |= 1 << c;
    else if (c !== Cell.FLAGS && this.pendingFlags !== null) return this.pendingCell(this.pendingFlags, c);
    if (this.opts.registerCaching && (c < Cell.FLAGS || this.flagsInLocals & (1 << c))) return this.m.local.get(L_CELL0 + c, I32);
    return this.slot(CELL_SLOT[c]);
  }

  setCell(c: Cell, v: Expr): void {
    if (!this.opts.registerCaching) return this.emit(this.setSlot(CELL_SLOT[c], v));
    if (c < Cell.FLAGS) {
      this.touchedCells |= 1 << c;
      this.writtenCells |= 1 << c;
      // The recipe reads this register: take the record it stands for while the old value is there.
      if (this.pendingFlags !== null && this.pendingFlags.regs & (1 << c)) this.adoptPendingFlags();
    } else {
      // A write to one flag cell leaves the others as they were: the recipe's record goes into them first.
      if (this.pendingFlags !== null) this.adoptPendingFlags();
      // Only an instruction that replaces the six status flags writes them with a rotate deferred (any
      // other reads them first, which makes the rotate's flags): the rotate's CF and OF are dead.
      this.deferred = null;
      this.flagsInLocals |= 1 << c;
      this.flagsDirty |= 1 << c;
    }
    this.emit(this.m.local.set(L_CELL0 + c, v));
  }

  /** A new block: the flags are in memory, or (`pending`, a peeled loop's repeated copy) stand for a recipe. */
  beginBlock(pending: FlagRecipe | null = null): void {
    this.known = null;
    this.deferred = null;
    this.blockState = null;
    this.flagsInLocals = this.flagsDirty = 0;
    this.pendingFlags = pending;
  }

  /** After the block's first flag writer: the recipe no longer describes the flags. */
  flagsWritten(): void {
    // A deferred rotate's flags are made from the recipe: it stays until they are made or dropped.
    if (this.deferred === null) this.pendingFlags = null;
  }

  /**
   * The pending recipe's record goes into the flag cells' locals, as if its
   * writer had run in this block: the op is known, and nothing goes to
   * memory. (Storing it when the loop overwrote one of its registers made
   * the loop's flags unknown, and a rotate in sha256's rounds computed them
   * in full every iteration.)
   */
  private adoptPendingFlags(): void {
    const p = this.pendingFlags!;
    // The record moves into the cells unchanged: a rotate deferred on it stays deferred.
    const deferred = this.deferred;
    this.deferred = null;
    const record = [Cell.LOP, Cell.LDST, Cell.LSRC, Cell.LRES].map((c) => [c, this.cell(c)] as const);
    this.pendingFlags = null;
    for (const [c, v] of record) this.setCell(c, v);
    this.known = { op: p.op, bits: 32, plainSub: false };
    this.deferred = deferred;
  }

  /** The pending recipe's record stores (for the path being emitted), and the recipe dropped. */
  private dropPendingFlags(): Expr[] {
    const stores = this.pendingStores();
    this.pendingFlags = null;
    return stores;
  }

  /** A lazy-record cell as the pending recipe has it (an INC reads the CF it keeps; a rotate stores the recipe first, see sub). */
  private pendingCell(p: FlagRecipe, c: Cell): Expr {
    if (c === Cell.LOP) return this.m.i32.const(lazyCode(p.op, 32));
    return p.record(this)[c - Cell.LDST];
  }

  private pendingStores(): Expr[] {
    const p = this.pendingFlags;
    if (p === null) return [];
    const [dst, src, res] = p.record(this);
    return [
      this.setSlot(Slot.LAZY_OP, this.m.i32.const(lazyCode(p.op, 32))),
      this.setSlot(Slot.LAZY_DST, dst),
      this.setSlot(Slot.LAZY_SRC, src),
      this.setSlot(Slot.LAZY_RES, res),
    ];
  }

  /**
   * Stores of the flags this block has not stored (the pending recipe, the
   * flag cells it changed), for an exit or an edge to a block that reads
   * them; nothing changes for the path that continues. `onlyFlagsCell`:
   * the target overwrites the six status flags before it reads or could
   * fault, and only FLAGS' other bits (DF) must go along.
   */
  flagStores(onlyFlagsCell = false): Expr[] {
    if (this.deferred !== null && !onlyFlagsCell) return this.withDeferredApplied(() => this.flagStores());
    const out: Expr[] = onlyFlagsCell ? [] : this.pendingStores();
    const mask = onlyFlagsCell ? 1 << Cell.FLAGS : this.flagsDirty;
    for (let c = Cell.FLAGS; c < CELLS; c++) {
      if (this.flagsDirty & mask & (1 << c)) out.push(this.setSlot(CELL_SLOT[c], this.m.local.get(L_CELL0 + c, I32)));
    }
    return out;
  }

  private loadFlagLocals(mask: number): Expr[] {
    const out: Expr[] = [];
    for (let c = Cell.FLAGS; c < CELLS; c++) if (mask & (1 << c)) out.push(this.m.local.set(L_CELL0 + c, this.slot(CELL_SLOT[c])));
    return out;
  }

  /**
   * The FLAGS cell for an instruction that replaces the six status flags and
   * keeps only FLAGS' other bits (DF...): those a deferred rotate does not
   * change, so it stays deferred until the instruction's own flag write
   * drops it.
   */
  otherFlagBits(): Expr {
    const deferred = this.deferred;
    this.deferred = null;
    const flags = this.cell(Cell.FLAGS);
    this.deferred = deferred;
    return flags;
  }

  slot(s: Slot): Expr {
    return this.m.i32.load(s * 4, 4, this.m.i32.const(0));
  }

  setSlot(s: Slot, v: Expr): Expr {
    return this.m.i32.store(s * 4, 4, this.m.i32.const(0), v);
  }

  /**
   * Stores cached register cells to the state block (no-op without
   * register caching): all of them (before a helper call), or the region's
   * written ones (exit paths, built after the region's code). The flag
   * cells are the block's business (flagStores).
   */
  writeBack(mask = ALL_CELLS): Expr[] {
    const m = this.m;
    return this.eachCell(mask, (c) => this.setSlot(CELL_SLOT[c], m.local.get(L_CELL0 + c, I32)));
  }

  reload(mask = ALL_CELLS): Expr[] {
    const m = this.m;
    return this.eachCell(mask, (c) => m.local.set(L_CELL0 + c, this.slot(CELL_SLOT[c])));
  }

  /** `f` of each cell in `mask` (none without register caching); a full mask marks every cell used and written. */
  private eachCell(mask: number, f: (c: Cell) => Expr): Expr[] {
    if (!this.opts.registerCaching) return [];
    if (mask === ALL_CELLS) this.touchedCells = this.writtenCells = ALL_CELLS;
    const out: Expr[] = [];
    for (let c = 0; c < Cell.FLAGS; c++) if (mask & (1 << c)) out.push(f(c));
    return out;
  }

  /** Stores the cells the region changed (exit and fault paths; call after the region's code is emitted). */
  private writeBackChanged(): Expr[] {
    return this.writeBack(this.writtenCells);
  }

  /** Region prologue (call after the region's code is emitted): the cells it uses and the budget from memory, page caches empty. */
  prologue(): Expr[] {
    const m = this.m;
    return [
      ...this.reload(this.touchedCells),
      m.local.set(L_BUDGET, this.slot(Slot.BUDGET)),
      m.local.set(L_NEXT, this.entryParam),
      ...this.emptyPageCaches(),
    ];
  }

  /**
   * Before a call that may fault: where the fault would be (EIP) and the
   * budget as of this instruction, refunding the block's instructions not
   * yet retired. Registers stay in locals; the fault path writes them back.
   */
  private markFaultSite(): Expr[] {
    const pos = this.pos!;
    return [
      this.setSlot(Slot.EIP, this.m.i32.const(pos.insn.eip)),
      this.setSlot(Slot.BUDGET, this.m.i32.add(this.m.local.get(L_BUDGET, I32), this.m.i32.const(pos.count - pos.index))),
    ];
  }

  /**
   * After a helper call: leave through the region's fault path if it
   * recorded a guest exception (with the block's flags stored: the fault
   * path does not know them). The helper may have changed the TLB, so the
   * stack page cache is dropped.
   */
  private faultCheck(): Expr {
    const m = this.m;
    const stores = [...this.flagStores(), ...this.blockStateStores()];
    const leave = stores.length === 0 ? m.br('fault', this.slot(Slot.FAULT)) : m.if(this.slot(Slot.FAULT), m.block(null, [...stores, m.br('fault')], NONE));
    return m.block(null, [...this.emptyPageCaches(), leave], NONE);
  }

  /** Empties the stack page cache and the sites' (region entry, helper calls: the TLB may have changed). */
  private emptyPageCaches(): Expr[] {
    const m = this.m;
    // 2^64 - 1: XORed with any zero-extended address it stays at 2^32 or more, above every offset limit.
    const empty = (l: number) => m.local.set(l, m.i64.extend_s(m.i32.const(-1)));
    const out = [empty(L_STACK_PAGE)];
    if (this.siteCaches) for (let k = 0; k < SITE_CACHES; k++) out.push(empty(L_SITE0 + k));
    return out;
  }

  /** The region's fault path: cells to memory (EIP and budget were stored at the site), then return. */
  faultPath(): Expr[] {
    return [...this.writeBackChanged(), this.m.return(this.m.i32.const(Exit.FAULT))];
  }

  // ---------------------------------------------------------------- registers

  reg(r: number, size: number): Expr {
    const m = this.m;
    if (size === 4) return this.cell(r);
    if (size === 2) return m.i32.and(this.cell(r), m.i32.const(0xffff));
    if (r < 4) return m.i32.and(this.cell(r), m.i32.const(0xff));
    return m.i32.and(m.i32.shr_u(this.cell(r - 4), m.i32.const(8)), m.i32.const(0xff));
  }

  setReg(r: number, size: number, v: Expr): void {
    const m = this.m;
    if (size === 4) return this.setCell(r, v);
    if (size === 2) {
      return this.setCell(r, m.i32.or(m.i32.and(this.cell(r), m.i32.const(0xffff0000 | 0)), m.i32.and(v, m.i32.const(0xffff))));
    }
    if (r < 4) return this.setCell(r, m.i32.or(m.i32.and(this.cell(r), m.i32.const(~0xff)), m.i32.and(v, m.i32.const(0xff))));
    const c = r - 4;
    this.setCell(c, m.i32.or(m.i32.and(this.cell(c), m.i32.const(~0xff00)), m.i32.shl(m.i32.and(v, m.i32.const(0xff)), m.i32.const(8))));
  }

  // ---------------------------------------------------------------- addresses

  /** Offset part of a memory operand (LEA), 32-bit addressing only. */
  offset(op: Operand): Expr {
    const m = this.m;
    let e: Expr | null = null;
    const add = (x: Expr) => (e = e === null ? x : m.i32.add(e, x));
    if (op.base >= 0) add(this.cell(op.base));
    if (op.index >= 0) add(op.scale ? m.i32.shl(this.cell(op.index), m.i32.const(op.scale)) : this.cell(op.index));
    if (op.disp !== 0 || e === null) add(m.i32.const(op.disp | 0));
    return e!;
  }

  /** Linear address of a memory operand, in a temporary. */
  address(op: Operand): Val {
    const a = this.linear(op.seg, this.offset(op));
    if ((op.disp | 0) >= STATIC_DATA_MIN) this.tableAddresses.add(a);
    return a;
  }

  /** Linear address of `offset` in segment `seg`, in a temporary. */
  linear(seg: Seg, offset: Expr): Val {
    const m = this.m;
    const flat = this.flatData && (seg === Seg.DS || seg === Seg.ES || seg === Seg.SS);
    const a = this.temp(flat ? offset : m.i32.add(this.slot(Slot.SEG_BASE + seg), offset));
    if (seg === Seg.SS) this.stackAddresses.add(a);
    return a;
  }

  /** Addresses of the current instruction in SS (pushes, pops, [esp+n], [ebp-n]): they try the stack page cache. */
  private readonly stackAddresses = new Set<Val>();
  /** Addresses of the current instruction with an absolute displacement (a global table, indexed or not). */
  private readonly tableAddresses = new Set<Val>();

  // ---------------------------------------------------------------- memory

  /**
   * Loads `size` bytes (zero-extended) from linear address `a`. A miss of
   * the inline TLB leaves the region (slowPathExits) unless `helperOnMiss`:
   * then it calls the slow-path helper and stays, for accesses inside an
   * instruction's own loop (REP MOVS/STOS), which the interpreter would
   * otherwise run to the end.
   */
  load(size: number, a: Val, helperOnMiss = false): Val {
    const m = this.m;
    const t = this.tempLocal();
    const fn = size === 4 ? Import.READ32 : size === 2 ? Import.READ16 : Import.READ8;
    const slow = this.opts.inlineTlb && this.opts.slowPathExits && !helperOnMiss
      ? this.rarePath()
      : m.block(null, [...this.markFaultSite(), m.local.set(t, m.call(fn, [a()], I32)), this.faultCheck()], NONE);
    if (!this.opts.inlineTlb) {
      this.emit(slow);
      return () => m.local.get(t, I32);
    }
    const access = (host: Expr) =>
      m.local.set(t, size === 4 ? m.i32.load(0, 1, host) : size === 2 ? m.i32.load16_u(0, 1, host) : m.i32.load8_u(0, 1, host));
    this.emit(this.tlbAccess(size, a, TAG_READ_BASE, access, slow));
    return () => m.local.get(t, I32);
  }

  /**
   * Stores the low `size` bytes of `v` at linear address `a`. A store that
   * hits code ends the block after this instruction. A TLB miss leaves the
   * region or, with `helperOnMiss`, calls the helper (see load).
   */
  store(size: number, a: Val, v: Val, helperOnMiss = false): void {
    const m = this.m;
    const fn = size === 4 ? Import.WRITE32 : size === 2 ? Import.WRITE16 : Import.WRITE8;
    const exits = this.opts.inlineTlb && this.opts.slowPathExits && !helperOnMiss;
    const slow = exits
      ? this.rarePath()
      : m.block(
          null,
          [...this.markFaultSite(), m.local.set(L_SMC, m.i32.or(m.local.get(L_SMC, I32), m.call(fn, [a(), v()], I32))), this.faultCheck()],
          NONE,
        );
    // A store that misses the TLB leaves before it happens, so only helper stores can hit code unseen.
    if (!exits) this.wroteMemory = true;
    if (!this.opts.inlineTlb) {
      this.emit(slow);
      return;
    }
    const access = (host: Expr) =>
      size === 4 ? m.i32.store(0, 1, host, v()) : size === 2 ? m.i32.store16(0, 1, host, v()) : m.i32.store8(0, 1, host, v());
    this.emit(this.tlbAccess(size, a, TAG_WRITE_BASE, access, slow));
  }

  /**
   * An inline-TLB load of `size` bytes whose value `read(host)` makes into
   * a local of type `type` (an 8-byte x87 operand, a float); a miss leaves
   * the region before the instruction. Only with inlineTlb and
   * slowPathExits (the x87 emitters check inlineWideAccess).
   */
  loadAs(size: number, a: Val, type: Ty, read: (host: Expr) => Expr): () => Expr {
    const m = this.m;
    const t = type === Ty.f64 ? this.tempLocalF64() : type === Ty.i64 ? this.tempLocal64() : this.tempLocal();
    this.emit(this.tlbAccess(size, a, TAG_READ_BASE, (host) => m.local.set(t, read(host)), this.rarePath()));
    return () => m.local.get(t, type);
  }

  /** An inline-TLB store of `size` bytes by `write(host)`; a miss leaves the region before the instruction. */
  storeAs(size: number, a: Val, write: (host: Expr) => Expr): void {
    this.emit(this.tlbAccess(size, a, TAG_WRITE_BASE, write, this.rarePath()));
  }

  /** loadAs/storeAs are available: the inline TLB is on and its misses leave the region. */
  get inlineWideAccess(): boolean {
    return this.opts.inlineTlb && this.opts.slowPathExits;
  }

  /**
   * The inline soft-TLB (layout.ts): an allowed access that stays in its
   * page matches the page's tag and goes to address + addend; anything else
   * (not cached, not allowed, crossing a page) takes `slow`. Reads under
   * `directRam` (paging off) skip it.
   */
  private tlbAccess(size: number, a: Val, tags: number, access: (host: Expr) => Expr, slow: Expr): Expr {
    const m = this.m;
    const ram = this.directRam;
    if (ram !== null && tags === TAG_READ_BASE) {
      // Paging off: a read that stays inside RAM is RAM (one run of frames), whatever the TLB holds; the rare
      // other (the open bus above it) takes the slow path. Debian's kernel decompressor, its first 2.2 G
      // instructions: 1.84 s instead of 2.16-2.20 s; with the TLB lookup as the other way instead of the slow
      // path, no faster than the lookup alone (2.09 s).
      const inRam = m.i32.le_u(a(), m.i32.const((ram.bytes - size) | 0));
      return m.if(inRam, access(m.i32.add(a(), m.i32.const(ram.base | 0))), slow);
    }
    const indexLocal = this.tempLocal();
    const index = () => m.local.get(indexLocal, I32);
    const setIndex = m.local.set(indexLocal, this.pageIndex(a));
    const masked = () => this.pageTag(a, size);
    const tagged = m.i32.eq(masked(), m.i32.load(tags, 4, index()));
    const cache = size <= PAGE_CACHE_MAX_SIZE ? this.pageCacheFor(a, tags) : null;
    // A linear memory keeps each page at its own address; otherwise the page's addend leads to its frame.
    const linear = this.linearMemory;
    const host = (addend: () => Expr): Expr => (linear ? a() : m.i32.add(a(), addend()));
    const fast = cache !== null && cache.fill
      ? m.block(null, [
          // An access that passed the tag stays inside one page: that page becomes the cache.
          m.local.set(cache.page, m.i64.extend_u(m.i32.and(a(), m.i32.const(~PAGE_MASK)))),
          ...(linear ? [] : [m.local.set(cache.addend, m.i32.load(TLB_ADDEND_BASE, 4, index()))]),
          access(host(() => m.local.get(cache.addend, I32))),
        ], NONE)
      : access(host(() => m.i32.load(TLB_ADDEND_BASE, 4, index())));
    const checked = m.block(null, [setIndex, m.if(m.i32.eqz(tagged), slow, fast)], NONE);
    if (cache === null) return checked;
    // A page cache: an access inside the page its last fill saw allowed needs no table loads. Translated code
    // never changes the TLB; helper calls drop the caches (faultCheck).
    // address ^ page is the offset when the address is in the page and at least 4096 otherwise, so one
    // unsigned compare checks both that the first byte is in the page and that the last one is too (an
    // offset below the limit leaves room for 8 bytes); an empty cache's page (2^64 - 1) lets nothing through.
    // The page is an i64 so that "empty" needs no third local (a limit): one register less per cache.
    // (Comparing only the last byte's page let a misaligned dword that starts in the page below through.)
    const hit = m.i64.lt_u(m.i64.xor(m.i64.extend_u(a()), m.local.get(cache.page, Ty.i64)), m.i64.extend_u(m.i32.const(PAGE_CACHE_LIMIT)));
    return m.if(hit, access(host(() => m.local.get(cache.addend, I32))), checked);
  }

  /**
   * The page cache an access may use, or null. SS accesses share the stack
   * page cache, which stores fill (a written page is readable too; the stack
   * is mostly written before it is read). Other accesses inside a loop get a
   * cache of their own site, filled by that site for what it does (a load's
   * page is known readable, a store's writable and not code).
   */
  private pageCacheFor(a: Val, tags: number): { page: number; addend: number; fill: boolean } | null {
    const accessNumber = this.accessIndex++;
    if (this.stackAddresses.has(a)) return { page: L_STACK_PAGE, addend: L_STACK_ADDEND, fill: tags === TAG_WRITE_BASE };
    if (!this.siteCaches || !this.inLoop || !this.tableAddresses.has(a)) return null;
    const key = `${this.pos!.insn.eip}:${accessNumber}`;
    let site = this.siteCacheOf.get(key);
    if (site === undefined) {
      if (this.siteCacheOf.size >= SITE_CACHES) return null;
      site = this.siteCacheOf.size;
      this.siteCacheOf.set(key, site);
    }
    return { page: L_SITE0 + site, addend: L_SITE0 + SITE_CACHES + site, fill: true };
  }

  /**
   * Leaves the region at the current instruction, not run: the interpreter
   * runs it (and the rest of its block). The state in locals is the state
   * before the instruction, as for a fault: emitters write registers only
   * after an instruction's last memory access.
   */
  private retryExit(): Expr {
    const pos = this.pos!;
    return this.exitTo(this.c(pos.insn.eip), pos.count - pos.index, Exit.RETRY);
  }

  /**
   * Host address of linear address `a` when the inline TLB allows the access
   * to its page (its read or write tag matches), else -1: for bulk string
   * chunks that stay inside one page.
   */
  pageHost(a: Val, write: boolean): Val {
    const m = this.m;
    const index = this.temp(this.pageIndex(a));
    const tagged = m.i32.eq(this.pageTag(a, 1), m.i32.load(write ? TAG_WRITE_BASE : TAG_READ_BASE, 4, index()));
    const host = this.linearMemory ? a() : m.i32.add(a(), m.i32.load(TLB_ADDEND_BASE, 4, index()));
    return this.temp(m.select(tagged, host, m.i32.const(-1)));
  }

  /** Byte offset of `a`'s page in the per-page TLB arrays (layout.ts). */
  private pageIndex(a: Val): Expr {
    const m = this.m;
    return m.i32.shl(m.i32.shr_u(a(), m.i32.const(PAGE_SHIFT)), m.i32.const(2));
  }

  /**
   * What a tag must equal for a `size`-byte access at `a`: the page of its
   * last byte | TAG_VALID. It equals the tag of `a`'s page exactly when the
   * access stays in that page, at any alignment. (Tagging the alignment
   * instead sent every misaligned access, a quarter of dhry's, through a
   * second path reading the TLB entry.)
   */
  private pageTag(a: Val, size: number): Expr {
    const m = this.m;
    const last = size === 1 ? a() : m.i32.add(a(), m.i32.const(size - 1));
    return m.i32.or(m.i32.and(last, m.i32.const(~PAGE_MASK)), m.i32.const(TAG_VALID));
  }

  /** Set by store(): the instruction must check for a write to code before the next one runs. */
  wroteMemory = false;

  // ---------------------------------------------------------------- operands

  read(op: Operand): Val {
    const m = this.m;
    switch (op.kind) {
      case 'reg': {
        const r = op.reg, size = op.size;
        return () => this.reg(r, size);
      }
      case 'imm': {
        const v = op.size === 4 ? op.value | 0 : op.value & (op.size === 2 ? 0xffff : 0xff);
        return () => m.i32.const(v);
      }
      case 'mem':
        return this.load(op.size, this.address(op));
      default:
        throw new Error(`translator: cannot read a ${op.kind} operand`);
    }
  }

  /** Reads a register operand's value into a temporary (so later writes do not change it). */
  readNow(op: Operand): Val {
    const v = this.read(op);
    return op.kind === 'reg' ? this.temp(v()) : v;
  }

  write(op: Operand, v: Val, address?: Val): void {
    if (op.kind === 'reg') return this.setReg(op.reg, op.size, v());
    if (op.kind === 'mem') return this.store(op.size, address ?? this.address(op), v);
    throw new Error(`translator: cannot write a ${op.kind} operand`);
  }

  // ---------------------------------------------------------------- lazy flags

  /** Records an arithmetic result for lazy flags (operands and result already in temporaries). */
  setLazy(op: LazyOp, bits: number, dst: Val, src: Val, res: Val, plainSub = false): void {
    const m = this.m;
    this.setCell(Cell.LOP, m.i32.const(lazyCode(op, bits)));
    this.setCell(Cell.LDST, dst());
    this.setCell(Cell.LSRC, src());
    this.setCell(Cell.LRES, res());
    this.known = { op, bits, plainSub };
  }

  /** The current CF as 0/1. */
  carry(): Expr {
    this.materializeDeferred();
    const m = this.m;
    const k = this.known;
    if (k && (k.op === LazyOp.ADD || k.op === LazyOp.SUB)) return this.recordCarry(k.op, () => m.i32.const(k.bits - 1));
    if (k && k.op === LazyOp.LOGIC) return m.i32.const(0);
    // These keep CF (and OF) in the FLAGS cell.
    if (k && (k.op === LazyOp.RESULT || k.op === LazyOp.INC || k.op === LazyOp.DEC)) return m.i32.and(this.cell(Cell.FLAGS), m.i32.const(1));
    if (k) return m.i32.and(this.eflags(), m.i32.const(1));
    // An unknown record (a block's first INC or ADC): CF alone, as the interpreter's carryFlag, not all six flags.
    // Its cells are usually in memory: each is read once (the engine does not merge repeated loads).
    const lop = this.temp(this.cell(Cell.LOP));
    const op = this.temp(m.i32.and(lop(), m.i32.const(0xff)));
    const sh = this.temp(m.i32.sub(m.i32.shr_u(lop(), m.i32.const(8)), m.i32.const(1)));
    const [reads, cell] = this.flagCellsOnce([Cell.LDST, Cell.LSRC, Cell.LRES]);
    this.emit(...reads);
    const [d, s, r] = [cell(Cell.LDST), cell(Cell.LSRC), cell(Cell.LRES)];
    const kept = m.select(m.i32.eq(op(), m.i32.const(LazyOp.LOGIC)), m.i32.const(0), m.i32.and(this.cell(Cell.FLAGS), m.i32.const(1)));
    const sub = m.select(m.i32.eq(op(), m.i32.const(LazyOp.SUB)), this.recordCarry(LazyOp.SUB, sh, d, s, r), kept);
    return m.select(m.i32.eq(op(), m.i32.const(LazyOp.ADD)), this.recordCarry(LazyOp.ADD, sh, d, s, r), sub);
  }

  /**
   * Reads of the flag cells that are in memory into temporaries (to emit
   * before the uses), and each cell's value: a formula uses a cell several
   * times, and the engine does not merge repeated loads of linear memory.
   */
  private flagCellsOnce(cells: Cell[]): [Expr[], (c: Cell) => () => Expr] {
    const reads: Expr[] = [];
    const locals = new Map<Cell, number>();
    for (const c of cells) {
      if (this.pendingFlags !== null || (this.opts.registerCaching && this.flagsInLocals & (1 << c))) continue;
      const t = this.tempLocal();
      reads.push(this.m.local.set(t, this.cell(c)));
      locals.set(c, t);
    }
    return [reads, (c) => {
      const t = locals.get(c);
      return t === undefined ? () => this.cell(c) : () => this.m.local.get(t, I32);
    }];
  }

  /** CF of an ADD or SUB record (its cells unless given), its sign bit at `sh` (the interpreter's carryFlag formulas). */
  private recordCarry(
    op: LazyOp.ADD | LazyOp.SUB,
    sh: () => Expr,
    d: () => Expr = () => this.cell(Cell.LDST),
    s: () => Expr = () => this.cell(Cell.LSRC),
    r: () => Expr = () => this.cell(Cell.LRES),
  ): Expr {
    const m = this.m;
    const not = (x: Expr) => m.i32.xor(x, m.i32.const(-1));
    const bits = op === LazyOp.ADD
      ? m.i32.or(m.i32.and(d(), s()), m.i32.and(m.i32.or(d(), s()), not(r())))
      : m.i32.or(m.i32.and(not(d()), s()), m.i32.and(m.i32.or(not(d()), s()), r()));
    return m.i32.and(m.i32.shr_u(bits, sh()), m.i32.const(1));
  }


  /**
   * EFLAGS computed from the cells, inline (flagsFormula: the formulas of the
   * flag module's function, without a call, which would make the engine keep
   * the region's live values in stack slots).
   */
  eflags(): Expr {
    return this.eflagsValue()();
  }

  private eflagsValue(): Val {
    this.materializeDeferred();
    const m = this.m;
    const out = this.tempLocal();
    const [op, sh, f, lazy] = [this.tempLocal(), this.tempLocal(), this.tempLocal(), this.tempLocal()];
    const [reads, cell] = this.flagCellsOnce([Cell.LDST, Cell.LSRC, Cell.LRES]);
    const formula = flagsFormula(m, {
      lop: () => this.cell(Cell.LOP), dst: cell(Cell.LDST), src: cell(Cell.LSRC), res: cell(Cell.LRES), flags: () => this.cell(Cell.FLAGS), op, sh, f, lazy,
    });
    this.emit(
      m.if(
        m.i32.eqz(this.cell(Cell.LOP)),
        m.local.set(out, this.cell(Cell.FLAGS)),
        m.block(null, [...reads, ...formula.statements, m.local.set(out, formula.value)], NONE),
      ),
    );
    return () => m.local.get(out, I32);
  }

  /** Sets all six status flags to `value`'s bits (nothing lazy survives). */
  replaceStatusFlags(value: Expr): void {
    const m = this.m;
    this.setCell(Cell.FLAGS, m.i32.or(m.i32.and(this.cell(Cell.FLAGS), m.i32.const(~0x8d5)), value));
    this.setCell(Cell.LOP, m.i32.const(0));
    this.known = null;
  }

  /**
   * Replaces CF and OF and keeps the other flags, as the interpreter's
   * setCarryOverflow (rotates): AF goes into FLAGS and the lazy record
   * becomes RESULT, which still gives SF ZF PF. Materialising every flag
   * instead cost a rotate about ten times its own work in sha256's rounds,
   * where a memory access after each rotate keeps its flags live.
   */
  setCarryOverflow(cf: Expr, of: Expr): void {
    this.materializeDeferred();
    const m = this.m;
    // The RESULT record keeps using the recipe's result.
    if (this.pendingFlags !== null) this.adoptPendingFlags();
    const k = this.known;
    const flags = this.cell(Cell.FLAGS);
    const lazyAf = () => m.i32.and(m.i32.xor(m.i32.xor(this.cell(Cell.LDST), this.cell(Cell.LSRC)), this.cell(Cell.LRES)), m.i32.const(0x10));
    const carryOverflow = m.i32.or(cf, m.i32.shl(of, m.i32.const(11)));
    if (k !== null) {
      const arith = k.op === LazyOp.ADD || k.op === LazyOp.SUB || k.op === LazyOp.INC || k.op === LazyOp.DEC;
      const kept = arith || k.op === LazyOp.LOGIC ? m.i32.and(flags, m.i32.const(~0x811)) : m.i32.and(flags, m.i32.const(~0x801));
      this.setCell(Cell.FLAGS, m.i32.or(arith ? m.i32.or(kept, lazyAf()) : kept, carryOverflow));
      if (k.op !== LazyOp.NONE) {
        this.setCell(Cell.LOP, m.i32.const(lazyCode(LazyOp.RESULT, k.bits)));
        this.known = { op: LazyOp.RESULT, bits: k.bits, plainSub: false };
      }
      return;
    }
    const op = this.temp(m.i32.and(this.cell(Cell.LOP), m.i32.const(0xff)));
    // AF: from the record for ADD SUB INC DEC (op 1..5 but LOGIC), cleared for LOGIC, kept for NONE and RESULT.
    const af = m.select(
      m.i32.eq(op(), m.i32.const(LazyOp.LOGIC)),
      m.i32.const(0),
      m.select(m.i32.lt_u(m.i32.sub(op(), m.i32.const(1)), m.i32.const(5)), lazyAf(), m.i32.and(this.cell(Cell.FLAGS), m.i32.const(0x10))),
    );
    this.setCell(Cell.FLAGS, m.i32.or(m.i32.or(m.i32.and(flags, m.i32.const(~0x811)), af), carryOverflow));
    const lop = this.cell(Cell.LOP);
    this.setCell(Cell.LOP, m.select(op(), m.i32.or(m.i32.and(lop, m.i32.const(~0xff)), m.i32.const(LazyOp.RESULT)), m.i32.const(0)));
    this.known = null;
  }

  /**
   * A ROL/ROR by an immediate whose CF and OF nothing reads, though an
   * exception before the next flag writer would see them (every memory
   * access can fault: sha256's rounds put one after each rotate). Its
   * result goes to a local and the flags are made only where they are
   * needed: on the ways out (flagStores), or on the main path before an
   * instruction that reads the flags or keeps some of them
   * (materializeDeferred). An instruction that replaces the six status
   * flags drops them (setCell). A later rotate replaces them: a rotate keeps
   * every flag but CF and OF, so two in a row leave the second's CF and OF
   * on the first's base. Computing them at each rotate cost about 50 wasm
   * operations and up to 6 loads per rotate in those rounds.
   */
  deferRotateFlags(kind: 'rol' | 'ror', result: Expr): void {
    this.emit(this.m.local.set(L_DEFERRED, result));
    this.deferred = kind;
  }

  /** The deferred rotate's flags on the main path (nothing when none is deferred). */
  materializeDeferred(): void {
    const kind = this.deferred;
    if (kind === null) return;
    this.deferred = null;
    const [cf, of] = rotateCarryOverflow(this.m, kind, () => this.m.local.get(L_DEFERRED, I32));
    this.setCarryOverflow(cf, of);
  }

  /** A rotate whose flags are deferred (its result in L_DEFERRED), or null. */
  private deferred: 'rol' | 'ror' | null = null;

  /**
   * `stores()` as if the deferred rotate's flags were made here, for a way
   * out of the block: the code that makes them writes only the flag cells'
   * locals, which the path leaving does not use again, and the emitter's
   * view of the flags is left as it was.
   */
  private withDeferredApplied(stores: () => Expr[]): Expr[] {
    const saved = {
      out: this.out, known: this.known, inLocals: this.flagsInLocals, dirty: this.flagsDirty, pending: this.pendingFlags, deferred: this.deferred,
    };
    this.out = [];
    this.materializeDeferred();
    const code = [...this.out, ...stores()];
    this.out = saved.out;
    this.known = saved.known;
    this.flagsInLocals = saved.inLocals;
    this.flagsDirty = saved.dirty;
    this.pendingFlags = saved.pending;
    this.deferred = saved.deferred;
    return code;
  }

  /** Makes FLAGS exact (LOP = 0), as the interpreter's materializeFlags. */
  materializeFlags(): void {
    const f = this.eflagsValue();
    this.setCell(Cell.FLAGS, f());
    this.setCell(Cell.LOP, this.m.i32.const(0));
    this.known = null;
  }

  /** Condition code `cc` (0..15) as 0/1. */
  condition(cc: number): Expr {
    this.materializeDeferred();
    const m = this.m;
    const k = this.known;
    const negate = (cc & 1) !== 0;
    const kind = cc >> 1;
    const finish = (e: Expr) => (negate ? m.i32.eqz(e) : e);
    if (k) {
      const sh = 32 - k.bits;
      const sx = (c: Cell) => (sh === 0 ? this.cell(c) : m.i32.shr_s(m.i32.shl(this.cell(c), m.i32.const(sh)), m.i32.const(sh)));
      const zx = (c: Cell) => (sh === 0 ? this.cell(c) : m.i32.and(this.cell(c), m.i32.const((1 << k.bits) - 1)));
      if (k.op === LazyOp.SUB && k.plainSub) {
        switch (kind) {
          case 1: return finish(m.i32.lt_u(zx(Cell.LDST), zx(Cell.LSRC)));
          case 2: return finish(m.i32.eq(zx(Cell.LDST), zx(Cell.LSRC)));
          case 3: return finish(m.i32.le_u(zx(Cell.LDST), zx(Cell.LSRC)));
          case 4: return finish(m.i32.lt_s(sx(Cell.LRES), m.i32.const(0)));
          case 6: return finish(m.i32.lt_s(sx(Cell.LDST), sx(Cell.LSRC)));
          case 7: return finish(m.i32.le_s(sx(Cell.LDST), sx(Cell.LSRC)));
        }
      }
      if (k.op === LazyOp.LOGIC) {
        switch (kind) {
          case 0: case 1: return finish(m.i32.const(0));
          case 2: case 3: return finish(m.i32.eqz(zx(Cell.LRES)));
          case 4: case 6: return finish(m.i32.lt_s(sx(Cell.LRES), m.i32.const(0)));
          case 7: return finish(m.i32.le_s(sx(Cell.LRES), m.i32.const(0)));
        }
      }
      if (kind === 2) return finish(m.i32.eqz(zx(Cell.LRES)));
      if (kind === 4) return finish(m.i32.lt_s(sx(Cell.LRES), m.i32.const(0)));
      if (kind === 1 && k.op !== LazyOp.NONE) return finish(this.carry());
      if (kind === 0 && k.op === LazyOp.RESULT) return finish(m.i32.and(m.i32.shr_u(this.cell(Cell.FLAGS), m.i32.const(11)), m.i32.const(1)));
    } else if (kind === 1) {
      return finish(this.carry());
    }
    return conditionOf(m, cc, this.eflagsValue());
  }

  // ---------------------------------------------------------------- helper calls

  /**
   * The current straight-line instruction through the interpreter; leaves
   * for the next instruction when the helper asks for attention.
   */
  interpretInline(): void {
    const insn = this.pos!.insn;
    const status = this.interpret(isolatedHelper(insn));
    this.emit(this.m.if(status(), this.exitTo(this.c((insn.eip + insn.length) | 0), undefined, Exit.ATTENTION)));
  }

  /**
   * A rare case of the current instruction: leave the region before it
   * (slowPathExits) or run it through the interpreter helper.
   */
  rarePath(): Expr {
    return this.opts.slowPathExits ? this.retryExit() : this.sub(() => this.interpretInline());
  }

  /**
   * Runs the current instruction through the interpreter: state to memory,
   * call, state back. Returns the call's status (non-zero: leave the region).
   * `isolated` (an x87 or SIMD instruction that neither reads nor writes a
   * general register or EFLAGS, see isolatedHelper): only the registers
   * its address reads go to memory and nothing comes back, so the block's
   * registers and flags stay in locals (a floating-point loop is mostly such
   * calls); a fault stores the flags on its way out (faultCheck).
   */
  interpret(isolated = false): Val {
    const m = this.m;
    const insn = this.pos!.insn;
    const id = this.helperInsns.length;
    this.helperInsns.push(insn);
    this.helperSites++;
    const st = this.tempLocal();
    const call = [...this.flushBlockState(), ...this.markFaultSite(), m.local.set(st, m.call(Import.INTERP, [m.i32.const(id)], I32))];
    if (isolated) {
      const stores = this.opts.registerCaching
        ? insn.operands.flatMap((o) => (o.kind === 'mem' ? [o.base, o.index].filter((r) => r >= 0) : []))
            .map((r) => this.setSlot(CELL_SLOT[r], this.cell(r)))
        : [];
      this.emit(...stores, ...call, this.faultCheck());
      return () => m.local.get(st, I32);
    }
    const flagStores = this.flagStores();
    // The interpreter reads and writes the flags in memory: later reads in this block load them.
    this.flagsInLocals = this.flagsDirty = 0;
    this.pendingFlags = null;
    this.deferred = null;
    this.emit(
      ...this.writeBack(),
      ...flagStores,
      ...call,
      // Reload first: a REP string instruction that faults part-way has changed registers the fault path writes back.
      ...this.reload(),
      this.faultCheck(),
    );
    this.known = null;
    return () => m.local.get(st, I32);
  }

  // ---------------------------------------------------------------- exits

  /** Instructions of the block not retired at the current point (after the current instruction). */
  private refundAfter(): number {
    const pos = this.pos!;
    return pos.count - pos.index - 1;
  }

  /**
   * Leaves the region for `target` through the shared exit path (see
   * exitPath). `refund` = instructions of the block counted but not run.
   */
  exitTo(target: Val, refund = this.refundAfter(), code: Exit = Exit.MISS): Expr {
    const m = this.m;
    return m.block(null, [
      ...this.flagStores(),
      ...this.blockStateStores(),
      m.local.set(L_TARGET, target()),
      m.local.set(L_REFUND, m.i32.const(refund)),
      m.local.set(L_EXIT, m.i32.const(code)),
      m.br('exit'),
    ], NONE);
  }

  /**
   * The region's exit path: state to memory, then, for a plain exit with
   * budget left, a tail call to the target's translation when the dispatch
   * cache has it; else return to JavaScript.
   */
  exitPath(regionBlocks: number): Expr[] {
    const m = this.m;
    const target = () => m.local.get(L_TARGET, I32);
    const slotAddr = () =>
      m.i32.add(
        m.i32.const(DISPATCH_BASE),
        m.i32.shl(m.i32.and(m.i32.xor(target(), m.i32.shr_u(target(), m.i32.const(DISPATCH_BITS))), m.i32.const(DISPATCH_ENTRIES - 1)), m.i32.const(3)),
      );
    const cached = () => m.i32.eq(m.i32.load(0, 4, slotAddr()), target());
    // L_REFUND is free once the refund is added: it holds the target's block index in this region.
    const ownIndex = () => m.local.get(L_REFUND, I32);
    return [
      m.local.set(L_BUDGET, m.i32.add(m.local.get(L_BUDGET, I32), m.local.get(L_REFUND, I32))),
      // A block of this region (the cache holds its slot): back to the dispatcher, state stays in locals.
      m.if(
        m.i32.and(m.i32.eqz(m.local.get(L_EXIT, I32)), cached()),
        m.block(null, [
          m.local.set(L_REFUND, m.i32.sub(m.i32.load(4, 4, slotAddr()), m.global.get('firstSlot', I32))),
          m.if(
            m.i32.and(m.i32.lt_u(ownIndex(), m.i32.const(regionBlocks)), m.i32.gt_s(m.local.get(L_BUDGET, I32), m.i32.const(0))),
            m.block(null, [m.local.set(L_NEXT, ownIndex()), m.br('dispatch')], NONE),
          ),
        ], NONE),
      ),
      ...this.writeBackChanged(),
      this.setSlot(Slot.EIP, target()),
      this.setSlot(Slot.BUDGET, m.local.get(L_BUDGET, I32)),
      m.if(
        m.i32.and(
          m.i32.and(m.i32.eqz(m.local.get(L_EXIT, I32)), m.i32.gt_s(m.local.get(L_BUDGET, I32), m.i32.const(0))),
          cached(),
        ),
        m.block(null, [
          this.setSlot(Slot.DISPATCH_HITS, m.i32.add(this.slot(Slot.DISPATCH_HITS), m.i32.const(1))),
          m.return_call(Import.JUMP, [m.i32.load(4, 4, slotAddr())], I32),
        ], NONE),
      ),
      m.return(m.local.get(L_EXIT, I32)),
    ];
  }

  /**
   * Jumps to block `to` of this region through the dispatcher (locals stay
   * live): for branches the region's structure cannot express as a `br`.
   */
  dispatchTo(to: number, toEip: number): Expr {
    const m = this.m;
    return m.block(null, [this.budgetCheck(toEip), m.local.set(L_NEXT, m.i32.const(to)), m.br('dispatch')], NONE);
  }

  /** Marks an ordinary arrival at a loop's top (not a dispatch into its body; see RegionShape). */
  clearNext(): Expr {
    return this.m.local.set(L_NEXT, this.m.i32.const(-1));
  }

  /**
   * Leaves for `eip` when the budget is spent. Only backward branches check
   * (and region entries, whose callers check): forward branches inside a
   * region cannot loop, so a region overdraws its budget by at most one
   * forward path through it.
   */
  budgetCheck(eip: number): Expr {
    const m = this.m;
    return m.if(m.i32.le_s(m.local.get(L_BUDGET, I32), m.i32.const(0)), this.exitTo(this.c(eip), 0, Exit.BUDGET));
  }

  /** Block prologue: charge the block's instructions (refunded on an early exit). */
  chargeBlock(count: number): Expr {
    const m = this.m;
    return m.local.set(L_BUDGET, m.i32.sub(m.local.get(L_BUDGET, I32), m.i32.const(count)));
  }

  /** After an instruction that stored to memory: leave if the store hit code (the block may be stale). */
  smcCheck(nextEip: number): Expr {
    const m = this.m;
    return m.if(m.local.get(L_SMC, I32), this.exitTo(this.c(nextEip), this.refundAfter(), Exit.ATTENTION));
  }

  get nextLocal(): number {
    return L_NEXT;
  }

  /** Local that is non-zero once a store of the current block hit code. */
  get smcLocal(): number {
    return L_SMC;
  }
}

const SIMD_GROUPS = new Set(['mmx', 'sse', 'sse2', 'sse3']);

/**
 * An x87, MMX or SSE instruction that leaves general registers and EFLAGS
 * alone: not FNSTSW AX, FCOMI, FCMOV, COMISS, MOVD r32, CVTSS2SI, PEXTRW,
 * PMOVMSKB..., nor MASKMOVQ/MASKMOVDQU, which store through DS:eDI.
 */
function isolatedHelper(insn: Instruction): boolean {
  const e = insn.entry;
  if (e.flagsRead !== 0 || e.flagsWritten !== 0) return false;
  if (e.group === 'x87') return insn.operands.every((o) => o.kind === 'mem' || o.kind === 'st');
  return (
    SIMD_GROUPS.has(e.group) &&
    !e.op.startsWith('maskmov') &&
    insn.operands.every((o) => o.kind === 'mem' || o.kind === 'xmm' || o.kind === 'mmx' || o.kind === 'imm')
  );
}

/** CF and OF of a ROL or ROR from its result (the interpreter's rotate flags; OF as for a count of 1). */
export function rotateCarryOverflow(m: IrBuilder, kind: 'rol' | 'ror', r: () => Expr): [Expr, Expr] {
  const msb = () => m.i32.shr_u(r(), m.i32.const(31));
  return kind === 'rol'
    ? [m.i32.and(r(), m.i32.const(1)), m.i32.xor(msb(), m.i32.and(r(), m.i32.const(1)))]
    : [msb(), m.i32.and(m.i32.xor(msb(), m.i32.shr_u(r(), m.i32.const(30))), m.i32.const(1))];
}
