import { Instruction, Operand } from '../../decoder/types.js';
import { replaceStatusFlags, testCondition } from '../flags.js';
import { Slot } from '../layout.js';
import type { Machine } from '../machine.js';
import * as F from './floatx80.js';
import type { F80, F80Result } from './floatx80.js';
import { effectiveAddress, Exec } from './operands.js';
import { Simd } from './sse-state.js';
import { X87 } from './x87.js';

/**
 * The x87 with 80-bit extended registers (`--x87 exact`): loads, stores,
 * arithmetic, compares, FSQRT, FRNDINT, FPREM/FPREM1, FXAM, FCHS/FABS,
 * FXCH and FCMOV compute on the exact 80-bit values with
 * floatx80.ts (proven bit for bit against the CPU), rounded by the control
 * word's precision and rounding control, and report all six exception flags
 * and C1 as the hardware does (exceptions masked, as everywhere here); so do
 * FSCALE, FXTRACT and every constant (FLDPI...).
 *
 * A register's exact value is its 80-bit image (sse-state.ts: MMX_BYTE and
 * Slot.MMX_EXP, valid while the double in FPU_REGS_BYTE has the shadow's
 * bits); the double beside it is that value rounded to nearest, for what
 * still computes in doubles: the transcendentals and BCD (x87.ts; they drop
 * the image and leave a double). The
 * translator runs no x87 instruction inline in this mode: every one calls
 * the interpreter.
 */

const CONDITION = F.C0 | F.C1 | F.C2 | F.C3;
const SF = 0x40;
const EXCEPTIONS = 0x3f;

class ExactX87 {
  readonly x: X87;
  readonly u: Simd;
  readonly s: Int32Array;

  constructor(vm: Machine) {
    this.x = new X87(vm);
    this.u = new Simd(vm);
    this.s = vm.cpu.s;
  }

  get control(): F.F80Control {
    const cw = this.s[Slot.FPU_CW];
    return { pc: (cw >> 8) & 3, rc: (cw >> 10) & 3 };
  }

  get rc(): number {
    return (this.s[Slot.FPU_CW] >> 10) & 3;
  }

  private phys(i: number): number {
    return (this.s[Slot.FPU_TOP] + i) & 7;
  }

  /** ST(i); an empty register is a stack underflow (IE|SF, C1 clear) and reads as the indefinite. */
  get(i: number): F80 {
    const p = this.phys(i);
    if (this.s[Slot.FPU_EMPTY] & (1 << p)) {
      this.s[Slot.FPU_SW] = (this.s[Slot.FPU_SW] & ~F.C1) | F.IE | SF;
      return { ...F.F80_INDEFINITE };
    }
    const [lo, hi, se] = this.u.readF80(p);
    return { sign: (se >> 15) & 1 ? 1 : 0, exp: se & 0x7fff, mant: (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0) };
  }

  private write(p: number, v: F80): void {
    this.u.writeF80(p, Number(v.mant & 0xffffffffn) | 0, Number(v.mant >> 32n) | 0, (v.sign << 15) | v.exp);
  }

  set(i: number, v: F80): void {
    const p = this.phys(i);
    this.write(p, v);
    this.s[Slot.FPU_EMPTY] &= ~(1 << p);
  }

  /** Pushes `v`; a full stack is an overflow (IE|SF|C1) and pushes the indefinite. */
  push(v: F80): void {
    const top = (this.s[Slot.FPU_TOP] - 1) & 7;
    this.s[Slot.FPU_TOP] = top;
    if (!(this.s[Slot.FPU_EMPTY] & (1 << top))) {
      this.s[Slot.FPU_SW] |= F.IE | SF | F.C1;
      v = F.F80_INDEFINITE;
    }
    this.write(top, v);
    this.s[Slot.FPU_EMPTY] &= ~(1 << top);
  }

  pop(): void {
    this.x.pop();
  }

  /** Exception flags of an operation, and C1 as it reports rounding up (cleared otherwise). */
  report(flags: number): void {
    this.s[Slot.FPU_SW] = (this.s[Slot.FPU_SW] & ~F.C1) | (flags & (EXCEPTIONS | F.C1));
  }

  setCondition(bits: number): void {
    this.s[Slot.FPU_SW] = (this.s[Slot.FPU_SW] & ~CONDITION) | bits;
  }

  /** The stack fault of an operand read (SF) leaves its IE and C1 alone: nothing more to report. */
  faulted(before: number): boolean {
    return (this.s[Slot.FPU_SW] & SF) !== 0 && (before & SF) === 0;
  }
}

