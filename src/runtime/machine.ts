import { BlockCache, Block, insnsOf, type CodeBreakpoints } from './block-cache.js';
import type { Instruction } from '../decoder/types.js';
import { Cpu } from './cpu.js';
import { CpuException, Vector } from './exceptions.js';
import { Slot } from './layout.js';
import { GuestMemory } from './memory.js';
import { type AccessWatch, Mmu, PageMapper } from './mmu.js';
import { Stack } from './interp/stack.js';
import { compileInstruction } from './interp/compile.js';
import { Translator, TranslatorOptions, TranslatorStats } from '../translator/translator.js';
import { Lockstep, LockstepStats } from '../translator/lockstep.js';
import { TimeProfile, profiledPersonality } from './time-profile.js';

/** EFLAGS.TF: trap after every instruction. */
const TRAP_FLAG = 0x100;

/**
 * How guest code runs: interpreted only, translated before it first runs, or
 * interpreted until hot; 'lockstep' runs every block both interpreted and
 * translated and stops at the first difference (a check of the translator).
 */
export type Engine = 'interp' | 'jit' | 'auto' | 'lockstep';

/** Why Machine.run returned. */
export type StopReason =
  | { kind: 'exit'; status: number } // the guest (or its OS personality) ended the run
  | { kind: 'budget' } // the instruction budget ran out; run() may be called again
  | { kind: 'error'; status: number; message: string }; // a fatal condition with a diagnostic

/**
 * What the CPU cannot do alone: the OS personality (user-mode Linux) or the
 * platform (system mode) answers software interrupts and exceptions.
 */
export interface Personality {
  /** INT n / SYSENTER reached; EIP already points past the instruction. */
  onInterrupt(vm: Machine, vector: number): void;
  /** A CPU exception; EIP points at the faulting instruction. */
  onException(vm: Machine, e: CpuException): void;
}

export interface MachineOptions {
  /** Bytes of guest RAM (the frame pool). */
  memoryBytes?: number;
  /**
   * Back linear page P with the frame at host offset P (GuestMemory's linear
   * memory, 4 GiB of address space), so translated code needs no addend:
   * for a user-mode process, whose mapper places pages by linear address.
   */
  linearMemory?: boolean;
  mapper: PageMapper;
  personality: Personality;
  /** Default 'interp' for a bare machine; the CLI defaults to 'auto'. */
  engine?: Engine;
  /** Tuning and switches of the translation tier (thresholds, register caching, inline TLB...). */
  translator?: Partial<TranslatorOptions>;
  /** Split the VM's wall time into interpreter, translated code, compiling and syscalls (see TimeProfile). */
  profile?: TimeProfile;
  /**
   * x87 precision: 'double' (the default) keeps registers as float64 and runs
   * the common x87 instructions inline in translated code; 'exact' computes
   * on 80-bit extended values (interp/x87-exact.ts), every x87 instruction
   * through the interpreter.
   */
  x87?: X87Precision;
  /** The I/O port space (system mode): IN and OUT reach its devices when CPL <= IOPL. None: they raise #GP. */
  io?: PortSpace;
  /**
   * The guest runs its own kernel (system mode): privileged instructions
   * work at CPL 0 and these hooks answer what the platform decides. None:
   * they raise #GP (a Linux process).
   */
  system?: SystemHooks;
}

/** The x86 I/O port space as IN, OUT, INS and OUTS reach it (devices/io-bus.ts's IoBus, or an embedder's hooks). */
export interface PortSpace {
  in8(port: number): number;
  in16(port: number): number;
  in32(port: number): number;
  out8(port: number, value: number): void;
  out16(port: number, value: number): void;
  out32(port: number, value: number): void;
}

