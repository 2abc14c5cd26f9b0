import { insnsOf } from '../runtime/block-cache.js';
import { PAGE_SHIFT } from '../runtime/layout.js';
import type { Machine, PortSpace } from '../runtime/machine.js';
import { Access } from '../runtime/mmu.js';

export type MemoryAccessKind = 'read' | 'write' | 'fetch';
/**
 * A memory hook: the access is allowed and about to happen; `address` is
 * its first byte, `size` 1, 2 or 4, `value` (unsigned) what a write stores
 * or what a read is about to read. Each element of a string instruction
 * (MOVS, STOS) on a hooked page comes on its own; x87, MMX and SSE accesses
 * come as the 4- and 2-byte pieces the interpreter makes them of.
 */
const DATA_ACCESSES: readonly MemoryAccessKind[] = ['read', 'write'];

export type MemoryHook = (kind: MemoryAccessKind, address: number, size: number, value: number) => void;
/** An instruction (code hook) or a basic block (block hook) about to run, and its size in bytes. */
export type CodeHook = (address: number, size: number) => void;
/** What a hook registration returns: remove() takes it away. */
export interface HookHandle {
  remove(): void;
}

/**
 * A port hook: OUT `value` to `port` (`size` bytes), or IN, where `value`
 * is what the device answered (all ones where there is none) and a number
 * returned replaces it.
 */
export type PortHook = (direction: 'in' | 'out', port: number, size: 1 | 2 | 4, value: number) => number | void;

/** Adds `fn` to `list`; the handle takes it out again. */
export function listHandle<T>(list: T[], fn: T): HookHandle {
  list.push(fn);
  return {
    remove: () => {
      const i = list.indexOf(fn);
      if (i >= 0) list.splice(i, 1);
    },
  };
}

/**
 * An I/O space for a Machine whose port accesses `hooks` see: an IN reads
 * the device on `bus` first (all ones with no bus, as an empty ISA bus
 * reads), then each hook may replace the value; an OUT is shown to the
 * hooks, then reaches the device. With no hooks it costs a length check.
 */
export function hookedPorts(hooks: readonly PortHook[], bus: PortSpace | null): PortSpace {
  const input = (size: 1 | 2 | 4, port: number, device: number): number => {
    let value = device;
    for (const h of [...hooks]) {
      const r = h('in', port & 0xffff, size, value);
      if (typeof r === 'number') value = r;
    }
    return value;
  };
  const output = (size: 1 | 2 | 4, port: number, value: number): void => {
    for (const h of [...hooks]) h('out', port & 0xffff, size, value);
  };
  return {
    in8: (p) => {
      const v = bus ? bus.in8(p) : 0xff;
      return hooks.length === 0 ? v : input(1, p, v) & 0xff;
    },
    in16: (p) => {
      const v = bus ? bus.in16(p) : 0xffff;
      return hooks.length === 0 ? v : input(2, p, v) & 0xffff;
    },
    in32: (p) => {
      const v = bus ? bus.in32(p) : -1;
      return hooks.length === 0 ? v : input(4, p, v >>> 0) >>> 0;
    },
    out8: (p, v) => {
      if (hooks.length !== 0) output(1, p, v & 0xff);
      bus?.out8(p, v);
    },
    out16: (p, v) => {
      if (hooks.length !== 0) output(2, p, v & 0xffff);
      bus?.out16(p, v);
    },
    out32: (p, v) => {
      if (hooks.length !== 0) output(4, p, v >>> 0);
      bus?.out32(p, v);
    },
  };
}

interface RangedHook<T> {
  begin: number;
  end: number;
  fn: T;
}

const MAX_UNTIL_BREAKPOINTS = 64;

/**
 * Code, block and memory hooks on one Machine, whatever runs it (an
 * Emulator, a LinuxEmulator, a SystemVm). Code hooks, block hooks and
 * `until` turn their addresses into breakpoints that the interpreter
 * honours, and memory hooks send their pages' accesses down the slow path,
 * so code elsewhere stays translated and runs at full speed. Addresses are
 * linear (under paging, virtual).
 */
export class MachineHooks {
  private readonly codeHooks: RangedHook<CodeHook>[] = [];
  private readonly blockHooks: RangedHook<CodeHook>[] = [];
  private readonly memoryHooks: RangedHook<MemoryHook>[] = [];
  /** The `until` of the run in progress, or null. */
  until: number | null = null;
  /**
   * Every `until` of recent runs stays a breakpoint: changing breakpoints
   * drops all translated code, which a harness calling run() with the same
   * `until` thousands of times must not pay each time.
   */
  private readonly untilBreakpoints = new Set<number>();

  /** `reachedUntil` is called (and should stop the run) when EIP reaches `until`. */
  constructor(
    private readonly vm: Machine,
    private readonly reachedUntil: (eip: number) => void = () => {},
  ) {
    vm.codeHook = (eip) => this.breakpoint(eip);
  }

