import { Seg } from '../decoder/types.js';
import type { Cpu } from '../runtime/cpu.js';
import { readFlags } from '../runtime/flags.js';
import { Slot } from '../runtime/layout.js';

/** Registers read and written as numbers (unsigned), by lower-case name. */
export type RegisterName =
  | 'eax' | 'ecx' | 'edx' | 'ebx' | 'esp' | 'ebp' | 'esi' | 'edi'
  | 'ax' | 'cx' | 'dx' | 'bx' | 'sp' | 'bp' | 'si' | 'di'
  | 'al' | 'cl' | 'dl' | 'bl' | 'ah' | 'ch' | 'dh' | 'bh'
  | 'eip' | 'eflags'
  | 'es' | 'cs' | 'ss' | 'ds' | 'fs' | 'gs'
  | 'fs_base' | 'gs_base'
  | 'cr0' | 'cr2' | 'cr3' | 'cr4'
  | 'mxcsr' | 'fpcw' | 'fpsw';

interface Accessor {
  read(cpu: Cpu): number;
  write(cpu: Cpu, value: number): void;
}

const GENERAL = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'] as const;
const SEGMENTS = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'] as const;

function slot(n: number): Accessor {
  return { read: (c) => c.s[n] >>> 0, write: (c, v) => void (c.s[n] = v) };
}

/** The accessor table: one entry per name, built from the register file's regular layout. */
const ACCESSORS = new Map<string, Accessor>();
GENERAL.forEach((name, i) => {
  ACCESSORS.set(name, slot(i));
  ACCESSORS.set(name.slice(1), { read: (c) => c.r16[i * 2], write: (c, v) => void (c.r16[i * 2] = v) });
});
['al', 'cl', 'dl', 'bl'].forEach((name, i) => {
  ACCESSORS.set(name, { read: (c) => c.r8[i * 4], write: (c, v) => void (c.r8[i * 4] = v) });
  ACCESSORS.set(name[0] + 'h', { read: (c) => c.r8[i * 4 + 1], write: (c, v) => void (c.r8[i * 4 + 1] = v) });
});
ACCESSORS.set('eip', slot(Slot.EIP));
ACCESSORS.set('eflags', {
  read: (c) => readFlags(c.s) >>> 0,
  // Bit 1 always reads 1; the lazy arithmetic flags give way to the written value.
  write: (c, v) => {
    c.s[Slot.FLAGS] = (v & 0x3f7fd7) | 2;
    c.s[Slot.LAZY_OP] = 0;
  },
});
SEGMENTS.forEach((name, seg) => {
  // In protected mode a selector written alone keeps the descriptor cache (base, limit, attributes): use writeSegment
  // to change those. In real mode it is loaded as the CPU loads it: the base becomes selector × 16 (as in Unicorn).
  ACCESSORS.set(name, {
    read: (c) => c.s[Slot.SEG_SEL + seg] & 0xffff,
    write: (c, v) =>
      c.realMode ? c.loadSegment(seg, v) : c.setSegment(seg, v & 0xffff, { base: c.s[Slot.SEG_BASE + seg], limit: c.s[Slot.SEG_LIMIT + seg], attr: c.s[Slot.SEG_ATTR + seg] }),
  });
});
for (const [name, seg] of [['fs_base', Seg.FS], ['gs_base', Seg.GS]] as const) {
  ACCESSORS.set(name, {
    read: (c) => c.s[Slot.SEG_BASE + seg] >>> 0,
    write: (c, v) => c.setSegment(seg, c.s[Slot.SEG_SEL + seg], { base: v | 0, limit: c.s[Slot.SEG_LIMIT + seg], attr: c.s[Slot.SEG_ATTR + seg] }),
  });
}
ACCESSORS.set('cr0', slot(Slot.CR0));
ACCESSORS.set('cr2', slot(Slot.CR2));
ACCESSORS.set('cr3', slot(Slot.CR3));
ACCESSORS.set('cr4', slot(Slot.CR4));
ACCESSORS.set('mxcsr', slot(Slot.MXCSR));
ACCESSORS.set('fpcw', { read: (c) => c.s[Slot.FPU_CW] & 0xffff, write: (c, v) => void (c.s[Slot.FPU_CW] = v & 0xffff) });
// The status word with TOP in bits 11-13, which the state block keeps apart.
ACCESSORS.set('fpsw', {
  read: (c) => ((c.s[Slot.FPU_SW] & ~0x3800) | ((c.s[Slot.FPU_TOP] & 7) << 11)) & 0xffff,
  write: (c, v) => {
    c.s[Slot.FPU_SW] = v & 0xc7ff;
    c.s[Slot.FPU_TOP] = (v >>> 11) & 7;
  },
});

/** Every register name readRegister and writeRegister accept. */
export const REGISTER_NAMES: readonly RegisterName[] = [...ACCESSORS.keys()] as RegisterName[];

export function registerAccessor(name: string): Accessor {
  const a = ACCESSORS.get(name.toLowerCase());
  if (a === undefined) throw new RangeError(`unknown register "${name}" (known: ${REGISTER_NAMES.join(', ')}; XMM registers: readXmm/writeXmm)`);
  return a;
}
