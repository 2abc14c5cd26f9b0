/**
 * Differential fuzzing of the interpreter against the real CPU: the program
 * generator.
 *
 * A seeded, deterministic generator of freestanding i386 programs (GNU as,
 * AT&T syntax; the instructions under test are emitted as raw `.byte`s) made
 * of many independent cases. Each case
 *   1. fills a 128-byte scratch area (at a fixed address) with random bytes,
 *      loads EFLAGS (random CF PF AF ZF SF OF, IF=1, DF=0) with POPF and all
 *      eight general registers with random "interesting" values; ESP points
 *      into the upper half of the scratch area (a private stack with a
 *      known address, so that reading ESP, pushes and pops are
 *      deterministic), and registers used to address memory point into the
 *      scratch area;
 *   2. runs one instruction, or a short sequence of 2-4, built from rows of
 *      the decoder's ISA table (src/decoder/isa-table.ts);
 *   3. dumps the eight registers, EFLAGS (masked to the bits that are
 *      architecturally defined for the case) and the scratch area.
 *
 * Everything that would make the native result unpredictable is excluded by
 * construction, never by comparison: #DE, results and flags the SDM leaves
 * undefined (masked, or the case is reshaped), memory accesses outside the
 * scratch area, privileged/system/control-flow/x87/SIMD rows, segment loads.
 * In a sequence the generator tracks which registers still hold a known
 * value, which flags are undefined, the direction flag and the stack
 * pointer, so that a later instruction never consumes an undefined value and
 * every value-dependent rule (division, shift counts, string counts, memory
 * addresses) is applied to a value it knows.
 *
 * This module has only type imports: it receives the ISA table as an
 * argument, so that scripts/interp-fuzz.mjs can use it with the built
 * decoder in dist/ and the vitest test with the sources.
 */

import type { IsaEntry } from '../../src/decoder/types.js';

// ---------------------------------------------------------------------------
// Layout of the generated program

/** Address of the section holding the scratch area (a linker --section-start). */
export const SECTION_ADDR = 0x20000000;
/**
 * The scratch area: data operands anywhere in it, the private stack in its
 * upper half. It straddles a page boundary (at offset 64), so that accesses
 * crossing pages are exercised too.
 */
export const SCRATCH = SECTION_ADDR + 0x1000 - 64;
/** Offset of the page boundary within the scratch area. */
const PAGE_OFFSET = 64;
export const SCRATCH_SIZE = 128;
/** Base of the GS segment (set_thread_area): 16-bit addressing reaches the scratch area at GS:0x8000. */
export const GS_BASE = SCRATCH - 0x8000;
/** Bytes of the per-case dump: eax ecx edx ebx esp ebp esi edi, eflags, scratch area. */
export const DUMP_SIZE = 36 + SCRATCH_SIZE;
/** Bytes of the per-case input record: registers, eflags, flag mask, register mask, scratch area. */
export const RECORD_SIZE = 44 + SCRATCH_SIZE;
/** Size of the section holding the scratch area, written out after the last dump (stray writes show there). */
export const SECTION_SIZE = 8192;
/** EFLAGS bits compared (bits 0-21: status, control, system flags a user program can see). */
export const FLAGS_COMPARED = 0x3fffff;

export const REG32 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'];

// EFLAGS bits
const CF = 0x1;
const PF = 0x4;
const AF = 0x10;
const ZF = 0x40;
const SF = 0x80;
const TF = 0x100;
const DF = 0x400;
const OF = 0x800;
const AC = 0x40000;
const OSZAPC = CF | PF | AF | ZF | SF | OF;
/** Flags whose definedness the generator tracks. */
const TRACKED = OSZAPC | DF;

// ---------------------------------------------------------------------------
// Random numbers

/** mulberry32: small, fast, deterministic. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = (seed ^ 0x9e3779b9) >>> 0;
  }
  u32(): number {
    this.s = (this.s + 0x6d2b79f5) | 0;
    let t = Math.imul(this.s ^ (this.s >>> 15), 1 | this.s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** Integer in [0, n). */
  below(n: number): number {
    return Math.floor((this.u32() / 4294967296) * n);
  }
  /** Integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.below(hi - lo + 1);
  }
  chance(p: number): boolean {
    return this.u32() / 4294967296 < p;
  }
  pick<T>(a: readonly T[]): T {
    return a[this.below(a.length)];
  }
}

const I8 = [0x00, 0x01, 0x02, 0x07, 0x08, 0x09, 0x0a, 0x0f, 0x10, 0x1f, 0x20, 0x3f, 0x40, 0x66, 0x7e, 0x7f,
  0x80, 0x81, 0x99, 0x9a, 0xc0, 0xf9, 0xfa, 0xfe, 0xff];
const I16 = [0x0000, 0x0001, 0x0002, 0x000f, 0x0010, 0x007f, 0x0080, 0x00ff, 0x0100, 0x7ffe, 0x7fff, 0x8000, 0x8001,
  0xff00, 0xff7f, 0xff80, 0xfffe, 0xffff];
const I32 = [0x00000000, 0x00000001, 0x00000002, 0x0000001f, 0x00000020, 0x0000007f, 0x00000080, 0x000000ff,
  0x00000100, 0x00007fff, 0x00008000, 0x0000ffff, 0x00010000, 0x7ffffffe, 0x7fffffff, 0x80000000, 0x80000001,
  0xfffffffe, 0xffffffff, 0xffff8000, 0xffffff80, 0xffff0000, 0x55555555, 0xaaaaaaaa, 0x12345678, 0xfedcba98];

/** A random "interesting" value of `size` bytes (unsigned). */
export function randomValue(rng: Rng, size: number): number {
  if (size === 1) return rng.chance(0.6) ? rng.pick(I8) : rng.below(256);
  if (size === 2) {
    switch (rng.below(4)) {
      case 0: return rng.pick(I16);
      case 1: return (rng.pick(I8) << 8) | rng.pick(I8);
      case 2: return rng.chance(0.5) ? rng.below(16) : 0x10000 - 1 - rng.below(16);
      default: return rng.below(0x10000);
    }
  }
  switch (rng.below(6)) {
    case 0: return rng.pick(I32) >>> 0;
    case 1: return rng.chance(0.5) ? rng.below(32) : (0x100000000 - 1 - rng.below(32)) >>> 0;
    case 2: return ((rng.pick(I8) << 24) | (rng.pick(I8) << 16) | (rng.pick(I8) << 8) | rng.pick(I8)) >>> 0;
    case 3: return ((rng.pick(I16) << 16) | rng.pick(I16)) >>> 0;
    case 4: return ((rng.u32() & 0xffff0000) | rng.pick(I16)) >>> 0;
    default: return rng.u32();
  }
}

// ---------------------------------------------------------------------------
// Instructions

export interface RegOperand { kind: 'reg'; size: number; /** encoding number (size 1: 4-7 = AH CH DH BH) */ reg: number; fixed: boolean }
export interface ImmOperand { kind: 'imm'; size: number; /** encoded bits */ value: number; implicit: boolean }
export interface SregOperand { kind: 'sreg'; reg: number; fixed: boolean }
export interface MemOperand {
  kind: 'mem';
  /** bytes accessed (0 for LEA / hint NOPs: no access) */
  size: number;
  a16: boolean;
  mod: number;
  rm: number;
  /** 32-bit register numbers (16-bit addressing: BX=3 BP=5 SI=6 DI=7), -1 none */
  base: number;
  index: number;
  scale: number;
  disp: number;
  /** bytes of displacement (or of the moffs) */
  dispSize: number;
  /** moffs (A0-A3) or implicit string/xlat operand: no ModRM encoding */
  form: 'modrm' | 'moffs' | 'implicit';
  /** no memory access (LEA, hint NOP) */
  noAccess: boolean;
}
export type Operand = RegOperand | ImmOperand | SregOperand | MemOperand;

export interface Insn {
  row: IsaEntry;
  opSize: 2 | 4;
  addrSize: 2 | 4;
  lock: boolean;
  /** segment override prefix byte or 0 */
  seg: number;
  /** 0xf3 / 0xf2 REP prefix of a string instruction, or 0 */
  rep: number;
  /** operands, parallel to row.operands (XLAT: plus its implicit memory operand) */
  ops: Operand[];
  /** ModRM.reg (the row's extension, a G/S operand's register, or free) */
  regField: number;
  /** the encoding (filled in once the operands are placed) */
  bytes: number[];
}

