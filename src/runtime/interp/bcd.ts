import { Instruction } from '../../decoder/types.js';
import { PARITY_TABLE, readFlags } from '../flags.js';
import { Slot } from '../layout.js';
import type { Machine } from '../machine.js';
import { Exec } from './operands.js';
import { divideError } from './muldiv.js';

/** DAA DAS AAA AAS AAM AAD. */
export function compileBcd(insn: Instruction, vm: Machine): Exec {
  const s = vm.cpu.s, r8 = vm.cpu.r8, r16 = vm.cpu.r16;
  const setSZP = (f: number, v: number): number =>
    (f & ~0xc4) | (v === 0 ? 0x40 : 0) | (v & 0x80) | (PARITY_TABLE[v] << 2);
  const done = (f: number): void => {
    s[Slot.FLAGS] = f;
    s[Slot.LAZY_OP] = 0;
  };
  switch (insn.entry.op) {
    case 'daa':
      return () => {
        let f = readFlags(s);
        const oldAl = r8[0], oldCf = f & 1;
        let al = oldAl;
        f &= ~1;
        if ((al & 0xf) > 9 || f & 0x10) {
          al += 6;
          f = (f & ~1) | oldCf | (al > 0xff ? 1 : 0) | 0x10;
          al &= 0xff;
        } else f &= ~0x10;
        if (oldAl > 0x99 || oldCf) { al = (al + 0x60) & 0xff; f |= 1; } else f &= ~1;
        r8[0] = al;
        done(setSZP(f & ~0x800, al));
      };
    case 'das':
      return () => {
        let f = readFlags(s);
        const oldAl = r8[0], oldCf = f & 1;
        let al = oldAl;
        f &= ~1;
        if ((al & 0xf) > 9 || f & 0x10) {
          const borrow = al < 6 ? 1 : 0;
          al = (al - 6) & 0xff;
          f = (f & ~1) | oldCf | borrow | 0x10;
        } else f &= ~0x10;
        if (oldAl > 0x99 || oldCf) { al = (al - 0x60) & 0xff; f |= 1; }
        r8[0] = al;
        done(setSZP(f & ~0x800, al));
      };
    case 'aaa':
    case 'aas': {
      const add = insn.entry.op === 'aaa';
      return () => {
        let f = readFlags(s);
        if ((r8[0] & 0xf) > 9 || f & 0x10) {
          if (add) r16[0] = r16[0] + 0x106;
          else { r16[0] = r16[0] - 6; r8[1] = r8[1] - 1; }
          f |= 0x11;
        } else f &= ~0x11;
        r8[0] &= 0xf;
        done(setSZP(f & ~0x800, r8[0]));
      };
    }
    case 'aam': {
      const base = insn.operands.length ? insn.operands[0].value & 0xff : 10;
      return () => {
        if (base === 0) divideError();
        const al = r8[0];
        r8[1] = Math.floor(al / base);
        r8[0] = al % base;
        done(setSZP(readFlags(s) & ~0x811, r8[0]));
      };
    }
    default: { // aad
      const base = insn.operands.length ? insn.operands[0].value & 0xff : 10;
      return () => {
        const al = (r8[0] + r8[1] * base) & 0xff;
        r16[0] = al;
        done(setSZP(readFlags(s) & ~0x811, al));
      };
    }
  }
}