  /** Calls `fn` before each instruction in [begin, end] runs (those instructions are interpreted). */
  onCode(begin: number, end: number, fn: CodeHook): HookHandle {
    return this.addRanged(this.codeHooks, begin, end, fn, true);
  }

  /** Calls `fn` before each basic block starting in [begin, end] (default: everywhere) runs; those blocks are interpreted. */
  onBlock(fn: CodeHook, begin = 0, end = 0xffffffff): HookHandle {
    return this.addRanged(this.blockHooks, begin, end, fn, true);
  }

  /**
   * Calls `fn` before each access of the kinds asked for (default: data
   * reads and writes) touching [begin, end]: their pages take the slow path.
   * A 'fetch' is an instruction starting in the range about to run (size: its
   * length, value 0), as a code hook sees it: those instructions are
   * interpreted.
   */
  onMemory(begin: number, end: number, fn: MemoryHook, kinds: readonly MemoryAccessKind[] = DATA_ACCESSES): HookHandle {
    const handles: HookHandle[] = [];
    const data: readonly MemoryAccessKind[] = kinds.filter((k) => k !== 'fetch');
    if (data.length > 0) {
      const hook: MemoryHook = data.length === DATA_ACCESSES.length ? fn : (kind, a, size, value) => void (data.includes(kind) && fn(kind, a, size, value));
      const handle = this.addRanged(this.memoryHooks, begin, end, hook, false);
      this.watchMemory();
      handles.push({ remove: () => (handle.remove(), this.watchMemory()) });
    }
    if (kinds.includes('fetch')) handles.push(this.onCode(begin, end, (address, size) => fn('fetch', address, size, 0)));
    return { remove: () => handles.forEach((h) => h.remove()) };
  }

  /** The run stops before the instruction at `until` (null: nowhere). */
  setUntil(until: number | null): void {
    this.until = until === null ? null : until >>> 0;
    if (this.until === null || this.untilBreakpoints.has(this.until)) return;
    if (this.untilBreakpoints.size >= MAX_UNTIL_BREAKPOINTS) this.untilBreakpoints.clear();
    this.untilBreakpoints.add(this.until);
    this.refreshBreakpoints();
  }

  /** The run loop reached a breakpoint: `until`, or an instruction or block some hook watches. */
  private breakpoint(eip: number): void {
    const a = eip >>> 0;
    if (a === this.until) return this.reachedUntil(a);
    // A breakpoint's block starts at it: its first instruction is the hooked one.
    const b = this.vm.blocks.peek(eip);
    const insnSize = b ? (insnsOf(b)[0]?.length ?? 0) : 0;
    for (const h of this.codeHooks) if (a >= h.begin && a <= h.end) h.fn(a, insnSize);
    if (this.blockHooks.length > 0) {
      const size = b ? (b.endEip - b.eip) >>> 0 : 0;
      for (const h of this.blockHooks) if (a >= h.begin && a <= h.end) h.fn(a, size);
    }
  }

  /** Breakpoints are every code-hooked address, the start of every block-hooked block, and `until`. */
  private refreshBreakpoints(): void {
    const code = this.codeHooks, blocks = this.blockHooks, until = this.untilBreakpoints;
    if (code.length === 0 && blocks.length === 0 && until.size === 0) return this.vm.setCodeBreakpoints(null);
    const splitsAt = (eip: number): boolean => {
      const a = eip >>> 0;
      if (until.has(a)) return true;
      for (const h of code) if (a >= h.begin && a <= h.end) return true;
      return false;
    };
    this.vm.setCodeBreakpoints({
      splitsAt,
      hooks: (eip: number) => {
        const a = eip >>> 0;
        for (const h of blocks) if (a >= h.begin && a <= h.end) return true;
        return splitsAt(a);
      },
    });
  }

  private addRanged<T>(list: RangedHook<T>[], begin: number, end: number, fn: T, code: boolean): HookHandle {
    const hook = { begin: begin >>> 0, end: end >>> 0, fn };
    list.push(hook);
    if (code) this.refreshBreakpoints();
    return {
      remove: () => {
        const i = list.indexOf(hook);
        if (i >= 0) list.splice(i, 1);
        if (code) this.refreshBreakpoints();
      },
    };
  }

  private watchMemory(): void {
    const hooks = this.memoryHooks;
    if (hooks.length === 0) return this.vm.watchAccesses(null);
    const pages = new Uint8Array(1 << 20);
    for (const h of hooks) for (let p = h.begin >>> PAGE_SHIFT; p <= h.end >>> PAGE_SHIFT; p++) pages[p] = 1;
    this.vm.watchAccesses((linear, access, _host, size, value) => {
      const a = linear >>> 0;
      const kind = access === Access.WRITE ? 'write' : 'read';
      for (const h of [...hooks]) if (a >= h.begin && a <= h.end) h.fn(kind, a, size, size ? value : 0);
    }, pages);
  }
}