export interface MachineState {
  regs: number[];
  eflags: number;
  mem: Uint8Array;
}

export interface FuzzCase {
  index: number;
  init: MachineState;
  insns: Insn[];
  /** EFLAGS bits compared */
  flagMask: number;
  /** registers whose value is undefined (bit i = register i), zeroed in the dump */
  regMask: number;
  /** when set, the first instruction is placed across a page boundary, with this many bytes on the first page */
  pageSplit?: number;
}

/** Thrown when an instruction cannot be made well-defined in the current state. */
class Reject extends Error {}
function reject(why: string): never {
  throw new Reject(why);
}

// ---------------------------------------------------------------------------
// Which rows are fuzzed

/**
 * The explicit exclusion list. A row matching none of these must be modelled
 * below (MODELS); the test fails for a row that is neither, so new rows of
 * the ISA table are either fuzzed or consciously excluded.
 */
export const EXCLUSIONS: readonly { reason: string; test: (r: IsaEntry) => boolean }[] = [
  { reason: 'x87/MMX/SSE/SSE2/SSE3: not integer instructions', test: (r) => ['x87', 'mmx', 'sse', 'sse2', 'sse3'].includes(r.group) },
  { reason: 'control transfer (jumps, calls, returns, interrupts, LOOP, BOUND): cases are straight-line code', test: (r) => r.group === 'control' || (r.control !== 'none' && r.op !== 'popf') },
  { reason: 'privileged or I/O: #GP at CPL 3 (checked by the unit tests)', test: (r) => r.privileged },
  { reason: 'system group (descriptor tables, LAR/LSL/VERR, ARPL, SMSW, CPUID, RDTSC): host- or kernel-dependent results', test: (r) => r.group === 'system' },
  { reason: 'segment register loads (MOV Sreg, POP Sreg, LDS/LES/LSS/LFS/LGS)', test: (r) => ['mov-to-sreg', 'pop-sreg', 'load-far-ptr'].includes(r.op) },
];

/** Per-row restrictions for behaviour that is host-specific (with the reason). */
interface RowRestriction {
  test: (r: IsaEntry) => boolean;
  /** only the memory form */
  memOnly?: boolean;
  /** no 66 / no 67 prefix */
  no66?: boolean;
  no67?: boolean;
  reason: string;
}

const ROW_RESTRICTIONS: readonly RowRestriction[] = [
  {
    test: (r) => r.map === 0x0f && r.opcode === 0x0d,
    memOnly: true,
    reason: '0F 0D (hint NOP) only with a memory operand: the register form is #UD on AMD hosts (PREFETCH/PREFETCHW space)',
  },
  {
    test: (r) => r.map === 0x0f && (r.opcode === 0x1a || r.opcode === 0x1b),
    no66: true,
    no67: true,
    reason: '0F 1A/1B (hint NOPs) without 66/67 prefixes: MPX-capable Intel hosts decode 66 0F 1A/1B as BNDMOV and fault on a 67 prefix',
  },
];

interface OpModel {
  /** operands (by index) written */
  dst: number[];
  /** implicit registers read / written */
  ir?: number[];
  iw?: number[];
  /** never with a 66 prefix (result undefined or encoding meaningless) */
  no66?: boolean;
}

const D0: OpModel = { dst: [0] };
const NONE: OpModel = { dst: [] };
const ACC: OpModel = { dst: [], ir: [0], iw: [0] };

/** The ops the generator knows, with what they read and write beyond their explicit operands. */
const MODELS: Record<string, OpModel> = {
  add: D0, or: D0, adc: D0, sbb: D0, and: D0, sub: D0, xor: D0, cmp: NONE, test: NONE,
  inc: D0, dec: D0, not: D0, neg: D0,
  xadd: { dst: [0, 1] }, xchg: { dst: [0, 1] },
  cmpxchg: { dst: [0], ir: [0], iw: [0] },
  cmpxchg8b: { dst: [0], ir: [0, 1, 2, 3], iw: [0, 2], no66: true },
  mul: { dst: [], ir: [0], iw: [0, 2] }, imul1: { dst: [], ir: [0], iw: [0, 2] },
  imul: D0,
  div: { dst: [], ir: [0, 2], iw: [0, 2] }, idiv: { dst: [], ir: [0, 2], iw: [0, 2] },
  daa: ACC, das: ACC, aaa: ACC, aas: ACC, aam: ACC, aad: ACC,
  rol: D0, ror: D0, rcl: D0, rcr: D0, shl: D0, shr: D0, sar: D0, shld: D0, shrd: D0,
  bt: NONE, bts: D0, btr: D0, btc: D0, bsf: D0, bsr: D0, popcnt: D0,
  bswap: { dst: [0], no66: true },
  mov: D0, movzx: D0, movsx: D0, lea: D0, setcc: D0, cmovcc: D0, 'mov-from-sreg': D0,
  cbw: ACC, cwd: { dst: [], ir: [0], iw: [2] },
  xlat: { dst: [], ir: [0, 3], iw: [0] },
  sahf: { dst: [], ir: [0] }, lahf: { dst: [], iw: [0] }, salc: { dst: [], iw: [0] },
  clc: NONE, stc: NONE, cmc: NONE, cld: NONE, std: NONE,
  nop: NONE, pause: NONE,
  movs: NONE, cmps: NONE, stos: NONE, lods: NONE, scas: NONE,
  push: NONE, 'push-sreg': NONE, pop: D0, pusha: NONE, popa: NONE, pushf: NONE, popf: NONE,
  enter: NONE, leave: NONE,
};

export interface RowSelection {
  included: IsaEntry[];
  excluded: { row: IsaEntry; reason: string }[];
  /** rows neither excluded nor modelled: a test failure */
  unmodelled: IsaEntry[];
}

export function selectRows(table: readonly IsaEntry[]): RowSelection {
  const out: RowSelection = { included: [], excluded: [], unmodelled: [] };
  for (const row of table) {
    const ex = EXCLUSIONS.find((e) => e.test(row));
    if (ex) out.excluded.push({ row, reason: ex.reason });
    else if (MODELS[row.op]) out.included.push(row);
    else out.unmodelled.push(row);
  }
  return out;
}

export function rowRestrictions(): readonly { reason: string }[] {
  return ROW_RESTRICTIONS;
}

/** One-line name of a row: "add Ev,Gv (01)", "shl Eb,CL (D2 /4)". */
export function rowName(r: IsaEntry): string {
  const hex = (v: number) => v.toString(16).toUpperCase().padStart(2, '0');
  const opc = (r.mandatory > 0 && r.mandatory < 0x100 ? hex(r.mandatory) + ' ' : '') + (r.map === 0x0f ? '0F ' : '') + hex(r.opcode);
  return `${r.mnemonic} ${r.operands.join(',')}`.trim() + ` (${opc}${r.ext >= 0 ? ' /' + r.ext : ''})`;
}

// ---------------------------------------------------------------------------
// Operand specs

const FIXED_REG8 = ['AL', 'CL', 'DL', 'BL', 'AH', 'CH', 'DH', 'BH'];
const FIXED_REGV = ['eAX', 'eCX', 'eDX', 'eBX', 'eSP', 'eBP', 'eSI', 'eDI'];
const FIXED_SREG = ['ES', 'CS', 'SS', 'DS', 'FS', 'GS'];

function sizeLetter(t: string, opSize: number): number {
  switch (t) {
    case 'b': return 1;
    case 'w': return 2;
    case 'd': return 4;
    case 'q': return 8;
    case 'v': case 'z': case 'vw': return opSize;
    default: throw new Error(`operand size '${t}'`);
  }
}

/** True when the row has an operand whose size follows the operand size. */
function usesOperandSize(row: IsaEntry): boolean {
  if (['cbw', 'cwd', 'pusha', 'popa', 'pushf', 'popf', 'enter', 'leave', 'push-sreg'].includes(row.op)) return true;
  return row.operands.some((o) => /^[A-Z]+(v|z|vw|bs)$/.test(o) || FIXED_REGV.includes(o));
}

const MEM_RM_SPEC = /^(E|M)/;

