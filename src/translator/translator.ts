import { Seg } from '../decoder/types.js';
import { endControl, type Block } from '../runtime/block-cache.js';
import { CpuException } from '../runtime/exceptions.js';
import { compileInstruction, Exec } from '../runtime/interp/compile.js';
import { DISPATCH_BASE, DISPATCH_ENTRIES, Slot } from '../runtime/layout.js';
import type { Machine } from '../runtime/machine.js';
import { SegAttr } from '../runtime/segments.js';
import { TranslateOptions } from './emitter.js';
import { dispatchSlot, Exit, MISS_INDEX } from './layout.js';
import { CompiledRegion, compileRegion, observedSuccessors, successors } from './region-compiler.js';
import { SlotRanges } from './slot-ranges.js';

export interface TranslatorOptions extends TranslateOptions {
  /** 'jit': translate every block before it first runs; 'auto': interpret first, translate hot regions. */
  mode: 'jit' | 'auto';
  /** auto: executions of a block before its region is translated. */
  threshold: number;
  /** Blocks one region (one module) may hold. */
  maxRegionBlocks: number;
  /** Live modules before every translation is flushed and translation starts over. */
  maxModules: number;
  /**
   * auto: a hot block whose region would absorb a big translated region
   * (16 blocks or more) must first run this many times the threshold; 0:
   * it never waits.
   */
  lateFactor: number;
  /**
   * auto: where a hot block whose region would absorb a big, older
   * translated region goes (see lateSeeds): 'wait' (it runs lateFactor
   * times the threshold first, then its region absorbs the big one; a loop
   * whose rare branches warm late ends up in one region, as lz77 needs) or
   * 'apart' (compiled now in a region that absorbs no translated code, so
   * the late block is not interpreted meanwhile; Debian's boot interpreted
   * 10 M instructions of such blocks waiting with a threshold of 1,500).
   */
  lateBlocks: 'wait' | 'apart';
  /**
   * auto: guest instructions between a block becoming hot and its region
   * being compiled (0: at once); the blocks that got hot meanwhile compile
   * together (see compileWaiting), where one by one each new region would
   * absorb the last and compile it again. System mode uses one (measured at
   * SYSTEM_BATCH_WINDOW); a Linux process does not (docs/translator.md).
   */
  batchWindow: number;
  /**
   * auto: hand binaries to WebAssembly.compile and keep interpreting until
   * they are ready, instead of compiling synchronously. Off by default: the
   * engine's synchronous compile is lazy (tens of µs per module) while an
   * asynchronous one took tens of ms to come back here, so hot code stayed
   * interpreted longer (92% translated on sieve instead of 99.98%).
   */
  asyncCompile: boolean;
  /**
   * Jumps that leave a region (direct or indirect) find their target through
   * the dispatch cache without leaving wasm. Off: the cache stays empty, so
   * every such jump returns to JavaScript, which looks the target up (to
   * measure what chaining buys).
   */
  chaining: boolean;
  /** Called with each module's text and binary (for --dump-wasm). */
  onModule?: (id: number, binary: Uint8Array, region: CompiledRegion) => void;
}

export const DEFAULT_TRANSLATOR_OPTIONS: TranslatorOptions = {
  mode: 'auto',
  threshold: 50,
  maxRegionBlocks: 48,
  maxModules: 4096,
  lateFactor: 8,
  lateBlocks: 'wait',
  batchWindow: 0,
  asyncCompile: false,
  chaining: true,
  registerCaching: true,
  flagLiveness: true,
  flagsAcrossBlocks: true,
  inlineTlb: true,
  pageCaches: true,
  continuations: true,
  slowPathExits: true,
  codegen: 'direct',
  x87Inline: true,
};

