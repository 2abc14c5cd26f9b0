import { CpuException, Vector } from '../runtime/exceptions.js';
import { MAX_BLOCK_INSNS } from '../runtime/block-cache.js';
import { PAGE_SIZE } from '../runtime/layout.js';
import type { Machine, Personality, StopReason } from '../runtime/machine.js';
import { listHandle, MachineHooks, type CodeHook, type HookHandle, type MemoryAccessKind, type MemoryHook } from './machine-hooks.js';

export type { CodeHook, HookHandle, MemoryAccessKind, MemoryHook };
import { CpuAccess } from './cpu-access.js';
import { readLinear, writeLinear } from './linear-memory.js';

export type { Context, SegmentName } from './cpu-access.js';

/** Why run() returned. */
export type RunEnd =
  | { reason: 'until'; eip: number } // EIP reached `until` (that instruction has not run)
  | { reason: 'count'; eip: number } // `count` instructions ran
  | { reason: 'timeout'; eip: number }
  | { reason: 'stopped'; eip: number } // stop() from a hook or another task
  | { reason: 'interrupt'; eip: number; vector: number } // INT n with no interrupt hook (EIP past it)
  | { reason: 'halt'; eip: number } // HLT at CPL 0 (a 16-bit Emulator's real mode), EIP past it, as in Unicorn
  | { reason: 'fault'; eip: number; vector: number; errorCode: number; address: number; message: string } // unhandled exception (EIP at the instruction)
  | { reason: 'exit'; eip: number; status: number; message?: string }; // a Linux process ended (exit status, or 128 + signal)

export interface RunOptions {
  /** Start address (default: the current EIP). */
  begin?: number;
  /** Stop before running the instruction at this address. */
  until?: number;
  /** Stop after exactly this many instructions. */
  count?: number;
  /** Stop after about this many milliseconds. */
  timeoutMs?: number;
}

/** INT n (EIP already past it) or a CPU exception the run did not otherwise handle (EIP at the instruction). */
export type InterruptHook = (vector: number) => void;
/**
 * An access to an unmapped page or one its permissions deny. Return true
 * after making it possible (map or protect): the instruction runs again.
 * Return false: the run ends with reason 'fault'.
 */
export type FaultHook = (kind: MemoryAccessKind, address: number, unmapped: boolean) => boolean;

/**
 * A system call: INT 0x80 or SYSENTER, with EIP already past the
 * instruction (a SYSENTER returns there, as if the kernel's SYSEXIT had).
 * On a bare Emulator the hook is the kernel; on a LinuxEmulator it runs
 * before the process serves the call (EAX holds the number).
 */
export type SyscallHook = (kind: 'int80' | 'sysenter') => void;

/** An undefined opcode (#UD) at `address`: return true after handling it (moving EIP on), false to end the run ('fault'). */
export type InvalidInstructionHook = (address: number) => boolean;

const SLICE = 1 << 20;
const TIMEOUT_SLICE = 100_000;
export const SYSCALL_VECTOR = 0x80;

/**
 * What every embedding of a Machine shares, whatever runs around the CPU
 * (nothing: Emulator; a Linux process: LinuxEmulator): registers, context,
 * hooks and run(). Code hooks and `until` turn their addresses into
 * breakpoints that the interpreter honours, and memory hooks send their
 * pages' accesses down the slow path, so code elsewhere stays translated
 * and runs at full speed.
 */
export abstract class HookedMachine extends CpuAccess {
  /** Code, block and memory hooks, and the breakpoint of `until`. */
  private readonly hooks: MachineHooks;
  protected readonly interruptHooks: InterruptHook[] = [];
  protected readonly faultHooks: FaultHook[] = [];
  protected readonly invalidHooks: InvalidInstructionHook[] = [];
  protected readonly syscallHooks: SyscallHook[] = [];
  /** How the run in progress ended. */
  private end: RunEnd | null = null;
  /** What the Machine's personality forwards to (made once `this` exists). */
  private readonly personality = this.hookedPersonality();

  /**
   * `build` makes the Machine around the personality this class routes to
   * the hooks. (`late` is how that personality, made before super() returns,
   * reaches this object.)
   */
  protected constructor(build: (personality: Personality) => Machine, late: { machine?: HookedMachine } = {}) {
    super(
      build({
        onInterrupt: (vm, vector) => late.machine!.personality.onInterrupt(vm, vector),
        onException: (vm, e) => late.machine!.personality.onException(vm, e),
      }),
    );
    late.machine = this;
    this.hooks = new MachineHooks(this.vm, (eip) => this.finish({ reason: 'until', eip }));
  }