// ---------------------------------------------------------------------------
// The generator's knowledge of the machine state during a case

interface Snapshot {
  regs: number[];
  mem: Uint8Array;
  cur: (number | null)[];
  modified: boolean[];
  frozen: boolean[];
  undefRegs: number;
  undefFlags: number;
  df: number;
  memModified: boolean;
  memFrozen: Uint8Array;
}

class Ctx {
  init: MachineState;
  /** current value of each register when known */
  cur: (number | null)[];
  modified: boolean[] = new Array(8).fill(false);
  frozen: boolean[] = new Array(8).fill(false);
  undefRegs = 0;
  undefFlags = 0;
  df = 0;
  memModified = false;
  memFrozen = new Uint8Array(SCRATCH_SIZE);
  /** generation (may choose free inputs) or check-only mode */
  solve: boolean;
  rng: Rng;

  constructor(init: MachineState, solve: boolean, rng: Rng) {
    this.init = init;
    this.cur = init.regs.slice();
    this.solve = solve;
    this.rng = rng;
    this.df = (init.eflags >>> 10) & 1;
  }

  snapshot(): Snapshot {
    return {
      regs: this.init.regs.slice(), mem: this.init.mem.slice(), cur: this.cur.slice(),
      modified: this.modified.slice(), frozen: this.frozen.slice(), undefRegs: this.undefRegs,
      undefFlags: this.undefFlags, df: this.df, memModified: this.memModified, memFrozen: this.memFrozen.slice(),
    };
  }
  restore(s: Snapshot): void {
    this.init.regs = s.regs.slice();
    this.init.mem = s.mem.slice();
    this.cur = s.cur.slice();
    this.modified = s.modified.slice();
    this.frozen = s.frozen.slice();
    this.undefRegs = s.undefRegs;
    this.undefFlags = s.undefFlags;
    this.df = s.df;
    this.memModified = s.memModified;
    this.memFrozen = s.memFrozen.slice();
  }

  canSet(r: number): boolean {
    return this.solve && !this.modified[r] && !this.frozen[r];
  }
  /** Current value of a register that must be known (and gets frozen: a rule depends on it). */
  use(r: number): number {
    const v = this.cur[r];
    if (v === null) reject(`${REG32[r]} unknown`);
    if (this.undefRegs & (1 << r)) reject(`${REG32[r]} undefined`);
    if (!this.modified[r]) this.frozen[r] = true;
    return v;
  }
  /** Sets bits `mask` of register r (which must be settable) to v. */
  setBits(r: number, mask: number, v: number): void {
    if (!this.canSet(r)) reject(`${REG32[r]} not free`);
    const nv = ((this.init.regs[r] & ~mask) | (v & mask)) >>> 0;
    this.init.regs[r] = nv;
    this.cur[r] = nv;
    this.frozen[r] = true;
  }
  read(r: number): void {
    if (this.undefRegs & (1 << r)) reject(`reads undefined ${REG32[r]}`);
  }
  write(r: number): void {
    this.cur[r] = null;
    this.modified[r] = true;
    this.undefRegs &= ~(1 << r);
  }
  /** Known memory bytes [off, off+n) (the scratch area is known until something writes it). */
  memKnown(): boolean {
    return !this.memModified;
  }
  /** Value of bytes [off, off+n) if known; `freeze` (default): a rule depends on it. */
  memValue(off: number, n: number, freeze = true): number | null {
    if (this.memModified) return null;
    let v = 0;
    for (let i = n - 1; i >= 0; i--) v = v * 256 + this.init.mem[off + i];
    if (freeze) for (let i = 0; i < n; i++) this.memFrozen[off + i] = 1;
    return v;
  }
  memSettable(off: number, n: number): boolean {
    if (!this.solve || this.memModified) return false;
    for (let i = 0; i < n; i++) if (this.memFrozen[off + i]) return false;
    return true;
  }
  setMem(off: number, n: number, v: number): void {
    if (!this.memSettable(off, n)) reject('memory not free');
    for (let i = 0; i < n; i++) {
      this.init.mem[off + i] = v % 256;
      v = Math.floor(v / 256);
      this.memFrozen[off + i] = 1;
    }
  }
  /** Flags update: W written, U of them left undefined; `definite` false when they may be left unchanged. */
  flags(W: number, U: number, definite: boolean): void {
    W &= TRACKED;
    U &= TRACKED;
    this.undefFlags = definite ? (this.undefFlags & ~W) | U : this.undefFlags | U;
  }
  readFlags(R: number): void {
    if (R & TRACKED & this.undefFlags) reject('reads an undefined flag');
  }
}

// Register parts: (32-bit register, shift, mask) of an operand register.
function regPart(reg: number, size: number): { r: number; shift: number; mask: number } {
  if (size === 1) return reg < 4 ? { r: reg, shift: 0, mask: 0xff } : { r: reg - 4, shift: 8, mask: 0xff00 };
  return { r: reg, shift: 0, mask: size === 2 ? 0xffff : 0xffffffff };
}

function sizeMask(size: number): number {
  return size === 4 ? 0xffffffff : size === 2 ? 0xffff : 0xff;
}

/** Value of a register operand if known (freezes what it reads). */
function regValue(ctx: Ctx, reg: number, size: number): number | null {
  const p = regPart(reg, size);
  if (ctx.cur[p.r] === null || ctx.undefRegs & (1 << p.r)) return null;
  return ((ctx.use(p.r) & p.mask) >>> p.shift) >>> 0;
}

function setRegValue(ctx: Ctx, reg: number, size: number, v: number): void {
  const p = regPart(reg, size);
  ctx.setBits(p.r, p.mask, (v << p.shift) >>> 0);
}

function canSetReg(ctx: Ctx, reg: number, size: number): boolean {
  return ctx.canSet(regPart(reg, size).r);
}

// ---------------------------------------------------------------------------
// Memory operands

const A16_BASE = [3, 3, 5, 5, -1, -1, 5, 3]; // BX BX BP BP - - BP BX
const A16_INDEX = [6, 7, 6, 7, 6, 7, -1, -1]; // SI DI SI DI SI DI - -

function randomModrmMem(rng: Rng, a16: boolean): MemOperand {
  const mod = rng.below(3);
  const rm = rng.below(8);
  const m: MemOperand = {
    kind: 'mem', size: 0, a16, mod, rm, base: -1, index: -1, scale: 0, disp: 0, dispSize: 0, form: 'modrm', noAccess: false,
  };
  if (a16) {
    if (mod === 0 && rm === 6) {
      m.dispSize = 2;
    } else {
      m.base = A16_BASE[rm];
      m.index = A16_INDEX[rm];
      m.dispSize = mod === 1 ? 1 : mod === 2 ? 2 : 0;
    }
  } else {
    m.dispSize = mod === 1 ? 1 : mod === 2 ? 4 : 0;
    if (rm === 4) {
      m.scale = rng.below(4);
      const index = rng.below(8);
      m.index = index === 4 ? -1 : index;
      const base = rng.below(8);
      if (base === 5 && mod === 0) m.dispSize = 4;
      else m.base = base;
    } else if (rm === 5 && mod === 0) {
      m.dispSize = 4;
    } else {
      m.base = rm;
    }
  }
  m.disp = m.dispSize === 1 ? rng.below(256) : m.dispSize === 2 ? rng.below(0x10000) : m.dispSize === 4 ? randomValue(rng, 4) : 0;
  return m;
}

function signedDisp(m: MemOperand): number {
  if (m.dispSize === 1) return (m.disp << 24) >> 24;
  if (m.dispSize === 2) return m.a16 ? (m.disp << 16) >> 16 : m.disp;
  return m.disp | 0;
}

function segBase(seg: number): number {
  return seg === 0x65 ? GS_BASE : 0;
}

/**
 * Makes memory operand m address [off, off+size) of the scratch area, where
 * off is returned. In generation mode a free input (a displacement of 16/32
 * bits or an unfrozen base/index register) is solved for a random target;
 * otherwise the current values must already point inside. `extra` is added
 * to the effective address (BT/BTS/BTR/BTC bit-offset displacement).
 */
interface Placement {
  /** added to the effective address before it wraps (XLAT: AL) */
  inner?: number;
  /** added to the linear address (bit-test displacement) */
  extra?: number;
  /** range of scratch offsets allowed for the first byte */
  lo?: number;
  hi?: number;
}

