import { Instruction } from '../../decoder/types.js';
import { CpuException, Vector } from '../exceptions.js';
import { carryFlag, readFlags, testCondition } from '../flags.js';
import { Slot } from '../layout.js';
import type { Machine } from '../machine.js';
import { nextEip } from './control.js';
import { Exec, reader, regArray, regIndex, writer } from './operands.js';

const IF = 0x200;

/** Instructions that set, clear or consume flags directly: CLC STC CMC CLD STD LAHF SAHF SALC, SETcc, CMOVcc. */

export function compileFlagOp(insn: Instruction, vm: Machine): Exec {
  const s = vm.cpu.s, r8 = vm.cpu.r8;
  const set = (clear: number, or: number): Exec => () => {
    s[Slot.FLAGS] = (readFlags(s) & ~clear) | or;
    s[Slot.LAZY_OP] = 0;
  };
  switch (insn.entry.op) {
    case 'clc': return set(1, 0);
    case 'stc': return set(0, 1);
    case 'cmc': return () => { s[Slot.FLAGS] = readFlags(s) ^ 1; s[Slot.LAZY_OP] = 0; };
    case 'cld': return () => { s[Slot.FLAGS] &= ~0x400; };
    case 'std': return () => { s[Slot.FLAGS] |= 0x400; };
    case 'lahf': return () => { r8[1] = (readFlags(s) & 0xd5) | 2; };
    case 'sahf': return () => { s[Slot.FLAGS] = (readFlags(s) & ~0xd5) | (r8[1] & 0xd5); s[Slot.LAZY_OP] = 0; };
    case 'salc': return () => { r8[0] = carryFlag(s) ? 0xff : 0; };
    default: {
      // CLI / STI: allowed when CPL <= IOPL (a Linux process has IOPL 0 at CPL 3: #GP). An STI that sets IF
      // opens a one-instruction shadow (Cpu.interruptShadowEip).
      const fault = new CpuException(Vector.GP, 0, 0, `${insn.entry.op} above IOPL`);
      const cpu = vm.cpu;
      if (insn.entry.op === 'cli') {
        return () => {
          if (!cpu.ioPrivileged) throw fault;
          s[Slot.FLAGS] &= ~IF;
        };
      }
      const next = nextEip(insn);
      return () => {
        if (!cpu.ioPrivileged) throw fault;
        if (s[Slot.FLAGS] & IF) return;
        cpu.interruptShadowEip = next;
        s[Slot.FLAGS] |= IF;
        cpu.onInterruptsEnabled?.();
      };
    }
  }
}

export function compileSetcc(insn: Instruction, vm: Machine): Exec {
  const s = vm.cpu.s;
  const cc = insn.entry.cond;
  const write = writer({ ...insn.operands[0], size: 1 }, vm);
  return () => write(testCondition(s, cc) ? 1 : 0);
}

export function compileCmovcc(insn: Instruction, vm: Machine): Exec {
  const s = vm.cpu.s;
  const cc = insn.entry.cond;
  const [dst, src] = insn.operands;
  const A = regArray(vm, dst.size);
  const d = regIndex(dst.reg, dst.size);
  const read = reader(src, vm);
  // The source is read (and may fault) whatever the condition; a 32-bit destination is written only when true.
  return () => {
    const v = read();
    if (testCondition(s, cc)) A[d] = v;
  };
}