export interface SystemHooks {
  /** HLT at CPL 0 (EIP already past it). */
  halt(vm: Machine): void;
  /** CR0, CR3 or CR4 was written (paging and TLB consequences); `old` is its value before. */
  controlRegisterWritten?(vm: Machine, cr: number, old: number): void;
  /** INVLPG at CPL 0: cached translations of the page holding linear address `linear` are stale. */
  invalidatePage?(vm: Machine, linear: number): void;
  /** LTR at CPL 0: the TSS descriptor `selector` names becomes the task register (marked busy). */
  loadTaskRegister?(vm: Machine, selector: number): void;
  /** LLDT at CPL 0: the LDT descriptor `selector` names (or none, for a null selector) becomes the LDT. */
  loadLdtRegister?(vm: Machine, selector: number): void;
  /** IRET whose CS has a higher RPL than CPL: the frame also holds ESP and SS (operand size `size`). */
  returnToOuterRing?(vm: Machine, size: number): void;
  /** The debug registers DR0-DR7 (MOV to/from DRn at CPL 0); breakpoints are not taken. */
  debugRegisters?: Int32Array;
  /**
   * IN/OUT/INS/OUTS above IOPL: whether the TSS's I/O permission bitmap
   * allows `size` bytes at `port`; absent: never (#GP).
   */
  ioPermitted?(vm: Machine, port: number, size: number): boolean;
  /** SYSENTER (any CPL) and SYSEXIT (checked for CPL 0) in protected mode; absent: SYSENTER is #UD and CPUID has no SEP. */
  fastSystemCall?(vm: Machine, direction: 'enter' | 'exit'): void;
  /**
   * The rate of the TSC (Cpu.tsc) in MHz, which CPUID then reports: leaf
   * 0x16's base and maximum frequency, with the highest leaf raised to 0x16
   * and the leaves between reading 0 (nothing of theirs implemented) but
   * leaf 7's TSC_ADJUST bit, and leaf 0x80000007's invariant TSC. The
   * platform then keeps IA32_TSC_ADJUST (readMsr/writeMsr) and a write of
   * the TSC (MSR 0x10) goes to writeMsr. Absent: the highest leaf is 1.
   */
  tscMhz?: number;
  /** Model-specific registers the platform keeps (RDMSR/WRMSR at CPL 0); undefined: reads 0. */
  readMsr?(vm: Machine, index: number): bigint | undefined;
  writeMsr?(vm: Machine, index: number, value: bigint): void;
}

export type X87Precision = 'double' | 'exact';

/**
 * Linear addresses [0, bytes) are guest RAM at host offset `base` + address
 * for reads: a system VM with paging off, whose RAM is one run of frames.
 * (Writes still go through the soft TLB, which keeps code pages unwritable
 * so that stores into translated code are seen.)
 */
export interface DirectRam {
  base: number;
  bytes: number;
}

export interface MachineStats {
  instructions: number;
  blocksBuilt: number;
  blocksRun: number;
  blockInvalidations: number;
  /** Present when the translation tier is on. */
  translator?: TranslatorStats;
  /** Present with engine 'lockstep'. */
  lockstep?: LockstepStats;
}

/**
 * One virtual machine: memory, CPU, code cache and the execution loop. All
 * of its state hangs off this object; nothing is shared between machines.
 */
export class Machine {
  readonly mem: GuestMemory;
  readonly mmu: Mmu;
  readonly cpu: Cpu;
  readonly blocks: BlockCache;
  readonly stack: Stack;
  /** The translation tier, or null when only the interpreter runs. */
  readonly translator: Translator | null;
  /** Engine 'lockstep': runs every block both ways (run() hands over to it), else null. */
  readonly lockstep: Lockstep | null;
  personality: Personality;
  /** The time split, when asked for (MachineOptions.profile), else null. */
  readonly profile: TimeProfile | null;
  /** Set by anything that must end the current block early (stop requests, writes to code). */
  abort = false;
  /** Set when CS is reloaded: chained blocks were decoded for the old code segment. */
  csChanged = false;
  /** Something rare happened (stop request, code flush, CS reload): the run loop looks at the details. */
  attention = false;
  /** --x87 exact: the interpreter's x87 computes on 80-bit values and translated code runs no x87 instruction inline. */
  readonly x87Exact: boolean;
  /** The I/O port space, or null (a Linux process, whose IN and OUT fault). */
  readonly io: PortSpace | null;
  /**
   * Guest RAM that translated code may read at a fixed host offset instead
   * of through the soft TLB (see DirectRam), or null. Regions are compiled
   * with what it is when they are built; setDirectRam drops them all when
   * it changes.
   */
  directRam: DirectRam | null = null;
  /** System mode's hooks, or null (a Linux process: privileged instructions raise #GP). */
  readonly system: SystemHooks | null;
  /** Guest instructions retired. */
  icount = 0;
  blocksRun = 0;
  private stopReason: StopReason | null = null;

