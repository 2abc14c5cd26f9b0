import { Expr, IrBuilder, IrF32, IrF64, IrI32, IrI64, IrModule, Ty } from './ir.js';

/**
 * A direct WebAssembly encoder behind the translator's IR interface.
 * Expressions are small JavaScript objects; emitBinary() walks them once
 * and writes the binary. It exists because Binaryen's JavaScript API costs
 * tens of microseconds per guest instruction (a call into Binaryen's wasm
 * per node, and a binary writer that is slow until V8 has optimised it),
 * which made compilation most of a short program's run. This encoder does
 * no optimisation and no validation of its own: the engine validates when
 * it compiles the module, and the tests compare its output with Binaryen's.
 */

const enum K {
  /** Children, then `op` (1-2 bytes, no immediates). */
  Plain,
  I32Const,
  I64Const,
  F64Const,
  LocalGet,
  LocalSet,
  GlobalGet,
  /** Children, then `op` and a memarg. */
  Memory,
  Block,
  Loop,
  If,
  Br,
  Switch,
  Call,
  ReturnCallIndirect,
}

interface Node {
  k: K;
  /** Result type (Ty numbering). */
  t: Ty;
  op: number;
  c: Node[];
  /** Immediate: constant, local index, memarg offset. */
  n: number;
  /** Memarg alignment (log2), or 1 for a return_call. */
  a: number;
  big?: bigint;
  /** Label (Block, Loop), target (Br), function / global / table name. */
  s?: string | null;
  labels?: string[];
}

const NO_CHILDREN: Node[] = [];

function node(k: K, t: Ty, op: number, c: Node[], n = 0, a = 0, s: string | null = null): Node {
  return { k, t, op, c, n, a, s };
}

const asNode = (e: Expr): Node => e as unknown as Node;
const asExpr = (n: Node): Expr => n as unknown as Expr;
const nodes = (es: Expr[]): Node[] => es as unknown as Node[];

function binary(op: number, t: Ty) {
  return (l: Expr, r: Expr): Expr => asExpr(node(K.Plain, t, op, [asNode(l), asNode(r)]));
}
function unary(op: number, t: Ty) {
  return (v: Expr): Expr => asExpr(node(K.Plain, t, op, [asNode(v)]));
}
function load(op: number, t: Ty = Ty.i32) {
  return (offset: number, align: number, ptr: Expr): Expr =>
    asExpr(node(K.Memory, t, op, [asNode(ptr)], offset, align > 0 ? Math.log2(align) : naturalAlign(op)));
}
function store(op: number) {
  return (offset: number, align: number, ptr: Expr, value: Expr): Expr =>
    asExpr(node(K.Memory, Ty.none, op, [asNode(ptr), asNode(value)], offset, align > 0 ? Math.log2(align) : naturalAlign(op)));
}
function naturalAlign(op: number): number {
  // 8-byte: i64/f64 load and store; 1: load8/store8; 2: load16/store16; else 4.
  if (op === 0x29 || op === 0x2b || op === 0x37 || op === 0x39) return 3;
  return op === 0x2d || op === 0x3a ? 0 : op === 0x2f || op === 0x3b ? 1 : 2;
}

const VALTYPE: Record<number, number> = { [Ty.i32]: 0x7f, [Ty.i64]: 0x7e, [Ty.f32]: 0x7d, [Ty.f64]: 0x7c };

/** Growable byte buffer with LEB128 writers. */
class Bytes {
  buf: Uint8Array<ArrayBuffer>;
  len = 0;

  constructor(capacity = 256) {
    this.buf = new Uint8Array(capacity);
  }

  byte(b: number): void {
    if (this.len === this.buf.length) this.grow(1);
    this.buf[this.len++] = b;
  }

  u32(v: number): void {
    v >>>= 0;
    do {
      let b = v & 0x7f;
      v >>>= 7;
      if (v !== 0) b |= 0x80;
      this.byte(b);
    } while (v !== 0);
  }

