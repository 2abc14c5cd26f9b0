import { Expr, IrBuilder, Ty } from './ir.js';
import { WasmModule } from './wasm-builder.js';

const I32 = Ty.i32;
const NONE = Ty.none;

/** Where the EFLAGS formula finds its inputs and keeps its scratch values. */
export interface FlagsFormulaVars {
  lop: () => Expr; dst: () => Expr; src: () => Expr; res: () => Expr; flags: () => Expr;
  /** Scratch i32 locals: operation, sign-bit position, computed flags, lazy-flag mask. */
  op: number; sh: number; f: number; lazy: number;
}

/**
 * EFLAGS from a lazy record whose LOP is not 0, in wasm: statements, then
 * the value. The same formulas as runtime/flags.ts (readFlags); shared by
 * the flag module's function and by translated code that computes flags
 * inline (no call in a region).
 */
/** Short names for the i32 operations the formulas are written with. */
function i32Ops(m: IrBuilder) {
  const xor = (a: Expr, b: Expr) => m.i32.xor(a, b);
  return {
    c: (x: number) => m.i32.const(x),
    get: (i: number) => () => m.local.get(i, I32),
    set: (i: number, x: Expr) => m.local.set(i, x),
    or: (a: Expr, b: Expr) => m.i32.or(a, b),
    and: (a: Expr, b: Expr) => m.i32.and(a, b),
    xor,
    shr: (a: Expr, b: Expr) => m.i32.shr_u(a, b),
    shl: (a: Expr, b: Expr) => m.i32.shl(a, b),
    not: (a: Expr) => xor(a, m.i32.const(-1)),
  };
}

export function flagsFormula(m: IrBuilder, v: FlagsFormulaVars): { statements: Expr[]; value: Expr } {
  const { c, get, set, or, and, xor, shr, shl, not } = i32Ops(m);
  const { lop, dst, src, res, flags: fl } = v;
  const [op, sh, f, lazy] = [v.op, v.sh, v.f, v.lazy].map(get);
  const orF = (x: Expr) => set(v.f, or(f(), x));
  /** Bit `sh` of `x` as 0/1. */
  const top = (x: Expr) => and(shr(x, sh()), c(1));
  const opIs = (k: number) => m.i32.eq(op(), c(k));
  const statements = [
    set(v.op, and(lop(), c(255))),
    set(v.sh, m.i32.sub(shr(lop(), c(8)), c(1))),
    // ZF: the result's low (sh+1) bits are zero; SF; PF of the low byte.
    set(v.f, shl(m.i32.eqz(shl(res(), m.i32.sub(c(31), sh()))), c(6))),
    orF(shl(top(res()), c(7))),
    orF(shl(xor(and(m.i32.popcnt(and(res(), c(255))), c(1)), c(1)), c(2))),
    set(v.lazy, c(0x8d5)),
    // ADD (1) / ADC-like (4): AF, OF, and CF for ADD (the other leaves CF as it was).
    m.if(or(opIs(1), opIs(4)), m.block(null, [
      orF(and(xor(xor(dst(), src()), res()), c(16))),
      orF(shl(top(and(xor(dst(), res()), xor(src(), res()))), c(11))),
      m.if(opIs(1), orF(top(or(and(dst(), src()), and(or(dst(), src()), not(res()))))), set(v.lazy, c(0x8d4))),
    ], NONE)),
    // SUB (2) / SBB-like (5).
    m.if(or(opIs(2), opIs(5)), m.block(null, [
      orF(and(xor(xor(dst(), src()), res()), c(16))),
      orF(shl(top(and(xor(dst(), src()), xor(dst(), res()))), c(11))),
      m.if(opIs(2), orF(top(or(and(not(dst()), src()), and(or(not(dst()), src()), res())))), set(v.lazy, c(0x8d4))),
    ], NONE)),
    m.if(opIs(6), set(v.lazy, c(0xc4))),
  ];
  return { statements, value: or(and(fl(), not(lazy())), f()) };
}

