import { X87_INLINE } from './ops-x87.js';
import { SSE_INLINE } from './ops-sse.js';
import { ARITH_FLAGS } from '../decoder/types.js';
import { deadFlagWriters, flagsLiveIn } from '../decoder/flag-liveness.js';
import { Instruction } from '../decoder/types.js';
import { endsWithCall, insnsOf, type Block } from '../runtime/block-cache.js';
import { Slot } from '../runtime/layout.js';
import type { DirectRam } from '../runtime/machine.js';
import { Cell, Emitter, Expr, FlagRecipe, Import, TranslateOptions, Val } from './emitter.js';
import { IrModule, Ty } from './ir.js';
import { Exit } from './layout.js';
import { WasmModule } from './wasm-builder.js';
import { RegionShape } from './region-layout.js';
import { changesOtherFlags, RegionFlagFlow, regionFlagFlow } from './region-flags.js';
import { emitDirection, emitString } from './ops-string.js';
import { emitAlu, emitBitScan, emitDiv, emitDoubleShift, emitMul, emitShift, emitUnary, InlineOp } from './ops-alu.js';
import { emitBswap, emitCmovcc, emitCmpxchg, emitConvert, emitLea, emitLeave, emitMov, emitMovx, emitNop, emitPop, emitPush, emitSetcc, emitXchg, push32, stackAddress } from './ops-move.js';

const I32 = Ty.i32;
const NONE = Ty.none;

/**
 * The translator's half of the ISA table for straight-line instructions:
 * op → inline emitter. Ops with no row here (and forms an emitter declines)
 * run through the interpreter helper, inside the translated block.
 */
const INLINE: Readonly<Record<string, InlineOp>> = {
  add: emitAlu, or: emitAlu, adc: emitAlu, sbb: emitAlu, and: emitAlu, sub: emitAlu, xor: emitAlu, cmp: emitAlu,
  test: emitAlu,
  inc: emitUnary, dec: emitUnary, neg: emitUnary, not: emitUnary,
  shl: emitShift, shr: emitShift, sar: emitShift, rol: emitShift, ror: emitShift,
  shld: emitDoubleShift, shrd: emitDoubleShift, bsf: emitBitScan, bsr: emitBitScan,
  imul: emitMul, imul1: emitMul, mul: emitMul, div: emitDiv, idiv: emitDiv,
  mov: emitMov, movzx: emitMovx, movsx: emitMovx, lea: emitLea, xchg: emitXchg, cmpxchg: emitCmpxchg, bswap: emitBswap, cwd: emitConvert, cbw: emitConvert,
  setcc: emitSetcc, cmovcc: emitCmovcc, push: emitPush, pop: emitPop, leave: emitLeave,
  movs: emitString, stos: emitString, cld: emitDirection, std: emitDirection,
  nop: emitNop, pause: emitNop, fwait: emitNop, lfence: emitNop, mfence: emitNop, sfence: emitNop,
  ...X87_INLINE,
  ...SSE_INLINE,
};

/** Ops whose lazy record decides all six status flags without reading any. */
const REPLACES_FLAGS = new Set(['add', 'sub', 'and', 'or', 'xor', 'cmp', 'test', 'neg']);

/** What the region may take as fixed; the translator flushes translations when it stops being true. */
export interface RegionAssumptions {
  /** DS, ES and SS have base 0: their memory operands skip the base addition. */
  flatData: boolean;
  /** Every page the TLB tags lives at its own linear address (GuestMemory.linear): no addend. */
  linearMemory: boolean;
  /** Reads of RAM below its size go to a fixed host offset, without the TLB (Machine.directRam), or null. */
  directRam: DirectRam | null;
}

/** What a compiled region needs from the translator at run time. */
export interface CompiledRegion {
  binary: Uint8Array<ArrayBuffer>;
  /** Blocks in the region; entry k of the module enters blocks[k]. */
  blocks: Block[];
  /** Instructions the interp helper runs, by helper id. */
  helperInsns: Instruction[];
  /** Guest instructions translated, and how many of them go through the interpreter helper. */
  instructions: number;
  helperSites: number;
  /** Blocks emitted a second time as part of their predecessor (translateBlock). */
  continuedBlocks: number;
}