export interface TranslatorStats {
  /** Guest instructions retired inside translated code. */
  translatedInstructions: number;
  /** ... of which ran through the interpreter helper. */
  helperInstructions: number;
  /** Loads and stores that left the inline soft-TLB path. */
  slowMemoryAccesses: number;
  regionsCompiled: number;
  blocksCompiled: number;
  instructionsCompiled: number;
  /** Instructions translated to a helper call rather than inline wasm (static count). */
  helperSites: number;
  /** Blocks also emitted as part of their predecessor (TranslateOptions.continuations; static count). */
  continuedBlocks: number;
  /** Milliseconds spent generating code with Binaryen and compiling it with the engine. */
  codegenMs: number;
  compileMs: number;
  /** Wall time from handing binaries to WebAssembly.compile to getting modules back (the interpreter ran meanwhile). */
  asyncCompileMs: number;
  /** Entries into translated code from JavaScript. */
  entries: number;
  /** Jumps between regions found in the dispatch cache inside wasm. */
  chainHits: number;
  /** Returns to JavaScript because the next block was not in the dispatch cache. */
  dispatchMisses: number;
  invalidations: number;
  /** Translations thrown away because their code was written while they compiled. */
  discarded: number;
  /** Hot blocks next to a big region made to wait before recompiling it (lateBlocks 'wait'). */
  postponed: number;
  /** Regions of such blocks compiled apart, absorbing no translated code (lateBlocks 'apart'). */
  keptApart: number;
  flushes: number;
  liveModules: number;
}

interface Entry {
  fn: () => number;
  region: Region;
  slot: number;
}

interface Region {
  id: number;
  blocks: Block[];
  /** Table slots firstSlot .. firstSlot + blocks.length - 1 hold the entry functions, in block order. */
  firstSlot: number;
  valid: boolean;
  /** BlockCache.mappingEpoch when its blocks were last seen mapped to their frames (-1: not yet). */
  epoch: number;
  /** Guest instructions retired (Machine.icount) when it was installed. */
  bornAt: number;
  /** Every block's code is on global pages (Block.globalCode): a CR3 write leaves it mapped as it was. */
  global: boolean;
}

/**
 * The translation tier of one VM: forms regions of hot blocks, compiles
 * them through Binaryen into modules that share the VM's memory and one
 * function table, keeps the dispatch cache that lets translated code jump
 * to other translated code without returning to JavaScript, and drops
 * translations whose guest code is written or whose mappings change.
 */
export class Translator {
  readonly opts: TranslatorOptions;
  private readonly table: WebAssembly.Table;
  /**
   * The one instance that imports the table: its jump(slot) tail-calls the
   * slot's entry, and region modules tail-call jump. V8 in Node 20 keeps,
   * per table, every instance that imported it (dead ones too), updates all
   * of them on each Table.set and grow, and copies the whole table into each
   * new one. Measured here: Table.set ~40 ns per importing instance,
   * instantiation ~25 ns per table entry, a grow both multiplied; a Linux
   * boot whose 3,700 region modules imported the table spent 13 s
   * instantiating, 6.5 s in Table.set and 6.8 s in 8 grows.
   */
  private readonly hub: (slot: number) => number;
  private readonly dispatch: Int32Array;
  /**
   * Indexes of the dispatch entries learned since the cache was last
   * emptied: a remapping (a CR3 write: the kernel's text_poke makes tens of
   * thousands) clears just these, not the whole cache.
   */
  private learned: number[] = [];
  /** The same for regions whose code is all on global pages (Region.global), which a CR3 write does not forget. */
  private learnedGlobal: number[] = [];
  private readonly entriesByEip = new Map<number, Entry>();
  private readonly regionOf = new WeakMap<Block, Region>();
  /** Entry points found untranslatable (jit mode): interpreted without asking again. */
  private readonly refused = new Set<number>();
  private readonly slots = new SlotRanges(1);
  private readonly regions = new Set<Region>();
  private readonly hotQueue: Block[] = [];
  private compiling = 0;
  private generation = 0;
  private nextId = 0;
  private readonly memoryPages: number;
  /** The guest exception a helper met, delivered once translated code has left through its fault path. */
  private pendingFault: CpuException | null = null;
  /** Translated code left with Exit.RETRY: the next block at EIP (its first instruction missed the TLB) is interpreted. */
  private interpretNext = false;
  private readonly counters = {
    translatedInstructions: 0, helperInstructions: 0, slowMemoryAccesses: 0, regionsCompiled: 0, blocksCompiled: 0,
    instructionsCompiled: 0, helperSites: 0, continuedBlocks: 0, codegenMs: 0, compileMs: 0, asyncCompileMs: 0, entries: 0, dispatchMisses: 0,
    invalidations: 0, discarded: 0, postponed: 0, keptApart: 0, flushes: 0,
  };

