import { Instruction, Operand } from '../../decoder/types.js';
import { CpuException, Vector } from '../exceptions.js';
import { replaceStatusFlags } from '../flags.js';
import { Slot } from '../layout.js';
import type { Machine } from '../machine.js';
import { effectiveAddress, Exec } from './operands.js';
import { FOp, isNaN32, SseFloat } from './sse-float.js';
import { SIMD_INT_SEMANTICS } from './sse-int.js';
import { needsAlignment, Simd, touchesMmx } from './sse-state.js';

/**
 * SSE and SSE2: floating-point arithmetic, compares and conversions (IEEE
 * rules in sse-float.ts), data movement between XMM registers, MMX
 * registers, general registers and memory, MXCSR, and FXSAVE/FXRSTOR. The
 * packed-integer instructions are in sse-int.ts; the register files in
 * sse-state.ts. Unmasked SIMD exceptions raise #XM before the result is
 * written.
 */

type Compiler = (insn: Instruction, vm: Machine) => Exec;

/** What a compiler needs: the register files, the float unit, the operands' loaders and storers. */
class Ctx {
  readonly u: Simd;
  readonly fp: SseFloat;
  readonly dst: Operand;
  readonly src: Operand;
  readonly imm: number;
  readonly aligned: boolean;
  readonly before: (() => void) | undefined;

  constructor(readonly insn: Instruction, readonly vm: Machine) {
    this.u = new Simd(vm);
    this.fp = new SseFloat(this.u);
    [this.dst, this.src] = insn.operands;
    this.imm = (insn.operands.find((o) => o.kind === 'imm')?.value ?? 0) & 0xff;
    this.aligned = needsAlignment(insn);
    const u = this.u;
    this.before = touchesMmx(insn) ? () => u.enterMmx() : undefined;
  }

  /** Loads the destination into slot A. */
  loadA(): Exec {
    return this.u.loader(this.dst, this.vm, 0, true);
  }
  /** Loads the source into slot B. */
  loadB(): Exec {
    return this.u.loader(this.src, this.vm, 16, this.aligned);
  }
  /** Loads the source into slot A (moves). */
  srcToA(): Exec {
    return this.u.loader(this.src, this.vm, 0, this.aligned);
  }
  /** Stores slot A to the destination (`size` bytes of it for memory). */
  storeA(size?: number): Exec {
    return this.u.storer(this.dst, this.vm, 0, this.aligned, this.before, size);
  }
}

/** dst = f(dst, src) over slots A and B, floating point: MXCSR flags committed before the store. */
function floatOp(lanes: (c: Ctx) => () => void, loadDst = true): Compiler {
  return (insn, vm) => {
    const c = new Ctx(insn, vm);
    const loadA = loadDst ? c.loadA() : () => {};
    const loadB = c.loadB(), store = c.storeA(), run = lanes(c), fp = c.fp;
    return () => {
      loadA();
      loadB();
      fp.begin();
      run();
      fp.commit();
      store();
    };
  };
}

const ARITH: Record<string, FOp> = { add: FOp.ADD, sub: FOp.SUB, mul: FOp.MUL, div: FOp.DIV, min: FOp.MIN, max: FOp.MAX };

const ps = (op: FOp) => floatOp(({ fp }) => () => { for (let i = 0; i < 4; i++) fp.binary32(op, i, 4 + i); });
const ss = (op: FOp) => floatOp(({ fp }) => () => fp.binary32(op, 0, 4));
const pd = (op: FOp) => floatOp(({ fp }) => () => { fp.binary64(op, 0, 2); fp.binary64(op, 1, 3); });
const sd = (op: FOp) => floatOp(({ fp }) => () => fp.binary64(op, 0, 2));

/** RCP and RSQRT: the hardware's 12-bit approximations are model-specific; these are the correctly rounded values. */
function approximate(count: number, f: (v: number) => number): Compiler {
  return floatOp(({ u }) => () => {
    for (let i = 0; i < count; i++) {
      const b = u.t32[4 + i];
      if (isNaN32(b)) u.t32[i] = b | 0x400000;
      else {
        const r = f(u.tf32[4 + i]);
        if (r !== r) u.t32[i] = 0xffc00000 | 0;
        else u.tf32[i] = r;
      }
    }
  });
}

