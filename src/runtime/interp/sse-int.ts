import { Instruction, Seg } from '../../decoder/types.js';
import { Slot } from '../layout.js';
import type { Machine } from '../machine.js';
import { Exec } from './operands.js';
import { needsAlignment, Simd, touchesMmx } from './sse-state.js';

/**
 * Packed-integer SIMD: the MMX instructions and their SSE/SSE2 forms, on
 * 8-byte MMX or 16-byte XMM operands alike. Each operation works on the
 * Simd temporaries: the destination in slot A (byte 0), the source in slot
 * B (byte 16; a shift count or imm8 there too), slot C (byte 32) for
 * results built out of order; `n` is the operand width in bytes.
 */
type IntOp = (u: Simd, n: number, imm: number) => void;

const clamp = (v: number, lo: number, hi: number): number => (v < lo ? lo : v > hi ? hi : v);

type Lane = (a: number, b: number) => number;

/**
 * Element-wise a op b with lanes of `bytes` bytes, through the array of that
 * width (signed or not). One function literal per array type keeps each
 * loop's element accesses monomorphic; the hottest operations of glibc's
 * SSE2 string functions have loops of their own below (no call per lane).
 */
function lanes(bytes: 1 | 2 | 4, signed: boolean, f: Lane): IntOp {
  if (bytes === 1 && signed) {
    return (u, n) => {
      const t = u.ti8;
      for (let i = 0; i < n; i++) t[i] = f(t[i], t[16 + i]);
    };
  }
  if (bytes === 1) {
    return (u, n) => {
      const t = u.t8;
      for (let i = 0; i < n; i++) t[i] = f(t[i], t[16 + i]);
    };
  }
  if (bytes === 2 && signed) {
    return (u, n) => {
      const t = u.ti16;
      for (let i = 0; i < n >> 1; i++) t[i] = f(t[i], t[8 + i]);
    };
  }
  if (bytes === 2) {
    return (u, n) => {
      const t = u.t16;
      for (let i = 0; i < n >> 1; i++) t[i] = f(t[i], t[8 + i]);
    };
  }
  return (u, n) => {
    const t = u.t32;
    for (let i = 0; i < n >> 2; i++) t[i] = f(t[i], t[4 + i]);
  };
}

/** Bitwise operations on whole dwords. */
const pand: IntOp = (u, n) => {
  const t = u.t32;
  t[0] &= t[4];
  t[1] &= t[5];
  if (n === 16) {
    t[2] &= t[6];
    t[3] &= t[7];
  }
};
const pandn: IntOp = (u, n) => {
  const t = u.t32;
  t[0] = ~t[0] & t[4];
  t[1] = ~t[1] & t[5];
  if (n === 16) {
    t[2] = ~t[2] & t[6];
    t[3] = ~t[3] & t[7];
  }
};
const por: IntOp = (u, n) => {
  const t = u.t32;
  t[0] |= t[4];
  t[1] |= t[5];
  if (n === 16) {
    t[2] |= t[6];
    t[3] |= t[7];
  }
};
const pxor: IntOp = (u, n) => {
  const t = u.t32;
  t[0] ^= t[4];
  t[1] ^= t[5];
  if (n === 16) {
    t[2] ^= t[6];
    t[3] ^= t[7];
  }
};

const pcmpeqb: IntOp = (u, n) => {
  const t = u.t8;
  for (let i = 0; i < n; i++) t[i] = t[i] === t[16 + i] ? 0xff : 0;
};
const pminub: IntOp = (u, n) => {
  const t = u.t8;
  for (let i = 0; i < n; i++) if (t[16 + i] < t[i]) t[i] = t[16 + i];
};
const pmaxub: IntOp = (u, n) => {
  const t = u.t8;
  for (let i = 0; i < n; i++) if (t[16 + i] > t[i]) t[i] = t[16 + i];
};
const paddb: IntOp = (u, n) => {
  const t = u.t8;
  for (let i = 0; i < n; i++) t[i] += t[16 + i];
};
const psubb: IntOp = (u, n) => {
  const t = u.t8;
  for (let i = 0; i < n; i++) t[i] -= t[16 + i];
};

/** 64-bit lanes as int32 pairs: add or subtract with carry. */
function addQ(subtract: boolean): IntOp {
  return (u, n) => {
    const t = u.tu32;
    for (let j = 0; j < n / 8; j++) {
      const alo = t[2 * j], ahi = t[2 * j + 1], blo = t[4 + 2 * j], bhi = t[5 + 2 * j];
      if (subtract) {
        t[2 * j] = alo - blo;
        t[2 * j + 1] = ahi - bhi - (alo < blo ? 1 : 0);
      } else {
        const lo = (alo + blo) >>> 0;
        t[2 * j] = lo;
        t[2 * j + 1] = ahi + bhi + (lo < alo ? 1 : 0);
      }
    }
  };
}

