import { Instruction } from '../../decoder/types.js';
import { PARITY_TABLE, readFlags, replaceStatusFlags } from '../flags.js';
import { Slot } from '../layout.js';
import type { Machine } from '../machine.js';
import { effectiveAddress, Exec, reader, regArray, regIndex, signExtend } from './operands.js';

/** Bit tests, bit scans and population count. */

/** BT BTS BTR BTC: register bit strings wrap at the operand size; memory bit strings reach any offset. */
export function compileBitTest(insn: Instruction, vm: Machine): Exec {
  const s = vm.cpu.s, mmu = vm.mmu;
  const [base, bit] = insn.operands;
  const size = base.size, bits = size * 8;
  const op = insn.entry.op;
  const modify = op === 'bt' ? null : op === 'bts' ? 1 : op === 'btr' ? 2 : 3;
  const readBit = reader(bit, vm);
  const setCF = (cf: number): void => {
    s[Slot.FLAGS] = (readFlags(s) & ~1) | cf;
    s[Slot.LAZY_OP] = 0;
  };
  const apply = (v: number, n: number): number =>
    modify === 1 ? v | (1 << n) : modify === 2 ? v & ~(1 << n) : v ^ (1 << n);
  if (base.kind === 'reg') {
    const A = regArray(vm, size);
    const d = regIndex(base.reg, size);
    return () => {
      const n = readBit() & (bits - 1);
      const v = A[d];
      if (modify !== null) A[d] = apply(v, n);
      setCF((v >>> n) & 1);
    };
  }
  const ea = effectiveAddress(base, vm);
  const immediate = bit.kind === 'imm';
  return () => {
    let a = ea();
    let n: number;
    if (immediate) n = readBit() & (bits - 1);
    else {
      const off = signExtend(readBit(), size);
      a = (a + (off >> (size === 4 ? 5 : 4)) * size) | 0;
      n = off & (bits - 1);
    }
    const v = mmu.read(a, size);
    if (modify !== null) {
      vm.mmu.probeWrite(a, size);
      mmu.write(a, size, apply(v, n));
    }
    setCF((v >>> n) & 1);
  };
}

/** BSF BSR: ZF = source was zero (destination then left unchanged). */
export function compileBitScan(insn: Instruction, vm: Machine): Exec {
  const s = vm.cpu.s;
  const [dst, src] = insn.operands;
  const A = regArray(vm, dst.size);
  const d = regIndex(dst.reg, dst.size);
  const read = reader(src, vm);
  const forward = insn.entry.op === 'bsf';
  const bits = dst.size * 8;
  return () => {
    const v = read() & (bits === 32 ? -1 : 0xffff);
    if (v === 0) {
      replaceStatusFlags(s, 0x40 | 4);
    } else {
      const n = forward ? 31 - Math.clz32(v & -v) : 31 - Math.clz32(v);
      A[d] = n;
      replaceStatusFlags(s, PARITY_TABLE[n] << 2);
    }
  };
}

export function compilePopcnt(insn: Instruction, vm: Machine): Exec {
  const s = vm.cpu.s;
  const [dst, src] = insn.operands;
  const A = regArray(vm, dst.size);
  const d = regIndex(dst.reg, dst.size);
  const read = reader(src, vm);
  return () => {
    let v = read() >>> 0, n = 0;
    while (v) { v &= v - 1; n++; }
    A[d] = n;
    replaceStatusFlags(s, n === 0 ? 0x40 : 0);
  };
}
