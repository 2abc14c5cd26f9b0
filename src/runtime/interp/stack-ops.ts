import { nextEip } from './control.js';
import { Instruction, Seg } from '../../decoder/types.js';
import { readFlags } from '../flags.js';
import { Slot } from '../layout.js';
import type { Machine } from '../machine.js';
import { effectiveAddress, Exec, reader, regArray, regIndex } from './operands.js';
import { Stack } from './stack.js';

/** PUSH POP PUSHA POPA PUSHF POPF ENTER LEAVE. */

/** EFLAGS bits POPF/SAHF may change at CPL 3 with IOPL 0 (IF and IOPL silently kept). */
const TRAP_FLAG = 0x100;
const IF = 0x200;
const IOPL = 0x3000;
const USER_POPF_MASK = 0x1 | 0x4 | 0x10 | 0x40 | 0x80 | 0x100 | 0x400 | 0x800 | 0x4000 | 0x40000 | 0x200000;

export function compilePush(insn: Instruction, vm: Machine, stack: Stack): Exec {
  const op = insn.operands[0];
  const size = insn.opSize;
  if (op.kind === 'reg' && size === 4) {
    const r32 = vm.cpu.r32, d = op.reg;
    return () => stack.push32(r32[d]);
  }
  if (op.kind === 'imm') {
    const v = op.value | 0;
    return () => stack.push(size, v);
  }
  const read = reader(op.kind === 'sreg' ? { ...op, size: 2 } : op, vm);
  if (op.kind === 'sreg' && size === 4) {
    // A 32-bit push of a segment register writes only the low word on modern CPUs.
    return () => {
      const v = read();
      vm.mmu.write16(stack.address(-4), v);
      stack.move(-4);
    };
  }
  return () => stack.push(size, read());
}

export function compilePop(insn: Instruction, vm: Machine, stack: Stack): Exec {
  const op = insn.operands[0];
  const size = insn.opSize;
  if (op.kind === 'reg') {
    const A = regArray(vm, size);
    const d = regIndex(op.reg, size);
    return () => { A[d] = stack.pop(size); };
  }
  if (op.kind === 'sreg') {
    const cpu = vm.cpu;
    // POP SS, like MOV SS, holds off interrupts until the next instruction has run.
    const shadow = op.reg === Seg.SS ? nextEip(insn) : -1;
    return () => {
      const v = stack.peek(size, 0) & 0xffff;
      cpu.loadSegment(op.reg as Seg, v);
      stack.pop(size);
      if (shadow !== -1) cpu.interruptShadowEip = shadow;
    };
  }
  // POP m: ESP is incremented before the destination address is computed.
  const r32 = vm.cpu.r32;
  const ea = effectiveAddress(op, vm);
  const mmu = vm.mmu;
  return () => {
    const v = stack.peek(size, 0);
    const old = r32[Slot.ESP];
    stack.move(size);
    try {
      mmu.write(ea(), size, v);
    } catch (e) {
      r32[Slot.ESP] = old;
      throw e;
    }
  };
}

export function compilePusha(insn: Instruction, vm: Machine, stack: Stack): Exec {
  const r32 = vm.cpu.r32, r16 = vm.cpu.r16;
  const size = insn.opSize;
  return () => {
    const esp = r32[Slot.ESP];
    vm.mmu.probeWrite(stack.address(-8 * size), 8 * size);
    for (let i = 0; i < 8; i++) {
      const v = i === Slot.ESP ? esp : r32[i];
      stack.push(size, size === 4 ? v : v & 0xffff);
    }
    void r16;
  };
}

export function compilePopa(insn: Instruction, vm: Machine, stack: Stack): Exec {
  const r32 = vm.cpu.r32, r16 = vm.cpu.r16;
  const size = insn.opSize;
  return () => {
    const vals: number[] = [];
    for (let i = 0; i < 8; i++) vals.push(stack.peek(size, (7 - i) * size));
    for (let i = 0; i < 8; i++) {
      if (i === Slot.ESP) continue;
      if (size === 4) r32[i] = vals[i];
      else r16[i * 2] = vals[i];
    }
    stack.move(8 * size);
  };
}

export function compilePushf(insn: Instruction, vm: Machine, stack: Stack): Exec {
  const s = vm.cpu.s;
  const size = insn.opSize;
  return () => stack.push(size, readFlags(s) & ~0x30000); // VM and RF read as 0
}

export function compilePopf(insn: Instruction, vm: Machine, stack: Stack): Exec {
  const s = vm.cpu.s;
  const size = insn.opSize;
  const width = size === 4 ? -1 : 0xffff;
  const cpu = vm.cpu;
  return () => {
    const v = stack.pop(size);
    // IF changes only where CPL <= IOPL, IOPL only at CPL 0 (a kernel's local_irq_restore is PUSHF ... POPF).
    const mask = (USER_POPF_MASK | (cpu.ioPrivileged ? IF : 0) | (cpu.cpl === 0 ? IOPL : 0)) & width;
    const old = readFlags(s);
    s[Slot.FLAGS] = (old & ~mask) | (v & mask) | 2;
    s[Slot.LAZY_OP] = 0;
    if (v & mask & ~old & IF) cpu.onInterruptsEnabled?.();
    // Single-stepping starts: translated code must hand over to the run loop, which steps.
    if (v & TRAP_FLAG) vm.attention = true;
  };
}

export function compileEnter(insn: Instruction, vm: Machine, stack: Stack): Exec {
  const r32 = vm.cpu.r32, r16 = vm.cpu.r16, s = vm.cpu.s, mmu = vm.mmu;
  const size = insn.opSize;
  const allocSize = insn.operands[0].value & 0xffff;
  const level = insn.operands[1].value & 31;
  return () => {
    const oldEsp = r32[Slot.ESP];
    const oldEbp = r32[Slot.EBP];
    try {
      stack.push(size, size === 4 ? oldEbp : oldEbp & 0xffff);
      const frameTemp = stack.top();
      // On a 16-bit stack the frame pointer is BP.
      const frameMask = stack.wide ? -1 : 0xffff;
      let ebp = oldEbp & frameMask;
      for (let i = 1; i < level; i++) {
        ebp = (ebp - size) & frameMask;
        stack.push(size, size === 4 ? mmu.read32((s[Slot.SEG_BASE + Seg.SS] + ebp) | 0) : mmu.read16((s[Slot.SEG_BASE + Seg.SS] + ebp) | 0));
      }
      if (level > 0) stack.push(size, frameTemp);
      vm.mmu.probeWrite(stack.address(-allocSize), 1);
      if (size === 4) r32[Slot.EBP] = frameTemp;
      else r16[Slot.EBP * 2] = frameTemp;
      stack.move(-allocSize);
    } catch (e) {
      r32[Slot.ESP] = oldEsp;
      r32[Slot.EBP] = oldEbp;
      throw e;
    }
  };
}

export function compileLeave(insn: Instruction, vm: Machine, stack: Stack): Exec {
  const r32 = vm.cpu.r32, r16 = vm.cpu.r16;
  const size = insn.opSize;
  return () => {
    const oldEsp = r32[Slot.ESP];
    stack.setTop(r32[Slot.EBP]);
    try {
      const v = stack.pop(size);
      if (size === 4) r32[Slot.EBP] = v;
      else r16[Slot.EBP * 2] = v;
    } catch (e) {
      r32[Slot.ESP] = oldEsp;
      throw e;
    }
  };
}