  constructor(private readonly vm: Machine, opts: Partial<TranslatorOptions> = {}) {
    this.opts = { ...DEFAULT_TRANSLATOR_OPTIONS, ...opts, ...(vm.x87Exact ? { x87Inline: false } : {}) };
    if (this.opts.mode === 'jit') this.opts.threshold = 0;
    this.table = new WebAssembly.Table({ initial: 1024, element: 'anyfunc' });
    // Table slot 0: what an empty dispatch entry calls. State is already written back; just return.
    this.table.set(MISS_INDEX, this.missFunction());
    this.hub = this.hubFunction();
    this.memoryPages = vm.mem.memory.buffer.byteLength / 65536;
    this.dispatch = new Int32Array(vm.mem.memory.buffer, DISPATCH_BASE, DISPATCH_ENTRIES * 2);
    this.dispatch.fill(0);
  }

  get threshold(): number {
    return this.opts.threshold;
  }

  /** jit mode: every block is translated before it runs, so the run loop asks at every block. */
  get eager(): boolean {
    return this.opts.mode === 'jit';
  }

  /**
   * Runs translated code from the current EIP if there is a translation
   * (in jit mode, makes one first). Returns false when the interpreter must
   * run this block.
   */
  tryRun(eip: number, limit: number): boolean {
    if (this.interpretNext) {
      this.interpretNext = false;
      return false;
    }
    // Translations are keyed by EIP and made of flat 32-bit code (see translatable): any other CS is interpreted.
    const s = this.vm.cpu.s;
    if (s[Slot.SEG_BASE + Seg.CS] !== 0 || !(s[Slot.SEG_ATTR + Seg.CS] & SegAttr.DEFAULT_BIG)) return false;
    // Nor does translated code check segment limits: while a segment needs them, the interpreter runs.
    if (this.vm.cpu.checkedSegments !== 0) return false;
    let entry = this.entriesByEip.get(eip);
    if (entry === undefined) {
      if (this.opts.mode !== 'jit' || this.refused.has(eip)) return false;
      entry = this.translateNow(eip);
      if (entry === undefined) return false;
    }
    if (!this.current(entry.region)) return false;
    this.enter(entry, limit);
    return true;
  }

  /** The interpreter saw block `b` reach the hotness threshold: queue its region. */
  hot(b: Block): void {
    if (this.regionOf.has(b) || !translatable(b)) return;
    if (this.opts.asyncCompile) {
      this.hotQueue.push(b);
      if (this.compiling === 0) this.pump();
    } else if (this.opts.mode === 'auto' && this.opts.batchWindow > 0) {
      if (this.waitingSeeds.length === 0) this.compileAt = this.vm.icount + this.opts.batchWindow;
      this.waitingSeeds.push(b);
    } else {
      this.compileNow(b);
    }
  }

  /**
   * Instruction count at which the hot blocks waiting (see batchWindow)
   * compile; Infinity while none waits. The run loop calls compileWaiting()
   * once it is reached, when it runs a block past the threshold: the
   * waiting blocks are such blocks, so a window whose blocks still run ends.
   */
  compileAt = Infinity;
  private waitingSeeds: Block[] = [];

  /**
   * Compiles the hot blocks that waited for the batch window: one region
   * searched from all of them at once (up to twice the usual size, so the
   * hot blocks of one phase of the program stay together), then more for
   * those that did not fit.
   */
  compileWaiting(): void {
    let seeds = this.waitingSeeds.filter((b) => b.valid && !this.regionOf.has(b));
    this.waitingSeeds = [];
    this.compileAt = Infinity;
    while (seeds.length > 0) {
      const plan = this.formRegion(seeds, BATCH_REGION_FACTOR * this.opts.maxRegionBlocks);
      this.compilePlan(seeds, plan);
      seeds = seeds.filter((b) => !plan.blocks.includes(b) && b.valid && !this.regionOf.has(b));
    }
  }

  /** Compiles are in flight (the caller should let the event loop run now and then). */
  get busy(): boolean {
    return this.compiling > 0;
  }