  constructor(opts: MachineOptions) {
    this.mem = new GuestMemory(opts.memoryBytes ?? 1 << 30, { linear: opts.linearMemory });
    this.x87Exact = opts.x87 === 'exact';
    this.io = opts.io ?? null;
    this.system = opts.system ?? null;
    this.mmu = new Mmu(this.mem, opts.mapper);
    this.cpu = new Cpu(this.mem);
    this.cpu.onCodeSegmentChange = () => {
      this.csChanged = true;
      this.attention = true;
    };
    this.cpu.onDataSegmentBaseChange = () => {
      if (this.translator?.assumptionsChanged()) this.attention = true;
    };
    this.cpu.onAccessChecks = () => this.blocks.enableAccessChecks();
    this.profile = opts.profile ?? null;
    this.personality = this.profile ? profiledPersonality(opts.personality, this.profile) : opts.personality;
    this.stack = new Stack(this);
    this.blocks = new BlockCache(this);
    this.mmu.codeListener = this.blocks;
    const engine = opts.engine ?? 'interp';
    this.translator =
      engine === 'interp'
        ? null
        : engine === 'lockstep'
          ? new Translator(this, { ...opts.translator, mode: 'jit', maxRegionBlocks: 1, slowPathExits: false, flagsAcrossBlocks: false }) // one block per tryRun
          : new Translator(this, { ...opts.translator, mode: engine });
    this.blocks.listener = this.translator;
    this.lockstep = engine === 'lockstep' ? new Lockstep(this) : null;
  }

  /** Ends the current run() after the current instruction. */
  stop(reason: StopReason): void {
    if (!this.stopReason) this.stopReason = reason;
    this.abort = true;
    this.attention = true;
  }

  get stopped(): StopReason | null {
    return this.stopReason;
  }

  /** Runs until stopped or until about `maxInstructions` more have retired. */
  run(maxInstructions = Infinity): StopReason {
    const profile = this.profile;
    if (profile === null) return this.runUnprofiled(maxInstructions);
    profile.switchTo('interpreter');
    try {
      return this.runUnprofiled(maxInstructions);
    } finally {
      profile.switchTo('outside');
    }
  }

