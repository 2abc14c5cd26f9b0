import { Slot } from './layout.js';

/**
 * Lazy arithmetic flags. An arithmetic instruction records its operation,
 * operands, result and width in the state block instead of computing six
 * flags; a flag is computed only when something reads it. The formulas
 * work on any sign- or zero-extension of the operands because each flag
 * looks only at the bits of the operation's width.
 */
export const enum LazyOp {
  NONE = 0,
  ADD = 1, // also ADC: the carry formula below holds for any carry-in
  SUB = 2, // also SBB, CMP, NEG (dst = 0)
  LOGIC = 3, // AND OR XOR TEST: CF = OF = 0
  INC = 4, // like ADD with src = 1, CF kept in FLAGS
  DEC = 5, // like SUB with src = 1, CF kept in FLAGS
  RESULT = 6, // only SF ZF PF from the result; CF OF AF kept in FLAGS (shifts, MUL helpers)
}

/** LAZY_OP slot value: operation | (width in bits << 8). */
export function lazyCode(op: LazyOp, bits: number): number {
  return op | (bits << 8);
}

const PARITY = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  let p = 1;
  for (let b = i; b; b >>= 1) p ^= b & 1;
  PARITY[i] = p; // 1 = even number of set bits (PF set)
}
export const PARITY_TABLE: Readonly<Uint8Array> = PARITY;

/** Flags held lazily by each op (the rest come from the FLAGS slot). */
const LAZY_MASK = [0, 0x8d5, 0x8d5, 0x8d5, 0x8d4, 0x8d4, 0xc4];

/** Records an arithmetic operation for lazy flags: `code` from lazyCode, its operands and result. */
export function recordLazy(s: Int32Array, code: number, dst: number, src: number, res: number): void {
  s[Slot.LAZY_OP] = code;
  s[Slot.LAZY_DST] = dst;
  s[Slot.LAZY_SRC] = src;
  s[Slot.LAZY_RES] = res;
}

/**
 * INC/DEC (`code` for LazyOp.INC or DEC): CF survives them, so the current
 * CF is folded into FLAGS before the lazy state moves on.
 */
export function recordIncDec(s: Int32Array, code: number, dst: number, res: number): void {
  s[Slot.FLAGS] = (s[Slot.FLAGS] & ~1) | carryFlag(s);
  recordLazy(s, code, dst, 1, res);
}

/** Replaces all six status flags with `value` (nothing lazy survives, so nothing is computed). */
export function replaceStatusFlags(s: Int32Array, value: number): void {
  s[Slot.FLAGS] = (s[Slot.FLAGS] & ~0x8d5) | value;
  s[Slot.LAZY_OP] = 0;
}

/** Computes the full EFLAGS value from the state block. */
export function readFlags(s: Int32Array): number {
  const code = s[Slot.LAZY_OP];
  const flags = s[Slot.FLAGS];
  if (code === 0) return flags;
  const op = code & 0xff;
  const sh = (code >>> 8) - 1;
  const dst = s[Slot.LAZY_DST];
  const src = s[Slot.LAZY_SRC];
  const res = s[Slot.LAZY_RES];
  const mask = sh === 31 ? -1 : (2 << sh) - 1;
  let f = 0;
  if ((res & mask) === 0) f |= 0x40;
  f |= ((res >>> sh) & 1) << 7;
  f |= PARITY[res & 0xff] << 2;
  switch (op) {
    case LazyOp.ADD:
    case LazyOp.INC:
      f |= (((dst ^ src ^ res) >>> 4) & 1) << 4;
      f |= ((((dst ^ res) & (src ^ res)) >>> sh) & 1) << 11;
      if (op === LazyOp.ADD) f |= (((dst & src) | ((dst | src) & ~res)) >>> sh) & 1;
      break;
    case LazyOp.SUB:
    case LazyOp.DEC:
      f |= (((dst ^ src ^ res) >>> 4) & 1) << 4;
      f |= ((((dst ^ src) & (dst ^ res)) >>> sh) & 1) << 11;
      if (op === LazyOp.SUB) f |= (((~dst & src) | ((~dst | src) & res)) >>> sh) & 1;
      break;
  }
  return (flags & ~LAZY_MASK[op]) | f;
}

/** Makes FLAGS exact and drops the lazy state. */
export function materializeFlags(s: Int32Array): number {
  const f = readFlags(s);
  s[Slot.FLAGS] = f;
  s[Slot.LAZY_OP] = 0;
  return f;
}

