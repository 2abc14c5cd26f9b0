import { Instruction, Operand, Seg } from '../../decoder/types.js';
import { CpuException, Vector } from '../exceptions.js';
import { Slot } from '../layout.js';
import type { Machine } from '../machine.js';
import { segmentAllows } from '../segments.js';
import { Exec, offsetOnly } from './operands.js';

/**
 * Segment limit and type checks on memory operands, for blocks built once a
 * program has loaded a segment that is not flat writable data (an LDT
 * segment with a limit, a read-only or code segment in a data register):
 * the block cache wraps each instruction with the checks of its memory
 * operands (see BlockCache.enableAccessChecks). A check only looks further
 * when the operand's segment register holds such a segment
 * (Cpu.checkedSegments), and raises #GP(0), or #SS(0) through SS, before
 * the instruction runs.
 *
 * The stack accesses of PUSH, POP, CALL, RET and the like are checked
 * against SS the same way (#SS).
 *
 * Approximations: a string instruction checks the element at ESI/EDI when
 * it starts (a REP that runs past the limit faults at its first element
 * only if that one is outside); BT/BTS/BTR/BTC with a register bit offset
 * check the operand at the base address; ENTER checks its first push only.
 * Instruction fetch is checked against the CS limit when blocks are
 * decoded (BlockCache).
 */

/** Operations whose memory operand 0 is written (or read and written). */
const WRITES_OPERAND_0 = new Set([
  'add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'inc', 'dec', 'not', 'neg',
  'rol', 'ror', 'rcl', 'rcr', 'shl', 'shr', 'sar', 'shld', 'shrd',
  'xchg', 'xadd', 'cmpxchg', 'cmpxchg8b', 'mov', 'mov-from-sreg', 'pop', 'setcc', 'arpl',
  'bts', 'btr', 'btc', 'movs', 'stos', 'ins',
  'fst', 'fstp', 'fist', 'fistp', 'fbstp', 'fnstenv', 'fnstcw', 'fnstsw', 'fnsave', 'fxsave', 'stmxcsr',
  'sldt', 'str', 'sgdt', 'sidt', 'smsw',
  'movnti', 'movntps', 'movntpd', 'movntq', 'movntdq', 'movups', 'movupd', 'movss', 'movsd-sse',
  'movlps', 'movlpd', 'movhps', 'movhpd', 'movaps', 'movapd', 'movd', 'movq', 'movdqa', 'movdqu',
]);

const SEG_NAMES = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'];

/** Operations with a memory operand they do not access. */
const NO_ACCESS = new Set(['lea', 'nop', 'invlpg']);

/**
 * The implicit stack access of an operation, in operand-size units: pushes
 * write below ESP, pops read from ESP (LEAVE from EBP).
 */
const STACK_ACCESS: Readonly<Record<string, { units: number; write: boolean }>> = {
  push: { units: 1, write: true },
  'push-sreg': { units: 1, write: true },
  pushf: { units: 1, write: true },
  call: { units: 1, write: true },
  enter: { units: 1, write: true },
  'call-far': { units: 2, write: true },
  pusha: { units: 8, write: true },
  pop: { units: 1, write: false },
  'pop-sreg': { units: 1, write: false },
  popf: { units: 1, write: false },
  ret: { units: 1, write: false },
  leave: { units: 1, write: false },
  'ret-far': { units: 2, write: false },
  iret: { units: 3, write: false },
  popa: { units: 8, write: false },
};

/** `exec` preceded by the access checks of `insn`'s memory operands and stack accesses (exec itself when it has none). */
export function withAccessChecks(insn: Instruction, vm: Machine, exec: Exec): Exec {
  if (NO_ACCESS.has(insn.entry.op)) return exec;
  const checks: Exec[] = [];
  insn.operands.forEach((op, i) => {
    if (op.kind === 'mem' && op.size > 0) checks.push(accessCheck(vm, op, i === 0 && WRITES_OPERAND_0.has(insn.entry.op)));
  });
  const stack = STACK_ACCESS[insn.entry.op];
  if (stack !== undefined) checks.push(stackCheck(vm, insn.entry.op === 'leave', stack.units * insn.opSize, stack.write));
  if (checks.length === 0) return exec;
  if (checks.length === 1) {
    const check = checks[0];
    return () => {
      check();
      exec();
    };
  }
  return () => {
    for (const check of checks) check();
    exec();
  };
}

function accessCheck(vm: Machine, op: Operand, write: boolean): Exec {
  const cpu = vm.cpu, s = cpu.s;
  const offset = offsetOnly(op, vm);
  const seg = op.seg, bit = 1 << seg, size = op.size;
  return () => {
    if (!(cpu.checkedSegments & bit)) return;
    const off = offset();
    if (!segmentAllows(s[Slot.SEG_ATTR + seg], s[Slot.SEG_LIMIT + seg], off, size, write)) {
      const what = `${write ? 'write' : 'read'} of ${size} bytes at ${SEG_NAMES[seg]}:0x${(off >>> 0).toString(16)}`;
      throw new CpuException(seg === Seg.SS ? Vector.SS : Vector.GP, 0, 0, `segment check: ${what}`);
    }
  };
}

function stackCheck(vm: Machine, fromEbp: boolean, size: number, write: boolean): Exec {
  const cpu = vm.cpu, s = cpu.s, r32 = cpu.r32;
  const bit = 1 << Seg.SS;
  const stack = vm.stack;
  return () => {
    if (!(cpu.checkedSegments & bit)) return;
    const sp = fromEbp ? r32[Slot.EBP] : write ? stack.top() - size : stack.top();
    // A 16-bit stack (SP) wraps within its 64 KiB.
    const off = stack.wide ? sp : sp & 0xffff;
    if (!segmentAllows(s[Slot.SEG_ATTR + Seg.SS], s[Slot.SEG_LIMIT + Seg.SS], off, size, write)) {
      throw new CpuException(Vector.SS, 0, 0, `segment check: stack ${write ? 'push' : 'pop'} of ${size} bytes at ss:0x${(off >>> 0).toString(16)}`);
    }
  };
}