  private runUnprofiled(maxInstructions: number): StopReason {
    this.stopReason = null;
    this.abort = false;
    this.attention = false;
    if (this.lockstep !== null) return this.lockstep.run(maxInstructions);
    const s = this.cpu.s;
    const limit = this.icount + maxInstructions;
    const blocks = this.blocks;
    let prev: Block | null = null;
    let generation = blocks.generation;
    const jit = this.translator;
    while (this.icount < limit) {
      const eip = s[Slot.EIP];
      // The block this one went to before, when it is still good: a block known untranslated skips the translator's lookup.
      let b: Block | null = prev !== null ? chainedSuccessor(prev, eip, blocks.mappingEpoch) : null;
      if ((s[Slot.FLAGS] & TRAP_FLAG) !== 0) {
        this.singleStep(eip);
        prev = null;
      } else if (jit !== null && (b === null || b.translated || jit.eager) && jit.tryRun(eip, limit)) {
        prev = null;
      } else {
        if (b === null) {
          b = blocks.lookupFast(eip) ?? blocks.lookup(eip);
          if (prev !== null) {
            prev.succB = prev.succA;
            prev.succA = b;
          }
        }
        if (b.hooked && this.codeHook !== null) {
          // A breakpoint: the embedder's hook runs before the instruction and may stop the run there.
          this.codeHook(eip);
          if (this.stopReason !== null) return this.stopReason;
        }
        this.execute(b);
        prev = b;
        // A block waiting for the batch window runs here, past the threshold: only such blocks look at its end.
        if (jit !== null && ++b.hits >= jit.threshold) {
          if (b.hits === jit.threshold) jit.hot(b);
          if (this.icount >= jit.compileAt) jit.compileWaiting();
        }
      }
      if (this.attention) {
        // Rare events, folded into one flag so the common path tests one field.
        this.attention = false;
        if (this.stopReason) return this.stopReason;
        if (generation !== blocks.generation || this.csChanged) {
          // Links made under another CS or before a flush must not be followed.
          generation = blocks.generation;
          this.csChanged = false;
          prev = null;
        }
      }
    }
    return { kind: 'budget' };
  }

  /** EFLAGS.TF is set: the next instruction traps after it runs. */
  get singleStepping(): boolean {
    return (this.cpu.s[Slot.FLAGS] & TRAP_FLAG) !== 0;
  }

  /**
   * EFLAGS.TF: one instruction, then the single-step trap (#DB) with EIP
   * past it. The instruction is compiled on its own, not taken from its
   * block, whose ops may fuse a compare with the branch after it. No trap
   * after an instruction that faulted (the fault is reported instead) or
   * after INT n, whose gate clears TF until its IRET.
   */
  singleStep(eip: number): void {
    const insn = this.runOneInstruction(eip);
    if (insn === null || this.stopReason !== null || insn.entry.control === 'int') return;
    this.personality.onException(this, new CpuException(Vector.DB, 0, 0, 'single step'));
  }

  /** One instruction at `eip`, compiled alone; returns it, or null when it faulted (reported to the personality). */
  private runOneInstruction(eip: number): Instruction | null {
    const b = this.blocks.lookupFast(eip) ?? this.blocks.lookup(eip);
    const insn = insnsOf(b)[0];
    if (insn === undefined) {
      this.execute(b); // undecodable: the block only raises its fault
      return null;
    }
    const s = this.cpu.s;
    try {
      compileInstruction(insn, this)();
    } catch (e) {
      if (!(e instanceof CpuException)) throw e;
      s[Slot.EIP] = eip;
      this.personality.onException(this, e);
      return null;
    }
    this.icount++;
    if (insn.entry.control === 'none' || insn.entry.control === 'stop') {
      s[Slot.EIP] = b.codeSize === 2 ? (eip + insn.length) & 0xffff : (eip + insn.length) | 0;
    }
    return insn;
  }

  private execute(b: Block): void {
    const ops = b.ops;
    const n = ops.length;
    let i = 0;
    this.blocksRun++;
    try {
      for (; i < n; i++) {
        ops[i]();
        if (this.abort) break;
      }
    } catch (e) {
      if (!(e instanceof CpuException)) throw e;
      this.icount += b.retired[i];
      this.cpu.s[Slot.EIP] = b.eips[i];
      this.personality.onException(this, e);
      return;
    }
    if (i >= n - 1) {
      this.icount += b.count;
      if (!b.endsWithJump) this.cpu.s[Slot.EIP] = b.endEip;
    } else {
      this.icount += b.retired[i + 1];
      this.cpu.s[Slot.EIP] = b.eips[i + 1];
    }
    // A stop request keeps `attention` set; run() returns before another block starts.
    if (this.abort) this.abort = false;
  }

