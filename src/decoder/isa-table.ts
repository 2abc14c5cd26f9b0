/**
 * The ISA table: one row per encoding of every instruction our IA-32 CPU
 * implements (386/486/Pentium/P6 general-purpose and system instructions,
 * x87, MMX, SSE, SSE2, plus CMOV, CMPXCHG8B, RDTSC, SYSENTER/SYSEXIT, FXSR,
 * CLFLUSH, PAUSE and POPCNT). Everything not listed here is #UD.
 *
 * The decoder builds its dispatch from these rows; the interpreter, the
 * translator and the tests read the same rows. Rows are written with small
 * helpers so that each stays on one line:
 *
 *   one(opcode, 'mnemonic operands', ...traits)          one-byte map
 *   grp(opcode, ext, 'mnemonic operands', ...traits)     one-byte map, ModRM.reg extension
 *   two(opcode, 'mnemonic operands', ...traits)          0F map
 *   two(opcode, 'mnemonic operands', at(ext), ...)       0F map group row
 *   sse(opcode, prefix, 'mnemonic operands', ...traits)  0F map row selected by NP/66/F3/F2
 *   fpm(opcode, ext, 'mnemonic operands', ...traits)     x87 memory form (mod != 3)
 *   fpr(opcode, ext, rm, 'mnemonic operands', ...traits) x87 register form (mod = 3), rm -1 = any
 *
 * Traits are partial rows merged left to right. The operand notation is the
 * SDM's (see OperandSpec in types.ts). `modrm` and `modForm` are derived from
 * the operands (an M operand means memory only; R/N/U mean register only)
 * unless a trait sets them.
 *
 * Flag masks follow the "Flags Affected" sections of the Intel SDM vol. 2.
 * flagsWritten includes the flags left undefined; flagsUndefined is the
 * subset whose value is unspecified.
 */

import { ARITH_FLAGS, Flag, NP } from './types.js';
import type { ControlFlow, IsaEntry } from './types.js';

// ---------------------------------------------------------------------------
// Flag masks

const CF = Flag.CF;
const PF = Flag.PF;
const AF = Flag.AF;
const ZF = Flag.ZF;
const SF = Flag.SF;
const TF = Flag.TF;
const IF = Flag.IF;
const DF = Flag.DF;
const OF = Flag.OF;
const OSZAPC = ARITH_FLAGS;
const OSZAP = OSZAPC & ~CF;
const SZAPC = OSZAPC & ~OF;
const OSAP = OF | SF | AF | PF;
/** Every EFLAGS bit a PUSHF/INT reads and an IRET/RSM may write. */
const ALL_FLAGS =
  OSZAPC | TF | IF | DF | Flag.IOPL | Flag.NT | Flag.RF | Flag.VM | Flag.AC | Flag.VIF | Flag.VIP | Flag.ID;
/** Bits POPF can change (RF and VM are never loaded by POPF; VIF/VIP only by IRET). */
const POPF_FLAGS = OSZAPC | TF | IF | DF | Flag.IOPL | Flag.NT | Flag.AC | Flag.ID;
/** Bits cleared when an interrupt or exception is delivered. */
const INT_FLAGS = TF | IF | Flag.NT | Flag.RF | Flag.VM | Flag.AC;

/** Flags read by each condition code 0..15 (O NO B AE E NE BE A S NS P NP L GE LE G). */
export const COND_FLAGS: readonly number[] = [
  OF, OF, CF, CF, ZF, ZF, CF | ZF, CF | ZF, SF, SF, PF, PF, SF | OF, SF | OF, ZF | SF | OF, ZF | SF | OF,
];
export const COND_NAMES: readonly string[] = [
  'o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g',
];

// ---------------------------------------------------------------------------
// Row builders

type Trait = Partial<IsaEntry>;

/** Operand specs that come from the ModRM byte (fixed registers such as DX or ES are all capitals). */
const MODRM_OPERAND = /^([EGMRSCDPQNVWU][a-z0-9]*|STi)$/;
const MEM_ONLY_OPERAND = /^M[a-z0-9]*$/;
const REG_ONLY_OPERAND = /^[RNU][a-z0-9]*$/;

function build(map: number, opcode: number, text: string, traits: Trait[]): IsaEntry {
  const space = text.indexOf(' ');
  const mnemonic = space < 0 ? text : text.slice(0, space);
  const operands = space < 0 ? [] : text.slice(space + 1).split(',');
  const row: IsaEntry = {
    map,
    opcode,
    ext: -1,
    rm: -1,
    mandatory: 0,
    modForm: 'any',
    mnemonic,
    op: mnemonic,
    cond: -1,
    operands,
    flagsRead: 0,
    flagsWritten: 0,
    flagsUndefined: 0,
    control: 'none',
    modrm: false,
    privileged: false,
    group: 'misc',
    lockable: false,
  };
  let modFormSet = false;
  let modrmSet = false;
  for (const t of traits) {
    Object.assign(row, t);
    if (t.modForm !== undefined) modFormSet = true;
    if (t.modrm !== undefined) modrmSet = true;
  }
  if (!modrmSet) row.modrm = row.ext >= 0 || operands.some((o) => MODRM_OPERAND.test(o));
  if (!modFormSet) {
    if (operands.some((o) => MEM_ONLY_OPERAND.test(o))) row.modForm = 'mem';
    else if (operands.some((o) => REG_ONLY_OPERAND.test(o))) row.modForm = 'reg';
  }
  return row;
}

const ROWS: IsaEntry[] = [];

function one(opcode: number, text: string, ...traits: Trait[]): void {
  ROWS.push(build(0, opcode, text, traits));
}
function grp(opcode: number, ext: number, text: string, ...traits: Trait[]): void {
  ROWS.push(build(0, opcode, text, [{ ext }, ...traits]));
}
function two(opcode: number, text: string, ...traits: Trait[]): void {
  ROWS.push(build(0x0f, opcode, text, traits));
}
function sse(opcode: number, mandatory: number, text: string, ...traits: Trait[]): void {
  ROWS.push(build(0x0f, opcode, text, [{ mandatory }, ...traits]));
}
function fpm(opcode: number, ext: number, text: string, ...traits: Trait[]): void {
  ROWS.push(build(0, opcode, text, [x87, { ext, modForm: 'mem', modrm: true }, ...traits]));
}
function fpr(opcode: number, ext: number, rm: number, text: string, ...traits: Trait[]): void {
  ROWS.push(build(0, opcode, text, [x87, { ext, rm, modForm: 'reg', modrm: true }, ...traits]));
}

// ---------------------------------------------------------------------------
// Traits