/** The shift count of slot B: its low 64 bits, saturated (anything above 255 counts as 255). */
function shiftCount(u: Simd): number {
  return u.tu32[5] !== 0 ? 255 : Math.min(u.tu32[4], 255);
}

function shift(bytes: 2 | 4 | 8, kind: 'l' | 'rl' | 'ra'): IntOp {
  return (u, n) => {
    const c = shiftCount(u);
    const bits = bytes * 8;
    if (bytes === 8) {
      const t = u.tu32;
      for (let j = 0; j < n / 8; j++) {
        const lo = t[2 * j], hi = t[2 * j + 1];
        if (c >= 64) t[2 * j] = t[2 * j + 1] = 0;
        else if (c >= 32) {
          t[2 * j] = kind === 'l' ? 0 : hi >>> (c - 32);
          t[2 * j + 1] = kind === 'l' ? lo << (c - 32) : 0;
        } else if (c > 0) {
          t[2 * j] = kind === 'l' ? lo << c : (lo >>> c) | (hi << (32 - c));
          t[2 * j + 1] = kind === 'l' ? (hi << c) | (lo >>> (32 - c)) : hi >>> c;
        }
      }
      return;
    }
    const t = bytes === 2 ? (kind === 'ra' ? u.ti16 : u.t16) : kind === 'ra' ? u.t32 : u.tu32;
    const count = n / bytes;
    for (let i = 0; i < count; i++) {
      const v = t[i];
      if (kind === 'ra') t[i] = v >> Math.min(c, bits - 1);
      else if (c >= bits) t[i] = 0;
      else t[i] = kind === 'l' ? v << c : v >>> c;
    }
  };
}

/** PSRLDQ / PSLLDQ: the whole register by imm8 bytes. */
function byteShift(left: boolean): IntOp {
  return (u) => {
    const c = Math.min(shiftCount(u), 16);
    const t = u.t8;
    for (let i = 0; i < 16; i++) t[32 + i] = left ? (i >= c ? t[i - c] : 0) : i + c < 16 ? t[i + c] : 0;
    t.copyWithin(0, 32, 48);
  };
}

/** PACKSSWB, PACKSSDW, PACKUSWB: A's then B's elements narrowed with saturation. */
function pack(from: 2 | 4, unsigned: boolean): IntOp {
  return (u, n) => {
    const src = from === 2 ? u.ti16 : u.t32;
    const dst = from === 2 ? (unsigned ? u.t8 : u.ti8) : u.ti16;
    const half = n / from;
    const lo = unsigned ? 0 : from === 2 ? -128 : -32768;
    const hi = unsigned ? 255 : from === 2 ? 127 : 32767;
    const bOff = 16 / from, cOff = 32 / (from / 2);
    for (let i = 0; i < half; i++) {
      dst[cOff + i] = clamp(src[i], lo, hi);
      dst[cOff + half + i] = clamp(src[bOff + i], lo, hi);
    }
    u.t8.copyWithin(0, 32, 32 + n);
  };
}

/** PUNPCKL / PUNPCKH: elements of `size` bytes of A and B interleaved, from the low or the high half. */
function unpack(size: number, high: boolean): IntOp {
  return (u, n) => {
    const t = u.t8;
    const start = high ? n / 2 : 0;
    for (let e = 0; e < n / (2 * size); e++) {
      for (let k = 0; k < size; k++) {
        t[32 + 2 * e * size + k] = t[start + e * size + k];
        t[32 + (2 * e + 1) * size + k] = t[16 + start + e * size + k];
      }
    }
    t.copyWithin(0, 32, 32 + n);
  };
}