  s32(v: number): void {
    v |= 0;
    for (;;) {
      const b = v & 0x7f;
      v >>= 7;
      if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
        this.byte(b);
        return;
      }
      this.byte(b | 0x80);
    }
  }

  s64(v: bigint): void {
    v = BigInt.asIntN(64, v);
    for (;;) {
      const b = Number(v & 0x7fn);
      v >>= 7n;
      if ((v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0)) {
        this.byte(b);
        return;
      }
      this.byte(b | 0x80);
    }
  }

  name(s: string): void {
    this.u32(s.length);
    for (let i = 0; i < s.length; i++) this.byte(s.charCodeAt(i));
  }

  append(other: Bytes): void {
    if (this.len + other.len > this.buf.length) this.grow(other.len);
    this.buf.set(other.buf.subarray(0, other.len), this.len);
    this.len += other.len;
  }

  /** A section or function body: size-prefixed. */
  sized(other: Bytes): void {
    this.u32(other.len);
    this.append(other);
  }

  private grow(extra: number): void {
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + extra));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }
}

interface FunctionDef {
  name: string;
  type: number;
  vars: Ty[];
  body: Node;
}

interface ImportDef {
  module: string;
  base: string;
  /** 0 function, 1 table, 2 memory, 3 global. */
  kind: number;
  type: number;
}

export class WasmModule implements IrModule {
  readonly ir: IrBuilder;
  private readonly types: string[] = [];
  private readonly typeSigs: Array<{ params: Ty[]; result: Ty }> = [];
  private readonly imports: ImportDef[] = [];
  private readonly functionIndex = new Map<string, number>();
  private readonly globalIndex = new Map<string, number>();
  private readonly tableIndex = new Map<string, number>();
  private readonly functions: FunctionDef[] = [];
  private readonly exports: string[] = [];
  private importedFunctions = 0;
  private memoryPages = 0;
  private memoryShared = false;

  constructor() {
    this.ir = BUILDER;
  }

  importMemory(module: string, base: string, pages: number, shared = false): void {
    this.memoryPages = pages;
    this.memoryShared = shared;
    this.imports.push({ module, base, kind: 2, type: 0 });
  }

  importTable(name: string, module: string, base: string): void {
    this.tableIndex.set(name, this.tableIndex.size);
    this.imports.push({ module, base, kind: 1, type: 0 });
  }

  importGlobal(name: string, module: string, base: string, type: Ty): void {
    this.globalIndex.set(name, this.globalIndex.size);
    this.imports.push({ module, base, kind: 3, type });
  }

  importFunction(name: string, module: string, base: string, params: Ty[], result: Ty): void {
    if (this.functions.length > 0) throw new Error('wasm-builder: function imports must come before functions');
    this.functionIndex.set(name, this.importedFunctions++);
    this.imports.push({ module, base, kind: 0, type: this.typeOf(params, result) });
  }

  addFunction(name: string, params: Ty[], result: Ty, vars: Ty[], body: Expr): void {
    this.functionIndex.set(name, this.importedFunctions + this.functions.length);
    this.functions.push({ name, type: this.typeOf(params, result), vars, body: asNode(body) });
  }

  exportFunction(name: string): void {
    this.exports.push(name);
  }

  dispose(): void {}

  emitBinary(): Uint8Array<ArrayBuffer> {
    const out = new Bytes();
    for (const b of [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]) out.byte(b);
    const section = (id: number, fill: (s: Bytes) => void): void => {
      const s = new Bytes();
      fill(s);
      out.byte(id);
      out.sized(s);
    };
    section(1, (s) => {
      s.u32(this.typeSigs.length);
      for (const sig of this.typeSigs) {
        s.byte(0x60);
        s.u32(sig.params.length);
        for (const p of sig.params) s.byte(VALTYPE[p]);
        if (sig.result === Ty.none) s.u32(0);
        else {
          s.u32(1);
          s.byte(VALTYPE[sig.result]);
        }
      }
    });
    section(2, (s) => {
      s.u32(this.imports.length);
      for (const imp of this.imports) {
        s.name(imp.module);
        s.name(imp.base);
        s.byte(imp.kind);
        if (imp.kind === 0) s.u32(imp.type);
        else if (imp.kind === 1) {
          s.byte(0x70); // funcref, no maximum
          s.byte(0x00);
          s.u32(0);
        } else if (imp.kind === 2) {
          s.byte(this.memoryShared ? 0x03 : 0x01); // limits: maximum present, and shared
          s.u32(this.memoryPages);
          s.u32(this.memoryPages);
        } else {
          s.byte(VALTYPE[imp.type]);
          s.byte(0x00); // immutable
        }
      }
    });
    section(3, (s) => {
      s.u32(this.functions.length);
      for (const f of this.functions) s.u32(f.type);
    });
    section(7, (s) => {
      s.u32(this.exports.length);
      for (const name of this.exports) {
        s.name(name);
        s.byte(0x00);
        s.u32(this.lookup(this.functionIndex, name, 'function'));
      }
    });
    section(10, (s) => {
      s.u32(this.functions.length);
      for (const f of this.functions) s.sized(this.encodeFunction(f));
    });
    return out.buf.slice(0, out.len);
  }