/** A memory operand in the x87's memory formats, as an exact 80-bit value with the flags its load raises. */
function memoryLoader(x: ExactX87, op: Operand, vm: Machine, integer: boolean): () => F80Result {
  const ea = effectiveAddress(op, vm), size = op.size, m = vm.mmu;
  if (integer) {
    return () => {
      const a = ea();
      const v = size === 2 ? BigInt((m.read16(a) << 16) >> 16) : size === 4 ? BigInt(m.read32(a)) : (BigInt(m.read32(a + 4)) << 32n) | BigInt(m.read32(a) >>> 0);
      return { value: F.f80FromInt(v), flags: 0 };
    };
  }
  if (size === 4) return () => F.f80FromF32bits(m.read32(ea()) >>> 0);
  if (size === 8) {
    return () => {
      const a = ea();
      const lo = m.read32(a), hi = m.read32(a + 4);
      return F.f80FromF64Bits((BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0));
    };
  }
  return () => ({ value: F.f80FromBytes(m.readBytes(ea(), 10)), flags: 0 });
}

function memOperand(insn: Instruction): Operand {
  const o = insn.operands.find((p) => p.kind === 'mem');
  if (!o) throw new Error(`x87: ${insn.mnemonic} has no memory operand`);
  return o;
}

type Binary = (a: F80, b: F80, ctl: F.F80Control) => F80Result;
const ARITH: Record<string, Binary> = {
  add: F.add,
  sub: F.sub,
  subr: (a, b, ctl) => F.sub(b, a, ctl),
  mul: F.mul,
  div: F.div,
  divr: (a, b, ctl) => F.div(b, a, ctl),
};

/** FADD..FDIVR in every form (see compileArith in x87.ts for the operand order). */
function compileArith(insn: Instruction, vm: Machine, x: ExactX87, name: string, integer: boolean, pop: boolean): Exec {
  const f = ARITH[name];
  const [dst, src] = insn.operands;
  if (dst.kind === 'mem') {
    const load = memoryLoader(x, dst, vm, integer);
    return () => {
      const b = load();
      const before = x.s[Slot.FPU_SW];
      const a = x.get(0);
      if (x.faulted(before)) return x.set(0, F.F80_INDEFINITE);
      const r = f(a, b.value, x.control);
      x.report(r.flags | b.flags);
      x.set(0, r.value);
    };
  }
  const [to, from] = !pop && dst.reg === 0 ? [0, src?.kind === 'st' ? src.reg : 0] : [dst.reg, 0];
  return () => {
    const before = x.s[Slot.FPU_SW];
    const a = x.get(to), b = x.get(from);
    if (x.faulted(before)) x.set(to, F.F80_INDEFINITE);
    else {
      const r = f(a, b, x.control);
      x.report(r.flags);
      x.set(to, r.value);
    }
    if (pop) x.pop();
  };
}

/** FCOM/FUCOM/FICOM/FTST and the popping forms: C3 C2 C0 (C1 cleared), IE/DE as the comparison raises them. */
function compileCompare(insn: Instruction, vm: Machine, x: ExactX87, op: string): Exec {
  const pops = op.endsWith('pp') ? 2 : op.endsWith('p') ? 1 : 0;
  const quiet = op.startsWith('fu');
  let other: () => F80Result;
  if (op === 'ftst') other = () => ({ value: F.f80(0, 0, 0n), flags: 0 });
  else {
    const src = insn.operands.find((o) => o.kind === 'mem' || (o.kind === 'st' && o.reg !== 0)) ?? insn.operands[0];
    if (src === undefined) other = () => ({ value: x.get(1), flags: 0 });
    else if (src.kind === 'mem') other = memoryLoader(x, src, vm, op.startsWith('fi'));
    else {
      const i = src.reg;
      other = () => ({ value: x.get(i), flags: 0 });
    }
  }
  return () => {
    const before = x.s[Slot.FPU_SW];
    const a = x.get(0), b = other();
    if (x.faulted(before)) x.setCondition(F.C3 | F.C2 | F.C0);
    else {
      const c = F.compare(a, b.value, quiet);
      x.report((c.flags | b.flags) & EXCEPTIONS);
      x.setCondition(F.relationConditionBits(c.relation));
    }
    for (let k = 0; k < pops; k++) x.pop();
  };
}