const INT_OPS: Record<string, IntOp> = {
  paddb,
  paddw: lanes(2, false, (a, b) => a + b),
  paddd: lanes(4, false, (a, b) => a + b),
  paddq: addQ(false),
  psubb,
  psubw: lanes(2, false, (a, b) => a - b),
  psubd: lanes(4, false, (a, b) => a - b),
  psubq: addQ(true),
  paddsb: lanes(1, true, (a, b) => clamp(a + b, -128, 127)),
  paddsw: lanes(2, true, (a, b) => clamp(a + b, -32768, 32767)),
  psubsb: lanes(1, true, (a, b) => clamp(a - b, -128, 127)),
  psubsw: lanes(2, true, (a, b) => clamp(a - b, -32768, 32767)),
  paddusb: lanes(1, false, (a, b) => Math.min(a + b, 255)),
  paddusw: lanes(2, false, (a, b) => Math.min(a + b, 65535)),
  psubusb: lanes(1, false, (a, b) => Math.max(a - b, 0)),
  psubusw: lanes(2, false, (a, b) => Math.max(a - b, 0)),
  pmullw: lanes(2, true, (a, b) => Math.imul(a, b)),
  pmulhw: lanes(2, true, (a, b) => (a * b) >> 16),
  pmulhuw: lanes(2, false, (a, b) => Math.floor((a * b) / 65536)),
  pmuludq: (u, n) => {
    const t = u.tu32;
    for (let j = 0; j < n / 8; j++) {
      const p = BigInt(t[2 * j]) * BigInt(t[4 + 2 * j]);
      t[2 * j] = Number(p & 0xffffffffn);
      t[2 * j + 1] = Number(p >> 32n);
    }
  },
  pmaddwd: (u, n) => {
    const w = u.ti16, d = u.t32;
    for (let i = 0; i < n / 4; i++) d[i] = (w[2 * i] * w[8 + 2 * i] + w[2 * i + 1] * w[9 + 2 * i]) | 0;
  },
  pavgb: lanes(1, false, (a, b) => (a + b + 1) >> 1),
  pavgw: lanes(2, false, (a, b) => (a + b + 1) >> 1),
  pminub,
  pmaxub,
  pminsw: lanes(2, true, Math.min),
  pmaxsw: lanes(2, true, Math.max),
  psadbw: (u, n) => {
    const t = u.t8;
    for (let g = 0; g < n / 8; g++) {
      let sum = 0;
      for (let i = 0; i < 8; i++) sum += Math.abs(t[8 * g + i] - t[16 + 8 * g + i]);
      for (let i = 0; i < 8; i++) t[8 * g + i] = 0;
      u.t16[4 * g] = sum;
    }
  },
  pcmpeqb,
  pcmpeqw: lanes(2, false, (a, b) => (a === b ? -1 : 0)),
  pcmpeqd: lanes(4, false, (a, b) => (a === b ? -1 : 0)),
  pcmpgtb: lanes(1, true, (a, b) => (a > b ? -1 : 0)),
  pcmpgtw: lanes(2, true, (a, b) => (a > b ? -1 : 0)),
  pcmpgtd: lanes(4, true, (a, b) => (a > b ? -1 : 0)),
  pand,
  pandn,
  por,
  pxor,
  packsswb: pack(2, false),
  packssdw: pack(4, false),
  packuswb: pack(2, true),
  punpcklbw: unpack(1, false),
  punpcklwd: unpack(2, false),
  punpckldq: unpack(4, false),
  punpcklqdq: unpack(8, false),
  punpckhbw: unpack(1, true),
  punpckhwd: unpack(2, true),
  punpckhdq: unpack(4, true),
  punpckhqdq: unpack(8, true),
  psllw: shift(2, 'l'),
  pslld: shift(4, 'l'),
  psllq: shift(8, 'l'),
  psrlw: shift(2, 'rl'),
  psrld: shift(4, 'rl'),
  psrlq: shift(8, 'rl'),
  psraw: shift(2, 'ra'),
  psrad: shift(4, 'ra'),
  psrldq: byteShift(false),
  pslldq: byteShift(true),
  // Shuffles of the source (slot B) into the destination.
  pshufw: (u, _n, imm) => {
    for (let i = 0; i < 4; i++) u.t16[i] = u.t16[8 + ((imm >> (2 * i)) & 3)];
  },
  pshufd: (u, _n, imm) => {
    for (let i = 0; i < 4; i++) u.t32[i] = u.t32[4 + ((imm >> (2 * i)) & 3)];
  },
  pshuflw: (u, _n, imm) => {
    for (let i = 0; i < 4; i++) u.t16[i] = u.t16[8 + ((imm >> (2 * i)) & 3)];
    u.t32[2] = u.t32[6];
    u.t32[3] = u.t32[7];
  },
  pshufhw: (u, _n, imm) => {
    for (let i = 0; i < 4; i++) u.t16[4 + i] = u.t16[12 + ((imm >> (2 * i)) & 3)];
    u.t32[0] = u.t32[4];
    u.t32[1] = u.t32[5];
  },
  pinsrw: (u, n, imm) => {
    u.t16[imm & (n / 2 - 1)] = u.t16[8];
  },
  // Bitwise SSE float ops are the same bits.
  andps: pand,
  andnps: pandn,
  orps: por,
  xorps: pxor,
};
INT_OPS.andpd = INT_OPS.andps;
INT_OPS.andnpd = INT_OPS.andnps;
INT_OPS.orpd = INT_OPS.orps;
INT_OPS.xorpd = INT_OPS.xorps;

