/**
 * The expression-building interface the emitters write against: the subset
 * of Binaryen's module API the translator uses, with Binaryen's argument
 * order and type numbering. Two backends implement it: Binaryen itself
 * (binaryen-backend.ts) and a direct wasm encoder (wasm-builder.ts).
 */

/** An expression of the backend (a Binaryen ExpressionRef, or a wasm-builder node). Opaque to emitters. */
export type Expr = number & { readonly __ir?: never };

/** Value types, numbered as Binaryen numbers them (binaryen.none, .unreachable, .i32, .i64, .f32, .f64). */
export const enum Ty {
  none = 0,
  unreachable = 1,
  i32 = 2,
  i64 = 3,
  f32 = 4,
  f64 = 5,
}

type Unary = (value: Expr) => Expr;
type Binary = (left: Expr, right: Expr) => Expr;

export interface IrI32 {
  const(value: number): Expr;
  load(offset: number, align: number, ptr: Expr): Expr;
  load8_u(offset: number, align: number, ptr: Expr): Expr;
  load16_u(offset: number, align: number, ptr: Expr): Expr;
  store(offset: number, align: number, ptr: Expr, value: Expr): Expr;
  store8(offset: number, align: number, ptr: Expr, value: Expr): Expr;
  store16(offset: number, align: number, ptr: Expr, value: Expr): Expr;
  add: Binary; sub: Binary; mul: Binary; and: Binary; or: Binary; xor: Binary;
  shl: Binary; shr_u: Binary; shr_s: Binary; rotl: Binary; rotr: Binary;
  eq: Binary; ne: Binary; lt_s: Binary; lt_u: Binary; le_s: Binary; le_u: Binary;
  gt_s: Binary; gt_u: Binary; ge_s: Binary; ge_u: Binary;
  eqz: Unary; clz: Unary; ctz: Unary; popcnt: Unary; wrap: Unary; extend8_s: Unary; extend16_s: Unary;
  readonly trunc_s: { f64: Unary };
}

export interface IrI64 {
  const(value: bigint): Expr;
  mul: Binary; add: Binary; sub: Binary; shl: Binary; shr_u: Binary; or: Binary; and: Binary; xor: Binary; ne: Binary; eq: Binary;
  lt_u: Binary;
  div_s: Binary; div_u: Binary; rem_s: Binary; rem_u: Binary;
  extend_s: Unary; extend_u: Unary;
  load(offset: number, align: number, ptr: Expr): Expr;
  store(offset: number, align: number, ptr: Expr, value: Expr): Expr;
  readonly trunc_s: { f64: Unary };
}

/** The x87's arithmetic in translated code (registers are doubles, see runtime/interp/x87.ts). */
export interface IrF64 {
  const(value: number): Expr;
  load(offset: number, align: number, ptr: Expr): Expr;
  store(offset: number, align: number, ptr: Expr, value: Expr): Expr;
  add: Binary; sub: Binary; mul: Binary; div: Binary;
  eq: Binary; ne: Binary; lt: Binary; gt: Binary; le: Binary; ge: Binary;
  abs: Unary; neg: Unary; sqrt: Unary; nearest: Unary; trunc: Unary; floor: Unary; ceil: Unary; promote: Unary; reinterpret: Unary;
  readonly convert_s: { i32: Unary; i64: Unary };
}

export interface IrF32 {
  load(offset: number, align: number, ptr: Expr): Expr;
  store(offset: number, align: number, ptr: Expr, value: Expr): Expr;
  demote: Unary;
}

export interface IrBuilder {
  readonly i32: IrI32;
  readonly i64: IrI64;
  readonly f64: IrF64;
  readonly f32: IrF32;
  readonly local: { get(index: number, type: Ty): Expr; set(index: number, value: Expr): Expr };
  readonly global: { get(name: string, type: Ty): Expr };
  block(label: string | null, children: Expr[], type?: Ty): Expr;
  loop(label: string, body: Expr): Expr;
  if(condition: Expr, ifTrue: Expr, ifFalse?: Expr): Expr;
  br(label: string, condition?: Expr): Expr;
  switch(labels: string[], defaultLabel: string, condition: Expr): Expr;
  call(name: string, operands: Expr[], result: Ty): Expr;
  return_call(name: string, operands: Expr[], result: Ty): Expr;
  return_call_indirect(table: string, target: Expr, operands: Expr[], params: Ty, results: Ty): Expr;
  return(value?: Expr): Expr;
  select(condition: Expr, ifTrue: Expr, ifFalse: Expr): Expr;
  /** Bulk memory on the (only) memory: memory.copy has memmove semantics. */
  readonly memory: { copy(dest: Expr, source: Expr, size: Expr): Expr; fill(dest: Expr, value: Expr, size: Expr): Expr };
  nop(): Expr;
  unreachable(): Expr;
}

/** Module-level assembly around the expressions: imports, functions, exports, the binary. */
export interface IrModule {
  readonly ir: IrBuilder;
  /** The VM's memory, `pages` long and fixed; `shared` when it is a shared memory (GuestMemory.linear). */
  importMemory(module: string, base: string, pages: number, shared?: boolean): void;
  importTable(name: string, module: string, base: string): void;
  importGlobal(name: string, module: string, base: string, type: Ty): void;
  importFunction(name: string, module: string, base: string, params: Ty[], result: Ty): void;
  addFunction(name: string, params: Ty[], result: Ty, vars: Ty[], body: Expr): void;
  exportFunction(name: string): void;
  /** The module's binary (Binaryen validates first unless told not to). */
  emitBinary(): Uint8Array<ArrayBuffer>;
  dispose(): void;
}

/** Makes an empty module of a backend. */
export type IrModuleFactory = () => IrModule;

/**
 * Which backend builds the translator's modules: 'direct' (wasm-builder.ts)
 * or a factory, such as binaryenCodegen from binaryen-backend.ts (imported
 * only by those who want it: loading Binaryen takes about a second).
 */
export type Codegen = 'direct' | IrModuleFactory;