const at = (ext: number): Trait => ({ ext });
const op = (name: string): Trait => ({ op: name });
const w16 = (mnemonic16: string): Trait => ({ mnemonic16 });
const cc = (cond: number): Trait => ({ cond, flagsRead: COND_FLAGS[cond] });
const cf = (control: ControlFlow): Trait => ({ control });
const reads = (flagsRead: number): Trait => ({ flagsRead });
const writes = (flagsWritten: number, flagsUndefined = 0): Trait => ({ flagsWritten, flagsUndefined });
const memOnly: Trait = { modForm: 'mem' };
const regOnly: Trait = { modForm: 'reg' };
const anyMod: Trait = { modForm: 'any' };

const LOCK: Trait = { lockable: true };
const PRIV: Trait = { privileged: true };
/** Block boundary that is not a branch (mode or interrupt-window changes, #UD). */
const STOP: Trait = { control: 'stop' };
const COND: Trait = { flagsConditional: true };

const arith: Trait = { group: 'alu', flagsWritten: OSZAPC };
const arithC: Trait = { group: 'alu', flagsRead: CF, flagsWritten: OSZAPC };
const logic: Trait = { group: 'alu', flagsWritten: OSZAPC, flagsUndefined: AF, undefinedFlagsFixed: true };
const incdec: Trait = { group: 'alu', flagsWritten: OSZAP };
const alu: Trait = { group: 'alu' };
const muldiv: Trait = { group: 'muldiv' };
const mulF: Trait = { group: 'muldiv', flagsWritten: OSZAPC, flagsUndefined: SF | ZF | AF | PF, undefinedFlagsFixed: true };
const divF: Trait = { group: 'muldiv', flagsWritten: OSZAPC, flagsUndefined: OSZAPC };
const bitF: Trait = { group: 'bit', flagsWritten: CF | OSAP, flagsUndefined: OSAP };
const bitscan: Trait = { group: 'bit', flagsWritten: OSZAPC, flagsUndefined: OSZAPC & ~ZF };
const bit: Trait = { group: 'bit' };
const move: Trait = { group: 'move' };
const stack: Trait = { group: 'stack' };
const seg: Trait = { group: 'seg' };
const bcd: Trait = { group: 'bcd' };
const flagOp: Trait = { group: 'flags' };
const io: Trait = { group: 'io', privileged: true };
const str: Trait = { group: 'string', flagsRead: DF };
const strCmp: Trait = { group: 'string', flagsRead: DF, flagsWritten: OSZAPC, flagsConditional: true };
const branch: Trait = { group: 'control' };
const sys: Trait = { group: 'system' };
const nop: Trait = { group: 'nop', op: 'nop' };
const x87: Trait = { group: 'x87' };
const mmx: Trait = { group: 'mmx' };
const sse1: Trait = { group: 'sse' };
const sse2: Trait = { group: 'sse2' };
const sse3: Trait = { group: 'sse3' };
/** COMISS/UCOMISS/FCOMI...: ZF PF CF from the comparison, OF SF AF cleared. */
const fcmpF: Trait = { flagsWritten: OSZAPC };

// Shifts and rotates. A masked count of 0 leaves every flag unchanged; OF is
// only defined for 1-bit shifts; AF is undefined for shifts.
const rotF = (n1: boolean): Trait => ({
  group: 'shift', flagsWritten: CF | OF, flagsUndefined: n1 ? 0 : OF, flagsConditional: !n1,
});
const rcF = (n1: boolean): Trait => ({
  group: 'shift', flagsRead: CF, flagsWritten: CF | OF, flagsUndefined: n1 ? 0 : OF, flagsConditional: !n1,
});
const shF = (n1: boolean): Trait => ({
  group: 'shift', flagsWritten: OSZAPC, flagsUndefined: n1 ? AF : AF | OF, flagsConditional: !n1,
});
const shdF: Trait = { group: 'shift', flagsWritten: OSZAPC, flagsUndefined: AF | OF, flagsConditional: true };

const REG8 = ['AL', 'CL', 'DL', 'BL', 'AH', 'CH', 'DH', 'BH'];
const REGV = ['eAX', 'eCX', 'eDX', 'eBX', 'eSP', 'eBP', 'eSI', 'eDI'];
const ALU_OPS = ['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp'];
const ALU_TRAITS = [arith, logic, arithC, arithC, logic, arith, logic, arith];
const SHIFT_OPS = ['rol', 'ror', 'rcl', 'rcr', 'shl', 'shr', 'sal', 'sar'];
const SHIFT_TRAITS = [rotF, rotF, rcF, rcF, shF, shF, shF, shF];

// ===========================================================================
// One-byte opcode map
// ===========================================================================

