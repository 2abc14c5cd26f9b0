import { Expr, IrBuilder, Ty } from './ir.js';
import { WasmModule } from './wasm-builder.js';

const I32 = Ty.i32;
const NONE = Ty.none;

/**
 * EFLAGS from the lazy record, in wasm, for translated code that reads
 * flags it cannot derive statically: the same formulas as
 * runtime/flags.ts (readFlags, testCondition), one small module per VM
 * that every region imports.
 */
function buildFlagFunctions(m: IrBuilder): { flags: Expr; cond: Expr } {
  const c = (v: number) => m.i32.const(v);
  const get = (i: number) => () => m.local.get(i, I32);
  const set = (i: number, v: Expr) => m.local.set(i, v);
  const or = (a: Expr, b: Expr) => m.i32.or(a, b);
  const and = (a: Expr, b: Expr) => m.i32.and(a, b);
  const xor = (a: Expr, b: Expr) => m.i32.xor(a, b);
  const shr = (a: Expr, b: Expr) => m.i32.shr_u(a, b);
  const shl = (a: Expr, b: Expr) => m.i32.shl(a, b);
  const not = (a: Expr) => xor(a, c(-1));

  // flags(lop, dst, src, res, flags) -> EFLAGS; locals op, sh, f, lazy.
  const [lop, dst, src, res, fl, op, sh, f, lazy] = [0, 1, 2, 3, 4, 5, 6, 7, 8].map(get);
  const orF = (v: Expr) => set(7, or(f(), v));
  /** Bit `sh` of `v` as 0/1. */
  const top = (v: Expr) => and(shr(v, sh()), c(1));
  const opIs = (k: number) => m.i32.eq(op(), c(k));
  const flags = m.block(null, [
    m.if(m.i32.eqz(lop()), m.return(fl())),
    set(5, and(lop(), c(255))),
    set(6, m.i32.sub(shr(lop(), c(8)), c(1))),
    // ZF: the result's low (sh+1) bits are zero; SF; PF of the low byte.
    set(7, shl(m.i32.eqz(shl(res(), m.i32.sub(c(31), sh()))), c(6))),
    orF(shl(top(res()), c(7))),
    orF(shl(xor(and(m.i32.popcnt(and(res(), c(255))), c(1)), c(1)), c(2))),
    set(8, c(0x8d5)),
    // ADD (1) / ADC-like (4): AF, OF, and CF for ADD (the other leaves CF as it was).
    m.if(or(opIs(1), opIs(4)), m.block(null, [
      orF(and(xor(xor(dst(), src()), res()), c(16))),
      orF(shl(top(and(xor(dst(), res()), xor(src(), res()))), c(11))),
      m.if(opIs(1), orF(top(or(and(dst(), src()), and(or(dst(), src()), not(res()))))), set(8, c(0x8d4))),
    ], NONE)),
    // SUB (2) / SBB-like (5).
    m.if(or(opIs(2), opIs(5)), m.block(null, [
      orF(and(xor(xor(dst(), src()), res()), c(16))),
      orF(shl(top(and(xor(dst(), src()), xor(dst(), res()))), c(11))),
      m.if(opIs(2), orF(top(or(and(not(dst()), src()), and(or(not(dst()), src()), res())))), set(8, c(0x8d4))),
    ], NONE)),
    m.if(opIs(6), set(8, c(0xc4))),
    or(and(fl(), not(lazy())), f()),
  ], I32);

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

/** Builds the flag functions' module (once per translator). */
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