function resolveMem(ctx: Ctx, m: MemOperand, size: number, seg: number, pl: Placement = {}): number {
  const inner = pl.inner ?? 0;
  const extra = pl.extra ?? 0;
  const lo = pl.lo ?? 0;
  const hi = pl.hi ?? SCRATCH_SIZE - size;
  const regs = [m.base, m.index].filter((r) => r >= 0);
  for (const r of regs) {
    if (ctx.cur[r] === null) reject('address register unknown');
    ctx.read(r);
  }
  const wrap = m.a16 ? 0xffff : 0xffffffff;
  const scaleMul = m.a16 ? 1 : 1 << m.scale;
  const compute = () => {
    let ea = signedDisp(m) + inner;
    if (m.base >= 0) ea += ctx.cur[m.base]!;
    if (m.index >= 0) ea += ctx.cur[m.index]! * scaleMul;
    ea = m.a16 ? ea & 0xffff : ea >>> 0;
    return (segBase(seg) + ea + extra - SCRATCH) >>> 0;
  };
  if (ctx.solve) {
    let target = ctx.rng.range(lo, hi);
    // a good share of accesses cross the page boundary in the middle of the scratch area
    const cross = PAGE_OFFSET - ctx.rng.range(1, Math.max(1, size - 1));
    if (size > 1 && cross >= lo && cross <= hi && ctx.rng.chance(0.2)) target = cross;
    // desired effective address (offset in the segment)
    const want = (SCRATCH + target - segBase(seg) - extra) >>> 0;
    if (m.a16 && (want < 0 || want > 0xffff)) reject('16-bit address out of reach');
    const choices: string[] = [];
    if (m.dispSize === 4 || (m.a16 && m.dispSize === 2)) choices.push('disp');
    if (m.base >= 0 && m.base !== m.index && ctx.canSet(m.base)) choices.push('base');
    if (m.index >= 0 && m.index !== m.base && (m.a16 || m.scale === 0) && ctx.canSet(m.index)) choices.push('index');
    if (choices.length) {
      const what = ctx.rng.pick(choices);
      let rest = inner;
      if (what !== 'disp') rest += signedDisp(m);
      if (what !== 'base' && m.base >= 0) rest += ctx.cur[m.base]!;
      if (what !== 'index' && m.index >= 0) rest += ctx.cur[m.index]! * scaleMul;
      const need = (want - rest) & wrap;
      if (what === 'disp') m.disp = need >>> 0;
      else ctx.setBits(what === 'base' ? m.base : m.index, wrap, need >>> 0);
    }
  }
  for (const r of regs) ctx.use(r);
  const off = compute();
  if (off < lo || off > hi) reject('address outside the scratch area');
  return off;
}

/** Registers an address computation reads (for LEA and hint NOPs: no access, no placement). */
function addressRegsRead(ctx: Ctx, m: MemOperand): void {
  for (const r of [m.base, m.index]) if (r >= 0) ctx.read(r);
}

// ---------------------------------------------------------------------------
// Encoding

function encode(insn: Insn): number[] {
  const row = insn.row;
  const b: number[] = [];
  if (insn.lock) b.push(0xf0);
  if (insn.seg) b.push(insn.seg);
  if (insn.addrSize === 2) b.push(0x67);
  if (insn.opSize === 2) b.push(0x66);
  if (insn.rep) b.push(insn.rep);
  if (row.mandatory === 0xf3 && insn.rep !== 0xf3) b.push(0xf3);
  if (row.map === 0x0f) b.push(0x0f);
  b.push(row.opcode);
  const le = (v: number, n: number) => {
    for (let i = 0; i < n; i++) b.push((v >>> (8 * i)) & 0xff);
  };
  if (row.modrm) {
    const rmOp = insn.ops.find((o, i) => MEM_RM_SPEC.test(row.operands[i]) && (o.kind === 'reg' || (o.kind === 'mem' && o.form === 'modrm')));
    if (!rmOp) throw new Error(`no r/m operand for ${rowName(row)}`);
    if (rmOp.kind === 'reg') {
      b.push(0xc0 | (insn.regField << 3) | rmOp.reg);
    } else {
      const m = rmOp as MemOperand;
      b.push((m.mod << 6) | (insn.regField << 3) | m.rm);
      if (!m.a16 && m.rm === 4) {
        const base = m.base < 0 ? 5 : m.base;
        const index = m.index < 0 ? 4 : m.index;
        b.push((m.scale << 6) | (index << 3) | base);
      }
      le(m.disp, m.dispSize);
    }
  }
  for (const o of insn.ops) {
    if (o.kind === 'mem' && o.form === 'moffs') le(o.disp, o.dispSize);
  }
  for (const o of insn.ops) {
    if (o.kind === 'imm' && !o.implicit) le(o.value, o.size);
  }
  return b;
}

// ---------------------------------------------------------------------------
// Instruction generation

/** Options of the instruction generator (probabilities). */
const P = {
  opSize16: 0.35,
  opSize16Ignored: 0.05,
  memForm: 0.45,
  addr16: 0.15,
  addr16Ignored: 0.03,
  segOverride: 0.2,
  lock: 0.3,
  rep: 0.6,
};

function immValue(rng: Rng, row: IsaEntry, spec: string, opSize: number): ImmOperand {
  const op = row.op;
  if (spec === 'Iw') return { kind: 'imm', size: 2, value: op === 'enter' ? rng.pick([0, 0, 1, 2, 4, 7, 8, 12]) : randomValue(rng, 2), implicit: false };
  const size = spec === 'Ib' || spec === 'Ibs' ? 1 : opSize;
  let value = randomValue(rng, size);
  if (size === 1) {
    if (['rol', 'ror', 'rcl', 'rcr', 'shl', 'shr', 'sar', 'shld', 'shrd'].includes(op)) {
      value = rng.chance(0.7) ? rng.pick([0, 1, 1, 2, 3, 4, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33, 63, 0x80, 0xff]) : rng.below(256);
    } else if (op === 'enter') {
      value = rng.chance(0.9) ? rng.pick([0, 0, 1, 1, 2, 3]) : rng.pick([32, 33, 0x41]);
    } else if (op === 'aam') {
      value = rng.chance(0.5) ? 10 : 1 + rng.below(255);
    } else if (op === 'aad' && rng.chance(0.5)) {
      value = 10;
    }
  }
  return { kind: 'imm', size, value: value >>> 0, implicit: false };
}

