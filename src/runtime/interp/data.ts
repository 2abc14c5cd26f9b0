import { Instruction, Seg } from '../../decoder/types.js';
import { CpuException, Vector } from '../exceptions.js';
import { carryFlag, lazyCode, LazyOp, PARITY_TABLE, readFlags, testCondition } from '../flags.js';
import { Slot } from '../layout.js';
import type { Machine } from '../machine.js';
import { alu, AluKind } from './alu.js';
import {
  effectiveAddress, Exec, inlineRead32, inlineWrite32, offsetOnly, probeWrite, reader, readModifyWrite, regArray, regIndex, signExtend, writer,
} from './operands.js';
import { Stack } from './stack.js';

/** EFLAGS bits POPF/SAHF may change at CPL 3 with IOPL 0 (IF and IOPL silently kept). */
const USER_POPF_MASK = 0x1 | 0x4 | 0x10 | 0x40 | 0x80 | 0x100 | 0x400 | 0x800 | 0x4000 | 0x40000 | 0x200000;

export function compileMov(insn: Instruction, vm: Machine): Exec {
  const [dst, src] = insn.operands;
  if (dst.kind === 'reg' && src.kind === 'reg') {
    const A = regArray(vm, dst.size), B = regArray(vm, src.size);
    const d = regIndex(dst.reg, dst.size), x = regIndex(src.reg, src.size);
    return () => { A[d] = B[x]; };
  }
  if (dst.kind === 'reg' && src.kind === 'imm') {
    const A = regArray(vm, dst.size);
    const d = regIndex(dst.reg, dst.size);
    const v = src.value | 0;
    return () => { A[d] = v; };
  }
  if (dst.kind === 'reg' && src.kind === 'mem' && dst.size === 4) {
    const r32 = vm.cpu.r32, mmu = vm.mmu, d = dst.reg;
    if (src.addrSize === 4 && src.base >= 0 && src.index < 0) {
      // mov r32, [base + disp]: the commonest load, written out with its TLB fast path.
      const s = vm.cpu.s, tlb = mmu.tlb, i32 = mmu.i32, seg = Slot.SEG_BASE + src.seg, base = src.base, disp = src.disp | 0;
      return () => {
        const a = (s[seg] + r32[base] + disp) | 0;
        const e = tlb[a >>> 12];
        r32[d] = (e & 1) !== 0 && (a & 0xfff) <= 0xffc && (a & 3) === 0 ? i32[((e & ~0xfff) | (a & 0xfff)) >> 2] : mmu.read32(a);
      };
    }
    const load = inlineRead32(src, vm);
    if (load) return () => { r32[d] = load(); };
    const ea = effectiveAddress(src, vm);
    return () => { r32[d] = mmu.read32(ea()); };
  }
  if (dst.kind === 'mem' && dst.size === 4 && src.kind === 'reg') {
    const r32 = vm.cpu.r32, mmu = vm.mmu, x = src.reg;
    if (dst.addrSize === 4 && dst.base >= 0 && dst.index < 0) {
      const s = vm.cpu.s, tlb = mmu.tlb, i32 = mmu.i32, seg = Slot.SEG_BASE + dst.seg, base = dst.base, disp = dst.disp | 0;
      return () => {
        const a = (s[seg] + r32[base] + disp) | 0;
        const e = tlb[a >>> 12];
        if ((e & 2) !== 0 && (a & 0xfff) <= 0xffc && (a & 3) === 0) i32[((e & ~0xfff) | (a & 0xfff)) >> 2] = r32[x];
        else mmu.write32(a, r32[x]);
      };
    }
    const store = inlineWrite32(dst, vm);
    if (store) return () => store(r32[x]);
    const ea = effectiveAddress(dst, vm);
    return () => { mmu.write32(ea(), r32[x]); };
  }
  if (dst.kind === 'sreg') {
    const cpu = vm.cpu;
    const seg = dst.reg as Seg;
    const read = reader({ ...src, size: 2 }, vm);
    if (seg === Seg.CS) return () => { throw new CpuException(Vector.UD, -1, 0, 'mov to cs'); };
    return () => cpu.loadSegment(seg, read());
  }
  const read = reader(src, vm);
  if (src.kind === 'sreg' && dst.kind === 'reg' && dst.size === 4) {
    // MOV r32, Sreg zero-extends on P6 and later.
    const r32 = vm.cpu.r32, d = dst.reg;
    return () => { r32[d] = read(); };
  }
  const write = writer(src.kind === 'sreg' ? { ...dst, size: 2 } : dst, vm);
  return () => write(read());
}

export function compileMovx(insn: Instruction, vm: Machine): Exec {
  const [dst, src] = insn.operands;
  const A = regArray(vm, dst.size);
  const d = regIndex(dst.reg, dst.size);
  const read = reader(src, vm);
  if (insn.entry.op === 'movzx') return () => { A[d] = read(); };
  const sh = 32 - src.size * 8;
  return () => { A[d] = (read() << sh) >> sh; };
}