  /** A decoded block was invalidated (its bytes were written): its region goes. */
  blockInvalidated(b: Block): void {
    const r = this.regionOf.get(b);
    if (r && r.valid) {
      this.counters.invalidations++;
      this.dropRegion(r);
    }
  }

  /** Every decoded block is gone (mappings changed): so is every translation. */
  flush(): void {
    this.generation++;
    for (const r of this.regions) this.dropRegion(r);
    this.refused.clear();
    for (const b of this.hotQueue) b.hits = 0;
    this.hotQueue.length = 0;
    this.waitingSeeds = [];
    this.compileAt = Infinity;
    this.forgetDispatch();
    this.slots.reset();
  }

  /**
   * Linear-to-physical mappings changed (Machine.remapped): translated code
   * stays, but the dispatch cache forgets it, so each region is entered from
   * JavaScript once more and checked against the new mappings (current).
   * `globalPagesKept` (a CR3 write): regions whose code is all on global
   * pages stay in the cache, since their mappings are the same in every
   * address space. Debian's boot writes CR3 about 16,000 times on its way
   * to the marker, and 430 K of its jumps between regions went back to JavaScript
   * only to find the kernel's own regions again.
   */
  remapped(globalPagesKept = false): void {
    this.forgetDispatch(globalPagesKept);
  }

  private clearDispatchEntry(i: number): void {
    this.dispatch[i] = 0;
    this.dispatch[i + 1] = MISS_INDEX;
  }

  private forgetDispatch(globalPagesKept = false): void {
    const lists = globalPagesKept ? [this.learned] : [this.learned, this.learnedGlobal];
    if (lists.some((l) => l.length >= FORGET_ALL_AT)) {
      this.dispatch.fill(0);
      this.learned = [];
      this.learnedGlobal = [];
      return;
    }
    for (const l of lists) for (const i of l) this.clearDispatchEntry(i);
    this.learned = [];
    if (!globalPagesKept) this.learnedGlobal = [];
  }

  /**
   * Whether region `r` still runs on the frames it was compiled from; if a
   * block's pages map elsewhere now, the block goes and takes the region along.
   */
  private current(r: Region): boolean {
    const blocks = this.vm.blocks;
    if (!r.valid) return false;
    if (r.epoch === blocks.mappingEpoch) return true;
    for (const b of r.blocks) if (!blocks.current(b)) break;
    if (!r.valid) return false;
    r.epoch = blocks.mappingEpoch;
    r.global = r.blocks.every((b) => b.globalCode);
    return true;
  }

  /**
   * DS, ES or SS got a new base, or the paging state changed (Machine.directRam):
   * translations assume the flat bases and the direct RAM they were compiled
   * with, so they all go; returns whether any did.
   */
  assumptionsChanged(): boolean {
    if (this.regions.size === 0 && this.compiling === 0) return false;
    this.flush();
    return true;
  }

  stats(): TranslatorStats {
    const s = this.vm.cpu.s;
    return { ...this.counters, chainHits: s[Slot.DISPATCH_HITS] >>> 0, liveModules: this.regions.size };
  }

  // ---------------------------------------------------------------- running

  private enter(entry: Entry, limit: number): void {
    const vm = this.vm;
    const s = vm.cpu.s;
    const budget = Math.min(limit - vm.icount, ENTRY_SLICE);
    s[Slot.BUDGET] = budget;
    this.counters.entries++;
    const profile = vm.profile;
    const left = profile?.switchTo('translated');
    // Through the hub, one function for every entry: V8 compiles a specialised JS-to-wasm wrapper for a function
    // called often, and thousands of entry functions each called a few times went through its generic one.
    const exit = this.hub(entry.slot);
    if (profile) profile.switchTo(left!);
    this.retire(budget - s[Slot.BUDGET]);
    if (exit === Exit.FAULT) {
      const e = this.pendingFault!;
      this.pendingFault = null;
      s[Slot.FAULT] = 0;
      vm.personality.onException(vm, e);
    } else if (exit === Exit.MISS) {
      this.counters.dispatchMisses++;
      this.learn(s[Slot.EIP]);
    } else if (exit === Exit.RETRY) {
      this.counters.slowMemoryAccesses++;
      this.interpretNext = true;
    } else if (exit === Exit.ATTENTION) {
      // A store hit code (abort) or a helper asked for attention: the run loop looks.
      vm.abort = false;
    }
  }

