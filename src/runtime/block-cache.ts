import { decode } from '../decoder/decoder.js';
import { deadFlagWriters } from '../decoder/flag-liveness.js';
import { ControlFlow, Instruction, Seg } from '../decoder/types.js';
import { CpuException, Vector } from './exceptions.js';
import { compileInstruction, Exec } from './interp/compile.js';
import { fuseCompareBranch, fuseResultBranch } from './interp/fused.js';
import { withAccessChecks } from './interp/segment-checks.js';
import { PAGE_MASK, PAGE_SHIFT, PAGE_SIZE, Slot } from './layout.js';
import type { Machine } from './machine.js';
import { Access, CodeWriteListener } from './mmu.js';

/** A straight run of decoded instructions, each compiled to a closure. */
export interface Block {
  /** EIP of the first instruction. */
  eip: number;
  /** CS base and code size the block was decoded for. */
  csBase: number;
  codeSize: number;
  ops: Exec[];
  /** EIP of the first instruction of each op (for precise exceptions). */
  eips: number[];
  /** Instructions retired before each op starts (an op may run a fused pair). */
  retired: number[];
  /** Instructions in the block. */
  count: number;
  /**
   * The decoded instructions, once insnsOf has been asked for them. A block
   * keeps only its bytes until then: most blocks are only ever interpreted,
   * and their Instruction objects, interleaved on the heap with the ops the
   * run loop touches, made the interpreter's working set several times larger.
   */
  insns: Instruction[] | null;
  /** The instructions' bytes, one character per byte. */
  code: string;
  /** Instructions decoded (ops may be one more: a fault at the end). */
  insnCount: number;
  /** EIP after the last instruction. */
  endEip: number;
  /** The last op sets EIP itself (a jump, call, return, interrupt). */
  endsWithJump: boolean;
  /** Host frames the block's bytes come from. */
  frames: number[];
  /** Host byte ranges of the block's instructions, as [start, end) pairs (two when it crosses a page). */
  ranges: number[];
  valid: boolean;
  /** The last two blocks that followed this one (direct chaining without a lookup). */
  succA: Block | null;
  succB: Block | null;
  /** The block ends with an op that raises a fetch or decode fault (nothing to translate there). */
  faultsAtEnd: boolean;
  /** Times the interpreter ran this block (the translator's hotness counter). */
  hits: number;
  /** BlockCache.mappingEpoch when the block's linear pages were last seen mapped to its frames. */
  epoch: number;
  /** The block starts at a code breakpoint (BlockCache.breakpoints): it is interpreted, never translated. */
  hooked: boolean;
  /** A live translated region has an entry at this block (kept by the translator): only then does the run loop look for one. */
  translated: boolean;
  /** Every page the block was fetched from is a global page (Tlb.GLOBAL): a CR3 write leaves its mapping as it was. */
  globalCode: boolean;
  /** BlockCache.globalEpoch when the block was last seen mapped to its frames. */
  globalEpoch: number;
}

/** The block's decoded instructions (decoded again from its bytes on first use; blocks only interpreted never keep them). */
export function insnsOf(b: Block): Instruction[] {
  if (b.insns !== null) return b.insns;
  const out: Instruction[] = [];
  const code = Uint8Array.from(b.code, (c) => c.charCodeAt(0));
  let off = 0, at = b.eip;
  for (let k = 0; k < b.insnCount; k++) {
    const r = decode(code, off, code.length - off, at, b.codeSize as 2 | 4);
    if (!r.ok) throw new Error('block bytes decode differently');
    out.push(r.insn);
    off += r.insn.length;
    at = (at + r.insn.length) | 0;
    if (b.codeSize === 2) at &= 0xffff;
  }
  return (b.insns = out);
}

/** How the block's last decoded instruction leaves it ('none': it falls through, or the block decoded nothing). */
export function endControl(b: Block): ControlFlow {
  return insnsOf(b).at(-1)?.entry.control ?? 'none';
}

/** The block ends with a CALL, direct or indirect: its return block is the block at endEip. */
export function endsWithCall(b: Block): boolean {
  const control = endControl(b);
  return control === 'call' || control === 'call-indirect';
}

