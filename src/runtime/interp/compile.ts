import { X87_SEMANTICS } from './x87.js';
import { compileIo } from './io.js';
import { compileCacheControl, compileFastSystemCall, compileHlt, compileLoadLdtRegister, compileMoveDebugRegister, compileMsr, compileLoadTableRegister, compileLoadTaskRegister, compileMoveControlRegister, compileStoreTableRegister, compileLoadMachineStatusWord, compileStoreMachineStatusWord } from './system.js';
import { X87_EXACT_SEMANTICS } from './x87-exact.js';
import { SSE_SEMANTICS } from './sse.js';
import { Instruction, Seg } from '../../decoder/types.js';
import type { Machine } from '../machine.js';
import { compileAlu, compileUnary } from './alu.js';
import { compileBcd } from './bcd.js';
import { compileDiv, compileImulTrunc, compileMul } from './muldiv.js';
import {
  compileCall, compileCpuid, compileInt, compileJcc, compileJmp, compileLoop, compilePrivileged, compileRdtsc,
  compileRet, compileUmip,
} from './control.js';
import { compileBitScan, compileBitTest, compilePopcnt } from './bits.js';
import { compileCmovcc, compileFlagOp, compileSetcc } from './flag-ops.js';
import {
  compileBound, compileBswap, compileCmpxchg, compileCmpxchg8b, compileConvert, compileLea, compileLoadFarPointer,
  compileMov, compileMovx, compileXadd, compileXchg, compileXlat,
} from './move.js';
import {
  compileEnter, compileLeave, compilePop, compilePopa, compilePopf, compilePush, compilePusha, compilePushf,
} from './stack-ops.js';
import { compileFarCall, compileFarJump, compileFarReturn, compileIret } from './far.js';
import { Exec, undefinedOpcode } from './operands.js';
import { compileSegmentQuery } from './segment-query.js';
import { compileDoubleShift, compileShift } from './shift.js';
import { Stack } from './stack.js';
import { compileString } from './string.js';

export type { Exec };

type Compiler = (insn: Instruction, vm: Machine, stack: Stack, flagsDead: boolean) => Exec;

const nop: Compiler = () => () => {};

const FAR_POINTER_SEGMENT: Record<string, Seg> = { lds: Seg.DS, les: Seg.ES, lfs: Seg.FS, lgs: Seg.GS, lss: Seg.SS };

/**
 * The interpreter's half of the ISA table: semantic operation name (the
 * table's `op` column) → the function that compiles one decoded
 * instruction into a closure. An op of the table with no row here is
 * reported as unimplemented when a guest reaches it.
 */