export function compileLea(insn: Instruction, vm: Machine): Exec {
  const [dst, src] = insn.operands;
  if (src.kind !== 'mem') return () => { throw new CpuException(Vector.UD, -1, 0, 'lea with a register operand'); };
  const A = regArray(vm, dst.size);
  const d = regIndex(dst.reg, dst.size);
  const off = offsetOnly(src, vm);
  return () => { A[d] = off(); };
}

export function compileXchg(insn: Instruction, vm: Machine): Exec {
  const [a, b] = insn.operands;
  const mem = a.kind === 'mem' ? a : b.kind === 'mem' ? b : null;
  const reg = mem === a ? b : a;
  const other = mem ?? b;
  const R = regArray(vm, reg.size);
  const r = regIndex(reg.reg, reg.size);
  if (!mem) {
    const R2 = regArray(vm, other.size);
    const r2 = regIndex(other.reg, other.size);
    return () => { const t = R[r]; R[r] = R2[r2]; R2[r2] = t; };
  }
  return readModifyWrite(mem, vm, (v) => { const t = R[r]; R[r] = v; return t; });
}

export function compileCmpxchg(insn: Instruction, vm: Machine): Exec {
  const s = vm.cpu.s;
  const [dst, src] = insn.operands;
  const size = dst.size, bits = size * 8;
  const ACC = regArray(vm, size);
  const readSrc = reader(src, vm);
  if (dst.kind === 'reg') {
    const A = regArray(vm, size);
    const d = regIndex(dst.reg, size);
    return () => {
      const v = A[d];
      alu(s, AluKind.CMP, bits, ACC[0], v);
      if (ACC[0] === v) A[d] = readSrc();
      else ACC[0] = v;
    };
  }
  const ea = effectiveAddress(dst, vm);
  const mmu = vm.mmu;
  return () => {
    const a = ea();
    const v = mmu.read(a, size);
    probeWrite(vm, a, size); // the processor always writes the destination
    const acc = ACC[0];
    const equal = (acc & (size === 4 ? -1 : (1 << bits) - 1)) === (v & (size === 4 ? -1 : (1 << bits) - 1));
    if (equal) mmu.write(a, size, readSrc());
    else { mmu.write(a, size, v); ACC[0] = v; }
    alu(s, AluKind.CMP, bits, acc, v);
  };
}

export function compileCmpxchg8b(insn: Instruction, vm: Machine): Exec {
  const s = vm.cpu.s, r32 = vm.cpu.r32, mmu = vm.mmu;
  const op = insn.operands[0];
  if (op.kind !== 'mem') return () => { throw new CpuException(Vector.UD, -1, 0, 'cmpxchg8b with a register operand'); };
  const ea = effectiveAddress(op, vm);
  return () => {
    const a = ea();
    const lo = mmu.read32(a), hi = mmu.read32((a + 4) | 0);
    probeWrite(vm, a, 8);
    const f = readFlags(s) & ~0x40;
    if (lo === r32[0] && hi === r32[2]) {
      mmu.write32(a, r32[3]);
      mmu.write32((a + 4) | 0, r32[1]);
      s[Slot.FLAGS] = f | 0x40;
    } else {
      mmu.write32(a, lo);
      mmu.write32((a + 4) | 0, hi);
      r32[0] = lo;
      r32[2] = hi;
      s[Slot.FLAGS] = f;
    }
    s[Slot.LAZY_OP] = 0;
  };
}

export function compileXadd(insn: Instruction, vm: Machine): Exec {
  const s = vm.cpu.s;
  const [dst, src] = insn.operands;
  const bits = dst.size * 8;
  const S = regArray(vm, src.size);
  const x = regIndex(src.reg, src.size);
  return readModifyWrite(dst, vm, (v) => {
    const sum = alu(s, AluKind.ADD, bits, v, S[x]);
    S[x] = v;
    return sum;
  });
}