/** Condition code `cc` (0..15) of an EFLAGS value, as 0/1 (testCondition in runtime/flags.ts). */
export function conditionOf(m: IrBuilder, cc: number, eflags: () => Expr): Expr {
  const bit = (n: number) => m.i32.shr_u(eflags(), m.i32.const(n));
  const kinds = [
    () => bit(11), // O
    () => eflags(), // B
    () => bit(6), // Z
    () => m.i32.or(eflags(), bit(6)), // BE
    () => bit(7), // S
    () => bit(2), // P
    () => m.i32.xor(bit(7), bit(11)), // L
    () => m.i32.or(m.i32.xor(bit(7), bit(11)), bit(6)), // LE
  ];
  const value = m.i32.and(kinds[cc >> 1](), m.i32.const(1));
  return cc & 1 ? m.i32.eqz(value) : value;
}

/**
 * The formulas as a module of two functions, flags() and cond(), so tests
 * can run them against runtime/flags.ts (readFlags, testCondition) on many
 * lazy records; translated code inlines the same formulas.
 */
function buildFlagFunctions(m: IrBuilder): { flags: Expr; cond: Expr } {
  const { c, get, set, or, and, xor, shr } = i32Ops(m);

  // flags(lop, dst, src, res, flags) -> EFLAGS; locals op, sh, f, lazy.
  const [lop, dst, src, res, fl] = [0, 1, 2, 3, 4].map(get);
  const formula = flagsFormula(m, { lop, dst, src, res, flags: fl, op: 5, sh: 6, f: 7, lazy: 8 });
  const flags = m.block(null, [m.if(m.i32.eqz(lop()), m.return(fl())), ...formula.statements, formula.value], I32);

  // cond(cc, lop, dst, src, res, flags) -> 0/1; locals f, r, k.
  const [cc, cf, cr, ck] = [0, 6, 7, 8].map(get);
  const setR = (v: Expr) => m.block(null, [set(7, v), m.br('done')], NONE);
  // Nested blocks: br_table to case k lands after block k, where case k's code follows.
  const cases = [
    setR(shr(cf(), c(11))), // O
    setR(cf()), // B
    setR(shr(cf(), c(6))), // Z
    setR(or(cf(), shr(cf(), c(6)))), // BE
    setR(shr(cf(), c(7))), // S
    setR(shr(cf(), c(2))), // P
    setR(xor(shr(cf(), c(7)), shr(cf(), c(11)))), // L
  ];
  const names = ['o', 'b', 'z', 'be', 's', 'p', 'l', 'le'];
  let tree = m.block('o', [m.switch(names, 'le', ck())], NONE);
  for (let k = 0; k < cases.length; k++) tree = m.block(names[k + 1], [tree, cases[k]], NONE);
  const cond = m.block(null, [
    set(6, m.call('flags', [1, 2, 3, 4, 5].map((i) => m.local.get(i, I32)), I32)),
    set(8, shr(cc(), c(1))),
    m.block('done', [tree, set(7, or(xor(shr(cf(), c(7)), shr(cf(), c(11))), shr(cf(), c(6))))], NONE), // LE
    xor(and(cr(), c(1)), and(cc(), c(1))),
  ], I32);
  return { flags, cond };
}

export interface FlagFunctions {
  flags(lop: number, dst: number, src: number, res: number, flags: number): number;
  cond(cc: number, lop: number, dst: number, src: number, res: number, flags: number): number;
}

/** Builds and instantiates the flag functions' module. */
export function instantiateFlagFunctions(): FlagFunctions {
  const mod = new WasmModule();
  const { flags, cond } = buildFlagFunctions(mod.ir);
  mod.addFunction('flags', [I32, I32, I32, I32, I32], I32, [I32, I32, I32, I32], flags);
  mod.addFunction('cond', [I32, I32, I32, I32, I32, I32], I32, [I32, I32, I32], cond);
  mod.exportFunction('flags');
  mod.exportFunction('cond');
  const instance = new WebAssembly.Instance(new WebAssembly.Module(mod.emitBinary()), {});
  return instance.exports as unknown as FlagFunctions;
}