/** Where the run loop stops to call Machine.codeHook. */
export interface CodeBreakpoints {
  /** A block must start at `eip` (an instruction hook, a run's `until`): decoding ends before it. */
  splitsAt(eip: number): boolean;
  /** A block starting at `eip` goes through Machine.codeHook and is interpreted. */
  hooks(eip: number): boolean;
}

/** Told when decoded blocks go away (the translator drops what it made of them). */
export interface BlockListener {
  blockInvalidated(b: Block): void;
  flush(): void;
}

/** Instructions a block holds at most: a run of more than this many instructions ends a block or more. */
export const MAX_BLOCK_INSNS = 64;
const JUMP_CACHE_BITS = 12;

/**
 * Decoded blocks, found by EIP through a direct-mapped jump cache (like
 * QEMU's tb_jmp_cache) and by frame for invalidation when code is written.
 */
export class BlockCache implements CodeWriteListener {
  private readonly jumpCache: (Block | null)[] = new Array(1 << JUMP_CACHE_BITS).fill(null);
  private readonly byFrame = new Map<number, Block[]>();
  /** Every valid block by EIP (the jump cache is direct-mapped and forgets). */
  private readonly byEip = new Map<number, Block>();
  listener: BlockListener | null = null;
  /**
   * EIPs where the run loop calls Machine.codeHook before the instruction
   * runs (an embedder's code hooks and `until`); null: none. Set through
   * Machine.setCodeBreakpoints, which flushes decoded and translated code.
   */
  breakpoints: CodeBreakpoints | null = null;
  private readonly fetchBuf = new Uint8Array(16);
  built = 0;
  invalidations = 0;
  /** Bumped whenever chained successor links may have gone stale (flushes, CS changes, remappings). */
  generation = 0;
  /**
   * Bumped when linear-to-physical mappings change (Machine.remapped). A
   * block from an earlier epoch is checked against the current mappings
   * before it runs: still the same frames, it is kept; otherwise it goes.
   */
  mappingEpoch = 0;
  /**
   * Bumped by the remappings that may move global pages (not a CR3 write):
   * a block on global pages checked in this epoch is still mapped as it was.
   * Debian's boot writes CR3 16,000 times, and its blocks were checked
   * against the mappings 1.25 M times, 99% of them on global pages.
   */
  globalEpoch = 0;
  /** Blocks dropped because their linear pages came to map other frames. */
  remapInvalidations = 0;
  /** Times a block from an older mapping epoch was checked against the page tables (stillMapped). */
  mappingChecks = 0;
  /** Skip computing flags that the block overwrites before reading (can be switched off to measure it). */
  flagLiveness = true;
  /** Blocks check segment limits and types on memory operands (once a segment needs it; segment-checks.ts). */
  accessChecks = false;

  constructor(private readonly vm: Machine) {}

  lookupFast(eip: number): Block | null {
    const b = this.jumpCache[(eip ^ (eip >>> JUMP_CACHE_BITS)) & ((1 << JUMP_CACHE_BITS) - 1)];
    if (b !== null && b.eip === eip && b.valid) {
      const s = this.vm.cpu.s;
      if (b.csBase === s[Slot.SEG_BASE + Seg.CS] && b.codeSize === this.vm.cpu.codeSize && (b.epoch === this.mappingEpoch || this.current(b))) return b;
    }
    return null;
  }

  /** Whether valid block `b` still maps to the frames it was decoded from (dropping it if not). */
  current(b: Block): boolean {
    if (b.epoch === this.mappingEpoch) return true;
    if ((b.globalCode && b.globalEpoch === this.globalEpoch) || this.stillMapped(b)) {
      b.epoch = this.mappingEpoch;
      b.globalEpoch = this.globalEpoch;
      return true;
    }
    this.remapInvalidations++;
    this.invalidate(b);
    return false;
  }

