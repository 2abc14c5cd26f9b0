/**
 * x86 instruction decoder for 16-bit and 32-bit code.
 *
 * The dispatch is derived from the ISA table at module load: for every
 * (opcode map, opcode) a flat array of cells indexed by
 * [mandatory-prefix class][ModRM byte] holds the compiled row that applies.
 * Nothing else is mutable module state.
 *
 * Decoding follows the rules of a real IA-32 CPU (and of iced-x86, which the
 * tests compare against):
 *  - any number of prefixes, in any order, up to the 15-byte limit; the last
 *    segment override wins; 66/67 toggle the operand/address size;
 *  - for opcodes with SSE-style rows the mandatory prefix is the last F2/F3,
 *    else 66, else none;
 *  - LOCK is #UD unless the row is lockable and its destination is memory;
 *  - MOV Sreg with reg 6/7, MOV to CS and CR1/CR5-7 are #UD.
 */

import { ISA_TABLE } from './isa-table.js';
import { Prefix, Seg } from './types.js';
import type { DecodeResult, Instruction, IsaEntry, Operand, OperandKind } from './types.js';

// ---------------------------------------------------------------------------
// Compiled operand specs

const enum K {
  E, // ModRM r/m, general register or memory
  G, // ModRM reg, general register
  M, // ModRM memory only
  R, // ModRM r/m, general register only
  I, // immediate, zero-extended
  IS, // imm8 sign-extended
  J, // relative branch
  O, // moffs
  A, // far pointer immediate
  S, // ModRM reg as segment register
  C, // control register
  D, // debug register
  X, // DS:eSI
  Y, // ES:eDI
  P, // ModRM reg MMX
  Q, // ModRM r/m MMX or memory
  N, // ModRM r/m MMX only
  V, // ModRM reg XMM
  W, // ModRM r/m XMM or memory
  U, // ModRM r/m XMM only
  FIXREG, // fixed general register
  FIXSREG, // fixed segment register
  ONE, // the constant 1
  ST0, // ST(0)
  STI, // ST(rm)
}

// Special size codes (positive sizes are byte counts).
const SZ_V = -1; // operand size
const SZ_VW = -2; // register: operand size, memory: 2
const SZ_DW = -3; // register: 4, memory: 2
const SZ_P = -4; // far pointer: operand size + 2
const SZ_A = -5; // BOUND pair: 2 * operand size
const SZ_ENV = -6; // FPU environment: 14 / 28
const SZ_STATE = -7; // FSAVE area: 94 / 108

interface OpSpec {
  k: K;
  size: number;
  /** Fixed register number for FIXREG/FIXSREG. */
  fixed: number;
  /** For S: first operand (a MOV to Sreg destination may not be CS). */
  dest: boolean;
}

interface Compiled {
  entry: IsaEntry;
  ops: OpSpec[];
  /** Has an operand that can be a memory reference (decode SIB/disp when mod != 3). */
  hasMem: boolean;
  mnemonic16: string;
  /** JECXZ: the mnemonic follows the address size. */
  mnemonicByAddr: boolean;
}

const SIZES: Record<string, number> = {
  '': 0, b: 1, w: 2, d: 4, q: 8, dq: 16, ps: 16, pd: 16, ss: 4, sd: 8, v: SZ_V, z: SZ_V, vw: SZ_VW,
  dw: SZ_DW, p: SZ_P, a: SZ_A, s: 6, f32: 4, f64: 8, f80: 10, i16: 2, i32: 4, i64: 8, bcd: 10, env: SZ_ENV,
  state: SZ_STATE, fx: 512,
};
const KINDS: Record<string, K> = {
  E: K.E, G: K.G, M: K.M, R: K.R, I: K.I, J: K.J, O: K.O, A: K.A, S: K.S, C: K.C, D: K.D, X: K.X,
  Y: K.Y, P: K.P, Q: K.Q, N: K.N, V: K.V, W: K.W, U: K.U,
};
const FIXED: Record<string, [K, number, number]> = {
  AL: [K.FIXREG, 1, 0], CL: [K.FIXREG, 1, 1], DL: [K.FIXREG, 1, 2], BL: [K.FIXREG, 1, 3],
  AH: [K.FIXREG, 1, 4], CH: [K.FIXREG, 1, 5], DH: [K.FIXREG, 1, 6], BH: [K.FIXREG, 1, 7],
  AX: [K.FIXREG, 2, 0], DX: [K.FIXREG, 2, 2],
  eAX: [K.FIXREG, SZ_V, 0], eCX: [K.FIXREG, SZ_V, 1], eDX: [K.FIXREG, SZ_V, 2], eBX: [K.FIXREG, SZ_V, 3],
  eSP: [K.FIXREG, SZ_V, 4], eBP: [K.FIXREG, SZ_V, 5], eSI: [K.FIXREG, SZ_V, 6], eDI: [K.FIXREG, SZ_V, 7],
  ES: [K.FIXSREG, 2, Seg.ES], CS: [K.FIXSREG, 2, Seg.CS], SS: [K.FIXSREG, 2, Seg.SS],
  DS: [K.FIXSREG, 2, Seg.DS], FS: [K.FIXSREG, 2, Seg.FS], GS: [K.FIXSREG, 2, Seg.GS],
  '1': [K.ONE, 1, 1], ST: [K.ST0, 10, 0], STi: [K.STI, 10, 0],
};