type Compiler = (insn: Instruction, vm: Machine) => Exec;

/** dst = dst op src (or op imm8 for the shift-by-immediate forms; the third operand is imm8 for shuffles and PINSRW). */
function compilePacked(op: IntOp): Compiler {
  return (insn, vm) => {
    const u = new Simd(vm);
    const [dst, src, third] = insn.operands;
    const n = dst.kind === 'mmx' ? 8 : 16;
    const imm = third?.kind === 'imm' ? third.value & 0xff : src.kind === 'imm' ? src.value & 0xff : 0;
    const loadA = u.loader(dst, vm, 0, true);
    const loadB = u.loader(src, vm, 16, needsAlignment(insn));
    const store = u.storer(dst, vm, 0, true, touchesMmx(insn) ? () => u.enterMmx() : undefined);
    return () => {
      loadA();
      loadB();
      op(u, n, imm);
      store();
    };
  };
}

/** PEXTRW Gd, mm/xmm, imm8. */
const pextrw: Compiler = (insn, vm) => {
  const u = new Simd(vm);
  const [dst, src, imm] = insn.operands;
  const loadB = u.loader(src, vm, 16, false);
  const index = 8 + (imm.value & (src.kind === 'mmx' ? 3 : 7));
  const r32 = vm.cpu.r32, d = dst.reg, mmx = src.kind === 'mmx';
  return () => {
    loadB();
    if (mmx) u.enterMmx();
    r32[d] = u.t16[index];
  };
};

/** PMOVMSKB Gd, mm/xmm: the top bit of each byte. */
const pmovmskb: Compiler = (insn, vm) => {
  const u = new Simd(vm);
  const [dst, src] = insn.operands;
  const loadB = u.loader(src, vm, 16, false);
  const n = src.kind === 'mmx' ? 8 : 16;
  const r32 = vm.cpu.r32, d = dst.reg, mmx = src.kind === 'mmx';
  const t = u.t32;
  /** The top bits of a dword's four bytes as four bits. */
  const tops = (v: number): number => ((v >>> 7) & 1) | ((v >>> 14) & 2) | ((v >>> 21) & 4) | ((v >>> 28) & 8);
  return () => {
    loadB();
    let m = tops(t[4]) | (tops(t[5]) << 4);
    if (n === 16) m |= (tops(t[6]) << 8) | (tops(t[7]) << 12);
    if (mmx) u.enterMmx();
    r32[d] = m;
  };
};

/** MASKMOVQ / MASKMOVDQU: the bytes of the first operand whose mask byte has its top bit set, to DS:eDI. */
const maskmov: Compiler = (insn, vm) => {
  const u = new Simd(vm);
  const [data, mask] = insn.operands;
  const n = data.kind === 'mmx' ? 8 : 16;
  const loadA = u.loader(data, vm, 0, false), loadB = u.loader(mask, vm, 16, false);
  const seg = insn.segOverride >= 0 ? insn.segOverride : Seg.DS;
  const s = vm.cpu.s, mmu = vm.mmu, wide = insn.addrSize === 4, r32 = vm.cpu.r32, r16 = vm.cpu.r16;
  const mmx = data.kind === 'mmx';
  return () => {
    loadA();
    loadB();
    const base = (s[Slot.SEG_BASE + seg] + (wide ? r32[7] : r16[14])) | 0;
    for (let i = 0; i < n; i++) if (u.t8[16 + i] & 0x80) mmu.probeWrite((base + i) | 0, 1);
    if (mmx) u.enterMmx();
    for (let i = 0; i < n; i++) if (u.t8[16 + i] & 0x80) mmu.write8((base + i) | 0, u.t8[i]);
  };
};

/** The interpreter's packed-integer semantics (MMX forms and SSE2 forms), by the decoder's operation names. */
export const SIMD_INT_SEMANTICS: Readonly<Record<string, Compiler>> = {
  ...Object.fromEntries(Object.entries(INT_OPS).map(([name, op]) => [name, compilePacked(op)])),
  pextrw,
  pmovmskb,
  maskmovq: maskmov,
  maskmovdqu: maskmov,
  emms: (_insn, vm) => {
    const s = vm.cpu.s;
    return () => {
      s[Slot.FPU_EMPTY] = 0xff;
    };
  },
};