/** CMPPS/CMPSS/CMPPD/CMPSD by the imm8 predicate. */
function compare(width: 32 | 64, count: number): Compiler {
  return floatOp(({ fp, imm }) => {
    const p = imm & 7;
    return width === 32
      ? () => { for (let i = 0; i < count; i++) fp.compare32(p, i, 4 + i); }
      : () => { for (let j = 0; j < count; j++) fp.compare64(p, j, 2 + j); };
  });
}

/** COMISS/UCOMISS/COMISD/UCOMISD: EFLAGS from the low lanes. */
function comis(width: 32 | 64, quiet: boolean): Compiler {
  return (insn, vm) => {
    const c = new Ctx(insn, vm);
    const loadA = c.loadA(), loadB = c.loadB(), fp = c.fp, s = vm.cpu.s;
    return () => {
      loadA();
      loadB();
      fp.begin();
      const flags = width === 32 ? fp.comis32(0, 4, quiet) : fp.comis64(0, 2, quiet);
      fp.commit();
      replaceStatusFlags(s, flags);
    };
  };
}

/** A conversion into slot A from slot B, lane by lane; `upper` says what happens to the rest of the destination. */
function convert(run: (c: Ctx) => () => void, upper: 'keep' | 'zero64' | 'none'): Compiler {
  return floatOp((c) => {
    const f = run(c), t32 = c.u.t32;
    if (upper !== 'zero64') return f;
    return () => {
      f();
      t32[2] = t32[3] = 0;
    };
  }, upper === 'keep');
}

/** CVT(T)SS2SI / CVT(T)SD2SI: to a general register. */
function toGpr(width: 32 | 64, truncate: boolean): Compiler {
  return (insn, vm) => {
    const c = new Ctx(insn, vm);
    const loadB = c.loadB(), fp = c.fp, r32 = vm.cpu.r32, d = c.dst.reg;
    return () => {
      loadB();
      fp.begin();
      const v = width === 32 ? fp.int32Of32(4, truncate) : fp.int32Of64(2, truncate);
      fp.commit();
      r32[d] = v;
    };
  };
}

/** Plain moves: the source into slot A, slot A to the destination (`size` bytes). */
function move(size?: number): Compiler {
  return (insn, vm) => {
    const c = new Ctx(insn, vm);
    const direct = directMove(c);
    if (direct) return direct;
    const load = c.srcToA(), store = c.storeA(size);
    return () => {
      load();
      store();
    };
  };
}

/**
 * MOVAPS/MOVDQA/MOVDQU... between XMM registers and 16 bytes of memory, the
 * commonest SSE instructions of glibc's string functions: no temporaries.
 */
function directMove(c: Ctx): Exec | null {
  const { dst, src, u, aligned } = c;
  const x32 = u.x32, mmu = u.mmu;
  if (dst.kind === 'xmm' && src.kind === 'xmm') {
    const d = dst.reg * 4, s = src.reg * 4;
    return () => {
      x32[d] = x32[s];
      x32[d + 1] = x32[s + 1];
      x32[d + 2] = x32[s + 2];
      x32[d + 3] = x32[s + 3];
    };
  }
  if (dst.kind === 'xmm' && src.kind === 'mem' && src.size === 16) {
    const ea = effectiveAddress(src, c.vm), d = dst.reg * 4;
    return () => {
      const a = ea();
      if (aligned && a & 15) throw new CpuException(Vector.GP, 0, 0, 'misaligned 16-byte SSE operand');
      // All four loads before the first register write: a fault in the second page changes nothing.
      const v0 = mmu.read32(a), v1 = mmu.read32(a + 4), v2 = mmu.read32(a + 8), v3 = mmu.read32(a + 12);
      x32[d] = v0;
      x32[d + 1] = v1;
      x32[d + 2] = v2;
      x32[d + 3] = v3;
    };
  }
  return null;
}

/**
 * Moves of part of a register. Register to register: the destination into
 * A, the source into B, `merge` builds A. From memory: `fromMem` builds A.
 * To memory: the source's bytes at `memOffset` stored.
 */
