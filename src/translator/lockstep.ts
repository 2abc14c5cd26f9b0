import { formatInstruction } from '../decoder/format.js';
import { insnsOf, type Block } from '../runtime/block-cache.js';
import { CpuException, VECTOR_NAMES } from '../runtime/exceptions.js';
import { readFlags } from '../runtime/flags.js';
import { Slot, STATE_SIZE } from '../runtime/layout.js';
import type { Machine, Personality, StopReason } from '../runtime/machine.js';

/**
 * Exit status of `wasmvisor run --engine lockstep` when the translated code
 * and the interpreter disagree (StopReason.status of the divergence).
 */
export const EXIT_LOCKSTEP_DIVERGENCE = 3;

export interface LockstepStats {
  /** Blocks run both ways and compared. */
  blocksCompared: number;
  /** Guest instructions retired in compared blocks. */
  instructionsCompared: number;
  /** Blocks run by the interpreter only: system calls and other side effects that cannot run twice, untranslatable blocks. */
  blocksInterpreted: number;
  /** ... of which wrote code (self-modifying code: the interpreter's run stands, see step()). */
  selfModifying: number;
  /** Divergences found (the run stops at the first). */
  divergences: number;
}

/** What one run of a block left behind. */
interface Outcome {
  /** The whole CPU state block after the run. */
  state: Int32Array;
  /** Its slots from SLOTS_USED on, as bytes. */
  tail: Uint8Array;
  /** Architectural EFLAGS (the two tiers may represent lazy flags differently). */
  eflags: number;
  /** Instructions retired. */
  retired: number;
  exception: CpuException | null;
}

/** Slots of the state block in use (layout.ts): compared one by one, the rest as bytes. */
const SLOTS_USED = 64;
/** State-block slots that are bookkeeping, not architectural state (lazy flags are compared through readFlags). */
const IGNORED_SLOTS = new Set<number>([
  Slot.FLAGS, Slot.LAZY_OP, Slot.LAZY_DST, Slot.LAZY_SRC, Slot.LAZY_RES,
  Slot.ICOUNT_LO, Slot.ICOUNT_HI, Slot.BUDGET, Slot.DISPATCH_HITS, Slot.FAULT,
]);
/** Slots shown by name in a report (registers, EIP, segment registers). */
const NAMED_SLOTS = new Set<number>([0, 1, 2, 3, 4, 5, 6, 7, Slot.EIP]);
for (let g = 0; g < 6; g++) for (const base of [Slot.SEG_SEL, Slot.SEG_BASE, Slot.SEG_LIMIT, Slot.SEG_ATTR]) NAMED_SLOTS.add(base + g);
const REG_NAMES = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'];
const SEG_NAMES = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'];
const FLAG_NAMES: [number, string][] = [
  [0x1, 'CF'], [0x4, 'PF'], [0x10, 'AF'], [0x40, 'ZF'], [0x80, 'SF'], [0x100, 'TF'], [0x200, 'IF'], [0x400, 'DF'], [0x800, 'OF'],
];
/** A byte either run wrote: its value before the block and after each run. */
interface WrittenByte {
  linear: number;
  original: number;
  interp: number;
  translated: number;
}

/** Lines of differing memory shown in a report at most. */
const MAX_MEMORY_LINES = 16;

/**
 * Lockstep checking of the translator against the interpreter (`--engine
 * lockstep`). Every block runs twice from the same state: first through the
 * interpreter, then, after the state and every byte the interpreter wrote
 * are put back, as translated code (a one-block region, with a budget that
 * stops it at the end of the block). Registers, EIP, EFLAGS, segment
 * registers, the rest of the state block, instructions retired, the bytes
 * either run wrote and the CPU exception raised must agree; the first
 * difference stops the run with a report. Execution goes on from the
 * translated run's state, and an exception is delivered to the personality
 * once, after the comparison.
 *
 * Guest writes are observed through the Mmu's write watch, which keeps the
 * soft-TLB free of WRITE bits so that every store, inline in translated code
 * or not, reaches the slow path and is logged (with the old bytes) first.
 *
 * Blocks with side effects that cannot happen twice (INT n, SYSENTER: system
 * calls and signals; RDTSC: a different time) and blocks the translator does
 * not take run through the interpreter only, and so do blocks that turn out
 * to write code (their interpreted run invalidated decoded blocks, which
 * putting the bytes back does not undo: that run stands).
 */