// 00-3F: the eight ALU operations in six forms each (x0..x5), LOCK on the memory-destination forms.
for (let i = 0; i < 8; i++) {
  const b = i * 8;
  const m = ALU_OPS[i];
  const t = ALU_TRAITS[i];
  const lk = m === 'cmp' ? {} : LOCK;
  one(b + 0, `${m} Eb,Gb`, t, lk);
  one(b + 1, `${m} Ev,Gv`, t, lk);
  one(b + 2, `${m} Gb,Eb`, t);
  one(b + 3, `${m} Gv,Ev`, t);
  one(b + 4, `${m} AL,Ib`, t);
  one(b + 5, `${m} eAX,Iz`, t);
}
one(0x06, 'push ES', stack, op('push-sreg'));
one(0x07, 'pop ES', stack, op('pop-sreg'));
one(0x0e, 'push CS', stack, op('push-sreg'));
one(0x16, 'push SS', stack, op('push-sreg'));
one(0x17, 'pop SS', stack, op('pop-sreg'));
one(0x1e, 'push DS', stack, op('push-sreg'));
one(0x1f, 'pop DS', stack, op('pop-sreg'));
one(0x27, 'daa', bcd, reads(CF | AF), writes(OSZAPC, OF));
one(0x2f, 'das', bcd, reads(CF | AF), writes(OSZAPC, OF));
one(0x37, 'aaa', bcd, reads(AF), writes(OSZAPC, OF | SF | ZF | PF));
one(0x3f, 'aas', bcd, reads(AF), writes(OSZAPC, OF | SF | ZF | PF));
for (let r = 0; r < 8; r++) one(0x40 + r, `inc ${REGV[r]}`, incdec);
for (let r = 0; r < 8; r++) one(0x48 + r, `dec ${REGV[r]}`, incdec);
for (let r = 0; r < 8; r++) one(0x50 + r, `push ${REGV[r]}`, stack);
for (let r = 0; r < 8; r++) one(0x58 + r, `pop ${REGV[r]}`, stack);
one(0x60, 'pushad', stack, op('pusha'), w16('pusha'));
one(0x61, 'popad', stack, op('popa'), w16('popa'));
one(0x62, 'bound Gv,Ma', branch, op('bound'));
one(0x63, 'arpl Ew,Gw', sys, writes(ZF));
one(0x68, 'push Iz', stack);
one(0x69, 'imul Gv,Ev,Iz', mulF);
one(0x6a, 'push Ibs', stack);
one(0x6b, 'imul Gv,Ev,Ibs', mulF);
one(0x6c, 'insb Yb,DX', str, io, op('ins'));
one(0x6d, 'insd Yv,DX', str, io, op('ins'), w16('insw'));
one(0x6e, 'outsb DX,Xb', str, io, op('outs'));
one(0x6f, 'outsd DX,Xv', str, io, op('outs'), w16('outsw'));
for (let c = 0; c < 16; c++) one(0x70 + c, `j${COND_NAMES[c]} Jb`, branch, op('jcc'), cc(c), cf('jcc'));
for (let i = 0; i < 8; i++) grp(0x80, i, `${ALU_OPS[i]} Eb,Ib`, ALU_TRAITS[i], i === 7 ? {} : LOCK);
for (let i = 0; i < 8; i++) grp(0x81, i, `${ALU_OPS[i]} Ev,Iz`, ALU_TRAITS[i], i === 7 ? {} : LOCK);
// 82 is an alias of 80 outside 64-bit mode.
for (let i = 0; i < 8; i++) grp(0x82, i, `${ALU_OPS[i]} Eb,Ib`, ALU_TRAITS[i], i === 7 ? {} : LOCK);
for (let i = 0; i < 8; i++) grp(0x83, i, `${ALU_OPS[i]} Ev,Ibs`, ALU_TRAITS[i], i === 7 ? {} : LOCK);
one(0x84, 'test Eb,Gb', logic);
one(0x85, 'test Ev,Gv', logic);
one(0x86, 'xchg Eb,Gb', move, LOCK);
one(0x87, 'xchg Ev,Gv', move, LOCK);
one(0x88, 'mov Eb,Gb', move);
one(0x89, 'mov Ev,Gv', move);
one(0x8a, 'mov Gb,Eb', move);
one(0x8b, 'mov Gv,Ev', move);
one(0x8c, 'mov Evw,Sw', seg, op('mov-from-sreg'));
one(0x8d, 'lea Gv,M', move);
one(0x8e, 'mov Sw,Ew', seg, op('mov-to-sreg')); // Sw = CS is #UD (checked by the decoder)
grp(0x8f, 0, 'pop Ev', stack);
one(0x90, 'nop', nop);
one(0x90, 'pause', { group: 'nop', mandatory: 0xf3 }); // F3 90: spin-loop hint, executes as NOP
for (let r = 1; r < 8; r++) one(0x90 + r, `xchg ${REGV[r]},eAX`, move);
one(0x98, 'cwde', move, op('cbw'), w16('cbw'));
one(0x99, 'cdq', move, op('cwd'), w16('cwd'));
one(0x9a, 'call Ap', branch, op('call-far'), cf('far'));
one(0x9b, 'wait', x87, op('fwait'));
one(0x9c, 'pushfd', stack, op('pushf'), w16('pushf'), reads(ALL_FLAGS));
one(0x9d, 'popfd', stack, op('popf'), w16('popf'), writes(POPF_FLAGS), STOP);
one(0x9e, 'sahf', flagOp, writes(SZAPC));
one(0x9f, 'lahf', flagOp, reads(SZAPC));
one(0xa0, 'mov AL,Ob', move);
one(0xa1, 'mov eAX,Ov', move);
one(0xa2, 'mov Ob,AL', move);
one(0xa3, 'mov Ov,eAX', move);
one(0xa4, 'movsb Yb,Xb', str, op('movs'));
one(0xa5, 'movsd Yv,Xv', str, op('movs'), w16('movsw'));
one(0xa6, 'cmpsb Xb,Yb', strCmp, op('cmps'));
one(0xa7, 'cmpsd Xv,Yv', strCmp, op('cmps'), w16('cmpsw'));
one(0xa8, 'test AL,Ib', logic);
one(0xa9, 'test eAX,Iz', logic);
one(0xaa, 'stosb Yb,AL', str, op('stos'));
one(0xab, 'stosd Yv,eAX', str, op('stos'), w16('stosw'));
one(0xac, 'lodsb AL,Xb', str, op('lods'));
one(0xad, 'lodsd eAX,Xv', str, op('lods'), w16('lodsw'));
one(0xae, 'scasb AL,Yb', strCmp, op('scas'));
one(0xaf, 'scasd eAX,Yv', strCmp, op('scas'), w16('scasw'));
for (let r = 0; r < 8; r++) one(0xb0 + r, `mov ${REG8[r]},Ib`, move);
for (let r = 0; r < 8; r++) one(0xb8 + r, `mov ${REGV[r]},Iv`, move);
for (let i = 0; i < 8; i++) grp(0xc0, i, `${SHIFT_OPS[i]} Eb,Ib`, SHIFT_TRAITS[i](false), i === 6 ? op('shl') : {});
for (let i = 0; i < 8; i++) grp(0xc1, i, `${SHIFT_OPS[i]} Ev,Ib`, SHIFT_TRAITS[i](false), i === 6 ? op('shl') : {});
one(0xc2, 'ret Iw', branch, cf('ret'));
one(0xc3, 'ret', branch, cf('ret'));
one(0xc4, 'les Gv,Mp', seg, op('load-far-ptr'));
one(0xc5, 'lds Gv,Mp', seg, op('load-far-ptr'));
grp(0xc6, 0, 'mov Eb,Ib', move);
grp(0xc7, 0, 'mov Ev,Iz', move);
one(0xc8, 'enter Iw,Ib', stack);
one(0xc9, 'leave', stack);
one(0xca, 'retf Iw', branch, op('ret-far'), cf('far'));
one(0xcb, 'retf', branch, op('ret-far'), cf('far'));
one(0xcc, 'int3', branch, reads(ALL_FLAGS), writes(INT_FLAGS), cf('int'));
one(0xcd, 'int Ib', branch, reads(ALL_FLAGS), writes(INT_FLAGS), cf('int'));
one(0xce, 'into', branch, reads(ALL_FLAGS), writes(INT_FLAGS), cf('int'));
one(0xcf, 'iretd', branch, op('iret'), w16('iret'), writes(ALL_FLAGS), cf('far'));
for (let i = 0; i < 8; i++) grp(0xd0, i, `${SHIFT_OPS[i]} Eb,1`, SHIFT_TRAITS[i](true), i === 6 ? op('shl') : {});
for (let i = 0; i < 8; i++) grp(0xd1, i, `${SHIFT_OPS[i]} Ev,1`, SHIFT_TRAITS[i](true), i === 6 ? op('shl') : {});
for (let i = 0; i < 8; i++) grp(0xd2, i, `${SHIFT_OPS[i]} Eb,CL`, SHIFT_TRAITS[i](false), i === 6 ? op('shl') : {});
for (let i = 0; i < 8; i++) grp(0xd3, i, `${SHIFT_OPS[i]} Ev,CL`, SHIFT_TRAITS[i](false), i === 6 ? op('shl') : {});
one(0xd4, 'aam Ib', bcd, writes(OSZAPC, OF | AF | CF));
one(0xd5, 'aad Ib', bcd, writes(OSZAPC, OF | AF | CF));
one(0xd6, 'salc', flagOp, reads(CF)); // undocumented: AL = CF ? 0xFF : 0
one(0xd7, 'xlatb', move, op('xlat')); // AL = [seg:eBX + zero-extended AL]
one(0xe0, 'loopne Jb', branch, reads(ZF), cf('jcc'));
one(0xe1, 'loope Jb', branch, reads(ZF), cf('jcc'));
one(0xe2, 'loop Jb', branch, cf('jcc'));
one(0xe3, 'jecxz Jb', branch, op('jcxz'), w16('jcxz'), cf('jcc')); // CX or ECX by address size
one(0xe4, 'in AL,Ib', io);
one(0xe5, 'in eAX,Ib', io);
one(0xe6, 'out Ib,AL', io);
one(0xe7, 'out Ib,eAX', io);
one(0xe8, 'call Jz', branch, cf('call'));
one(0xe9, 'jmp Jz', branch, cf('jmp'));
one(0xea, 'jmp Ap', branch, op('jmp-far'), cf('far'));
one(0xeb, 'jmp Jb', branch, cf('jmp'));
one(0xec, 'in AL,DX', io);
one(0xed, 'in eAX,DX', io);
one(0xee, 'out DX,AL', io);
one(0xef, 'out DX,eAX', io);
one(0xf1, 'int1', branch, reads(ALL_FLAGS), writes(INT_FLAGS), cf('int')); // ICEBP
one(0xf4, 'hlt', sys, PRIV, STOP);
one(0xf5, 'cmc', flagOp, reads(CF), writes(CF));
grp(0xf6, 0, 'test Eb,Ib', logic);
grp(0xf6, 1, 'test Eb,Ib', logic); // undocumented alias of /0
grp(0xf6, 2, 'not Eb', alu, LOCK);
grp(0xf6, 3, 'neg Eb', arith, LOCK);
grp(0xf6, 4, 'mul Eb', mulF);
grp(0xf6, 5, 'imul Eb', mulF, op('imul1'));
grp(0xf6, 6, 'div Eb', divF);
grp(0xf6, 7, 'idiv Eb', divF);
grp(0xf7, 0, 'test Ev,Iz', logic);
grp(0xf7, 1, 'test Ev,Iz', logic);
grp(0xf7, 2, 'not Ev', alu, LOCK);
grp(0xf7, 3, 'neg Ev', arith, LOCK);
grp(0xf7, 4, 'mul Ev', mulF);
grp(0xf7, 5, 'imul Ev', mulF, op('imul1'));
grp(0xf7, 6, 'div Ev', divF);
grp(0xf7, 7, 'idiv Ev', divF);
one(0xf8, 'clc', flagOp, writes(CF));
one(0xf9, 'stc', flagOp, writes(CF));
one(0xfa, 'cli', flagOp, PRIV, writes(IF));
one(0xfb, 'sti', flagOp, PRIV, writes(IF), STOP); // opens the interrupt window after the next instruction
one(0xfc, 'cld', flagOp, writes(DF));
one(0xfd, 'std', flagOp, writes(DF));
grp(0xfe, 0, 'inc Eb', incdec, LOCK);
grp(0xfe, 1, 'dec Eb', incdec, LOCK);
grp(0xff, 0, 'inc Ev', incdec, LOCK);
grp(0xff, 1, 'dec Ev', incdec, LOCK);
grp(0xff, 2, 'call Ev', branch, cf('call-indirect'));
grp(0xff, 3, 'call Mp', branch, op('call-far'), cf('far'));
grp(0xff, 4, 'jmp Ev', branch, cf('jmp-indirect'));
grp(0xff, 5, 'jmp Mp', branch, op('jmp-far'), cf('far'));
grp(0xff, 6, 'push Ev', stack);