  /** Every linear page the block's bytes come from still maps (executably) to one of its frames. */
  private stillMapped(b: Block): boolean {
    this.mappingChecks++;
    const mmu = this.vm.mmu;
    const start = (b.csBase + b.eip) | 0;
    const last = (start + Math.max(1, ((b.endEip - b.eip) | 0)) - 1) | 0;
    try {
      if (!b.frames.includes(mmu.fetchAddress(start) & ~PAGE_MASK)) return false;
      if (last >>> PAGE_SHIFT !== start >>> PAGE_SHIFT && !b.frames.includes(mmu.fetchAddress(last) & ~PAGE_MASK)) return false;
    } catch (e) {
      if (!(e instanceof CpuException)) throw e;
      return false;
    }
    // Code decoded under early page tables may be on global pages now (the kernel turns on CR4.PGE after it ran).
    b.globalCode = mmu.globalPage(start >>> PAGE_SHIFT) && mmu.globalPage(last >>> PAGE_SHIFT);
    return true;
  }

  /**
   * Linear-to-physical mappings changed: links between blocks go, and each
   * block is checked before it runs again (but for blocks on global pages
   * when `globalPagesKept`: a CR3 write).
   */
  remapped(globalPagesKept = false): void {
    this.mappingEpoch++;
    if (!globalPagesKept) this.globalEpoch++;
    this.generation++;
    this.vm.codeFlushed();
  }

  private invalidate(b: Block): void {
    b.valid = false;
    this.invalidations++;
    if (this.byEip.get(b.eip) === b) this.byEip.delete(b.eip);
    this.listener?.blockInvalidated(b);
  }

  /** The valid block at `eip` decoded for the current code segment, without decoding one. */
  peek(eip: number): Block | null {
    const b = this.byEip.get(eip);
    if (b === undefined || !b.valid) return null;
    const s = this.vm.cpu.s;
    if (b.csBase !== s[Slot.SEG_BASE + Seg.CS] || b.codeSize !== this.vm.cpu.codeSize) return null;
    return this.current(b) ? b : null;
  }

  /** The block at `eip` for the current code segment: the one decoded before if still good, else a new one. */
  lookup(eip: number): Block {
    const b = this.peek(eip) ?? this.build(eip);
    this.jumpCache[(eip ^ (eip >>> JUMP_CACHE_BITS)) & ((1 << JUMP_CACHE_BITS) - 1)] = b;
    return b;
  }

  onCodeWrite(frame: number, host: number, size: number): boolean {
    const list = this.byFrame.get(frame);
    if (!list) return false;
    const end = host + size;
    let kept = 0;
    for (const b of list) {
      if (!b.valid) continue; // already gone (remapped away): drop it from the list
      let hit = false;
      for (let i = 0; i < b.ranges.length; i += 2) if (host < b.ranges[i + 1] && end > b.ranges[i]) hit = true;
      if (hit) {
        this.invalidate(b);
        // The running block may be this one: end it after the current instruction.
        this.vm.abort = true;
      } else list[kept++] = b;
    }
    list.length = kept;
    if (kept === 0) this.byFrame.delete(frame);
    return kept > 0;
  }

  /**
   * A data segment register now holds a segment with a limit or type to
   * enforce. The first time, every block is rebuilt with the checks. Each
   * time, the running block ends after this instruction, so translated code
   * (which has no checks) hands over to the run loop, and the interpreter
   * stops at the same place (lockstep compares the two).
   */
  enableAccessChecks(): void {
    this.vm.abort = true;
    this.vm.attention = true;
    if (this.accessChecks) return;
    this.accessChecks = true;
    this.flush();
  }

  flush(): void {
    this.generation++;
    this.vm.codeFlushed();
    for (const list of this.byFrame.values()) for (const b of list) b.valid = false;
    for (const frame of this.byFrame.keys()) this.vm.mmu.clearCode(frame);
    this.byFrame.clear();
    this.byEip.clear();
    this.jumpCache.fill(null);
    this.listener?.flush();
    this.vm.mmu.flush();
  }

