import { Instruction, Operand } from '../../decoder/types.js';
import { CpuException, Vector } from '../exceptions.js';
import { FPU_REGS_BYTE, MMX_BYTE, MMX_SHADOW_BYTE, Slot, XMM_BYTE } from '../layout.js';
import type { Machine } from '../machine.js';
import type { Mmu } from '../mmu.js';
import { doubleToF80, f80ToDouble } from './x87.js';
import { effectiveAddress, Exec, regArray, regIndex } from './operands.js';

/**
 * The SIMD register files: eight XMM registers and MXCSR in the state block
 * (layout.ts), and the MMX view of the x87 registers.
 *
 * MMX aliasing. The x87 keeps its registers as float64 (x87.ts), which
 * cannot hold a 64-bit MMX value, so each physical register p also has a
 * 64-bit significand and a sign/exponent word of its own (MMX_BYTE,
 * Slot.MMX_EXP) and a copy of the float64 bits the x87 register had when they
 * were written (MMX_SHADOW_BYTE). While the x87 register still has those
 * bits, the significand and exponent are the register's 80-bit contents; once
 * the x87 has written something else, its contents are that double as an
 * 80-bit value. So:
 *  - an MMX write of MMp stores the value as significand with exponent
 *    0xFFFF (as the SDM says), and puts in the x87 register the double that
 *    80-bit value rounds to (a negative NaN, or -infinity for 0x8000...0);
 *  - an MMX read of MMp gives that significand while the x87 register is
 *    unchanged, else the significand of the x87 double (1.fraction << 11);
 *  - every MMX instruction sets TOP to 0 and all tags valid; EMMS empties them;
 *  - FXSAVE writes significand and exponent exactly, FXRSTOR loads them (an
 *    MMX value survives a save/restore round trip bit for bit).
 * What is approximate: the x87 sees an MMX value as the NaN a double can hold
 * (top 52 bits of the significand), and an x87 copy of such a register (FLD
 * ST(i), FST) copies the double, not all 64 bits.
 */
export class Simd {
  readonly s: Int32Array;
  readonly mmu: Mmu;
  /** XMM registers: register r lane i at [r*16/size + i]. */
  readonly x32: Int32Array;
  /** x87 registers as float64 and as pairs of int32 (physical order). */
  readonly fpu64: Float64Array;
  readonly fpu32: Int32Array;
  /** MMX significands and the x87 bits they belong to (pairs of int32 per physical register). */
  readonly mm32: Int32Array;
  readonly shadow32: Int32Array;
  /**
   * Operand temporaries, three 16-byte slots (A at byte 0: destination and
   * result, B at 16: source, C at 32: scratch), in every lane width.
   */
  readonly t8: Uint8Array;
  readonly ti8: Int8Array;
  readonly t16: Uint16Array;
  readonly ti16: Int16Array;
  readonly t32: Int32Array;
  readonly tu32: Uint32Array;
  readonly tf32: Float32Array;
  readonly tf64: Float64Array;
  /** For the f80 conversions of x87.ts (bytes 8-15). */
  readonly dv = new DataView(new ArrayBuffer(16));

  constructor(vm: Pick<Machine, 'cpu' | 'mmu'>) {
    this.s = vm.cpu.s;
    this.mmu = vm.mmu;
    const buf = this.s.buffer, base = this.s.byteOffset;
    this.x32 = new Int32Array(buf, base + XMM_BYTE, 32);
    this.fpu64 = new Float64Array(buf, base + FPU_REGS_BYTE, 8);
    this.fpu32 = new Int32Array(buf, base + FPU_REGS_BYTE, 16);
    this.mm32 = new Int32Array(buf, base + MMX_BYTE, 16);
    this.shadow32 = new Int32Array(buf, base + MMX_SHADOW_BYTE, 16);
    const t = new ArrayBuffer(48);
    this.t8 = new Uint8Array(t);
    this.ti8 = new Int8Array(t);
    this.t16 = new Uint16Array(t);
    this.ti16 = new Int16Array(t);
    this.t32 = new Int32Array(t);
    this.tu32 = new Uint32Array(t);
    this.tf32 = new Float32Array(t);
    this.tf64 = new Float64Array(t);
  }