// ===========================================================================
// x87 (D8-DF)
// ===========================================================================

const FARITH = ['fadd', 'fmul', 'fcom', 'fcomp', 'fsub', 'fsubr', 'fdiv', 'fdivr'];
const FIARITH = ['fiadd', 'fimul', 'ficom', 'ficomp', 'fisub', 'fisubr', 'fidiv', 'fidivr'];
for (let i = 0; i < 8; i++) fpm(0xd8, i, `${FARITH[i]} Mf32`);
for (let i = 0; i < 8; i++) fpr(0xd8, i, -1, i === 2 || i === 3 ? `${FARITH[i]} STi` : `${FARITH[i]} ST,STi`);
fpm(0xd9, 0, 'fld Mf32');
fpm(0xd9, 2, 'fst Mf32');
fpm(0xd9, 3, 'fstp Mf32');
fpm(0xd9, 4, 'fldenv Menv');
fpm(0xd9, 5, 'fldcw Mw');
fpm(0xd9, 6, 'fnstenv Menv');
fpm(0xd9, 7, 'fnstcw Mw');
fpr(0xd9, 0, -1, 'fld STi');
fpr(0xd9, 1, -1, 'fxch STi');
fpr(0xd9, 2, 0, 'fnop');
fpr(0xd9, 3, -1, 'fstp STi'); // D9 D8+i: reserved alias of DD D8+i (FSTP1)
const D9_E0 = ['fchs', 'fabs', '', '', 'ftst', 'fxam', '', ''];
const D9_E8 = ['fld1', 'fldl2t', 'fldl2e', 'fldpi', 'fldlg2', 'fldln2', 'fldz', ''];
const D9_F0 = ['f2xm1', 'fyl2x', 'fptan', 'fpatan', 'fxtract', 'fprem1', 'fdecstp', 'fincstp'];
const D9_F8 = ['fprem', 'fyl2xp1', 'fsqrt', 'fsincos', 'frndint', 'fscale', 'fsin', 'fcos'];
for (let rm = 0; rm < 8; rm++) if (D9_E0[rm]) fpr(0xd9, 4, rm, D9_E0[rm]);
for (let rm = 0; rm < 8; rm++) if (D9_E8[rm]) fpr(0xd9, 5, rm, D9_E8[rm]);
for (let rm = 0; rm < 8; rm++) fpr(0xd9, 6, rm, D9_F0[rm]);
for (let rm = 0; rm < 8; rm++) fpr(0xd9, 7, rm, D9_F8[rm]);
for (let i = 0; i < 8; i++) fpm(0xda, i, `${FIARITH[i]} Mi32`);
fpr(0xda, 0, -1, 'fcmovb ST,STi', op('fcmovcc'), cc(2));
fpr(0xda, 1, -1, 'fcmove ST,STi', op('fcmovcc'), cc(4));
fpr(0xda, 2, -1, 'fcmovbe ST,STi', op('fcmovcc'), cc(6));
fpr(0xda, 3, -1, 'fcmovu ST,STi', op('fcmovcc'), cc(10));
fpr(0xda, 5, 1, 'fucompp');
fpm(0xdb, 0, 'fild Mi32');
fpm(0xdb, 1, 'fisttp Mi32'); // SSE3: store truncated, whatever the rounding control
fpm(0xdb, 2, 'fist Mi32');
fpm(0xdb, 3, 'fistp Mi32');
fpm(0xdb, 5, 'fld Mf80');
fpm(0xdb, 7, 'fstp Mf80');
fpr(0xdb, 0, -1, 'fcmovnb ST,STi', op('fcmovcc'), cc(3));
fpr(0xdb, 1, -1, 'fcmovne ST,STi', op('fcmovcc'), cc(5));
fpr(0xdb, 2, -1, 'fcmovnbe ST,STi', op('fcmovcc'), cc(7));
fpr(0xdb, 3, -1, 'fcmovnu ST,STi', op('fcmovcc'), cc(11));
fpr(0xdb, 4, 0, 'fneni', op('fnop')); // 8087 only; a no-op from the 287 on
fpr(0xdb, 4, 1, 'fndisi', op('fnop')); // 8087 only; a no-op from the 287 on
fpr(0xdb, 4, 2, 'fnclex');
fpr(0xdb, 4, 3, 'fninit');
fpr(0xdb, 4, 4, 'fnsetpm', op('fnop')); // 287 only; a no-op from the 387 on
fpr(0xdb, 5, -1, 'fucomi ST,STi', fcmpF);
fpr(0xdb, 6, -1, 'fcomi ST,STi', fcmpF);
for (let i = 0; i < 8; i++) fpm(0xdc, i, `${FARITH[i]} Mf64`);
fpr(0xdc, 0, -1, 'fadd STi,ST');
fpr(0xdc, 1, -1, 'fmul STi,ST');
fpr(0xdc, 2, -1, 'fcom STi'); // reserved alias of D8 D0+i
fpr(0xdc, 3, -1, 'fcomp STi'); // reserved alias of D8 D8+i
fpr(0xdc, 4, -1, 'fsubr STi,ST');
fpr(0xdc, 5, -1, 'fsub STi,ST');
fpr(0xdc, 6, -1, 'fdivr STi,ST');
fpr(0xdc, 7, -1, 'fdiv STi,ST');
fpm(0xdd, 0, 'fld Mf64');
fpm(0xdd, 1, 'fisttp Mi64');
fpm(0xdd, 2, 'fst Mf64');
fpm(0xdd, 3, 'fstp Mf64');
fpm(0xdd, 4, 'frstor Mstate');
fpm(0xdd, 6, 'fnsave Mstate');
fpm(0xdd, 7, 'fnstsw Mw');
fpr(0xdd, 0, -1, 'ffree STi');
fpr(0xdd, 1, -1, 'fxch STi'); // reserved alias of D9 C8+i
fpr(0xdd, 2, -1, 'fst STi');
fpr(0xdd, 3, -1, 'fstp STi');
fpr(0xdd, 4, -1, 'fucom STi');
fpr(0xdd, 5, -1, 'fucomp STi');
for (let i = 0; i < 8; i++) fpm(0xde, i, `${FIARITH[i]} Mi16`);
fpr(0xde, 0, -1, 'faddp STi,ST');
fpr(0xde, 1, -1, 'fmulp STi,ST');
fpr(0xde, 2, -1, 'fcomp STi'); // reserved alias of D8 D8+i
fpr(0xde, 3, 1, 'fcompp');
fpr(0xde, 4, -1, 'fsubrp STi,ST');
fpr(0xde, 5, -1, 'fsubp STi,ST');
fpr(0xde, 6, -1, 'fdivrp STi,ST');
fpr(0xde, 7, -1, 'fdivp STi,ST');
fpm(0xdf, 0, 'fild Mi16');
fpm(0xdf, 1, 'fisttp Mi16');
fpm(0xdf, 2, 'fist Mi16');
fpm(0xdf, 3, 'fistp Mi16');
fpm(0xdf, 4, 'fbld Mbcd');
fpm(0xdf, 5, 'fild Mi64');
fpm(0xdf, 6, 'fbstp Mbcd');
fpm(0xdf, 7, 'fistp Mi64');
fpr(0xdf, 0, -1, 'ffreep STi'); // undocumented: FFREE then pop
fpr(0xdf, 1, -1, 'fxch STi'); // reserved alias of D9 C8+i
fpr(0xdf, 2, -1, 'fstp STi'); // reserved alias of DD D8+i
fpr(0xdf, 3, -1, 'fstp STi'); // reserved alias of DD D8+i
fpr(0xdf, 4, 0, 'fnstsw AX');
fpr(0xdf, 5, -1, 'fucomip ST,STi', fcmpF);
fpr(0xdf, 6, -1, 'fcomip ST,STi', fcmpF);

