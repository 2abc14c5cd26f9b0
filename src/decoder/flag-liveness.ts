import { ARITH_FLAGS, Instruction } from './types.js';

/**
 * Flag liveness over a straight run of decoded instructions (a block): for
 * each instruction, whether the status flags it writes are all overwritten
 * before anything reads them, so computing them is wasted work. Shared by
 * the interpreter and the translator (the FEX-style "dead flag elimination").
 *
 * Conservative on purpose:
 *  - every status flag is live after the last instruction (the next block
 *    may read it), unless the caller knows better (`liveOut`: the
 *    translator's region-wide pass, see flagsLiveIn);
 *  - an instruction that can fault (a memory operand, or a trapping
 *    instruction) reads every flag, because the exception must see the
 *    flags exactly as the CPU would have them;
 *  - a write that happens only under a run-time condition (shift count 0,
 *    REP with ECX = 0) does not kill anything;
 *  - a flag an instruction leaves undefined does not kill it either: what
 *    the implementation leaves there may depend on the earlier writer (BTS
 *    keeps OF), and both tiers must leave the same value.
 */
export function deadFlagWriters(insns: readonly Instruction[], liveOut = ARITH_FLAGS, faultsRead = true): boolean[] {
  const dead = new Array<boolean>(insns.length).fill(false);
  backwards(insns, liveOut, dead, faultsRead);
  return dead;
}

/**
 * The status flags a run of instructions may read before writing them,
 * given those live after it. `faultsRead` false: only what executing the
 * run reads, not what an exception part-way would need exact.
 */
export function flagsLiveIn(insns: readonly Instruction[], liveOut = ARITH_FLAGS, faultsRead = true): number {
  return backwards(insns, liveOut, null, faultsRead);
}

function backwards(insns: readonly Instruction[], liveOut: number, dead: boolean[] | null, faultsRead = true): number {
  let live = liveOut;
  for (let i = insns.length - 1; i >= 0; i--) {
    const insn = insns[i];
    const e = insn.entry;
    const writes = e.flagsWritten & ARITH_FLAGS;
    if (dead !== null) dead[i] = writes !== 0 && (writes & live) === 0 && !(faultsRead && mayFault(insn) && !onlyReadsMemory(insn));
    if (!e.flagsConditional) live &= ~(e.undefinedFlagsFixed ? writes : writes & ~e.flagsUndefined);
    live |= e.flagsRead & ARITH_FLAGS;
    // A jump that ends the run passes liveOut through; other transfers (calls push, returns pop) can fault.
    if ((faultsRead && mayFault(insn)) || (e.control !== 'none' && !(i === insns.length - 1 && PLAIN_JUMPS.has(e.op)))) live = ARITH_FLAGS;
  }
  return live;
}

const PLAIN_JUMPS = new Set(['jmp', 'jcc', 'loop', 'loope', 'loopne', 'jcxz']);
const TRAPPING = new Set(['div', 'idiv', 'bound', 'into', 'int', 'int3', 'int1', 'aam', 'xlat', 'ud']);
/** Groups whose instructions touch memory implicitly (the stack, strings) or load segments. */
const FAULTING_GROUPS = new Set(['stack', 'seg', 'system', 'io', 'string', 'x87', 'mmx', 'sse', 'sse2', 'sse3']);

/** Instructions that read a memory operand and write none (CMP and TEST also with the memory operand first). */
const READ_ONLY_MEMORY_FIRST = new Set(['cmp', 'test', 'bt']);

/**
 * An ordinary instruction whose only possible fault is a read of its memory
 * operand: the fault comes before it writes anything, so the exception sees
 * the flags from before it, and the flags it writes can be dead like a
 * register-only instruction's (IMUL EDX,[EBX] in matmul's inner loop, whose
 * CF and OF the next ADD overwrites). One that writes memory stays live: a
 * store that hits code ends the block right after it.
 */
function onlyReadsMemory(insn: Instruction): boolean {
  const e = insn.entry;
  if (TRAPPING.has(e.op) || e.privileged || FAULTING_GROUPS.has(e.group) || e.control !== 'none') return false;
  return insn.operands[0]?.kind !== 'mem' || READ_ONLY_MEMORY_FIRST.has(e.op);
}

/** Whether the instruction can raise an exception (so the flags must be exact before it). */
export function mayFault(insn: Instruction): boolean {
  const e = insn.entry;
  if (TRAPPING.has(e.op) || e.privileged || FAULTING_GROUPS.has(e.group)) return true;
  return insn.operands.some((o) => o.kind === 'mem') && e.op !== 'lea' && e.op !== 'nop';
}