  // ---------------------------------------------------------------- MMX

  /** What every MMX instruction does to the x87: TOP = 0, every register valid. */
  enterMmx(): void {
    this.s[Slot.FPU_TOP] = 0;
    this.s[Slot.FPU_EMPTY] = 0;
  }

  /** Whether physical register p's 80-bit image is the one in MMX_BYTE / MMX_EXP. */
  private exact(p: number): boolean {
    return this.fpu32[2 * p] === this.shadow32[2 * p] && this.fpu32[2 * p + 1] === this.shadow32[2 * p + 1];
  }

  /** MMp (the significand of physical register p) into t32[k], t32[k+1]. */
  readMmx(p: number, k: number): void {
    if (this.exact(p)) {
      this.t32[k] = this.mm32[2 * p];
      this.t32[k + 1] = this.mm32[2 * p + 1];
    } else {
      const [lo, hi] = doubleToF80(this.fpu64[p], this.dv);
      this.t32[k] = lo;
      this.t32[k + 1] = hi;
    }
  }

  /** The 80-bit image of physical register p: [significand low, high, sign|exponent]. */
  readF80(p: number): [number, number, number] {
    if (this.exact(p)) return [this.mm32[2 * p], this.mm32[2 * p + 1], this.s[Slot.MMX_EXP + p] & 0xffff];
    return doubleToF80(this.fpu64[p], this.dv);
  }

  /** Writes physical register p as an 80-bit value (an MMX write is exponent 0xFFFF). */
  writeF80(p: number, lo: number, hi: number, se: number): void {
    this.mm32[2 * p] = lo;
    this.mm32[2 * p + 1] = hi;
    this.s[Slot.MMX_EXP + p] = se & 0xffff;
    if ((se & 0x7fff) === 0x7fff) {
      // Infinity or NaN: the bits f80ToDouble gives, without a trip through a JavaScript NaN.
      const sign = se & 0x8000 ? 0x80000000 : 0;
      if ((hi & 0x7fffffff) === 0 && lo === 0) {
        this.fpu32[2 * p + 1] = sign | 0x7ff00000;
        this.fpu32[2 * p] = 0;
      } else {
        this.fpu32[2 * p + 1] = sign | 0x7ff80000 | ((hi >>> 11) & 0x7ffff);
        this.fpu32[2 * p] = (hi << 21) | (lo >>> 11);
      }
    } else {
      this.fpu64[p] = f80ToDouble(lo >>> 0, hi >>> 0, se & 0xffff, this.dv);
    }
    this.shadow32[2 * p] = this.fpu32[2 * p];
    this.shadow32[2 * p + 1] = this.fpu32[2 * p + 1];
  }

  writeMmx(p: number, lo: number, hi: number): void {
    this.writeF80(p, lo, hi, 0xffff);
  }

  // ---------------------------------------------------------------- MXCSR

  get mxcsr(): number {
    return this.s[Slot.MXCSR];
  }

  /**
   * Adds exception flags to MXCSR; an unmasked one raises #XM before the
   * instruction writes its result.
   */
  raise(flags: number): void {
    if (flags === 0) return;
    const m = this.s[Slot.MXCSR];
    this.s[Slot.MXCSR] = m | flags;
    if (flags & ~(m >> 7) & 0x3f) throw new CpuException(Vector.XM, -1, 0, 'unmasked SIMD floating-point exception');
  }

  // ---------------------------------------------------------------- operands