  private retire(n: number): void {
    this.vm.icount += n;
    this.counters.translatedInstructions += n;
  }

  /** Puts a translated `eip` into the dispatch cache, so the next jump there stays in wasm. */
  private learn(eip: number): void {
    if (!this.opts.chaining) return;
    const entry = this.entriesByEip.get(eip);
    if (entry === undefined || !this.current(entry.region)) return;
    const i = dispatchSlot(eip) * 2;
    this.dispatch[i] = eip;
    this.dispatch[i + 1] = entry.slot;
    // Past a quarter of the cache forgetDispatch empties all of it: no need to remember more (or to grow without end).
    const learned = entry.region.global ? this.learnedGlobal : this.learned;
    if (learned.length < FORGET_ALL_AT) learned.push(i);
  }

  // ---------------------------------------------------------------- building

  private translateNow(eip: number): Entry | undefined {
    const vm = this.vm;
    const b = vm.blocks.lookupFast(eip) ?? vm.blocks.lookup(eip);
    if (!translatable(b)) {
      this.refused.add(eip);
      return undefined;
    }
    this.compileNow(b);
    const entry = this.entriesByEip.get(eip);
    if (entry === undefined) this.refused.add(eip);
    return entry;
  }

  /** Forms, builds and installs the region seeded at `b` on this thread. */
  private compileNow(b: Block): void {
    this.compilePlan([b], this.formRegion([b], this.opts.maxRegionBlocks));
  }

  /** Builds and installs region `plan` seeded at `seeds`, unless it must wait (the time split charges it to compiling). */
  private compilePlan(seeds: Block[], plan: RegionPlan): void {
    const profile = this.vm.profile;
    const left = profile?.switchTo('compile');
    if (this.lateSeeds(seeds, plan)) {
      if (this.opts.lateBlocks === 'apart') {
        this.counters.keptApart++;
        this.install(this.build(this.formRegion(seeds, this.opts.maxRegionBlocks, false)));
      } else {
        this.postpone(seeds);
      }
    } else {
      this.install(this.build(plan));
    }
    if (profile) profile.switchTo(left!);
  }

  /**
   * A block that warms up next to a big translated region would recompile
   * all of it: with lateBlocks 'wait' it must first run lateFactor times
   * the threshold (its hit count is set back so the interpreter calls hot()
   * again then), with 'apart' it is compiled without it. In lz77
   * the rare branches of a 40-block loop warmed one by one and recompiled
   * it nine times, each time starting over in the engine's baseline tier.
   * Not when the regions it would absorb are young (installed within
   * YOUNG_REGION thresholds' worth of guest instructions): then the block
   * warmed up together with them, as the blocks of one long straight-line
   * function do. Debian's boot has a hash function of 14 such blocks; its
   * last one became hot first, the 12 before it were each postponed by
   * 21,000 runs, and its 13,812 calls were interpreted: 10.6 M of the
   * boot's 68 M interpreted instructions.
   */
  private lateSeeds(seeds: Block[], plan: RegionPlan): boolean {
    const absorbedBlocks = plan.absorbed.reduce((n, r) => n + r.blocks.length, 0);
    if (this.opts.mode !== 'auto' || absorbedBlocks < BIG_REGION) return false;
    if (this.opts.lateBlocks === 'wait' && (this.opts.lateFactor <= 1 || seeds.every((b) => this.postponed.has(b)))) return false;
    const youngSince = this.vm.icount - YOUNG_REGION * this.opts.threshold;
    return !plan.absorbed.every((r) => r.bornAt > youngSince);
  }

  /** The seeds run lateFactor times the threshold more before hot() is called for them again (see lateSeeds). */
  private postpone(seeds: Block[]): void {
    for (const seed of seeds) {
      this.postponed.add(seed);
      seed.hits = this.opts.threshold - (this.opts.lateFactor - 1) * this.opts.threshold;
    }
    this.counters.postponed++;
  }

  /** Blocks whose region was postponed once (see postpone). */
  private readonly postponed = new WeakSet<Block>();