function compileOperand(spec: string, index: number): OpSpec {
  const fixed = FIXED[spec];
  if (fixed) return { k: fixed[0], size: fixed[1], fixed: fixed[2], dest: index === 0 };
  if (spec === 'Ibs') return { k: K.IS, size: 1, fixed: 0, dest: false };
  const k = KINDS[spec[0]];
  const size = SIZES[spec.slice(1)];
  if (k === undefined || size === undefined) throw new Error(`isa-table: unknown operand spec '${spec}'`);
  return { k, size, fixed: 0, dest: index === 0 };
}

function compile(entry: IsaEntry): Compiled {
  const ops = entry.operands.map(compileOperand);
  return {
    entry,
    ops,
    hasMem: ops.some((o) => o.k === K.E || o.k === K.M || o.k === K.Q || o.k === K.W),
    mnemonic16: entry.mnemonic16 ?? entry.mnemonic,
    mnemonicByAddr: entry.op === 'jcxz',
  };
}

// ---------------------------------------------------------------------------
// Dispatch tables, built once from ISA_TABLE

const MAP_INDEX: Record<number, number> = { 0: 0, 0x0f: 1, 0x0f38: 2, 0x0f3a: 3 };

/** Per opcode slot (map * 256 + opcode): bit 0 = has rows, bit 1 = has ModRM, bit 2 = prefix-selected. */
const OPCODE_FLAGS = new Uint8Array(4 * 256);
const F_USED = 1;
const F_MODRM = 2;
const F_PREFIX = 4;
/** Per opcode slot: cells indexed by (prefix class * 256 when prefix-selected) + (ModRM when present). */
const CELLS: (Compiled | undefined)[][] = [];

function prefixClass(mandatory: number): number {
  switch (mandatory) {
    case 0x100: return 0;
    case 0x66: return 1;
    case 0xf3: return 2;
    case 0xf2: return 3;
    default: throw new Error(`isa-table: bad mandatory prefix ${mandatory}`);
  }
}

function rowMatchesModrm(e: IsaEntry, modrm: number): boolean {
  const mod = modrm >> 6;
  if (e.modForm === 'mem' && mod === 3) return false;
  if (e.modForm === 'reg' && mod !== 3) return false;
  if (e.ext >= 0 && ((modrm >> 3) & 7) !== e.ext) return false;
  if (e.rm >= 0 && (modrm & 7) !== e.rm) return false;
  return true;
}

function describe(e: IsaEntry): string {
  return `${e.mnemonic} ${e.operands.join(',')} (map ${e.map.toString(16)} op ${e.opcode.toString(16)})`;
}

