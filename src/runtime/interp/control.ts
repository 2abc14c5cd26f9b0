import { Instruction } from '../../decoder/types.js';
import { CpuException, Vector } from '../exceptions.js';
import { readFlags, testCondition } from '../flags.js';
import { Slot } from '../layout.js';
import type { Machine } from '../machine.js';
import { Exec, reader } from './operands.js';
import { Stack } from './stack.js';

export function compileJmp(insn: Instruction, vm: Machine): Exec {
  const s = vm.cpu.s;
  const target = insn.operands[0];
  if (target.kind === 'rel') {
    const t = target.value | 0;
    return () => { s[Slot.EIP] = t; };
  }
  const read = reader(target, vm);
  const mask = insn.opSize === 2 ? 0xffff : -1;
  return () => { s[Slot.EIP] = read() & mask; };
}

export function compileJcc(insn: Instruction, vm: Machine): Exec {
  const s = vm.cpu.s;
  const cc = insn.entry.cond;
  const target = insn.operands[0].value | 0;
  const next = nextEip(insn);
  return () => { s[Slot.EIP] = testCondition(s, cc) ? target : next; };
}

export function nextEip(insn: Instruction): number {
  const n = (insn.eip + insn.length) | 0;
  return insn.opSize === 2 && insn.addrSize === 2 ? n & 0xffff : n;
}

/** LOOP LOOPE LOOPNE JCXZ/JECXZ: the counter is CX or ECX by address size. */
export function compileLoop(insn: Instruction, vm: Machine): Exec {
  const s = vm.cpu.s, r32 = vm.cpu.r32, r16 = vm.cpu.r16;
  const target = insn.operands[0].value | 0;
  const next = nextEip(insn);
  const a16 = insn.addrSize === 2;
  const op = insn.entry.op;
  if (op === 'jcxz') {
    return a16
      ? () => { s[Slot.EIP] = r16[2] === 0 ? target : next; }
      : () => { s[Slot.EIP] = r32[1] === 0 ? target : next; };
  }
  // cond: 0 plain LOOP, 1 LOOPE (ZF=1), 2 LOOPNE (ZF=0)
  const cond = op === 'loope' ? 1 : op === 'loopne' ? 2 : 0;
  return () => {
    let c: number;
    if (a16) c = r16[2] = (r16[2] - 1) & 0xffff;
    else c = r32[1] = (r32[1] - 1) | 0;
    let taken = c !== 0;
    if (taken && cond !== 0) taken = (cond === 1) === testCondition(s, 4);
    s[Slot.EIP] = taken ? target : next;
  };
}

export function compileCall(insn: Instruction, vm: Machine, stack: Stack): Exec {
  const s = vm.cpu.s;
  const size = insn.opSize;
  const ret = nextEip(insn);
  const target = insn.operands[0];
  if (target.kind === 'rel') {
    const t = target.value | 0;
    return () => {
      stack.push(size, ret);
      s[Slot.EIP] = t;
    };
  }
  const read = reader(target, vm);
  const mask = size === 2 ? 0xffff : -1;
  return () => {
    const t = read() & mask; // read first: a faulting operand leaves the stack alone
    stack.push(size, ret);
    s[Slot.EIP] = t;
  };
}

export function compileRet(insn: Instruction, vm: Machine, stack: Stack): Exec {
  const s = vm.cpu.s, r32 = vm.cpu.r32;
  const size = insn.opSize;
  const extra = insn.operands.length ? insn.operands[0].value & 0xffff : 0;
  return () => {
    const t = stack.pop(size);
    if (extra) stack.move(extra);
    s[Slot.EIP] = size === 2 ? t & 0xffff : t;
  };
}

/** INT n, INT3, INTO, INT1: the personality (Linux, or the platform later) decides what they do. */
export function compileInt(insn: Instruction, vm: Machine): Exec {
  const s = vm.cpu.s;
  const next = nextEip(insn);
  const op = insn.entry.op;
  const vector = op === 'int3' ? 3 : op === 'into' ? 4 : op === 'int1' ? 1 : insn.operands[0].value & 0xff;
  if (op === 'into') {
    return () => {
      s[Slot.EIP] = next;
      if (readFlags(s) & 0x800) vm.personality.onInterrupt(vm, 4);
    };
  }
  return () => {
    s[Slot.EIP] = next;
    vm.personality.onInterrupt(vm, vector);
  };
}

/** Detail of the #GP that SGDT/SIDT/SLDT/STR/SMSW raise at CPL 3 with CR4.UMIP set (the OS may emulate them). */
export const UMIP_DETAIL = 'user-mode instruction prevention';

export function compileUmip(): Exec {
  const e = new CpuException(Vector.GP, 0, 0, UMIP_DETAIL);
  return () => {
    throw e;
  };
}

export function compilePrivileged(insn: Instruction): Exec {
  const e = new CpuException(Vector.GP, 0, 0, `${insn.mnemonic} at CPL 3`);
  return () => {
    throw e;
  };
}

