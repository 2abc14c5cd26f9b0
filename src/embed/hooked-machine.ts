import { Seg } from '../decoder/types.js';
import { CpuException, Vector } from '../runtime/exceptions.js';
import { PAGE_SIZE, Slot, STATE_SIZE, XMM_BYTE } from '../runtime/layout.js';
import type { Machine, Personality, StopReason } from '../runtime/machine.js';
import type { SegmentDescriptor } from '../runtime/segments.js';
import { Simd } from '../runtime/interp/sse-state.js';
import { listHandle, MachineHooks, type CodeHook, type HookHandle, type MemoryAccessKind, type MemoryHook } from './machine-hooks.js';

export type { CodeHook, HookHandle, MemoryAccessKind, MemoryHook };
import { registerAccessor, type RegisterName } from './registers.js';

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
export type FaultHook = (kind: MemoryAccessKind | 'fetch', address: number, unmapped: boolean) => boolean;

/**
 * A system call: INT 0x80 or SYSENTER, with EIP already past the
 * instruction (a SYSENTER returns there, as if the kernel's SYSEXIT had).
 * On a bare Emulator the hook is the kernel; on a LinuxEmulator it runs
 * before the process serves the call (EAX holds the number).
 */
export type SyscallHook = (kind: 'int80' | 'sysenter') => void;

/** An undefined opcode (#UD) at `address`: return true after handling it (moving EIP on), false to end the run ('fault'). */
export type InvalidInstructionHook = (address: number) => boolean;

/** The whole CPU state, for restoreContext (the state block: registers, flags, segments, x87, SSE). */
export interface Context {
  readonly state: Uint8Array;
}

export type SegmentName = 'es' | 'cs' | 'ss' | 'ds' | 'fs' | 'gs';

const SLICE = 1 << 20;
/** A block has at most 64 instructions: run() goes block by block until this close to `count`, then instruction by instruction. */
const STEP_MARGIN = 64;
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
export abstract class HookedMachine {
  readonly vm: Machine;
  /** The x87/MMX register file's views (runtime/interp/sse-state.ts). */
  protected readonly simd: Simd;
  /** Code, block and memory hooks, and the breakpoint of `until`. */
  private readonly hooks: MachineHooks;
  protected readonly interruptHooks: InterruptHook[] = [];
  protected readonly faultHooks: FaultHook[] = [];
  protected readonly invalidHooks: InvalidInstructionHook[] = [];
  protected readonly syscallHooks: SyscallHook[] = [];
  /** How the run in progress ended. */
  private end: RunEnd | null = null;

  /** `build` makes the Machine around the personality this class routes to the hooks. */
  protected constructor(build: (personality: Personality) => Machine) {
    this.vm = build(this.hookedPersonality());
    this.simd = new Simd(this.vm);
    this.hooks = new MachineHooks(this.vm, (eip) => this.finish({ reason: 'until', eip }));
  }

  // ------------------------------------------------------------------ memory

  /** Host offset in guest memory of linear `address`, whatever its permissions, or -1 when nothing is mapped there. */
  protected abstract hostAddress(address: number): number;

  /** Copies guest memory out, whatever its permissions; throws RangeError on an unmapped page. */
  readMemory(address: number, size: number): Uint8Array {
    const out = new Uint8Array(size);
    this.eachPage(address, size, (host, offset, n) => out.set(this.vm.mem.u8.subarray(host, host + n), offset));
    return out;
  }