  /**
   * A closure that loads operand `op` into the temporaries at byte `at`:
   * an XMM register (16 bytes), an MMX register (8), a general register (4)
   * or `op.size` bytes of memory (16-byte operands must be aligned when
   * `aligned`: #GP(0) otherwise).
   */
  loader(op: Operand, vm: Machine, at: number, aligned: boolean): Exec {
    const t32 = this.t32, k = at >> 2;
    switch (op.kind) {
      case 'xmm': {
        const x32 = this.x32, r = op.reg * 4;
        return () => {
          t32[k] = x32[r];
          t32[k + 1] = x32[r + 1];
          t32[k + 2] = x32[r + 2];
          t32[k + 3] = x32[r + 3];
        };
      }
      case 'mmx': {
        const p = op.reg;
        return () => this.readMmx(p, k);
      }
      case 'reg': {
        const a = regArray(vm, op.size), i = regIndex(op.reg, op.size);
        return () => {
          t32[k] = a[i];
        };
      }
      case 'imm': {
        const v = op.value | 0;
        return () => {
          t32[k] = v;
          t32[k + 1] = 0;
        };
      }
      case 'mem': {
        const ea = effectiveAddress(op, vm), mmu = this.mmu, size = op.size;
        if (size === 16) {
          return () => {
            const a = ea();
            if (aligned && a & 15) throw new CpuException(Vector.GP, 0, 0, 'misaligned 16-byte SSE operand');
            t32[k] = mmu.read32(a);
            t32[k + 1] = mmu.read32(a + 4);
            t32[k + 2] = mmu.read32(a + 8);
            t32[k + 3] = mmu.read32(a + 12);
          };
        }
        if (size === 8) {
          return () => {
            const a = ea();
            t32[k] = mmu.read32(a);
            t32[k + 1] = mmu.read32(a + 4);
          };
        }
        if (size === 4) return () => { t32[k] = mmu.read32(ea()); };
        if (size === 2) return () => { t32[k] = mmu.read16(ea()); };
        break;
      }
    }
    throw new Error(`sse: no loader for ${op.kind} of ${op.size} bytes`);
  }

  /**
   * A closure that stores the temporaries at byte `at` to operand `op`
   * (`size` bytes of them for memory, default op.size). `before` runs once
   * the store can no longer fault (the x87 transition of MMX instructions).
   */
  storer(op: Operand, vm: Machine, at: number, aligned: boolean, before?: () => void, size = op.size): Exec {
    const t32 = this.t32, k = at >> 2;
    const pre = before ?? (() => {});
    switch (op.kind) {
      case 'xmm': {
        const x32 = this.x32, r = op.reg * 4;
        return () => {
          pre();
          x32[r] = t32[k];
          x32[r + 1] = t32[k + 1];
          x32[r + 2] = t32[k + 2];
          x32[r + 3] = t32[k + 3];
        };
      }
      case 'mmx': {
        const p = op.reg;
        return () => {
          pre();
          this.writeMmx(p, t32[k], t32[k + 1]);
        };
      }
      case 'reg': {
        const r32 = vm.cpu.r32, i = op.reg;
        return () => {
          pre();
          r32[i] = t32[k];
        };
      }
      case 'mem': {
        const ea = effectiveAddress(op, vm), mmu = this.mmu;
        if (size === 16 || size === 8) {
          const n = size >> 2;
          return () => {
            const a = ea();
            if (aligned && size === 16 && a & 15) throw new CpuException(Vector.GP, 0, 0, 'misaligned 16-byte SSE operand');
            mmu.probeWrite(a, size);
            pre();
            for (let j = 0; j < n; j++) mmu.write32(a + 4 * j, t32[k + j]);
          };
        }
        if (size === 4) {
          return () => {
            const a = ea();
            mmu.probeWrite(a, 4);
            pre();
            mmu.write32(a, t32[k]);
          };
        }
        break;
      }
    }
    throw new Error(`sse: no storer for ${op.kind} of ${op.size} bytes`);
  }
}

/** Instructions whose 16-byte memory operand may be misaligned (everything else of SSE faults: #GP(0)). */
const UNALIGNED = new Set(['movups', 'movupd', 'movdqu', 'maskmovdqu', 'lddqu', 'movddup']);

export function needsAlignment(insn: Instruction): boolean {
  return !UNALIGNED.has(insn.entry.mnemonic);
}

/** Whether the instruction names an MMX register (and so moves the x87 to MMX mode). */
export function touchesMmx(insn: Instruction): boolean {
  return insn.operands.some((o) => o.kind === 'mmx');
}