/**
 * Translates a region of decoded blocks into one wasm module: a function
 * `region(entry)` shaped by RegionShape (the guest's loops as wasm loops,
 * a loop + br_table dispatcher for entries and what the structure cannot
 * express; guest registers stay in locals across intra-region branches)
 * and one exported entry function per block for the shared table.
 */
export function compileRegion(
  blocks: Block[],
  opts: TranslateOptions,
  memoryPages: number,
  assumptions: RegionAssumptions = { flatData: false, linearMemory: false, directRam: null },
): CompiledRegion {
  const shape = new RegionShape(blocks, successors);
  blocks = shape.order;
  const mod: IrModule = opts.codegen === 'direct' ? new WasmModule() : opts.codegen();
  const m = mod.ir;
  try {
    mod.importMemory('env', 'memory', memoryPages, assumptions.linearMemory);
    // Other translations are reached through the hub's jump(slot), not the table itself (see Translator.hub).
    mod.importFunction(Import.JUMP, 'env', Import.JUMP, [I32], I32);
    // The table slot of entry e0; e1.. follow. Lets the exit path recognise this region's own blocks.
    mod.importGlobal('firstSlot', 'env', 'firstSlot', I32);
    for (const f of [Import.READ8, Import.READ16, Import.READ32, Import.INTERP]) mod.importFunction(f, 'env', f, [I32], I32);
    for (const f of [Import.WRITE8, Import.WRITE16, Import.WRITE32]) mod.importFunction(f, 'env', f, [I32, I32], I32);

    const e = new Emitter(m, opts, assumptions);
    e.siteCaches = opts.pageCaches && opts.inlineTlb && shape.hasLoops;
    const index = new Map<number, number>();
    blocks.forEach((b, k) => index.set(b.eip, k));
    // Return addresses of calls inside the region: a RET compares its target against these before the dispatch cache.
    // Two blocks can end with the same call (one decoded from further up), so each address once.
    const returnSites = [
      ...new Set(
        blocks
          .filter((b) => endsWithCall(b) && index.has(b.endEip))
          .map((b) => b.endEip),
      ),
    ];
    // Flags followed across the region's blocks (lockstep compares the state after every block, so not there).
    const crossBlockFlags = opts.flagLiveness && opts.flagsAcrossBlocks && opts.registerCaching;
    const flow: RegionFlagFlow =
      crossBlockFlags
        ? regionFlagFlow(blocks, index, successors)
        : { liveIn: blocks.map(() => ARITH_FLAGS), liveOut: blocks.map(() => ARITH_FLAGS), recipe: blocks.map(() => null) };
    const ctx: RegionContext = { e, index, returnSites, shape, flow, continuing: opts.continuations && crossBlockFlags, continued: 0 };
    let instructions = 0;
    const codes: Expr[] = blocks.map((b, k) => {
      instructions += b.insnCount;
      const recipe = flow.recipe[k];
      if (recipe === null) return translateBlock(ctx, b, k, 'only', null);
      // Peeled: the first iteration finds the flags in memory, the repeated copy as the recipe says.
      const repeated = translateBlock(ctx, b, k, 'repeated', recipe);
      const first = translateBlock(ctx, b, k, 'first', null);
      return m.block(null, [m.block(peelLabel(k), [first], NONE), repeated], NONE);
    });
    const tree = shape.tree(m, codes, () => m.local.get(e.nextLocal, I32));
    // The exit path branches back to the dispatcher when the target is a block of this region.
    const exit = m.block('exit', [tree, m.unreachable()], NONE);
    const dispatch = m.loop('dispatch', m.block(null, [exit, ...e.exitPath(blocks.length)], NONE));
    const fault = m.block('fault', [dispatch, m.unreachable()], NONE);
    const body = m.block(null, [...e.prologue(), fault, ...e.faultPath()], I32);
    mod.addFunction('region', [I32], I32, e.localTypes(), body);
    for (let k = 0; k < blocks.length; k++) {
      mod.addFunction(`e${k}`, [], I32, [], m.return_call('region', [m.i32.const(k)], I32));
      mod.exportFunction(`e${k}`);
    }
    mod.exportFunction('region');
    return {
      binary: mod.emitBinary(),
      blocks,
      helperInsns: e.helperInsns,
      instructions,
      helperSites: e.helperSites,
      continuedBlocks: ctx.continued,
    };
  } finally {
    mod.dispose();
  }
}