  /**
   * Lockstep checking: runs block `b` like run() does but returns the CPU
   * exception it raised (EIP at the faulting instruction) instead of
   * delivering it to the personality. Interrupts still go to the personality.
   */
  executeBlockForLockstep(b: Block): CpuException | null {
    const personality = this.personality;
    let caught: CpuException | null = null;
    this.personality = {
      onInterrupt: (vm, vector) => personality.onInterrupt(vm, vector),
      onException: (_vm, e) => {
        caught ??= e;
      },
    };
    try {
      this.execute(b);
    } finally {
      this.personality = personality;
    }
    return caught;
  }

  /**
   * Called before the instruction at each EIP of setCodeBreakpoints runs
   * (the interpreter runs those blocks; code elsewhere stays translated).
   * It may call stop(): run() then returns with EIP still at that instruction.
   */
  codeHook: ((eip: number) => void) | null = null;

  /** EIPs where codeHook is called (null: none); decoded and translated code is dropped so every block honours them. */
  setCodeBreakpoints(eips: CodeBreakpoints | null): void {
    this.blocks.breakpoints = eips;
    this.blocks.flush();
  }

  /**
   * Runs exactly one instruction (no #DB, unlike EFLAGS.TF), calling codeHook
   * first at a breakpoint; a fault goes to the personality as in run().
   * For embedders that need an exact instruction count.
   */
  step(): StopReason | null {
    this.stopReason = null;
    this.abort = false;
    this.attention = false;
    const eip = this.cpu.s[Slot.EIP];
    if (this.blocks.breakpoints?.hooks(eip) && this.codeHook !== null) {
      this.codeHook(eip);
      if (this.stopReason !== null) return this.stopReason;
    }
    this.runOneInstruction(eip);
    return this.stopReason;
  }

  /**
   * An embedder's memory hooks (Mmu.watchAccesses): translations that read
   * RAM directly go, since those reads would not be seen (the translator
   * makes none while a watch is on).
   */
  watchAccesses(watch: AccessWatch | null, pages: Uint8Array | null = null): void {
    this.mmu.watchAccesses(watch, pages);
    if (this.directRam !== null && this.translator?.assumptionsChanged()) this.attention = true;
  }

  /** The system VM's paging went on or off (see directRam): translations made under the other setting go. */
  setDirectRam(ram: DirectRam | null): void {
    this.directRam = ram;
    if (this.translator?.assumptionsChanged()) this.attention = true;
  }

  /** Drops every decoded block (after mappings change under code). */
  flushCode(): void {
    this.blocks.flush();
  }

  /**
   * Linear-to-physical mappings changed (CR3, INVLPG, paging switched):
   * decoded and translated code stays, but each block is checked against
   * the new mappings before it runs again (BlockCache.mappingEpoch), and
   * links between blocks made under the old mappings are not followed.
   */
  remapped(globalPagesKept = false): void {
    this.blocks.remapped(globalPagesKept);
    this.translator?.remapped(globalPagesKept);
  }

  /** Called by the block cache when chained links may be stale. */
  codeFlushed(): void {
    this.attention = true;
  }

  stats(): MachineStats {
    return {
      instructions: this.icount,
      blocksBuilt: this.blocks.built,
      blocksRun: this.blocksRun,
      blockInvalidations: this.blocks.invalidations,
      translator: this.translator?.stats(),
      lockstep: this.lockstep?.stats(),
    };
  }
}

/**
 * The block that followed `prev` last time (or the time before), if it is
 * the one at `eip`, still valid and decoded for the same code segment:
 * chaining without a lookup.
 */
/** A block that followed `prev` before and starts at `eip`, if it is still good under the current mappings (`epoch`). */
function chainedSuccessor(prev: Block, eip: number, epoch: number): Block | null {
  const a = prev.succA;
  if (a !== null && a.eip === eip && a.valid && a.epoch === epoch && a.csBase === prev.csBase && a.codeSize === prev.codeSize) return a;
  const c = prev.succB;
  if (c !== null && c.eip === eip && c.valid && c.epoch === epoch && c.csBase === prev.csBase && c.codeSize === prev.codeSize) return c;
  return null;
}
