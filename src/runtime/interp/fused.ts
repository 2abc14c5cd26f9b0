import { Instruction } from '../../decoder/types.js';
import { lazyCode, LazyOp, PARITY_TABLE, recordIncDec, recordLazy } from '../flags.js';
import { Slot } from '../layout.js';
import type { Machine } from '../machine.js';
import { nextEip } from './control.js';
import { Exec, reader } from './operands.js';

/**
 * CMP or TEST followed by Jcc, run as one closure: the condition comes
 * straight from the operands instead of being re-derived from the lazy
 * flags, and one dispatch is saved. The lazy flags are still recorded,
 * since code after the branch may read them. Returns null when the pair
 * does not qualify.
 */
export function fuseCompareBranch(cmp: Instruction, jcc: Instruction, vm: Machine): Exec | null {
  const op = cmp.entry.op;
  if ((op !== 'cmp' && op !== 'test') || jcc.entry.op !== 'jcc') return null;
  const [x, y] = cmp.operands;
  if (x.size !== 4 || y.size !== 4) return null;
  const s = vm.cpu.s;
  const readA = reader(x, vm);
  const readB = reader(y, vm);
  const cc = jcc.entry.cond;
  const kind = cc >> 1;
  const negate = (cc & 1) === 1;
  const target = jcc.operands[0].value | 0;
  const next = nextEip(jcc);
  if (op === 'test') {
    const code = lazyCode(LazyOp.LOGIC, 32);
    return () => {
      const a = readA(), b = readB();
      const r = a & b;
      recordLazy(s, code, a, b, r);
      let t: boolean;
      switch (kind) {
        case 0: case 1: t = false; break; // OF = CF = 0
        case 2: case 3: t = r === 0; break;
        case 4: case 6: t = r < 0; break; // SF (OF = 0)
        case 5: t = PARITY_TABLE[r & 0xff] === 1; break;
        default: t = r <= 0; break; // ZF or SF != OF
      }
      s[Slot.EIP] = t !== negate ? target : next;
    };
  }
  const code = lazyCode(LazyOp.SUB, 32);
  const branch = compareBranch(s, kind, negate, target, next);
  if (x.kind === 'reg' && (y.kind === 'reg' || y.kind === 'imm')) {
    // The loop-counter compare: no operand-reader calls.
    const R = vm.cpu.r32, d = x.reg, src = y.kind === 'reg' ? y.reg : -1, imm = y.value | 0;
    return src >= 0
      ? () => { const a = R[d], b = R[src]; recordLazy(s, code, a, b, (a - b) | 0); branch(a, b); }
      : () => { const a = R[d]; recordLazy(s, code, a, imm, (a - imm) | 0); branch(a, imm); };
  }
  return () => {
    const a = readA(), b = readB();
    recordLazy(s, code, a, b, (a - b) | 0);
    branch(a, b);
  };
}

/** Sets EIP from a signed/unsigned comparison of a and b, one closure literal per condition kind. */
function compareBranch(s: Int32Array, kind: number, negate: boolean, target: number, next: number): (a: number, b: number) => void {
  const go = negate ? next : target;
  const stay = negate ? target : next;
  switch (kind) {
    case 0: return (a, b) => { s[Slot.EIP] = ((a ^ b) & (a ^ ((a - b) | 0))) < 0 ? go : stay; };
    case 1: return (a, b) => { s[Slot.EIP] = a >>> 0 < b >>> 0 ? go : stay; };
    case 2: return (a, b) => { s[Slot.EIP] = a === b ? go : stay; };
    case 3: return (a, b) => { s[Slot.EIP] = a >>> 0 <= b >>> 0 ? go : stay; };
    case 4: return (a, b) => { s[Slot.EIP] = ((a - b) | 0) < 0 ? go : stay; };
    case 5: return (a, b) => { s[Slot.EIP] = PARITY_TABLE[(a - b) & 0xff] === 1 ? go : stay; };
    case 6: return (a, b) => { s[Slot.EIP] = a < b ? go : stay; };
    default: return (a, b) => { s[Slot.EIP] = a <= b ? go : stay; };
  }
}

const RESULT_FLAG_OPS = new Set(['add', 'sub', 'and', 'or', 'xor', 'inc', 'dec']);

/**
 * An arithmetic instruction followed by a Jcc on ZF or SF (the `dec ecx; jnz`
 * loop idiom): the branch reads the result the first op just recorded.
 */
export function fuseResultBranch(prev: Instruction, prevExec: Exec, jcc: Instruction, vm: Machine): Exec | null {
  if (jcc.entry.op !== 'jcc' || !RESULT_FLAG_OPS.has(prev.entry.op)) return null;
  const dst = prev.operands[0];
  if (dst.kind !== 'reg' || dst.size !== 4) return null;
  const cc = jcc.entry.cond;
  const kind = cc >> 1;
  if (kind !== 2 && kind !== 4) return null;
  const s = vm.cpu.s;
  const negate = (cc & 1) === 1;
  const target = jcc.operands[0].value | 0;
  const next = nextEip(jcc);
  if ((prev.entry.op === 'dec' || prev.entry.op === 'inc') && kind === 2) {
    // dec ecx; jnz: the counter loop, without calling the previous op's closure.
    const R = vm.cpu.r32, d = dst.reg;
    const delta = prev.entry.op === 'inc' ? 1 : -1;
    const code = lazyCode(prev.entry.op === 'inc' ? LazyOp.INC : LazyOp.DEC, 32);
    const go = negate ? next : target;
    const stay = negate ? target : next;
    return () => {
      const v = R[d];
      const r = (v + delta) | 0;
      R[d] = r;
      recordIncDec(s, code, v, r);
      s[Slot.EIP] = r === 0 ? go : stay;
    };
  }
  if (kind === 2) {
    return () => {
      prevExec();
      s[Slot.EIP] = (s[Slot.LAZY_RES] === 0) !== negate ? target : next;
    };
  }
  return () => {
    prevExec();
    s[Slot.EIP] = (s[Slot.LAZY_RES] < 0) !== negate ? target : next;
  };
}