interface RegionContext {
  e: Emitter;
  index: Map<number, number>;
  returnSites: number[];
  shape: RegionShape;
  flow: RegionFlagFlow;
  /** Small single-entry successors are emitted again as part of their predecessor (translateBlock). */
  continuing: boolean;
  /** Blocks emitted so far as continuations. */
  continued: number;
}

function peelLabel(k: number): string {
  return `F${k}`;
}

/**
 * Block k's code. A self-loop whose flags a recipe describes is emitted
 * twice: `first` (its back edge leaves into the loop that follows) and
 * `repeated` (the loop; it starts with the recipe pending).
 *
 * A small block that may read the flags (it does not overwrite them all
 * before reading one) and that only this block enters in the region (the
 * fall-through of a JCC, typically) is emitted again right after it, as
 * part of it
 * (`continuation`): the emitter's view of the flags carries on, so the
 * flags stay in locals with their writer known instead of being stored on
 * the edge and read back as an unknown record (an INC or DEC there folds
 * CF from the record: in gzip's longest_match, a DEC after CMP + JAE was a
 * sixth of the loop's code). Its own copy stays for entries from outside.
 */
function translateBlock(ctx: RegionContext, b: Block, k: number, copy: 'only' | 'first' | 'repeated', recipe: FlagRecipe | null): Expr {
  const { e, index, returnSites, shape, flow } = ctx;
  const m = e.m;
  e.beginBlock(recipe);
  const out: Expr[] = [];
  const loopLabel = `L${k}`;
  let selfLoop = copy === 'repeated';
  let otherFlags = changesOtherFlags(insnsOf(b));
  /** The block emitted next as part of this one (set by its predecessor's last branch). */
  let continuation: number | null = null;
  /** Instructions this block has taken on as continuations. */
  let continuedInsns = 0;

  /** Goes to block j of the region. `tail`: nothing follows in this block. */
  const jump = (j: number, target: number, tail: boolean): Expr => {
    const how = shape.jump(k, j);
    if (tail && how.kind === 'forward' && copy === 'only' && continues(ctx, k, j, continuedInsns)) {
      continuation = j;
      return m.nop();
    }
    // The flags this block has not stored go along when block j may read them (a peeled back edge leaves them
    // to the recipe); FLAGS alone when j overwrites the status flags first but this block changed DF.
    // (Storing FLAGS on every edge made a DEC loop's iterations a chain through memory: 0.42 -> 0.55 ns.)
    const peeledBackEdge = j === k && copy !== 'only';
    const flagStores = peeledBackEdge ? [] : flow.liveIn[j] !== 0 ? e.flagStores() : otherFlags ? e.flagStores(true) : [];
    // Block j starts with the x87 stack in memory.
    const stores = [...flagStores, ...e.blockStateStores()];
    const go = (...code: Expr[]): Expr => (stores.length + code.length === 1 ? [...stores, ...code][0] : m.block(null, [...stores, ...code], NONE));
    switch (how.kind) {
      case 'self':
        selfLoop = true;
        return go(e.budgetCheck(target), m.br(copy === 'first' ? peelLabel(k) : loopLabel));
      case 'back':
        return go(e.budgetCheck(target), e.clearNext(), m.br(how.label));
      case 'enter':
        // The first copy of a peeled block is followed by its loop, not by the next block.
        return tail && how.fallThrough && copy !== 'first' ? go(e.clearNext()) : go(e.clearNext(), m.br(how.label));
      case 'forward':
        return tail && how.fallThrough && copy !== 'first' ? go(m.nop()) : go(m.br(how.label));
      case 'dispatch':
        return go(e.dispatchTo(j, target));
    }
  };
  /** Goes to guest address `target` known at translation time. */
  const branch = (target: number, tail: boolean): Expr => {
    const j = index.get(target);
    return j === undefined ? e.exitTo(e.c(target)) : jump(j, target, tail);
  };

  /** The instructions of `block` (block k, or a continuation: block j of the region). */
  const emitBlock = (block: Block, j: number): void => {
    const insns = insnsOf(block);
    const count = insns.length;
    const dead = e.opts.flagLiveness ? deadFlagWriters(insns, flow.liveOut[j]) : null;
    // Deferred rotates (Emitter.deferRotateFlags) only when a later instruction of this block overwrites their
    // flags: with the region's liveOut as well (flags dead at the block's end because every successor overwrites
    // them), Debian's kernel printed garbage under the translator. The cause is not found yet; within a block
    // the deferral is proven by the tests and by that kernel's output.
    const deadButForFaults = e.opts.flagLiveness ? deadFlagWriters(insns, ARITH_FLAGS, false) : null;
    e.inLoop = shape.inLoop(j);
    e.beginInstruction({ insn: insns[0], index: 0, count });
    out.push(e.chargeBlock(count));
    /**
     * Goes to a run-time address: `sites` of this region first (a RET's return
     * sites, or where an indirect jump or call went when the interpreter ran
     * it), then the dispatch cache.
     */
    const indirect = (target: Val, kind: 'ret' | 'jump'): Expr => {
      const observed = observedSuccessors(block).filter((eip) => index.has(eip));
      const sites = kind === 'ret' ? [...new Set([...observed, ...returnSites])].slice(0, 4) : observed;
      const tests = sites.map((site) => m.if(m.i32.eq(target(), m.i32.const(site)), jump(index.get(site)!, site, false)));
      return m.block(null, [...tests, e.exitTo(target)], NONE);
    };

    for (let i = 0; i < count; i++) {
      const insn = insns[i];
      const next = (insn.eip + insn.length) | 0;
      e.beginInstruction({ insn, index: i, count });
      e.wroteMemory = false;
      e.flagsOnlyForFaults = deadButForFaults !== null && deadButForFaults[i] && !dead![i];
      // An ALU instruction on registers replaces the flags and cannot leave early: the recipe ends before it.
      if (REPLACES_FLAGS.has(insn.entry.op) && insn.operands.every((o) => o.kind !== 'mem')) e.flagsWritten();
      const control = insn.entry.control;
      const isLast = i === count - 1;
      if (control === 'none' || control === 'stop') {
        // The emitters compute 32-bit addresses only: 16-bit memory operands go to the interpreter.
        const inlinable = insn.operands.every((o) => o.kind !== 'mem' || o.addrSize === 4) && (e.opts.x87Inline || insn.entry.group !== 'x87');
        const inline = inlinable ? INLINE[insn.entry.op] : undefined;
        if (!(inline && inline(insn, e, dead !== null && dead[i]))) e.interpretInline();
        if ((insn.entry.flagsWritten & ARITH_FLAGS) !== 0 && !insn.entry.flagsConditional) e.flagsWritten();
        if (e.wroteMemory) e.emit(e.smcCheck(next));
        if (isLast) e.emit(branch(next, true));
      } else {
        emitControl(insn, e, next, branch, indirect);
      }
      out.push(...e.take());
    }
    if (count === 0) out.push(e.exitTo(e.c(block.endEip), 0));
  };

  emitBlock(b, k);
  while (continuation !== null) {
    const j: number = continuation;
    continuation = null;
    continuedInsns += shape.order[j].insnCount;
    ctx.continued++;
    otherFlags ||= changesOtherFlags(insnsOf(shape.order[j]));
    emitBlock(shape.order[j], j);
  }
  // Only a block that branches to itself is a loop: the engine puts a stack check at every loop header.
  return selfLoop && copy !== 'first' ? m.loop(loopLabel, m.block(null, out, NONE)) : m.block(null, out, NONE);
}