/** Builds a random encoding of `row` (operands chosen, addresses not yet placed). */
function randomInsn(rng: Rng, row: IsaEntry): Insn {
  const model = MODELS[row.op];
  const op = row.op;
  const isString = row.group === 'string';
  const restriction = ROW_RESTRICTIONS.find((r) => r.test(row));
  let opSize: 2 | 4 = 4;
  if (!model.no66 && !restriction?.no66 && rng.chance(usesOperandSize(row) ? P.opSize16 : P.opSize16Ignored)) opSize = 2;
  const rmIndex = row.operands.findIndex((s) => MEM_RM_SPEC.test(s));
  let memForm = false;
  if (rmIndex >= 0) {
    if (row.modForm === 'mem' || row.operands[rmIndex].startsWith('M') || restriction?.memOnly) memForm = true;
    else if (row.modForm === 'reg') memForm = false;
    else memForm = rng.chance(P.memForm);
  }
  const hasMoffs = row.operands.some((s) => s.startsWith('O'));
  const implicitMem = isString || op === 'xlat';
  const btReg = ['bt', 'bts', 'btr', 'btc'].includes(op) && row.operands[1]?.startsWith('G');
  let addrSize: 2 | 4 = 4;
  if (restriction?.no67) {
    // 32-bit addressing only
  } else if ((memForm && !btReg) || hasMoffs || op === 'lods' || op === 'xlat') {
    if (rng.chance(P.addr16)) addrSize = 2;
  } else if (!memForm && !implicitMem && rng.chance(P.addr16Ignored)) {
    addrSize = 2;
  }
  const touchesMemory = (memForm && op !== 'lea' && op !== 'nop') || hasMoffs || op === 'xlat' || ['movs', 'cmps', 'lods'].includes(op);
  let seg = 0;
  if (touchesMemory) {
    if (addrSize === 2) seg = 0x65;
    else if (rng.chance(P.segOverride)) seg = rng.pick([0x26, 0x36, 0x3e, 0x65, 0x65]);
  } else if (memForm && rng.chance(0.05)) {
    seg = rng.pick([0x26, 0x3e, 0x65]); // ignored by LEA and hint NOPs
  }
  let rep = 0;
  if (isString && rng.chance(P.rep)) rep = op === 'cmps' || op === 'scas' ? rng.pick([0xf3, 0xf2]) : 0xf3;
  const lock = row.lockable && memForm && rng.chance(P.lock);

  const ops: Operand[] = [];
  let regField = row.ext >= 0 ? row.ext : rng.below(8);
  if (op === 'setcc') regField = 0;
  const randomReg = (size: number) => (size === 1 ? rng.below(8) : rng.chance(0.06) ? 4 : rng.pick([0, 1, 2, 3, 5, 6, 7]));
  for (const spec of row.operands) {
    const letter = spec[0];
    if (FIXED_REG8.includes(spec)) {
      ops.push({ kind: 'reg', size: 1, reg: FIXED_REG8.indexOf(spec), fixed: true });
    } else if (FIXED_REGV.includes(spec)) {
      ops.push({ kind: 'reg', size: opSize, reg: FIXED_REGV.indexOf(spec), fixed: true });
    } else if (FIXED_SREG.includes(spec)) {
      ops.push({ kind: 'sreg', reg: FIXED_SREG.indexOf(spec), fixed: true });
    } else if (spec === '1') {
      ops.push({ kind: 'imm', size: 1, value: 1, implicit: true });
    } else if (letter === 'E' || letter === 'M') {
      const t = spec.slice(1);
      if (memForm) {
        const m = randomModrmMem(rng, addrSize === 2);
        m.size = t === '' ? 0 : t === 'vw' ? 2 : sizeLetter(t, opSize);
        m.noAccess = op === 'lea' || op === 'nop';
        ops.push(m);
      } else {
        const size = sizeLetter(t, opSize);
        ops.push({ kind: 'reg', size, reg: randomReg(size), fixed: false });
      }
    } else if (letter === 'G') {
      const size = sizeLetter(spec.slice(1), opSize);
      const reg = randomReg(size);
      regField = reg;
      ops.push({ kind: 'reg', size, reg, fixed: false });
    } else if (spec === 'Sw') {
      const reg = rng.below(6);
      regField = reg;
      ops.push({ kind: 'sreg', reg, fixed: false });
    } else if (letter === 'I') {
      ops.push(immValue(rng, row, spec, opSize));
    } else if (letter === 'O') {
      ops.push({
        kind: 'mem', size: sizeLetter(spec.slice(1), opSize), a16: addrSize === 2, mod: 0, rm: 0, base: -1, index: -1, scale: 0,
        disp: 0, dispSize: addrSize, form: 'moffs', noAccess: false,
      });
    } else if (letter === 'X' || letter === 'Y') {
      const a16 = addrSize === 2;
      ops.push({
        kind: 'mem', size: sizeLetter(spec.slice(1), opSize), a16, mod: 0, rm: 0, base: letter === 'X' ? 6 : 7, index: -1,
        scale: 0, disp: 0, dispSize: 0, form: 'implicit', noAccess: false,
      });
    } else {
      throw new Error(`operand spec ${spec} of ${rowName(row)}`);
    }
  }
  if (op === 'xlat') {
    ops.push({
      kind: 'mem', size: 1, a16: addrSize === 2, mod: 0, rm: 0, base: 3, index: -1, scale: 0, disp: 0, dispSize: 0,
      form: 'implicit', noAccess: false,
    });
  }
  return { row, opSize, addrSize, lock, seg, rep, ops, regField, bytes: [] };
}

// ---------------------------------------------------------------------------
// Semantics needed for well-definedness (applied in generation and check mode)

const SHIFTS = new Set(['rol', 'ror', 'rcl', 'rcr', 'shl', 'shr', 'sar']);

/** Count-dependent flag rules of shifts and rotates (SDM vol. 2, SAL/SAR/SHL/SHR, RCL/RCR/ROL/ROR, SHLD, SHRD). */
function shiftFlags(ctx: Ctx, row: IsaEntry, size: number, count: number | null): void {
  const op = row.op;
  const W = row.flagsWritten;
  const cfRule = (op === 'shl' || op === 'shr') && size < 4;
  if (count === null) {
    // unknown count: any of the possible outcomes, or unchanged flags (count 0)
    let U = row.flagsUndefined | OF;
    if (op === 'shl' || op === 'shr' || op === 'sar' || op === 'shld' || op === 'shrd') U |= AF;
    if (cfRule) U |= CF;
    ctx.flags(W, U, false);
    return;
  }
  const mc = count & 31;
  if (mc === 0) return; // flags unchanged
  let U = row.flagsUndefined;
  if (mc === 1) U &= ~OF;
  else U |= OF;
  if (cfRule && mc >= size * 8) U |= CF;
  ctx.flags(W, U, true);
}

function operandSize(o: Operand): number {
  return o.kind === 'reg' || o.kind === 'imm' || o.kind === 'mem' ? o.size : 2;
}

/** Value of an operand if known (register, memory (at `off`), immediate). */
function operandValue(ctx: Ctx, o: Operand, off: number | undefined): number | null {
  if (o.kind === 'imm') return o.value;
  if (o.kind === 'reg') return regValue(ctx, o.reg, o.size);
  if (o.kind === 'mem' && off !== undefined) return ctx.memValue(off, o.size);
  return null;
}

function canSetOperand(ctx: Ctx, o: Operand, off: number | undefined): boolean {
  if (o.kind === 'reg') return canSetReg(ctx, o.reg, o.size);
  if (o.kind === 'mem' && off !== undefined) return ctx.memSettable(off, o.size);
  return false;
}

function setOperand(ctx: Ctx, o: Operand, off: number | undefined, v: number): void {
  if (o.kind === 'reg') setRegValue(ctx, o.reg, o.size, v);
  else if (o.kind === 'mem' && off !== undefined) ctx.setMem(off, o.size, v);
  else reject('operand not settable');
}

const big = (v: number) => BigInt(v >>> 0);