  /**
   * The region seeded at `seeds`: they and the blocks reached from them by
   * direct branches and fall-through, breadth first, that are not
   * translated yet, `max` blocks at most. In auto mode
   * only blocks the interpreter has already decoded (run at least once)
   * join, so cold paths are not compiled. A live region the search reaches
   * is absorbed whole when it fits (and `absorb`): its blocks are compiled
   * again with the new ones and it is dropped when the new region is
   * installed, so code that became hot in pieces ends up in one module
   * (branches between regions cost a write-back, a table call and a reload).
   */
  private formRegion(seeds: Block[], max: number, absorb = true): RegionPlan {
    const vm = this.vm;
    const blocks: Block[] = [];
    const seen = new Set<number>();
    // Seeds past `max` are left out of the search too: compileWaiting gives them a region of their own.
    for (const b of seeds) {
      if (blocks.length < max && !seen.has(b.eip)) blocks.push(b);
      seen.add(b.eip);
    }
    const absorbed: Region[] = [];
    const queue = blocks.flatMap(searchSuccessors);
    while (queue.length > 0 && blocks.length < max) {
      const eip = queue.shift()!;
      if (seen.has(eip)) continue;
      seen.add(eip);
      const translated = this.entriesByEip.get(eip);
      if (translated !== undefined) {
        const r = translated.region;
        if (absorb && r.valid && !absorbed.includes(r) && blocks.length + r.blocks.length <= max) {
          absorbed.push(r);
          for (const b of r.blocks) {
            seen.add(b.eip);
            blocks.push(b);
            queue.push(...searchSuccessors(b));
          }
        }
        continue;
      }
      const b = this.opts.mode === 'jit' ? (vm.blocks.lookupFast(eip) ?? vm.blocks.lookup(eip)) : vm.blocks.peek(eip);
      if (!b || !translatable(b) || this.regionOf.has(b)) continue;
      blocks.push(b);
      queue.push(...searchSuccessors(b));
    }
    return { blocks, absorbed };
  }

  private build({ blocks, absorbed }: RegionPlan): CompileJob {
    const started = performance.now();
    const s = this.vm.cpu.s;
    const flatData = (s[Slot.SEG_BASE + Seg.DS] | s[Slot.SEG_BASE + Seg.ES] | s[Slot.SEG_BASE + Seg.SS]) === 0;
    const compiled = compileRegion(blocks, this.opts, this.memoryPages, {
      flatData,
      linearMemory: this.vm.mem.linear,
      // An embedder watching accesses must see every read (Machine.watchAccesses).
      directRam: this.vm.mmu.watchingAccesses ? null : this.vm.directRam,
    });
    this.counters.codegenMs += performance.now() - started;
    return { compiled, absorbed, generation: this.generation, started };
  }

  private install(job: CompileJob, module?: WebAssembly.Module): void {
    const { compiled, absorbed } = job;
    const taken = (b: Block): boolean => {
      const r = this.regionOf.get(b);
      return r !== undefined && !absorbed.includes(r);
    };
    if (
      job.generation !== this.generation ||
      absorbed.some((r) => !r.valid) ||
      compiled.blocks.some((b) => !b.valid || taken(b))
    ) {
      this.counters.discarded++;
      for (const b of compiled.blocks) if (!taken(b)) b.hits = 0; // to be found hot again
      return;
    }
    for (const r of absorbed) this.dropRegion(r);
    if (!module) {
      const t = performance.now();
      module = new WebAssembly.Module(compiled.binary);
      this.counters.compileMs += performance.now() - t;
    }
    if (this.regions.size >= this.opts.maxModules) {
      this.counters.flushes++;
      this.flush();
    }
    const n = compiled.blocks.length;
    const firstSlot = this.slots.allocate(n);
    if (firstSlot + n > this.table.length) this.table.grow(Math.max(1024, firstSlot + n - this.table.length));
    const region: Region = {
      id: this.nextId++,
      blocks: compiled.blocks,
      firstSlot,
      valid: true,
      epoch: -1,
      bornAt: this.vm.icount,
      global: compiled.blocks.every((b) => b.globalCode),
    };
    const instance = new WebAssembly.Instance(module, this.imports(compiled, firstSlot));
    const exports = instance.exports as Record<string, () => number>;
    compiled.blocks.forEach((b, k) => {
      const slot = firstSlot + k;
      const fn = exports[`e${k}`];
      this.table.set(slot, fn);
      this.regionOf.set(b, region);
      this.entriesByEip.set(b.eip, { fn, region, slot });
      b.translated = true;
      this.learn(b.eip);
    });
    this.regions.add(region);
    this.counters.regionsCompiled++;
    this.counters.blocksCompiled += compiled.blocks.length;
    this.counters.instructionsCompiled += compiled.instructions;
    this.counters.helperSites += compiled.helperSites;
    this.counters.continuedBlocks += compiled.continuedBlocks;
    this.opts.onModule?.(region.id, compiled.binary, compiled);
  }