/** FCOMI/FUCOMI(P): ZF PF CF (OF SF AF cleared). */
function compileCompareEflags(insn: Instruction, vm: Machine, x: ExactX87, op: string): Exec {
  const i = insn.operands[1]?.reg ?? 1, pop = op.endsWith('p'), quiet = op.startsWith('fu'), s = vm.cpu.s;
  return () => {
    const before = s[Slot.FPU_SW];
    const a = x.get(0), b = x.get(i);
    let flags = 0x45;
    if (!x.faulted(before)) {
      const c = F.compare(a, b, quiet);
      x.report(c.flags & EXCEPTIONS);
      flags = c.relation === 'unordered' ? 0x45 : c.relation === 'greater' ? 0 : c.relation === 'less' ? 0x01 : 0x40;
    }
    replaceStatusFlags(s, flags);
    if (pop) x.pop();
  };
}

/** FXAM: the class of ST(0) in C3 C2 C0 and its sign in C1 (an empty register: C3 C0, the stale sign). */
function examine(x: ExactX87): void {
  const p = (x.s[Slot.FPU_TOP]) & 7;
  if (x.s[Slot.FPU_EMPTY] & (1 << p)) {
    const [, , se] = x.u.readF80(p);
    x.setCondition(F.C3 | F.C0 | (se & 0x8000 ? F.C1 : 0));
    return;
  }
  x.setCondition(F.examine(x.get(0)));
}

/** One ST(0) → ST(0) operation. */
function unary(x: ExactX87, f: (v: F80) => F80Result): Exec {
  return () => {
    const before = x.s[Slot.FPU_SW];
    const v = x.get(0);
    if (x.faulted(before)) return x.set(0, F.F80_INDEFINITE);
    const r = f(v);
    x.report(r.flags);
    x.set(0, r.value);
  };
}

interface ExactContext {
  insn: Instruction;
  vm: Machine;
  x: ExactX87;
  op: string;
}
type ExactCompiler = (c: ExactContext) => Exec;

const load: ExactCompiler = ({ insn, vm, x, op }) => {
  const src = insn.operands[0];
  if (src.kind === 'mem') {
    const read = memoryLoader(x, src, vm, op === 'fild');
    return () => {
      const r = read();
      // A load raises only IE (signalling NaN) and DE (denormal single or double); it leaves C1 to the stack check.
      x.s[Slot.FPU_SW] = (x.s[Slot.FPU_SW] & ~F.C1) | r.flags;
      x.push(r.value);
    };
  }
  const i = src.reg;
  return () => {
    const v = x.get(i);
    x.push(v);
  };
};

const store: ExactCompiler = ({ insn, vm, x, op }) => {
  const pop = op.endsWith('p');
  const dst = insn.operands[0];
  if (dst.kind !== 'mem') {
    const i = dst.reg;
    return () => {
      x.s[Slot.FPU_SW] &= ~F.C1;
      x.set(i, x.get(0));
      if (pop) x.pop();
    };
  }
  const ea = effectiveAddress(dst, vm), size = dst.size, m = vm.mmu;
  return () => {
    const a = ea();
    const v = x.get(0);
    if (size === 10) {
      m.writeBytes(a, F.f80ToBytes(v));
      x.s[Slot.FPU_SW] &= ~F.C1;
    } else if (size === 8) {
      const r = F.f80ToF64(v, x.rc);
      m.probeWrite(a, 8);
      m.write32(a, Number(r.bits & 0xffffffffn) | 0);
      m.write32(a + 4, Number(r.bits >> 32n) | 0);
      x.report(r.flags);
    } else {
      const r = F.f80ToF32bits(v, x.rc);
      m.write32(a, r.bits | 0);
      x.report(r.flags);
    }
    if (pop) x.pop();
  };
};

const storeInt: ExactCompiler = ({ insn, vm, x, op }) => {
  const dst = memOperand(insn), ea = effectiveAddress(dst, vm), size = dst.size, m = vm.mmu;
  const pop = op !== 'fist', truncate = op === 'fisttp';
  return () => {
    const a = ea();
    const r = F.f80ToInt(x.get(0), truncate ? 3 : x.rc, (size * 8) as 16 | 32 | 64);
    if (size === 2) m.write16(a, Number(BigInt.asUintN(16, r.value)));
    else if (size === 4) m.write32(a, Number(BigInt.asIntN(32, r.value)));
    else {
      const u = BigInt.asUintN(64, r.value);
      m.probeWrite(a, 8);
      m.write32(a, Number(u & 0xffffffffn) | 0);
      m.write32(a + 4, Number(u >> 32n) | 0);
    }
    x.report(r.flags);
    if (pop) x.pop();
  };
};