export class Lockstep {
  private readonly counters: LockstepStats = { blocksCompared: 0, instructionsCompared: 0, blocksInterpreted: 0, selfModifying: 0, divergences: 0 };
  private readonly before: Int32Array;
  /** State after the interpreter's run (reused: one block at a time); the translated run's stays in place. */
  private readonly interpState: Int32Array;
  private readonly interpTail: Uint8Array;
  private readonly stateTail: Uint8Array;
  /** The writes of the interpreter's and of the translated run of the current block. */
  private readonly interpWrites = new WriteLog();
  private readonly translatedWrites = new WriteLog();
  /** Where the write watch logs (null: not inside a compared run). */
  private log: WriteLog | null = null;
  /** The exception translated code delivered, caught instead of reaching the personality. */
  private caught: CpuException | null = null;
  private readonly catcher: Personality = {
    onInterrupt: () => {
      throw new Error('lockstep: INT n inside a compared block (such blocks must run through the interpreter only)');
    },
    onException: (_vm, e) => {
      if (this.caught === null) this.caught = e;
    },
  };

  constructor(private readonly vm: Machine) {
    if (!vm.translator) throw new Error('lockstep needs the translation tier');
    this.before = new Int32Array(STATE_SIZE / 4);
    this.interpState = new Int32Array(STATE_SIZE / 4);
    this.interpTail = tailOf(this.interpState);
    this.stateTail = tailOf(vm.cpu.s);
    const u8 = vm.mmu.u8;
    vm.mmu.watchWrites((linear, host, size) => this.log?.add(u8, linear, host, size));
  }

  stats(): LockstepStats {
    return { ...this.counters };
  }

  /** Machine.run's contract: runs blocks until stopped or until about `maxInstructions` more have retired. */
  run(maxInstructions: number): StopReason {
    const vm = this.vm;
    const limit = vm.icount + maxInstructions;
    while (vm.icount < limit) {
      if (vm.singleStepping) {
        // The trap flag: one interpreted instruction at a time, nothing to compare.
        vm.singleStep(vm.cpu.s[Slot.EIP]);
        continue;
      }
      const divergence = this.step();
      if (divergence !== null) {
        this.counters.divergences++;
        return { kind: 'error', status: EXIT_LOCKSTEP_DIVERGENCE, message: divergence };
      }
      if (vm.attention) {
        vm.attention = false;
        const stop = vm.stopped;
        if (stop) return stop;
        vm.csChanged = false; // nothing is chained here
      }
    }
    return { kind: 'budget' };
  }

  /** Runs the block at EIP (both ways when it can); returns a report when the two runs differ. */
  private step(): string | null {
    const vm = this.vm;
    const s = vm.cpu.s;
    const u8 = vm.mmu.u8;
    const eip = s[Slot.EIP];
    const b = vm.blocks.lookupFast(eip) ?? vm.blocks.lookup(eip);
    if (!comparable(b)) {
      this.interpretOnly(b);
      return null;
    }

    // 1. The interpreter, from the state as it is; then the state and memory go back.
    const before = this.before;
    before.set(s);
    const icount = vm.icount;
    const { attention, csChanged } = vm;
    const invalidations = vm.blocks.invalidations;
    const generation = vm.blocks.generation;
    const iw = this.interpWrites;
    iw.clear();
    this.log = iw;
    let interpException: CpuException | null;
    try {
      interpException = vm.executeBlockForLockstep(b);
    } finally {
      this.log = null;
    }
    if (vm.blocks.invalidations !== invalidations || vm.blocks.generation !== generation) {
      // The block wrote code: decoded blocks (and their translations) are gone, which putting the bytes back
      // would not undo, so a second run would not start from the same place. The interpreter's run stands.
      this.counters.blocksInterpreted++;
      this.counters.selfModifying++;
      if (interpException) vm.personality.onException(vm, interpException);
      return null;
    }
    this.interpState.set(s);
    const interp = this.outcome(this.interpState, this.interpTail, icount, interpException);
    iw.keepFinal(u8);
    iw.undo(u8);
    s.set(before);
    vm.cpu.syncCheckedSegments(); // the segment registers went back with the state block
    vm.icount = icount;
    // Requests the interpreter's run made of the run loop (a CS reload...) the translated run makes again.
    vm.abort = false;
    vm.attention = attention;
    vm.csChanged = csChanged;

    // 2. The translated block, from the same state.
    const tw = this.translatedWrites;
    tw.clear();
    this.log = tw;
    this.caught = null;
    const personality = vm.personality;
    vm.personality = this.catcher;
    let ran: boolean;
    try {
      ran = vm.translator!.tryRun(eip, vm.icount + b.insnCount);
    } finally {
      vm.personality = personality;
      this.log = null;
    }
    if (!ran) {
      // The translator did not take it after all (nothing ran): interpret it for real.
      this.interpretOnly(vm.blocks.lookupFast(eip) ?? vm.blocks.lookup(eip));
      return null;
    }
    const translated = this.outcome(s, this.stateTail, icount, this.caught);
    this.caught = null;
    vm.abort = false;

    // 3. Compare; go on from the translated run's state.
    this.counters.blocksCompared++;
    this.counters.instructionsCompared += translated.retired;
    if (!agree(interp, translated) || !sameWrites(iw, tw, u8)) {
      const report = this.report(b, interp, translated);
      if (report !== null) return report;
    }
    if (translated.exception) vm.personality.onException(vm, translated.exception);
    return null;
  }