function partial(merge: (t: Int32Array) => void, fromMemory: (t: Int32Array) => void, memOffset = 0): Compiler {
  return (insn, vm) => {
    const c = new Ctx(insn, vm);
    const { u, dst, src } = c;
    if (dst.kind === 'mem') {
      const load = u.loader(src, vm, 0, false), store = u.storer(dst, vm, memOffset, false, c.before);
      return () => {
        load();
        store();
      };
    }
    const loadA = c.loadA(), loadB = c.loadB(), store = c.storeA(), t = u.t32;
    const build = src.kind === 'mem' ? fromMemory : merge;
    return () => {
      loadA();
      loadB();
      build(t);
      store();
    };
  };
}

const lowDword = partial((t) => { t[0] = t[4]; }, (t) => { t[0] = t[4]; t[1] = t[2] = t[3] = 0; });
const lowQword = partial((t) => { t[0] = t[4]; t[1] = t[5]; }, (t) => { t[0] = t[4]; t[1] = t[5]; t[2] = t[3] = 0; });
const toLowQword = partial((t) => { t[0] = t[4]; t[1] = t[5]; }, (t) => { t[0] = t[4]; t[1] = t[5]; });
const toHighQword = partial((t) => { t[2] = t[4]; t[3] = t[5]; }, (t) => { t[2] = t[4]; t[3] = t[5]; }, 8);

/** The other lanes of an XMM register, zeroed: MOVQ xmm, xmm/m64 (F3 0F 7E; 66 0F D6), MOVQ2DQ, MOVD xmm, r/m32. */
function moveZeroExtend(keep: number): Compiler {
  return (insn, vm) => {
    const c = new Ctx(insn, vm);
    const { u, dst } = c;
    const load = c.srcToA(), t = u.t32;
    const store = dst.kind === 'mem' ? c.storeA(keep * 4) : c.storeA();
    const n = dst.kind === 'mmx' ? 2 : 4;
    return () => {
      load();
      for (let i = keep; i < n; i++) t[i] = 0;
      store();
    };
  };
}

function shuffle(run: (t: Int32Array, imm: number) => void): Compiler {
  return (insn, vm) => {
    const c = new Ctx(insn, vm);
    const loadA = c.loadA(), loadB = c.loadB(), store = c.storeA(), t = c.u.t32, imm = c.imm;
    return () => {
      loadA();
      loadB();
      run(t, imm);
      t.copyWithin(0, 8, 12);
      store();
    };
  };
}

/** MOVMSKPS / MOVMSKPD: sign bits to a general register. */
function moveMask(count: number): Compiler {
  return (insn, vm) => {
    const c = new Ctx(insn, vm);
    const loadB = c.loadB(), t = c.u.t32, r32 = vm.cpu.r32, d = c.dst.reg, step = 4 / count;
    return () => {
      loadB();
      let m = 0;
      for (let i = 0; i < count; i++) m |= (t[4 + (i + 1) * step - 1] >>> 31) << i;
      r32[d] = m;
    };
  };
}

// ---------------------------------------------------------------- MXCSR, FXSAVE, FXRSTOR

/** The MXCSR bits this CPU implements (DAZ included): MXCSR_MASK in the FXSAVE image. */
export const MXCSR_MASK = 0xffff;

function checkMxcsr(v: number): void {
  if (v & ~MXCSR_MASK) throw new CpuException(Vector.GP, 0, 0, 'reserved MXCSR bits');
}

/** The x87 status word with TOP. */
function statusWord(s: Int32Array): number {
  return ((s[Slot.FPU_SW] & ~0x3800) | ((s[Slot.FPU_TOP] & 7) << 11)) & 0xffff;
}

/**
 * Writes the FXSAVE image (512 bytes, 16-byte aligned) at `a`: FCW, FSW, the
 * abridged tag byte, MXCSR and its mask, ST0-ST7 as 80-bit values, XMM0-7.
 * The last instruction and operand pointers (FOP, FIP, FCS, FDP, FDS) are
 * not tracked and read 0; bytes 288-511 are left alone, as the hardware does.
 */