  /** Copies bytes into guest memory, whatever its permissions (code decoded from what it overwrites is dropped). */
  writeMemory(address: number, bytes: Uint8Array): void {
    this.eachPage(address, bytes.length, (host, offset, n) => {
      this.vm.mmu.hostWrite(host, n);
      this.vm.mem.u8.set(bytes.subarray(offset, offset + n), host);
    });
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

  private eachPage(address: number, size: number, fn: (host: number, offset: number, n: number) => void): void {
    let offset = 0;
    while (offset < size) {
      const a = (address + offset) >>> 0;
      const host = this.hostAddress(a);
      if (host < 0) throw new RangeError(`address 0x${a.toString(16).padStart(8, '0')} is not mapped`);
      const n = Math.min(size - offset, PAGE_SIZE - (a & (PAGE_SIZE - 1)));
      fn(host, offset, n);
      offset += n;
    }
  }

  // --------------------------------------------------------------- registers

  readRegister(name: RegisterName): number {
    return registerAccessor(name).read(this.vm.cpu);
  }

  writeRegister(name: RegisterName, value: number): void {
    registerAccessor(name).write(this.vm.cpu, value);
  }

  /** Several registers at once, in the order given. */
  readRegisters(names: readonly RegisterName[]): number[] {
    return names.map((n) => this.readRegister(n));
  }

  writeRegisters(values: Partial<Record<RegisterName, number>>): void {
    for (const [name, value] of Object.entries(values)) this.writeRegister(name as RegisterName, value!);
  }

  /** A segment register with its descriptor cache (base, limit: the highest offset, attr: access byte | flags << 8). */
  readSegment(seg: SegmentName): SegmentDescriptor & { selector: number } {
    const s = this.vm.cpu.s, i = segIndex(seg);
    return { selector: s[Slot.SEG_SEL + i] & 0xffff, base: s[Slot.SEG_BASE + i] >>> 0, limit: s[Slot.SEG_LIMIT + i] >>> 0, attr: s[Slot.SEG_ATTR + i] };
  }

  writeSegment(seg: SegmentName, value: SegmentDescriptor & { selector: number }): void {
    this.vm.cpu.setSegment(segIndex(seg), value.selector, { base: value.base | 0, limit: value.limit | 0, attr: value.attr });
  }

  /** XMM register `n` (0-7) as 16 bytes, little-endian. */
  readXmm(n: number): Uint8Array {
    const at = XMM_BYTE + registerIndex('xmm', n) * 16;
    return this.vm.mem.u8.slice(at, at + 16);
  }

  writeXmm(n: number, bytes: Uint8Array): void {
    if (bytes.length !== 16) throw new RangeError(`writeXmm: 16 bytes expected, got ${bytes.length}`);
    this.vm.mem.u8.set(bytes, XMM_BYTE + registerIndex('xmm', n) * 16);
  }

  /** ST(i) (0-7, relative to TOP) as a number: the double it holds (see the x87 precision in the README). */
  readSt(i: number): number {
    return this.simd.fpu64[this.physical(i)];
  }

  /** Writes ST(i) and marks its register valid. */
  writeSt(i: number, value: number): void {
    const p = this.physical(i);
    this.simd.fpu64[p] = value;
    this.vm.cpu.s[Slot.FPU_EMPTY] &= ~(1 << p);
  }

  /**
   * ST(i) as the 10-byte extended-precision image FSTP m80 stores (what
   * Unicorn's UC_X86_REG_ST0-7 read): significand, then sign and exponent.
   */
  readStBytes(i: number): Uint8Array {
    const [lo, hi, se] = this.simd.readF80(this.physical(i));
    const out = new Uint8Array(10);
    const d = new DataView(out.buffer);
    d.setInt32(0, lo, true);
    d.setInt32(4, hi, true);
    d.setUint16(8, se, true);
    return out;
  }

  /** Writes ST(i) from a 10-byte extended-precision image (as FLD m80 reads it) and marks its register valid. */
  writeStBytes(i: number, bytes: Uint8Array): void {
    if (bytes.length !== 10) throw new RangeError(`writeStBytes: 10 bytes expected, got ${bytes.length}`);
    const p = this.physical(i);
    const d = new DataView(bytes.buffer, bytes.byteOffset, 10);
    this.simd.writeF80(p, d.getInt32(0, true), d.getInt32(4, true), d.getUint16(8, true));
    this.vm.cpu.s[Slot.FPU_EMPTY] &= ~(1 << p);
  }

  /**
   * The x87 tag word FSTENV stores: two bits per physical register, 00
   * valid, 01 zero, 10 special (NaN, infinity), 11 empty.
   */
  readTagWord(): number {
    const empty = this.vm.cpu.s[Slot.FPU_EMPTY];
    let tags = 0;
    for (let p = 0; p < 8; p++) {
      const v = this.simd.fpu64[p];
      const tag = empty & (1 << p) ? 3 : v === 0 ? 1 : Number.isFinite(v) ? 0 : 2;
      tags |= tag << (2 * p);
    }
    return tags;
  }

  /** MMX register `n` (0-7) as 8 bytes, little-endian: the significand of x87 register n. */
  readMmx(n: number): Uint8Array {
    this.simd.readMmx(registerIndex('mm', n), 0);
    return this.simd.t8.slice(0, 8);
  }

  /** Writes MMX register `n` as an MMX instruction would its result (exponent all ones; TOP and tags left alone). */
  writeMmx(n: number, bytes: Uint8Array): void {
    if (bytes.length !== 8) throw new RangeError(`writeMmx: 8 bytes expected, got ${bytes.length}`);
    const d = new DataView(bytes.buffer, bytes.byteOffset, 8);
    this.simd.writeF80(registerIndex('mm', n), d.getInt32(0, true), d.getInt32(4, true), 0xffff);
  }

  private physical(i: number): number {
    if (!Number.isInteger(i) || i < 0 || i > 7) throw new RangeError(`there is no st(${i}) (st(0)-st(7))`);
    return (this.vm.cpu.s[Slot.FPU_TOP] + i) & 7;
  }

  // ----------------------------------------------------------------- context

  /** A copy of the whole CPU state (not memory). */
  saveContext(): Context {
    return { state: this.vm.mem.u8.slice(0, STATE_SIZE) };
  }

  /** Puts back a state saveContext took (of this or another machine); memory is not touched. */
  restoreContext(context: Context): void {
    const s = this.vm.cpu.s;
    const icount = [s[Slot.ICOUNT_LO], s[Slot.ICOUNT_HI]];
    this.vm.mem.u8.set(context.state, 0);
    [s[Slot.ICOUNT_LO], s[Slot.ICOUNT_HI]] = icount;
    // Segment loads have consequences beyond the state block (translated code's assumptions, limit checks).
    for (let seg = 0; seg < 6; seg++) {
      this.vm.cpu.setSegment(seg, s[Slot.SEG_SEL + seg], { base: s[Slot.SEG_BASE + seg], limit: s[Slot.SEG_LIMIT + seg], attr: s[Slot.SEG_ATTR + seg] });
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

  /** Calls `fn` before each data read and write touching [begin, end] (their pages take the slow path). */
  onMemory(begin: number, end: number, fn: MemoryHook): HookHandle {
    return this.hooks.onMemory(begin, end, fn);
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
    const stopped = left > STEP_MARGIN ? vm.run(Math.min(left - STEP_MARGIN, size)) : vm.step();
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

const SEG_NAMES: readonly SegmentName[] = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'];

function segIndex(name: string): Seg {
  const i = SEG_NAMES.indexOf(name as SegmentName);
  if (i < 0) throw new RangeError(`unknown segment register "${name}"`);
  return i as Seg;
}

function registerIndex(kind: 'mm' | 'xmm', n: number): number {
  if (!Number.isInteger(n) || n < 0 || n > 7) throw new RangeError(`there is no ${kind}${n} (${kind}0-${kind}7)`);
  return n;
}

/** Raised by a platform for an exception it has no better answer to. */
export function faultEnd(eip: number, e: CpuException): RunEnd {
  return { reason: 'fault', eip, vector: e.vector, errorCode: e.errorCode, address: e.address >>> 0, message: e.detail || `exception ${e.vector}` };
}