export const SEMANTICS: Readonly<Record<string, Compiler>> = {
  add: compileAlu, or: compileAlu, adc: compileAlu, sbb: compileAlu,
  and: compileAlu, sub: compileAlu, xor: compileAlu, cmp: compileAlu, test: compileAlu,
  inc: compileUnary, dec: compileUnary, neg: compileUnary, not: compileUnary,
  mul: compileMul,
  imul: (insn, vm) => (insn.operands.length === 1 ? compileMul(insn, vm) : compileImulTrunc(insn, vm)),
  div: compileDiv, idiv: compileDiv,
  daa: compileBcd, das: compileBcd, aaa: compileBcd, aas: compileBcd, aam: compileBcd, aad: compileBcd,
  rol: compileShift, ror: compileShift, rcl: compileShift, rcr: compileShift,
  shl: compileShift, shr: compileShift, sar: compileShift,
  shld: compileDoubleShift, shrd: compileDoubleShift,
  mov: compileMov, movzx: compileMovx, movsx: compileMovx, lea: compileLea,
  xchg: compileXchg, cmpxchg: compileCmpxchg, cmpxchg8b: compileCmpxchg8b, xadd: compileXadd, bswap: compileBswap,
  push: compilePush, pop: compilePop, pusha: compilePusha, popa: compilePopa,
  pushf: compilePushf, popf: compilePopf, enter: compileEnter, leave: compileLeave,
  cbw: compileConvert, cwd: compileConvert,
  clc: compileFlagOp, stc: compileFlagOp, cmc: compileFlagOp, cld: compileFlagOp, std: compileFlagOp,
  cli: compileFlagOp, sti: compileFlagOp, lahf: compileFlagOp, sahf: compileFlagOp, salc: compileFlagOp,
  xlat: compileXlat,
  setcc: compileSetcc, cmovcc: compileCmovcc,
  bt: compileBitTest, bts: compileBitTest, btr: compileBitTest, btc: compileBitTest,
  bsf: compileBitScan, bsr: compileBitScan, popcnt: compilePopcnt,
  'load-far-ptr': (i, vm) => compileLoadFarPointer(i, vm, FAR_POINTER_SEGMENT[i.entry.mnemonic] ?? Seg.DS),
  bound: compileBound,
  'push-sreg': compilePush, 'pop-sreg': compilePop, 'mov-from-sreg': compileMov, 'mov-to-sreg': compileMov,
  imul1: compileMul,
  fwait: nop,
  ...X87_SEMANTICS,
  ...SSE_SEMANTICS,
  ud: (i) => undefinedOpcode(i, `${i.mnemonic} (invalid opcode)`),
  jmp: compileJmp, jcc: compileJcc, call: compileCall, ret: compileRet,
  lar: compileSegmentQuery, lsl: compileSegmentQuery, verr: compileSegmentQuery, verw: compileSegmentQuery,
  arpl: compileSegmentQuery,
  'jmp-far': compileFarJump, 'call-far': compileFarCall, 'ret-far': compileFarReturn, iret: compileIret,
  loop: compileLoop, loope: compileLoop, loopne: compileLoop, jcxz: compileLoop,
  int: compileInt, int3: compileInt, into: compileInt, int1: compileInt,
  sysenter: compileFastSystemCall, sysexit: compileFastSystemCall,
  movs: compileString, cmps: compileString, stos: compileString, lods: compileString, scas: compileString,
  ins: compileString, outs: compileString,
  nop, pause: nop, lfence: nop, mfence: nop, sfence: nop, clflush: nop,
  cpuid: compileCpuid, rdtsc: compileRdtsc,
  // At CPL 3 these raise #GP (system mode will give them their real semantics).
  hlt: compileHlt, in: compileIo, out: compileIo,
  lgdt: compileLoadTableRegister, lidt: compileLoadTableRegister, lldt: compileLoadLdtRegister, ltr: compileLoadTaskRegister,
  lmsw: compileLoadMachineStatusWord, clts: compileCacheControl, invd: compileCacheControl, wbinvd: compileCacheControl,
  invlpg: compileCacheControl, 'mov-to-cr': compileMoveControlRegister, 'mov-from-cr': compileMoveControlRegister,
  'mov-to-dr': compileMoveDebugRegister, 'mov-from-dr': compileMoveDebugRegister, wrmsr: compileMsr,
  rdmsr: compileMsr, rdpmc: compilePrivileged,
  // CR4.UMIP: descriptor-table reads #GP at CPL 3; Linux emulates them with fixed values.
  sgdt: compileStoreTableRegister, sidt: compileStoreTableRegister, sldt: compileUmip, str: compileUmip, smsw: compileStoreMachineStatusWord,
  rsm: (i) => undefinedOpcode(i, 'rsm outside system-management mode (invalid opcode)'),
};

/**
 * Compiles one decoded instruction into a closure bound to `vm`. With
 * `flagsDead` (from flag liveness) the closure may skip computing the
 * status flags, which the block overwrites before anything reads them.
 */
export function compileInstruction(insn: Instruction, vm: Machine, flagsDead = false): Exec {
  const exact = vm.x87Exact ? X87_EXACT_SEMANTICS[insn.entry.op] : undefined;
  if (exact) return exact(insn, vm);
  const compile = SEMANTICS[insn.entry.op];
  if (!compile) return undefinedOpcode(insn, `unimplemented instruction ${insn.mnemonic}`);
  return compile(insn, vm, vm.stack, flagsDead);
}