export function saveFxImage(vm: Pick<Machine, 'cpu' | 'mmu'>, a: number): void {
  const u = new Simd(vm), s = u.s, m = u.mmu;
  if (a & 15) throw new CpuException(Vector.GP, 0, 0, 'FXSAVE area not 16-byte aligned');
  m.probeWrite(a, 512);
  m.write32(a, (s[Slot.FPU_CW] & 0xffff) | (statusWord(s) << 16));
  m.write32(a + 4, ~s[Slot.FPU_EMPTY] & 0xff);
  for (let k = 8; k < 24; k += 4) m.write32(a + k, 0);
  m.write32(a + 24, s[Slot.MXCSR]);
  m.write32(a + 28, MXCSR_MASK);
  const top = s[Slot.FPU_TOP] & 7;
  for (let i = 0; i < 8; i++) {
    const [lo, hi, se] = u.readF80((top + i) & 7);
    const at = a + 32 + 16 * i;
    m.write32(at, lo);
    m.write32(at + 4, hi);
    m.write32(at + 8, se & 0xffff);
    m.write32(at + 12, 0);
  }
  for (let k = 0; k < 32; k++) m.write32(a + 160 + 4 * k, u.x32[k]);
}

/** Loads the FXSAVE image at `a` (FXRSTOR): #GP for a misaligned area or reserved MXCSR bits, before any change. */
export function restoreFxImage(vm: Pick<Machine, 'cpu' | 'mmu'>, a: number): void {
  const u = new Simd(vm), s = u.s, m = u.mmu;
  if (a & 15) throw new CpuException(Vector.GP, 0, 0, 'FXRSTOR area not 16-byte aligned');
  const image = m.readBytes(a, 288);
  const dv = new DataView(image.buffer);
  const mxcsr = dv.getInt32(24, true);
  checkMxcsr(mxcsr);
  s[Slot.FPU_CW] = dv.getUint16(0, true);
  const sw = dv.getUint16(2, true);
  s[Slot.FPU_SW] = sw & ~0x3800;
  s[Slot.FPU_TOP] = (sw >> 11) & 7;
  s[Slot.FPU_EMPTY] = ~image[4] & 0xff;
  s[Slot.MXCSR] = mxcsr;
  const top = s[Slot.FPU_TOP];
  for (let i = 0; i < 8; i++) {
    const at = 32 + 16 * i;
    u.writeF80((top + i) & 7, dv.getInt32(at, true), dv.getInt32(at + 4, true), dv.getUint16(at + 8, true));
  }
  for (let k = 0; k < 32; k++) u.x32[k] = dv.getInt32(160 + 4 * k, true);
}

function memoryOperand(insn: Instruction, vm: Machine): () => number {
  const o = insn.operands.find((p) => p.kind === 'mem');
  if (!o) throw new Error(`sse: ${insn.mnemonic} has no memory operand`);
  return effectiveAddress(o, vm);
}

// ---------------------------------------------------------------- the table