/** DIV/IDIV: no #DE (divisor 0 or quotient out of range). */
function constrainDivision(ctx: Ctx, insn: Insn, off: number | undefined): void {
  const src = insn.ops[0];
  const s = operandSize(src);
  const signed = insn.row.op === 'idiv';
  const bits = BigInt(8 * s);
  const lowOp: RegOperand = { kind: 'reg', size: s === 1 ? 1 : s, reg: 0, fixed: true }; // AL / AX / EAX
  const highOp: RegOperand = s === 1 ? { kind: 'reg', size: 1, reg: 4, fixed: true } : { kind: 'reg', size: s, reg: 2, fixed: true };
  const mask = (1n << bits) - 1n;
  const toSigned = (v: bigint, b: bigint) => (v >= 1n << (b - 1n) ? v - (1n << b) : v);
  const valid = (): boolean => {
    const lo = operandValue(ctx, lowOp, undefined);
    const hi = operandValue(ctx, highOp, undefined);
    const d = operandValue(ctx, src, off);
    if (lo === null || hi === null || d === null) return false;
    const n = (big(hi) << bits) | big(lo);
    if (!signed) {
      if (d === 0) return false;
      return n / big(d) <= mask;
    }
    const sd = toSigned(big(d), bits);
    if (sd === 0n) return false;
    const sn = toSigned(n, 2n * bits);
    const q = sn / sd;
    return q >= -(1n << (bits - 1n)) && q < 1n << (bits - 1n);
  };
  if (!ctx.solve) {
    if (!valid()) reject('division would fault');
    return;
  }
  const rng = ctx.rng;
  for (let attempt = 0; attempt < 24; attempt++) {
    const snap = ctx.snapshot();
    try {
      if (attempt === 0 && rng.chance(0.3) && valid()) return;
      if (canSetOperand(ctx, src, off) && rng.chance(0.9)) {
        let d = randomValue(rng, s);
        if (d === 0) d = 1 + rng.below(7);
        setOperand(ctx, src, off, d);
      }
      const d = operandValue(ctx, src, off);
      if (d === null) reject('divisor unknown');
      const dBig = signed ? toSigned(big(d), bits) : big(d);
      if (dBig === 0n) reject('divisor 0');
      const strategy = rng.below(3);
      if (strategy === 0) {
        // n = q*d + r with a quotient in range, biased to its extremes
        const qmax = signed ? (1n << (bits - 1n)) - 1n : mask;
        const qmin = signed ? -(1n << (bits - 1n)) : 0n;
        const pickQ = rng.below(4);
        let q = pickQ === 0 ? qmax : pickQ === 1 ? qmin : BigInt(randomValue(rng, s)) & mask;
        if (signed && pickQ > 1) q = toSigned(q, bits);
        const ad = dBig < 0n ? -dBig : dBig;
        let r = rng.chance(0.3) ? 0n : rng.chance(0.5) ? ad - 1n : (BigInt(rng.u32()) % ad);
        const prod = q * dBig;
        if (prod < 0n || (prod === 0n && signed && rng.chance(0.5))) r = -r;
        let n = prod + r;
        n &= (1n << (2n * bits)) - 1n;
        const lo = Number(n & mask);
        const hi = Number((n >> bits) & mask);
        if (canSetOperand(ctx, lowOp, undefined)) setOperand(ctx, lowOp, undefined, lo);
        if (canSetOperand(ctx, highOp, undefined)) setOperand(ctx, highOp, undefined, hi);
      } else if (strategy === 1) {
        // extend the low half: zero (DIV) or its sign (IDIV), or a random value below the divisor
        const lo = operandValue(ctx, lowOp, undefined);
        if (lo !== null && canSetOperand(ctx, highOp, undefined)) {
          let hi = 0;
          if (signed) hi = big(lo) >> (bits - 1n) ? Number(mask) : 0;
          else if (rng.chance(0.5)) hi = Number(BigInt(rng.u32()) % big(d));
          setOperand(ctx, highOp, undefined, hi);
        }
      }
      if (valid()) return;
    } catch (e) {
      if (!(e instanceof Reject)) throw e;
    }
    ctx.restore(snap);
  }
  reject('no valid division found');
}

/** The effective access of a string operand; returns the scratch offset of the first element. */
function placeString(ctx: Ctx, insn: Insn, m: MemOperand, seg: number, count: number): number {
  const e = m.size;
  const n = Math.max(count, 1);
  const span = e * (n - 1);
  const lo = ctx.df ? span : 0;
  const hi = SCRATCH_SIZE - e - (ctx.df ? 0 : span);
  if (hi < lo) reject('string too long');
  return resolveMem(ctx, m, e, seg, { lo, hi });
}

function stackPointer(ctx: Ctx): number {
  const sp = ctx.cur[4];
  if (sp === null) reject('ESP unknown');
  ctx.read(4);
  return sp;
}

function checkStack(lo: number, hi: number): void {
  // lo > hi: the push wrapped around address 0 (ESP was given a small value as a data operand).
  if (lo > hi || lo < SCRATCH || hi > SCRATCH + SCRATCH_SIZE) reject('stack outside the scratch area');
}

function pushBytes(ctx: Ctx, n: number): number {
  const sp = stackPointer(ctx);
  const nsp = (sp - n) >>> 0;
  checkStack(nsp, sp);
  ctx.memModified = true;
  ctx.cur[4] = nsp;
  ctx.modified[4] = true;
  return nsp;
}

/**
 * Applies one instruction to the context: places its memory operands, solves
 * or checks its value-dependent rules, and updates what is known. Throws
 * Reject when the instruction cannot be made well-defined.
 */