const EXACT_TABLE: Record<string, ExactCompiler> = {
  fld: load,
  fild: load,
  fst: store,
  fstp: store,
  fist: storeInt,
  fistp: storeInt,
  fisttp: storeInt,
  fscale: ({ x }) => () => {
    const before = x.s[Slot.FPU_SW];
    const a = x.get(0), b = x.get(1);
    if (x.faulted(before)) return x.set(0, F.F80_INDEFINITE);
    const r = F.fscale(a, b, x.control);
    x.report(r.flags);
    x.set(0, r.value);
  },
  // ST(0) becomes the exponent, then the significand is pushed.
  fxtract: ({ x }) => () => {
    const before = x.s[Slot.FPU_SW];
    const a = x.get(0);
    if (x.faulted(before)) {
      x.set(0, F.F80_INDEFINITE);
      x.push(F.F80_INDEFINITE);
      return;
    }
    const r = F.fxtract(a);
    x.report(r.flags);
    x.set(0, r.exponent);
    x.push(r.significand);
  },
  fxch: ({ insn, x }) => {
    const i = insn.operands.find((o) => o.kind === 'st' && o.reg !== 0)?.reg ?? 1;
    return () => {
      const a = x.get(0), b = x.get(i);
      x.set(0, b);
      x.set(i, a);
      x.setCondition(0);
    };
  },
  fchs: ({ x }) => () => {
    const v = x.get(0);
    x.setCondition(0);
    x.set(0, { ...v, sign: v.sign ? 0 : 1 });
  },
  fabs: ({ x }) => () => {
    const v = x.get(0);
    x.setCondition(0);
    x.set(0, { ...v, sign: 0 });
  },
  fsqrt: ({ x }) => unary(x, (v) => F.sqrt(v, x.control)),
  frndint: ({ x }) => unary(x, (v) => F.f80RoundToInt(v, x.rc)),
  fprem: ({ x, op }) => () => {
    const before = x.s[Slot.FPU_SW];
    const a = x.get(0), b = x.get(1);
    if (x.faulted(before)) {
      x.set(0, F.F80_INDEFINITE);
      return;
    }
    const r = op === 'fprem' ? F.fprem(a, b) : F.fprem1(a, b);
    x.s[Slot.FPU_SW] = (x.s[Slot.FPU_SW] & ~CONDITION) | (r.flags & (EXCEPTIONS | CONDITION));
    x.set(0, r.value);
  },
  fxam: ({ x }) => () => examine(x),
  fcmovcc: ({ insn, vm, x }) => {
    const i = insn.operands.find((o) => o.kind === 'st' && o.reg !== 0)?.reg ?? 1;
    const cond = insn.entry.cond, s = vm.cpu.s;
    return () => {
      if (testCondition(s, cond)) x.set(0, x.get(i));
    };
  },
};
EXACT_TABLE.fprem1 = EXACT_TABLE.fprem;
// The constants: the exact values rounded by RC; they raise no flag and clear C1.
for (const op of ['fld1', 'fldz', 'fldpi', 'fldl2e', 'fldl2t', 'fldlg2', 'fldln2'] as const) {
  EXACT_TABLE[op] = ({ x }) => () => {
    x.s[Slot.FPU_SW] &= ~F.C1;
    x.push(F.f80Constant(op, x.rc));
  };
}
for (const op of ['fcom', 'fcomp', 'fcompp', 'fucom', 'fucomp', 'fucompp', 'ficom', 'ficomp', 'ftst']) {
  EXACT_TABLE[op] = ({ insn, vm, x }) => compileCompare(insn, vm, x, op);
}
for (const op of ['fcomi', 'fcomip', 'fucomi', 'fucomip']) {
  EXACT_TABLE[op] = ({ insn, vm, x }) => compileCompareEflags(insn, vm, x, op);
}
for (const name of Object.keys(ARITH)) {
  EXACT_TABLE[`f${name}`] = ({ insn, vm, x }) => compileArith(insn, vm, x, name, false, false);
  EXACT_TABLE[`f${name}p`] = ({ insn, vm, x }) => compileArith(insn, vm, x, name, false, true);
  EXACT_TABLE[`fi${name}`] = ({ insn, vm, x }) => compileArith(insn, vm, x, name, true, false);
}

/** The exact x87's semantics by the decoder's operation names (the rest keep x87.ts's double semantics). */
export const X87_EXACT_SEMANTICS: Readonly<Record<string, (insn: Instruction, vm: Machine) => Exec>> = Object.fromEntries(
  Object.entries(EXACT_TABLE).map(([op, compile]) => [
    op,
    (insn: Instruction, vm: Machine): Exec => compile({ insn, vm, x: new ExactX87(vm), op: insn.entry.op === op ? insn.entry.op : op }),
  ]),
);