const FLOAT_SEMANTICS: Record<string, Compiler> = {
  // Moves.
  movups: move(), movupd: move(), movaps: move(), movapd: move(), movdqa: move(), movdqu: move(),
  movntps: move(), movntpd: move(), movntdq: move(), movntq: move(), movnti: move(),
  'movss': lowDword,
  'movsd-sse': lowQword,
  movlps: toLowQword, movlpd: toLowQword,
  movhps: toHighQword, movhpd: toHighQword,
  movhlps: partial((t) => { t[0] = t[6]; t[1] = t[7]; }, () => {}),
  movlhps: partial((t) => { t[2] = t[4]; t[3] = t[5]; }, () => {}),
  movd: moveZeroExtend(1),
  movq: (insn, vm) =>
    insn.operands[0].kind === 'mmx' || insn.operands[1].kind === 'mmx' ? move()(insn, vm) : moveZeroExtend(2)(insn, vm),
  movq2dq: moveZeroExtend(2),
  movdq2q: move(),
  movmskps: moveMask(4),
  movmskpd: moveMask(2),
  // Unpacks and shuffles (built in slot C, dwords 8-11).
  unpcklps: shuffle((t) => { t[8] = t[0]; t[9] = t[4]; t[10] = t[1]; t[11] = t[5]; }),
  unpckhps: shuffle((t) => { t[8] = t[2]; t[9] = t[6]; t[10] = t[3]; t[11] = t[7]; }),
  unpcklpd: shuffle((t) => { t[8] = t[0]; t[9] = t[1]; t[10] = t[4]; t[11] = t[5]; }),
  unpckhpd: shuffle((t) => { t[8] = t[2]; t[9] = t[3]; t[10] = t[6]; t[11] = t[7]; }),
  shufps: shuffle((t, imm) => {
    t[8] = t[imm & 3];
    t[9] = t[(imm >> 2) & 3];
    t[10] = t[4 + ((imm >> 4) & 3)];
    t[11] = t[4 + ((imm >> 6) & 3)];
  }),
  shufpd: shuffle((t, imm) => {
    const x = (imm & 1) * 2, y = 4 + ((imm >> 1) & 1) * 2;
    t[8] = t[x]; t[9] = t[x + 1]; t[10] = t[y]; t[11] = t[y + 1];
  }),
  // Arithmetic.
  sqrtps: floatOp(({ fp }) => () => { for (let i = 0; i < 4; i++) fp.sqrt32(i, 4 + i); }, false),
  sqrtss: floatOp(({ fp }) => () => fp.sqrt32(0, 4)),
  sqrtpd: floatOp(({ fp }) => () => { fp.sqrt64(0, 2); fp.sqrt64(1, 3); }, false),
  sqrtsd: floatOp(({ fp }) => () => fp.sqrt64(0, 2)),
  rcpps: approximate(4, (v) => 1 / v),
  rcpss: approximate(1, (v) => 1 / v),
  rsqrtps: approximate(4, (v) => 1 / Math.sqrt(v)),
  rsqrtss: approximate(1, (v) => 1 / Math.sqrt(v)),
  cmpps: compare(32, 4), cmpss: compare(32, 1), cmppd: compare(64, 2), 'cmpsd-sse': compare(64, 1),
  comiss: comis(32, false), ucomiss: comis(32, true), comisd: comis(64, false), ucomisd: comis(64, true),
  // Conversions.
  cvtsi2ss: convert(({ fp, u }) => () => fp.put32(0, u.t32[4], 0), 'keep'),
  cvtsi2sd: convert(({ u }) => () => { u.tf64[0] = u.t32[4]; }, 'keep'),
  cvtpi2ps: convert(({ fp, u }) => () => { fp.put32(0, u.t32[4], 0); fp.put32(1, u.t32[5], 0); }, 'keep'),
  cvtpi2pd: convert(({ u }) => () => { u.tf64[0] = u.t32[4]; u.tf64[1] = u.t32[5]; }, 'none'),
  cvtdq2ps: convert(({ fp, u }) => () => { for (let i = 0; i < 4; i++) fp.put32(i, u.t32[4 + i], 0); }, 'none'),
  cvtdq2pd: convert(({ u }) => () => { u.tf64[0] = u.t32[4]; u.tf64[1] = u.t32[5]; }, 'none'),
  cvtss2sd: convert(({ fp }) => () => fp.single2double(0, 4), 'keep'),
  cvtsd2ss: convert(({ fp }) => () => fp.double2single(0, 2), 'keep'),
  cvtps2pd: convert(({ fp }) => () => { fp.single2double(0, 4); fp.single2double(1, 5); }, 'none'),
  cvtpd2ps: convert(({ fp }) => () => { fp.double2single(0, 2); fp.double2single(1, 3); }, 'zero64'),
  cvtss2si: toGpr(32, false), cvttss2si: toGpr(32, true), cvtsd2si: toGpr(64, false), cvttsd2si: toGpr(64, true),
  // MMX destinations (two lanes).
  cvtps2pi: convert(({ fp, u }) => () => { u.t32[0] = fp.int32Of32(4, false); u.t32[1] = fp.int32Of32(5, false); }, 'none'),
  cvttps2pi: convert(({ fp, u }) => () => { u.t32[0] = fp.int32Of32(4, true); u.t32[1] = fp.int32Of32(5, true); }, 'none'),
  cvtpd2pi: convert(({ fp, u }) => () => { u.t32[0] = fp.int32Of64(2, false); u.t32[1] = fp.int32Of64(3, false); }, 'none'),
  cvttpd2pi: convert(({ fp, u }) => () => { u.t32[0] = fp.int32Of64(2, true); u.t32[1] = fp.int32Of64(3, true); }, 'none'),
  cvtps2dq: convert(({ fp, u }) => () => { for (let i = 0; i < 4; i++) u.t32[i] = fp.int32Of32(4 + i, false); }, 'none'),
  cvttps2dq: convert(({ fp, u }) => () => { for (let i = 0; i < 4; i++) u.t32[i] = fp.int32Of32(4 + i, true); }, 'none'),
  cvtpd2dq: convert(({ fp, u }) => () => { u.t32[0] = fp.int32Of64(2, false); u.t32[1] = fp.int32Of64(3, false); }, 'zero64'),
  cvttpd2dq: convert(({ fp, u }) => () => { u.t32[0] = fp.int32Of64(2, true); u.t32[1] = fp.int32Of64(3, true); }, 'zero64'),
  // State.
  ldmxcsr: (insn, vm) => {
    const ea = memoryOperand(insn, vm), s = vm.cpu.s, mmu = vm.mmu;
    return () => {
      const v = mmu.read32(ea());
      checkMxcsr(v);
      s[Slot.MXCSR] = v;
    };
  },
  stmxcsr: (insn, vm) => {
    const ea = memoryOperand(insn, vm), s = vm.cpu.s, mmu = vm.mmu;
    return () => mmu.write32(ea(), s[Slot.MXCSR]);
  },
  fxsave: (insn, vm) => {
    const ea = memoryOperand(insn, vm);
    return () => saveFxImage(vm, ea());
  },
  fxrstor: (insn, vm) => {
    const ea = memoryOperand(insn, vm);
    return () => restoreFxImage(vm, ea());
  },
};