function applyInsn(ctx: Ctx, insn: Insn): void {
  const row = insn.row;
  const op = row.op;
  const model = MODELS[op];
  const ops = insn.ops;
  const offs: (number | undefined)[] = ops.map(() => undefined);

  // Registers read by explicit operands and implicitly must not be undefined.
  for (const o of ops) if (o.kind === 'reg') ctx.read(regPart(o.reg, o.size).r);
  for (const r of model.ir ?? []) ctx.read(r);
  ctx.readFlags(row.flagsRead);

  // ---- special cases (placement and value rules) ----
  switch (op) {
    case 'movs': case 'cmps': case 'stos': case 'lods': case 'scas': {
      let count = 1;
      const cReg = 1;
      if (insn.rep) {
        const mask = insn.addrSize === 2 ? 0xffff : 0xffffffff;
        // small counts, and counts from 16 up (whole-chunk fast paths), within the scratch area
        const e = (ops.find((o) => o.kind === 'mem') as MemOperand).size;
        const counts = [0, 1, 1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 24, 31, 32, 40, 63, 64, 100].filter((n) => n * e <= SCRATCH_SIZE);
        if (ctx.canSet(cReg) && ctx.solve) ctx.setBits(cReg, mask, ctx.rng.pick(counts));
        count = (ctx.use(cReg) & mask) >>> 0;
        if (count * e > SCRATCH_SIZE) reject('string count too large');
      }
      const srcSeg = insn.seg || 0x3e;
      for (let i = 0; i < ops.length; i++) {
        const o = ops[i];
        if (o.kind !== 'mem') continue;
        offs[i] = placeString(ctx, insn, o, o.base === 6 ? srcSeg : 0x26, count);
      }
      for (const o of ops) if (o.kind === 'mem') ctx.write(o.base);
      if (insn.rep) ctx.write(cReg);
      if (op === 'lods' && count > 0) ctx.write(0);
      if (op === 'movs' || op === 'stos') ctx.memModified ||= count > 0;
      // REP CMPS/SCAS with a zero count leave the flags unchanged
      if ((op === 'cmps' || op === 'scas') && (!insn.rep || count > 0)) ctx.flags(row.flagsWritten, row.flagsUndefined, true);
      return;
    }
    case 'xlat': {
      const m = ops[ops.length - 1] as MemOperand;
      const al = regValue(ctx, 0, 1);
      if (al === null) reject('AL unknown');
      // EA = eBX + AL: solve eBX for a target, through `extra`
      offs[0] = resolveMem(ctx, m, 1, insn.seg || 0x3e, { inner: al });
      ctx.write(0);
      return;
    }
    case 'push': case 'push-sreg': case 'pushf': case 'pusha': {
      const s = insn.opSize;
      if (op === 'pushf') ctx.readFlags(TRACKED);
      if (op === 'pusha') for (let r = 0; r < 8; r++) ctx.read(r);
      const src = ops[0];
      if (src && src.kind === 'mem') offs[0] = resolveMem(ctx, src, src.size, insn.seg);
      if (op === 'push-sreg' && s === 4) {
        // The upper half of the slot: zero-extended (AMD, older Intel) or left unchanged (recent Intel).
        const sp = stackPointer(ctx);
        const off = sp - 2 - SCRATCH;
        if (off < 0) reject('stack');
        if (ctx.memSettable(off, 2)) ctx.setMem(off, 2, 0);
        else if (ctx.memValue(off, 2) !== 0) reject('push sreg: upper half not zero');
      }
      pushBytes(ctx, op === 'pusha' ? 8 * s : s);
      return;
    }
    case 'pop': case 'popf': case 'popa': {
      const s = insn.opSize;
      const n = op === 'popa' ? 8 * s : s;
      const sp = stackPointer(ctx);
      checkStack(sp, sp + n);
      const nsp = sp + n;
      if (op === 'popf') {
        // TF would trap, AC would make misaligned accesses fault.
        const off = sp - SCRATCH;
        const bad = TF | (s === 4 ? AC : 0);
        if (ctx.memSettable(off, s)) {
          const v = ctx.memValue(off, s, false)!;
          ctx.setMem(off, s, (v & ~bad) >>> 0);
        }
        const v = ctx.memValue(off, s);
        if (v === null || v & bad) reject('popf value unknown or unsafe');
        ctx.df = (v >>> 10) & 1;
        ctx.undefFlags = 0;
        ctx.cur[4] = nsp;
        ctx.modified[4] = true;
        return;
      }
      if (op === 'popa') {
        for (let r = 0; r < 8; r++) if (r !== 4) ctx.write(r);
        ctx.cur[4] = nsp;
        ctx.modified[4] = true;
        return;
      }
      // POP r/m: ESP is incremented before a memory destination's address is computed.
      ctx.cur[4] = nsp;
      ctx.modified[4] = true;
      const dst = ops[0];
      if (dst.kind === 'mem') {
        offs[0] = resolveMem(ctx, dst, dst.size, insn.seg);
        ctx.memModified = true;
      } else if (dst.kind === 'reg') {
        ctx.write(regPart(dst.reg, dst.size).r);
      }
      return;
    }
    case 'enter': {
      const s = insn.opSize;
      const iw = (ops[0] as ImmOperand).value;
      const level = (ops[1] as ImmOperand).value & 31;
      const sp = stackPointer(ctx);
      ctx.read(5);
      if (level > 1) {
        // copies level-1 frame pointers from [EBP - s*i]
        const n = s * (level - 1);
        if (ctx.canSet(5)) ctx.setBits(5, 0xffffffff, SCRATCH + n + ctx.rng.below(SCRATCH_SIZE - n + 1));
        const bp = ctx.use(5);
        checkStack(bp - n, bp);
      }
      const frame = sp - s;
      const total = s * (1 + (level > 0 ? level : 0)) + iw;
      checkStack(sp - total, sp);
      const oldBp = ctx.cur[5];
      ctx.write(5);
      if (s === 4) ctx.cur[5] = frame >>> 0;
      else if (oldBp !== null) ctx.cur[5] = ((oldBp & 0xffff0000) | (frame & 0xffff)) >>> 0;
      ctx.memModified = true;
      ctx.cur[4] = (sp - total) >>> 0;
      ctx.modified[4] = true;
      return;
    }
    case 'leave': {
      const s = insn.opSize;
      stackPointer(ctx);
      if (ctx.canSet(5)) ctx.setBits(5, 0xffffffff, SCRATCH + 4 * ctx.rng.below((SCRATCH_SIZE - s) / 4 + 1));
      const bp = ctx.use(5);
      checkStack(bp, bp + s);
      ctx.write(5);
      ctx.cur[4] = (bp + s) >>> 0;
      ctx.modified[4] = true;
      return;
    }
    default:
      break;
  }

  // ---- generic instructions ----
  // Bit tests with a register bit offset and a memory operand address EA + opsize*floor(offset/bits).
  let extra = 0;
  const isBt = op === 'bt' || op === 'bts' || op === 'btr' || op === 'btc';
  if (isBt && ops[0].kind === 'mem' && ops[1].kind === 'reg') {
    const s = ops[1].size;
    const g = ops[1];
    if (canSetReg(ctx, g.reg, s)) {
      const bitsPer = 8 * s;
      const v = ctx.rng.range(-2, 2) * bitsPer + ctx.rng.below(bitsPer);
      setRegValue(ctx, g.reg, s, v >>> 0);
    }
    const v = regValue(ctx, g.reg, s);
    if (v === null) reject('bit offset unknown');
    const sv = s === 2 ? (v << 16) >> 16 : v | 0;
    extra = s * Math.floor(sv / (8 * s));
  }
  for (let i = 0; i < ops.length; i++) {
    const o = ops[i];
    if (o.kind !== 'mem') continue;
    if (o.noAccess) addressRegsRead(ctx, o);
    else offs[i] = resolveMem(ctx, o, o.size, insn.seg, { extra });
  }

  if (op === 'div' || op === 'idiv') constrainDivision(ctx, insn, offs[0]);

  if ((op === 'shld' || op === 'shrd') && insn.opSize === 2) {
    // 16-bit SHLD/SHRD with a count above 16: result and flags undefined.
    const c = ops[2];
    if (c.kind === 'reg') {
      const cl = regValue(ctx, 1, 1);
      if (cl === null || (cl & 31) > 16) {
        if (ctx.canSet(1)) ctx.setBits(1, 0xff, ctx.rng.pick([0, 1, 2, 7, 8, 15, 16, 32, 33, 48]) + (ctx.rng.chance(0.2) ? 0x80 : 0));
        else reject('shld/shrd count');
      }
    } else if (c.kind === 'imm' && (c.value & 31) > 16) {
      reject('shld/shrd count');
    }
  }

  // Undefined results.
  if (op === 'bsf' || op === 'bsr') {
    const v = operandValue(ctx, ops[1], offs[1]);
    if (v === null || v === 0) {
      const dst = ops[0] as RegOperand;
      const r = regPart(dst.reg, dst.size).r;
      ctx.write(r);
      ctx.undefRegs |= 1 << r;
      ctx.flags(row.flagsWritten, row.flagsUndefined, true);
      return;
    }
  }

  // Flags.
  if (SHIFTS.has(op) || op === 'shld' || op === 'shrd') {
    const c = ops[ops.length - 1];
    let count: number | null;
    if (c.kind === 'imm') count = c.value;
    else count = regValue(ctx, 1, 1);
    shiftFlags(ctx, row, ops[0].kind === 'reg' || ops[0].kind === 'mem' ? ops[0].size : 4, count);
  } else if (op === 'std' || op === 'cld') {
    ctx.df = op === 'std' ? 1 : 0;
    ctx.flags(row.flagsWritten, 0, true);
  } else {
    ctx.flags(row.flagsWritten, row.flagsUndefined, !row.flagsConditional);
  }

  // Writes.
  for (const i of model.dst) {
    const o = ops[i];
    if (!o) continue;
    if (o.kind === 'reg') ctx.write(regPart(o.reg, o.size).r);
    else if (o.kind === 'mem' && !o.noAccess) ctx.memModified = true;
  }
  for (const r of model.iw ?? []) ctx.write(r);
}

// ---------------------------------------------------------------------------
// Cases

export interface GenerateOptions {
  seed: number;
  cases: number;
  /** probability of a sequence of 2-4 instructions (default 0.35) */
  sequenceRate?: number;
  /** restrict to rows for which this returns true */
  rowFilter?: (row: IsaEntry) => boolean;
}

function randomState(rng: Rng): MachineState {
  const regs: number[] = [];
  for (let r = 0; r < 8; r++) regs.push(randomValue(rng, 4));
  // ESP: a private stack in the upper half of the scratch area
  regs[4] = SCRATCH + 64 + (rng.chance(0.9) ? 4 * rng.below(17) : rng.below(65));
  const mem = new Uint8Array(SCRATCH_SIZE);
  for (let i = 0; i < SCRATCH_SIZE; i++) mem[i] = rng.chance(0.3) ? rng.pick(I8) : rng.below(256);
  let eflags = 0x202;
  for (const f of [CF, PF, AF, ZF, SF, OF]) if (rng.chance(0.5)) eflags |= f;
  return { regs, eflags, mem };
}

function finishMasks(ctx: Ctx): { flagMask: number; regMask: number } {
  return { flagMask: FLAGS_COMPARED & ~ctx.undefFlags, regMask: ctx.undefRegs };
}

/** Generates `cases` random cases from the included rows of `table`. */
export function generateCases(table: readonly IsaEntry[], opts: GenerateOptions): FuzzCase[] {
  const rng = new Rng(opts.seed);
  let rows = selectRows(table).included;
  if (opts.rowFilter) rows = rows.filter(opts.rowFilter);
  if (!rows.length) throw new Error('no rows to fuzz');
  // Pick an op uniformly, then one of its rows: rare ops get as many cases as ALU forms.
  const byOp = new Map<string, IsaEntry[]>();
  for (const r of rows) {
    const key = r.op === 'push' || r.op === 'pop' ? `${r.op}:${r.operands[0]?.[0]}` : r.op;
    if (!byOp.has(key)) byOp.set(key, []);
    byOp.get(key)!.push(r);
  }
  const groups = [...byOp.values()];
  const stdRow = rows.find((r) => r.op === 'std');
  const seqRate = opts.sequenceRate ?? 0.35;
  const out: FuzzCase[] = [];
  for (let index = 0; index < opts.cases; index++) {
    const init = randomState(rng);
    const ctx = new Ctx(init, true, rng);
    let length = rng.chance(seqRate) ? rng.range(2, 4) : 1;
    const insns: Insn[] = [];
    let pending: IsaEntry | undefined;
    for (let k = 0; k < length; k++) {
      for (let attempt = 0; attempt < 40; attempt++) {
        let row = pending ?? rng.pick(rng.pick(groups));
        pending = undefined;
        // String instructions also run downwards: STD before some of them.
        if (row.group === 'string' && ctx.df === 0 && stdRow && k < 3 && rng.chance(0.2)) {
          pending = row;
          row = stdRow;
          length = Math.max(length, k + 2);
        }
        const insn = randomInsn(rng, row);
        const snap = ctx.snapshot();
        try {
          applyInsn(ctx, insn);
          insn.bytes = encode(insn);
          insns.push(insn);
          break;
        } catch (e) {
          if (!(e instanceof Reject)) throw e;
          ctx.restore(snap);
        }
      }
    }
    if (!insns.length) {
      index--;
      continue;
    }
    const c: FuzzCase = { index, init: ctx.init, insns, ...finishMasks(ctx) };
    if (insns[0].bytes.length > 1 && rng.chance(0.03)) c.pageSplit = rng.range(1, insns[0].bytes.length - 1);
    out.push(c);
  }
  return out;
}