// ===========================================================================
// Two-byte opcode map (0F xx): general-purpose and system instructions
// ===========================================================================

two(0x00, 'sldt Evw', sys, at(0));
two(0x00, 'str Evw', sys, at(1));
two(0x00, 'lldt Ew', sys, at(2), PRIV);
two(0x00, 'ltr Ew', sys, at(3), PRIV);
two(0x00, 'verr Ew', sys, at(4), writes(ZF));
two(0x00, 'verw Ew', sys, at(5), writes(ZF));
two(0x01, 'sgdt Ms', sys, at(0));
two(0x01, 'sidt Ms', sys, at(1));
two(0x01, 'lgdt Ms', sys, at(2), PRIV);
two(0x01, 'lidt Ms', sys, at(3), PRIV);
two(0x01, 'smsw Evw', sys, at(4));
two(0x01, 'lmsw Ew', sys, at(6), PRIV, STOP);
two(0x01, 'invlpg Mb', sys, at(7), PRIV, STOP);
two(0x02, 'lar Gv,Evw', sys, writes(ZF));
two(0x03, 'lsl Gv,Evw', sys, writes(ZF));
two(0x06, 'clts', sys, PRIV, STOP);
two(0x08, 'invd', sys, PRIV);
two(0x09, 'wbinvd', sys, PRIV);
two(0x0b, 'ud2', sys, op('ud'), STOP);
// 0F 0D and 0F 18-1F: hint NOPs (reserved for future hints, execute as NOP from the P6 on).
two(0x0d, 'nop Ev', nop);
for (let ext = 0; ext < 4; ext++) two(0x18, 'nop Ev', nop, at(ext), regOnly);
two(0x18, 'prefetchnta Mb', nop, sse1, at(0));
two(0x18, 'prefetcht0 Mb', nop, sse1, at(1));
two(0x18, 'prefetcht1 Mb', nop, sse1, at(2));
two(0x18, 'prefetcht2 Mb', nop, sse1, at(3));
for (let ext = 4; ext < 8; ext++) two(0x18, 'nop Ev', nop, at(ext));
for (let b = 0x19; b <= 0x1f; b++) two(b, 'nop Ev', nop);
// MOV to/from control and debug registers: mod is ignored (always a register).
two(0x20, 'mov Rd,Cd', sys, op('mov-from-cr'), PRIV, anyMod, writes(OSZAPC, OSZAPC));
two(0x21, 'mov Rd,Dd', sys, op('mov-from-dr'), PRIV, anyMod, writes(OSZAPC, OSZAPC));
two(0x22, 'mov Cd,Rd', sys, op('mov-to-cr'), PRIV, anyMod, writes(OSZAPC, OSZAPC), STOP);
two(0x23, 'mov Dd,Rd', sys, op('mov-to-dr'), PRIV, anyMod, writes(OSZAPC, OSZAPC), STOP);
two(0x30, 'wrmsr', sys, PRIV, STOP);
two(0x31, 'rdtsc', sys);
two(0x32, 'rdmsr', sys, PRIV);
two(0x33, 'rdpmc', sys, PRIV);
two(0x34, 'sysenter', sys, writes(IF | Flag.RF | Flag.VM), cf('int'));
two(0x35, 'sysexit', sys, PRIV, cf('far'));
for (let c = 0; c < 16; c++) two(0x40 + c, `cmov${COND_NAMES[c]} Gv,Ev`, move, op('cmovcc'), cc(c));
for (let c = 0; c < 16; c++) two(0x80 + c, `j${COND_NAMES[c]} Jz`, branch, op('jcc'), cc(c), cf('jcc'));
// SETcc: ModRM.reg is ignored.
for (let c = 0; c < 16; c++) two(0x90 + c, `set${COND_NAMES[c]} Eb`, move, op('setcc'), cc(c));
two(0xa0, 'push FS', stack, op('push-sreg'));
two(0xa1, 'pop FS', stack, op('pop-sreg'));
two(0xa2, 'cpuid', sys);
two(0xa3, 'bt Ev,Gv', bitF);
two(0xa4, 'shld Ev,Gv,Ib', shdF);
two(0xa5, 'shld Ev,Gv,CL', shdF);
two(0xa8, 'push GS', stack, op('push-sreg'));
two(0xa9, 'pop GS', stack, op('pop-sreg'));
two(0xaa, 'rsm', sys, PRIV, writes(ALL_FLAGS), cf('far')); // #UD outside SMM
two(0xab, 'bts Ev,Gv', bitF, LOCK);
two(0xac, 'shrd Ev,Gv,Ib', shdF);
two(0xad, 'shrd Ev,Gv,CL', shdF);
two(0xaf, 'imul Gv,Ev', mulF);
two(0xb0, 'cmpxchg Eb,Gb', move, writes(OSZAPC), LOCK);
two(0xb1, 'cmpxchg Ev,Gv', move, writes(OSZAPC), LOCK);
two(0xb2, 'lss Gv,Mp', seg, op('load-far-ptr'));
two(0xb3, 'btr Ev,Gv', bitF, LOCK);
two(0xb4, 'lfs Gv,Mp', seg, op('load-far-ptr'));
two(0xb5, 'lgs Gv,Mp', seg, op('load-far-ptr'));
two(0xb6, 'movzx Gv,Eb', move);
two(0xb7, 'movzx Gv,Ew', move);
sse(0xb8, 0xf3, 'popcnt Gv,Ev', bit, writes(OSZAPC));
two(0xb9, 'ud1 Gv,Ev', sys, op('ud'), STOP);
two(0xba, 'bt Ev,Ib', bitF, at(4));
two(0xba, 'bts Ev,Ib', bitF, at(5), LOCK);
two(0xba, 'btr Ev,Ib', bitF, at(6), LOCK);
two(0xba, 'btc Ev,Ib', bitF, at(7), LOCK);
two(0xbb, 'btc Ev,Gv', bitF, LOCK);
two(0xbc, 'bsf Gv,Ev', bitscan); // F3 0F BC (TZCNT) is BSF on this CPU
two(0xbd, 'bsr Gv,Ev', bitscan); // F3 0F BD (LZCNT) is BSR on this CPU
two(0xbe, 'movsx Gv,Eb', move);
two(0xbf, 'movsx Gv,Ew', move);
two(0xc0, 'xadd Eb,Gb', alu, writes(OSZAPC), LOCK);
two(0xc1, 'xadd Ev,Gv', alu, writes(OSZAPC), LOCK);
two(0xc7, 'cmpxchg8b Mq', move, at(1), writes(ZF), LOCK);
for (let r = 0; r < 8; r++) two(0xc8 + r, `bswap ${REGV[r]}`, bit);
two(0xff, 'ud0 Gv,Ev', sys, op('ud'), STOP);

