import { nextEip } from './control.js';
import { Instruction, Seg } from '../../decoder/types.js';
import { CpuException, Vector } from '../exceptions.js';
import { readFlags } from '../flags.js';
import { Slot } from '../layout.js';
import type { Machine } from '../machine.js';
import { alu, AluKind } from './alu.js';
import {
  addressSlots, type AddressSlots, effectiveAddress, Exec, offsetOnly, reader, type Reader, readModifyWrite,
  regArray, type RegisterArray, regIndex, signExtend, writer, type Writer,
} from './operands.js';

/** MOV and friends: moves, exchanges, conversions, table lookups and far-pointer loads. */

/**
 * Each form's closure comes from a function of its own (moveRegister...)
 * whose parameters are all it keeps: V8 gives a closure the context of the
 * scope it captures from, and block-scoped constants captured here, with
 * this function's own captured locals, made two or three contexts per MOV
 * (23 MB of the 116 MB heap of Debian's boot, the interpreter's working set).
 */
export function compileMov(insn: Instruction, vm: Machine): Exec {
  const [dst, src] = insn.operands;
  if (dst.kind === 'reg' && src.kind === 'reg') {
    return moveRegister(regArray(vm, dst.size), regIndex(dst.reg, dst.size), regArray(vm, src.size), regIndex(src.reg, src.size));
  }
  if (dst.kind === 'reg' && src.kind === 'imm') return moveImmediate(regArray(vm, dst.size), regIndex(dst.reg, dst.size), src.value | 0);
  if (dst.kind === 'reg' && src.kind === 'mem' && dst.size === 4) {
    // The commonest load: one closure, no reader call in between.
    const at = addressSlots(src);
    return at ? load32At(vm, dst.reg, at) : load32(vm, dst.reg, effectiveAddress(src, vm));
  }
  if (dst.kind === 'mem' && dst.size === 4 && src.kind === 'reg') {
    const at = addressSlots(dst);
    return at ? store32At(vm, at, src.reg) : store32(vm, effectiveAddress(dst, vm), src.reg);
  }
  if (dst.kind === 'sreg') return moveToSegment(insn, vm, dst.reg as Seg, reader({ ...src, size: 2 }, vm));
  const read = reader(src, vm);
  // MOV r32, Sreg zero-extends on P6 and later.
  if (src.kind === 'sreg' && dst.kind === 'reg' && dst.size === 4) return moveImmediateOf(vm.cpu.r32, dst.reg, read);
  return moveThrough(writer(src.kind === 'sreg' ? { ...dst, size: 2 } : dst, vm), read);
}

function moveRegister(A: RegisterArray, d: number, B: RegisterArray, x: number): Exec {
  return () => { A[d] = B[x]; };
}

function moveImmediate(A: RegisterArray, d: number, v: number): Exec {
  return () => { A[d] = v; };
}

function moveImmediateOf(A: RegisterArray, d: number, read: Reader): Exec {
  return () => { A[d] = read(); };
}

function moveThrough(write: Writer, read: Reader): Exec {
  return () => write(read());
}

function load32At(vm: Machine, d: number, at: AddressSlots): Exec {
  const r32 = vm.cpu.r32, mmu = vm.mmu, s = vm.cpu.s, { seg, base, index, scale, disp } = at;
  return () => { r32[d] = mmu.read32((s[seg] + s[base] + (s[index] << scale) + disp) | 0); };
}

function load32(vm: Machine, d: number, ea: Reader): Exec {
  const r32 = vm.cpu.r32, mmu = vm.mmu;
  return () => { r32[d] = mmu.read32(ea()); };
}

function store32At(vm: Machine, at: AddressSlots, x: number): Exec {
  const r32 = vm.cpu.r32, mmu = vm.mmu, s = vm.cpu.s, { seg, base, index, scale, disp } = at;
  return () => { mmu.write32((s[seg] + s[base] + (s[index] << scale) + disp) | 0, r32[x]); };
}

function store32(vm: Machine, ea: Reader, x: number): Exec {
  const r32 = vm.cpu.r32, mmu = vm.mmu;
  return () => { mmu.write32(ea(), r32[x]); };
}

function moveToSegment(insn: Instruction, vm: Machine, seg: Seg, read: Reader): Exec {
  const cpu = vm.cpu;
  if (seg === Seg.CS) return () => { throw new CpuException(Vector.UD, -1, 0, 'mov to cs'); };
  if (seg === Seg.SS) {
    // MOV SS holds off interrupts until the next instruction (the MOV ESP after it) has run.
    const next = nextEip(insn);
    return () => {
      cpu.loadSegment(seg, read());
      cpu.interruptShadowEip = next;
    };
  }
  return () => cpu.loadSegment(seg, read());
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
    vm.mmu.probeWrite(a, size); // the processor always writes the destination
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
    vm.mmu.probeWrite(a, 8);
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

/** CBW/CWDE (op 'cbw') and CWD/CDQ (op 'cwd'). */
export function compileConvert(insn: Instruction, vm: Machine): Exec {
  const r32 = vm.cpu.r32, r16 = vm.cpu.r16, r8 = vm.cpu.r8;
  const widen = insn.entry.op === 'cbw'; // CBW/CWDE; CWD/CDQ are op 'cwd'
  if (widen) {
    if (insn.opSize === 4) return () => { r32[0] = (r16[0] << 16) >> 16; };
    return () => { r16[0] = (r8[0] << 24) >> 24; };
  }
  if (insn.opSize === 4) return () => { r32[2] = r32[0] >> 31; };
  return () => { r16[4] = (r16[0] & 0x8000) ? 0xffff : 0; };
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