export function compileBswap(insn: Instruction, vm: Machine): Exec {
  const r32 = vm.cpu.r32;
  const d = insn.operands[0].reg;
  if (insn.opSize === 2) return () => { r32[d] = r32[d] & ~0xffff; }; // undefined by the SDM; zero like hardware
  return () => {
    const v = r32[d];
    r32[d] = ((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24);
  };
}

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
      const esp = (vm.cpu.r32[Slot.ESP] - 4) | 0;
      vm.mmu.write16((vm.cpu.s[Slot.SEG_BASE + Seg.SS] + esp) | 0, v);
      vm.cpu.r32[Slot.ESP] = esp;
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
    return () => {
      const v = stack.peek(size, 0) & 0xffff;
      cpu.loadSegment(op.reg as Seg, v);
      stack.pop(size);
    };
  }
  // POP m: ESP is incremented before the destination address is computed.
  const r32 = vm.cpu.r32;
  const ea = effectiveAddress(op, vm);
  const mmu = vm.mmu;
  return () => {
    const v = stack.peek(size, 0);
    const old = r32[Slot.ESP];
    r32[Slot.ESP] = (old + size) | 0;
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
    probeWrite(vm, (vm.cpu.s[Slot.SEG_BASE + Seg.SS] + esp - 8 * size) | 0, 8 * size);
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
    r32[Slot.ESP] = (r32[Slot.ESP] + 8 * size) | 0;
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
  const mask = size === 4 ? USER_POPF_MASK : USER_POPF_MASK & 0xffff;
  return () => {
    const v = stack.pop(size);
    s[Slot.FLAGS] = (readFlags(s) & ~mask) | (v & mask) | 2;
    s[Slot.LAZY_OP] = 0;
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
      const frameTemp = r32[Slot.ESP];
      let ebp = oldEbp;
      for (let i = 1; i < level; i++) {
        ebp = (ebp - size) | 0;
        stack.push(size, size === 4 ? mmu.read32((s[Slot.SEG_BASE + Seg.SS] + ebp) | 0) : mmu.read16((s[Slot.SEG_BASE + Seg.SS] + ebp) | 0));
      }
      if (level > 0) stack.push(size, frameTemp);
      const newEsp = (r32[Slot.ESP] - allocSize) | 0;
      probeWrite(vm, (s[Slot.SEG_BASE + Seg.SS] + newEsp) | 0, 1);
      if (size === 4) r32[Slot.EBP] = frameTemp;
      else r16[Slot.EBP * 2] = frameTemp;
      r32[Slot.ESP] = newEsp;
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
    r32[Slot.ESP] = r32[Slot.EBP];
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

/** CBW/CWDE (op 'cbw') and CWD/CDQ (op 'cwd'). */
export function compileConvert(insn: Instruction, vm: Machine): Exec {
  const r32 = vm.cpu.r32, r16 = vm.cpu.r16, r8 = vm.cpu.r8;
  const widen = insn.entry.op === 'cbw' || insn.entry.op === 'cwde';
  if (widen) {
    if (insn.opSize === 4) return () => { r32[0] = (r16[0] << 16) >> 16; };
    return () => { r16[0] = (r8[0] << 24) >> 24; };
  }
  if (insn.opSize === 4) return () => { r32[2] = r32[0] >> 31; };
  return () => { r16[4] = (r16[0] & 0x8000) ? 0xffff : 0; };
}

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
    default: // cli / sti: IOPL 0 at CPL 3
      return () => { throw new CpuException(Vector.GP, 0, 0, `${insn.entry.op} at CPL 3`); };
  }
}

export function compileXlat(insn: Instruction, vm: Machine): Exec {
  const r32 = vm.cpu.r32, r8 = vm.cpu.r8, r16 = vm.cpu.r16, s = vm.cpu.s, mmu = vm.mmu;
  const seg = insn.segOverride >= 0 ? insn.segOverride : Seg.DS;
  const a16 = insn.addrSize === 2;
  return () => {
    const off = a16 ? (r16[6] + r8[0]) & 0xffff : (r32[3] + r8[0]) | 0;
    r8[0] = mmu.read8((s[Slot.SEG_BASE + seg] + off) | 0);
  };
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
      probeWrite(vm, a, size);
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
    const f = readFlags(s) & ~0x8d5;
    if (v === 0) {
      s[Slot.FLAGS] = f | 0x40 | 4;
    } else {
      const n = forward ? 31 - Math.clz32(v & -v) : 31 - Math.clz32(v);
      A[d] = n;
      s[Slot.FLAGS] = f | (PARITY_TABLE[n] << 2);
    }
    s[Slot.LAZY_OP] = 0;
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
    s[Slot.FLAGS] = (readFlags(s) & ~0x8d5) | (n === 0 ? 0x40 : 0);
    s[Slot.LAZY_OP] = 0;
  };
}

/** LDS LES LFS LGS LSS: load a far pointer into a segment register and a general register. */
export function compileLoadFarPointer(insn: Instruction, vm: Machine, seg: Seg): Exec {
  const cpu = vm.cpu, mmu = vm.mmu;
  const [dst, src] = insn.operands;
  if (src.kind !== 'mem') return () => { throw new CpuException(Vector.UD, -1, 0, 'far pointer load from a register'); };
  const A = regArray(vm, dst.size);
  const d = regIndex(dst.reg, dst.size);
  const ea = effectiveAddress(src, vm);
  const size = dst.size;
  return () => {
    const a = ea();
    const off = mmu.read(a, size);
    const sel = mmu.read16((a + size) | 0);
    cpu.loadSegment(seg, sel);
    A[d] = off;
  };
}

export function compileBound(insn: Instruction, vm: Machine): Exec {
  const mmu = vm.mmu;
  const [idx, range] = insn.operands;
  const A = regArray(vm, idx.size);
  const d = regIndex(idx.reg, idx.size);
  const ea = effectiveAddress(range, vm);
  const size = idx.size;
  return () => {
    const a = ea();
    const lo = signExtend(mmu.read(a, size), size), hi = signExtend(mmu.read((a + size) | 0, size), size);
    const v = signExtend(A[d], size);
    if (v < lo || v > hi) throw new CpuException(Vector.BR, -1, 0, 'bound range exceeded');
  };
}

export { lazyCode, LazyOp };