for (const [name, op] of Object.entries(ARITH)) {
  FLOAT_SEMANTICS[`${name}ps`] = ps(op);
  FLOAT_SEMANTICS[`${name}ss`] = ss(op);
  FLOAT_SEMANTICS[`${name}pd`] = pd(op);
  FLOAT_SEMANTICS[`${name}sd`] = sd(op);
}

// ---------------------------------------------------------------- SSE3

/**
 * HADDPS/HSUBPS: lane k of the result is the even lane op the odd lane of a
 * pair, the destination's pairs first, then the source's. The operands are
 * laid out so lane k's are at k and 4 + k, as the vertical ops have them.
 */
const horizontal32 = (op: FOp) => floatOp(({ fp, u }) => {
  const t = u.t32;
  return () => {
    const [a0, a1, a2, a3, b0, b1, b2, b3] = t;
    t[0] = a0; t[1] = a2; t[2] = b0; t[3] = b2;
    t[4] = a1; t[5] = a3; t[6] = b1; t[7] = b3;
    for (let i = 0; i < 4; i++) fp.binary32(op, i, 4 + i);
  };
});

/** HADDPD/HSUBPD: double lanes [A0, A1, B0, B1] become [A0, B0, A1, B1], then lane j = lane j op lane j + 2. */
const horizontal64 = (op: FOp) => floatOp(({ fp, u }) => {
  const t = u.t32;
  return () => {
    const a1lo = t[2], a1hi = t[3];
    t[2] = t[4]; t[3] = t[5];
    t[4] = a1lo; t[5] = a1hi;
    fp.binary64(op, 0, 2);
    fp.binary64(op, 1, 3);
  };
});

const SSE3_SEMANTICS: Record<string, Compiler> = {
  addsubps: floatOp(({ fp }) => () => { for (let i = 0; i < 4; i++) fp.binary32(i & 1 ? FOp.ADD : FOp.SUB, i, 4 + i); }),
  addsubpd: floatOp(({ fp }) => () => { fp.binary64(FOp.SUB, 0, 2); fp.binary64(FOp.ADD, 1, 3); }),
  haddps: horizontal32(FOp.ADD), hsubps: horizontal32(FOp.SUB),
  haddpd: horizontal64(FOp.ADD), hsubpd: horizontal64(FOp.SUB),
  movsldup: shuffle((t) => { t[8] = t[9] = t[4]; t[10] = t[11] = t[6]; }),
  movshdup: shuffle((t) => { t[8] = t[9] = t[5]; t[10] = t[11] = t[7]; }),
  movddup: shuffle((t) => { t[8] = t[10] = t[4]; t[9] = t[11] = t[5]; }),
  // LDDQU may read more than it needs on some CPUs; loading the 16 bytes is MOVDQU.
  lddqu: move(),
};

/** The interpreter's MMX, SSE, SSE2 and SSE3 semantics (FISTTP is the x87's), by the decoder's operation names. */
export const SSE_SEMANTICS: Readonly<Record<string, Compiler>> = { ...SIMD_INT_SEMANTICS, ...FLOAT_SEMANTICS, ...SSE3_SEMANTICS };