  // ---------------------------------------------------------------- encoding

  private encodeFunction(f: FunctionDef): Bytes {
    const b = new Bytes(4096);
    // Locals in runs of one type.
    const runs: Array<[number, Ty]> = [];
    for (const v of f.vars) {
      const last = runs[runs.length - 1];
      if (last && last[1] === v) last[0]++;
      else runs.push([1, v]);
    }
    b.u32(runs.length);
    for (const [count, type] of runs) {
      b.u32(count);
      b.byte(VALTYPE[type]);
    }
    const labels: Array<string | null> = [];
    this.encode(f.body, b, labels);
    b.byte(0x0b);
    return b;
  }

  private depth(labels: Array<string | null>, name: string): number {
    for (let i = labels.length - 1; i >= 0; i--) if (labels[i] === name) return labels.length - 1 - i;
    throw new Error(`wasm-builder: branch to unknown label ${name}`);
  }

  private encode(n: Node, b: Bytes, labels: Array<string | null>): void {
    switch (n.k) {
      case K.Plain:
        for (const c of n.c) this.encode(c, b, labels);
        if (n.op > 0xff) {
          b.byte(n.op >> 8);
          b.byte(n.op & 0xff);
        } else b.byte(n.op);
        // `n` zero immediates follow (the memory indices of memory.copy / memory.fill).
        for (let i = 0; i < n.n; i++) b.byte(0);
        return;
      case K.I32Const:
        b.byte(0x41);
        b.s32(n.n);
        return;
      case K.I64Const:
        b.byte(0x42);
        b.s64(n.big!);
        return;
      case K.F64Const: {
        b.byte(0x44);
        const bits = new DataView(new ArrayBuffer(8));
        bits.setFloat64(0, n.n, true);
        for (let i = 0; i < 8; i++) b.byte(bits.getUint8(i));
        return;
      }
      case K.LocalGet:
        b.byte(0x20);
        b.u32(n.n);
        return;
      case K.LocalSet:
        this.encode(n.c[0], b, labels);
        b.byte(0x21);
        b.u32(n.n);
        return;
      case K.GlobalGet:
        b.byte(0x23);
        b.u32(this.lookup(this.globalIndex, n.s!, 'global'));
        return;
      case K.Memory:
        for (const c of n.c) this.encode(c, b, labels);
        b.byte(n.op);
        b.u32(n.a);
        b.u32(n.n);
        return;
      case K.Block:
        if (n.s === null) {
          // An unnamed block is only a sequence: nothing can branch to its end.
          for (const c of n.c) this.encode(c, b, labels);
          return;
        }
        b.byte(0x02);
        this.blockType(n.t, b);
        labels.push(n.s!);
        for (const c of n.c) this.encode(c, b, labels);
        labels.pop();
        b.byte(0x0b);
        return;
      case K.Loop:
        b.byte(0x03);
        this.blockType(n.t, b);
        labels.push(n.s!);
        this.encode(n.c[0], b, labels);
        labels.pop();
        b.byte(0x0b);
        return;
      case K.If:
        this.encode(n.c[0], b, labels);
        b.byte(0x04);
        this.blockType(n.t, b);
        labels.push(null);
        this.encode(n.c[1], b, labels);
        if (n.c.length > 2) {
          b.byte(0x05);
          this.encode(n.c[2], b, labels);
        }
        labels.pop();
        b.byte(0x0b);
        return;
      case K.Br:
        if (n.c.length > 0) {
          this.encode(n.c[0], b, labels);
          b.byte(0x0d);
        } else b.byte(0x0c);
        b.u32(this.depth(labels, n.s!));
        return;
      case K.Switch:
        this.encode(n.c[0], b, labels);
        b.byte(0x0e);
        b.u32(n.labels!.length);
        for (const l of n.labels!) b.u32(this.depth(labels, l));
        b.u32(this.depth(labels, n.s!));
        return;
      case K.Call:
        for (const c of n.c) this.encode(c, b, labels);
        b.byte(n.a === 1 ? 0x12 : 0x10);
        b.u32(this.lookup(this.functionIndex, n.s!, 'function'));
        return;
      case K.ReturnCallIndirect:
        for (const c of n.c) this.encode(c, b, labels); // operands, then the target
        b.byte(0x13);
        b.u32(this.typeOf([], n.n as Ty));
        b.u32(this.lookup(this.tableIndex, n.s!, 'table'));
        return;
    }
  }