function buildTables(): void {
  const byOpcode: IsaEntry[][] = [];
  for (let i = 0; i < 1024; i++) byOpcode.push([]);
  for (const e of ISA_TABLE) {
    const m = MAP_INDEX[e.map];
    if (m === undefined) throw new Error(`isa-table: bad map in ${describe(e)}`);
    byOpcode[m * 256 + e.opcode].push(e);
  }
  for (let slot = 0; slot < 1024; slot++) {
    const rows = byOpcode[slot];
    CELLS.push([]);
    if (rows.length === 0) continue;
    const modrm = rows[0].modrm;
    if (rows.some((r) => r.modrm !== modrm)) throw new Error(`isa-table: mixed ModRM rows at slot ${slot}`);
    const prefixed = rows.some((r) => r.mandatory !== 0);
    OPCODE_FLAGS[slot] = F_USED | (modrm ? F_MODRM : 0) | (prefixed ? F_PREFIX : 0);
    const width = modrm ? 256 : 1;
    const cells: (Compiled | undefined)[] = new Array((prefixed ? 4 : 1) * width).fill(undefined);
    for (const e of rows) {
      const c = compile(e);
      const classes = e.mandatory === 0 ? (prefixed ? [0, 1, 2, 3] : [0]) : [prefixClass(e.mandatory)];
      for (const cls of classes) {
        for (let m = 0; m < width; m++) {
          if (modrm && !rowMatchesModrm(e, m)) continue;
          const i = cls * width + m;
          const old = cells[i];
          if (old) {
            // A row with a mandatory prefix overrides a prefix-agnostic one (F3 90 PAUSE over NOP).
            if (old.entry.mandatory === 0 && e.mandatory !== 0) cells[i] = c;
            else if (!(old.entry.mandatory !== 0 && e.mandatory === 0)) {
              throw new Error(`isa-table: ${describe(e)} overlaps ${describe(old.entry)}`);
            }
          } else cells[i] = c;
        }
      }
    }
    CELLS[slot] = cells;
  }
}
buildTables();

// ---------------------------------------------------------------------------
// Operand construction

function operand(kind: OperandKind, size: number, reg: number): Operand {
  return { kind, size, reg, value: 0, selector: 0, seg: Seg.DS, base: -1, index: -1, scale: 0, disp: 0, addrSize: 0 };
}

function memOperand(size: number, seg: Seg, base: number, index: number, scale: number, disp: number, addrSize: number): Operand {
  return { kind: 'mem', size, reg: 0, value: 0, selector: 0, seg, base, index, scale, disp, addrSize };
}

/** 16-bit ModRM r/m → base / index registers (BX+SI, BX+DI, BP+SI, BP+DI, SI, DI, BP, BX). */
const RM16_BASE = [3, 3, 5, 5, 6, 7, 5, 3];
const RM16_INDEX = [6, 7, 6, 7, -1, -1, -1, -1];

function fail(reason: 'invalid' | 'truncated' | 'too-long', length: number): DecodeResult {
  return { ok: false, reason, length };
}

/** Result for needing `end` bytes when only `max` may be read. */
function short(end: number): DecodeResult {
  return end > 15 ? fail('too-long', 15) : fail('truncated', end);
}

/**
 * Decode one instruction.
 * @param bytes memory holding the code
 * @param offset index in `bytes` of the first byte of the instruction
 * @param available how many bytes from `offset` may be read
 * @param eip the EIP (CS offset) of the first byte, used for relative targets
 * @param defaultSize the code segment's default operand/address size (D bit): 2 or 4
 */