// ===========================================================================
// Two-byte opcode map: MMX, SSE, SSE2
// ===========================================================================

const P66 = 0x66;
const PF3 = 0xf3;
const PF2 = 0xf2;

sse(0x10, NP, 'movups Vps,Wps', sse1);
sse(0x10, P66, 'movupd Vpd,Wpd', sse2);
sse(0x10, PF3, 'movss Vss,Wss', sse1);
sse(0x10, PF2, 'movsd Vsd,Wsd', sse2, op('movsd-sse'));
sse(0x11, NP, 'movups Wps,Vps', sse1);
sse(0x11, P66, 'movupd Wpd,Vpd', sse2);
sse(0x11, PF3, 'movss Wss,Vss', sse1);
sse(0x11, PF2, 'movsd Wsd,Vsd', sse2, op('movsd-sse'));
sse(0x12, NP, 'movlps Vq,Mq', sse1);
sse(0x12, NP, 'movhlps Vq,Uq', sse1);
sse(0x12, P66, 'movlpd Vq,Mq', sse2);
sse(0x12, PF3, 'movsldup Vdq,Wdq', sse3);
sse(0x12, PF2, 'movddup Vdq,Wq', sse3);
sse(0x13, NP, 'movlps Mq,Vq', sse1);
sse(0x13, P66, 'movlpd Mq,Vq', sse2);
sse(0x14, NP, 'unpcklps Vps,Wps', sse1);
sse(0x14, P66, 'unpcklpd Vpd,Wpd', sse2);
sse(0x15, NP, 'unpckhps Vps,Wps', sse1);
sse(0x15, P66, 'unpckhpd Vpd,Wpd', sse2);
sse(0x16, NP, 'movhps Vq,Mq', sse1);
sse(0x16, NP, 'movlhps Vq,Uq', sse1);
sse(0x16, P66, 'movhpd Vq,Mq', sse2);
sse(0x16, PF3, 'movshdup Vdq,Wdq', sse3);
sse(0x17, NP, 'movhps Mq,Vq', sse1);
sse(0x17, P66, 'movhpd Mq,Vq', sse2);
sse(0x28, NP, 'movaps Vps,Wps', sse1);
sse(0x28, P66, 'movapd Vpd,Wpd', sse2);
sse(0x29, NP, 'movaps Wps,Vps', sse1);
sse(0x29, P66, 'movapd Wpd,Vpd', sse2);
sse(0x2a, NP, 'cvtpi2ps Vps,Qq', sse1);
sse(0x2a, P66, 'cvtpi2pd Vpd,Qq', sse2);
sse(0x2a, PF3, 'cvtsi2ss Vss,Ed', sse1);
sse(0x2a, PF2, 'cvtsi2sd Vsd,Ed', sse2);
sse(0x2b, NP, 'movntps Mdq,Vps', sse1);
sse(0x2b, P66, 'movntpd Mdq,Vpd', sse2);
sse(0x2c, NP, 'cvttps2pi Pq,Wq', sse1);
sse(0x2c, P66, 'cvttpd2pi Pq,Wpd', sse2);
sse(0x2c, PF3, 'cvttss2si Gd,Wss', sse1);
sse(0x2c, PF2, 'cvttsd2si Gd,Wsd', sse2);
sse(0x2d, NP, 'cvtps2pi Pq,Wq', sse1);
sse(0x2d, P66, 'cvtpd2pi Pq,Wpd', sse2);
sse(0x2d, PF3, 'cvtss2si Gd,Wss', sse1);
sse(0x2d, PF2, 'cvtsd2si Gd,Wsd', sse2);
sse(0x2e, NP, 'ucomiss Vss,Wss', sse1, fcmpF);
sse(0x2e, P66, 'ucomisd Vsd,Wsd', sse2, fcmpF);
sse(0x2f, NP, 'comiss Vss,Wss', sse1, fcmpF);
sse(0x2f, P66, 'comisd Vsd,Wsd', sse2, fcmpF);
sse(0x50, NP, 'movmskps Gd,Ups', sse1);
sse(0x50, P66, 'movmskpd Gd,Upd', sse2);
// 51-5F arithmetic: ps (NP) / pd (66) / ss (F3) / sd (F2).
const SSE_ARITH: [number, string, boolean][] = [
  [0x51, 'sqrt', true], [0x52, 'rsqrt', false], [0x53, 'rcp', false], [0x58, 'add', true], [0x59, 'mul', true],
  [0x5c, 'sub', true], [0x5d, 'min', true], [0x5e, 'div', true], [0x5f, 'max', true],
];
for (const [b, m, hasDouble] of SSE_ARITH) {
  sse(b, NP, `${m}ps Vps,Wps`, sse1);
  sse(b, PF3, `${m}ss Vss,Wss`, sse1);
  if (hasDouble) sse(b, P66, `${m}pd Vpd,Wpd`, sse2);
  if (hasDouble) sse(b, PF2, `${m}sd Vsd,Wsd`, sse2);
}
const SSE_LOGIC: [number, string][] = [[0x54, 'and'], [0x55, 'andn'], [0x56, 'or'], [0x57, 'xor']];
for (const [b, m] of SSE_LOGIC) {
  sse(b, NP, `${m}ps Vps,Wps`, sse1);
  sse(b, P66, `${m}pd Vpd,Wpd`, sse2);
}
sse(0x5a, NP, 'cvtps2pd Vpd,Wq', sse2);
sse(0x5a, P66, 'cvtpd2ps Vps,Wpd', sse2);
sse(0x5a, PF3, 'cvtss2sd Vsd,Wss', sse2);
sse(0x5a, PF2, 'cvtsd2ss Vss,Wsd', sse2);
sse(0x5b, NP, 'cvtdq2ps Vps,Wdq', sse2);
sse(0x5b, P66, 'cvtps2dq Vdq,Wps', sse2);
sse(0x5b, PF3, 'cvttps2dq Vdq,Wps', sse2);