  private pump(): void {
    while (this.hotQueue.length > 0) {
      const seed = this.hotQueue.shift()!;
      if (!seed.valid || this.regionOf.has(seed)) continue;
      const job = this.build(this.formRegion([seed], this.opts.maxRegionBlocks));
      // Blocks of a region in flight must not seed another one (absorbed blocks are in a live region).
      for (const b of job.compiled.blocks) if (!this.regionOf.has(b)) this.regionOf.set(b, PENDING);
      this.compiling++;
      const t = performance.now();
      WebAssembly.compile(job.compiled.binary).then(
        (module) => {
          this.compiling--;
          this.counters.asyncCompileMs += performance.now() - t;
          for (const b of job.compiled.blocks) if (this.regionOf.get(b) === PENDING) this.regionOf.delete(b);
          this.install(job, module);
          if (this.compiling === 0) this.pump();
        },
        (err) => {
          this.compiling--;
          throw err;
        },
      );
      return;
    }
  }

  /**
   * Takes region `r` out of use. Its blocks start warming up again: the
   * interpreter calls hot() when a block's count reaches the threshold
   * exactly, so a block still counting past it would never be translated
   * again (after a flush, the kernel's busiest loops stayed interpreted).
   */
  private dropRegion(r: Region): void {
    if (!r.valid) return;
    r.valid = false;
    this.regions.delete(r);
    for (const b of r.blocks) {
      b.hits = 0;
      if (this.regionOf.get(b) === r) this.regionOf.delete(b);
      const entry = this.entriesByEip.get(b.eip);
      if (entry && entry.region === r) {
        this.entriesByEip.delete(b.eip);
        b.translated = false;
      }
    }
    // An entry point is cached only in its own EIP's dispatch entry.
    const first = r.firstSlot, end = r.firstSlot + r.blocks.length;
    for (const b of r.blocks) {
      const i = dispatchSlot(b.eip) * 2;
      const slot = this.dispatch[i + 1];
      if (this.dispatch[i] === b.eip && slot >= first && slot < end) this.clearDispatchEntry(i);
    }
    this.slots.free(first, r.blocks.length);
  }

  private imports(compiled: CompiledRegion, firstSlot: number): WebAssembly.Imports {
    const vm = this.vm;
    const mmu = vm.mmu;
    const counters = this.counters;
    const ops: Exec[] = compiled.helperInsns.map((insn) => compileInstruction(insn, vm, false));
    const stored = (): number => {
      if (!vm.abort) return 0;
      vm.abort = false;
      return 1;
    };
    const fault = (e: unknown): number => {
      if (!(e instanceof CpuException)) throw e;
      this.pendingFault = e;
      vm.cpu.s[Slot.FAULT] = 1;
      return 0;
    };
    // Helpers never throw a guest exception into wasm: they record it and translated code leaves by its fault path.
    const read = (f: (a: number) => number) => (a: number) => {
      counters.slowMemoryAccesses++;
      try {
        return f(a);
      } catch (e) {
        return fault(e);
      }
    };
    const write = (f: (a: number, v: number) => void) => (a: number, v: number) => {
      counters.slowMemoryAccesses++;
      try {
        f(a, v);
        return stored();
      } catch (e) {
        return fault(e);
      }
    };
    return {
      env: {
        memory: vm.mem.memory,
        jump: this.hub,
        firstSlot,
        rd8: read((a) => mmu.read8(a)),
        rd16: read((a) => mmu.read16(a)),
        rd32: read((a) => mmu.read32(a)),
        wr8: write((a, v) => mmu.write8(a, v)),
        wr16: write((a, v) => mmu.write16(a, v)),
        wr32: write((a, v) => mmu.write32(a, v)),
        interp: (id: number) => {
          counters.helperInstructions++;
          vm.abort = false;
          try {
            ops[id]();
          } catch (e) {
            return fault(e);
          }
          const status = vm.abort || vm.attention ? 1 : 0;
          vm.abort = false;
          return status;
        },
      },
    };
  }