  private interpretOnly(b: Block): void {
    const vm = this.vm;
    this.counters.blocksInterpreted++;
    const e = vm.executeBlockForLockstep(b);
    if (e) vm.personality.onException(vm, e);
  }

  /** The outcome of a run whose state is `state` (a copy, or the live state block). */
  private outcome(state: Int32Array, tail: Uint8Array, icount: number, exception: CpuException | null): Outcome {
    return { state, tail, eflags: readFlags(state) >>> 0, retired: this.vm.icount - icount, exception };
  }

  /** Every byte either run wrote, by linear address: its value before the block and after each run. */
  private writtenBytes(): WrittenByte[] {
    const u8 = this.vm.mmu.u8;
    const byHost = new Map<number, WrittenByte>();
    const add = (log: WriteLog, interp: boolean) => {
      let o = 0;
      for (let i = 0; i < log.writes; i++) {
        for (let k = 0; k < log.size[i]; k++, o++) {
          const h = log.host[i] + k;
          let w = byHost.get(h);
          if (w === undefined) {
            // The first old value logged for a byte is its value before the block (both runs start from it).
            const original = log.old[o];
            w = { linear: (log.linear[i] + k) >>> 0, original, interp: original, translated: original };
            byHost.set(h, w);
          }
          // The interpreter's values were kept before its writes were undone; the translated ones are in memory.
          if (interp) w.interp = log.final[o];
          else w.translated = u8[h];
        }
      }
    };
    add(this.interpWrites, true);
    add(this.translatedWrites, false);
    return [...byHost.values()].sort((x, y) => x.linear - y.linear);
  }

  /** What differs between the two runs, with the block's disassembly (null if nothing does). */
  private report(b: Block, interp: Outcome, translated: Outcome): string | null {
    const rows: [string, string, string][] = [];
    let differs = false;
    const row = (name: string, a: string, c: string) => {
      rows.push([name, a, c]);
      if (a !== c) differs = true;
    };
    const is = interp.state, ts = translated.state;
    for (let r = 0; r < 8; r++) row(REG_NAMES[r], hex(is[r]), hex(ts[r]));
    row('eip', hex(is[Slot.EIP]), hex(ts[Slot.EIP]));
    row('eflags', flagText(interp.eflags), flagText(translated.eflags));
    for (let g = 0; g < 6; g++) {
      const seg = (st: Int32Array) =>
        `${hex(st[Slot.SEG_SEL + g], 4)} base ${hex(st[Slot.SEG_BASE + g])} limit ${hex(st[Slot.SEG_LIMIT + g])} attr ${hex(st[Slot.SEG_ATTR + g], 4)}`;
      row(SEG_NAMES[g], seg(is), seg(ts));
    }
    row('retired', String(interp.retired), String(translated.retired));
    row('exception', exceptionText(interp.exception), exceptionText(translated.exception));
    for (let i = 0; i < is.length; i++) {
      if (NAMED_SLOTS.has(i) || IGNORED_SLOTS.has(i) || is[i] === ts[i]) continue;
      row(`slot ${i}`, hex(is[i]), hex(ts[i]));
    }
    // Memory: runs of consecutive written bytes (by linear address), shown when some byte differs.
    const bytes = this.writtenBytes();
    const memLines: string[] = [];
    let memDiffers = 0;
    for (let i = 0; i < bytes.length; ) {
      let j = i + 1;
      while (j < bytes.length && bytes[j].linear === bytes[j - 1].linear + 1 && j - i < 16) j++;
      const run = bytes.slice(i, j);
      if (run.some((x) => x.interp !== x.translated)) {
        memDiffers += run.filter((x) => x.interp !== x.translated).length;
        if (memLines.length < MAX_MEMORY_LINES) {
          memLines.push(
            `  ${`mem ${hex(run[0].linear)}`.padEnd(16)} ${byteText(run.map((x) => x.interp)).padEnd(48)} ` +
              `${byteText(run.map((x) => x.translated)).padEnd(48)} <-- differs (before: ${byteText(run.map((x) => x.original))})`,
          );
        }
      }
      i = j;
    }
    if (!differs && memDiffers === 0) return null;

    const lines: string[] = [];
    lines.push(
      `wasmvisor: lockstep: the translated block at ${hex(b.eip)} diverges from the interpreter ` +
        `(after ${this.counters.blocksCompared - 1} blocks and ${this.counters.instructionsCompared - translated.retired} instructions that agreed)`,
    );
    lines.push(`block ${hex(b.eip)}, ${b.insnCount} instruction(s):`);
    const mmu = this.vm.mmu;
    for (const insn of insnsOf(b)) {
      const code = byteText(Array.from(mmu.readUpTo((b.csBase + insn.eip) | 0, insn.length)));
      lines.push(`  ${hex(insn.eip)}  ${code.padEnd(32)} ${formatInstruction(insn)}`);
    }
    const width = Math.max(...rows.map(([, a, c]) => Math.max(a.length, c.length))) + 1;
    lines.push(`  ${'state after'.padEnd(16)} ${'interpreter'.padEnd(width)} translated`);
    for (const [name, a, c] of rows) lines.push(`  ${name.padEnd(16)} ${a.padEnd(width)} ${a !== c ? `${c.padEnd(width)} <-- differs` : c}`);
    lines.push(`  memory: ${bytes.length} byte(s) written, ${memDiffers} differ`);
    lines.push(...memLines);
    if (memLines.length === MAX_MEMORY_LINES) lines.push('  ...');
    return lines.join('\n');
  }
}