export function decode(bytes: Uint8Array, offset: number, available: number, eip: number, defaultSize: 2 | 4): DecodeResult {
  const max = available < 15 ? available : 15;
  let p = 0;
  let b = 0;
  let opSize: number = defaultSize;
  let addrSize: number = defaultSize;
  let prefixes = 0;
  let segOverride = -1;
  let rep = 0;
  let cls = 0; // mandatory-prefix class: 0 none, 1 66, 2 F3, 3 F2

  // ---- prefixes
  for (;;) {
    if (p >= max) return short(p + 1);
    b = bytes[offset + p++];
    switch (b) {
      case 0x26: segOverride = Seg.ES; prefixes |= Prefix.SEG; continue;
      case 0x2e: segOverride = Seg.CS; prefixes |= Prefix.SEG; continue;
      case 0x36: segOverride = Seg.SS; prefixes |= Prefix.SEG; continue;
      case 0x3e: segOverride = Seg.DS; prefixes |= Prefix.SEG; continue;
      case 0x64: segOverride = Seg.FS; prefixes |= Prefix.SEG; continue;
      case 0x65: segOverride = Seg.GS; prefixes |= Prefix.SEG; continue;
      case 0x66: opSize = defaultSize ^ 6; prefixes |= Prefix.OPSIZE; if (cls === 0) cls = 1; continue;
      case 0x67: addrSize = defaultSize ^ 6; prefixes |= Prefix.ADSIZE; continue;
      case 0xf0: prefixes |= Prefix.LOCK; continue;
      case 0xf2: prefixes |= Prefix.REPNE; rep = 2; cls = 3; continue;
      case 0xf3: prefixes |= Prefix.REP; rep = 1; cls = 2; continue;
    }
    break;
  }

  // ---- opcode
  let slot = b;
  if (b === 0x0f) {
    if (p >= max) return short(p + 1);
    b = bytes[offset + p++];
    slot = 256 + b;
    if (b === 0x38 || b === 0x3a) {
      const base = b === 0x38 ? 512 : 768;
      if (p >= max) return short(p + 1);
      b = bytes[offset + p++];
      slot = base + b;
    }
  }
  const flags = OPCODE_FLAGS[slot];
  if (flags === 0) return fail('invalid', p);

  let modrm = -1;
  let mod = -1;
  let regField = -1;
  let rmField = -1;
  let cellIndex = flags & F_PREFIX ? cls : 0;
  if (flags & F_MODRM) {
    if (p >= max) return short(p + 1);
    modrm = bytes[offset + p++];
    mod = modrm >> 6;
    regField = (modrm >> 3) & 7;
    rmField = modrm & 7;
    cellIndex = cellIndex * 256 + modrm;
  }
  const c = CELLS[slot][cellIndex];
  if (c === undefined) return fail('invalid', p);
  const entry = c.entry;
  if (prefixes & Prefix.LOCK && (!entry.lockable || mod === 3)) return fail('invalid', p);

  // ---- memory reference (ModRM, SIB, displacement)
  let mSeg = Seg.DS;
  let mBase = -1;
  let mIndex = -1;
  let mScale = 0;
  let mDisp = 0;
  if (mod !== 3 && c.hasMem) {
    let dispSize = 0;
    if (addrSize === 4) {
      let base = rmField;
      if (rmField === 4) {
        if (p >= max) return short(p + 1);
        const sib = bytes[offset + p++];
        mScale = sib >> 6;
        const index = (sib >> 3) & 7;
        if (index !== 4) mIndex = index;
        base = sib & 7;
        if (base === 5 && mod === 0) {
          base = -1;
          dispSize = 4;
        }
      } else if (rmField === 5 && mod === 0) {
        base = -1;
        dispSize = 4;
      }
      mBase = base;
      if (mod === 1) dispSize = 1;
      else if (mod === 2) dispSize = 4;
      if (base === 4 || base === 5) mSeg = Seg.SS;
    } else {
      if (mod === 0 && rmField === 6) {
        dispSize = 2;
      } else {
        mBase = RM16_BASE[rmField];
        mIndex = RM16_INDEX[rmField];
        if (mBase === 5) mSeg = Seg.SS;
      }
      if (mod === 1) dispSize = 1;
      else if (mod === 2) dispSize = 2;
    }
    if (dispSize) {
      if (p + dispSize > max) return short(p + dispSize);
      const q = offset + p;
      if (dispSize === 1) mDisp = (bytes[q] << 24) >> 24;
      else if (dispSize === 2) mDisp = ((bytes[q] | (bytes[q + 1] << 8)) << 16) >> 16;
      else mDisp = bytes[q] | (bytes[q + 1] << 8) | (bytes[q + 2] << 16) | (bytes[q + 3] << 24);
      p += dispSize;
    }
    if (segOverride >= 0) mSeg = segOverride;
  }

  // ---- operands
  const specs = c.ops;
  const n = specs.length;
  const operands: Operand[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const s = specs[i];
    let size = s.size;
    if (size < 0) {
      switch (size) {
        case SZ_V: size = opSize; break;
        case SZ_VW: size = mod === 3 ? opSize : 2; break;
        case SZ_DW: size = mod === 3 ? 4 : 2; break;
        case SZ_P: size = opSize + 2; break;
        case SZ_A: size = opSize * 2; break;
        case SZ_ENV: size = opSize === 4 ? 28 : 14; break;
        case SZ_STATE: size = opSize === 4 ? 108 : 94; break;
      }
    }
    let o: Operand;
    switch (s.k) {
      case K.E:
      case K.M:
        o = mod === 3 ? operand('reg', size, rmField) : memOperand(size, mSeg, mBase, mIndex, mScale, mDisp, addrSize);
        break;
      case K.R:
        o = operand('reg', size, rmField);
        break;
      case K.G:
        o = operand('reg', size, regField);
        break;
      case K.Q:
        o = mod === 3 ? operand('mmx', size, rmField) : memOperand(size, mSeg, mBase, mIndex, mScale, mDisp, addrSize);
        break;
      case K.W:
        o = mod === 3 ? operand('xmm', size, rmField) : memOperand(size, mSeg, mBase, mIndex, mScale, mDisp, addrSize);
        break;
      case K.P:
        o = operand('mmx', size, regField);
        break;
      case K.N:
        o = operand('mmx', size, rmField);
        break;
      case K.V:
        o = operand('xmm', size, regField);
        break;
      case K.U:
        o = operand('xmm', size, rmField);
        break;
      case K.S:
        if (regField > 5 || (s.dest && regField === Seg.CS)) return fail('invalid', p);
        o = operand('sreg', 2, regField);
        break;
      case K.C:
        if (regField === 1 || regField > 4) return fail('invalid', p);
        o = operand('creg', 4, regField);
        break;
      case K.D:
        o = operand('dreg', 4, regField);
        break;
      case K.FIXREG:
        o = operand('reg', size, s.fixed);
        break;
      case K.FIXSREG:
        o = operand('sreg', 2, s.fixed);
        break;
      case K.ONE:
        o = operand('imm', 1, 0);
        o.value = 1;
        break;
      case K.ST0:
        o = operand('st', 10, 0);
        break;
      case K.STI:
        o = operand('st', 10, rmField);
        break;
      case K.I: {
        if (p + size > max) return short(p + size);
        const q = offset + p;
        o = operand('imm', size, 0);
        if (size === 1) o.value = bytes[q];
        else if (size === 2) o.value = bytes[q] | (bytes[q + 1] << 8);
        else o.value = (bytes[q] | (bytes[q + 1] << 8) | (bytes[q + 2] << 16) | (bytes[q + 3] << 24)) >>> 0;
        p += size;
        break;
      }
      case K.IS: {
        if (p + 1 > max) return short(p + 1);
        const v = (bytes[offset + p] << 24) >> 24;
        p += 1;
        o = operand('imm', opSize, 0);
        o.value = opSize === 2 ? v & 0xffff : v >>> 0;
        break;
      }
      case K.J: {
        const len = size === 1 ? 1 : opSize;
        if (p + len > max) return short(p + len);
        const q = offset + p;
        let rel: number;
        if (len === 1) rel = (bytes[q] << 24) >> 24;
        else if (len === 2) rel = ((bytes[q] | (bytes[q + 1] << 8)) << 16) >> 16;
        else rel = bytes[q] | (bytes[q + 1] << 8) | (bytes[q + 2] << 16) | (bytes[q + 3] << 24);
        p += len;
        o = operand('rel', opSize, 0);
        const target = eip + p + rel;
        o.value = opSize === 2 ? target & 0xffff : target >>> 0;
        break;
      }
      case K.O: {
        if (p + addrSize > max) return short(p + addrSize);
        const q = offset + p;
        const disp =
          addrSize === 2 ? bytes[q] | (bytes[q + 1] << 8) : bytes[q] | (bytes[q + 1] << 8) | (bytes[q + 2] << 16) | (bytes[q + 3] << 24);
        p += addrSize;
        o = memOperand(size, segOverride >= 0 ? segOverride : Seg.DS, -1, -1, 0, disp, addrSize);
        break;
      }
      case K.A: {
        const len = opSize + 2;
        if (p + len > max) return short(p + len);
        const q = offset + p;
        o = operand('far', opSize, 0);
        if (opSize === 2) {
          o.value = bytes[q] | (bytes[q + 1] << 8);
          o.selector = bytes[q + 2] | (bytes[q + 3] << 8);
        } else {
          o.value = (bytes[q] | (bytes[q + 1] << 8) | (bytes[q + 2] << 16) | (bytes[q + 3] << 24)) >>> 0;
          o.selector = bytes[q + 4] | (bytes[q + 5] << 8);
        }
        p += len;
        break;
      }
      case K.X:
        o = memOperand(size, segOverride >= 0 ? segOverride : Seg.DS, 6, -1, 0, 0, addrSize);
        break;
      case K.Y:
        o = memOperand(size, Seg.ES, 7, -1, 0, 0, addrSize);
        break;
      default:
        throw new Error('decoder: unhandled operand kind');
    }
    operands[i] = o;
  }

  const insn: Instruction = {
    eip,
    length: p,
    entry,
    mnemonic: (c.mnemonicByAddr ? addrSize : opSize) === 2 ? c.mnemonic16 : entry.mnemonic,
    opSize,
    addrSize,
    prefixes,
    segOverride,
    rep,
    operands,
    mod,
    regField,
    rm: rmField,
  };
  return { ok: true, insn };
}