/**
 * Recomputes the masks of a case made of given instructions and a given
 * initial state (check mode: nothing is chosen). Throws if some instruction
 * is not well-defined in that state.
 */
export function analyzeCase(init: MachineState, insns: Insn[], index = 0): FuzzCase {
  const state: MachineState = { regs: init.regs.slice(), eflags: init.eflags, mem: init.mem.slice() };
  const ctx = new Ctx({ regs: state.regs.slice(), eflags: state.eflags, mem: state.mem.slice() }, false, new Rng(0));
  for (const insn of insns) applyInsn(ctx, insn);
  return { index, init: state, insns, ...finishMasks(ctx) };
}

export function isReject(e: unknown): boolean {
  return e instanceof Reject;
}

// ---------------------------------------------------------------------------
// Program text

const hex32 = (v: number) => '0x' + (v >>> 0).toString(16);

/**
 * The assembly program running `cases`. Its standard output is DUMP_SIZE
 * bytes per case. With `flushEach` every dump is written at once (to locate
 * a case that kills the emulator). After the last dump it writes the whole
 * section of the scratch area (SECTION_SIZE bytes): writes outside the
 * scratch area show there.
 */
export function programSource(cases: readonly FuzzCase[], flushEach = false): string {
  const OUTBUF = 65536;
  const lines: string[] = [];
  lines.push(`# generated by tests/fuzz/generate.ts: ${cases.length} cases
        .set SCRATCH, ${hex32(SCRATCH)}
        .set GS_BASE, ${hex32(GS_BASE)}
        .set DUMP_SIZE, ${DUMP_SIZE}
        .section .scratch,"aw",@nobits
        .space ${SECTION_SIZE}
        .bss
        .align 16
outbuf: .space ${OUTBUF}
        .data
        .align 4
outptr: .long outbuf
saved_esp: .long 0
save_eax: .long 0
out_esp: .long 0
flagmask: .long 0
regmask: .long 0
uinfo:  .long -1, GS_BASE, 0xfffff, 0x51
        .text
        .globl _start
# setup: %eax = input record; fills the scratch area, loads the masks, EFLAGS and the registers (not ESP)
setup:  xorl %ecx, %ecx
1:      movl 44(%eax,%ecx,4), %edx
        movl %edx, SCRATCH(,%ecx,4)
        incl %ecx
        cmpl $${SCRATCH_SIZE / 4}, %ecx
        jne 1b
        movl 36(%eax), %edx
        movl %edx, flagmask
        movl 40(%eax), %edx
        movl %edx, regmask
        pushl 32(%eax)
        popfl
        movl 4(%eax), %ecx
        movl 8(%eax), %edx
        movl 12(%eax), %ebx
        movl 20(%eax), %ebp
        movl 24(%eax), %esi
        movl 28(%eax), %edi
        movl (%eax), %eax
        ret
# dump: appends registers, masked EFLAGS and the scratch area to outbuf (ESP of the case in out_esp)
dump:   pushfl
        movl %eax, save_eax
        movl outptr, %eax
        movl %ecx, 4(%eax)
        movl %edx, 8(%eax)
        movl %ebx, 12(%eax)
        movl %ebp, 20(%eax)
        movl %esi, 24(%eax)
        movl %edi, 28(%eax)
        movl save_eax, %ecx
        movl %ecx, (%eax)
        movl out_esp, %ecx
        movl %ecx, 16(%eax)
        popl %ecx
        andl flagmask, %ecx
        movl %ecx, 32(%eax)
        pushl $0x202
        popfl
        movl regmask, %edx
        xorl %ecx, %ecx
2:      shrl $1, %edx
        jnc 3f
        movl $0, (%eax,%ecx,4)
3:      incl %ecx
        cmpl $8, %ecx
        jne 2b
        xorl %ecx, %ecx
4:      movl SCRATCH(,%ecx,4), %edx
        movl %edx, 36(%eax,%ecx,4)
        incl %ecx
        cmpl $${SCRATCH_SIZE / 4}, %ecx
        jne 4b
        addl $DUMP_SIZE, %eax
        movl %eax, outptr
        cmpl $${flushEach ? 'outbuf' : `outbuf+${OUTBUF}-DUMP_SIZE`}, %eax
        ja flush
        ret
# flush: write(1, outbuf, outptr-outbuf), all of it
flush:  movl $outbuf, %ecx
        movl outptr, %edx
        subl %ecx, %edx
        call write_all
        movl $outbuf, outptr
        ret
# write_all: write(1, %ecx, %edx), all of it
write_all:
5:      testl %edx, %edx
        jz 6f
        movl $4, %eax
        movl $1, %ebx
        pushl %ecx
        pushl %edx
        int $0x80
        popl %edx
        popl %ecx
        testl %eax, %eax
        jle die
        addl %eax, %ecx
        subl %eax, %edx
        jmp 5b
6:      ret
die:    movl $1, %eax
        movl $3, %ebx
        int $0x80
_start: movl %esp, saved_esp
        movl $243, %eax          # set_thread_area: GS base = GS_BASE, 4 GiB limit
        movl $uinfo, %ebx
        int $0x80
        testl %eax, %eax
        jnz die
        movl uinfo, %eax
        leal 3(,%eax,8), %eax
        movw %ax, %gs
`);
  const data: string[] = ['        .data', '        .align 4'];
  for (const c of cases) {
    if (c.pageSplit) {
      // 15 bytes of case code precede the instruction under test
      lines.push(`        jmp c${c.index}`, '        .p2align 12', `        .skip ${4096 - 15 - c.pageSplit}, 0xcc`);
    }
    lines.push(`c${c.index}:   movl $r${c.index}, %eax`);
    lines.push('        call setup');
    lines.push(`        movl $${hex32(c.init.regs[4])}, %esp`);
    for (const insn of c.insns) lines.push(`        .byte ${insn.bytes.map((b) => '0x' + b.toString(16)).join(',')}`);
    lines.push('        movl %esp, out_esp');
    lines.push('        movl saved_esp, %esp');
    lines.push('        call dump');
    const words = [...c.init.regs, c.init.eflags, c.flagMask, c.regMask].map(hex32);
    data.push(`r${c.index}:   .long ${words.join(',')}`);
    data.push(`        .byte ${Array.from(c.init.mem, (b) => b.toString()).join(',')}`);
  }
  lines.push(`        call flush
        movl $${hex32(SECTION_ADDR)}, %ecx     # trailer: the whole scratch section
        movl $${SECTION_SIZE}, %edx
        call write_all
        movl $1, %eax
        xorl %ebx, %ebx
        int $0x80
`);
  return lines.join('\n') + '\n' + data.join('\n') + '\n';
}

// ---------------------------------------------------------------------------
// Dumps

export interface Dump {
  regs: number[];
  eflags: number;
  mem: Uint8Array;
}

export function parseDump(buf: Uint8Array, caseNumber: number): Dump | null {
  const at = caseNumber * DUMP_SIZE;
  if (at + DUMP_SIZE > buf.length) return null;
  const dv = new DataView(buf.buffer, buf.byteOffset + at, DUMP_SIZE);
  const regs: number[] = [];
  for (let r = 0; r < 8; r++) regs.push(dv.getUint32(r * 4, true));
  return { regs, eflags: dv.getUint32(32, true), mem: buf.slice(at + 36, at + DUMP_SIZE) };
}