  private blockType(t: Ty, b: Bytes): void {
    b.byte(t === Ty.i32 || t === Ty.i64 || t === Ty.f32 || t === Ty.f64 ? VALTYPE[t] : 0x40);
  }

  private lookup(map: Map<string, number>, name: string, what: string): number {
    const i = map.get(name);
    if (i === undefined) throw new Error(`wasm-builder: unknown ${what} ${name}`);
    return i;
  }

  private typeOf(params: Ty[], result: Ty): number {
    const key = `${params.join(',')}:${result}`;
    let i = this.types.indexOf(key);
    if (i < 0) {
      i = this.types.length;
      this.types.push(key);
      this.typeSigs.push({ params: [...params], result });
    }
    return i;
  }
}

/** The expression half: pure constructors, shared by every module (nodes carry no module state). */
const BUILDER: IrBuilder = Object.freeze(makeBuilder());

function makeBuilder(): IrBuilder {
  const i32: IrI32 = {
    const: (v) => asExpr(node(K.I32Const, Ty.i32, 0, NO_CHILDREN, v | 0)),
    load: load(0x28),
    load8_u: load(0x2d),
    load16_u: load(0x2f),
    store: store(0x36),
    store8: store(0x3a),
    store16: store(0x3b),
    add: binary(0x6a, Ty.i32), sub: binary(0x6b, Ty.i32), mul: binary(0x6c, Ty.i32),
    and: binary(0x71, Ty.i32), or: binary(0x72, Ty.i32), xor: binary(0x73, Ty.i32),
    shl: binary(0x74, Ty.i32), shr_s: binary(0x75, Ty.i32), shr_u: binary(0x76, Ty.i32),
    rotl: binary(0x77, Ty.i32), rotr: binary(0x78, Ty.i32),
    eq: binary(0x46, Ty.i32), ne: binary(0x47, Ty.i32), lt_s: binary(0x48, Ty.i32), lt_u: binary(0x49, Ty.i32),
    gt_s: binary(0x4a, Ty.i32), gt_u: binary(0x4b, Ty.i32), le_s: binary(0x4c, Ty.i32), le_u: binary(0x4d, Ty.i32),
    ge_s: binary(0x4e, Ty.i32), ge_u: binary(0x4f, Ty.i32),
    eqz: unary(0x45, Ty.i32), clz: unary(0x67, Ty.i32), ctz: unary(0x68, Ty.i32), popcnt: unary(0x69, Ty.i32), wrap: unary(0xa7, Ty.i32), extend8_s: unary(0xc0, Ty.i32), extend16_s: unary(0xc1, Ty.i32),
    trunc_s: { f64: unary(0xaa, Ty.i32) },
  };
  const f64: IrF64 = {
    const: (v) => asExpr(node(K.F64Const, Ty.f64, 0, NO_CHILDREN, v)),
    load: load(0x2b, Ty.f64),
    store: store(0x39),
    add: binary(0xa0, Ty.f64), sub: binary(0xa1, Ty.f64), mul: binary(0xa2, Ty.f64), div: binary(0xa3, Ty.f64),
    eq: binary(0x61, Ty.i32), ne: binary(0x62, Ty.i32), lt: binary(0x63, Ty.i32), gt: binary(0x64, Ty.i32),
    le: binary(0x65, Ty.i32), ge: binary(0x66, Ty.i32),
    abs: unary(0x99, Ty.f64), neg: unary(0x9a, Ty.f64), ceil: unary(0x9b, Ty.f64), floor: unary(0x9c, Ty.f64),
    trunc: unary(0x9d, Ty.f64), nearest: unary(0x9e, Ty.f64), sqrt: unary(0x9f, Ty.f64), promote: unary(0xbb, Ty.f64),
    reinterpret: unary(0xbf, Ty.f64),
    convert_s: { i32: unary(0xb7, Ty.f64), i64: unary(0xb9, Ty.f64) },
  };
  const f32: IrF32 = { load: load(0x2a, Ty.f32), store: store(0x38), demote: unary(0xb6, Ty.f32) };
  const i64: IrI64 = {
    const: (v) => {
      const n = node(K.I64Const, Ty.i64, 0, NO_CHILDREN);
      n.big = v;
      return asExpr(n);
    },
    mul: binary(0x7e, Ty.i64), shl: binary(0x86, Ty.i64), shr_u: binary(0x88, Ty.i64), or: binary(0x84, Ty.i64),
    and: binary(0x83, Ty.i64), xor: binary(0x85, Ty.i64), add: binary(0x7c, Ty.i64), sub: binary(0x7d, Ty.i64),
    ne: binary(0x52, Ty.i32), eq: binary(0x51, Ty.i32), lt_u: binary(0x54, Ty.i32),
    div_s: binary(0x7f, Ty.i64), div_u: binary(0x80, Ty.i64), rem_s: binary(0x81, Ty.i64), rem_u: binary(0x82, Ty.i64),
    extend_s: unary(0xac, Ty.i64), extend_u: unary(0xad, Ty.i64),
    load: load(0x29, Ty.i64),
    store: store(0x37),
    trunc_s: { f64: unary(0xb0, Ty.i64) },
  };
  return {
    i32,
    i64,
    f64,
    f32,
    local: {
      get: (index, type) => asExpr(node(K.LocalGet, type, 0, NO_CHILDREN, index)),
      set: (index, value) => asExpr(node(K.LocalSet, Ty.none, 0, [asNode(value)], index)),
    },
    global: { get: (name, type) => asExpr(node(K.GlobalGet, type, 0, NO_CHILDREN, 0, 0, name)) },
    block: (label, children, type) => {
      const c = nodes(children);
      const t = type ?? (c.length > 0 ? c[c.length - 1].t : Ty.none);
      return asExpr(node(K.Block, t, 0, c, 0, 0, label));
    },
    loop: (label, body) => asExpr(node(K.Loop, asNode(body).t === Ty.unreachable ? Ty.none : asNode(body).t, 0, [asNode(body)], 0, 0, label)),
    if: (condition, ifTrue, ifFalse) => {
      const t = asNode(ifTrue), f = ifFalse === undefined ? undefined : asNode(ifFalse);
      let type = Ty.none;
      if (f) type = t.t === Ty.unreachable ? f.t : t.t;
      if (type === Ty.unreachable) type = Ty.none;
      return asExpr(node(K.If, type, 0, f ? [asNode(condition), t, f] : [asNode(condition), t]));
    },
    br: (label, condition) =>
      asExpr(node(K.Br, condition === undefined ? Ty.unreachable : Ty.none, 0, condition === undefined ? NO_CHILDREN : [asNode(condition)], 0, 0, label)),
    switch: (labels, defaultLabel, condition) => {
      const n = node(K.Switch, Ty.unreachable, 0, [asNode(condition)], 0, 0, defaultLabel);
      n.labels = labels;
      return asExpr(n);
    },
    call: (name, operands, result) => asExpr(node(K.Call, result, 0, nodes(operands), 0, 0, name)),
    return_call: (name, operands) => asExpr(node(K.Call, Ty.unreachable, 0, nodes(operands), 0, 1, name)),
    return_call_indirect: (table, target, operands, params, results) => {
      if (params !== Ty.none) throw new Error('wasm-builder: return_call_indirect with parameters');
      return asExpr(node(K.ReturnCallIndirect, Ty.unreachable, 0, [...nodes(operands), asNode(target)], results, 0, table));
    },
    return: (value) => asExpr(node(K.Plain, Ty.unreachable, 0x0f, value === undefined ? NO_CHILDREN : [asNode(value)])),
    select: (condition, ifTrue, ifFalse) =>
      asExpr(node(K.Plain, asNode(ifTrue).t, 0x1b, [asNode(ifTrue), asNode(ifFalse), asNode(condition)])),
    memory: {
      // 0xfc 0x0a: memory.copy, destination and source memory 0; 0xfc 0x0b: memory.fill, memory 0.
      copy: (dest, source, size) => asExpr(node(K.Plain, Ty.none, 0xfc0a, [asNode(dest), asNode(source), asNode(size)], 2)),
      fill: (dest, value, size) => asExpr(node(K.Plain, Ty.none, 0xfc0b, [asNode(dest), asNode(value), asNode(size)], 1)),
    },
    nop: () => asExpr(node(K.Plain, Ty.none, 0x01, NO_CHILDREN)),
    unreachable: () => asExpr(node(K.Plain, Ty.unreachable, 0x00, NO_CHILDREN)),
  };
}