// Integer SIMD with an MMX form (NP, Pq,Qq) and an SSE2 form (66, Vdq,Wdq).
// The third column says which CPU feature brought the MMX-register form.
const SIMD_INT: [number, string, Trait][] = [
  [0x63, 'packsswb', mmx], [0x64, 'pcmpgtb', mmx], [0x65, 'pcmpgtw', mmx], [0x66, 'pcmpgtd', mmx],
  [0x67, 'packuswb', mmx], [0x68, 'punpckhbw', mmx], [0x69, 'punpckhwd', mmx], [0x6a, 'punpckhdq', mmx],
  [0x6b, 'packssdw', mmx], [0x74, 'pcmpeqb', mmx], [0x75, 'pcmpeqw', mmx], [0x76, 'pcmpeqd', mmx],
  [0xd1, 'psrlw', mmx], [0xd2, 'psrld', mmx], [0xd3, 'psrlq', mmx], [0xd4, 'paddq', sse2],
  [0xd5, 'pmullw', mmx], [0xd8, 'psubusb', mmx], [0xd9, 'psubusw', mmx], [0xda, 'pminub', sse1],
  [0xdb, 'pand', mmx], [0xdc, 'paddusb', mmx], [0xdd, 'paddusw', mmx], [0xde, 'pmaxub', sse1],
  [0xdf, 'pandn', mmx], [0xe0, 'pavgb', sse1], [0xe1, 'psraw', mmx], [0xe2, 'psrad', mmx],
  [0xe3, 'pavgw', sse1], [0xe4, 'pmulhuw', sse1], [0xe5, 'pmulhw', mmx], [0xe8, 'psubsb', mmx],
  [0xe9, 'psubsw', mmx], [0xea, 'pminsw', sse1], [0xeb, 'por', mmx], [0xec, 'paddsb', mmx],
  [0xed, 'paddsw', mmx], [0xee, 'pmaxsw', sse1], [0xef, 'pxor', mmx], [0xf1, 'psllw', mmx],
  [0xf2, 'pslld', mmx], [0xf3, 'psllq', mmx], [0xf4, 'pmuludq', sse2], [0xf5, 'pmaddwd', mmx],
  [0xf6, 'psadbw', sse1], [0xf8, 'psubb', mmx], [0xf9, 'psubw', mmx], [0xfa, 'psubd', mmx],
  [0xfb, 'psubq', sse2], [0xfc, 'paddb', mmx], [0xfd, 'paddw', mmx], [0xfe, 'paddd', mmx],
];
sse(0x60, NP, 'punpcklbw Pq,Qd', mmx);
sse(0x61, NP, 'punpcklwd Pq,Qd', mmx);
sse(0x62, NP, 'punpckldq Pq,Qd', mmx);
sse(0x60, P66, 'punpcklbw Vdq,Wdq', sse2);
sse(0x61, P66, 'punpcklwd Vdq,Wdq', sse2);
sse(0x62, P66, 'punpckldq Vdq,Wdq', sse2);
for (const [b, m, t] of SIMD_INT) {
  sse(b, NP, `${m} Pq,Qq`, t);
  sse(b, P66, `${m} Vdq,Wdq`, sse2);
}
sse(0x6c, P66, 'punpcklqdq Vdq,Wdq', sse2);
sse(0x6d, P66, 'punpckhqdq Vdq,Wdq', sse2);
sse(0x6e, NP, 'movd Pq,Ed', mmx);
sse(0x6e, P66, 'movd Vdq,Ed', sse2);
sse(0x6f, NP, 'movq Pq,Qq', mmx);
sse(0x6f, P66, 'movdqa Vdq,Wdq', sse2);
sse(0x6f, PF3, 'movdqu Vdq,Wdq', sse2);
sse(0x70, NP, 'pshufw Pq,Qq,Ib', sse1);
sse(0x70, P66, 'pshufd Vdq,Wdq,Ib', sse2);
sse(0x70, PF3, 'pshufhw Vdq,Wdq,Ib', sse2);
sse(0x70, PF2, 'pshuflw Vdq,Wdq,Ib', sse2);
// Groups 12-14: shifts by immediate, register operands only.
const SHIFT_IMM: [number, number, string][] = [
  [0x71, 2, 'psrlw'], [0x71, 4, 'psraw'], [0x71, 6, 'psllw'],
  [0x72, 2, 'psrld'], [0x72, 4, 'psrad'], [0x72, 6, 'pslld'],
  [0x73, 2, 'psrlq'], [0x73, 6, 'psllq'],
];
for (const [b, ext, m] of SHIFT_IMM) {
  sse(b, NP, `${m} Nq,Ib`, mmx, at(ext));
  sse(b, P66, `${m} Udq,Ib`, sse2, at(ext));
}
sse(0x73, P66, 'psrldq Udq,Ib', sse2, at(3));
sse(0x73, P66, 'pslldq Udq,Ib', sse2, at(7));
sse(0x77, NP, 'emms', mmx);
sse(0x7c, P66, 'haddpd Vpd,Wpd', sse3);
sse(0x7c, PF2, 'haddps Vps,Wps', sse3);
sse(0x7d, P66, 'hsubpd Vpd,Wpd', sse3);
sse(0x7d, PF2, 'hsubps Vps,Wps', sse3);
sse(0x7e, NP, 'movd Ed,Pq', mmx);
sse(0x7e, P66, 'movd Ed,Vdq', sse2);
sse(0x7e, PF3, 'movq Vq,Wq', sse2);
sse(0x7f, NP, 'movq Qq,Pq', mmx);
sse(0x7f, P66, 'movdqa Wdq,Vdq', sse2);
sse(0x7f, PF3, 'movdqu Wdq,Vdq', sse2);
// Group 15.
sse(0xae, NP, 'fxsave Mfx', x87, at(0));
sse(0xae, NP, 'fxrstor Mfx', x87, at(1));
sse(0xae, NP, 'ldmxcsr Md', sse1, at(2));
sse(0xae, NP, 'stmxcsr Md', sse1, at(3));
sse(0xae, NP, 'clflush Mb', sse2, at(7));
sse(0xae, NP, 'lfence', sse2, at(5), regOnly);
sse(0xae, NP, 'mfence', sse2, at(6), regOnly);
sse(0xae, NP, 'sfence', sse1, at(7), regOnly);
sse(0xc2, NP, 'cmpps Vps,Wps,Ib', sse1);
sse(0xc2, P66, 'cmppd Vpd,Wpd,Ib', sse2);
sse(0xc2, PF3, 'cmpss Vss,Wss,Ib', sse1);
sse(0xc2, PF2, 'cmpsd Vsd,Wsd,Ib', sse2, op('cmpsd-sse'));
sse(0xc3, NP, 'movnti Md,Gd', sse2);
sse(0xc4, NP, 'pinsrw Pq,Edw,Ib', sse1);
sse(0xc4, P66, 'pinsrw Vdq,Edw,Ib', sse2);
sse(0xc5, NP, 'pextrw Gd,Nq,Ib', sse1);
sse(0xc5, P66, 'pextrw Gd,Udq,Ib', sse2);
sse(0xc6, NP, 'shufps Vps,Wps,Ib', sse1);
sse(0xc6, P66, 'shufpd Vpd,Wpd,Ib', sse2);
sse(0xd0, P66, 'addsubpd Vpd,Wpd', sse3);
sse(0xd0, PF2, 'addsubps Vps,Wps', sse3);
sse(0xd6, P66, 'movq Wq,Vq', sse2);
sse(0xd6, PF3, 'movq2dq Vdq,Nq', sse2);
sse(0xd6, PF2, 'movdq2q Pq,Uq', sse2);
sse(0xd7, NP, 'pmovmskb Gd,Nq', sse1);
sse(0xd7, P66, 'pmovmskb Gd,Udq', sse2);
sse(0xe6, P66, 'cvttpd2dq Vdq,Wpd', sse2);
sse(0xe6, PF3, 'cvtdq2pd Vpd,Wq', sse2);
sse(0xe6, PF2, 'cvtpd2dq Vdq,Wpd', sse2);
sse(0xe7, NP, 'movntq Mq,Pq', sse1);
sse(0xe7, P66, 'movntdq Mdq,Vdq', sse2);
sse(0xf0, PF2, 'lddqu Vdq,Mdq', sse3);
sse(0xf7, NP, 'maskmovq Pq,Nq', sse1);
sse(0xf7, P66, 'maskmovdqu Vdq,Udq', sse2);

for (const row of ROWS) {
  Object.freeze(row.operands);
  Object.freeze(row);
}

/** Every instruction encoding of the CPU, one row each (frozen). */
export const ISA_TABLE: readonly IsaEntry[] = Object.freeze(ROWS);