export function carryFlag(s: Int32Array): number {
  const code = s[Slot.LAZY_OP];
  const op = code & 0xff;
  if (op === LazyOp.ADD || op === LazyOp.SUB) {
    const sh = (code >>> 8) - 1;
    const dst = s[Slot.LAZY_DST];
    const src = s[Slot.LAZY_SRC];
    const res = s[Slot.LAZY_RES];
    return op === LazyOp.ADD
      ? (((dst & src) | ((dst | src) & ~res)) >>> sh) & 1
      : (((~dst & src) | ((~dst | src) & res)) >>> sh) & 1;
  }
  if (op === LazyOp.LOGIC) return 0;
  return s[Slot.FLAGS] & 1;
}

/**
 * Evaluates condition code `cc` (the low nibble of Jcc/SETcc/CMOVcc).
 * Fast paths for the overwhelmingly common lazy SUB (cmp) and LOGIC (test).
 */
export function testCondition(s: Int32Array, cc: number): boolean {
  const code = s[Slot.LAZY_OP];
  const op = code & 0xff;
  if (op === LazyOp.SUB || op === LazyOp.LOGIC) {
    const bits = code >>> 8;
    const sh = 32 - bits;
    const res = (s[Slot.LAZY_RES] << sh) >> sh; // sign-extended result
    let r: boolean;
    if (op === LazyOp.SUB && s[Slot.LAZY_RES] === ((s[Slot.LAZY_DST] - s[Slot.LAZY_SRC]) | 0)) {
      // Plain subtraction (not SBB with a borrow in): compare the operands directly.
      const a = (s[Slot.LAZY_DST] << sh) >> sh;
      const b = (s[Slot.LAZY_SRC] << sh) >> sh;
      switch (cc >> 1) {
        case 0: r = ((((a ^ b) & (a ^ res)) >>> 31) & 1) !== 0; break; // O
        case 1: r = (a << sh) >>> sh < (b << sh) >>> sh; break; // B
        case 2: r = res === 0; break; // Z
        case 3: r = (a << sh) >>> sh <= (b << sh) >>> sh; break; // BE
        case 4: r = res < 0; break; // S
        case 5: r = PARITY[res & 0xff] === 1; break; // P
        case 6: r = a < b; break; // L
        default: r = a <= b; break; // LE
      }
      return (cc & 1) === 0 ? r : !r;
    }
    if (op === LazyOp.LOGIC) {
      switch (cc >> 1) {
        case 0: case 1: r = false; break;
        case 2: case 3: r = res === 0; break;
        case 4: case 6: r = res < 0; break;
        case 5: r = PARITY[res & 0xff] === 1; break;
        default: r = res <= 0; break;
      }
      return (cc & 1) === 0 ? r : !r;
    }
  }
  const kind = cc >> 1;
  if (code !== 0 && (kind === 2 || kind === 4)) {
    // ZF and SF come from the result alone, whatever the lazy operation.
    const sh = 32 - (code >>> 8);
    const res = (s[Slot.LAZY_RES] << sh) >> sh;
    const r = kind === 2 ? res === 0 : res < 0;
    return (cc & 1) === 0 ? r : !r;
  }
  const f = readFlags(s);
  let r: boolean;
  switch (kind) {
    case 0: r = (f & 0x800) !== 0; break;
    case 1: r = (f & 1) !== 0; break;
    case 2: r = (f & 0x40) !== 0; break;
    case 3: r = (f & 0x41) !== 0; break;
    case 4: r = (f & 0x80) !== 0; break;
    case 5: r = (f & 4) !== 0; break;
    case 6: r = ((f >>> 7) & 1) !== ((f >>> 11) & 1); break;
    default: r = (f & 0x40) !== 0 || ((f >>> 7) & 1) !== ((f >>> 11) & 1); break;
  }
  return (cc & 1) === 0 ? r : !r;
}

/**
 * Replaces CF and OF, keeping every other flag (rotates, BT*): the lazy state
 * becomes RESULT (SF ZF PF still from the recorded result, AF folded into
 * FLAGS), which is much cheaper than computing all flags.
 */
export function setCarryOverflow(s: Int32Array, cf: number, of: number): void {
  const code = s[Slot.LAZY_OP];
  const op = code & 0xff;
  let f = s[Slot.FLAGS];
  if (op === LazyOp.ADD || op === LazyOp.SUB || op === LazyOp.INC || op === LazyOp.DEC) {
    f = (f & ~0x10) | ((((s[Slot.LAZY_DST] ^ s[Slot.LAZY_SRC] ^ s[Slot.LAZY_RES]) >>> 4) & 1) << 4);
  } else if (op === LazyOp.LOGIC) f &= ~0x10;
  s[Slot.FLAGS] = (f & ~0x801) | cf | (of << 11);
  if (op !== LazyOp.NONE) s[Slot.LAZY_OP] = LazyOp.RESULT | (code & ~0xff);
}