  // ------------------------------------------------------------------ memory

  /** Host offset in guest memory of linear `address`, whatever its permissions, or -1 when nothing is mapped there. */
  protected abstract hostAddress(address: number): number;

  /** Copies guest memory out, whatever its permissions; throws RangeError on an unmapped page. */
  readMemory(address: number, size: number): Uint8Array {
    return readLinear(this.vm, (a) => this.hostAddress(a), address, size);
  }

  /** Copies bytes into guest memory, whatever its permissions (code decoded from what it overwrites is dropped). */
  writeMemory(address: number, bytes: Uint8Array): void {
    writeLinear(this.vm, (a) => this.hostAddress(a), address, bytes);
  }

  /**
   * Drops decoded and translated code: all of it, or what was decoded from
   * the mapped pages of [address, address + size) (and the translated
   * regions holding it), as a write there would.
   */
  flushTranslations(address?: number, size?: number): void {
    if (address === undefined || size === undefined) return this.vm.flushCode();
    for (let page = Math.floor(address / PAGE_SIZE) * PAGE_SIZE; page < address + size; page += PAGE_SIZE) {
      const host = this.hostAddress(page >>> 0);
      if (host >= 0) this.vm.mmu.hostWrite(host, PAGE_SIZE);
    }
  }

  // ------------------------------------------------------------------- hooks

  /** Calls `fn` before each instruction in [begin, end] runs (those instructions are interpreted). */
  onCode(begin: number, end: number, fn: CodeHook): HookHandle {
    return this.hooks.onCode(begin, end, fn);
  }

  /** Calls `fn` before each basic block starting in [begin, end] (default: everywhere) runs; those blocks are interpreted. */
  onBlock(fn: CodeHook, begin = 0, end = 0xffffffff): HookHandle {
    return this.hooks.onBlock(fn, begin, end);
  }

  /** Calls `fn` before each access of `kinds` (default: data reads and writes; 'fetch': instructions run) touching [begin, end]. */
  onMemory(begin: number, end: number, fn: MemoryHook, kinds?: readonly MemoryAccessKind[]): HookHandle {
    return this.hooks.onMemory(begin, end, fn, kinds);
  }

  onInterrupt(fn: InterruptHook): HookHandle {
    return listHandle(this.interruptHooks, fn);
  }

  onFault(fn: FaultHook): HookHandle {
    return listHandle(this.faultHooks, fn);
  }

  onSyscall(fn: SyscallHook): HookHandle {
    return listHandle(this.syscallHooks, fn);
  }

  onInvalidInstruction(fn: InvalidInstructionHook): HookHandle {
    return listHandle(this.invalidHooks, fn);
  }

  // --------------------------------------------------------------------- run

  /** Ends the run in progress after the current instruction (from a hook, or from another task between slices). */
  stop(): void {
    if (this.end === null) this.end = { reason: 'stopped', eip: this.vm.cpu.eip };
    this.vm.stop({ kind: 'exit', status: 0 });
  }

  /** Runs from `begin` (default: EIP) until `until`, `count` instructions, `timeoutMs`, stop(), or an unhandled event. */
  run(opts: RunOptions = {}): RunEnd {
    const limits = this.start(opts);
    try {
      for (;;) {
        const end = this.slice(limits, limits.deadline === Infinity ? SLICE : TIMEOUT_SLICE);
        if (end !== null) return end;
      }
    } finally {
      this.hooks.setUntil(null);
    }
  }

  /**
   * As run(), but lets the event loop turn between slices of guest code
   * (about a millisecond each), so stop() from a timer, a message handler or
   * a UI event ends it; the page or process stays responsive meanwhile.
   */
  async runAsync(opts: RunOptions = {}): Promise<RunEnd> {
    const limits = this.start(opts);
    try {
      for (;;) {
        const end = this.slice(limits, TIMEOUT_SLICE);
        if (end !== null) return end;
        await yieldToEventLoop();
      }
    } finally {
      this.hooks.setUntil(null);
    }
  }

  /** Instructions retired since the machine was made. */
  get instructions(): number {
    return this.vm.icount;
  }