/**
 * The guest writes of one run, in order: host offset, linear address and
 * size of each (within one page), and per byte its old value (before that
 * write) and its final value (after the run, once keepFinal ran). Buffers
 * are reused from block to block and grow as needed (a REP STOS may write
 * megabytes in one block).
 */
class WriteLog {
  host = new Uint32Array(64);
  linear = new Int32Array(64);
  size = new Int32Array(64);
  old = new Uint8Array(4096);
  final = new Uint8Array(4096);
  /** Writes and bytes logged. */
  writes = 0;
  bytes = 0;

  clear(): void {
    this.writes = 0;
    this.bytes = 0;
  }

  add(u8: Uint8Array, linear: number, host: number, size: number): void {
    // The same place again (a probe before a read-modify-write, then the write): the first old bytes are the ones to keep.
    if (this.writes > 0 && this.host[this.writes - 1] === host && this.size[this.writes - 1] === size) return;
    if (this.writes === this.host.length) {
      this.host = grow(this.host, this.writes + 1);
      this.linear = grow(this.linear, this.writes + 1);
      this.size = grow(this.size, this.writes + 1);
    }
    if (this.bytes + size > this.old.length) this.old = grow(this.old, this.bytes + size);
    const i = this.writes++;
    this.host[i] = host;
    this.linear[i] = linear;
    this.size[i] = size;
    this.old.set(u8.subarray(host, host + size), this.bytes);
    this.bytes += size;
  }

  /** Records the bytes' values as the run left them. */
  keepFinal(u8: Uint8Array): void {
    if (this.final.length < this.bytes) this.final = new Uint8Array(this.old.length);
    let o = 0;
    for (let i = 0; i < this.writes; i++) {
      const host = this.host[i], size = this.size[i];
      this.final.set(u8.subarray(host, host + size), o);
      o += size;
    }
  }

  /** Puts back the old bytes, newest write first. */
  undo(u8: Uint8Array): void {
    let o = this.bytes;
    for (let i = this.writes - 1; i >= 0; i--) {
      const size = this.size[i];
      o -= size;
      u8.set(this.old.subarray(o, o + size), this.host[i]);
    }
  }
}

function grow<T extends Int32Array | Uint32Array | Uint8Array>(a: T, need: number): T {
  let n = a.length * 2;
  while (n < need) n *= 2;
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a);
  return b;
}

/**
 * Whether the translated run (its values in memory now) wrote what the
 * interpreter wrote: every byte the interpreter wrote holds the
 * interpreter's final value, and every other byte the translated code wrote
 * holds its value from before the block. (The two may write the same bytes
 * in different pieces: a bulk REP STOS against element by element.)
 */