  /** The hub module: imports env.table, exports jump(slot) = return_call_indirect slot () -> i32. */
  private hubFunction(): (slot: number) => number {
    const bytes = new Uint8Array([
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // header
      0x01, 0x0a, 0x02, 0x60, 0x00, 0x01, 0x7f, 0x60, 0x01, 0x7f, 0x01, 0x7f, // types: () -> i32, (i32) -> i32
      0x02, 0x0f, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x05, 0x74, 0x61, 0x62, 0x6c, 0x65, 0x01, 0x70, 0x00, 0x00, // import env.table: funcref, min 0
      0x03, 0x02, 0x01, 0x01, // function 0 of type 1
      0x07, 0x08, 0x01, 0x04, 0x6a, 0x75, 0x6d, 0x70, 0x00, 0x00, // export "jump"
      0x0a, 0x09, 0x01, 0x07, 0x00, 0x20, 0x00, 0x13, 0x00, 0x00, 0x0b, // body: local.get 0; return_call_indirect (type 0) (table 0)
    ]);
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { table: this.table } });
    return instance.exports.jump as (slot: number) => number;
  }

  private missFunction(): () => number {
    // A one-function module: the table needs a wasm function of the entry type.
    const bytes = new Uint8Array([
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // header
      0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f, // type: () -> i32
      0x03, 0x02, 0x01, 0x00, // function 0 of type 0
      0x07, 0x05, 0x01, 0x01, 0x6d, 0x00, 0x00, // export "m"
      0x0a, 0x06, 0x01, 0x04, 0x00, 0x41, Exit.MISS, 0x0b, // body: i32.const MISS
    ]);
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
    return instance.exports.m as () => number;
  }
}

/**
 * Instructions one entry from JavaScript may run. The engine has no
 * on-stack replacement for wasm: a region that loops forever would stay in
 * its first (baseline) tier; coming back to JavaScript now and then lets
 * the next entry use the optimised code. About a millisecond of guest time.
 */
const ENTRY_SLICE = 1 << 20;


/** Blocks to compile as one region, and the live regions whose blocks it takes over. */
interface RegionPlan {
  blocks: Block[];
  absorbed: Region[];
}

interface CompileJob {
  compiled: CompiledRegion;
  absorbed: Region[];
  generation: number;
  started: number;
}

/** Marks blocks of a region being compiled. */
const PENDING: Region = { id: -1, blocks: [], firstSlot: 0, valid: false, epoch: -1, bornAt: 0, global: false };

/** Translated blocks a new region would absorb before its seed must prove hotter (see postpone). */
const BIG_REGION = 16;
/** A region searched from the seeds of one batch window may hold this many times maxRegionBlocks. */
const BATCH_REGION_FACTOR = 2;
/** A region installed less than this many thresholds' worth of guest instructions ago is still warming up (postpone). */
const YOUNG_REGION = 100;
/** Learned dispatch entries past which emptying the whole cache is cheaper than clearing them one by one. */
const FORGET_ALL_AT = DISPATCH_ENTRIES / 4;

/** Blocks the translator takes: flat 32-bit code whose instructions all decoded. */
function translatable(b: Block): boolean {
  return b.valid && b.csBase === 0 && b.codeSize === 4 && b.insnCount > 0 && !b.faultsAtEnd && !b.hooked;
}


/**
 * Where the region search goes from block `b`: its direct successors and,
 * after an indirect jump or call, the blocks it went to when interpreted
 * (so a comparator called through a pointer joins its caller's region, and
 * the call stays a branch inside the module).
 */
function searchSuccessors(b: Block): number[] {
  const control = endControl(b);
  const direct = successors(b);
  return control === 'jmp-indirect' || control === 'call-indirect' ? [...direct, ...observedSuccessors(b)] : direct;
}