  private build(eip: number): Block {
    const vm = this.vm;
    const cpu = vm.cpu;
    const csBase = cpu.s[Slot.SEG_BASE + Seg.CS];
    const codeSize = cpu.codeSize;
    // Literal order is field order in memory: the fields the run loop reads on every block come first.
    const block: Block = {
      eip,
      valid: true,
      epoch: this.mappingEpoch,
      csBase,
      codeSize,
      succA: null,
      succB: null,
      translated: false,
      hooked: this.breakpoints?.hooks(eip) ?? false,
      ops: [],
      count: 0,
      endsWithJump: false,
      endEip: eip,
      hits: 0,
      eips: [],
      retired: [],
      insns: null,
      code: '',
      insnCount: 0,
      frames: [],
      ranges: [],
      faultsAtEnd: false,
      globalCode: true,
      globalEpoch: this.globalEpoch,
    };
    let pc = eip;
    const csLimit = cpu.s[Slot.SEG_LIMIT + Seg.CS] >>> 0;
    const firstPage = (csBase + eip) >>> PAGE_SHIFT;
    const insns: Instruction[] = [];
    const pcs: number[] = [];
    let code = '';
    // An op that raises the fetch or decode fault met after the decoded instructions.
    let terminator: { op: Exec; eip: number; fetchFault: boolean } | null = null;
    for (let count = 0; count < MAX_BLOCK_INSNS; count++) {
      const linear = (csBase + pc) | 0;
      if (count > 0 && linear >>> PAGE_SHIFT !== firstPage) break; // a block stays within its first page
      if (count > 0 && this.breakpoints?.splitsAt(pc)) break; // a breakpoint starts a block of its own
      let avail: number;
      try {
        avail = this.fetch(linear, block);
      } catch (e) {
        if (!(e instanceof CpuException)) throw e;
        if (count > 0) break;
        // The very first byte cannot be fetched: fault when the block runs.
        terminator = { op: raise(e), eip: pc, fetchFault: e.vector === Vector.PF };
        break;
      }
      // Only the bytes up to the CS limit may be fetched (every byte with a flat CS).
      const room = csLimit - (pc >>> 0) + 1;
      const r = decode(this.fetchBuf, 0, Math.max(0, Math.min(avail, room)), pc, codeSize);
      if (!r.ok && r.reason === 'truncated' && room < avail) {
        if (count > 0) break;
        terminator = { op: raise(new CpuException(Vector.GP, 0, 0, 'instruction fetch past the code segment limit')), eip: pc, fetchFault: false };
        break;
      }
      if (!r.ok) {
        const faultAt = (linear + avail) | 0;
        const bytes = Array.from(this.fetchBuf.subarray(0, Math.min(avail, 15)));
        const exc =
          r.reason === 'truncated'
            ? new CpuException(Vector.PF, 4, faultAt, 'instruction fetch from unmapped page')
            : r.reason === 'too-long'
              ? new CpuException(Vector.GP, 0, 0, 'instruction longer than 15 bytes')
              : new CpuException(Vector.UD, -1, 0, `invalid opcode ${hex(bytes.slice(0, Math.max(1, r.length)))}`);
        terminator = { op: raise(exc), eip: pc, fetchFault: exc.vector === Vector.PF };
        break;
      }
      const insn = r.insn;
      insns.push(insn);
      code += String.fromCharCode(...this.fetchBuf.subarray(0, insn.length));
      pcs.push(pc);
      pc = (pc + insn.length) | 0;
      if (codeSize === 2) pc &= 0xffff;
      if (insn.entry.control !== 'none') {
        // 'stop' rows (POPF, STI, HLT...) end the block without setting EIP themselves.
        block.endsWithJump = insn.entry.control !== 'stop';
        break;
      }
    }
    const dead = this.flagLiveness ? deadFlagWriters(insns) : null;
    for (let i = 0; i < insns.length; i++) {
      const insn = insns[i];
      const prev = i > 0 ? insns[i - 1] : null;
      const canFuse = prev !== null && block.eips[block.eips.length - 1] === prev.eip && !this.accessChecks;
      const fused = canFuse
        ? (fuseCompareBranch(prev, insn, vm) ?? fuseResultBranch(prev, block.ops[block.ops.length - 1], insn, vm))
        : null;
      if (fused) {
        block.ops[block.ops.length - 1] = fused;
      } else {
        block.eips.push(pcs[i]);
        block.retired.push(i);
        const op = compileInstruction(insn, vm, dead !== null && dead[i]);
        block.ops.push(this.accessChecks ? withAccessChecks(insn, vm, op) : op);
      }
    }
    if (terminator) {
      // A fetch that faulted (#PF) is retried next time: the guest's handler maps the page and returns to it,
      // and a not-present entry it fixes needs no INVLPG, so no remapping would tell this block to go.
      if (terminator.fetchFault) block.valid = false;
      block.ops.push(terminator.op);
      block.eips.push(terminator.eip);
      block.retired.push(insns.length);
      block.endsWithJump = true;
      block.faultsAtEnd = true;
    }
    block.endEip = pc;
    this.recordRanges(block, (csBase + eip) | 0, (pc - eip) | 0);
    trimArrays(block);
    block.count = Math.max(insns.length, block.ops.length);
    block.code = code;
    block.insnCount = insns.length;
    for (const f of block.frames) {
      let list = this.byFrame.get(f);
      if (!list) this.byFrame.set(f, (list = []));
      list.push(block);
      vm.mmu.markCode(f);
    }
    this.built++;
    if (block.valid) this.byEip.set(eip, block);
    return block;
  }

