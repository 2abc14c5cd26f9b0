import { Instruction } from '../../decoder/types.js';
import { CR0_ET, CR0_PE, CR0_PG } from '../cpu.js';
import { CpuException, Vector } from '../exceptions.js';
import { Slot } from '../layout.js';
import type { Machine } from '../machine.js';
import { compilePrivileged, compileUmip, nextEip } from './control.js';
import { effectiveAddress, Exec, reader, undefinedOpcode, writer } from './operands.js';

/**
 * The privileged instructions of system mode (MachineOptions.system): at
 * CPL 0 they work, above it they raise #GP. In a Linux process (no system
 * hooks) they keep their user-mode behaviour: #GP, or UMIP's emulation for
 * the descriptor-table reads.
 */

function atCpl0(vm: Machine, insn: Instruction, body: Exec): Exec {
  const cpu = vm.cpu;
  const fault = new CpuException(Vector.GP, 0, 0, `${insn.mnemonic} above CPL 0`);
  return () => {
    if (cpu.cpl !== 0) throw fault;
    body();
  };
}

/** HLT: what halting means is the platform's (SystemHooks.halt). */
export function compileHlt(insn: Instruction, vm: Machine): Exec {
  const system = vm.system;
  if (system === null) return compilePrivileged(insn);
  return atCpl0(vm, insn, () => system.halt(vm));
}

/** LGDT / LIDT m16&32: a 16-bit operand size keeps 24 bits of the base. */
export function compileLoadTableRegister(insn: Instruction, vm: Machine): Exec {
  if (vm.system === null) return compilePrivileged(insn);
  const s = vm.cpu.s, mmu = vm.mmu;
  const ea = effectiveAddress(insn.operands[0], vm);
  const [baseSlot, limitSlot] = insn.entry.op === 'lgdt' ? [Slot.GDTR_BASE, Slot.GDTR_LIMIT] : [Slot.IDTR_BASE, Slot.IDTR_LIMIT];
  const baseMask = insn.opSize === 2 ? 0xffffff : -1;
  return atCpl0(vm, insn, () => {
    const a = ea();
    const limit = mmu.read16(a);
    const base = mmu.read32(a + 2) & baseMask;
    s[limitSlot] = limit;
    s[baseSlot] = base;
  });
}

/** SGDT / SIDT: any CPL without UMIP (system mode does not set CR4.UMIP). */
export function compileStoreTableRegister(insn: Instruction, vm: Machine): Exec {
  if (vm.system === null) return compileUmip();
  const s = vm.cpu.s, mmu = vm.mmu;
  const ea = effectiveAddress(insn.operands[0], vm);
  const [baseSlot, limitSlot] = insn.entry.op === 'sgdt' ? [Slot.GDTR_BASE, Slot.GDTR_LIMIT] : [Slot.IDTR_BASE, Slot.IDTR_LIMIT];
  return () => {
    const a = ea();
    mmu.write16(a, s[limitSlot]);
    mmu.write32(a + 2, s[baseSlot]);
  };
}

const CR_SLOT: Record<number, Slot> = { 0: Slot.CR0, 2: Slot.CR2, 3: Slot.CR3, 4: Slot.CR4 };

/** MOV to and from CR0, CR2, CR3, CR4; others raise #UD, as on the CPU. */
export function compileMoveControlRegister(insn: Instruction, vm: Machine): Exec {
  const system = vm.system;
  if (system === null) return compilePrivileged(insn);
  const s = vm.cpu.s;
  const toCr = insn.entry.op === 'mov-to-cr';
  const [crOp, regOp] = toCr ? insn.operands : [insn.operands[1], insn.operands[0]];
  const cr = crOp.reg;
  const slot = CR_SLOT[cr];
  if (slot === undefined) return () => { throw new CpuException(Vector.UD, -1, 0, `${insn.mnemonic}: there is no CR${cr}`); };
  if (toCr) {
    const value = reader({ ...regOp, size: 4 }, vm);
    return atCpl0(vm, insn, () => {
      const old = s[slot];
      const v = value();
      if (cr === 0 && v & CR0_PG && !(v & CR0_PE)) throw new CpuException(Vector.GP, 0, 0, 'CR0 with PG set and PE clear');
      s[slot] = cr === 0 ? v | CR0_ET : v;
      // CR2 only holds the last page-fault address: nothing cached depends on it.
      if (cr !== 2) system.controlRegisterWritten?.(vm, cr, old);
    });
  }
  const write = writer({ ...regOp, size: 4 }, vm);
  return atCpl0(vm, insn, () => write(s[slot]));
}

/**
 * LMSW r/m16 at CPL 0: CR0's PE, MP, EM and TS from the operand; it can
 * set PE (enter protected mode, as a 286 did) but not clear it.
 */
export function compileLoadMachineStatusWord(insn: Instruction, vm: Machine): Exec {
  const system = vm.system;
  if (system === null) return compilePrivileged(insn);
  const s = vm.cpu.s;
  const value = reader({ ...insn.operands[0], size: 2 }, vm);
  return atCpl0(vm, insn, () => {
    const old = s[Slot.CR0];
    s[Slot.CR0] = (old & ~0xe) | (value() & 0xf) | (old & CR0_PE);
    system.controlRegisterWritten?.(vm, 0, old);
  });
}