  private start(opts: RunOptions): { deadline: number; limit: number } {
    if (opts.begin !== undefined) this.vm.cpu.eip = opts.begin;
    this.end = null;
    this.hooks.setUntil(opts.until ?? null);
    return {
      deadline: opts.timeoutMs !== undefined ? performance.now() + opts.timeoutMs : Infinity,
      limit: opts.count !== undefined ? this.vm.icount + opts.count : Infinity,
    };
  }

  /** Runs up to `size` instructions; the end of the run, or null to go on. */
  private slice({ deadline, limit }: { deadline: number; limit: number }, size: number): RunEnd | null {
    const vm = this.vm;
    if (this.end !== null) return this.end; // stop() between slices
    if (this.hooks.until === vm.cpu.eip) return { reason: 'until', eip: vm.cpu.eip };
    const left = limit - vm.icount;
    if (left <= 0) return { reason: 'count', eip: vm.cpu.eip };
    if (performance.now() > deadline) return { reason: 'timeout', eip: vm.cpu.eip };
    // Block by block until a block could overshoot `count`, then instruction by instruction.
    const stopped = left > MAX_BLOCK_INSNS ? vm.run(Math.min(left - MAX_BLOCK_INSNS, size)) : vm.step();
    if (this.end === null && stopped !== null && stopped.kind !== 'budget') this.end = this.stoppedBy(stopped);
    // HLT asked for the end while it ran; EIP moved past it after.
    if (this.end?.reason === 'halt') this.end.eip = vm.cpu.eip;
    return this.end;
  }

  /** The machine stopped on its own (not through a hook or stop()): how the run ends, or null to go on. */
  protected stoppedBy(_reason: StopReason): RunEnd | null {
    return null;
  }

  // ---------------------------------------------------------------- internals

  /**
   * What the platform does with an INT n, or with an exception no hook
   * handled: a bare CPU ends the run, a Linux process serves the syscall or
   * delivers a signal.
   */
  protected abstract unhookedInterrupt(vector: number): void;
  protected abstract unhookedException(e: CpuException): void;

  /** Whether syscall hooks take INT 0x80 in place of the platform (true) or run before it (false). */
  protected abstract readonly hooksServe: boolean;

  private hookedPersonality(): Personality {
    return {
      onInterrupt: (_vm, vector) => {
        if (vector === SYSCALL_VECTOR && this.syscallHooks.length > 0) {
          for (const h of [...this.syscallHooks]) h('int80');
          if (this.hooksServe) return;
        } else if (this.interruptHooks.length > 0) {
          for (const h of [...this.interruptHooks]) h(vector);
          if (this.hooksServe) return;
        }
        this.unhookedInterrupt(vector);
      },
      onException: (vm, e: CpuException) => {
        if (e.vector === Vector.PF && this.faultHooks.length > 0) {
          const kind = e.errorCode & 0x10 ? 'fetch' : e.errorCode & 2 ? 'write' : 'read';
          const unmapped = (e.errorCode & 1) === 0;
          // A hook that maps the page makes the faulting instruction run again (EIP is still at it).
          if (this.faultHooks.some((h) => h(kind, e.address >>> 0, unmapped))) return this.remapped();
        }
        if (e.vector === Vector.UD && this.invalidHooks.length > 0) {
          if (this.invalidHooks.some((h) => h(vm.cpu.eip))) return;
        }
        if (e.vector !== Vector.PF && this.interruptHooks.length > 0) {
          for (const h of [...this.interruptHooks]) h(e.vector);
          if (this.hooksServe) return;
        }
        this.unhookedException(e);
      },
    };
  }

  /** Ends the run with `end` (the first reason given wins). */
  protected finish(end: RunEnd): void {
    if (this.end === null) this.end = end;
    this.vm.stop({ kind: 'exit', status: 0 });
  }

  /** Mappings changed: cached translations of pages go, and code is checked against the new mappings. */
  protected remapped(): void {
    this.vm.mmu.flush();
    this.vm.remapped();
  }

}

function yieldToEventLoop(): Promise<void> {
  // setImmediate where there is one (Node); a zero timeout in a browser.
  const immediate = (globalThis as { setImmediate?: (f: () => void) => void }).setImmediate;
  return new Promise((resolve) => (immediate ? immediate(resolve) : setTimeout(resolve, 0)));
}

/** Raised by a platform for an exception it has no better answer to. */
export function faultEnd(eip: number, e: CpuException): RunEnd {
  return { reason: 'fault', eip, vector: e.vector, errorCode: e.errorCode, address: e.address >>> 0, message: e.detail || `exception ${e.vector}` };
}