  /** Copies up to 15 instruction bytes at `linear` into fetchBuf; returns how many could be read. */
  private fetch(linear: number, block: Block): number {
    const mmu = this.vm.mmu;
    const host = mmu.fetchAddress(linear);
    this.noteFrame(block, host & ~PAGE_MASK);
    block.globalCode &&= mmu.globalPage(linear >>> PAGE_SHIFT);
    const inPage = PAGE_SIZE - (linear & PAGE_MASK);
    if (inPage >= 15) {
      this.fetchBuf.set(mmu.u8.subarray(host, host + 15));
      return 15;
    }
    this.fetchBuf.set(mmu.u8.subarray(host, host + inPage));
    let next: number;
    try {
      next = mmu.fetchAddress((linear + inPage) | 0);
    } catch {
      return inPage;
    }
    this.noteFrame(block, next & ~PAGE_MASK);
    block.globalCode &&= mmu.globalPage((linear + inPage) >>> PAGE_SHIFT);
    this.fetchBuf.set(mmu.u8.subarray(next, next + 15 - inPage), inPage);
    return 15;
  }

  /** Host ranges of the `length` bytes at `linear` (the pages are mapped: they were just fetched). */
  private recordRanges(block: Block, linear: number, length: number): void {
    const mmu = this.vm.mmu;
    let done = 0;
    while (done < Math.max(length, 1)) {
      const a = (linear + done) | 0;
      const n = Math.min(Math.max(length, 1) - done, PAGE_SIZE - (a & PAGE_MASK));
      let h: number;
      try {
        h = mmu.fetchAddress(a);
      } catch {
        break;
      }
      block.ranges.push(h, h + n);
      this.decodedPages[a >>> PAGE_SHIFT] = 1;
      done += n;
    }
  }

  /**
   * Linear pages some block was ever decoded from (never cleared, so the
   * answer errs towards yes): a remapping of pages none of which holds
   * code leaves every decoded block and translation as it was.
   */
  private readonly decodedPages = new Uint8Array(1 << (32 - PAGE_SHIFT));

  /** Whether code was ever decoded from a linear page of [linear, linear + size). */
  decodedFrom(linear: number, size: number): boolean {
    const first = linear >>> PAGE_SHIFT, last = (linear + size - 1) >>> PAGE_SHIFT;
    for (let p = first; p <= last; p++) if (this.decodedPages[p]) return true;
    return false;
  }

  private noteFrame(block: Block, frame: number): void {
    if (!block.frames.includes(frame)) block.frames.push(frame);
  }
}

/**
 * Gives the block's arrays their exact lengths: an array grown by push keeps
 * room for 16 or more elements, and a block has five. Debian's boot keeps
 * 44 K blocks: 142 MB of heap, 116 MB with exact arrays.
 */
function trimArrays(block: Block): void {
  block.ops = block.ops.slice();
  block.eips = block.eips.slice();
  block.retired = block.retired.slice();
  block.frames = block.frames.slice();
  block.ranges = block.ranges.slice();
}

function raise(e: CpuException): Exec {
  return () => {
    throw e;
  };
}

function hex(bytes: number[]): string {
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(' ');
}

export { Access };