/** SMSW: CR0's low word at any CPL in system mode (no UMIP); a Linux process gets UMIP's #GP. */
export function compileStoreMachineStatusWord(insn: Instruction, vm: Machine): Exec {
  if (vm.system === null) return compileUmip();
  const s = vm.cpu.s;
  const op = insn.operands[0];
  // To a register with a 32-bit operand size the whole of CR0 is stored (its high bits undefined on the CPU).
  const write = writer(op.kind === 'mem' ? { ...op, size: 2 } : op, vm);
  return () => write(s[Slot.CR0]);
}

/** LTR r/m16 at CPL 0 (the TSS is the platform's: SystemHooks.loadTaskRegister). */
export function compileLoadTaskRegister(insn: Instruction, vm: Machine): Exec {
  const load = vm.system?.loadTaskRegister;
  if (!load) return compilePrivileged(insn);
  const selector = reader({ ...insn.operands[0], size: 2 }, vm);
  return atCpl0(vm, insn, () => load(vm, selector()));
}

/** LLDT r/m16 at CPL 0 (SystemHooks.loadLdtRegister). */
export function compileLoadLdtRegister(insn: Instruction, vm: Machine): Exec {
  const load = vm.system?.loadLdtRegister;
  if (!load) return compilePrivileged(insn);
  const selector = reader({ ...insn.operands[0], size: 2 }, vm);
  return atCpl0(vm, insn, () => load(vm, selector()));
}

/** INVLPG, WBINVD, INVD, CLTS at CPL 0: the soft TLB is flushed for INVLPG; caches are not modelled. */
export function compileCacheControl(insn: Instruction, vm: Machine): Exec {
  const system = vm.system;
  if (system === null) return compilePrivileged(insn);
  const s = vm.cpu.s;
  switch (insn.entry.op) {
    case 'invlpg': {
      const linear = effectiveAddress(insn.operands[0], vm);
      return atCpl0(vm, insn, () => system.invalidatePage?.(vm, linear()));
    }
    case 'clts':
      return atCpl0(vm, insn, () => { s[Slot.CR0] &= ~0x8; });
    default:
      return atCpl0(vm, insn, () => {});
  }
}

export const IA32_TIME_STAMP_COUNTER = 0x10;

/**
 * RDMSR / WRMSR at CPL 0: the time-stamp counter reads as RDTSC does (Cpu.tsc,
 * which the platform sets, TSC_ADJUST included); writes of it, and every
 * other MSR, go to the platform (SystemHooks.readMsr/writeMsr); an MSR nobody
 * keeps reads 0 and ignores writes, which is what Linux's probes of a
 * minimal P6 tolerate (../shared/GUEST-LINUX.md).
 */
export function compileMsr(insn: Instruction, vm: Machine): Exec {
  const system = vm.system;
  if (system === null) return compilePrivileged(insn);
  const r32 = vm.cpu.r32, cpu = vm.cpu;
  if (insn.entry.op === 'rdmsr') {
    return atCpl0(vm, insn, () => {
      const index = r32[1] >>> 0;
      const v = index === IA32_TIME_STAMP_COUNTER ? cpu.tsc() : system.readMsr?.(vm, index) ?? 0n;
      r32[0] = Number(v & 0xffffffffn);
      r32[2] = Number((v >> 32n) & 0xffffffffn);
    });
  }
  return atCpl0(vm, insn, () => {
    const value = (BigInt(r32[2] >>> 0) << 32n) | BigInt(r32[0] >>> 0);
    system.writeMsr?.(vm, r32[1] >>> 0, value);
  });
}

/**
 * MOV to and from DR0-DR7 at CPL 0: the values are kept (DR4/DR5 alias
 * DR6/DR7, as with CR4.DE clear) but no breakpoint fires yet. Linux writes
 * DR7 and reads DR6 on every CPU's bring-up.
 */
export function compileMoveDebugRegister(insn: Instruction, vm: Machine): Exec {
  const dr = vm.system?.debugRegisters;
  if (!dr) return compilePrivileged(insn);
  const toDr = insn.entry.op === 'mov-to-dr';
  const [drOp, regOp] = toDr ? insn.operands : [insn.operands[1], insn.operands[0]];
  const n = drOp.reg === 4 || drOp.reg === 5 ? drOp.reg + 2 : drOp.reg;
  if (toDr) {
    const value = reader({ ...regOp, size: 4 }, vm);
    return atCpl0(vm, insn, () => { dr[n] = value(); });
  }
  const write = writer({ ...regOp, size: 4 }, vm);
  return atCpl0(vm, insn, () => write(dr[n]));
}

/**
 * SYSENTER / SYSEXIT where the platform implements them
 * (SystemHooks.fastSystemCall; CPUID then reports SEP). A Linux process's
 * CPUID does not report SEP, and an AMD CPU in a 64-bit kernel's
 * compatibility mode raises #UD for SYSENTER too; SYSEXIT is privileged.
 */
export function compileFastSystemCall(insn: Instruction, vm: Machine): Exec {
  const call = vm.system?.fastSystemCall;
  if (insn.entry.op === 'sysenter') {
    if (!call) return undefinedOpcode(insn, 'sysenter (SEP is not reported by CPUID; invalid opcode)');
    // EIP past it first: an embedder's hook returns there; the platform's SYSENTER loads its own. A fault leaves
    // EIP at the instruction, as translated code expects of a helper that throws.
    const s = vm.cpu.s, next = nextEip(insn), here = insn.eip;
    return () => {
      s[Slot.EIP] = next;
      try {
        call(vm, 'enter');
      } catch (e) {
        s[Slot.EIP] = here;
        throw e;
      }
    };
  }
  if (!call) return compilePrivileged(insn);
  return atCpl0(vm, insn, () => call(vm, 'exit'));
}
