/**
 * Intel-syntax text for a decoded instruction, in the style of
 * `objdump -M intel` / iced: `mov eax, dword ptr [ebx+ecx*4+0x10]`,
 * `jne 0x8049000`, `rep movsd`, `fadd st(0), st(3)`.
 */

import { Prefix } from './types.js';
import type { Instruction, Operand } from './types.js';

const REG8 = ['al', 'cl', 'dl', 'bl', 'ah', 'ch', 'dh', 'bh'];
const REG16 = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'];
const REG32 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'];
const SREG = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'];

const SIZE_NAMES: Record<number, string> = {
  1: 'byte', 2: 'word', 4: 'dword', 6: 'fword', 8: 'qword', 10: 'tbyte', 16: 'xmmword',
};

function hex(v: number): string {
  return '0x' + (v >>> 0).toString(16);
}

export function registerName(size: number, reg: number): string {
  return size === 1 ? REG8[reg] : size === 2 ? REG16[reg] : REG32[reg];
}

function memory(insn: Instruction, o: Operand, showSize: boolean): string {
  const regs = o.addrSize === 2 ? REG16 : REG32;
  let inner = '';
  if (o.base >= 0) inner = regs[o.base];
  if (o.index >= 0) inner += (inner ? '+' : '') + regs[o.index] + (o.scale ? '*' + (1 << o.scale) : '');
  if (!inner) inner = hex(o.addrSize === 2 ? o.disp & 0xffff : o.disp);
  else if (o.disp !== 0) inner += o.disp < 0 ? '-' + hex(-o.disp) : '+' + hex(o.disp);
  const seg = insn.segOverride >= 0 ? SREG[o.seg] + ':' : '';
  const size = showSize ? SIZE_NAMES[o.size] : undefined;
  return (size ? size + ' ptr ' : '') + seg + '[' + inner + ']';
}

function immediate(o: Operand): string {
  const mask = o.size === 1 ? 0xff : o.size === 2 ? 0xffff : 0xffffffff;
  return hex(o.value & mask);
}

/** Groups whose memory operands carry no size keyword (areas, LEA, far-pointer loads). */
function memorySizeShown(insn: Instruction): boolean {
  const op = insn.entry.op;
  return op !== 'lea' && op !== 'load-far-ptr' && op !== 'nop' && op !== 'invlpg' && op !== 'clflush';
}

function formatOperand(insn: Instruction, o: Operand): string {
  switch (o.kind) {
    case 'reg': return registerName(o.size, o.reg);
    case 'mem': return memory(insn, o, memorySizeShown(insn));
    case 'imm': return immediate(o);
    case 'rel': return hex(o.value);
    case 'far': return hex(o.selector) + ':' + hex(o.value);
    case 'sreg': return SREG[o.reg];
    case 'creg': return 'cr' + o.reg;
    case 'dreg': return 'dr' + o.reg;
    case 'st': return 'st(' + o.reg + ')';
    case 'mmx': return 'mm' + o.reg;
    case 'xmm': return 'xmm' + o.reg;
  }
}

/** Intel-syntax disassembly of one instruction. */
export function formatInstruction(insn: Instruction): string {
  const e = insn.entry;
  let text = '';
  if (insn.prefixes & Prefix.LOCK) text += 'lock ';
  if (e.group === 'string' && insn.rep !== 0) {
    if (e.op === 'cmps' || e.op === 'scas') text += insn.rep === 1 ? 'repe ' : 'repne ';
    else text += 'rep ';
  }
  text += insn.mnemonic;
  // String instructions and XLAT show only their mnemonic (plus an explicit segment override).
  if (e.group === 'string' || e.op === 'xlat') {
    if (insn.segOverride >= 0 && e.op !== 'stos' && e.op !== 'scas' && e.op !== 'ins') {
      text = SREG[insn.segOverride] + ' ' + text;
    }
    return text;
  }
  const ops = insn.operands;
  for (let i = 0; i < ops.length; i++) text += (i === 0 ? ' ' : ', ') + formatOperand(insn, ops[i]);
  return text;
}
