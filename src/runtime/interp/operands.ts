import { Instruction, Operand } from '../../decoder/types.js';
import { CpuException, Vector } from '../exceptions.js';
import { Slot } from '../layout.js';
import type { Machine } from '../machine.js';

/** A compiled instruction: runs its semantics against the machine it was compiled for. */
export type Exec = () => void;
export type Reader = () => number;
export type Writer = (v: number) => void;

/** Typed-array index of general register `reg` for an access of `size` bytes. */
export function regIndex(reg: number, size: number): number {
  if (size === 4) return reg;
  if (size === 2) return reg * 2;
  return reg < 4 ? reg * 4 : (reg - 4) * 4 + 1;
}

/** The register view for `size`: r8, r16 or r32. */
export function regArray(vm: Machine, size: number): RegisterArray {
  return size === 4 ? vm.cpu.r32 : size === 2 ? vm.cpu.r16 : vm.cpu.r8;
}

/** Linear address of a memory operand, specialised on its addressing form. */
export function effectiveAddress(op: Operand, vm: Machine, withSegment = true): Reader {
  const s = vm.cpu.s;
  const r32 = vm.cpu.r32;
  const segSlot = withSegment ? Slot.SEG_BASE + op.seg : Slot.ZERO;
  const disp = op.disp | 0;
  const base = op.base;
  const index = op.index;
  const scale = op.scale;
  if (op.addrSize === 2) {
    const r16 = vm.cpu.r16;
    const b = base >= 0 ? base * 2 : -1;
    const x = index >= 0 ? index * 2 : -1;
    if (b >= 0 && x >= 0) return () => (s[segSlot] + ((r16[b] + r16[x] + disp) & 0xffff)) | 0;
    if (b >= 0) return () => (s[segSlot] + ((r16[b] + disp) & 0xffff)) | 0;
    if (x >= 0) return () => (s[segSlot] + ((r16[x] + disp) & 0xffff)) | 0;
    return () => (s[segSlot] + (disp & 0xffff)) | 0;
  }
  if (base >= 0 && index >= 0) {
    if (scale === 0) return () => (s[segSlot] + r32[base] + r32[index] + disp) | 0;
    return () => (s[segSlot] + r32[base] + (r32[index] << scale) + disp) | 0;
  }
  if (base >= 0) {
    if (disp === 0) return () => (s[segSlot] + r32[base]) | 0;
    return () => (s[segSlot] + r32[base] + disp) | 0;
  }
  if (index >= 0) return () => (s[segSlot] + (r32[index] << scale) + disp) | 0;
  return () => (s[segSlot] + disp) | 0;
}

/** The offset part only (LEA): no segment base. */
export function offsetOnly(op: Operand, vm: Machine): Reader {
  return effectiveAddress(op, vm, false);
}

/** Reads an operand (register, memory or immediate), zero-extended for sizes 1 and 2, signed for 4. */
export function reader(op: Operand, vm: Machine): Reader {
  switch (op.kind) {
    case 'reg': {
      const a = regArray(vm, op.size);
      const i = regIndex(op.reg, op.size);
      return () => a[i];
    }
    case 'imm': {
      const v = op.size === 4 ? op.value | 0 : op.value & (op.size === 2 ? 0xffff : 0xff);
      return () => v;
    }
    case 'mem': {
      if (op.size === 4) {
        const inline = inlineRead32(op, vm);
        if (inline) return inline;
      }
      const ea = effectiveAddress(op, vm);
      const mmu = vm.mmu;
      if (op.size === 4) return () => mmu.read32(ea());
      if (op.size === 2) return () => mmu.read16(ea());
      return () => mmu.read8(ea());
    }
    case 'sreg': {
      const s = vm.cpu.s;
      const slot = Slot.SEG_SEL + op.reg;
      return () => s[slot] & 0xffff;
    }
    default:
      throw new Error(`no reader for operand kind ${op.kind}`);
  }
}

export function writer(op: Operand, vm: Machine): Writer {
  switch (op.kind) {
    case 'reg': {
      const a = regArray(vm, op.size);
      const i = regIndex(op.reg, op.size);
      return (v) => {
        a[i] = v;
      };
    }
    case 'mem': {
      if (op.size === 4) {
        const inline = inlineWrite32(op, vm);
        if (inline) return inline;
      }
      const ea = effectiveAddress(op, vm);
      const mmu = vm.mmu;
      if (op.size === 4) return (v) => mmu.write32(ea(), v);
      if (op.size === 2) return (v) => mmu.write16(ea(), v);
      return (v) => mmu.write8(ea(), v);
    }
    default:
      throw new Error(`no writer for operand kind ${op.kind}`);
  }
}

/**
 * The slots of a 32-bit [base + index*scale + disp] reference, for closures
 * that compute the address themselves (no effective-address closure call):
 * `s[seg] + s[base] + (s[index] << scale) + disp`, where registers are the
 * first slots of the state block and a missing index reads the zero slot.
 * Null for 16-bit addressing and for references without a base.
 */
/** A 32-bit [base + index*scale + disp] reference as state-block slots (see addressSlots). */
export interface AddressSlots {
  seg: number;
  base: number;
  index: number;
  scale: number;
  disp: number;
}

/** A register view: r8, r16 or r32 (regArray). */
export type RegisterArray = Uint8Array | Uint16Array | Int32Array;

export function addressSlots(op: Operand): AddressSlots | null {
  if (op.addrSize !== 4 || op.base < 0) return null;
  return {
    seg: Slot.SEG_BASE + op.seg,
    base: op.base,
    index: op.index >= 0 ? op.index : Slot.ZERO,
    scale: op.scale,
    disp: op.disp | 0,
  };
}

/** 32-bit load through addressSlots: the address in the closure, the access on the Mmu's own fast path. */
export function inlineRead32(op: Operand, vm: Machine): Reader | null {
  const a = addressSlots(op);
  if (!a) return null;
  const s = vm.cpu.s, mmu = vm.mmu, { seg, base, index, scale, disp } = a;
  return () => mmu.read32((s[seg] + s[base] + (s[index] << scale) + disp) | 0);
}

export function inlineWrite32(op: Operand, vm: Machine): Writer | null {
  const a = addressSlots(op);
  if (!a) return null;
  const s = vm.cpu.s, mmu = vm.mmu, { seg, base, index, scale, disp } = a;
  return (v) => mmu.write32((s[seg] + s[base] + (s[index] << scale) + disp) | 0, v);
}

/**
 * Read-modify-write of operand `op` through `f`. For memory the address is
 * computed once and the page checked for writing before anything changes,
 * so a fault leaves registers and flags as they were.
 */
export function readModifyWrite(op: Operand, vm: Machine, f: (v: number) => number): Exec {
  if (op.kind === 'reg') {
    const a = regArray(vm, op.size);
    const i = regIndex(op.reg, op.size);
    return () => {
      a[i] = f(a[i]);
    };
  }
  const ea = effectiveAddress(op, vm);
  const mmu = vm.mmu;
  const size = op.size;
  return () => {
    const addr = ea();
    const v = mmu.read(addr, size);
    mmu.probeWrite(addr, size);
    mmu.write(addr, size, f(v));
  };
}

/** Sign-extends the low `size` bytes of v. */
export function signExtend(v: number, size: number): number {
  return size === 4 ? v | 0 : size === 2 ? (v << 16) >> 16 : (v << 24) >> 24;
}

export function undefinedOpcode(insn: Instruction, why: string): Exec {
  const e = new CpuException(Vector.UD, -1, 0, why);
  return () => {
    throw e;
  };
}