function sameWrites(iw: WriteLog, tw: WriteLog, u8: Uint8Array): boolean {
  let o = 0;
  for (let i = 0; i < iw.writes; i++) {
    const host = iw.host[i], size = iw.size[i];
    if (!sameBytes(u8.subarray(host, host + size), iw.final.subarray(o, o + size))) return false;
    o += size;
  }
  if (tw.writes === 0) return true;
  // The same places in the same order (the usual case): nothing else to look at.
  let same = iw.writes === tw.writes;
  for (let i = 0; same && i < iw.writes; i++) same = iw.host[i] === tw.host[i] && iw.size[i] === tw.size[i];
  if (same) return true;
  // The interpreter's writes as sorted, merged [start, end) host ranges.
  const order = Array.from({ length: iw.writes }, (_, i) => i).sort((x, y) => iw.host[x] - iw.host[y]);
  const starts: number[] = [];
  const ends: number[] = [];
  for (const i of order) {
    const start = iw.host[i], end = start + iw.size[i];
    if (ends.length > 0 && start <= ends[ends.length - 1]) ends[ends.length - 1] = Math.max(ends[ends.length - 1], end);
    else {
      starts.push(start);
      ends.push(end);
    }
  }
  /** The merged range holding `h`, or -1. */
  const rangeOf = (h: number): number => {
    let lo = 0, hi = starts.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (h < starts[mid]) hi = mid - 1;
      else if (h >= ends[mid]) lo = mid + 1;
      else return mid;
    }
    return -1;
  };
  const seen = new Set<number>();
  o = 0;
  for (let i = 0; i < tw.writes; i++) {
    const host = tw.host[i], size = tw.size[i];
    const r = rangeOf(host);
    if (r >= 0 && host + size <= ends[r]) {
      o += size; // all of it written by the interpreter too: checked above
      continue;
    }
    for (let k = 0; k < size; k++, o++) {
      const h = host + k;
      if (rangeOf(h) >= 0 || seen.has(h)) continue;
      seen.add(h); // the first old value logged for a byte is its value before the block
      if (u8[h] !== tw.old[o]) return false;
    }
  }
  return true;
}

/** Slots SLOTS_USED.. of a state block, as bytes. */
function tailOf(state: Int32Array): Uint8Array {
  return new Uint8Array(state.buffer, state.byteOffset + SLOTS_USED * 4, state.byteLength - SLOTS_USED * 4);
}

const NodeBuffer = (globalThis as { Buffer?: { compare(a: Uint8Array, b: Uint8Array): number } }).Buffer;

/** Whether two byte ranges are equal (memcmp through Node's Buffer when there is one). */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  if (NodeBuffer) return NodeBuffer.compare(a, b) === 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Whether the two runs left the same CPU state and exception (memory: sameWrites). */
function agree(a: Outcome, b: Outcome): boolean {
  if (a.eflags !== b.eflags || a.retired !== b.retired) return false;
  const ea = a.exception, eb = b.exception;
  if (ea !== eb && (ea === null || eb === null || ea.vector !== eb.vector || ea.errorCode !== eb.errorCode || ea.address !== eb.address)) {
    return false;
  }
  const sa = a.state, sb = b.state;
  for (let i = 0; i < SLOTS_USED; i++) if (sa[i] !== sb[i] && !IGNORED_SLOTS.has(i)) return false;
  // The rest of the state block (unused so far): a stray store there shows too.
  return sameBytes(a.tail, b.tail);
}

/** Blocks run both ways: ones the translator takes (flat 32-bit code, decoded) with nothing that must not happen twice. */
function comparable(b: Block): boolean {
  // The translator's own test (translatable() in translator.ts)...
  if (!(b.valid && b.csBase === 0 && b.codeSize === 4 && b.insnCount > 0 && !b.faultsAtEnd)) return false;
  // ...and no system call, software interrupt or time stamp.
  for (const insn of insnsOf(b)) if (insn.entry.control === 'int' || insn.entry.op === 'rdtsc') return false;
  return true;
}

function hex(v: number, digits = 8): string {
  return '0x' + (v >>> 0).toString(16).padStart(digits, '0');
}

function byteText(bytes: number[]): string {
  return bytes.map((x) => x.toString(16).padStart(2, '0')).join(' ');
}

function flagText(v: number): string {
  return `${hex(v)} [${FLAG_NAMES.filter(([bit]) => v & bit).map(([, n]) => n).join(' ')}]`;
}

function exceptionText(e: CpuException | null): string {
  if (e === null) return 'none';
  const name = VECTOR_NAMES[e.vector] ?? `vector ${e.vector}`;
  return `${name.split(' ')[0]} error ${e.errorCode} address ${hex(e.address)}`;
}
