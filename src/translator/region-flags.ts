import { deadFlagWriters, flagsLiveIn } from '../decoder/flag-liveness.js';
import { ARITH_FLAGS, Instruction } from '../decoder/types.js';
import { LazyOp } from '../runtime/flags.js';
import { endControl, insnsOf, type Block } from '../runtime/block-cache.js';
import type { Emitter, Expr, FlagRecipe } from './emitter.js';

/**
 * Flag liveness over a region's blocks, and which self-loops may leave
 * their flags unstored on the back edge.
 *
 * `liveIn[k]`: the status flags block k may read, or needs exact because an
 * instruction that can fault comes before it overwrites them; an edge into
 * block k stores the block's unstored flags only when that is non-zero.
 * `liveOut[k]`: the flags live at block k's end (every flag where the block
 * can leave the region, or ends with anything but a plain jump).
 *
 * `recipe[k]`: for a block that loops to itself, ends with a CMP, TEST,
 * SUB, ADD or XOR of registers or an immediate and a JCC, does not
 * otherwise read flags before writing them and changes no flag but the
 * six status flags, the lazy record of that last
 * writer as a function of the registers: the back edge stores nothing, and
 * the loop's repeated copy stores the recomputed record only on a path that
 * leaves before its first flag write (a TLB miss, a fault). Storing four
 * cells every iteration for an exception that almost never comes was a
 * third of a matrix inner loop's time.
 */
export interface RegionFlagFlow {
  liveIn: number[];
  liveOut: number[];
  recipe: Array<FlagRecipe | null>;
}

export function regionFlagFlow(blocks: Block[], index: Map<number, number>, successors: (b: Block) => number[]): RegionFlagFlow {
  const n = blocks.length;
  const leaves = blocks.map((b) => {
    const control = endControl(b);
    const direct = control === 'none' || control === 'jmp' || control === 'jcc';
    return !direct || successors(b).some((eip) => !index.has(eip));
  });
  const recipe = blocks.map((b) => selfLoopRecipe(b));
  const liveIn = new Array<number>(n).fill(0);
  const liveOut = new Array<number>(n).fill(0);
  for (let changed = true; changed; ) {
    changed = false;
    for (let k = n - 1; k >= 0; k--) {
      let out = 0;
      if (leaves[k]) out = ARITH_FLAGS;
      else for (const eip of successors(blocks[k])) if (!(eip === blocks[k].eip && recipe[k] !== null)) out |= liveIn[index.get(eip)!];
      liveOut[k] = out;
      const inFlags = flagsLiveIn(insnsOf(blocks[k]), out);
      if (inFlags !== liveIn[k]) {
        liveIn[k] = inFlags;
        changed = true;
      }
    }
  }
  // The recipe's record (ADD, SUB or LOGIC) decides all six status flags whatever FLAGS holds, so
  // other writers before it may leave FLAGS unstored; nothing may change FLAGS' other bits (DF).
  for (let k = 0; k < n; k++) {
    if (recipe[k] === null) continue;
    const insns = insnsOf(blocks[k]);
    const dead = deadFlagWriters(insns, liveOut[k]);
    if (changesOtherFlags(insns) || dead[insns.length - 2]) recipe[k] = null;
  }
  return { liveIn, liveOut, recipe };
}

/** Whether the run changes a flag besides the six status flags (DF, IF...): FLAGS bits no liveness covers. */
export function changesOtherFlags(insns: readonly Instruction[]): boolean {
  return insns.some((insn) => (insn.entry.flagsWritten & ~ARITH_FLAGS) !== 0);
}

/** The lazy record of a self-loop's last flag writer from the registers, or null (see RegionFlagFlow). */
function selfLoopRecipe(b: Block): FlagRecipe | null {
  const insns = insnsOf(b);
  const n = insns.length;
  if (n < 2) return null;
  const jcc = insns[n - 1];
  const target = jcc.operands[0];
  if (jcc.entry.op !== 'jcc' || jcc.opSize !== 4 || jcc.addrSize !== 4 || target?.kind !== 'rel' || target.value !== b.eip) return null;
  // Executing the block reads no flag from the previous iteration: only an exception would see them.
  if (flagsLiveIn(insns, ARITH_FLAGS, false) !== 0) return null;
  return writerRecipe(insns[n - 2]);
}

function writerRecipe(w: Instruction): FlagRecipe | null {
  const op = w.entry.op;
  const [dst, src] = w.operands;
  if (dst?.kind !== 'reg' || dst.size !== 4 || !src) return null;
  if (!(src.kind === 'imm' || (src.kind === 'reg' && src.size === 4))) return null;
  const writesDst = op !== 'cmp' && op !== 'test';
  if (writesDst && src.kind === 'reg' && src.reg === dst.reg) return null;
  const regs = (1 << dst.reg) | (src.kind === 'reg' ? 1 << src.reg : 0);
  // The same source value as the ALU emitter reads (an immediate sign-extended as decoded).
  const srcOf = (e: Emitter): Expr => e.read(src)();
  const d = dst.reg;
  let lazy: LazyOp;
  let record: (e: Emitter) => [Expr, Expr, Expr];
  switch (op) {
    case 'cmp':
      lazy = LazyOp.SUB;
      record = (e) => [e.cell(d), srcOf(e), e.m.i32.sub(e.cell(d), srcOf(e))];
      break;
    case 'test':
      lazy = LazyOp.LOGIC;
      record = (e) => [e.cell(d), srcOf(e), e.m.i32.and(e.cell(d), srcOf(e))];
      break;
    case 'sub':
      lazy = LazyOp.SUB;
      record = (e) => [e.m.i32.add(e.cell(d), srcOf(e)), srcOf(e), e.cell(d)];
      break;
    case 'add':
      lazy = LazyOp.ADD;
      record = (e) => [e.m.i32.sub(e.cell(d), srcOf(e)), srcOf(e), e.cell(d)];
      break;
    case 'xor':
      lazy = LazyOp.LOGIC;
      record = (e) => [e.m.i32.xor(e.cell(d), srcOf(e)), srcOf(e), e.cell(d)];
      break;
    default:
      return null;
  }
  return { op: lazy, regs, record };
}