/** Largest block emitted again as a continuation, and the most instructions continuations add to one block. */
const CONTINUATION_MAX = 12;
const CONTINUATIONS_MAX = 24;

/**
 * Whether block j is emitted as a continuation of block k (see
 * translateBlock): k is its only way in from the region, it is small, it
 * may read the flags k leaves (or pass them on), and it neither heads a
 * loop nor is peeled.
 */
function continues(ctx: RegionContext, k: number, j: number, continuedInsns: number): boolean {
  const { shape, flow } = ctx;
  const block = shape.order[j];
  const n = block.insnCount;
  if (j === k || n === 0 || n > CONTINUATION_MAX || continuedInsns + n > CONTINUATIONS_MAX || flow.recipe[j] !== null) return false;
  if (!ctx.continuing || shape.headsLoop(j) || shape.predecessors(j) !== 1) return false;
  // Not a block that overwrites every flag before it could read one as it runs (only an exception would see
  // them): each continued block also keeps its own copy, and continuing those too made lz77 1.3x slower.
  return flagsLiveIn(insnsOf(block), ARITH_FLAGS, false) !== 0;
}

/** The block's last instruction: a jump, call, return or something the interpreter must run. */
function emitControl(
  insn: Instruction,
  e: Emitter,
  next: number,
  branch: (target: number, tail: boolean) => Expr,
  indirect: (target: Val, kind: 'ret' | 'jump') => Expr,
): void {
  const m = e.m;
  const op = insn.entry.op;
  const [target] = insn.operands;
  const flat = insn.opSize === 4 && insn.addrSize === 4;
  const afterStores = (to: Val) => {
    // A push that hit code ends the region here; the target is still where execution goes.
    if (e.wroteMemory) e.emit(m.if(m.local.get(e.smcLocal, I32), e.exitTo(to, undefined, Exit.ATTENTION)));
  };
  if (flat && op === 'jmp' && target.kind === 'rel') return e.emit(branch(target.value, true));
  if (flat && op === 'jcc') {
    e.emit(m.if(e.condition(insn.entry.cond), branch(target.value, false)), branch(next, true));
    return;
  }
  if (flat && (op === 'loop' || op === 'loope' || op === 'loopne')) {
    const ecx = e.temp(m.i32.sub(e.cell(Cell.ECX), m.i32.const(1)));
    e.setCell(Cell.ECX, ecx());
    let cond = ecx();
    if (op !== 'loop') {
      const z = e.condition(4); // ZF
      cond = m.i32.and(m.i32.ne(cond, m.i32.const(0)), op === 'loope' ? z : m.i32.eqz(z));
    }
    e.emit(m.if(cond, branch(target.value, false)), branch(next, true));
    return;
  }
  if (flat && op === 'jcxz') {
    e.emit(m.if(m.i32.eqz(e.cell(Cell.ECX)), branch(target.value, false)), branch(next, true));
    return;
  }
  if (flat && op === 'call' && target.kind === 'rel') {
    push32(e, e.c(next));
    afterStores(e.c(target.value));
    return e.emit(branch(target.value, true));
  }
  if (flat && (op === 'jmp' || op === 'call') && (target.kind === 'reg' || (target.kind === 'mem' && target.addrSize === 4))) {
    const t = target.kind === 'reg' ? e.temp(e.reg(target.reg, 4)) : e.read(target);
    if (op === 'call') {
      push32(e, e.c(next));
      afterStores(t);
    }
    return e.emit(indirect(t, 'jump'));
  }
  if (flat && op === 'ret') {
    const t = e.load(4, stackAddress(e, 0));
    const extra = insn.operands.length > 0 ? insn.operands[0].value & 0xffff : 0;
    e.setCell(Cell.ESP, m.i32.add(e.cell(Cell.ESP), m.i32.const(4 + extra)));
    return e.emit(indirect(t, 'ret'));
  }
  // Far transfers, interrupts and system calls, 16-bit forms: the interpreter runs it and sets EIP.
  const status = e.interpret();
  const eip = e.temp(e.slot(Slot.EIP));
  e.emit(m.if(status(), e.exitTo(eip, undefined, Exit.ATTENTION)), e.exitTo(eip));
}

/** Where block `b` went the last two times the interpreter ran it (its chaining links; none before it ran). */
export function observedSuccessors(b: Block): number[] {
  const out: number[] = [];
  for (const s of [b.succA, b.succB]) if (s !== null && s.valid && !out.includes(s.eip)) out.push(s.eip);
  return out;
}

/** Guest addresses a block's last instruction may go to directly. */
export function successors(b: Block): number[] {
  const last = insnsOf(b).at(-1);
  if (!last) return [];
  const target = last.operands[0];
  switch (last.entry.control) {
    case 'none':
    case 'stop':
      return [b.endEip];
    case 'jmp':
      return target?.kind === 'rel' ? [target.value] : [];
    case 'jcc':
      return [target.value, b.endEip];
    case 'call':
      return target?.kind === 'rel' ? [target.value, b.endEip] : [b.endEip];
    case 'call-indirect':
      return [b.endEip];
    default:
      return [];
  }
}