/**
 * CPUID family 6 (P6), reporting only what the interpreter implements: FPU,
 * TSC, CX8, CMOV (with FCMOV), MMX, FXSR (FXSAVE/FXRSTOR), SSE, SSE2, SSE3
 * (with FISTTP; not MONITOR/MWAIT, which have their own bit); POPCNT.
 * Nothing of SSSE3 or later (no XSAVE).
 */
export const CPUID_VENDOR = 'GenuineIntel';
export const CPUID_1_EDX = 1 | (1 << 4) | (1 << 8) | (1 << 15) | (1 << 23) | (1 << 24) | (1 << 25) | (1 << 26);
export const CPUID_1_ECX = (1 << 23) | 1;
export const CPUID_1_EAX = 0x000006f1;

/** SEP: SYSENTER/SYSEXIT, where the platform implements them (SystemHooks.fastSystemCall). */
export const CPUID_1_EDX_SEP = 1 << 11;
/** With paging (SystemHooks.invalidatePage): PSE (4 MiB pages) and PGE (global pages keep their soft-TLB entries across CR3 writes: Mmu.flushNonGlobal). */
export const CPUID_1_EDX_PAGING = (1 << 3) | (1 << 13);

/**
 * Processor frequency information (base, maximum and bus MHz). Linux takes
 * the TSC's rate from it (cpu_khz_from_cpuid) instead of timing the TSC
 * against the PIT, which fails under an emulator whose port I/O is slow and
 * uneven: then the TSC is marked unstable, the kernel calibrates a delay
 * loop for many timer ticks and keeps time by reading the PIT through port I/O.
 */
const CPUID_FREQUENCY_LEAF = 0x16;
const CPUID_BUS_MHZ = 100;
/**
 * With the frequency leaf, the TSC's other properties, both true of a TSC
 * that counts the host's clock: it runs at one rate in every state
 * (invariant TSC, leaf 0x80000007) and IA32_TSC_ADJUST is there (leaf 7;
 * the platform keeps the MSR). With both, Linux does not check the TSC
 * against its clocksource watchdog, the PIT, whose ticks it counts and
 * which falls behind whenever the host is late to deliver one.
 */
const CPUID_STRUCTURED_FEATURES = 7;
const CPUID_7_EBX_TSC_ADJUST = 1 << 1;
const CPUID_POWER_LEAF = 0x80000007;
const CPUID_80000007_EDX_INVARIANT_TSC = 1 << 8;

export function compileCpuid(_insn: Instruction, vm: Machine): Exec {
  const r32 = vm.cpu.r32;
  const edx = CPUID_1_EDX | (vm.system?.fastSystemCall ? CPUID_1_EDX_SEP : 0) | (vm.system?.invalidatePage ? CPUID_1_EDX_PAGING : 0);
  const vendor = [0, 4, 8].map((i) =>
    CPUID_VENDOR.charCodeAt(i) | (CPUID_VENDOR.charCodeAt(i + 1) << 8) | (CPUID_VENDOR.charCodeAt(i + 2) << 16) | (CPUID_VENDOR.charCodeAt(i + 3) << 24),
  );
  const tscMhz = vm.system?.tscMhz;
  const maxLeaf = tscMhz !== undefined ? CPUID_FREQUENCY_LEAF : 1;
  const maxExtendedLeaf = tscMhz !== undefined ? CPUID_POWER_LEAF : 0x80000000;
  return () => {
    const leaf = r32[0] >>> 0;
    let a = 0, b = 0, c = 0, d = 0;
    if (leaf === 0) {
      a = maxLeaf;
      b = vendor[0];
      d = vendor[1];
      c = vendor[2];
    } else if (leaf === 1) {
      a = CPUID_1_EAX;
      b = 8 << 8; // CLFLUSH line size 64 bytes
      c = CPUID_1_ECX;
      d = edx;
    } else if (leaf === 0x80000000) {
      a = maxExtendedLeaf;
    } else if (tscMhz !== undefined) {
      if (leaf === CPUID_FREQUENCY_LEAF) {
        a = tscMhz; // base
        b = tscMhz; // maximum
        c = CPUID_BUS_MHZ;
      } else if (leaf === CPUID_STRUCTURED_FEATURES && r32[1] === 0) {
        b = CPUID_7_EBX_TSC_ADJUST;
      } else if (leaf === CPUID_POWER_LEAF) {
        d = CPUID_80000007_EDX_INVARIANT_TSC;
      }
    }
    r32[0] = a;
    r32[3] = b;
    r32[1] = c;
    r32[2] = d;
  };
}

export function compileRdtsc(_insn: Instruction, vm: Machine): Exec {
  const r32 = vm.cpu.r32;
  const cpu = vm.cpu;
  return () => {
    const t = cpu.tsc();
    r32[0] = Number(t & 0xffffffffn);
    r32[2] = Number((t >> 32n) & 0xffffffffn);
  };
}
